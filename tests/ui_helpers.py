"""Drive the real window under SDL's dummy video driver with posted input events."""
from __future__ import annotations

import os
import re

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402

from simulator.ui.app import App  # noqa: E402
from simulator.ui.screens.menus import TitleScreen  # noqa: E402
from simulator.ui.settings import Settings  # noqa: E402

DT = 1 / 60


def make_app(size=(1280, 720), scenario_path=None, seed=7, **settings) -> App:
    """An app at the title screen with its catalog loaded."""
    app = App(Settings(**settings), size=size, scenario_path=scenario_path, seed=seed)
    app.push(TitleScreen(app))
    assert app.ensure_catalog().wait(60)
    app.step(DT)
    return app


def press(app: App, key: int, times: int = 1, mod: int = 0) -> None:
    for _time in range(times):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode="", scancode=0))
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode="", scancode=0))
        app.step(DT)


def wait(app: App, seconds: float) -> None:
    """Let `seconds` of frames pass (no input)."""
    for _frame in range(round(seconds / DT)):
        app.step(DT)


def type_text(app: App, text: str) -> None:
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text))
    app.step(DT)


def click(app: App, pos) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    app.step(DT)


def widget(app: App, wid: str):
    screen = app.top
    return next(w for w in screen.ring.widgets if getattr(w, "wid", None) == wid)


def to_library(app: App, name: str = "Test Trainee", mode_key: int = pygame.K_1) -> None:
    """Title -> who is training -> mode -> library, keyboard only."""
    assert app.top.name == "title"
    press(app, pygame.K_RETURN)
    assert app.top.name == "trainee"
    type_text(app, name)
    press(app, pygame.K_RETURN)
    assert app.top.name == "mode"
    press(app, mode_key)
    assert app.top.name == "library"


def start_scenario(app: App, path) -> None:
    """In the library: pick the card for `path` by its number key, then Start, then Begin."""
    screen = app.top
    number = next(c.number for c in screen.cards if c.entry.path.resolve() == path.resolve())
    press(app, getattr(pygame, f"K_{number}"))
    assert screen.ring.current.wid == "start"
    press(app, pygame.K_RETURN)
    assert app.top.name == "briefing"
    for _frame in range(5):
        app.step(DT)
    press(app, pygame.K_1)
    assert app.top.name == "scene"


def play_to_ending(app: App, pick=lambda n: 1, limit: int = 80) -> int:
    """In the scene: skip the text (Space), then press the number `pick(len(choices))`; returns decisions."""
    decisions = 0
    while app.top.name == "scene":
        assert decisions < limit, "the scenario did not end"
        scene = app.top
        press(app, pygame.K_SPACE)
        assert scene.phase == "choosing"
        number = pick(len(scene.view.choices))
        press(app, getattr(pygame, f"K_{number}"))
        console = getattr(scene, "console", None)
        if console is not None and console.typing == "reason":  # operated: a worse-graded pick needs a reason
            type_text(app, "The trainee's words matched this option")
            press(app, pygame.K_RETURN)
        if app.top.name == "vote":  # workshop: the room votes for it
            press(app, getattr(pygame, f"K_{number}"))
            press(app, pygame.K_RETURN)
        if app.top.name == "discussion":
            press(app, pygame.K_RETURN)
        decisions += 1
    return decisions


def group_vote(app: App, number: int) -> None:
    """Workshop mode, options in view: the room votes once for option `number` and goes ahead (through
    the scenario's discussion prompt for it, if any)."""
    key = getattr(pygame, f"K_{number}")
    press(app, key)
    assert app.top.name == "vote"
    press(app, key)
    press(app, pygame.K_RETURN)
    if app.top.name == "discussion":
        press(app, pygame.K_RETURN)


def ids_shown(text: str, scenario) -> list[str]:
    """Every node, ending and choice id of `scenario` that appears in `text`. An id with a hyphen,
    underscore or digit counts anywhere as a whole token; an id that is also a plain word
    ("approach", "takedown") only where it is set off as an id: quoted or in brackets."""
    ids = {n.id for n in scenario.nodes} | {e.id for e in scenario.endings} | set(scenario.choice_by_id)
    found = []
    for i in sorted(ids):
        if re.search(r"[-_0-9]", i):
            pattern = r"(?<![\w-])" + re.escape(i) + r"(?![\w-])"
        else:
            pattern = r"[\'\"(\[‘“]" + re.escape(i) + r"[\'\")\]’”]"
        if re.search(pattern, text):
            found.append(i)
    return found
