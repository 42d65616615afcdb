"""Property tests for scoring: grading never fails, scores stay in range, a better grade never scores
lower, a detour through good decisions never raises a score, each tier costs what the rubric says,
and a critical error always fails the run."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
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
    if report["major_errors"] and report["result"] == "pass":
        raise AssertionError("a major error must cap the result at needs practice")
    lost = sum(g["points"] for g in report["graded"])
    if report["overall"] is not None:
        assert report["overall"] == max(0, round(100 - lost))
    for k in report["key_decisions"]:  # a better option is never itself a mistake or an error
        if k["better"]["choice"] is not None:
            assert k["grade"] != "good"


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

def synthetic(steps: list[list], extra_scoring: str = "") -> str:
    """A linear scenario: step i offers one choice per option in `steps[i]`, all leading on. An
    option is a list of tags (graded good) or a (tags, grade) pair; a non-good option without a
    harmful tag counts against procedural justice."""
    nodes = []
    for i, options in enumerate(steps):
        nxt = f"n{i + 1}" if i + 1 < len(steps) else "done"
        lines = []
        for j, option in enumerate(options):
            tags, tier = (option, "good") if not isinstance(option, tuple) else option
            against = ", against: [procedural-justice]" if tier != "good" else ""
            lines.append(f"      - {{id: c{i}-{j}, text: \"Option {j}\", tags: [{', '.join(tags)}], "
                         f"grade: {tier}{against}, next: {nxt}}}")
        nodes.append(f"  n{i}:\n    label: \"Step {i}\"\n    shows: compliant\n    narrative: \"Step {i}.\"\n"
                     f"    choices:\n" + "\n".join(lines))
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
ALL_TAGS = sorted({t for c in RUBRIC.competencies for t in c.tags})
HELPFUL = sorted({t for c in RUBRIC.competencies for t, w in c.tags.items() if w > 0}
                 - {t for c in RUBRIC.competencies for t, w in c.tags.items() if w < 0})
TIERS = ("good", "acceptable", "mistake", "major", "critical")
RANK = {"pass": 0, "needs-practice": 1, "fail": 2}
step_strategy = st.tuples(st.lists(st.sampled_from(HELPFUL), min_size=1, max_size=2, unique=True),
                          st.sampled_from(TIERS[:4]))


def _scores(report) -> dict:
    return {c["id"]: (100 if c["score"] is None else c["score"]) for c in report.competencies}


@settings(max_examples=60, deadline=None)
@given(st.lists(step_strategy, min_size=1, max_size=6), st.integers(0, 5), st.sampled_from(TIERS[1:4]))
# found by hypothesis: 4 mistakes and a major error (23 points, capped at needs practice) ranked
# above the same run with a good decision instead of the major error (48 points: a fail)
@example(steps=[(["accommodate-communication"], "acceptable")] + [(["accommodate-communication"], "mistake")] * 4
         + [(["accommodate-communication"], "good")], where=5, worse="major")
def test_a_better_grade_never_scores_lower(steps, where, worse):
    """Replacing one decision by a better-graded one never lowers the overall score, any competency,
    or the result."""
    where = min(where, len(steps) - 1)
    tags = steps[where][0]
    layout = [[(t, g)] for t, g in steps]
    layout[where] = [(tags, worse), (tags, "good")]
    scenario = load_text(synthetic(layout))
    path_bad = [f"c{i}-0" for i in range(len(layout))]
    path_good = list(path_bad)
    path_good[where] = f"c{where}-1"
    bad, good = grade(scenario, play_path(scenario, path_bad)), grade(scenario, play_path(scenario, path_good))
    assert good.overall >= bad.overall
    assert RANK[good.result] <= RANK[bad.result]
    sb, sg = _scores(bad), _scores(good)
    assert all(sg[c] >= sb[c] for c in sb), (sb, sg)


@settings(max_examples=60, deadline=None)
@given(st.lists(step_strategy, min_size=1, max_size=5),
       st.lists(st.lists(st.sampled_from(HELPFUL), min_size=1, max_size=3, unique=True), min_size=1, max_size=5),
       st.integers(0, 5))
def test_a_detour_through_good_decisions_never_raises_a_score(steps, detour, where):
    """Extra good decisions add evidence but give no points back: the overall score, every observed
    competency's score and the result stay the same (the old share-of-evidence score rose)."""
    where = min(where, len(steps))
    plain = [[(t, g)] for t, g in steps]
    longer = plain[:where] + [[(t, "good")] for t in detour] + plain[where:]
    a, b = load_text(synthetic(plain)), load_text(synthetic(longer))
    ra = grade(a, play_path(a, [f"c{i}-0" for i in range(len(plain))]))
    rb = grade(b, play_path(b, [f"c{i}-0" for i in range(len(longer))]))
    assert rb.overall == ra.overall and rb.result == ra.result
    for ca, cb in zip(ra.competencies, rb.competencies):
        if ca["observed"]:
            assert cb["score"] == ca["score"], (ca["id"], ca["score"], cb["score"])


@pytest.mark.parametrize("tier", TIERS)
def test_each_tier_costs_what_the_rubric_says(tier):
    scenario = load_text(synthetic([[["open-question"]], [(["explain-reason"], tier)], [["empathy"]]]))
    report = grade(scenario, play_path(scenario, ["c0-0", "c1-0", "c2-0"]))
    lost = 0 if tier == "good" else RUBRIC.grades[tier]["overall"]
    assert report.overall == 100 - lost
    pj = next(c for c in report.competencies if c["id"] == "procedural-justice")
    assert pj["score"] == 100 - (0 if tier == "good" else RUBRIC.grades[tier]["competency"])
    assert report.result == {"good": "pass", "acceptable": "pass", "mistake": "pass", "major": "needs-practice",
                             "critical": "fail"}[tier]
    assert report.result_rule_id == {"major": "major-error", "critical": "critical-error"}.get(tier, "pass")


def test_good_tags_on_a_mistake_earn_no_credit():
    """Evidence is credited only to the decision that earned it."""
    scenario = load_text(synthetic([[(["empathy", "open-question"], "mistake")], [["explain-reason"]]]))
    report = grade(scenario, play_path(scenario, ["c0-0", "c1-0"]))
    comps = {c["id"]: c for c in report.competencies}
    assert comps["active-listening"]["observed"] is False
    assert comps["empathy-rapport"]["observed"] is False
    assert comps["procedural-justice"]["score"] == 100 - RUBRIC.grades["mistake"]["competency"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(HELPFUL), min_size=1, max_size=3, unique=True), min_size=1, max_size=6),
       st.data())
def test_adding_a_critical_error_always_fails_the_run(layout, data):
    scenario = load_text(synthetic([[tags] for tags in layout]))
    log = play_path(scenario, [f"c{i}-0" for i in range(len(layout))])  # every option graded good
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
        session.choose(session.presented()[0].id, elapsed=3.0)
    first = next(e for e in session.log if e["type"] == "choice_made")["choice"]
    extra = CriticalErrorDef("first-choice", "First choice", "decision", "Test.", choices=frozenset({first}))
    rubric = replace(RUBRIC, critical_errors=RUBRIC.critical_errors + (extra,))
    assert grade(scenario, session.log, rubric).result == "fail"
