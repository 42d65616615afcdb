"""The final path of a stored event log: each decision not undone, with the options shown and the levels.

One reading for every view of a stored log that has no scenario at hand (the HTML report's fallback,
xAPI, the research export): an undo drops exactly one decision (its event's `steps` is the decisions
count it returns to, not a number to drop), an inject's changes are nobody's decision (as in
scoring/trace.py), and the options shown follow `node_entered` and `inject_applied`.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Decision:
    """One decision on a session's final path, read from its log."""

    node: str
    choice: str
    timer: bool
    elapsed: float | None
    t: float | None  # session time of the decision
    actor: object  # who decided (choice_made's actor; None for a timer that ran out)
    reason: object  # why, when given (an instructor's reason for a worse-graded pick...)
    shown: list  # the options shown at that moment, in the order shown
    after: float | None  # when they appeared, in seconds after the moment did (its last choices_shown mark)
    before: tuple  # (escalation, rapport) before the decision
    moment: dict = field(repr=False, default_factory=dict)
    post: tuple | None = None  # (escalation, rapport) once its consequences were applied

    @property
    def latency_ms(self) -> int | None:
        """Milliseconds from the options appearing to the decision; None for a timer that ran out or
        a moment without a choices_shown mark."""
        if self.timer or self.after is None or self.elapsed is None:
            return None
        return round((self.elapsed - self.after) * 1000)


def final_path(log: list[dict]) -> list[Decision]:
    """The decisions on the final path of a session's event log (an undo drops the last one, as in
    grading), each with the options shown, the latest `choices_shown` mark of its moment and the
    distress and rapport levels before and after it."""
    first = log[0] if log else {}
    values = [first.get("escalation"), first.get("rapport")]
    moment: dict | None = None
    path: list[Decision] = []
    current: Decision | None = None

    def settle() -> None:
        if current is not None and current.post is None:
            current.post = tuple(values)

    for event in log:
        kind = event.get("type")
        if kind in ("node_entered", "inject_applied"):
            if kind == "inject_applied":  # an inject's changes are nobody's decision (scoring.trace does the same)
                settle()
                current = None
            moment = {"choices": list(event.get("choices") or []), "after": None}
        elif kind == "choices_shown":
            if moment is not None:
                moment["after"] = event.get("after")
        elif kind in ("choice_made", "timer_expired"):
            settle()
            moment = moment if moment is not None else {"choices": [], "after": None}
            current = Decision(event.get("node"), event.get("choice"), kind == "timer_expired", event.get("elapsed"),
                               event.get("t"), event.get("actor"), event.get("reason"), moment["choices"],
                               moment["after"], tuple(values), moment)
            path.append(current)
        elif kind == "escalation_changed":
            values[0] = event.get("to")
        elif kind == "rapport_changed":
            values[1] = event.get("to")
        elif kind == "undo":
            settle()
            if path:
                dropped = path.pop()
                values = list(dropped.before)
                moment = dropped.moment
                moment["after"] = None  # the options are shown again: only a new mark says when
            current = path[-1] if path else None
    settle()
    return path
