"""Read an event log into the final path: decisions with the state before each, and what followed."""
from __future__ import annotations

from dataclasses import dataclass

from simulator.engine.model import ESCALATION, FACTOR_REVEALED, RAPPORT, RECOVERY, Scenario

_CHANGE = {"escalation_changed": ESCALATION, "rapport_changed": RAPPORT}


@dataclass(slots=True)
class Decision:
    """One decision on the final path (undone decisions are dropped)."""

    index: int
    node: str
    choice: str
    t: float
    elapsed: float
    actor: object
    timer: bool
    pre: tuple  # every variable's value before the decision
    t_before: float
    escalation: list  # the escalation_changed events it caused
    post: tuple = ()
    outcome: int | None = None
    probability: float = 1.0
    target: str = ""
    revealed: bool = False
    recovery_started: bool = False


@dataclass
class Trace:
    """The final path of a session."""

    initial: tuple
    start: str
    decisions: list[Decision]
    undos: int
    ending: str | None
    ending_outcome: str | None
    t_end: float
    events: int


def read_trace(scenario: Scenario, log: list[dict]) -> Trace:
    """Rebuild the final path from `log` without re-running the engine.

    Values are tracked from the logged changes; an `undo` drops the last decision and restores the
    values and time before it, so only the path the trainee finally took is graded.
    """
    var_index = scenario.var_index
    values = list(scenario.initial_values)
    initial = tuple(values)
    decisions: list[Decision] = []
    undos = 0
    ending = outcome = None
    t_end = 0.0
    current: Decision | None = None

    def finish() -> None:
        if current is not None and not current.post:
            if not current.recovery_started and current.pre[RECOVERY] > 0:
                values[RECOVERY] = current.pre[RECOVERY] - 1
            current.post = tuple(values)

    for event in log:
        kind = event["type"]
        slot = _CHANGE.get(kind)
        if slot is not None or kind == "variable_changed":
            if slot is None:
                slot = var_index.get(event.get("name"))
            if slot is not None:
                values[slot] = event["to"]
            if slot == ESCALATION and current is not None:
                current.escalation.append(event)
        elif kind == "choice_made" or kind == "timer_expired":
            finish()
            timer = kind == "timer_expired"
            current = Decision(len(decisions), event["node"], event["choice"], event["t"], event.get("elapsed", 0.0),
                               event.get("actor", "clock" if timer else "trainee"), timer, tuple(values),
                               decisions[-1].t if decisions else 0.0, [])
            decisions.append(current)
            ending = outcome = None
        elif kind == "node_entered":
            if current is not None:
                current.target = event["node"]
        elif kind == "outcome_drawn":
            if current is not None:
                current.outcome = event["outcome"]
                current.probability = event["probability"]
        elif kind == "factor_revealed":
            values[FACTOR_REVEALED] = 1
            if current is not None:
                current.revealed = True
        elif kind == "recovery_started":
            values[RECOVERY] = event["decisions"]
            if current is not None:
                current.recovery_started = True
        elif kind == "ending_reached":
            ending, outcome, t_end = event["ending"], event["outcome"], event["t"]
            if current is not None:
                current.target = event["ending"]
        elif kind == "inject_applied":
            # An instructor's inject: its changes are nobody's decision, so they are not the last
            # decision's consequences (the next decision starts from the values it leaves).
            finish()
            current = None
        elif kind == "undo":
            finish()
            undos += 1
            if decisions:
                dropped = decisions.pop()
                values[:] = dropped.pre
            current = decisions[-1] if decisions else None
            ending = outcome = None
    finish()
    if ending is None:
        t_end = decisions[-1].t if decisions else 0.0
    return Trace(initial, scenario.target_ids[scenario.start], decisions, undos, ending, outcome, t_end, len(log))
