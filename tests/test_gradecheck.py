"""validate's grading checks: every decision graded, mistakes that count against something, force
judged against a stated behaviour, and the tells that let a trainee pass without reading."""
from __future__ import annotations

from simulator.content.loader import load_scenario_bytes


def scenario(options_per_node: list[list[tuple[str, str, str]]], node_extra: str = "  ") -> str:
    """Linear scenario; each option is (text, grade, extra YAML inside the choice mapping)."""
    nodes = []
    for i, options in enumerate(options_per_node):
        nxt = f"n{i + 1}" if i + 1 < len(options_per_node) else "done"
        lines = [f"      - {{id: c{i}-{j}, text: \"{text}\", grade: {grade}, feedback: \"Why.\", next: {nxt}{extra}}}"
                 for j, (text, grade, extra) in enumerate(options)]
        nodes.append(f"  n{i}:\n    label: \"Step {i}\"\n{node_extra}  narrative: \"Step {i}.\"\n    choices:\n"
                     + "\n".join(lines))
    return f"""format: 1
id: tells
version: "1"
title: "Tells"
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
start: n0
nodes:
{chr(10).join(nodes)}
endings:
  done: {{outcome: resolved, title: "Done", text: "Done.", debrief: "Done."}}
"""


def codes(text: str) -> list[str]:
    return [d.code for d in load_scenario_bytes(text.encode(), "tells.yaml").diagnostics]


SHORT, MID, LONG = "Ask what happened now.", "Ask her what happened at the sign.", "Ask her what happened back at the stop sign."
HARM = ", tags: [shouting]"


def test_best_always_in_the_middle_is_a_tell():
    middle = [[(SHORT, "mistake", HARM), (MID, "good", ""), (LONG, "mistake", HARM)]] * 5
    assert "best-is-middle" in codes(scenario(middle, "    shows: compliant\n  "))
    varied = [[(SHORT, "good" if i % 3 == 0 else "mistake", "" if i % 3 == 0 else HARM),
               (MID, "good" if i % 3 == 1 else "mistake", "" if i % 3 == 1 else HARM),
               (LONG, "good" if i % 3 == 2 else "mistake", "" if i % 3 == 2 else HARM)] for i in range(6)]
    found = codes(scenario(varied, "    shows: compliant\n  "))
    assert not {"best-is-middle", "best-is-longest", "best-is-first"} & set(found), found


def test_best_always_longest_and_first_are_tells():
    longest = [[(LONG, "good", ""), (MID, "mistake", HARM), (SHORT, "mistake", HARM)]] * 5
    found = codes(scenario(longest, "    shows: compliant\n  "))
    assert "best-is-longest" in found and "best-is-first" in found


def test_ungraded_and_uncounted_mistakes_are_errors():
    found = codes(scenario([[(SHORT, "good", ""), (MID, "mistake", "")]]).replace(", grade: good", "", 1))
    assert "ungraded" in found and "grade-without-competency" in found


def test_force_needs_the_behaviour_shown():
    force = [[(SHORT, "good", ""), (MID, "critical", ", force: soft-empty-hand, tags: [force, touch-without-explanation]")]]
    assert "force-without-shows" in codes(scenario(force))
    assert "force-without-shows" not in codes(scenario(force, "    shows: pulling-away\n  "))


def test_options_that_justify_themselves_and_unbalanced_lengths_are_flagged():
    found = codes(scenario([[("Calmly ask what happened so that she feels heard.", "good", ""),
                             ("Shout.", "mistake", HARM)]], "    shows: compliant\n  "))
    assert "self-justifying-text" in found and "unbalanced-lengths" in found


def test_each_ungraded_choice_is_reported_at_its_own_line():
    text = scenario([[(SHORT, "good", ""), (MID, "good", ""), (LONG, "good", "")]]).replace(", grade: good", "")
    lines = [d.line for d in load_scenario_bytes(text.encode(), "tells.yaml").diagnostics if d.code == "ungraded"]
    assert len(lines) == 3 and len(set(lines)) == 3, lines
