"""The engine's part of the classroom modes: marks (notes, pauses, options shown...) and injects."""
from __future__ import annotations

import json

import pytest

from scoring.trace import read_trace
from simulator.engine.session import MARKS, ReplayMismatch, Session, SessionOptions
from simulator.engine.step import InvalidChoice
from tests.conftest import FIXTURES, load_ok

INJECTS = """
    injects:
      - id: crowd-films
        label: "A crowd gathers"
        text: "Three people stop and film on their phones."
        effects: {escalation: +2}
      - id: calm-friend
        text: "A friend of Sam's arrives and stands beside him."
        effects: {escalation: -1, notes: =2}
"""


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """The minimal fixture with two injects at its first node."""
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace('    perspective: "Sam is cold and tired."\n',
                        '    perspective: "Sam is cold and tired."\n' + INJECTS.lstrip("\n"), 1)
    text = text.replace('    narrative: "Sam looks at you."\n', '    narrative: "Sam looks at you."\n    injects:\n'
                        '      - {id: siren, text: "A siren wails past.", effects: {escalation: +1}}\n', 1)
    path = tmp_path_factory.mktemp("rooms") / "injected.yaml"
    path.write_text(text, encoding="utf-8")
    return load_ok(path)


def test_marks_are_logged_with_time_node_and_actor_and_change_nothing(minimal):
    plain, marked = Session(minimal, seed=7), Session(minimal, seed=7)
    marked.mark("choices_shown", elapsed=1.2344, after=1.234)
    marked.mark("note_added", elapsed=3, actor={"role": "instructor", "id": "Ana"}, text="Good stance")
    event = marked.log[-1]
    assert event == {"seq": 3, "type": "note_added", "t": 3.0, "node": "first",
                     "actor": {"role": "instructor", "id": "Ana"}, "text": "Good stance"}
    assert marked.log[2]["t"] == 1.234 and marked.log[2]["after"] == 1.234
    for s in (plain, marked):
        s.choose("listen", elapsed=4)
    assert marked.state == plain.state and marked.view() == plain.view()
    assert [e for e in marked.log if e["type"] not in MARKS] == [
        dict(e, seq=e["seq"] + 2) if e["seq"] >= 2 else e for e in plain.log]


def test_marks_replay_byte_for_byte_and_tampering_is_refused(minimal):
    s = Session(minimal, seed=3)
    s.mark("paused", elapsed=2, actor={"role": "instructor", "id": "Ana"})
    s.mark("resumed", elapsed=2, actor={"role": "instructor", "id": "Ana"}, paused_seconds=41.5)
    s.choose("listen", elapsed=5)
    s.mark("perspective_shown", elapsed=1, actor={"role": "facilitator", "id": "Bo"})
    again = Session.replay(minimal, json.loads("[" + ",".join(s.log_json().splitlines()) + "]"))
    assert again.log_json() == s.log_json()
    bad = [dict(e) for e in s.log]
    bad[2]["t"] = -1.0  # before the moment it belongs to
    with pytest.raises(ReplayMismatch, match="event 2"):
        Session.replay(minimal, bad)
    bad = [dict(e) for e in s.log]
    bad[2]["type"] = "shouted"
    with pytest.raises(ReplayMismatch):
        Session.replay(minimal, bad)


@pytest.mark.parametrize("call", [
    lambda s: s.mark("made_up"),
    lambda s: s.mark("note_added", text=float("nan")),
    lambda s: s.mark("note_added", node="elsewhere"),
    lambda s: s.mark("note_added", elapsed=-1),
    lambda s: s.mark("note_added", actor=object()),
])
def test_bad_marks_raise_invalid_choice_and_log_nothing(minimal, call):
    s = Session(minimal, seed=1)
    before = s.log_json()
    with pytest.raises(InvalidChoice):
        call(s)
    assert s.log_json() == before


def test_an_inject_changes_values_keeps_the_scene_and_replays(injected):
    s = Session(injected, seed=5)
    assert [j.id for j in s.injects()] == ["crowd-films", "calm-friend"]
    s.inject("crowd-films", elapsed=6, actor={"role": "instructor", "id": "Ana"}, reason="test the stance")
    applied = s.log[2]
    assert applied["type"] == "inject_applied" and applied["t"] == 6.0 and applied["node"] == "first"
    assert applied["choices"] == [c.id for c in s.presented()]
    change = s.log[3]
    assert change["type"] == "escalation_changed" and (change["from"], change["to"]) == (2, 4)
    assert change["cause"] == {"kind": "inject", "inject": "crowd-films", "delta": 2}
    assert s.state.steps == 0 and s.view().node_id == "first"
    assert s.view().reaction == "Three people stop and film on their phones."
    s.choose("listen", elapsed=9)
    assert s.log[4]["t"] == 15.0  # time goes on from the inject
    again = Session.replay(injected, [dict(e) for e in s.log])
    assert again.log_json() == s.log_json() and again.state == s.state


def test_the_inject_is_nobodys_decision_in_the_trace(injected):
    s = Session(injected, seed=5)
    s.choose("listen", elapsed=2)
    after_listen = s.state.values
    s.inject("siren", elapsed=1)
    s.choose("shout", elapsed=3)
    first, second = read_trace(injected, s.log).decisions
    assert first.post == after_listen  # the siren's rise is not the first decision's consequence
    assert all(e["cause"].get("kind") != "inject" for d in (first, second) for e in d.escalation)
    assert second.pre[0] == after_listen[0] + 1  # the next decision starts from what the siren left


def test_an_inject_only_where_the_scene_offers_it(injected):
    s = Session(injected, seed=5, options=SessionOptions(allow_undo=True))
    with pytest.raises(InvalidChoice, match="no inject"):
        s.inject("nothing-here")
    s.inject("calm-friend", elapsed=1)
    s.choose("listen", elapsed=2)
    with pytest.raises(InvalidChoice, match="no inject"):
        s.inject("crowd-films")  # offered by the first scene only
    s.undo(elapsed=1)  # back before the decision; the friend, who came before it, stays
    assert s.view().node_id == "first" and s.state.values[0] == 1 and s.state.values[-1] == 2
    assert read_trace(injected, s.log).decisions == []
    again = Session.replay(injected, [dict(e) for e in s.log])
    assert again.log_json() == s.log_json()


def test_inject_ids_share_the_choice_namespace(tmp_path):
    from simulator.content.loader import load_scenario
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace('    perspective: "Sam is cold and tired."\n',
                        '    perspective: "Sam is cold and tired."\n    injects:\n'
                        '      - {id: listen, text: "x", effects: {nope: +1}}\n', 1)
    path = tmp_path / "clash.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_scenario(path, use_cache=False)
    codes = {d.code for d in result.diagnostics if d.severity == "error"}
    assert result.scenario is None and {"duplicate-id", "unknown-variable"} <= codes


def test_a_condition_only_an_inject_can_make_true_is_not_dead(tmp_path):
    """The meaning checks' interval analysis treats an inject as a loop on its node: a condition that
    only an inject's effects can satisfy is reachable (an instructor can bring it about)."""
    from simulator.content.loader import load_scenario
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    waiting = ('      - id: friend-helps\n        text: "Let his friend explain."\n        condition: "notes == 2"\n'
               '        tags: [open-question]\n        grade: good\n        feedback: "Fine."\n        next: second\n')
    text = text.replace("    choices:\n      - id: listen\n", "    choices:\n" + waiting + "      - id: listen\n", 1)
    path = tmp_path / "without.yaml"
    path.write_text(text, encoding="utf-8")
    codes = [d.code for d in load_scenario(path, use_cache=False).diagnostics if d.severity == "error"]
    assert "dead-condition" in codes  # nothing sets notes to 2 at the first scene...
    with_inject = text.replace('    perspective: "Sam is cold and tired."\n',
                               '    perspective: "Sam is cold and tired."\n' + INJECTS.lstrip("\n"), 1)
    path = tmp_path / "with.yaml"
    path.write_text(with_inject, encoding="utf-8")
    result = load_scenario(path, use_cache=False)
    assert result.scenario is not None, [d.format() for d in result.diagnostics]  # ...but the friend's inject does
