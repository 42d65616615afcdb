"""The real window driven by posted events: title to debrief for every shipped scenario, and the controls."""
from __future__ import annotations

import re

import pygame
import pytest

from simulator.content.loader import bundled_scenarios, load_scenario
from simulator.engine.session import Session
from simulator.paths import config_dir
from simulator.ui.screens.debrief import PAGES
from simulator.ui.settings import load_settings
from tests.conftest import FIXTURES
from tests.records_helpers import stored
from tests.ui_helpers import (
    DT,
    click,
    group_vote,
    ids_shown,
    make_app,
    play_to_ending,
    press,
    start_scenario,
    to_library,
    type_text,
    wait,
    widget,
)

SCENARIOS = bundled_scenarios()


def records():
    """The sessions the window stored in the records database, oldest first (tests/records_helpers.py)."""
    return stored()


def finish_ending(app):
    assert app.top.name == "ending"
    app.top.wait(60)
    wait(app, 1.0)  # keys and clicks in the ending's first moments are ignored (see test_ui_scene.py)
    assert widget(app, "debrief").enabled
    assert app.top.ring.current.wid == "debrief"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
@pytest.mark.parametrize("strategy", ["first", "last"])
def test_title_to_debrief_keyboard_only(path, strategy):
    app = make_app()
    to_library(app)
    start_scenario(app, path)
    pick = (lambda n: 1) if strategy == "first" else (lambda n: n)
    decisions = play_to_ending(app, pick)
    finish_ending(app)
    press(app, pygame.K_RETURN)
    debrief = app.top
    assert debrief.name == "debrief" and debrief.page == 0
    for page in range(1, len(PAGES)):
        press(app, pygame.K_RIGHT)
        assert debrief.page == page
        assert debrief.blocks, f"page {page + 1} is empty"
    press(app, pygame.K_RIGHT)
    assert debrief.page == len(PAGES) - 1  # the last page stays
    assert app.audit.problems == []
    # the record holds a log that replays exactly and grades to what the debrief showed
    [record] = records()
    assert record["status"] == "complete" and record["trainee"] == "Test Trainee" and record["mode"] == "academy"
    assert record["result"] == debrief.report["result"]  # the ending stored the report it graded
    scenario = load_scenario(path).scenario
    replayed = Session.replay(scenario, record["log"])
    assert replayed.ended
    made = [e for e in record["log"] if e["type"] == "choice_made"]
    assert len(made) == decisions
    assert all(e["actor"] == {"role": "trainee", "id": "Test Trainee"} for e in made)
    from scoring.grade import grade
    assert grade(scenario, record["log"]).to_json() == debrief.report
    # back to the library from the debrief, ready for the next trainee
    press(app, pygame.K_ESCAPE)
    assert app.top.name == "library"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
@pytest.mark.parametrize("strategy", ["first", "last"])
def test_debrief_opens_on_the_projector_page_and_never_shows_an_id(path, strategy):
    """Play a bundled scenario to its end in the window; the debrief's first page holds the result,
    the takeaways and the questions, and no page shows a node, ending or choice id, an expected value
    or a time in milliseconds."""
    app = make_app()
    to_library(app)
    start_scenario(app, path)
    play_to_ending(app, (lambda n: 1) if strategy == "first" else (lambda n: n))
    finish_ending(app)
    press(app, pygame.K_RETURN)
    debrief = app.top
    assert debrief.name == "debrief" and debrief.page == 0 and PAGES[0] == "Summary"
    summary = debrief.report["summary"]
    first = debrief.page_text(0)
    assert summary["takeaways"] and summary["questions"]
    for line in summary["takeaways"] + summary["questions"]:
        assert line in first
    assert summary["headline"] in first and summary["result_words"] in first
    if summary["overall"] is not None:
        assert f"{summary['overall']} out of 100" in first
    if debrief.report["ending"]:
        assert debrief.report["ending"]["title"] in first
    scenario = debrief.scenario
    texts = {}
    for page in range(len(PAGES)):
        texts[PAGES[page]] = debrief.page_text(debrief.page)
        assert not ids_shown(texts[PAGES[page]], scenario), f"ids on page {page + 1} ({PAGES[page]})"
        assert not re.search(r"\d\s?ms\b|milliseconds", texts[PAGES[page]])
        press(app, pygame.K_RIGHT)
    assert "Distress and rapport" in PAGES and "Escalation" not in " ".join(PAGES)
    distress = texts["Distress and rapport"]
    assert "distress" in distress and "escalation" not in distress.lower()
    for key in debrief.report["key_decisions"]:  # by scene and choice text, with the better option's text
        assert key["scene"] in texts["Key decisions"]
        if key["better"]["text"]:
            assert key["better"]["text"] in texts["Key decisions"]
    assert app.audit.problems == []


def test_briefing_and_meter_speak_of_distress():
    from simulator.ui.meter import METER_HIDDEN
    app = make_app()
    to_library(app, mode_key=pygame.K_2)  # in-service: the meter starts hidden
    screen = app.top
    number = next(c.number for c in screen.cards if c.entry.path.resolve() == SCENARIOS[-1].resolve())
    press(app, getattr(pygame, f"K_{number}"))
    press(app, pygame.K_RETURN)
    assert app.top.name == "briefing"
    words = " ".join(span.text for span in app.top.body())
    assert "Distress meter" in words and "Escalation" not in words
    press(app, pygame.K_1)
    scene = app.top
    assert scene.name == "scene" and not scene.meter_visible
    assert METER_HIDDEN.startswith("Distress meter hidden")
    fonts, theme = app.fonts, app.theme
    levels = scene.scenario.behaviour.level_names
    widest = max(fonts.get(theme.small, True).size(f"Distress {i} of {len(levels) - 1}: {n}")[0]
                 for i, n in enumerate(levels))
    assert scene.meter_rect.width >= widest  # the widest label fits the meter
    press(app, pygame.K_m)
    assert scene.meter_visible and app.audit.problems == []


def test_mouse_only_run_and_replay():
    path = SCENARIOS[0]
    app = make_app()

    def click_widget(wid):
        w = widget(app, wid)
        click(app, app.top.screen_rect(w).center)
    click_widget("Start training")
    assert app.top.name == "trainee"
    click_widget("Continue as guest")
    click_widget("workshop")
    assert app.top.name == "library" and app.mode == "workshop"
    card = next(c for c in app.top.cards if c.entry.path == path)
    click(app, app.top.screen_rect(card).center)
    click_widget("start")
    assert app.top.name == "briefing"
    click_widget("Begin")
    scene = app.top
    assert scene.session.timer_seconds() is None  # workshop: no timers
    while app.top.name == "scene":
        click(app, (5, 5))  # a click anywhere shows the whole text
        first = next(w for w in app.top.ring.widgets if w.wid != "undo")
        click(app, app.top.screen_rect(first).center)
        assert app.top.name == "vote"  # workshop: the room votes, by mouse too
        click_widget("votes-1")
        click_widget("go-ahead")
        if app.top.name == "discussion":
            click_widget("go-on")
    finish_ending(app)
    click_widget("replay")
    assert app.top.name == "briefing"


def test_timer_runs_out_in_the_window_and_pause_stops_it():
    path = FIXTURES / "minimal.yaml"
    app = make_app(scenario_path=path)
    to_library(app)
    library = app.top
    assert library.chosen.path == path and library.ring.current.wid == "start"
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)  # Begin
    scene = app.top
    assert scene.view.timer_seconds == 10
    press(app, pygame.K_SPACE)
    press(app, pygame.K_ESCAPE)
    assert app.top.name == "pause"
    left = scene.timer_left
    for _ in range(120):
        app.step(DT)
    assert scene.timer_left == left  # paused: the clock does not run
    press(app, pygame.K_ESCAPE)
    assert app.top is scene
    for _ in range(11 * 60):
        app.step(DT)
        if scene.view.node_id != "first":
            break
    expired = [e for e in scene.session.log if e["type"] == "timer_expired"]
    assert len(expired) == 1 and expired[0]["choice"] == "first-timeout"


def test_slower_timers_and_timers_off_come_from_settings():
    path = FIXTURES / "minimal.yaml"
    for setting, expected in (("x2", 20), ("x1.5", 15), ("off", None)):
        app = make_app(scenario_path=path, timers=setting)
        to_library(app)
        press(app, pygame.K_RETURN)
        press(app, pygame.K_RETURN)
        assert app.top.view.timer_seconds == expected


def test_no_timers_flag_turns_timers_off_for_that_run_only(tmp_path):
    """`parley play FILE --no-timers`: timers off in this run, the saved setting untouched."""
    path = FIXTURES / "minimal.yaml"
    app = make_app(scenario_path=path, timers="x1")
    app.no_timers = True
    to_library(app)
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)
    assert app.top.view.timer_seconds is None
    assert app.top.session.log[0]["options"]["timers"] is False
    assert app.settings.timers == "x1"


def test_pause_menu_restart_and_quit_keep_the_log():
    path = SCENARIOS[0]
    app = make_app()
    to_library(app)
    start_scenario(app, path)
    press(app, pygame.K_SPACE)
    press(app, pygame.K_1)
    scene = app.top
    assert len([e for e in scene.session.log if e["type"] == "choice_made"]) == 1
    press(app, pygame.K_ESCAPE)
    press(app, pygame.K_2)  # Restart scenario
    assert app.top is scene and len(scene.session.log) == 2
    assert [r["status"] for r in records()] == ["abandoned: restarted", "in progress"]
    press(app, pygame.K_SPACE)
    press(app, pygame.K_1)
    press(app, pygame.K_ESCAPE)
    press(app, pygame.K_4)  # Quit to library
    assert app.top.name == "library"
    assert [r["status"] for r in records()] == ["abandoned: restarted", "abandoned: quit to library"]


def test_in_service_hides_the_meter_until_m():
    app = make_app()
    to_library(app, mode_key=pygame.K_2)
    start_scenario(app, SCENARIOS[0])
    scene = app.top
    assert not scene.meter_visible
    press(app, pygame.K_m)
    assert scene.meter_visible
    press(app, pygame.K_m)
    assert not scene.meter_visible


def test_workshop_steps_back_and_logs_who_why_and_when():
    """Backspace asks the facilitator why; the undo is logged with that reason, the facilitator as
    actor, and the time since the moment appeared (not t=0)."""
    app = make_app()
    to_library(app, mode_key=pygame.K_3)
    start_scenario(app, SCENARIOS[1])
    scene = app.top
    first_node = scene.view.node_id
    press(app, pygame.K_SPACE)
    group_vote(app, 2)
    assert scene.view.node_id != first_node and scene.session.can_undo
    wait(app, 2.0)  # the facilitator lets the group talk for a while before stepping back
    press(app, pygame.K_BACKSPACE)
    prompt = app.top
    assert prompt.name == "step back" and scene.view.node_id != first_node  # nothing undone yet
    assert "Why step back?" in prompt.heading() and "session log" in prompt.heading()
    type_text(app, "Group wants to see the written-note branch 2")  # a digit types, it picks no reason
    press(app, pygame.K_2)
    assert app.top is prompt and prompt.field.value.endswith("2")
    wait(app, 0.5)
    press(app, pygame.K_RETURN)
    assert app.top is scene and scene.view.node_id == first_node and not scene.session.can_undo
    log = scene.session.log
    [undo] = [e for e in log if e["type"] == "undo"]
    assert undo["reason"] == "Group wants to see the written-note branch 2"
    assert undo["actor"] == {"role": "facilitator", "id": "Test Trainee"}
    entered = [e for e in log[:log.index(undo)] if e["type"] == "node_entered"][-1]
    assert undo["t"] == pytest.approx(entered["t"] + 2.0 + 0.5 + 4 * DT, abs=0.011)
    assert undo["t"] == pytest.approx(log[log.index(undo) - 1]["t"] + 2.0 + 0.5 + 4 * DT, abs=0.011)
    # a quick reason and Cancel
    press(app, pygame.K_SPACE)
    group_vote(app, 1)
    press(app, pygame.K_BACKSPACE)
    press(app, pygame.K_DOWN)  # off the text field: numbers pick the quick reasons
    press(app, pygame.K_4)  # Cancel
    assert app.top is scene and scene.session.can_undo
    press(app, pygame.K_BACKSPACE)
    press(app, pygame.K_DOWN)
    press(app, pygame.K_SPACE)  # Space never takes a reason
    assert app.top.name == "step back"
    press(app, pygame.K_2)
    undos = [e for e in scene.session.log if e["type"] == "undo"]
    assert [e["reason"] for e in undos] == ["Group wants to see the written-note branch 2",
                                            "The group asked to try another branch"]


def test_settings_change_apply_at_once_and_persist():
    app = make_app()
    press(app, pygame.K_2)
    assert app.top.name == "settings"
    body = app.theme.body
    press(app, pygame.K_RIGHT)  # text size: medium -> large
    assert app.settings.text_size == "large" and app.theme.body > body
    press(app, pygame.K_DOWN)
    press(app, pygame.K_RETURN)  # high contrast on
    assert app.theme.high_contrast
    press(app, pygame.K_DOWN)
    press(app, pygame.K_LEFT)  # timers x1 -> off
    saved, warnings = load_settings()
    assert warnings == []
    assert (saved.text_size, saved.high_contrast, saved.timers) == ("large", True, "off")
    press(app, pygame.K_ESCAPE)
    assert app.top.name == "title"
    again = make_app(**{k: v for k, v in saved.to_json().items()})
    assert again.theme.body == app.theme.body


def test_bad_settings_file_falls_back_and_says_so():
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.json").write_text('{"text_size": "enormous", "sound": "yes", "zoom": 3}')
    settings, warnings = load_settings()
    assert settings.text_size == "medium" and settings.sound is True
    assert len(warnings) == 3
    (config_dir() / "settings.json").write_text("{not json")
    settings, warnings = load_settings()
    assert settings.text_size == "medium" and "could not read" in warnings[0]


def test_window_resizes_within_limits():
    app = make_app()
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=900, h=500, size=(900, 500)))
    app.step(DT)
    assert app.surface.get_size() == (1280, 720)
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=1920, h=1200, size=(1920, 1200)))
    app.step(DT)
    assert app.surface.get_size() == (1920, 1200)
    assert app.settings.window_size == [1920, 1200]
    assert app.audit.problems == []


def test_broken_scenario_shows_its_problems_instead_of_crashing(tmp_path):
    broken = tmp_path / "broken.yaml"
    text = (FIXTURES / "minimal.yaml").read_text().replace("next: second", "next: nowhere", 1)
    broken.write_text(text)
    app = make_app(scenario_path=broken)
    to_library(app)
    library = app.top
    assert library.chosen.path == broken and library.chosen.scenario is None
    assert not any(getattr(w, "wid", None) == "start" for w in library.ring.widgets)
    assert library.chosen.problems and "nowhere" in library.chosen.problems[0]


def test_language_choice_when_a_scenario_has_translations(tmp_path):
    text = (FIXTURES / "minimal.yaml").read_text()
    text = text.replace("languages: [en]", "languages: [en, es]")
    text = text.replace('title: "Minimal test scenario"', 'title: {en: "Minimal test scenario", es: "Escenario mínimo"}')
    text = text.replace('narrative: "Sam stands by the car."',
                        'narrative: {en: "Sam stands by the car.", es: "Sam está junto al coche."}')
    path = tmp_path / "bilingual.yaml"
    path.write_text(text, encoding="utf-8")
    app = make_app(scenario_path=path)
    to_library(app)
    language = widget(app, "language")
    app.top.ring.focus(language)
    press(app, pygame.K_RIGHT)
    assert app.top.language == "es"
    app.top.ring.focus(widget(app, "start"))
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)
    scene = app.top
    assert scene.session.language == "es"
    assert scene.view.narrative == "Sam está junto al coche."
    assert scene.title_text.lines  # rendered with the bundled font (accents included)


@pytest.mark.parametrize("remember", [True, False])
def test_trainee_name_is_remembered_only_when_the_setting_allows(remember):
    """On a shared training station (the default) the next person is never offered the last name."""
    app = make_app()
    app.settings.remember_names = remember
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)  # empty name: a message, not a crash
    assert app.top.name == "trainee" and app.top.error
    type_text(app, "Officer 1234")
    press(app, pygame.K_RETURN)
    assert app.trainee == "Officer 1234"
    saved, _warnings = load_settings()
    assert saved.recent_trainees == (["Officer 1234"] if remember else [])


def test_asking_for_the_debrief_early_opens_it_when_ready(monkeypatch):
    import importlib
    import threading
    grade_module = importlib.import_module("scoring.grade")
    gate = threading.Event()
    real = grade_module.grade

    def slow_grade(*args, **kwargs):
        gate.wait(30)
        return real(*args, **kwargs)
    monkeypatch.setattr(grade_module, "grade", slow_grade)
    app = make_app()
    to_library(app)
    start_scenario(app, SCENARIOS[0])
    play_to_ending(app)
    ending = app.top
    assert ending.name == "ending" and not ending.ready
    wait(app, 1.0)
    press(app, pygame.K_RETURN)  # Enter before grading ends: it must not replay or leave; it waits for the debrief
    assert app.top is ending and ending.open_when_ready
    gate.set()
    ending.wait(60)
    app.step(DT)
    assert app.top.name == "debrief"


def test_grading_failure_keeps_the_ending_and_the_record(monkeypatch):
    import importlib
    grade_module = importlib.import_module("scoring.grade")

    def broken(*args, **kwargs):
        raise RuntimeError("rubric exploded")
    monkeypatch.setattr(grade_module, "grade", broken)
    app = make_app()
    to_library(app)
    start_scenario(app, SCENARIOS[0])
    play_to_ending(app)
    app.top.wait(60)
    app.step(DT)
    assert app.top.name == "ending" and "rubric exploded" in app.top.error
    assert not widget(app, "debrief").enabled
    [record] = records()
    assert record["status"] == "complete" and "rubric exploded" in record["report_problem"]


def test_reduced_motion_shows_text_and_choices_at_once():
    app = make_app(reduced_motion=True)
    to_library(app)
    start_scenario(app, SCENARIOS[0])
    scene = app.top
    assert scene.phase == "choosing" and scene.ring.widgets
    press(app, pygame.K_1)  # no skip needed
    assert len([e for e in scene.session.log if e["type"] == "choice_made"]) == 1


def test_space_never_takes_a_choice():
    app = make_app()
    to_library(app)
    start_scenario(app, SCENARIOS[0])
    scene = app.top
    press(app, pygame.K_SPACE)  # shows everything
    press(app, pygame.K_SPACE, times=3)  # and then does nothing more
    assert not [e for e in scene.session.log if e["type"] == "choice_made"]
    second = scene.view.choices[1].id
    press(app, pygame.K_DOWN)
    press(app, pygame.K_RETURN)  # arrows and Enter choose the focused option (the second)
    made = [e for e in scene.session.log if e["type"] == "choice_made"]
    assert [e["choice"] for e in made] == [second]


def test_full_screen_and_window_size_settings():
    app = make_app()
    press(app, pygame.K_F11)
    assert app.settings.fullscreen
    press(app, pygame.K_F11)
    assert not app.settings.fullscreen and app.surface.get_size() == (1280, 720)
    press(app, pygame.K_2)  # settings
    size_row = widget(app, "Window size")
    app.top.ring.focus(size_row)
    press(app, pygame.K_RIGHT)
    assert app.surface.get_size() == (1600, 900)
    assert load_settings()[0].window_size == [1600, 900]
    assert app.audit.problems == []


def test_library_filters_narrow_the_cards():
    app = make_app()
    to_library(app)
    library = app.top
    assert len(library.cards) == len(SCENARIOS)
    topic = widget(app, "f-topic")
    library.ring.focus(topic)
    while topic.current != "deaf":  # step the topic filter with the arrow key until it says "deaf"
        press(app, pygame.K_RIGHT)
        topic = widget(app, "f-topic")
    assert [c.entry.scenario.id for c in library.cards] == ["deaf-driver-traffic-stop"]
    length = widget(app, "f-length")
    library.ring.focus(length)
    press(app, pygame.K_RIGHT)  # "Up to 15 min": the Deaf-driver scenario is 15 minutes
    assert [c.entry.scenario.id for c in library.cards] == ["deaf-driver-traffic-stop"]
    press(app, pygame.K_RIGHT)  # "16 to 30 min": nothing about deafness is that long
    assert library.cards == [] and library.left_text is not None
    assert not any(getattr(w, "wid", None) == "start" for w in library.ring.widgets)


def test_closing_the_window_mid_scenario_keeps_the_log():
    app = make_app()
    to_library(app)
    start_scenario(app, SCENARIOS[0])
    press(app, pygame.K_SPACE)
    press(app, pygame.K_1)
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step(DT)
    assert not app.running and app.status == 0
    [record] = records()
    assert record["status"] == "abandoned: window closed"
    assert [e["type"] for e in record["log"]].count("choice_made") == 1


def test_the_record_is_stored_after_every_decision_and_ends_in_the_same_session():
    """A window that is killed loses at most the decision in progress: the session is stored when it
    starts, each decision is appended (status "in progress"), and the final status goes to that session."""
    app = make_app()
    to_library(app)
    start_scenario(app, SCENARIOS[0])
    [started] = records()
    assert started["status"] == "in progress" and len(started["log"]) == 2  # started, first scene entered
    for decisions in (1, 2):
        press(app, pygame.K_SPACE)
        press(app, pygame.K_1)
        [record] = records()
        assert record["uid"] == started["uid"] and record["status"] == "in progress"
        assert [e["type"] for e in record["log"]].count("choice_made") == decisions
        assert record["log"] == app.top.session.log
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step(DT)
    [record] = records()
    assert record["uid"] == started["uid"] and record["status"] == "abandoned: window closed"


def test_ctrl_c_in_the_window_keeps_the_log_then_propagates(monkeypatch):
    """Ctrl-C while a scene runs: the session is recorded as interrupted, and KeyboardInterrupt reaches
    the command line (which prints one line and exits 130; see test_cli.py)."""
    app = make_app()
    to_library(app)
    start_scenario(app, SCENARIOS[0])
    press(app, pygame.K_SPACE)
    press(app, pygame.K_1)
    frames = app.frames

    def interrupted(dt):
        raise KeyboardInterrupt
    monkeypatch.setattr(app, "step", interrupted)
    with pytest.raises(KeyboardInterrupt):
        app.run()
    assert app.frames == frames
    [record] = records()
    assert record["status"] == "abandoned: interrupted (Ctrl-C)"
    assert [e["type"] for e in record["log"]].count("choice_made") == 1


def test_settings_from_the_pause_menu_apply_to_the_scene_beneath():
    app = make_app()
    to_library(app)
    start_scenario(app, SCENARIOS[0])
    scene = app.top
    press(app, pygame.K_ESCAPE)
    before = app.snapshot
    body = app.theme.body
    press(app, pygame.K_3)  # Settings
    press(app, pygame.K_RIGHT)  # larger text
    press(app, pygame.K_ESCAPE)  # back to the pause menu
    assert app.top.name == "pause" and app.snapshot is not before  # the picture behind it is redrawn
    press(app, pygame.K_ESCAPE)  # resume
    assert app.top is scene and app.theme.body > body
    assert scene.text.lines[0][0].get_height() >= app.fonts.get(app.theme.body).get_height() - 2


def test_a_scenario_played_in_spanish_is_shown_and_debriefed_in_spanish():
    """With the interface in Spanish, a scenario translated into Spanish is played in it, and the
    debrief (its takeaways, the choices quoted, the ending) is in Spanish too, not the English text."""
    from simulator import i18n
    path = next(p for p in SCENARIOS if p.stem == "collision-limited-english")
    try:
        app = make_app(interface_language="es")
        to_library(app)
        start_scenario(app, path)
        scene = app.top
        assert scene.session.language == "es"
        first_es = scene.scenario.nodes[scene.scenario.start].narrative.get("es", "en")
        assert scene.view.narrative == first_es.strip() or scene.view.narrative == first_es
        play_to_ending(app, lambda n: 1)
        finish_ending(app)
        press(app, pygame.K_RETURN)
        debrief = app.top
        sc = debrief.scenario
        first = debrief.page_text(0)
        spanish = [t.get("es", "en") for t in sc.takeaways]
        english = [t.get("en", "en") for t in sc.takeaways]
        assert any(line in first for line in spanish)
        assert not any(line in first for line in english)
        quoted = debrief.report["graded"][0]["text"]
        assert quoted == sc.choice_by_id[debrief.report["graded"][0]["choice"]].text.get("es", "en")
    finally:
        i18n.set_language("en")


def test_the_briefing_chooses_who_the_people_are_and_the_run_keeps_it():
    """A scenario with variants offers "People in this run" in the briefing (Begin keeps the focus);
    the chosen variant's names and portraits are shown, the log names it, and a replay keeps it."""
    path = next(p for p in SCENARIOS if p.stem == "deaf-driver-traffic-stop")
    app = make_app()
    to_library(app)
    library = app.top
    number = next(c.number for c in library.cards if c.entry.path.resolve() == path.resolve())
    press(app, getattr(pygame, f"K_{number}"))
    press(app, pygame.K_RETURN)
    briefing = app.top
    assert briefing.name == "briefing" and briefing.ring.current.wid == "Begin"
    cycler = widget(app, "variant")
    assert cycler.value_label() == "Ruth and Leo Lindqvist"
    briefing.ring.focus(cycler)
    press(app, pygame.K_RIGHT)
    assert cycler.value_label() == "Angela and Isaiah Brooks"
    press(app, pygame.K_1)  # Begin
    scene = app.top
    assert scene.name == "scene" and scene.scenario.variant == "brooks"
    assert scene.session.log[0]["scenario"]["variant"] == "brooks"
    assert "portraits/angela-brooks" in {p.portrait for p in scene.view.people}
    assert "Ruth" not in scene.view.narrative and "Lindqvist" not in scene.view.narrative
    play_to_ending(app, lambda n: 1)
    finish_ending(app)
    [record] = records()
    from simulator.content.loader import scenario_for_log
    base = load_scenario(path).scenario
    assert Session.replay(scenario_for_log(base, record["log"]), record["log"]).ended
