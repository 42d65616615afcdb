"""Words for people: what a debrief calls a scene, a choice and a grade (never an id)."""
from __future__ import annotations

from simulator.engine.model import Scenario

GRADE_WORDS = {"good": "good practice", "acceptable": "acceptable, not the best here", "mistake": "a mistake",
               "major": "a major error", "critical": "a critical error"}


def scene_label(scenario: Scenario, node_id: str, lang: str) -> str:
    """What people call a scene: its label, else the ending's title, else a neutral phrase (never the id)."""
    index = scenario.target_index.get(node_id)
    if index is None:
        return "a scene"
    if scenario.is_ending(index):
        return scenario.ending_at(index).title.get(lang, scenario.language)
    node = scenario.nodes[index]
    if node.label is not None:
        return node.label.get(lang, scenario.language)
    return f"decision point {index + 1}"


def choice_label(choice, lang: str, default: str) -> str:
    """A choice as people see it: its text (a timer's expiry: "You waited")."""
    if choice.text is not None:
        return choice.text.get(lang, default)
    return "You waited: the time to decide ran out" if choice.is_timeout else "an option"
