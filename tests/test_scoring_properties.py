"""Property tests for scoring: grading never fails, scores stay in range, helpful beats harmful,
and a critical error always fails the run."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import grade
from scoring.rubric import CriticalErrorDef, default_rubric
from simulator.content.loader import load_or_raise, load_scenario_bytes
from simulator.engine.session import Session, SessionOptions

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
_LOADED: dict = {}


def shipped(i: int):
    path = SHIPPED[i % len(SHIPPED)]
    if path not in _LOADED:
        _LOADED[path] = load_or_raise(path, use_cache=False)
    return _LOADED[path]


def random_play(scenario, data, allow_undo: bool) -> Session:
    """Play to an ending with hypothesis-drawn choices, timer expiries and undos."""
    session = Session(scenario, seed=data.draw(st.integers(0, 2**32 - 1)),
                      options=SessionOptions(allow_undo=allow_undo))
    steps = 0
    while not session.ended and steps < 200:
        steps += 1
        moves = [c.id for c in session.available()]
        if session.timer_seconds() is not None:
            moves.append("<timer>")
        if allow_undo and session.state.steps > 0:
            moves.append("<undo>")
        move = data.draw(st.sampled_from(moves))
        elapsed = data.draw(st.floats(0, 30, allow_nan=False).map(lambda x: round(x, 3)))
        if move == "<timer>":
            session.expire_timer()
        elif move == "<undo>":
            session.undo()
        else:
            session.choose(move, elapsed=elapsed)
    return session


def check_ranges(report: dict) -> None:
    assert report["result"] in ("pass", "needs-practice", "fail")
    assert report["result_rule"]
    assert report["overall"] is None or 0 <= report["overall"] <= 100
    assert len(report["competencies"]) == 11
    for comp in report["competencies"]:
        if comp["observed"]:
            assert 0 <= comp["score"] <= 100
        else:
            assert comp["score"] is None and comp["evidence"] == []
    d = report["deescalation"]
    assert 0 <= d["final"] <= 6 and d["start"] <= d["peak"] <= 6
    assert 0 <= d["time_weighted_mean"] <= 6
    assert d["seconds_at_4_or_above"] >= 0
    assert len(report["key_decisions"]) <= 3
    if report["critical_errors"]:
        assert report["result"] == "fail"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(0, 1), st.booleans())
def test_grading_never_fails_and_stays_in_range(data, which, allow_undo):
    scenario = shipped(which)
    session = random_play(scenario, data, allow_undo)
    report = grade(scenario, session.log).to_json()
    check_ranges(report)
    json.dumps(report, allow_nan=False)  # plain JSON data
    assert grade(scenario, session.log).to_json() == report  # deterministic
    assert report["undos"] == sum(1 for e in session.log if e["type"] == "undo")


@settings(max_examples=40, deadline=None)
@given(st.data(), st.integers(0, 1))
def test_grading_partial_logs_never_fails(data, which):
    """A log cut anywhere (a session stopped early) still grades."""
    scenario = shipped(which)
    session = random_play(scenario, data, False)
    cut = data.draw(st.integers(2, len(session.log)))
    report = grade(scenario, session.log[:cut]).to_json()
    check_ranges(report)


# --- a small synthetic scenario built in the test ---------------------------------------------

def synthetic(tags_per_step: list[list[str]], extra_scoring: str = "") -> str:
    """A linear scenario: step i offers one choice per tag list in `tags_per_step[i]`, all leading on."""
    nodes = []
    for i, options in enumerate(tags_per_step):
        nxt = f"n{i + 1}" if i + 1 < len(tags_per_step) else "done"
        choices = "\n".join(
            f"      - {{id: c{i}-{j}, text: \"Option {j}\", tags: [{', '.join(tags)}], next: {nxt}}}"
            for j, tags in enumerate(options))
        nodes.append(f"  n{i}:\n    narrative: \"Step {i}.\"\n    choices:\n{choices}")
    return f"""format: 1
id: synthetic
version: "1"
title: "Synthetic"
summary: "Built by a test."
audience: [recruit]
minutes: 1
topics: [test]
language: en
languages: [en]
learning_objectives: [{{id: obj, text: "An objective."}}]
content_notes: ["none"]
authors: [{{name: "tests"}}]
reviewers: [{{name: "tests"}}]
characters:
  ana: {{name: "Ana", role: subject}}
state: {{escalation: 2, rapport: 0}}
graham: {{offence_severity: minor, weapon: false, danger_to_others: false}}
start: n0
nodes:
{chr(10).join(nodes)}
endings:
  done: {{outcome: resolved, title: "Done", text: "Done.", debrief: "Done."}}
{extra_scoring}"""


def load_text(text: str):
    result = load_scenario_bytes(text.encode(), "synthetic.yaml")
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return result.scenario


def play_path(scenario, path: list[str]):
    session = Session(scenario, seed=1)
    for i, cid in enumerate(path):
        session.choose(cid, elapsed=5.0 + i)
    assert session.ended
    return session.log


RUBRIC = default_rubric()
PAIRS = [(c.id, bad, good) for c in RUBRIC.competencies for bad, wb in c.tags.items() if wb < 0
         for good, wg in c.tags.items() if wg > 0]
ALL_TAGS = sorted({t for c in RUBRIC.competencies for t in c.tags})


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(PAIRS), st.lists(st.lists(st.sampled_from(ALL_TAGS), min_size=1, max_size=3, unique=True),
                                        min_size=0, max_size=5), st.integers(0, 5))
def test_helpful_instead_of_harmful_never_lowers_that_competency(pair, others, where):
    comp, bad, good = pair
    where = min(where, len(others))
    # step `where` offers the harmful choice (c{where}-0) and the helpful one (c{where}-1)
    layout = [[tags] for tags in others[:where]] + [[[bad], [good]]] + [[tags] for tags in others[where:]]
    scenario = load_text(synthetic([[list(opt) for opt in step] for step in layout]))
    path_bad = [f"c{i}-0" for i in range(len(layout))]
    path_good = list(path_bad)
    path_good[where] = f"c{where}-1"
    score = lambda log: next(c for c in grade(scenario, log).to_json()["competencies"] if c["id"] == comp)  # noqa: E731
    before, after = score(play_path(scenario, path_bad)), score(play_path(scenario, path_good))
    assert before["observed"] and after["observed"]
    assert after["score"] >= before["score"], (comp, bad, good, before, after)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(ALL_TAGS), min_size=1, max_size=3, unique=True), min_size=1, max_size=6),
       st.data())
def test_adding_a_critical_error_always_fails_the_run(layout, data):
    scenario = load_text(synthetic([[tags] for tags in layout]))
    log = play_path(scenario, [f"c{i}-0" for i in range(len(layout))])
    target = data.draw(st.integers(0, len(layout) - 1))
    extra = CriticalErrorDef("test-error", "Test error", "decision", "Added by a test.",
                             choices=frozenset({f"c{target}-0"}))
    rubric = replace(RUBRIC, critical_errors=RUBRIC.critical_errors + (extra,))
    report = grade(scenario, log, rubric).to_json()
    assert report["result"] == "fail" and report["result_rule_id"] == "critical-error"
    assert any(e["id"] == "test-error" and e["choice"] == f"c{target}-0" for e in report["critical_errors"])


def test_adding_a_critical_error_through_the_scenario_fails_a_passing_run():
    steps = [["information-gathering"], ["open-question"], ["empathy"], ["explain-reason"]]
    clean = load_text(synthetic([[t] for t in steps]))
    log = play_path(clean, ["c0-0", "c1-0", "c2-0", "c3-0"])
    assert grade(clean, log).result == "pass"
    flagged = load_text(synthetic([[t] for t in steps], """scoring:
  critical_errors:
    - {id: no-empathy-here, name: "Scenario error", why: "Declared by the scenario.", choices: [c2-0]}
"""))
    report = grade(flagged, play_path(flagged, ["c0-0", "c1-0", "c2-0", "c3-0"]))
    assert report.result == "fail"
    assert [e["id"] for e in report.critical_errors] == ["no-empathy-here"]
    assert report.critical_errors[0]["source"] == "scenario"


@pytest.mark.parametrize("which", [0, 1])
def test_every_single_choice_as_critical_error_fails(which):
    """Deterministic companion on the shipped scenarios: make the first decision of a fixed
    playthrough a critical error and the run fails."""
    scenario = shipped(which)
    session = Session(scenario, seed=3)
    while not session.ended:
        session.choose(session.available()[0].id, elapsed=3.0)
    first = next(e for e in session.log if e["type"] == "choice_made")["choice"]
    extra = CriticalErrorDef("first-choice", "First choice", "decision", "Test.", choices=frozenset({first}))
    rubric = replace(RUBRIC, critical_errors=RUBRIC.critical_errors + (extra,))
    assert grade(scenario, session.log, rubric).result == "fail"
