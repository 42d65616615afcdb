"""Golden tests: fixed playthroughs of the shipped scenarios give exactly the stored score reports.

Regenerate the stored reports (after a deliberate change to scoring or to a scenario) with

    PARLEY_UPDATE_GOLDEN=1 python -m pytest tests/test_scoring_golden.py

and review the diff of tests/golden/scoring/ before committing.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scoring import grade
from scoring.report import grade_json, text_debrief
from simulator.content.loader import load_or_raise
from simulator.engine.session import Session, SessionOptions

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "scoring"
UPDATE = os.environ.get("PARLEY_UPDATE_GOLDEN") == "1"
_SCENARIOS: dict = {}

# Each playthrough: scenario file, seed, and the decisions in order. "<timer>" lets the decision
# timer run out, "<undo>" undoes the previous decision. Each decision takes 4, 6.5 or 9 seconds.
PLAYTHROUGHS = {
    "deaf-best": ("deaf-driver-traffic-stop", 1, [
        "stop-run-plate", "plate-brief-sam", "approach-visible", "contact-ask-preference", "pref-write",
        "notes-ask-side", "explains-acknowledge", "papers-take-and-write", "check-warning", "warn-write"]),
    "deaf-undo-and-leo": ("deaf-driver-traffic-stop", 2, [
        "stop-brief-go", "approach-observe", "observe-read-card", "contact-accept-leo", "<undo>",
        "contact-write-note", "notes-nod-ok", "papers-take-and-write", "check-citation", "cite-via-leo"]),
    "deaf-force": ("deaf-driver-traffic-stop", 3, [
        "stop-pa", "approach-call-out", "noresp-repeat-louder", "<timer>", "reach-grab-arm",
        "grab-pull-out", "takedown-stop", "eased-hold-shoulder"]),
    "collision-best": ("collision-limited-english", 1, [
        "arrival-assign-roles", "kyle-ask-what-yes", "minh-open-question", "revealed-phone-line",
        "online-speak-to-minh", "account-paraphrase", "pain-call-ems", "ems-finish-with-line"]),
    "collision-child-interpreter": ("collision-limited-english", 4, [
        "arrival-run-plates", "kyle-take-his-word", "minh-ask-linh", "linh-keep-going",
        "struggles-finish-with-linh", "shcall-threaten", "shrep-relative-helped"]),
    "collision-force": ("collision-limited-english", 5, [
        "arrival-straight-to-minh", "minh-papers", "walks-grab-arm", "grabbed-pin", "held-cuff", "cuffed-straight-in"]),
}


def play(name: str) -> tuple:
    """Replay a fixed playthrough; when a random reaction sends it elsewhere, the decisions
    that no longer apply are reported so the playthrough can be fixed."""
    scenario_id, seed, steps = PLAYTHROUGHS[name]
    if scenario_id not in _SCENARIOS:
        _SCENARIOS[scenario_id] = load_or_raise(ROOT / "scenarios" / f"{scenario_id}.yaml", use_cache=False)
    scenario = _SCENARIOS[scenario_id]
    session = Session(scenario, seed=seed, options=SessionOptions(allow_undo=True))
    for i, step in enumerate(steps):
        elapsed = (4.0, 6.5, 9.0)[i % 3]
        assert not session.ended, f"{name}: the scenario ended before step {i} ({step})"
        if step == "<timer>":
            session.expire_timer(elapsed=session.timer_seconds())
        elif step == "<undo>":
            session.undo()
        else:
            available = [c.id for c in session.available()]
            assert step in available, f"{name}: step {i} {step!r} is not available at {session.state_json()['at']} ({available})"
            session.choose(step, elapsed=elapsed)
    assert session.ended, f"{name}: the playthrough did not reach an ending"
    return scenario, session


@pytest.mark.parametrize("name", sorted(PLAYTHROUGHS))
def test_golden_report(name):
    scenario, session = play(name)
    report = grade(scenario, session.log).to_json()
    text = json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path = GOLDEN / f"{name}.json"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} is missing: run with PARLEY_UPDATE_GOLDEN=1 to create it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"report for {name} changed; review and regenerate"
    assert grade_json(scenario, session.log) == text  # the CLI's JSON is the same report


@pytest.mark.parametrize("name", sorted(PLAYTHROUGHS))
def test_golden_text_debrief(name):
    scenario, session = play(name)
    text = text_debrief(session)
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        path.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == path.read_text(encoding="utf-8")


def test_expected_verdicts():
    """The stored reports say what a trainer would expect of these playthroughs."""
    verdicts, reports = {}, {}
    for name in PLAYTHROUGHS:
        scenario, session = play(name)
        report = reports[name] = grade(scenario, session.log)
        verdicts[name] = (report.result, [e["id"] for e in report.critical_errors])
    assert verdicts["deaf-best"] == ("pass", []) and reports["deaf-best"].overall == 100
    assert all(k["better"]["choice"] is None for k in reports["deaf-best"].key_decisions)
    # the path: grabbing a frightened man who walked to his car, then pinning him when he
    # pulled his sore wrist away: the pin answers a threat the officer created, and says so
    rows = reports["collision-force"].proportionality
    assert any(r["officer_created"] and r["created_by"] for r in rows), rows
    assert reports["collision-force"].ending["outcome"] == "force-used"
    assert verdicts["collision-best"][0] == "pass"
    assert verdicts["deaf-force"][0] == "fail" and "disproportionate-force" in verdicts["deaf-force"][1]
    assert verdicts["collision-force"][0] == "fail"
    assert verdicts["collision-child-interpreter"][0] == "fail"
    assert "child-interpreter" in verdicts["collision-child-interpreter"][1]
    assert verdicts["deaf-undo-and-leo"][0] == "fail"  # the citation explained through the child


def test_undo_grades_only_the_final_path():
    scenario, with_undo = play("deaf-undo-and-leo")
    session = Session(scenario, seed=2)
    steps = [s for s in PLAYTHROUGHS["deaf-undo-and-leo"][2]]
    i = steps.index("<undo>")
    del steps[i - 1:i + 1]
    times = [(4.0, 6.5, 9.0)[k % 3] for k in range(len(PLAYTHROUGHS["deaf-undo-and-leo"][2]))]
    del times[i - 1:i + 1]
    for step, elapsed in zip(steps, times):
        session.choose(step, elapsed=elapsed)
    a, b = grade(scenario, with_undo.log).to_json(), grade(scenario, session.log).to_json()
    assert a["undos"] == 1 and b["undos"] == 0
    assert all(c["choice"] != "contact-accept-leo" for c in a["feedback"])
    # the same grades, for the same reasons; only the times differ, because the clock kept running
    # through the decision that was stepped back from
    def untimed(value):
        if isinstance(value, dict):
            return {k: untimed(v) for k, v in value.items() if k not in ("t", "elapsed")}
        if isinstance(value, list):
            return [untimed(v) for v in value]
        return value
    for key in ("result", "overall", "competencies", "critical_errors", "proportionality", "key_decisions"):
        assert untimed(a[key]) == untimed(b[key]), key
    assert [d["t"] for d in a["key_decisions"]] != [d["t"] for d in b["key_decisions"]]
