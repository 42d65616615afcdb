"""Live reload in the real window: saving the open scenario's file reloads it, keeps the trainee's
place when the scene is still there, shows every problem of a broken file and reloads once it is
fixed; the watcher's threads end with the scenario and with the window. Real file writes, watched by
watchdog; each wait is a bounded poll of the window's frames."""
from __future__ import annotations

import os
import threading
import time

import pygame
import pytest

from simulator.content.loader import load_scenario
from simulator.engine.session import Session
from simulator.ui import reload as live
from tests.conftest import FIXTURES
from tests.ui_helpers import DT, make_app, press, start_scenario, to_library, widget

SOURCE = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
LIMIT = 4.0  # seconds of real time any wait for the watcher may take


def watchdog_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.is_alive() and type(t).__module__.startswith("watchdog")]


def until(app, condition, limit: float = LIMIT) -> None:
    """Step the window until `condition()` holds; fail after `limit` seconds of real time."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < limit, "the window did not reload in time"
        app.step(DT)
        time.sleep(0.005)


def write(path, text: str, how: str = "rewrite") -> None:
    """Save `text` as an editor would: in place, by renaming a temporary file over it, or by deleting
    the file and creating it again (vim's way)."""
    if how == "rename":
        temporary = path.with_name("." + path.name + ".swp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    elif how == "recreate":
        path.unlink()
        path.write_text(text, encoding="utf-8")
    else:
        path.write_text(text, encoding="utf-8")


def choose(app, choice_id: str) -> None:
    scene = app.top
    press(app, pygame.K_SPACE)
    assert scene.phase == "choosing"
    number = next(c.number for c in scene.view.choices if c.id == choice_id)
    press(app, getattr(pygame, f"K_{number}"))


def records() -> list[dict]:
    from tests.records_helpers import stored
    return stored()


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("reload-cache")


@pytest.fixture(autouse=True)
def _small_library(shared_cache, monkeypatch):
    """The library holds only the test's own file (the bundled scenarios are not loaded: checking
    them all, scoring sections included, took most of each test), with one load cache for the module."""
    import simulator.content.loader as loader
    monkeypatch.setattr(loader, "bundled_scenarios", lambda: [])
    monkeypatch.setenv("PARLEY_CACHE_DIR", str(shared_cache))


@pytest.fixture
def opened(tmp_path):
    """The window at the scene of a scenario file of our own, after one decision ("listen")."""
    path = tmp_path / "street.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    app = make_app(scenario_path=path)
    to_library(app)
    start_scenario(app, path)
    choose(app, "listen")
    assert app.top.view.node_id == "second"
    until(app, lambda: app._reloader is not None and app._reloader.watcher is not None)
    yield app, path
    app.quit()


def test_saving_new_text_shows_it_at_the_same_node_and_keeps_the_log_replayable(opened):
    app, path = opened
    scene = app.top
    old_log = [dict(e) for e in scene.session.log]
    write(path, SOURCE.replace('narrative: "Sam looks at you."', 'narrative: "Sam looks at you, puzzled."'),
          "rename")
    until(app, lambda: "puzzled" in scene.view.narrative)
    assert app.top is scene and scene.view.node_id == "second"
    assert app.notice.text == "Reloaded street.yaml: kept your place."
    new = load_scenario(path).scenario
    log = scene.session.log
    assert log[0]["scenario"]["content_hash"] == new.content_hash != old_log[0]["scenario"]["content_hash"]
    # the same inputs, in order, with their actors and times; the log replays exactly on the new file
    inputs = [(e["type"], e.get("choice"), e.get("elapsed"), e.get("actor")) for e in log if e["type"] == "choice_made"]
    assert inputs == [(e["type"], e.get("choice"), e.get("elapsed"), e.get("actor"))
                      for e in old_log if e["type"] == "choice_made"]
    assert Session.replay(new, log).log == log
    # the old session is its own record, on the old version; the new one's carries the new hash
    by_status = {r["status"]: r for r in records()}
    assert by_status["abandoned: scenario file changed"]["log"] == old_log
    assert by_status["in progress"]["scenario"]["content_hash"] == new.content_hash
    # play goes on: the next decision is logged on the new version
    choose(app, "shout")
    assert scene.view.node_id == "third" and Session.replay(new, scene.session.log)
    assert app.audit.problems == []


def test_a_broken_file_lists_every_problem_and_a_fixed_one_reloads(opened):
    app, path = opened
    scene = app.top
    broken = SOURCE.replace("next: calm-end\n  third:", "next: calm-edn\n  third:") \
                   .replace("weight: 3, next: third", "weight: 3, next: thrid")
    write(path, broken)
    until(app, lambda: app.top.name == "reload errors")
    view = app.top
    expected = load_scenario(path, use_cache=False).errors
    assert len(expected) >= 2 and [d.message for d in view.errors] == [d.message for d in expected]
    shown = " ".join(span.text for span in view.body())
    for d in expected:
        assert f"street.yaml:{d.line}:{d.column}" in shown and d.message in shown
        if d.hint:
            assert d.hint in shown
    assert view.below is scene and scene.view.node_id == "second"  # the last good version stays open
    assert app.audit.problems == []
    # the list scrolls when it is long: every problem, reachable
    write(path, broken.replace("next: second", "next: secnod"), "recreate")
    until(app, lambda: len(app.top.errors) > len(expected))
    assert app.top is view and view.scroller.scrollable and len(view.errors) >= 6
    press(app, pygame.K_END)
    assert view.scroller.offset == view.scroller.limit > 0
    assert app.audit.problems == []
    # fixed: the error view closes and the scene reloads where it was
    write(path, SOURCE.replace("Things are tense.", "Things are very tense."))
    until(app, lambda: app.top is scene)
    assert scene.view.node_id == "second" and app.notice.text == "Reloaded street.yaml: kept your place."
    choose(app, "shout")
    assert scene.view.narrative == "Things are very tense."


def test_go_on_keeps_the_last_version_and_the_next_save_is_checked_again(opened):
    app, path = opened
    scene = app.top
    write(path, SOURCE.replace("start: first", "start: nowhere"))
    until(app, lambda: app.top.name == "reload errors")
    press(app, pygame.K_ESCAPE)
    assert app.top is scene and scene.view.node_id == "second"
    write(path, SOURCE.replace("start: first", "start: nowhere") + "\n")  # still broken: shown again
    until(app, lambda: app.top.name == "reload errors")
    press(app, pygame.K_2)  # back to the library: the scene's watcher stops with it
    assert app.top.name == "library"
    app.step(DT)
    assert app._reloader.watcher is None and not watchdog_threads()


def test_deleting_the_node_you_are_on_goes_back_to_the_start(opened):
    app, path = opened
    scene = app.top
    start = SOURCE.index("  second:\n")
    without = SOURCE[:start] + SOURCE[SOURCE.index("  third:\n"):]
    without = without.replace("next: second", "next: third")
    write(path, without, "recreate")
    until(app, lambda: scene.view.node_id == "first")
    assert app.notice.text == "Reloaded street.yaml: the scene you were on is gone; back to the start."
    assert [e["type"] for e in scene.session.log] == ["session_started", "node_entered"]
    assert scene.session.log[0]["seed"] == 7 and scene.offered == []
    assert app.audit.problems == []


def test_a_path_that_no_longer_leads_there_keeps_what_still_applies(opened):
    app, path = opened
    scene = app.top
    # "listen" now leads to the third scene: "second" is still in the file, but not where it led
    write(path, SOURCE.replace("tags: [open-question]\n        grade: good\n        feedback: \"Open questions "
                               "invite the person's account.\"\n        next: second",
                               "tags: [open-question]\n        grade: good\n        feedback: \"Open questions "
                               "invite the person's account.\"\n        next: third"))
    until(app, lambda: scene.view.node_id != "second")
    assert scene.view.node_id == "third"
    assert app.notice.text == "Reloaded street.yaml: your choices now lead to another scene; you go on from there."
    assert [e["choice"] for e in scene.session.log if e["type"] == "choice_made"] == ["listen"]
    # now "listen" is gone: the decision no longer applies, and the session is back at the start
    listen = SOURCE[SOURCE.index("      - id: listen\n"):SOURCE.index("      - id: demand\n")]
    write(path, SOURCE.replace(listen, ""))
    until(app, lambda: scene.view.node_id == "first")
    assert app.notice.text == ("Reloaded street.yaml: your choices no longer lead to the scene you were on; "
                               "kept the first 0 of 1.")
    assert len(scene.session.log) == 2


def test_carry_over_applies_the_inputs_as_far_as_they_go(minimal):
    """The rebuild without a window: choices, an undo and a timer running out all carry over, byte for byte."""
    from simulator.engine.session import SessionOptions
    old = Session(minimal, seed=3, options=SessionOptions(allow_undo=True, timers=True))
    old.choose("write", 1.5, {"role": "trainee", "id": "A"})
    old.undo({"role": "facilitator", "id": "F"}, "try another", elapsed=0.5)
    old.expire_timer()
    carried = live.carry_over(old, minimal)
    assert carried.place == "kept" and carried.kept == carried.total == 3
    assert carried.session.log == old.log and len(carried.offered) == 1


def test_the_watcher_stops_when_the_window_quits(opened):
    app, path = opened
    assert app._reloader.watcher.alive and watchdog_threads()
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.step(DT)
    assert not app.running
    assert not watchdog_threads()
    assert [r["status"] for r in records()] == ["abandoned: window closed"]


def test_a_saved_briefing_is_shown_again(tmp_path):
    path = tmp_path / "street.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    app = make_app(scenario_path=path)
    to_library(app)
    screen = app.top
    number = next(c.number for c in screen.cards if c.entry.path.resolve() == path.resolve())
    press(app, getattr(pygame, f"K_{number}"))
    press(app, pygame.K_RETURN)
    assert app.top.name == "briefing"
    until(app, lambda: app._reloader.watcher is not None)
    write(path, SOURCE.replace('title: "Minimal test scenario"', 'title: "Renamed test scenario"'))
    until(app, lambda: "Renamed" in app.top.heading())
    assert app.top.name == "briefing" and app.notice.text == "Reloaded street.yaml."
    assert widget(app, "Begin")
    press(app, pygame.K_1)
    assert app.top.name == "scene" and app.top.scenario.title.get("en", "en") == "Renamed test scenario"
    app.quit()
    assert not watchdog_threads()


def test_a_removed_file_is_said_and_watched_until_it_comes_back(opened):
    app, path = opened
    scene = app.top
    path.unlink()
    until(app, lambda: app.notice is not None and "was removed or renamed" in app.notice.text)
    assert app.top is scene and scene.view.node_id == "second"  # play goes on with what loaded
    path.write_text(SOURCE.replace('narrative: "Sam looks at you."', 'narrative: "Sam is back."'), encoding="utf-8")
    until(app, lambda: scene.view.narrative == "Sam is back.")
    assert app.notice.text == "Reloaded street.yaml: kept your place."
