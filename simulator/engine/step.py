"""The step function: one decision applied to a scenario state, with every consequence logged.

Pure Python, no pygame and no I/O. `transition` depends only on its arguments (the drawn random
outcome is one of them) and appends its events to the log it is given; `outcome_distribution` lists
every outcome a choice can have with its exact probability, so tools can enumerate instead of sample.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from .model import ESCALATION, FACTOR_REVEALED, RAPPORT, RECOVERY, Choice, Inject, Outcome, Scenario


class EngineError(Exception):
    """Base class for misuse of a session (not for bad scenario content: the loader catches that)."""


class InvalidChoice(EngineError):
    """The choice does not exist here, its condition does not hold, or the session has ended."""


class ScenarioError(EngineError, ValueError):
    """The compiled scenario holds something the loader should have refused (for example a random
    outcome whose weight is negative, NaN or infinite); the engine refuses to play it."""


class State(NamedTuple):
    """Where a session is: a target index (node or ending), variable values, decisions, time."""

    at: int
    values: tuple
    steps: int
    t: float


_new_state = tuple.__new__  # _new_state(State, (at, values, steps, t)) is State(at, values, steps, t), without
# the namedtuple's Python-level __new__: the step functions make one per decision


def initial_state(scenario: Scenario) -> State:
    """The state before the first decision."""
    # scenario.initial_values, built with a list rather than a generator: a Session starts with this
    return _new_state(State, (scenario.start, tuple([v.initial for v in scenario.variables]), 0, 0.0))


def available_choices(scenario: Scenario, state: State) -> list[Choice]:
    """The choices the trainee may take now (conditions checked); empty once an ending is reached."""
    if state.at >= len(scenario.nodes):
        return []
    values = state.values
    return [c for c in scenario.nodes[state.at].choices if c.test is None or c.test(values)]


def outcome_distribution(scenario: Scenario, state: State, choice: Choice) -> list[tuple[Outcome | None, float]]:
    """Every possible result of taking `choice` now, with its exact probability.

    A choice with a fixed `next` gives [(None, 1.0)]. Tools that enumerate every path use this
    instead of sampling. Every probability is finite and the probabilities add up to 1: a weight that
    is negative, NaN or infinite (or weights that add up to 0 or overflow) raise `ScenarioError`.
    """
    if not choice.outcomes:
        return [(None, 1.0)]
    values = state.values
    eligible = [o for o in choice.outcomes if o.test is None or o.test(values)]
    if not eligible:
        raise InvalidChoice(f"no outcome of choice {choice.id!r} is possible in this state")
    total = 0.0
    for o in eligible:
        w = o.weight
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
            raise ScenarioError(f"outcome {o.index} of choice {choice.id!r} has the weight {w!r}; "
                                "a weight must be a finite number of at least 0")
        total += w
    if not (math.isfinite(total) and total > 0):
        raise ScenarioError(f"the outcome weights of choice {choice.id!r} add up to {total!r}, "
                            "not a finite number above 0")
    return [(o, o.weight / total) for o in eligible]


RECOVERY_WHY = ("Still recovering from an earlier peak, the person re-escalates more easily "
                "(CPI tension-reduction phase).")


_CHANGE_TYPES = ("escalation_changed", "rapport_changed")


def _net_change(scenario: Scenario, values: list, slot: int, parts: list, log: list, t: float,
                bonus: int, cid: str) -> None:
    """Apply every contribution to one variable for one decision as a single, clamped change.

    Netting first (instead of clamping after each rule) means rules that cancel out leave no
    false peak, a clamp cannot turn a harmful choice into a calming one, and the recovery bonus
    applies once per decision. Each contribution stays in `causes` with its own delta and reason.
    `parts` holds (relative, amount, cause) with cause dicts made for this decision alone.
    """
    var = scenario.variables[slot]
    old = value = values[slot]
    causes = []
    for relative, amount, cause in parts:
        if relative:
            value += amount
        else:
            cause["delta"] = amount - value
            value = amount
        causes.append(cause)
    if bonus and slot == ESCALATION and value > old:
        value += bonus
        causes.append({"kind": "recovery", "choice": cid, "why": RECOVERY_WHY, "delta": bonus})
    lo, hi = var.minimum, var.maximum
    new = lo if value < lo else min(value, hi)
    if len(causes) == 1:
        main = causes[0]
        if new == old and not main["delta"]:
            return
    else:
        direction = (new > old) - (new < old)
        main = causes[0]
        best = 0
        for c in causes:
            d = c["delta"]
            if direction and (d > 0) - (d < 0) == direction and abs(d) > best:
                main, best = c, abs(d)
        if new == old and not best and not any(c["delta"] for c in causes):
            return
    event = {"seq": len(log), "type": _CHANGE_TYPES[slot] if slot < 2 else "variable_changed", "t": t,
             "from": old, "to": new, "cause": main, "causes": causes}
    if slot >= 2:
        event["name"] = var.name
    if new != value:
        event["clamped"] = True
    values[slot] = new
    log.append(event)


def transition(scenario: Scenario, state: State, choice: Choice, outcome: Outcome | None,
               probability: float, elapsed: float, log: list, actor, reason) -> State:
    """Apply `choice` (with the drawn `outcome`, if any) to `state`; append its events to `log`.

    Pure apart from appending to `log`: the result depends only on the arguments.
    """
    t = round(state.t + elapsed, 3)
    node = scenario.nodes[state.at]
    pre = state.values
    values = list(pre)
    cid = choice.id
    if choice.is_timeout:
        log.append({"seq": len(log), "type": "timer_expired", "t": t, "node": node.id, "choice": cid,
                    "elapsed": elapsed})
    else:
        log.append({"seq": len(log), "type": "choice_made", "t": t, "node": node.id, "choice": cid,
                    "elapsed": elapsed, "actor": actor, "reason": reason})
    if outcome is not None:
        log.append({"seq": len(log), "type": "outcome_drawn", "t": t, "choice": cid, "outcome": outcome.index,
                    "probability": round(probability, 6), "next": scenario.target_ids[outcome.target]})
    recovery = scenario.behaviour.recovery
    bonus = recovery.rise_bonus if pre[RECOVERY] > 0 else 0
    parts: dict[int, list] = {}
    for rule in choice.rules:
        for case in rule.cases:
            if case.test(pre):
                if case.escalation:
                    parts.setdefault(ESCALATION, []).append((True, case.escalation, {
                        "kind": "rule", "rule": rule.id, "choice": cid, "why": case.why, "delta": case.escalation}))
                if case.rapport:
                    parts.setdefault(RAPPORT, []).append((True, case.rapport, {
                        "kind": "rule", "rule": rule.id, "choice": cid, "why": case.why, "delta": case.rapport}))
                if not case.escalation and not case.rapport:
                    log.append({"seq": len(log), "type": "rule_applied", "t": t, "rule": rule.id,
                                "choice": cid, "why": case.why})
                break
    for eff in choice.effects:
        parts.setdefault(eff.slot, []).append(
            (eff.relative, eff.amount, {"kind": "effect", "choice": cid, "delta": eff.amount}))
    if outcome is not None:
        for eff in outcome.effects:
            parts.setdefault(eff.slot, []).append(
                (eff.relative, eff.amount, {"kind": "outcome", "choice": cid, "outcome": outcome.index,
                                            "delta": eff.amount}))
    for slot in sorted(parts):
        _net_change(scenario, values, slot, parts[slot], log, t, bonus, cid)
    if choice.reveals and not values[FACTOR_REVEALED] and scenario.hidden_factor is not None:
        values[FACTOR_REVEALED] = 1
        log.append({"seq": len(log), "type": "factor_revealed", "t": t, "factor": scenario.hidden_factor.id,
                    "kind": scenario.hidden_factor.kind, "choice": cid})
    before, after = pre[ESCALATION], values[ESCALATION]
    if before >= recovery.trigger_level and after < before and recovery.duration > 0:
        values[RECOVERY] = recovery.duration
        log.append({"seq": len(log), "type": "recovery_started", "t": t, "peak": before,
                    "decisions": recovery.duration,
                    "why": "After a peak the person does not return straight to baseline; rises are larger for a while."})
    elif pre[RECOVERY] > 0:
        values[RECOVERY] = pre[RECOVERY] - 1
        if values[RECOVERY] == 0:
            log.append({"seq": len(log), "type": "recovery_ended", "t": t})
    target = outcome.target if outcome is not None else choice.target
    if target >= len(scenario.nodes):
        ending = scenario.endings[target - len(scenario.nodes)]
        log.append({"seq": len(log), "type": "ending_reached", "t": t, "ending": ending.id,
                    "outcome": ending.outcome, "escalation": values[ESCALATION], "rapport": values[RAPPORT]})
    else:
        log.append({"seq": len(log), "type": "node_entered", "t": t, "node": scenario.target_ids[target]})
    return _new_state(State, (target, tuple(values), state.steps + 1, t))


def advance(scenario: Scenario, state: State, choice: Choice, outcome: Outcome | None, elapsed: float) -> State:
    """The state `transition` returns for the same arguments, without building its events.

    `Session` steps with this and keeps the decision's arguments; `transition` writes the events
    from them when the log is read (Session checks there that both give the same state). The rules
    are `transition`'s and `_net_change`'s, applied in the same order: per variable, the rules'
    contributions, then the choice's effects, then the outcome's, each adding or setting; then the
    recovery bonus on a rise in escalation, the clamp, the hidden factor and the recovery phase.
    """
    pre = state.values
    values = list(pre)
    esc = rap = False
    others = None  # slots from 2 on that an effect changes
    for rule in choice.rules:
        for case in rule.cases:
            if case.test(pre):
                if case.escalation:
                    values[ESCALATION] += case.escalation
                    esc = True
                if case.rapport:
                    values[RAPPORT] += case.rapport
                    rap = True
                break
    effects = choice.effects
    if outcome is not None and outcome.effects:
        effects = effects + outcome.effects
    for eff in effects:
        slot = eff.slot
        values[slot] = values[slot] + eff.amount if eff.relative else eff.amount
        if slot == ESCALATION:
            esc = True
        elif slot == RAPPORT:
            rap = True
        elif others is None:
            others = [slot]
        else:
            others.append(slot)
    recovery = scenario.behaviour.recovery
    variables = scenario.variables
    if esc:
        value = values[ESCALATION]
        if value > pre[ESCALATION] and pre[RECOVERY] > 0 and recovery.rise_bonus:
            value += recovery.rise_bonus
        var = variables[ESCALATION]
        values[ESCALATION] = var.minimum if value < var.minimum else min(value, var.maximum)
    if rap:
        value, var = values[RAPPORT], variables[RAPPORT]
        values[RAPPORT] = var.minimum if value < var.minimum else min(value, var.maximum)
    if others is not None:
        for slot in others:  # a slot named twice is clamped twice: the same value
            value, var = values[slot], variables[slot]
            values[slot] = var.minimum if value < var.minimum else min(value, var.maximum)
    if choice.reveals and not values[FACTOR_REVEALED] and scenario.hidden_factor is not None:
        values[FACTOR_REVEALED] = 1
    before, after = pre[ESCALATION], values[ESCALATION]
    if before >= recovery.trigger_level and after < before and recovery.duration > 0:
        values[RECOVERY] = recovery.duration
    elif pre[RECOVERY] > 0:
        values[RECOVERY] = pre[RECOVERY] - 1
    return _new_state(State, (outcome.target if outcome is not None else choice.target, tuple(values),
                              state.steps + 1, round(state.t + elapsed, 3)))


def apply_inject(scenario: Scenario, state: State, inject: Inject, t: float, log: list) -> State:
    """Apply an instructor's `inject` (its effects, netted and clamped per variable as a decision's
    are, with the recovery phase's larger rises) at session time `t`; append the changes to `log`.
    The node, the decisions count and the recovery countdown stay: an inject is not a decision."""
    values = list(state.values)
    bonus = scenario.behaviour.recovery.rise_bonus if values[RECOVERY] > 0 else 0
    parts: dict[int, list] = {}
    for eff in inject.effects:
        parts.setdefault(eff.slot, []).append(
            (eff.relative, eff.amount, {"kind": "inject", "inject": inject.id, "delta": eff.amount}))
    for slot in sorted(parts):
        _net_change(scenario, values, slot, parts[slot], log, t, bonus, inject.id)
    return State(state.at, tuple(values), state.steps, t)
