"""The dyslexia-friendly font and wide line spacing: the face is bundled, covers our languages, falls
back to DejaVu for what it lacks, and every screen still fits at the largest text size."""
from __future__ import annotations

import pygame
import pytest

import tests.test_ui_layout as layout_tests
from simulator.paths import assets_dir
from simulator.ui.settings import load_settings
from simulator.ui.text import FONT_FILES, Fonts, Span, layout
from tests.ui_helpers import make_app, press, widget

SPANISH = "áéíóúñ¿¡üÁÉÍÓÚÑÜ"
VIETNAMESE = "ăâđêôơưĂÂĐÊÔƠƯàảãạằẳẵặấầẩẫậèẻẽẹềểễệìỉĩịòỏõọồổỗộờởỡợùủũụừửữựỳỷỹỵ"


@pytest.fixture(autouse=True)
def _fonts():
    pygame.font.init()


def test_the_dyslexia_face_and_its_licence_are_bundled():
    for bold in (False, True):
        assert (assets_dir() / FONT_FILES["dyslexia"][bold]).is_file()
    licence = (assets_dir() / "fonts" / "OpenDyslexic-LICENSE.txt").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 3.0" in licence and "Bitstream" in licence
    credits = (assets_dir() / "CREDITS.md").read_text(encoding="utf-8")
    assert "OpenDyslexic" in credits and "CC BY 3.0" in credits


@pytest.mark.parametrize("bold", [False, True])
def test_open_dyslexic_has_every_spanish_and_vietnamese_letter(bold):
    font = Fonts("dyslexia").get(24, bold)
    assert font.fallback is not None  # it is OpenDyslexic, not DejaVu standing in for a missing file
    assert font.coverage.covers(SPANISH)
    assert font.coverage.covers(VIETNAMESE.replace("ị", "") if bold else VIETNAMESE)  # see the next test
    assert font.size("¿Qué pasó, señora?") != font.fallback.size("¿Qué pasó, señora?")  # drawn in OpenDyslexic


def test_text_with_a_character_the_face_lacks_is_drawn_in_dejavu():
    font = Fonts("dyslexia").get(24)
    assert not font.coverage.covers("\u2192")  # an arrow: not in OpenDyslexic
    assert font.size("Next \u2192") == font.fallback.size("Next \u2192")
    assert font.render("Next \u2192", True, (0, 0, 0)).get_height() == font.fallback.get_height()
    assert font.size("Next") != font.fallback.size("Next")


def test_a_broken_glyph_counts_as_missing():
    """OpenDyslexic Bold draws the dot of "ị" six lines below the letter: DejaVu draws that word."""
    font = Fonts("dyslexia").get(30, True)
    assert not font.coverage.covers("ị")
    assert font.render("Tiếng Việt: chị", True, (0, 0, 0)).get_height() <= font.get_height()
    assert Fonts("dyslexia").get(30).coverage.covers("chị")  # the regular face's is fine


def test_wide_line_spacing_spreads_lines():
    fonts = Fonts()
    spans = [Span("one two three four five six seven eight nine ten", 20, (255, 255, 255))]
    normal = layout(fonts, spans, 120)
    fonts.configure("standard", 0.5)
    wide = layout(fonts, spans, 120)
    assert len(wide.lines) == len(normal.lines) > 2 and wide.height > normal.height


def test_font_and_spacing_settings_apply_at_once_and_persist():
    app = make_app()
    press(app, pygame.K_2)
    assert app.top.name == "settings"
    app.top.ring.focus(widget(app, "Font"))
    press(app, pygame.K_RIGHT)
    app.top.ring.focus(widget(app, "Line spacing"))
    press(app, pygame.K_RIGHT)
    assert (app.fonts.face, app.fonts.line_gap) == ("dyslexia", 0.5)
    assert app.fonts.get(app.theme.body).fallback is not None
    saved, warnings = load_settings()
    assert (saved.font, saved.line_spacing, warnings) == ("dyslexia", "wide", [])
    assert app.audit.problems == []


@pytest.mark.parametrize("spacing", ["normal", "wide"])
def test_every_screen_fits_in_open_dyslexic_at_the_largest_size(monkeypatch, spacing):
    """tests/test_ui_layout.py's walk over every screen, node, ending and debrief page (it asserts the
    audit stays empty), at 1280x720 and the largest text size, with the dyslexia font."""
    apps = []

    def dyslexic_app(**kwargs):
        apps.append(make_app(font="dyslexia", line_spacing=spacing, **kwargs))
        return apps[-1]
    monkeypatch.setattr(layout_tests, "make_app", dyslexic_app)
    layout_tests.test_nothing_overflows((1280, 720), "largest")
    assert apps and apps[0].fonts.face == "dyslexia" and apps[0].fonts.get(20).fallback is not None
