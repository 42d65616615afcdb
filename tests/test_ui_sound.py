"""Sound cues: synthesis is soft, click-free and deterministic; the mixer is lazy and optional."""
import numpy as np
import pygame
import pytest

from simulator.ui.sound import CUES, SoundCues, synthesize
from simulator.ui.text import Audit

RATE = 44100


@pytest.fixture(autouse=True)
def _dummy_audio(monkeypatch):
    """Use SDL's dummy audio driver and make sure no test leaks an open mixer into the next."""
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    pygame.mixer.quit()
    yield
    pygame.mixer.quit()


@pytest.mark.parametrize("name", CUES)
def test_cue_is_soft_click_free_and_short(name):
    samples = synthesize(name, RATE)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert np.all(np.isfinite(samples))
    assert np.max(np.abs(samples)) <= 0.35
    assert abs(samples[0]) < 0.01 and abs(samples[-1]) < 0.01
    assert 0.03 <= len(samples) / RATE <= 0.7


@pytest.mark.parametrize("name", CUES)
def test_cue_is_deterministic(name):
    assert np.array_equal(synthesize(name, RATE), synthesize(name, RATE))


def test_synthesize_other_rate_scales_length():
    assert abs(len(synthesize("confirm", 22050)) * 2 - len(synthesize("confirm", 44100))) <= 2


def test_unknown_cue_synthesis_raises():
    with pytest.raises(KeyError):
        synthesize("fanfare")


def test_mixer_not_initialised_by_constructor():
    SoundCues()
    assert pygame.mixer.get_init() is None


def test_plays_every_cue_with_dummy_driver():
    cues = SoundCues(volume=0.3)
    assert cues.available is True
    assert pygame.mixer.get_init() is not None
    for name in CUES:
        cues.play(name)
        cues.play(name)  # second play uses the cached Sound
    cues.enabled = False  # stops whatever is sounding without error
    assert cues.enabled is False


@pytest.mark.parametrize("size, channels", [(-16, 1), (32, 2), (8, 2)])
def test_plays_on_premade_mixer_with_other_settings(size, channels):
    pygame.mixer.init(frequency=22050, size=size, channels=channels)
    cues = SoundCues()
    assert cues.available is True
    for name in CUES:
        cues.play(name)
    assert pygame.mixer.get_init()[0] == 22050  # it used the mixer as found, not re-opened it
    # Rendered at the mixer's real rate: 'ending' keeps its 560 ms length.
    assert abs(cues._sounds["ending"].get_length() - 0.56) < 0.01
    peak = np.max(np.abs(pygame.sndarray.array(cues._sounds["ending"]).astype(np.float64)))
    if size == 32:  # float output must carry [-1, 1] samples, not integer-scaled ones
        assert peak <= 0.35


def test_unknown_cue_play_raises():
    with pytest.raises(KeyError):
        SoundCues().play("fanfare")


def test_disabled_never_initialises_mixer():
    cues = SoundCues(enabled=False)
    for name in CUES:
        cues.play(name)
    assert pygame.mixer.get_init() is None


def test_mixer_failure_makes_cues_silent(monkeypatch):
    def broken_init(*args, **kwargs):
        raise pygame.error("no audio device")

    monkeypatch.setattr(pygame.mixer, "init", broken_init)
    cues = SoundCues()
    assert cues.available is False
    for name in CUES:
        cues.play(name)  # must not raise
    assert pygame.mixer.get_init() is None


# --- captions: every cue but the focus tick is also shown as words ----------------------------------
def test_every_cue_but_select_has_a_caption():
    from simulator.ui.sound import CAPTIONS
    assert set(CAPTIONS) == set(CUES) - {"select"}
    assert all(text.startswith("[Sound: ") and text.endswith("]") for text in CAPTIONS.values())


def test_a_cue_shows_its_caption_for_about_two_seconds():
    from tests.ui_helpers import DT, make_app
    app = make_app(captions=True, sound=False)  # muted: the caption still stands for the sound
    app.cue("select")
    assert app.caption_text is None
    app.cue("rise")
    assert app.caption_text == "[Sound: tension rises]"
    app.step(DT)
    assert app.caption_rect.width > 0 and app.caption_rect.top >= 0
    shown = app.surface.subsurface(app.caption_rect).copy()
    assert pygame.transform.average_color(shown) != pygame.transform.average_color(app.surface)
    for _frame in range(int(1.8 / DT)):
        app.step(DT)
    assert app.caption_text == "[Sound: tension rises]"
    for _frame in range(int(0.4 / DT)):
        app.step(DT)
    assert app.caption_text is None and app.caption_rect.width == 0
    app.cue("timer")
    app.cue("fall")  # the newest cue replaces the caption
    assert app.caption_text == "[Sound: tension eases]"


def test_no_captions_unless_asked():
    from tests.ui_helpers import make_app
    app = make_app()
    app.cue("ending")
    assert app.caption_text is None


def test_a_caption_in_the_scene_never_covers_the_choices():
    from simulator.content.loader import bundled_scenarios
    from tests.ui_helpers import DT, make_app, start_scenario, to_library
    for size in ((1280, 720), (1920, 1080)):
        app = make_app(size=size, captions=True, sound=False, text_size="largest")
        to_library(app)
        start_scenario(app, bundled_scenarios()[0])
        scene = app.top
        scene.skip()
        app.step(DT)
        app.cue("confirm")
        app.step(DT)
        choices = [(f"choice {getattr(w, 'wid', i)}", scene.screen_rect(w)) for i, w in enumerate(scene.ring.widgets)]
        assert choices and app.caption_rect.width > 0
        audit = Audit()  # only the caption's own problems (the scene's audit is tests/test_ui_layout.py's)
        audit.apart(f"scene caption at {size}", [("caption", app.caption_rect)] + choices)
        assert audit.problems == []
