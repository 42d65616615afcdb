"""Rubric files and scenario `scoring:` sections: valid ones load, invalid ones give every problem at
once as FILE:LINE:COL diagnostics with hints, never a traceback."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.rubric import (
    DEFAULT_RUBRIC_PATH,
    check_scenario_scoring_file,
    default_rubric,
    load_rubric,
    load_rubric_bytes,
    scenario_rubric,
)
from simulator.content.loader import load_or_raise

ROOT = Path(__file__).resolve().parent.parent
COMPETENCIES = {"information-assessment", "time-distance-cover", "active-listening", "command-discipline",
                "empathy-rapport", "procedural-justice", "proportionality", "communication-access",
                "cultural-awareness", "crisis-referral", "teamwork-intervention"}

BAD = """rubric: broken
version: 1
competencies:
  - id: listening
    name: Listening
    weight: "heavy"
    tags: {open-questoin: +1, emotion-labelling: 0}
  - id: listening
    name: Again
    weight: 1
    tags: {open-question: 1}
    colour: red
grades: {acceptable: {overall: 4, competency: 5}, mistake: {overall: 12, competency: 20}, major: {overall: 25}}
proportionality:
  max_force_by_behaviour: {compliant: verbal, not-responding: verbal, pulling-away: soft, assaultive: x, life-threatening: nuclear}
thresholds: {pass: 40, fail_below: 60}
critical_errors:
  - id: bad-when
    name: Bad
    check: decision
    tags: [shouting]
    when: "escalation >>= 4"
    why: "x"
  - id: nothing
    name: Checks nothing
    check: decision
    why: "y"
"""


def test_default_rubric_has_the_eleven_competencies():
    rubric = default_rubric()
    assert {c.id for c in rubric.competencies} == COMPETENCIES
    assert {"disproportionate-force", "deadly-force-danger-to-self", "child-interpreter",
            "fail-to-intervene"} <= {c.id for c in rubric.critical_errors}
    rubric2, diags = load_rubric(DEFAULT_RUBRIC_PATH)
    assert rubric2 is not None and not [d for d in diags if d.severity == "error"]


def test_invalid_rubric_reports_every_problem_with_lines(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    rubric, diags = load_rubric(path)
    assert rubric is None
    text = "\n".join(d.format() for d in diags)
    expected = [
        (6, "weight should be number"),
        (7, "unknown technique tag 'open-questoin'"),
        (7, "must not be 0"),
        (8, "defined twice"),
        (12, "unknown key 'colour'"),
        (13, "critical"),
        (15, "'nuclear' is not allowed"),
        (16, "fail_below (60) is above pass (40)"),
        (22, "bad-when"),
        (24, "names no tags, choices or endings"),
    ]
    for line, words in expected:
        assert any(d.line == line and words in d.message for d in diags), (line, words, text)
    assert all(d.file == str(path) and d.line > 0 and d.column > 0 for d in diags)
    assert "did you mean 'open-question'?" in text
    assert all(line.startswith(f"{path}:") for line in text.splitlines())


def test_yaml_problems_are_diagnostics():
    for raw, code in [(b"rubric: [unclosed\n", "yaml-syntax"), (b"a: 1\na: 2\n", "duplicate-key"),
                      (b"x: !!python/object:os.system echo\n", "tag"), (b"", "empty"), (b"\xff\xfe", "encoding")]:
        rubric, diags = load_rubric_bytes(raw, "r.yaml")
        assert rubric is None
        assert any(d.code == code for d in diags), (raw, [d.format() for d in diags])


def test_missing_file_is_a_diagnostic(tmp_path):
    rubric, diags = load_rubric(tmp_path / "nope.yaml")
    assert rubric is None and diags[0].code == "unreadable"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_rubrics_never_raise(data):
    lines = DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8").splitlines()
    op = data.draw(st.sampled_from(["delete", "duplicate", "garble", "bytes"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "garble":
        lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))] + data.draw(st.text(max_size=8))
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    if op == "bytes":
        raw = data.draw(st.binary(max_size=200))
    rubric, diags = load_rubric_bytes(raw, "mutated.yaml")
    assert (rubric is None) == any(d.severity == "error" for d in diags)


SCENARIO = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")


def test_scenario_scoring_section_problems_have_lines(tmp_path):
    text = SCENARIO + """scoring:
  competencies:
    listening: {tags: {open-question: 1}}
    active-listening: {tags: {open-questoin: 1}}
  critical_errors:
    - {id: new-one, choices: [shuot]}
    - {id: child-interpreter, except_nodes: [nowhere]}
  objectives:
    listen: {met_by: {choices: [listen]}, missed_by: {choices: [demand]}}
    unknown-objective: {met_by: {tags: [open-question]}}
  thresholds: {pass: 50}
"""
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    diags = check_scenario_scoring_file(path)
    messages = [(d.line, d.code) for d in diags]
    base = SCENARIO.count("\n")
    assert (base + 3, "unknown-competency") in messages
    assert (base + 4, "unknown-tag") in messages
    assert any(code == "unknown-choice" and line == base + 6 for line, code in messages)
    assert any(code == "missing-key" and line == base + 6 for line, code in messages)
    assert (base + 7, "unknown-node") in messages
    assert (base + 10, "unknown-objective") in messages
    assert (base + 11, "looser-threshold") in messages
    assert any("did you mean 'shout'?" in d.hint for d in diags)


def test_scenario_scoring_shape_is_checked_by_the_loader(tmp_path):
    from simulator.content.loader import load_scenario
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO + "scoring:\n  critcal_errors: []\n", encoding="utf-8")
    result = load_scenario(path, use_cache=False)
    assert result.scenario is None
    assert any(d.code == "unknown-key" and "critcal_errors" in d.message for d in result.errors)


def test_scenario_additions_merge():
    scenario = load_or_raise(ROOT / "scenarios" / "deaf-driver-traffic-stop.yaml", use_cache=False)
    merged = scenario_rubric(scenario)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert check_scenario_scoring_file(path) == [], path
    if scenario.scoring.get("critical_errors"):
        ids = {c.id for c in merged.critical_errors}
        assert {c["id"] for c in scenario.scoring["critical_errors"]} <= ids


def test_scenario_additions_change_grading(tmp_path):
    from scoring import grade
    from simulator.engine.session import Session
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO + """scoring:
  competencies:
    crisis-referral: {weight: 2, tags: {open-question: 1}}
  critical_errors:
    - {id: no-shouting-here, name: "Shouting at Sam", why: "Sam is Deaf.", tags: [shouting]}
  objectives:
    listen: {met_by: {choices: [listen]}, missed_by: {tags: [shouting]}}
  thresholds: {pass: 90}
""", encoding="utf-8")
    scenario = load_or_raise(path, use_cache=False)
    merged = scenario_rubric(scenario)
    assert merged.thresholds["pass"] == 90
    assert merged.competency("crisis-referral").tags["open-question"] == 1
    session = Session(scenario, seed=1)
    session.choose("listen", elapsed=3)
    session.choose("shout", elapsed=3)
    session.choose("leave", elapsed=3)
    assert session.ended
    report = grade(scenario, session.log).to_json()
    crisis = next(c for c in report["competencies"] if c["id"] == "crisis-referral")
    assert crisis["observed"] and crisis["evidence"][0]["choice"] == "listen"
    assert [e["id"] for e in report["critical_errors"]] == ["no-shouting-here"]
    objective = report["objectives"][0]
    assert objective["met"] is False and "“Shout.”" in objective["why"] and "shout" not in objective["why"]


def test_thousands_of_unknown_ids_in_the_scoring_section_are_all_reported_quickly(tmp_path):
    """'Did you mean' is bounded: 20,000 unknown choice ids are each reported, in well under 2 s."""
    import importlib.util
    import time

    from simulator.content.loader import load_scenario
    spec = importlib.util.spec_from_file_location("parley_bench_generate", ROOT / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    text = generate.generate(100)  # 302 choices: enough candidates for difflib per word to add up (15 s before)
    lists = []
    for k in range(20):  # 20 lists of 1,000 (the loader's limit on one list)
        ids = "".join(f"          - no-such-choice-{k}-{i}\n" for i in range(1_000))
        lists.append(f"    objective-{k}:\n      met_by:\n        choices:\n{ids}")
    path = tmp_path / "flood.yaml"
    path.write_text(text + "scoring:\n  objectives:\n" + "".join(lists))
    started = time.process_time()
    diagnostics = check_scenario_scoring_file(path)
    elapsed = time.process_time() - started
    codes = [d.code for d in diagnostics]
    assert codes.count("unknown-choice") == 20_000
    assert sum("did you mean" in d.hint for d in diagnostics) <= 50
    assert elapsed < 5, f"{elapsed:.2f} s CPU"  # 0.84 s now, 15 s before: a guard, not a benchmark
    assert load_scenario(path, use_cache=False).scenario is not None
    assert codes.count("unknown-objective") == 20
