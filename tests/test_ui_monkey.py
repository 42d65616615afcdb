"""Random input never breaks the window: any sequence of keys, clicks, wheel turns and resizes."""
from __future__ import annotations

import os

import pygame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.content.loader import bundled_scenarios
from tests.ui_helpers import DT, make_app, play_to_ending, start_scenario, to_library

KEYS = [pygame.K_RETURN, pygame.K_SPACE, pygame.K_ESCAPE, pygame.K_UP, pygame.K_DOWN, pygame.K_LEFT, pygame.K_RIGHT,
        pygame.K_TAB, pygame.K_1, pygame.K_2, pygame.K_3, pygame.K_4, pygame.K_5, pygame.K_9, pygame.K_BACKSPACE,
        pygame.K_PAGEDOWN, pygame.K_PAGEUP, pygame.K_HOME, pygame.K_END, pygame.K_m, pygame.K_a]

# Enter, 1 and Space are repeated so that random runs get deep: through the library into scenes,
# endings and debriefs, not only around the title.
PROGRESS = [pygame.K_RETURN] * 8 + [pygame.K_1] * 8 + [pygame.K_SPACE] * 6 + [pygame.K_RIGHT] * 2

events = st.one_of(
    st.tuples(st.just("key"), st.sampled_from(KEYS + PROGRESS)),
    st.tuples(st.just("key"), st.sampled_from(KEYS + PROGRESS)),
    st.tuples(st.just("key"), st.sampled_from(KEYS + PROGRESS)),
    st.tuples(st.just("click"), st.tuples(st.integers(0, 1279), st.integers(0, 719))),
    st.tuples(st.just("wheel"), st.integers(-3, 3)),
    st.tuples(st.just("type"), st.text(min_size=1, max_size=5)),
    st.tuples(st.just("wait"), st.integers(1, 240)),
    st.tuples(st.just("decide"), st.integers(1, 4)),  # Space, then a number: how people actually play
    st.tuples(st.just("decide"), st.integers(1, 4)),
    st.tuples(st.just("resize"), st.tuples(st.integers(800, 2600), st.integers(500, 1500))),
)


@settings(max_examples=int(os.environ.get("PARLEY_MONKEY_EXAMPLES", "25")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, min_size=1, max_size=120), st.sampled_from([pygame.K_1, pygame.K_2, pygame.K_3, pygame.K_4]),
       st.sampled_from(["title", "scene", "ending", "debrief"]), st.sampled_from(bundled_scenarios()))
def test_random_input_never_crashes(sequence, mode_key, start, scenario):
    """From the title, or from a shipped scenario's first scene, its ending or its debrief (random
    key presses alone rarely get that deep)."""
    app = make_app(sound=False)
    if start != "title":
        to_library(app, mode_key=mode_key)
        start_scenario(app, scenario)
    if start in ("ending", "debrief"):
        play_to_ending(app)
        app.top.wait(60)
        for _frame in range(60):  # the ending ignores keys for its first moments (simulator/ui/keyguard.py)
            app.step(DT)
    if start == "debrief":
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="", scancode=0))
        app.step(DT)
        assert app.top.name == "debrief"
    for kind, value in sequence:
        if kind == "key":
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=value, mod=0, unicode="", scancode=0))
        elif kind == "click":
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=value, button=1))
        elif kind == "wheel":
            pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=value, flipped=False))
        elif kind == "decide":
            for key in (pygame.K_SPACE, pygame.K_0 + value):
                pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
        elif kind == "type":
            pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=value))
        elif kind == "resize":
            pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=value[0], h=value[1], size=value))
        for _ in range(value if kind == "wait" else 1):
            app.step(DT)
            if app.top.name == "ending":
                app.top.wait(60)
        if not app.running:  # Quit on the title, or Escape from it
            break
    w, h = app.surface.get_size()
    assert 1280 <= w <= 3840 and 720 <= h <= 2160
    assert app.audit.problems == []
    if app.running and app.top.name == "scene":
        session = app.top.session
        assert session.log[0]["type"] == "session_started"
        assert [e["seq"] for e in session.log] == list(range(len(session.log)))
