"""The shell around the training: the pause menu hides the scene, Escape on the title asks first, window
sizes fit the display, names are remembered only when asked, the credits read as credits, and the
instructor-details and interface-language settings."""
from __future__ import annotations

import json

import pygame
import pytest

from simulator import i18n
from simulator.content.loader import bundled_scenarios
from simulator.paths import config_dir
from simulator.ui.screens.menus import WINDOW_SIZES, CreditsScreen
from simulator.ui.settings import Settings, load_settings
from tests.ui_helpers import DT, click, make_app, press, start_scenario, to_library, type_text, widget


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def saved_file() -> dict:
    return json.loads((config_dir() / "settings.json").read_text(encoding="utf-8"))


# --- 1. the pause menu hides the scene ---------------------------------------------------------------
def test_pause_hides_every_pixel_of_the_scene():
    app = make_app()
    to_library(app)
    start_scenario(app, bundled_scenarios()[0])
    press(app, pygame.K_SPACE)  # all the scene's text on screen
    press(app, pygame.K_ESCAPE)
    pause = app.top
    assert pause.name == "pause"
    background = pygame.Color(*app.theme.palette.background)
    frame = app.surface.copy()
    w, h = frame.get_size()
    outside = [(x, y) for x in range(0, w, 7) for y in range(0, h, 7) if not pause.panel.collidepoint(x, y)]
    assert outside and all(frame.get_at(p) == background for p in outside)  # nothing of the scene behind
    assert pause.panel_image.get_at(pause.panel_image.get_rect().center).a == 255  # an opaque panel
    for high_contrast in (False, True):  # still hidden after a settings change beneath it
        app.settings.high_contrast = high_contrast
        app.relayout()
        app.step(DT)
        assert app.surface.get_at((2, 2)) == pygame.Color(*app.theme.palette.background)


# --- 2. Escape on the title asks before quitting -----------------------------------------------------
def test_escape_on_the_title_asks_and_stay_is_the_safe_default():
    app = make_app()
    press(app, pygame.K_ESCAPE)
    assert app.running and app.top.name == "quit" and app.top.heading() == "Quit Parley?"
    assert app.top.ring.current.wid == "Stay"
    press(app, pygame.K_RETURN)  # Enter after a stray Escape stays
    assert app.running and app.top.name == "title"
    press(app, pygame.K_ESCAPE)
    press(app, pygame.K_ESCAPE)  # Escape on the question also stays
    assert app.running and app.top.name == "title"
    press(app, pygame.K_ESCAPE)
    press(app, pygame.K_1)  # Quit
    assert not app.running and app.status == 0


def test_the_quit_question_works_with_the_mouse():
    app = make_app()
    press(app, pygame.K_ESCAPE)
    click(app, app.top.screen_rect(widget(app, "Stay")).center)
    assert app.running and app.top.name == "title"
    press(app, pygame.K_ESCAPE)
    click(app, app.top.screen_rect(widget(app, "Quit")).center)
    assert not app.running


# --- 3. window sizes fit the display -----------------------------------------------------------------
def test_only_window_sizes_that_fit_the_display_are_offered(monkeypatch):
    app = make_app()
    press(app, pygame.K_2)
    assert app.display_size() is None  # the dummy driver's made-up desktop is not believed
    assert widget(app, "Window size").values == WINDOW_SIZES
    monkeypatch.setattr(type(app), "display_size", lambda self: (1920, 1080))
    app.relayout()
    sizes = widget(app, "Window size")
    assert sizes.values == [(1280, 720), (1600, 900)]  # 1920x1080 leaves no room for a title bar
    assert "do not fit" in sizes.detail
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=2560, h=1440, size=(2560, 1440)))
    app.step(DT)
    assert app.surface.get_size() == (1920, 1080) and app.settings.window_size == [1920, 1080]
    monkeypatch.setattr(type(app), "display_size", lambda self: (1024, 768))  # smaller than the layouts allow
    app.relayout()
    assert widget(app, "Window size").values[0] == (1280, 720)
    assert app.window_limit() == (1280, 721)


# --- 4. trainee names are remembered only when asked -------------------------------------------------
def test_names_are_not_remembered_by_default():
    app = make_app()
    assert Settings().remember_names is False
    press(app, pygame.K_RETURN)
    type_text(app, "R. Okafor 042")
    press(app, pygame.K_RETURN)
    assert app.trainee == "R. Okafor 042" and app.top.name == "mode"
    assert not any(w.wid == "Forget me" for w in app.top.ring.widgets)
    assert load_settings()[0].recent_trainees == []
    app.settings.recent_trainees = ["R. Okafor 042"]  # even a list in memory is never offered
    press(app, pygame.K_ESCAPE)
    assert app.top.name == "trainee"
    app.top.build()
    labels = [w.label for w in app.top.ring.widgets if hasattr(w, "label")]
    assert not any("Okafor" in label for label in labels)
    app.save()
    assert saved_file()["recent_trainees"] == []  # and never written


def test_remembered_names_can_be_forgotten_one_or_all():
    app = make_app(remember_names=True)
    for name in ("Ann Lee", "R. Okafor 042"):
        press(app, pygame.K_RETURN)
        type_text(app, name)
        press(app, pygame.K_RETURN)
        assert app.top.name == "mode"
        press(app, pygame.K_ESCAPE)
        press(app, pygame.K_ESCAPE)
    assert load_settings()[0].recent_trainees == ["R. Okafor 042", "Ann Lee"]
    press(app, pygame.K_RETURN)
    screen = app.top
    assert widget(app, "recent-0").label == "Continue as R. Okafor 042"
    click(app, screen.screen_rect(widget(app, "recent-0")).center)
    assert app.top.name == "mode"
    forget = widget(app, "Forget me")
    click(app, app.top.screen_rect(forget).center)  # "Forget me": only this trainee's name
    assert app.settings.recent_trainees == ["Ann Lee"] and load_settings()[0].recent_trainees == ["Ann Lee"]
    assert not any(w.wid == "Forget me" for w in app.top.ring.widgets)
    press(app, pygame.K_ESCAPE)
    assert app.top.name == "trainee"
    app.top.ring.focus(widget(app, "Forget all names"))
    press(app, pygame.K_RETURN)
    assert app.settings.recent_trainees == [] and load_settings()[0].recent_trainees == []
    assert not any(getattr(w, "wid", None) == "Forget all names" for w in app.top.ring.widgets)


def test_switching_remembering_off_forgets_every_name():
    app = make_app(remember_names=True, recent_trainees=["Ann Lee", "Bo"])
    press(app, pygame.K_2)
    row = widget(app, "Remember names")
    assert row.label.startswith("Remember trainee names on this computer")
    app.top.ring.focus(row)
    press(app, pygame.K_LEFT)
    assert app.settings.remember_names is False and app.settings.recent_trainees == []
    assert saved_file()["recent_trainees"] == [] and saved_file()["remember_names"] is False


# --- 5. the credits read as credits ------------------------------------------------------------------
def test_credits_name_people_fonts_and_licences_without_file_paths():
    app = make_app()
    press(app, pygame.K_3)
    credits = app.top
    assert isinstance(credits, CreditsScreen)
    text = credits.speech()
    for needed in ("Parley contributors", "MIT", "CC BY 4.0", "DejaVu Sans", "Bitstream Vera", "OpenDyslexic",
                   "CC BY 3.0", "eSpeak NG", "pygame-ce", "NumPy", "Babel"):
        assert needed in text, needed
    for path_like in ("assets/", ".py", ".toml", ".md", ".txt", "simulator/", "docs/", "pyproject", "`", "#"):
        assert path_like not in text, path_like
    assert app.audit.problems == []


# --- 6. instructor details ---------------------------------------------------------------------------
def test_instructor_details_is_a_hidden_by_default_persisted_setting(tmp_path):
    assert Settings().instructor_details is False
    app = make_app()
    press(app, pygame.K_2)
    row = widget(app, "Review status")
    assert row.label == "Review status and authoring details:  < Hidden >"
    app.top.ring.focus(row)
    press(app, pygame.K_RIGHT)
    assert app.settings.instructor_details is True and load_settings()[0].instructor_details is True
    assert "Shown" in widget(app, "Review status").label
    path = tmp_path / "settings.json"
    path.write_text('{"instructor_details": "yes", "remember_names": 1}')
    settings, warnings = load_settings(path)
    assert settings.instructor_details is False and settings.remember_names is False and len(warnings) == 2


# --- C. the interface language -----------------------------------------------------------------------
def test_interface_language_follows_the_system_or_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("LANGUAGE", "es")
    app = make_app()
    assert i18n.language() == "es"  # None follows the system
    press(app, pygame.K_2)
    row = widget(app, "Interface language")
    assert row.values == [None, "en", "es"]
    assert row.labels["en"] == "English" and row.labels["es"] == "Español" and "Español" in row.labels[None]
    app.top.ring.focus(row)
    press(app, pygame.K_RIGHT)  # English
    assert i18n.language() == "en" and app.settings.interface_language == "en"
    press(app, pygame.K_RIGHT)
    assert i18n.language() == "es" and load_settings()[0].interface_language == "es"
    assert app.audit.problems == []
    path = tmp_path / "settings.json"
    path.write_text('{"interface_language": "xx"}')
    settings, warnings = load_settings(path)
    assert settings.interface_language is None and warnings


def test_every_new_setting_round_trips_through_the_file():
    values = {"remember_names": True, "recent_trainees": ["Ann"], "instructor_details": True, "self_voicing": True,
              "captions": True, "font": "dyslexia", "line_spacing": "wide", "interface_language": "es"}
    from simulator.ui.settings import save_settings
    assert save_settings(Settings(**values)) is None
    settings, warnings = load_settings()
    assert warnings == [] and all(getattr(settings, k) == v for k, v in values.items())


# --- Space never activates anything anywhere ------------------------------------------------------------
def test_space_never_activates_a_menu_button_or_changes_a_setting():
    app = make_app()
    assert app.top.name == "title"
    press(app, pygame.K_SPACE, times=3)  # the focus is on "Start training"
    assert app.top.name == "title" and app.running
    press(app, pygame.K_DOWN)  # Settings
    press(app, pygame.K_RETURN)
    assert app.top.name == "settings"
    before = app.settings.to_json()
    press(app, pygame.K_SPACE, times=3)  # on the text-size cycler
    assert app.top.name == "settings" and app.settings.to_json() == before
    press(app, pygame.K_RETURN)  # Enter does activate (a cycler steps on)
    assert app.settings.to_json() != before
