"""`parley lint`: each lint code on a small scenario written for it (and not on its corrected
version), the bundled scenarios, exit codes, --json, --strict, files left unchanged, and the docs."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from simulator.authoring import lint as L
from simulator.cli.lint import lint_file
from simulator.cli.main import main
from simulator.content.loader import bundled_scenarios, load_scenario

ROOT = Path(__file__).resolve().parent.parent
WORDS = " ".join(["The porch light flickers while a dog barks two houses down the quiet street."] * 6)

# A clean scenario: validate and lint find nothing in it. Each test breaks one thing.
CLEAN = f"""format: 1
id: linty
version: "1"
title: "Lint test"
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
state:
  escalation: 2
  rapport: 0
  hidden_factor: {{id: worry, kind: other, description: "Ana is worried about her brother."}}
start: door
nodes:
  door:
    label: "At the door"
    shows: compliant
    narrative: "{WORDS}"
    perspective: "Ana is worried."
    timer:
      seconds: 20
      expire: {{id: door-wait, grade: mistake, tags: [rush], feedback: "Waiting lets the worry grow.", next: talk}}
    choices:
      - {{id: door-ask, text: "Ask Ana what happened tonight.", tags: [open-question], grade: good, feedback: "Why.", next: talk}}
      - {{id: door-order, text: "Tell Ana to step out here now.", tags: [shouting], grade: mistake, feedback: "Why.", next: talk}}
  talk:
    label: "Talking"
    shows: compliant
    narrative: "{WORDS}"
    perspective: "Ana wants help."
    choices:
      - {{id: talk-refer, text: "Call the crisis team for her.", tags: [call-specialist], grade: good, feedback: "Why.", next: referred-end}}
      - {{id: talk-cuff, text: "Put Ana in handcuffs at once.", tags: [threaten], grade: mistake, feedback: "Why.", next: arrest-end}}
endings:
  referred-end: {{outcome: referred, title: "Referred", text: "The team arrives.", debrief: "Good.", perspective: "Ana feels heard."}}
  arrest-end: {{outcome: arrest, title: "Arrested", text: "Ana is arrested.", debrief: "Poor.", perspective: "Ana feels betrayed."}}
"""

HARD_NODE = """  hard:
    label: "Hard"
    shows: compliant
    narrative: "Ana's brother arrives shouting."
    perspective: "Ana is scared."
    choices:
      - {id: hard-threat, text: "Threaten to arrest them both.", tags: [threaten], grade: major, feedback: "Why.", next: arrest-end}
      - {id: hard-shout, text: "Shout at them both to be quiet.", tags: [shouting], grade: major, feedback: "Why.", next: arrest-end}
"""


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (code, the broken scenario, the line of the finding's text) for each lint code
BROKEN = {
    "lint-untagged-choice": (edit(CLEAN, "tags: [open-question], ", ""), "door-ask"),
    "lint-expiry-without-feedback": (edit(CLEAN, 'feedback: "Waiting lets the worry grow.", ', ""), "door-wait"),
    "lint-no-perspective": (edit(CLEAN, '    perspective: "Ana wants help."\n', ""), "  talk:"),
    "lint-decision-cannot-matter": (edit(CLEAN, 'text: "Tell Ana to step out here now.", tags: [shouting], grade: mistake',
                                         'text: "Ask Ana who else is at home.", tags: [open-question], grade: good'),
                                    "door-ask"),
    "lint-negative-training": (edit(edit(CLEAN, "grade: good, feedback: \"Why.\", next: talk}", 
                                         "grade: good, feedback: \"Why.\", next: hard}"),
                                    "  talk:\n", HARD_NODE + "  talk:\n"), "door-order"),
    "lint-success-needs-poor-play": (edit(CLEAN, "arrest-end: {outcome: arrest", "arrest-end: {outcome: resolved"),
                                     "arrest-end:"),
    "lint-longer-than-stated": (edit(CLEAN, f'    narrative: "{WORDS}"\n    perspective: "Ana wants help."',
                                     f'    narrative: "{" ".join([WORDS] * 5)}"\n    perspective: "Ana wants help."'),
                                "minutes:"),
    "lint-shorter-than-stated": (edit(CLEAN, "minutes: 1", "minutes: 5"), "minutes:"),
}


def write(tmp_path: Path, text: str, name: str = "linty.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_clean_scenario_has_no_finding_at_all(tmp_path):
    assert lint_file(write(tmp_path, CLEAN)) == []


def test_every_code_has_a_scenario_here():
    assert set(BROKEN) == set(L.CODES)


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_each_code_fires_on_its_scenario_and_only_there(tmp_path, code):
    text, anchor = BROKEN[code]
    path = write(tmp_path, text)
    found = lint_file(path)
    assert not [d for d in found if d.severity == "error"], [d.format() for d in found]
    mine = [d for d in found if d.code == code]
    assert mine, [d.format() for d in found]
    lines = text.splitlines()
    for d in mine:
        assert d.severity == "warning" and d.file == str(path) and d.hint
    # the first finding points at the thing it is about
    assert any(anchor in lines[d.line - 1] for d in mine), [(d.line, lines[d.line - 1]) for d in mine]
    assert code not in {d.code for d in lint_file(write(tmp_path, CLEAN, "fixed.yaml"))}


def test_findings_are_sorted_by_position(tmp_path):
    text = edit(edit(CLEAN, "tags: [open-question], ", ""), '    perspective: "Ana wants help."\n', "")
    found = lint_file(write(tmp_path, edit(text, "minutes: 1", "minutes: 5")))
    assert len({d.code for d in found}) == 3
    assert [(d.line, d.column) for d in found] == sorted((d.line, d.column) for d in found)


def test_endings_without_perspective_are_reported_too(tmp_path):
    text = edit(CLEAN, ', perspective: "Ana feels betrayed."', "")
    found = [d for d in lint_file(write(tmp_path, text)) if d.code == "lint-no-perspective"]
    assert len(found) == 1 and "arrest-end" in found[0].message


def test_negative_training_names_both_options_and_their_expected_scores(tmp_path):
    text, _ = BROKEN["lint-negative-training"]
    scenario = load_scenario(write(tmp_path, text), use_cache=False).scenario
    rows = {(r.node, r.choice): r for r in L.negative_training(scenario)}
    row = rows[("door", "door-order")]
    assert (row.grade, row.best_choice, row.expected, row.best_expected) == ("mistake", "door-ask", 88.0, 75.0)
    assert ("door", "door-wait") in rows  # letting the timer run out pays too


def test_a_decision_matters_when_the_rules_grade_or_place_differ(tmp_path):
    same, _ = BROKEN["lint-decision-cannot-matter"]
    # information-gathering triggers no behaviour rule: the two options still do the same thing
    rule_free = edit(same, "who else is at home.\", tags: [open-question]",
                     "who else is at home.\", tags: [open-question, information-gathering]")
    other_rule = edit(same, "who else is at home.\", tags: [open-question]", "who else is at home.\", tags: [empathy]")
    other_grade = edit(same, "who else is at home.\", tags: [open-question], grade: good",
                       "who else is at home.\", tags: [open-question], grade: acceptable")
    other_place = edit(same, 'tags: [open-question], grade: good, feedback: "Why.", next: talk}\n  talk',
                       'tags: [open-question], grade: good, feedback: "Why.", next: referred-end}\n  talk')
    def codes(text, name):
        return {d.code for d in lint_file(write(tmp_path, text, name))}
    assert "lint-decision-cannot-matter" in codes(rule_free, "a.yaml")
    for name, text in (("b.yaml", other_rule), ("c.yaml", other_grade), ("d.yaml", other_place)):
        assert "lint-decision-cannot-matter" not in codes(text, name), name


def test_good_play_endings_follow_good_and_acceptable_decisions_only(tmp_path):
    scenario = load_scenario(write(tmp_path, CLEAN), use_cache=False).scenario
    assert L.good_play_endings(scenario) == {"referred-end"}
    acceptable = edit(CLEAN, "tags: [threaten], grade: mistake", "tags: [explain-reason], grade: acceptable")
    scenario = load_scenario(write(tmp_path, acceptable, "b.yaml"), use_cache=False).scenario
    assert L.good_play_endings(scenario) == {"referred-end", "arrest-end"}


def test_playing_time_counts_reading_deciding_and_timers(tmp_path):
    scenario = load_scenario(write(tmp_path, CLEAN), use_cache=False).scenario
    quickest, longest = L.playthrough_seconds(scenario)
    words = lambda text: L.words(text) * 60 / L.READING_WPM  # noqa: E731
    brief = words("Lint test") + words("Built by a test.") + words("none") + words("An objective.")
    assert brief == pytest.approx(L.briefing_seconds(scenario))
    # the door's timer (20 s) caps the decision there; talk: reading plus deciding; then the ending
    options = words("Call the crisis team for her.") + words("Put Ana in handcuffs at once.")
    talk = words(WORDS) + options + L.DECISION_SECONDS
    assert quickest == pytest.approx(brief + 20 + talk + words("Referred") + words("The team arrives."))
    assert longest == pytest.approx(brief + 20 + talk + words("Arrested") + words("Ana is arrested."))


def test_a_loop_has_a_finite_bound_on_the_longest_playthrough(tmp_path):
    looping = edit(CLEAN, 'tags: [threaten], grade: mistake, feedback: "Why.", next: arrest-end',
                   'tags: [threaten], grade: mistake, feedback: "Why.", next: door')
    looping = edit(looping, 'tags: [shouting], grade: mistake, feedback: "Why.", next: talk',
                   'tags: [shouting], grade: mistake, feedback: "Why.", next: arrest-end')
    result = load_scenario(write(tmp_path, looping), use_cache=False)
    assert result.scenario is not None, [d.format() for d in result.errors]
    quickest, longest = L.playthrough_seconds(result.scenario)
    assert quickest < longest < float("inf")


def test_words_are_counted_like_a_reader_would():
    assert L.words("Don't step back-to-back, Ana.") == 4
    assert L.words("") == 0


# --- the command -----------------------------------------------------------------------------------
def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(["lint", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_exit_codes_and_strict(tmp_path, capsys):
    clean = write(tmp_path, CLEAN, "clean.yaml")
    warned = write(tmp_path, BROKEN["lint-untagged-choice"][0], "warned.yaml")
    broken = write(tmp_path, edit(CLEAN, "start: door", "start: nowhere"), "broken.yaml")
    assert run(capsys, clean)[0] == 0
    assert run(capsys, clean, "--strict")[0] == 0
    status, out, _ = run(capsys, warned)
    assert status == 0 and "lint-untagged-choice" not in out and "has no technique tags" in out
    assert re.search(r"warned\.yaml:\d+:\d+: warning: choice 'door-ask' has no technique tags.*\(hint: ", out)
    assert out.splitlines()[-1] == "1 file checked: 1 valid, 0 with problems (0 errors, 1 warning)."
    assert run(capsys, warned, "--strict")[0] == 1
    status, out, _ = run(capsys, broken)
    assert status == 1 and ": error: " in out and "lint-" not in out
    status, _, err = run(capsys, tmp_path / "missing.yaml")
    assert status == 2 and "no such file" in err
    assert run(capsys, clean, tmp_path / "missing.yaml")[0] == 1


def test_json_has_validates_shape(tmp_path, capsys):
    warned = write(tmp_path, BROKEN["lint-no-perspective"][0], "warned.yaml")
    status, out, _ = run(capsys, warned, "--json")
    assert status == 0
    linted = json.loads(out)
    assert main(["validate", str(warned), "--json"]) == 0
    validated = json.loads(capsys.readouterr()[0])
    assert set(linted) == set(validated) == {"files", "valid", "invalid"}
    assert set(linted["files"][0]) == set(validated["files"][0]) == {"file", "ok", "diagnostics"}
    diagnostic = next(d for d in linted["files"][0]["diagnostics"] if d["code"] == "lint-no-perspective")
    assert set(diagnostic) == {"file", "line", "column", "severity", "code", "message", "hint"}
    assert diagnostic["severity"] == "warning" and diagnostic["line"] > 0
    assert (linted["valid"], linted["invalid"]) == (1, 0)
    assert run(capsys, warned, "--json", "--strict")[0] == 1


def test_lint_leaves_every_file_byte_identical(tmp_path, capsys):
    paths = [write(tmp_path, text, f"{code}.yaml") for code, (text, _) in BROKEN.items()]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    run(capsys, tmp_path)
    run(capsys, tmp_path, "--json", "--strict")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths} == before
    assert sorted(tmp_path.iterdir()) == sorted(paths)


# --- the bundled scenarios ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundled_findings():
    paths = bundled_scenarios()
    before = {p: p.read_bytes() for p in paths}
    found = {p.stem: lint_file(p) for p in paths}
    assert {p: p.read_bytes() for p in paths} == before
    return found


def test_bundled_scenarios_have_no_errors_and_no_serious_lint_findings(bundled_findings):
    assert len(bundled_findings) == 8
    for name, found in bundled_findings.items():
        assert not [d for d in found if d.severity == "error"], name
        codes = {d.code for d in found}
        # the acceptance audit holds them to these already; lint must agree
        assert not codes & {"lint-negative-training", "lint-decision-cannot-matter"}, (name, codes)
        assert not codes & {"lint-longer-than-stated", "lint-shorter-than-stated"}, (name, codes)
        assert all(d.code in L.CODES or d.code in validate_warning_codes() for d in found), codes


def test_bundled_findings_point_at_what_they_name(bundled_findings):
    for name, found in bundled_findings.items():
        lines = (ROOT / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
        for d in found:
            if d.code == "lint-untagged-choice":
                assert re.search(r"'([^']+)'", d.message).group(1) in lines[d.line - 1], d.format()
            if d.code == "lint-success-needs-poor-play":
                ending = re.search(r"'([^']+)'", d.message).group(1)
                assert lines[d.line - 1].strip().startswith(ending + ":"), d.format()


# --- the documentation -------------------------------------------------------------------------------
def validate_warning_codes() -> set[str]:
    """Every warning code validate's checks can give, read from their source."""
    codes = set()
    for path in (ROOT / "simulator" / "content").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        # the code is the first string after the position argument: `.warning(pos(...), "code", ...`
        codes |= set(re.findall(r"\.warning\([\s\S]{0,200}?(?:\)|None),\s*\"([a-z][a-z0-9-]+)\",", source))
        codes |= set(re.findall(r"\(\w+, \"[^\"]+\", \"(best-is-[a-z]+)\"\)", source))
    return codes


def test_validate_warning_codes_are_found():
    assert {"no-feedback", "missing-translation", "best-is-longest", "best-is-first", "best-is-middle",
            "self-justifying-text", "no-shows", "no-reviewers"} <= validate_warning_codes()


def test_every_code_lint_can_print_is_documented():
    text = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^###[^\n]*?`([a-z][a-z0-9-]+)`", text, re.MULTILINE))
    documented |= set(re.findall(r"^### `[a-z-]+` and `([a-z][a-z0-9-]+)`", text, re.MULTILINE))
    wanted = set(L.CODES) | validate_warning_codes()
    assert wanted <= documented, sorted(wanted - documented)
    assert documented <= wanted, sorted(documented - wanted)
    for code in L.CODES:
        assert code.startswith("lint-")
