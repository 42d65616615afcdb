"""Research mode (docs/research.md): protocol files checked like scenarios, the assignment rule,
participants run through `parley research run` in text mode, and `parley export research` checked
cell by cell against values worked out here from the scripted inputs, the fake clock and the
scenario files; on SQLite and on PostgreSQL."""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import delete, func, select

from simulator.cli import research
from simulator.cli.main import main, parse_args
from simulator.cli.textmode import TextPlayer
from simulator.content.loader import load_scenario, with_variant
from simulator.content.protocol import (
    COLUMN_GROUPS,
    IDENTITY_COLUMNS,
    Protocol,
    ProtocolScenario,
    assign,
    cycle_length,
    load_protocol,
)
from simulator.engine.session import Session, SessionOptions
from simulator.records import schema
from simulator.records.store import Store

from .conftest import FIXTURES, load_ok

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "scenarios" / "protocols" / "communication-access-study.yaml"
DEAF = ROOT / "scenarios" / "deaf-driver-traffic-stop.yaml"
COLLISION = ROOT / "scenarios" / "collision-limited-english.yaml"


# --- protocol files ---------------------------------------------------------------------------------
BROKEN = """\
format: 1
id: Bad Id
title: "A study"
scenarios:
  - scenario: deaf-driver-trafic-stop
    seed: 7
  - scenario: deaf-driver-traffic-stop
    seed: 1.5
    variants: [lindqvist, brook]
  - {scenario: collision-limited-english, seed: 3, sed: 4}
order: counterbalance
options: {option_order: shuffled, timer_scale: 20, language: fr}
pre:
  - {id: q1, text: "A?", kind: scale, min: 5, max: 2}
  - {id: q1, text: "B?", kind: choice, options: [{id: a, text: A}, {id: a, text: B}], max_length: 4}
post:
  - {id: q3, text: "C?", kind: scale, min: 1}
export: [decisions, latency, outcome]
"""


def test_every_problem_of_a_protocol_comes_at_once_with_its_line_column_and_hint(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = load_protocol(path)
    assert result.protocol is None
    found = {(d.line, d.column, d.code) for d in result.diagnostics}
    assert found == {
        (2, 5, "bad-id"),  # id: Bad Id
        (5, 15, "unknown-scenario"),  # a misspelt bundled id
        (8, 11, "wrong-type"),  # seed: 1.5
        (9, 27, "unknown-variant"),  # brook
        (10, 52, "unknown-key"),  # sed
        (11, 8, "bad-value"),  # order: counterbalance
        (12, 48, "schema"),  # timer_scale: 20
        (12, 62, "missing-language"),  # twice: neither scenario has fr
        (14, 52, "bad-scale"),  # max below min
        (15, 10, "duplicate-question"),
        (15, 73, "duplicate-option"),
        (15, 99, "not-for-this-kind"),  # max_length on a choice question
        (17, 5, "missing-key"),  # a scale without max
        (18, 21, "unknown-column"),  # latency
    }
    by_code = {d.code: d for d in result.diagnostics}
    assert by_code["unknown-scenario"].hint == "did you mean 'deaf-driver-traffic-stop'?"
    assert by_code["unknown-variant"].hint == "did you mean 'brooks'?"
    assert by_code["unknown-key"].hint == "did you mean 'seed'?"
    assert by_code["unknown-column"].hint == "did you mean 'latency_ms'?"
    assert by_code["bad-value"].hint == "use one of: fixed, counterbalanced"
    assert by_code["schema"].hint == "see docs/research.md"
    assert all(d.format().startswith(f"{path}:{d.line}:{d.column}: error: ") for d in result.diagnostics)
    assert sum(d.code == "missing-language" for d in result.diagnostics) == 2


def test_validate_and_lint_check_a_protocol_file_as_a_protocol(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    for command in ("validate", "lint"):
        assert main([command, str(path)]) == 1
        out = capsys.readouterr().out
        assert f"{path}:18:21: error: 'latency' is not a column" in out
        assert "missing the required key 'nodes'" not in out
        assert main([command, str(EXAMPLE)]) == 0
        assert "1 file checked: 1 valid" in capsys.readouterr().out


def test_unsafe_yaml_and_a_scenario_with_errors_are_refused_with_positions(tmp_path):
    bad_scenario = tmp_path / "bad-scenario.yaml"
    bad_scenario.write_text("format: 1\nid: x\n", encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text("format: 1\nid: p\ntitle: T\nscenarios:\n  - {scenario: bad-scenario.yaml, seed: 1}\n"
                    "options: {option_order: authored, timers: yes}\n", encoding="utf-8")
    result = load_protocol(path)
    codes = {(d.line, d.code) for d in result.diagnostics}
    assert (6, "ambiguous-yes-no") in codes  # the safe reader's refusal, as for scenarios
    path.write_text("format: 1\nid: p\ntitle: T\nscenarios:\n  - {scenario: bad-scenario.yaml, seed: 1}\n"
                    "options: {option_order: authored}\n", encoding="utf-8")
    [problem] = load_protocol(path).diagnostics
    assert (problem.line, problem.column, problem.code) == (5, 16, "scenario-has-errors")
    assert "parley validate" in problem.hint and str(bad_scenario) in problem.hint


def test_the_example_protocol_is_valid_and_exports_every_column():
    result = load_protocol(EXAMPLE)
    assert result.diagnostics == []
    protocol = result.protocol
    assert [e.scenario.id for e in protocol.scenarios] == ["deaf-driver-traffic-stop", "collision-limited-english"]
    assert protocol.scenarios[0].variants == ("lindqvist", "brooks", "chen")
    assert protocol.columns[:len(IDENTITY_COLUMNS)] == IDENTITY_COLUMNS
    assert protocol.columns[-6:] == ("pre_years-service", "pre_access-training", "pre_confidence-pre",
                                     "post_confidence-post", "post_realism", "post_comment")
    assert protocol.sha256 == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()


def test_the_research_guide_documents_every_column():
    text = (ROOT / "docs" / "research.md").read_text(encoding="utf-8").split("### Columns")[1].split("\n## ")[0]
    documented = re.findall(r"^\| `([a-z0-9_<>]+)` \|", text, re.MULTILINE)
    columns = set(IDENTITY_COLUMNS) | {c for group in COLUMN_GROUPS.values() for c in group}
    assert documented == [c for c in IDENTITY_COLUMNS] + [c for group in COLUMN_GROUPS.values() for c in group] + [
        "pre_<id>", "post_<id>"]  # in the order the export writes them
    assert set(documented) == columns | {"pre_<id>", "post_<id>"}


# --- assignment ---------------------------------------------------------------------------------------
def synthetic(order="counterbalanced", seeds="same"):
    """A protocol of three scenarios A, B, C (B with two variants, C with three), built directly:
    `assign` reads nothing else."""
    def entry(index, name, seed, variants):
        return ProtocolScenario(index, name, Path(name), SimpleNamespace(id=name, variant=None), seed, variants)
    scenarios = (entry(1, "a", 10, ()), entry(2, "b", 20, ("b1", "b2")), entry(3, "c", 30, ("c1", "c2", "c3")))
    return Protocol(id="s", title="S", path=Path("s.yaml"), sha256="0" * 64, scenarios=scenarios,
                    option_order="authored", order=order, seeds=seeds)


def test_counterbalanced_order_is_a_rotation_by_enrolment_position():
    protocol = synthetic()
    orders = {k: [p.scenario_id for p in assign(protocol, k)] for k in range(1, 7)}
    assert orders[1] == ["a", "b", "c"] and orders[2] == ["b", "c", "a"] and orders[3] == ["c", "a", "b"]
    assert orders[4] == orders[1] and orders[5] == orders[2]
    for place in range(3):  # a Latin square: every scenario at every place once in three participants
        assert sorted(orders[k][place] for k in (1, 2, 3)) == ["a", "b", "c"]
    for k in range(1, 7):
        assert [p.order for p in assign(protocol, k)] == [1, 2, 3]
        assert {p.scenario_id: p.index for p in assign(protocol, k)} == {"a": 1, "b": 2, "c": 3}
    assert [p.scenario_id for p in assign(synthetic(order="fixed"), 2)] == ["a", "b", "c"]


def test_variants_go_round_with_the_scenarios_place_in_the_protocol():
    protocol = synthetic()
    variants = {k: {p.scenario_id: p.variant for p in assign(protocol, k)} for k in range(1, 7)}
    # participant k, scenario at place j (0-based): variants[(k - 1 + j) % n]
    assert [variants[k]["a"] for k in range(1, 4)] == [None, None, None]
    assert [variants[k]["b"] for k in range(1, 5)] == ["b2", "b1", "b2", "b1"]
    assert [variants[k]["c"] for k in range(1, 7)] == ["c3", "c1", "c2", "c3", "c1", "c2"]
    assert cycle_length(protocol) == 6 and cycle_length(synthetic(order="fixed")) == 6
    assert all(assign(protocol, k) == assign(protocol, k + 6) for k in range(1, 7))


def test_seeds_are_the_protocols_or_move_on_by_position():
    assert {p.seed for k in (1, 5) for p in assign(synthetic(), k)} == {10, 20, 30}
    assert sorted(p.seed for p in assign(synthetic(seeds="by-position"), 4)) == [13, 23, 33]
    for bad in (0, -1, True, 1.0):
        with pytest.raises(ValueError):
            assign(synthetic(), bad)


def test_check_prints_the_assignment_of_the_first_positions(capsys):
    assert main(["research", "check", str(EXAMPLE), "--positions", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == [
        "1: deaf-driver-traffic-stop (variant lindqvist, seed 4101), then collision-limited-english (seed 4102)",
        "2: collision-limited-english (seed 4102), then deaf-driver-traffic-stop (variant brooks, seed 4101)",
        "3: deaf-driver-traffic-stop (variant chen, seed 4101), then collision-limited-english (seed 4102)"]
    assert "The assignment repeats after 6 participants." in out


# --- text mode marks the options appearing only when asked ---------------------------------------------------
def test_ordinary_text_mode_logs_no_marks_and_research_mode_marks_every_moment():
    scenario = load_ok(FIXTURES / "minimal.yaml")
    ticks = iter(range(100))
    plain = Session(scenario, seed=2, options=SessionOptions(timers=False))
    TextPlayer(plain, io.StringIO("1\n1\n1\n1\n"), io.StringIO(), clock=lambda: float(next(ticks))).run()
    assert not any(e["type"] == "choices_shown" for e in plain.log)
    assert all(e["actor"] == "trainee" for e in plain.log if e["type"] == "choice_made")
    ticks = iter(range(100))
    marked = Session(scenario, seed=2, options=SessionOptions(timers=False))
    TextPlayer(marked, io.StringIO("1\n1\n1\n1\n"), io.StringIO(), clock=lambda: float(next(ticks)),
               mark_shown=True, actor={"role": "participant", "id": "P1"}).run()
    kinds = [e["type"] for e in marked.log if e["type"] in ("node_entered", "choices_shown", "choice_made")]
    assert kinds[:3] == ["node_entered", "choices_shown", "choice_made"]
    # each moment reads the clock when it appears, when its options are out, and when the answer comes
    for mark, made in zip([e for e in marked.log if e["type"] == "choices_shown"],
                          [e for e in marked.log if e["type"] == "choice_made"]):
        assert (mark["after"], made["elapsed"]) == (1.0, 2.0)
        assert made["actor"] == {"role": "participant", "id": "P1"} and mark["actor"] is None
    assert Session.replay(scenario, marked.log).log == marked.log


# --- three participants, cell by cell ------------------------------------------------------------------
STUDY = """\
format: 1
id: three-study
title: "Three participants"
scenarios:
  - {scenario: deaf-driver-traffic-stop, seed: 11, variants: [lindqvist, brooks, chen]}
  - {scenario: collision-limited-english, seed: 12}
order: counterbalanced
options: {option_order: shuffled, timers: true, timer_scale: 1.0}
pre:
  - {id: years, text: "Years of service?", kind: scale, min: 0, max: 40, low: "none", high: "forty"}
  - id: trained
    text: "Trained before?"
    kind: choice
    options: [{id: none, text: "No"}, {id: some, text: "Some"}, {id: lots, text: "A lot"}]
post:
  - {id: confidence, text: "How confident now?", kind: scale, min: 1, max: 7}
  - {id: comment, text: "Anything else?", kind: text, required: false, max_length: 40}
"""
SHOW = 0.25  # seconds the fake terminal takes to print a moment's options
RANK = {"good": 0, "acceptable": 1, "mistake": 2, "major": 3, "critical": 4}


class Terminal:
    """Scripted typing on a fake clock: printing a moment's options takes SHOW seconds, and each
    answer to a choice prompt is typed its scripted seconds after the prompt appears; an answer of
    None is no answer at all, so the decision timer runs out. Answers to questions take no time."""

    def __init__(self, script: list[tuple[float, str | None]]):
        self.now = 5000.0
        self.script = list(script)
        terminal = self

        class Screen(io.StringIO):
            def write(self, text):
                if text.startswith("  1. "):
                    terminal.now += SHOW
                elif text.startswith("Your choice ("):
                    terminal.think()
                return super().write(text)
        self.screen = Screen()

    def clock(self) -> float:
        return self.now

    def think(self) -> None:
        if self.script:
            seconds, line = self.script[0]
            self.now += seconds
            if line is None:
                self.script.pop(0)

    def readline(self) -> str:
        return self.script.pop(0)[1] + "\n" if self.script else ""


def grades_of(path: Path) -> dict:
    """{choice id: grade} of every choice and timer expiry, read from the scenario file itself."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    grades = {}
    for node in data["nodes"].values():
        for choice in node.get("choices", ()):
            grades[choice["id"]] = choice["grade"]
        if "timer" in node:
            grades[node["timer"]["expire"]["id"]] = node["timer"]["expire"]["grade"]
    return grades


def plan(path: Path, variant, seed: int, policy: str, grades: dict, first_ms: int):
    """Work out one scenario's play without research mode: the engine on its own, choosing by
    `policy` from the options as shown. Returns what to type (with thinking times of first_ms,
    first_ms + 137... milliseconds) and the expected decision columns."""
    from scoring import grade
    scenario = with_variant(load_scenario(path).scenario, variant)
    session = Session(scenario, seed=seed, options=SessionOptions(timers=True, shuffle=True))
    typed, rows = [], []
    while not session.ended:
        assert len(rows) < 40, "the policy does not reach an ending"
        shown = [c.id for c in session.presented()]
        node = scenario.target_ids[session.state.at]
        timed = session.timer_seconds() is not None
        before = (session.escalation, session.rapport)
        ms = first_ms + 137 * len(rows)
        if policy == "first":
            pick = shown[0]
        elif policy == "best":
            pick = min(shown, key=lambda c: RANK[grades[c]])
        else:  # "worst": the worst option shown, and the timer runs out wherever one runs
            pick = None if timed else max(shown, key=lambda c: RANK[grades[c]])
        if pick is None:
            expire = scenario.nodes[session.state.at].timer.expire.id
            session.expire_timer()
            typed.append((30.0, None))
        else:
            session.choose(pick)
            typed.append((ms / 1000, str(shown.index(pick) + 1)))
        rows.append({"decision": len(rows) + 1, "node": node, "choice": pick, "shown": shown,
                     "option_position": None if pick is None else shown.index(pick) + 1,
                     "timer_expired": pick is None, "elapsed_ms": 30250 if pick is None else 250 + ms,
                     "latency_ms": None if pick is None else ms, "before": before,
                     "after": (session.escalation, session.rapport),
                     "grade": grades[pick if pick is not None else expire]})
    report = grade(scenario, session.log)
    for row, graded in zip(rows, report.graded):
        row["scored_grade"], row["points_lost"] = graded["grade"], graded["points"]
    ending = {"ending": report.ending["id"], "outcome": report.ending["outcome"], "result": report.result,
              "overall": report.overall}
    return scenario, typed, rows, ending


def cells(value) -> str:
    """A value as the CSV holds it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def run_participant(protocol_path, code, db_url, script) -> tuple[int, str]:
    terminal = Terminal(script)
    args = parse_args(["research", "run", str(protocol_path), "--participant", code, "--db", db_url])
    status = research.run(args, inp=terminal, out=terminal.screen, clock=terminal.clock)
    return status, terminal.screen.getvalue()


def test_three_participants_run_through_a_protocol_and_the_export_is_right_cell_by_cell(db_url, tmp_path, capsys):
    protocol_path = tmp_path / "study.yaml"
    protocol_path.write_text(STUDY, encoding="utf-8")
    sha = hashlib.sha256(STUDY.encode("utf-8")).hexdigest()
    grades = {DEAF: grades_of(DEAF), COLLISION: grades_of(COLLISION)}
    # Enrolment positions 1, 2, 3: the order rotates, the Deaf driver's family goes round (by hand,
    # from docs/research.md's rule, not from `assign`).
    people = [
        ("P01", 1, [(1, DEAF, "lindqvist", "first"), (2, COLLISION, None, "first")], ("12", "none"), ("5", "ok")),
        ("P02", 2, [(2, COLLISION, None, "best"), (1, DEAF, "brooks", "best")], ("3", "some"), ("6", "")),
        ("P03", 3, [(1, DEAF, "chen", "worst"), (2, COLLISION, None, "worst")], ("40", "lots"), ("2", "=1+1")),
    ]
    expected, plans = [], {}
    for code, position, plays, pre, post in people:
        for order, (index, path, variant, policy) in enumerate(plays, 1):
            first_ms = 1000 * position + 400 * order
            plans[code, order] = plan(path, variant, 11 if path == DEAF else 12, policy, grades[path], first_ms)
            scenario, _typed, rows, ending = plans[code, order]
            for row in rows:
                expected.append({
                    "protocol_id": "three-study", "protocol_sha256": sha, "protocol_changed": False,
                    "participant": code, "position": position, "scenario_index": index, "play_order": order,
                    "scenario_id": scenario.id, "scenario_version": scenario.version,
                    "content_hash": scenario.content_hash, "variant": variant, "seed": 11 if path == DEAF else 12,
                    "option_order": "shuffled", "session_status": "complete",
                    "attempts": 2 if (code, order) == ("P02", 1) else 1, "decision": row["decision"],
                    "node": row["node"], "choice": row["choice"], "option_position": row["option_position"],
                    "options_shown": len(row["shown"]), "shown_order": "|".join(row["shown"]),
                    "timer_expired": row["timer_expired"], "elapsed_ms": row["elapsed_ms"],
                    "latency_ms": row["latency_ms"], "escalation_before": row["before"][0],
                    "escalation_after": row["after"][0], "rapport_before": row["before"][1],
                    "rapport_after": row["after"][1], "grade": row["grade"], "scored_grade": row["scored_grade"],
                    "points_lost": row["points_lost"], **ending,
                    "pre_years": pre[0], "pre_trained": pre[1], "post_confidence": post[0],
                    "post_comment": post[1] or None})
    assert any(r["timer_expired"] for r in expected) and len({r["latency_ms"] for r in expected}) > 20

    def script(code, pre, post, parts):
        typed = [(0.0, pre[0]), (0.0, str(["none", "some", "lots"].index(pre[1]) + 1))] if pre else []
        for order in parts:
            typed += plans[code, order][1]
        return typed + ([(0.0, post[0]), (0.0, post[1])] if post else [])

    for code, _position, _plays, pre, post in people:
        if code == "P02":  # input ends three decisions into the first scenario; the second run resumes there
            first = script(code, pre, None, [])
            first += [(0.0, "x")] + plans[code, 1][1][:3]  # a wrong answer is asked again, and costs nothing
            status, out = run_participant(protocol_path, code, db_url, first)
            assert status == 3 and "Please type a number from 1 to" in out and "run the same command again" in out
            status, out = run_participant(protocol_path, code, db_url, script(code, None, post, [1, 2]))
            assert "going on where they left off" in out and "Years of service?" not in out
        else:
            status, out = run_participant(protocol_path, code, db_url, script(code, pre, post, [1, 2]))
        assert status == 0, out
        assert "Thank you. Everything is recorded" in out

    target = tmp_path / "study.csv"
    capsys.readouterr()
    assert main(["export", "research", str(protocol_path), "-o", str(target), "--db", db_url]) == 0
    assert f"{len(expected)} rows written to {target} (3 participants, 6 sessions)." in capsys.readouterr().out
    with open(target, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    protocol = load_protocol(protocol_path).protocol
    assert header == list(protocol.columns) == list(IDENTITY_COLUMNS) + [
        c for group in COLUMN_GROUPS.values() for c in group] + ["pre_years", "pre_trained", "post_confidence",
                                                                 "post_comment"]
    assert len(rows) == len(expected)
    store = Store.open(db_url)
    sessions = {(entry["participant"], entry["play_order"]): row
                for row, entry in store.research_sessions("three-study") if row.status == "complete"}
    for number, (row, want) in enumerate(zip(rows, expected), 1):
        want = {**want, "session_uid": sessions[want["participant"], want["play_order"]].uid}
        if want["post_comment"] == "=1+1":
            want["post_comment"] = "'=1+1"  # a formula is neutralised
        for column, value in zip(header, row):
            assert value == cells(want[column]), f"row {number}, column {column}: {value!r} != {want[column]!r}"

    # every choice names the participant as who decided; each timer that ran out took the time it did
    log = store.log(sessions["P03", 1].uid)
    assert all(e["actor"] == {"role": "participant", "id": "P03"} for e in log if e["type"] == "choice_made")
    assert [e["elapsed"] for e in log if e["type"] == "timer_expired"] == [30.25] * 3
    abandoned = [row for row, entry in store.research_sessions("three-study") if row.status == "abandoned"]
    assert [r.status_detail for r in abandoned] == ["input ended"]
    store.close()

    # the protocol file changes: the export says so in every row and on stderr
    protocol_path.write_text(STUDY + "# a comment\n", encoding="utf-8")
    assert main(["export", "research", str(protocol_path), "-o", str(target), "--db", db_url]) == 0
    assert "6 parts were played under another version" in capsys.readouterr().err
    with open(target, newline="", encoding="utf-8") as handle:
        changed = list(csv.DictReader(handle))
    assert {(r["protocol_changed"], r["protocol_sha256"]) for r in changed} == {("true", sha)}


def test_an_enrolled_participant_who_has_not_played_has_one_row_per_assigned_scenario(db_url, tmp_path):
    protocol_path = tmp_path / "study.yaml"
    protocol_path.write_text(STUDY, encoding="utf-8")
    status, _out = run_participant(protocol_path, "P07", db_url, [(0.0, "9")])  # input ends at the second question
    assert status == 3
    target = tmp_path / "out.csv"
    assert main(["export", "research", str(protocol_path), "-o", str(target), "--db", db_url]) == 0
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    deaf = load_scenario(DEAF).scenario
    assert [(r["scenario_id"], r["session_status"], r["variant"], r["seed"], r["decision"], r["pre_years"],
             r["pre_trained"], r["content_hash"]) for r in rows] == [
        ("deaf-driver-traffic-stop", "not-started", "lindqvist", "11", "", "9", "", deaf.content_hash),
        ("collision-limited-english", "not-started", "", "12", "", "9", "", rows[1]["content_hash"])]


def test_codes_that_look_like_names_or_pseudonyms_and_stray_arguments_are_usage_errors(tmp_path, capsys):
    protocol_path = tmp_path / "study.yaml"
    protocol_path.write_text(STUDY, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'r.db'}"
    for code in ("Jane Smith", "t-0123456789", ""):
        assert main(["research", "run", str(protocol_path), "--participant", code, "--db", db]) == 2
    assert main(["research", "run", str(protocol_path), "--db", db]) == 2
    assert main(["export", "research", "--db", db]) == 2
    assert main(["export", "csv", str(protocol_path), "--db", db]) == 2
    assert main(["export", "research", str(protocol_path), "--since", "2026-01-01", "--db", db]) == 2
    assert "never a name" in capsys.readouterr().err


# --- forgetting a participant ----------------------------------------------------------------------
def count(store, table) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar()


def test_forget_removes_a_participants_enrolment_and_answers_and_deleting_a_trainee_cascades(db_url, capsys):
    store = Store.open(db_url)
    one = store.research_enrol("study", "a" * 64, "P01")
    two = store.research_enrol("study", "a" * 64, "P02")
    again = store.research_enrol("study", "b" * 64, "P01")
    assert (one.position, two.position, again.position, again.new, again.protocol_sha256) == (1, 2, 1, False, "a" * 64)
    store.research_answer(one.participant, "pre", "years", "3")
    store.research_answer(one.participant, "pre", "years", "4")  # a new answer replaces the old one
    store.research_answer(two.participant, "post", "confidence", "5")
    assert store.research_answers(one.participant) == {("pre", "years"): "4"}
    store.close()
    assert main(["forget", "P01", "--db", db_url]) == 0
    assert "study" in capsys.readouterr().out
    store = Store.open(db_url)
    assert count(store, schema.research_participants) == 1 and count(store, schema.research_answers) == 1
    with store.engine.begin() as connection:  # the foreign keys cascade on their own too
        connection.execute(delete(schema.trainees).where(schema.trainees.c.id == two.trainee))
    assert count(store, schema.research_participants) == 0 and count(store, schema.research_answers) == 0
    assert store.research_enrol("study", "a" * 64, "P03").position == 1  # positions are per protocol, from 1
    store.close()
