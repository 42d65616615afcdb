"""Instructor-operated and workshop modes in the real window (SDL dummy driver): the operator console in
a second window and as a Tab panel, overrides with reasons, notes, pauses, injects, group votes with a
split and a tie, discussion prompts and the person's side; each reaching the log, the record, the
debrief and the HTML report."""
from __future__ import annotations

from collections import deque

import pygame
import pytest

from tests.ui_helpers import DT, make_app, press, start_scenario, to_library, type_text, wait, widget

from .conftest import ROOT

CRISIS = ROOT / "scenarios" / "crisis-knife-parking-lot.yaml"
OPERATED_KEY, WORKSHOP_KEY = pygame.K_4, pygame.K_3


def in_console(app, key, times=1, mod=0):
    """A key pressed in the operator console's own window."""
    window = app.console.window
    for _time in range(times):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode="", scancode=0, window=window))
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode="", scancode=0, window=window))
        app.step(DT)


def type_in_console(app, text):
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text, window=app.console.window))
    app.step(DT)


def number_of(scene, choice_id) -> int:
    return [c.id for c in scene.session.presented()].index(choice_id) + 1


def number_key(n: int) -> int:
    return getattr(pygame, f"K_{n}")


def best_toward(scene, goal: str | None = None):
    """The option to take now: toward node `goal` on the scenario's graph when given, else the best graded."""
    sc = scene.scenario
    options = scene.session.presented()
    if goal is not None:
        goal_index = sc.target_index[goal]
        distance = {goal_index: 0}
        queue = deque([goal_index])
        incoming: dict[int, list[int]] = {}
        for node in sc.nodes:
            for choice in node.choices:
                targets = [choice.target] if choice.target is not None else [o.target for o in choice.outcomes]
                for t in targets:
                    incoming.setdefault(t, []).append(node.index)
        while queue:
            here = queue.popleft()
            for prev in incoming.get(here, ()):
                if prev not in distance:
                    distance[prev] = distance[here] + 1
                    queue.append(prev)

        def steps(choice):
            targets = [choice.target] if choice.target is not None else [o.target for o in choice.outcomes]
            return min(distance.get(t, 99) for t in targets)
        return min(options, key=steps)
    order = ("good", "acceptable", "mistake", "major", "critical")
    return min(options, key=lambda c: order.index(c.grade))


def finish_to_debrief(app):
    assert app.top.name == "ending"
    app.top.wait(60)
    wait(app, 1.0)
    press(app, pygame.K_RETURN)
    assert app.top.name == "debrief"
    return app.top


def path_page(debrief) -> str:
    return debrief.page_text(6)


@pytest.fixture
def operated(db_url, monkeypatch):
    monkeypatch.setenv("PARLEY_DATABASE_URL", db_url)
    app = make_app()
    to_library(app, "Dana Recruit", mode_key=OPERATED_KEY)
    assert app.mode == "operated"
    start_scenario(app, CRISIS)
    yield app
    pygame.display.quit()
    pygame.display.init()


def test_operated_two_windows_override_note_pause_and_inject_reach_log_record_debrief_and_report(operated, tmp_path):
    app = operated
    scene = app.top
    console = scene.console
    assert console is app.console and isinstance(console.window, pygame.Window)  # the second window
    assert scene.ring.widgets == [] and not scene.meter_visible  # the trainee sees no options and no meter
    press(app, pygame.K_SPACE)
    assert scene.ring.widgets == []
    shown = " ".join(span.text for span in console.spans(app.theme))
    assert "good practice" in shown and "leads to" in shown and "Distress:" in shown  # grades and branches

    # the trainee says something that matches a worse-graded option; the pick needs a reason
    in_console(app, pygame.K_t)
    type_in_console(app, "I'd drive over and put the light on her")
    in_console(app, pygame.K_RETURN)
    assert console.heard == "I'd drive over and put the light on her"
    worse = number_of(scene, "a-drive-up")
    in_console(app, number_key(worse))
    assert console.typing == "reason" and scene.view.node_id == "arrival"  # nothing taken yet
    in_console(app, pygame.K_RETURN)  # no reason typed: asked again
    assert console.typing == "reason" and "reason is needed" in console.message
    type_in_console(app, "Trainee said 2 things: drive up, spotlight")  # a digit is text, not a pick
    assert scene.view.node_id == "arrival"
    in_console(app, pygame.K_RETURN)
    assert scene.view.node_id == "spotlight"
    log = scene.session.log
    pick = next(e for e in log if e["type"] == "choice_made")
    assert pick["choice"] == "a-drive-up" and pick["reason"] == "Trainee said 2 things: drive up, spotlight"
    assert pick["actor"] == {"role": "instructor", "id": "instructor", "trainee": "Dana Recruit",
                             "heard": "I'd drive over and put the light on her"}

    # a note, a pause (the clock stops), in the trainee's window too: the instructor's keys work in both
    wait(app, 0.5)
    press(app, pygame.K_n)
    type_text(app, "Ask about the spotlight habit")
    press(app, pygame.K_RETURN)
    press(app, pygame.K_p)
    assert scene.paused
    before = scene.decision_time
    wait(app, 1.0)
    assert scene.decision_time == before  # paused: the decision's clock does not run
    in_console(app, pygame.K_p)
    assert not scene.paused
    kinds = [e["type"] for e in scene.session.log]
    assert kinds[-3:] == ["note_added", "paused", "resumed"]
    assert scene.session.log[-1]["paused_seconds"] == pytest.approx(1.0, abs=0.05)
    assert scene.session.log[-3]["text"] == "Ask about the spotlight habit"

    # with the pause menu open over the scene, the console takes nothing
    press(app, pygame.K_ESCAPE)
    assert app.top.name == "pause"
    events = len(scene.session.log)
    in_console(app, pygame.K_1)
    assert len(scene.session.log) == events and "menu" in console.message
    press(app, pygame.K_ESCAPE)
    assert app.top is scene

    # on to the scene that offers injects, by picks that need no reason
    for _step in range(12):
        if scene.view.node_id == "first-contact":
            break
        choice = best_toward(scene, "first-contact")
        better = [c for c in scene.session.presented() if c.grade in ("good",) and choice.grade != "good"]
        in_console(app, number_key(number_of(scene, choice.id)))
        if better:
            type_in_console(app, "on the way to the inject")
            in_console(app, pygame.K_RETURN)
    assert scene.view.node_id == "first-contact"
    level = scene.session.escalation
    in_console(app, pygame.K_j)
    in_console(app, pygame.K_2)  # the store manager comes out
    top = len(scene.scenario.behaviour.level_names) - 1
    assert scene.session.escalation == min(level + 1, top) and scene.view.node_id == "first-contact"
    applied = next(e for e in scene.session.log if e["type"] == "inject_applied")
    assert applied["inject"] == "fc-inject-manager" and applied["actor"]["role"] == "instructor"
    assert "store manager" in scene.view.reaction
    pygame.image.save(console.window.get_surface(), str(tmp_path / "console.png"))

    # best play to the end; the console closes with the scene
    for _step in range(30):
        if app.top is not scene:
            break
        in_console(app, number_key(number_of(scene, best_toward(scene).id)))
    assert app.console is None and console.window is None
    debrief = finish_to_debrief(app)
    overrides = sum(1 for r in debrief.report["room"] if r["kind"] == "override")
    assert overrides >= 1 and (f"The instructor picked {overrides} option" in debrief.page_text(0))
    assert "on page 7." in debrief.page_text(0)  # the projected first page says where the reasons are
    page = path_page(debrief)
    assert "Who else took part" in page
    assert "Trainee said 2 things: drive up, spotlight" in page and "Ask about the spotlight habit" in page
    assert "The instructor brought in: The store manager comes out" in page and "Paused for 1 second" in page
    room = debrief.report["room"]
    override = next(r for r in room if r["kind"] == "override")
    assert override["choice"] == "a-drive-up" and override["better"] == ["a-guard"]

    # the stored record and its HTML report
    from simulator.records.reports import session_report_html
    store = app.record_store()
    uid = scene.recorder.uid
    assert [e["type"] for e in store.log(uid)] == [e["type"] for e in scene.session.log]
    html = session_report_html(store, uid)
    assert "Who else took part" in html and "Trainee said 2 things: drive up, spotlight" in html
    assert "Ask about the spotlight habit" in html


def test_operated_on_one_screen_the_console_is_a_tab_panel_and_ending_early_keeps_the_reason(db_url, monkeypatch):
    monkeypatch.setenv("PARLEY_DATABASE_URL", db_url)
    app = make_app()
    app.console_window = False  # `parley play --console panel`
    to_library(app, mode_key=OPERATED_KEY)
    start_scenario(app, CRISIS)
    scene = app.top
    console = scene.console
    assert console.window is None and console.panel_shown
    press(app, pygame.K_TAB)
    assert not console.panel_shown
    press(app, pygame.K_TAB)
    assert console.panel_shown
    best = best_toward(scene)
    press(app, number_key(number_of(scene, best.id)))  # the best option: no reason asked
    assert scene.session.log[2]["choice"] == best.id and scene.session.log[2]["reason"] is None
    press(app, pygame.K_e)
    press(app, pygame.K_RETURN)  # a reason is needed to end
    assert console.typing == "stop"
    type_text(app, "Fire alarm in the building")
    press(app, pygame.K_RETURN)
    assert app.top.name == "library" and app.console is None
    store = app.record_store()
    row = store.find(scene.recorder.uid)
    assert row.status == "abandoned" and "Fire alarm in the building" in row.status_detail
    assert store.log(scene.recorder.uid)[-1]["type"] == "scenario_stopped"


@pytest.fixture
def workshop(db_url, monkeypatch):
    monkeypatch.setenv("PARLEY_DATABASE_URL", db_url)
    app = make_app()
    to_library(app, "Eastside workshop", mode_key=WORKSHOP_KEY)
    start_scenario(app, CRISIS)
    return app


def test_workshop_vote_with_a_split_a_prompt_the_persons_side_and_a_tie(workshop):
    app = workshop
    scene = app.top
    press(app, pygame.K_SPACE)
    drive, guard = number_of(scene, "a-drive-up"), number_of(scene, "a-guard")
    press(app, number_key(drive))  # opens the vote, focused on that option
    vote = app.top
    assert vote.name == "vote" and scene.view.node_id == "arrival"
    press(app, number_key(drive), times=3)
    press(app, number_key(guard), times=3)
    press(app, number_key(guard), mod=pygame.KMOD_SHIFT)  # one hand counted twice: taken back
    assert vote.votes == {"a-drive-up": 3, "a-guard": 2, "a-walk-straight": 0}
    press(app, pygame.K_RETURN)
    assert app.top.name == "discussion"  # the scenario's prompt for the option taken, before what follows
    assert "spotlight" in app.top.prompt
    assert scene.session.log[-1]["type"] == "discussion_shown"
    press(app, pygame.K_RETURN)
    made = next(e for e in scene.session.log if e["type"] == "choice_made")
    assert made["choice"] == "a-drive-up" and made["reason"] is None
    assert made["actor"] == {"role": "workshop", "id": "Eastside workshop", "tie": False,
                             "votes": {"a-drive-up": 3, "a-guard": 2, "a-walk-straight": 0}}
    assert scene.view.node_id == "spotlight"

    press(app, pygame.K_p)  # the person's side of this moment
    assert app.top.name == "their side" and "woman by the car" in app.top.heading()
    press(app, pygame.K_ESCAPE)
    assert app.top is scene and scene.session.log[-1]["type"] == "perspective_shown"

    press(app, pygame.K_SPACE)
    first, second = scene.session.presented()[:2]
    press(app, pygame.K_1)
    press(app, pygame.K_1, times=2)
    press(app, pygame.K_2, times=2)
    press(app, pygame.K_RETURN)
    tie = app.top
    assert tie.tied == [first.id, second.id] and "tie" in tie.heading().lower()
    press(app, pygame.K_2)  # the facilitator decides for the second
    if app.top.name == "discussion":
        press(app, pygame.K_RETURN)
    made = [e for e in scene.session.log if e["type"] == "choice_made"][-1]
    assert made["choice"] == second.id and made["actor"]["tie"] is True
    assert made["reason"] is None  # the tie is in the actor, with the split

    from scoring.grade import grade
    room = grade(scene.scenario, scene.session.log).room
    kinds = [r["kind"] for r in room]
    assert kinds[:3] == ["discussion", "vote", "perspective"] and kinds.count("vote") == 2
    assert "3 votes for" in room[1]["text"] and "2 votes for" in room[1]["text"]
    assert "A tie: the facilitator decided." in [r for r in room if r["kind"] == "vote"][-1]["text"]
    assert "0 votes" not in room[1]["text"]  # only the options someone voted for


def test_a_vote_needs_a_vote_and_cancel_takes_nothing(workshop):
    app = workshop
    scene = app.top
    press(app, pygame.K_SPACE)
    press(app, pygame.K_1)
    press(app, pygame.K_RETURN)  # no votes counted yet
    assert app.top.name == "vote" and "at least one vote" in app.top.error
    button = widget(app, "cancel")
    app.top.ring.focus(button)
    press(app, pygame.K_RETURN)
    assert app.top is scene and not any(e["type"] == "choice_made" for e in scene.session.log)


def test_after_the_run_the_room_replays_it_from_the_persons_side(workshop):
    app = workshop
    scene = app.top
    from tests.ui_helpers import play_to_ending
    play_to_ending(app)
    debrief = finish_to_debrief(app)
    press(app, pygame.K_p)
    replay = app.top
    assert replay.name == "their side replay"
    decisions = [e for e in debrief.report["timeline"] if e["kind"] in ("choice", "timer")]
    assert len(replay.steps) == len(decisions) + 1  # every moment on the path, then the ending
    first_node = scene.scenario.nodes[scene.scenario.target_index[decisions[0]["node"]]]
    assert replay.steps[0][1] == first_node.perspective.get("en", "en")
    assert "Their side, 1 of" in replay.heading()
    press(app, pygame.K_RIGHT, times=len(replay.steps) + 2)  # never past the end
    assert replay.index == len(replay.steps) - 1 and replay.steps[-1][2] == ""
    press(app, pygame.K_ESCAPE)
    assert app.top is debrief
