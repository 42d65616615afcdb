"""Every screen, every scenario node, ending and debrief page at every text size, at 1280x720 and
3840x2160: no text may overflow its box, and every control must be on screen (or in a scroll area).

The scene also registers its parts with the audit (SceneScreen._audit): the title, meter, timer
strip, portraits, name tags, place badges, text box and choices must never cover one another, and a
timed decision's options must all be in view unscrolled while its clock runs."""
from __future__ import annotations

import dataclasses

import pytest

from simulator.content.loader import bundled_scenarios
from simulator.engine.session import Session
from simulator.ui.screens.briefing import BriefingScreen
from simulator.ui.screens.debrief import PAGES, DebriefScreen
from simulator.ui.screens.ending import EndingScreen
from simulator.ui.screens.library import LibraryScreen
from simulator.ui.screens.menus import CreditsScreen, ModeScreen, PauseScreen, SettingsScreen, TraineeScreen
from simulator.ui.screens.scene import SceneScreen, StepBackScreen
from simulator.ui.settings import TEXT_SIZES
from tests.ui_helpers import DT, make_app

SIZES = [(1280, 720), (3840, 2160)]


def check_controls(app, screen, where):
    """Every focusable control lies inside the window horizontally, and vertically unless it scrolls."""
    w, h = app.surface.get_size()
    for widget in screen.ring.widgets:
        rect = widget.rect
        assert rect.left >= 0 and rect.right <= w, f"{where}: {getattr(widget, 'wid', widget)} off screen {rect}"
        if not screen.is_scrolled(widget) and screen.name not in ("library", "scene"):
            assert rect.top >= 0 and rect.bottom <= h, f"{where}: {getattr(widget, 'wid', widget)} off screen {rect}"


def show(app, screen, where):
    app.push(screen) if screen is not app.top else None
    app.step(DT)
    check_controls(app, app.top, where)


TIMEOUT = "You hesitate a moment too long, and the person in front of you makes the decision for you."


def with_timeout(scene):
    """Every moment of `scene` shows the longest kind of text: a timer that ran out, then a reaction."""
    real = scene.session.view
    scene.session.view = lambda: dataclasses.replace(real(), timeout=TIMEOUT)


def run_of(scenario, pick):
    session = Session(scenario, seed=3)
    while not session.ended:
        choices = session.view().choices
        session.choose(pick(choices).id)
    return session


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_nothing_overflows(size, text_size):
    app = make_app(size=size, text_size=text_size)
    app.settings.remember_names = True  # so that the remembered-name buttons are laid out too
    app.settings.recent_trainees = ["A trainee with a rather long name", "Officer 1234"]
    app.trainee = "A trainee with a rather long name for testing"
    for screen in (TraineeScreen(app), ModeScreen(app), SettingsScreen(app), CreditsScreen(app)):
        show(app, screen, screen.name)
        app.pop()
    trainee = TraineeScreen(app)
    trainee.error = "Type a name or id first, or choose Continue as guest."
    show(app, trainee, "trainee with error")
    app.pop()
    library = LibraryScreen(app)
    show(app, library, "library")
    for card in list(library.cards):
        library.choose(card.entry)
        show(app, library, f"library: {card.entry.path.stem}")
    entries = [e for e in app.catalog.entries if e.ok]
    assert len(entries) == len(bundled_scenarios())
    app.console_window = False  # operated mode's console as the Tab panel: drawn over the scene, audited
    for mode in ("academy", "in-service", "workshop", "operated"):
        app.mode = mode
        for entry in entries:
            sc = entry.scenario
            show(app, BriefingScreen(app, entry, sc.language), f"briefing {sc.id}")
            app.pop()
            scene = SceneScreen(app, entry, sc.language)
            app.push(scene)
            with_timeout(scene)
            for node in sc.nodes:  # every node of the scenario, whatever path leads there
                scene.session.state = scene.session.state._replace(at=node.index)
                scene.session.reaction = "A reaction line: something happened by chance after your decision."
                scene._new_moment()
                scene.build()
                scene.skip()
                show(app, scene, f"scene {sc.id}/{node.id} ({mode})")
                if node.timer is not None and mode != "workshop" and text_size != "largest":
                    # the options all fit beside a narrower text column: the clock need not wait
                    # (at the largest size it may: see test_ui_scene.py)
                    assert scene.timer_left is not None and not scene.clock_waits, f"{sc.id}/{node.id}"
            show(app, PauseScreen(app, scene), "pause")
            app.pop()
            if mode == "workshop":
                prompt = StepBackScreen(app, scene)
                prompt.error = "Type a reason or choose one of those below."
                show(app, prompt, "step back")
                app.pop()
            app.pop()
    app.mode = "academy"
    for entry in entries:
        sc = entry.scenario
        for label, pick in (("best-effort", lambda c: c[0]), ("worst-effort", lambda c: c[-1])):
            scene = SceneScreen(app, entry, sc.language)
            scene.session = run_of(sc, pick)
            ending = EndingScreen(app, scene)
            ending.wait(60)
            show(app, ending, f"ending {sc.id}")
            app.step(DT)
            debrief = DebriefScreen(app, scene, ending.report)
            app.replace_top(debrief)
            for page in range(len(PAGES)):
                debrief.page = page
                debrief.build()
                show(app, debrief, f"debrief {sc.id} {label} page {page + 1}")
            app.pop()
        for ending_model in sc.endings:  # every ending's text, not only those reached above
            scene = SceneScreen(app, entry, sc.language)
            scene.session.state = scene.session.state._replace(at=ending_model.index)
            with_timeout(scene)
            ending = EndingScreen(app, scene)
            ending.wait(60)
            show(app, ending, f"ending {sc.id}/{ending_model.id}")
            app.pop()
    assert app.audit.problems == []
