"""Engine behaviour: rules as data, causes on every change, recovery, timers, undo, replay, saves."""
import json
import subprocess
import sys

import pytest

from simulator.engine.session import ReplayMismatch, Session, SessionOptions
from simulator.engine.step import InvalidChoice, initial_state, outcome_distribution

from .conftest import FIXTURES, bundled_paths, load_ok


def changes(session, kind="escalation_changed"):
    return [(e["from"], e["to"], e["cause"].get("rule") or e["cause"]["kind"]) for e in session.log if e["type"] == kind]


def test_start_state_and_view(minimal):
    s = Session(minimal, seed=1)
    v = s.view()
    assert (v.node_id, v.escalation, v.rapport) == ("first", 2, 0)
    assert v.escalation_name == "Anxious"
    # the view lists the options in the order shown (shuffled from the seed), numbered in that order
    shown = [c.id for c in s.presented()]
    assert sorted(shown) == ["demand", "listen", "write"]
    assert [c.id for c in v.choices] == shown and [c.number for c in v.choices] == [1, 2, 3]
    assert v.lines[0].name == "Kim" and v.timer_seconds == 10
    assert s.log[0]["type"] == "session_started" and s.log[0]["seed"] == 1
    assert s.log[1] == {"seq": 1, "type": "node_entered", "t": 0.0, "node": "first", "choices": shown}
    # shuffle=False keeps the order the scenario was written in
    authored = Session(minimal, seed=1, options=SessionOptions(shuffle=False))
    assert [c.id for c in authored.view().choices] == ["listen", "demand", "write"]
    assert authored.log[1]["choices"] == ["listen", "demand", "write"]


def test_listening_lowers_escalation_and_builds_rapport_with_cause(minimal):
    s = Session(minimal, seed=1)
    s.choose("listen", elapsed=4.5)
    assert (s.escalation, s.rapport) == (1, 1)
    esc = [e for e in s.log if e["type"] == "escalation_changed"][0]
    assert esc["cause"] == {"kind": "rule", "rule": "active-listening", "choice": "listen", "delta": -1,
                            "why": esc["cause"]["why"]}
    assert "Behavioral Change Stairway" in esc["cause"]["why"]
    assert esc["t"] == 4.5


def test_request_before_rapport_fails_and_raises_level(minimal):
    s = Session(minimal, seed=1)
    s.choose("demand")
    assert changes(s) == [(2, 3, "request-needs-rapport")]


def test_reveal_factor_and_custom_variable(minimal):
    s = Session(minimal, seed=1)
    s.choose("write")
    kinds = [e["type"] for e in s.log]
    assert "factor_revealed" in kinds
    assert s.view().factor_revealed
    var = [e for e in s.log if e["type"] == "variable_changed"]
    assert var[0]["name"] == "notes" and (var[0]["from"], var[0]["to"]) == (0, 1)
    # the conditional choice is now available
    assert "thank" in [c.id for c in s.view().choices]


def test_condition_hides_choice_and_rejects_it(minimal):
    s = Session(minimal, seed=1)
    s.choose("listen")
    assert "thank" not in [c.id for c in s.view().choices]
    with pytest.raises(InvalidChoice):
        s.choose("thank")
    with pytest.raises(InvalidChoice):
        s.choose("no-such-choice")


def test_recovery_phase_makes_rises_larger(minimal):
    s = Session(minimal, seed=1)
    s.choose("demand")      # 2 -> 3
    s.choose("shout")       # 3 -> 4
    s.choose("calm-down")   # 4 -> 3 -> 2, recovery starts
    assert s.escalation == 2 and s.state.values[2] == 3
    assert any(e["type"] == "recovery_started" and e["peak"] == 4 for e in s.log)
    s.choose("shout")       # +1 rule, +1 recovery bonus, netted into one change
    assert changes(s)[-1] == (2, 4, "command-errors")
    last = [e for e in s.log if e["type"] == "escalation_changed"][-1]
    assert [(c["kind"], c["delta"]) for c in last["causes"]] == [("rule", 1), ("recovery", 1)]


def test_clamping_is_recorded(minimal):
    s = Session(minimal, seed=1)
    s.choose("demand")   # 3
    s.choose("shout")    # 4
    s.choose("grab")     # crowding +1 and effect +2: 4 -> 7, clamped to 6, one event
    last = [e for e in s.log if e["type"] == "escalation_changed"][-1]
    assert (last["from"], last["to"], last.get("clamped")) == (4, 6, True)
    assert [c["delta"] for c in last["causes"]] == [1, 2]
    assert s.ended and s.view().ending.outcome == "force-used"
    assert s.log[-1]["type"] == "ending_reached" and s.log[-1]["ending"] == "force-end"


def test_random_outcomes_are_exposed_exactly(minimal):
    s = Session(minimal, seed=1)
    s.choose("listen")
    dist = s.outcomes("coin")
    assert [round(p, 6) for _, p in dist] == [0.75, 0.25]
    assert sum(p for _, p in dist) == pytest.approx(1.0)
    assert s.outcomes("shout") == [(None, 1.0)]


def test_same_seed_and_inputs_give_byte_identical_log(minimal):
    def run(seed):
        s = Session(minimal, seed=seed)
        s.choose("listen", 1.25)
        s.choose("coin", 2.0)
        while not s.ended:
            s.choose(s.available()[-1].id, 1.0)  # the last one written: towards an ending
        return s.log_json()
    assert run(5) == run(5)
    draws = {line for seed in range(40) for line in run(seed).splitlines() if '"outcome_drawn"' in line}
    assert {json.loads(d)["outcome"] for d in draws} == {0, 1}  # both reactions occur across seeds


def test_timer_expiry_follows_the_expire_branch_and_scales(minimal):
    s = Session(minimal, seed=1, options=SessionOptions(timer_scale=1.5))
    assert s.timer_seconds() == 15
    s.expire_timer()
    assert s.log[2]["type"] == "timer_expired" and s.log[2]["elapsed"] == 15
    assert s.escalation == 3 and s.view().node_id == "second"
    off = Session(minimal, seed=1, options=SessionOptions(timers=False))
    assert off.timer_seconds() is None
    with pytest.raises(InvalidChoice):
        off.expire_timer()


def test_undo_is_logged_and_restores_state_and_randomness(minimal):
    s = Session(minimal, seed=3, options=SessionOptions(allow_undo=True))
    s.choose("listen")
    before = s.state
    s.choose("coin")
    after_first = s.state
    s.undo(reason="misclick")
    assert s.state == before and s.log[-1]["type"] == "undo" and s.log[-1]["reason"] == "misclick"
    s.choose("coin")
    assert s.state == after_first  # the same random draw: undo cannot re-roll a reaction
    with pytest.raises(InvalidChoice):
        Session(minimal, seed=3).undo()


def test_actor_and_reason_are_recorded(minimal):
    s = Session(minimal, seed=1)
    s.choose("listen", 2.0, actor={"role": "instructor", "id": "i-7"}, reason="trainee said it aloud")
    made = [e for e in s.log if e["type"] == "choice_made"][0]
    assert made["actor"] == {"role": "instructor", "id": "i-7"} and made["reason"] == "trainee said it aloud"


def test_replay_rebuilds_the_same_log_and_detects_tampering(minimal):
    s = Session(minimal, seed=9, options=SessionOptions(allow_undo=True))
    s.choose("write", 3)
    s.choose("coin", 1)
    s.undo()
    s.choose("thank", 2)
    again = Session.replay(minimal, json.loads(json.dumps(s.log)))
    assert again.log_json() == s.log_json()
    tampered = json.loads(json.dumps(s.log))
    next(e for e in tampered if e["type"] == "escalation_changed")["to"] = 0
    with pytest.raises(ReplayMismatch):
        Session.replay(minimal, tampered)


def test_save_restore_continue_equals_uninterrupted(minimal):
    a = Session(minimal, seed=11)
    a.choose("listen", 1)
    saved = json.loads(json.dumps(a.save()))
    b = Session.restore(minimal, saved)
    for session in (a, b):
        session.choose("coin", 2)
        for _ in range(10):  # the last choice written at each node leads towards an ending
            if session.ended:
                break
            session.choose(session.available()[-1].id, 1)
    assert a.ended and a.log_json() == b.log_json()


def test_restore_refuses_a_changed_scenario(minimal):
    saved = Session(minimal, seed=1).save()
    saved["scenario"] = dict(saved["scenario"], content_hash="0" * 64)
    with pytest.raises(ReplayMismatch):
        Session.restore(minimal, saved)


def test_step_is_a_pure_function_of_state_and_choice(minimal):
    from simulator.engine.step import transition
    state = initial_state(minimal)
    choice = minimal.choice_by_id["coin"]
    (o1, p1), (o2, p2) = outcome_distribution(minimal, state._replace(at=1), choice)
    log_a, log_b = [], []
    s1 = transition(minimal, state._replace(at=1), choice, o2, p2, 1.0, log_a, "trainee", None)
    s2 = transition(minimal, state._replace(at=1), choice, o2, p2, 1.0, log_b, "trainee", None)
    assert s1 == s2 and log_a == log_b
    assert s1.values[0] == 3  # 2, time-and-distance -1, the reaction's +2


def test_engine_does_not_import_pygame():
    code = "import sys, simulator.engine.session, simulator.content.loader, simulator.cli.textmode; print('pygame' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cancelling_rules_leave_no_false_peak(minimal):
    s = Session(minimal, seed=1)
    s.choose("demand")   # 3
    s.choose("shout")    # 4
    s.choose("calm-down")  # create-distance -1 and explain-reason -1: one change 4 -> 2
    last = [e for e in s.log if e["type"] == "escalation_changed"][-1]
    assert (last["from"], last["to"]) == (4, 2) and len(last["causes"]) == 2


def test_reaction_text_is_shown_after_a_random_outcome(minimal):
    seen = set()
    for seed in range(30):
        s = Session(minimal, seed=seed)
        s.choose("listen")
        s.choose("coin")
        seen.add(s.view().reaction)
    assert seen == {None, "A car horn startles Sam."}


def test_every_node_entered_lists_the_options_in_the_order_shown(minimal):
    orders = set()
    for seed in range(12):
        s = Session(minimal, seed=seed)
        s.choose("listen")
        entered = [e for e in s.log if e["type"] == "node_entered"]
        assert entered[-1]["node"] == "second"
        assert entered[-1]["choices"] == [c.id for c in s.view().choices] == [c.id for c in s.presented()]
        orders.add(tuple(entered[0]["choices"]))
    assert len(orders) > 1, "the order is drawn from the seed"


def test_replay_refuses_another_engine_or_behaviour_model(minimal):
    s = Session(minimal, seed=2)
    s.choose("listen")
    for key, value, words in (("engine", 1, "engine version 1"),
                              ("behaviour_model", "parley-default@1", "behaviour model 'parley-default@1'")):
        log = json.loads(json.dumps(s.log))
        log[0][key] = value
        with pytest.raises(ReplayMismatch, match=words):
            Session.replay(minimal, log)
    assert Session.replay(minimal, json.loads(json.dumps(s.log))).log_json() == s.log_json()


@pytest.mark.parametrize("path", bundled_paths() + [FIXTURES / "minimal.yaml"], ids=lambda p: p.stem)
def test_advance_gives_the_state_transition_gives(path):
    """`step.advance` (the unread log's fast step) and `step.transition` agree on every option and
    every reaction, along random walks that visit recovery, reveals and the ends of every range."""
    import random

    from simulator.engine.step import advance, available_choices, transition

    sc = load_ok(path)
    rng = random.Random(7)
    compared = 0
    for walk in range(40):
        state = initial_state(sc)
        while state.at < len(sc.nodes):
            node = sc.nodes[state.at]
            options = available_choices(sc, state) + ([node.timer.expire] if node.timer is not None else [])
            steps = []
            for choice in options:
                for outcome, p in (outcome_distribution(sc, state, choice) if choice.outcomes else [(None, 1.0)]):
                    if p <= 0:
                        continue
                    want = transition(sc, state, choice, outcome, p, 1.25, [], "trainee", None)
                    assert advance(sc, state, choice, outcome, 1.25) == want, (path.stem, choice.id, state)
                    compared += 1
                    steps.append(want)
            state = rng.choice(steps)
    assert compared > 100
