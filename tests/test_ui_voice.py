"""Self-voicing: what is read aloud when the focus moves and screens appear, the V key, the optional
engine's absence, and (with the engine installed) real synthesis into memory."""
from __future__ import annotations

import importlib.util
import time

import numpy as np
import pygame
import pytest

from simulator.ui import voice as voice_module
from simulator.ui.settings import load_settings
from simulator.ui.voice import MISSING, Voice
from tests.ui_helpers import DT, make_app, press, type_text, widget

ENGINE = importlib.util.find_spec("espeakng_loader") is not None
needs_engine = pytest.mark.skipif(not ENGINE, reason="the optional speech engine is not installed: "
                                  "pip install espeakng-loader (or pip install -e '.[voice]')")


@pytest.fixture(autouse=True)
def _no_real_audio(monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    yield
    pygame.mixer.quit()


def said(app) -> list[str]:
    return app.voice.utterances


def test_speaking_is_a_no_op_until_self_voicing_is_on():
    app = make_app()
    app.speak("Hello")
    press(app, pygame.K_DOWN)
    assert app._voice is None or said(app) == []


def test_v_toggles_self_voicing_anywhere_and_says_so():
    app = make_app()
    press(app, pygame.K_v)
    assert app.settings.self_voicing and load_settings()[0].self_voicing
    assert said(app)[0] == "Self-voicing on"
    assert said(app)[1].startswith("Parley. Practice de-escalation")  # then the screen's own text
    assert app.notice is not None
    press(app, pygame.K_2)  # settings
    press(app, pygame.K_v)
    assert not app.settings.self_voicing and said(app)[-1] == "Self-voicing off"
    count = len(said(app))
    press(app, pygame.K_DOWN)
    assert len(said(app)) == count  # off: focus changes are silent


def test_v_types_a_v_in_the_name_field():
    app = make_app()
    press(app, pygame.K_RETURN)
    assert app.top.name == "trainee"
    press(app, pygame.K_v)
    type_text(app, "v")
    assert not app.settings.self_voicing and app.top.field.value == "v"


def test_every_focus_change_on_the_title_and_in_settings_is_read():
    app = make_app(self_voicing=True)
    app.voice.utterances.clear()
    press(app, pygame.K_DOWN)
    assert said(app) == ["Settings"]
    press(app, pygame.K_DOWN)
    press(app, pygame.K_DOWN)
    press(app, pygame.K_UP, mod=0)
    assert said(app) == ["Settings", "Credits and licences", "Quit", "Credits and licences"]
    app.voice.utterances.clear()
    app.top.ring.focus(widget(app, "Settings"))
    press(app, pygame.K_RETURN)
    assert said(app)[0].startswith("Settings. Left and Right change a setting")  # the screen appears
    assert said(app)[1] == "Text size: Medium"  # then its focused control
    app.voice.utterances.clear()
    press(app, pygame.K_RIGHT)  # a setting changes: its new value
    assert said(app) == ["Text size: Large"]
    screen = app.top
    expected = []
    for _step in range(len(screen.ring.widgets)):
        press(app, pygame.K_TAB)
        expected.append(app.top.ring.current.spoken())
    assert said(app)[1:] == expected and len(set(expected)) == len(expected)
    assert "Captions for sound cues: Off" in expected and "Back" in expected
    assert any(e.startswith("Remember trainee names on this computer: No") for e in expected)


def test_the_pause_menu_and_the_quit_question_are_read():
    app = make_app(self_voicing=True)
    app.voice.utterances.clear()
    press(app, pygame.K_ESCAPE)
    assert said(app) == ["Quit Parley?", "Stay"]


def test_without_the_engine_nothing_breaks_and_settings_say_how_to_install(monkeypatch):
    monkeypatch.setattr(voice_module, "engine_installed", lambda: False)
    app = make_app()
    press(app, pygame.K_v)
    assert app.settings.self_voicing and app.notice.text == MISSING
    assert "pip install 'parley[voice]'" in MISSING
    app.voice.say("Still recorded")
    assert said(app)[-1] == "Still recorded" and not app.voice.busy
    press(app, pygame.K_2)
    row = widget(app, "Self-voicing")
    assert row.detail == MISSING and MISSING in row.spoken()
    assert app.audit.problems == []


def test_a_new_utterance_replaces_the_old_one_and_queued_ones_wait():
    speech = Voice()
    speech.problem = "no engine in this test"  # records only
    speech.say("one")
    generation = speech._generation
    speech.say("two", interrupt=False)
    assert speech._generation == generation
    speech.say("three")
    assert speech._generation == generation + 1 and speech.utterances == ["one", "two", "three"]
    speech.say("   ")
    assert speech.utterances == ["one", "two", "three"]


@needs_engine
def test_real_synthesis_gives_speech_in_memory():
    samples, rate = voice_module.synthesize("Start training. Button.")
    assert rate > 8000 and samples.dtype == np.int16
    assert len(samples) > rate // 2  # over half a second of sound
    assert np.abs(samples.astype(np.int32)).max() > 1000  # not silence
    spanish, _rate = voice_module.synthesize("¿Quién está entrenando?", "es")
    assert len(spanish) > rate // 2


@needs_engine
def test_the_voice_plays_through_the_mixer_without_holding_the_frame():
    app = make_app(self_voicing=True)
    start = time.perf_counter()
    app.speak("This sentence is long enough that synthesising it takes a little while, off the main thread.")
    assert time.perf_counter() - start < 0.05  # say() only queues
    assert app.voice._channel is None or not app.voice._channel.get_busy()  # the title's speech stopped

    def sounding():
        return app.voice._channel is not None and app.voice._channel.get_busy()
    deadline = time.time() + 20
    while not sounding() and time.time() < deadline:
        app.step(DT)
        time.sleep(0.01)
    assert app.voice.problem is None and sounding()
    assert app.voice._channel.get_sound().get_length() > 3  # the long sentence, not the title's
    app.speak("Interrupted.")
    assert not app.voice._channel.get_busy()  # the previous utterance stopped at once
