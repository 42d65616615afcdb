"""The report's shape (the keys the window and the CLI read), text debrief, JSON, and grading rules."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import scoring
from scoring import grade
from scoring.report import grade_json, text_debrief
from simulator.content.loader import load_or_raise
from simulator.engine.session import Session

ROOT = Path(__file__).resolve().parent.parent
DEAF = ROOT / "scenarios" / "deaf-driver-traffic-stop.yaml"

WINDOW_KEYS = {
    "competencies": {"id", "name", "score", "observed", "explanation", "evidence"},
    "critical_errors": {"id", "name", "node", "choice", "t", "why"},
    "timeline": {"t", "escalation", "rapport", "node", "choice", "label"},
    "key_decisions": {"node", "choice", "t", "why", "better"},
    "perspectives": {"node", "t", "text"},
    "objectives": {"id", "text", "met", "evidence"},
    "feedback": {"node", "choice", "text", "feedback"},
}


@pytest.fixture(scope="module")
def deaf():
    return load_or_raise(DEAF, use_cache=False)


def first_choice_session(scenario, seed=5) -> Session:
    session = Session(scenario, seed=seed)
    while not session.ended:
        session.choose(session.available()[0].id, elapsed=2.5)
    return session


def test_report_has_the_keys_the_window_reads(deaf):
    report = scoring.grade(deaf, first_choice_session(deaf).log).to_json()
    for key in ("result", "result_rule", "overall", "deescalation", "proportionality"):
        assert key in report
    for key, fields in WINDOW_KEYS.items():
        assert isinstance(report[key], list)
        for row in report[key]:
            assert fields <= set(row), (key, fields - set(row))
    for row in report["key_decisions"]:
        assert {"choice", "text", "why"} <= set(row["better"])
    for key in ("peak", "final", "time_weighted_mean", "seconds_at_4_or_above", "rises_by_own_choices",
                "falls_by_own_choices", "rises_by_other_causes", "resolved_without_force"):
        assert key in report["deescalation"]
    assert len(report["key_decisions"]) == 3
    assert report["timeline"][0]["label"] == "Start" and report["timeline"][-1]["label"].startswith("Ending: ")


def test_grade_json_and_text_debrief(deaf):
    session = first_choice_session(deaf)
    data = json.loads(grade_json(deaf, session.log))
    assert data == grade(deaf, session.log).to_json()
    text = text_debrief(session)
    assert text.startswith("=== Debrief ===")
    for heading in ("Result:", "Takeaways:", "For discussion:", "Critical errors:", "Major errors:", "Mistakes:",
                    "Competencies:", "How the person's distress changed:", "Decisions that mattered most:",
                    "Learning objectives:"):
        assert heading in text
    assert all(len(line) <= 90 for line in text.splitlines())
    assert not any(ch in text for ch in "│┃═█")  # no box drawing: screen readers read it in order


def test_text_mode_prints_the_debrief(deaf):
    from simulator.cli.textmode import play_text
    session = Session(deaf, seed=1)
    out = io.StringIO()
    status = play_text(deaf, session, timed=False, show_meter=True, inp=io.StringIO("1\n" * 40), out=out,
                       debrief=text_debrief)
    assert status == 0
    assert "=== Debrief ===" in out.getvalue()


def test_incomplete_session_needs_practice_or_fails(deaf):
    session = Session(deaf, seed=1)
    session.choose(session.available()[0].id, elapsed=3)
    report = grade(deaf, session.log)
    assert report.complete is False
    assert report.result_rule_id in ("incomplete", "critical-error")
    assert text_debrief(session)


def test_time_weighted_mean_uses_event_times(deaf):
    session = Session(deaf, seed=1)
    for cid, elapsed in [("stop-pa", 10.0), ("approach-call-out", 30.0), ("noresp-step-into-view", 20.0)]:
        session.choose(cid, elapsed=elapsed)
    report = grade(deaf, session.log).to_json()
    d = report["deescalation"]
    levels = [(e["t"], e["escalation"]) for e in report["timeline"]]
    total = levels[-1][0]
    expected = sum(lv * (t1 - t0) for (t0, lv), (t1, _) in zip(levels, levels[1:])) / total
    assert d["time_basis"] == "seconds" and d["time_weighted_mean"] == round(expected, 3)


def test_force_is_checked_against_level_graham_and_alternatives(deaf):
    session = Session(deaf, seed=1)
    for cid in ["stop-pa", "approach-call-out", "noresp-repeat-louder"]:
        session.choose(cid, elapsed=5)
    report = grade(deaf, session.log).to_json()
    row = report["proportionality"][0]
    assert row["choice"] == "noresp-repeat-louder" and row["force"] == "verbal"
    assert row["proportionate"] is True  # verbal direction is within what her behaviour allows
    assert row["shows"] == deaf.nodes[deaf.target_index[row["node"]]].shows  # judged on behaviour, not distress
    assert row["alternative_available"] and "noresp-observe" in row["lower_alternatives"]
    assert row["graham"] == {"offence_severity": "minor", "weapon": None, "danger_to_others": False}


def test_grading_is_pure_and_deterministic(deaf):
    session = first_choice_session(deaf, seed=9)
    log_before = json.dumps(session.log, sort_keys=True)
    a = grade_json(deaf, session.log)
    b = grade_json(deaf, session.log)
    assert a == b
    assert json.dumps(session.log, sort_keys=True) == log_before  # the log is not modified
