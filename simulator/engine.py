"""The headless engine: a pure step function over scenario state, and a Session with its event log.

Imports no pygame and does no I/O. Every input (choice, timer expiry, undo) and every consequence
(escalation and rapport changes with their causes, random draws, endings) is appended to one
JSON-serialisable event log. The same scenario, seed and inputs give the same log, byte for byte.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

from .model import (ESCALATION, FACTOR_REVEALED, RAPPORT, RECOVERY, Choice, Outcome, Scenario)

ENGINE_VERSION = 1
SAVE_FORMAT = 1
INPUT_EVENTS = ("choice_made", "timer_expired", "undo")


class EngineError(Exception):
    """Base class for misuse of a session (not for bad scenario content: the loader catches that)."""


class InvalidChoice(EngineError):
    """The choice does not exist here, its condition does not hold, or the session has ended."""


class ReplayMismatch(EngineError):
    """Replaying a log (or restoring a save) did not rebuild the same events and state."""


class State(NamedTuple):
    """Where a session is: a target index (node or ending), variable values, decisions, time."""

    at: int
    values: tuple
    steps: int
    t: float


@dataclass(frozen=True)
class SessionOptions:
    """Practice options. `timer_scale` stretches every decision timer (1.5 and 2 are common)."""

    timers: bool = True
    timer_scale: float = 1.0
    allow_undo: bool = False
    language: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


def initial_state(scenario: Scenario) -> State:
    """The state before the first decision."""
    return State(scenario.start, scenario.initial_values, 0, 0.0)


def available_choices(scenario: Scenario, state: State) -> list[Choice]:
    """The choices the trainee may take now (conditions checked); empty once an ending is reached."""
    if state.at >= len(scenario.nodes):
        return []
    values = state.values
    return [c for c in scenario.nodes[state.at].choices if c.test is None or c.test(values)]


def outcome_distribution(scenario: Scenario, state: State, choice: Choice) -> list[tuple[Outcome | None, float]]:
    """Every possible result of taking `choice` now, with its exact probability.

    A choice with a fixed `next` gives [(None, 1.0)]. Tools that enumerate every path use this
    instead of sampling.
    """
    if not choice.outcomes:
        return [(None, 1.0)]
    values = state.values
    eligible = [o for o in choice.outcomes if o.test is None or o.test(values)]
    if not eligible:
        raise InvalidChoice(f"no outcome of choice {choice.id!r} is possible in this state")
    total = sum(o.weight for o in eligible)
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
    new = lo if value < lo else hi if value > hi else value
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
    return State(target, tuple(values), state.steps + 1, t)


# --- Views for front ends ------------------------------------------------------------------------

@dataclass(frozen=True)
class ChoiceView:
    id: str
    number: int  # 1-based, as shown to the trainee
    text: str
    force: str | None


@dataclass(frozen=True)
class LineView:
    speaker: str  # character id, "you" or "dispatch"
    name: str
    text: str


@dataclass(frozen=True)
class EndingView:
    id: str
    outcome: str
    title: str
    text: str
    debrief: str
    perspective: str | None


@dataclass(frozen=True)
class View:
    """What a front end shows now, in the session's language."""

    node_id: str | None
    narrative: str
    lines: tuple[LineView, ...]
    behaviour: str | None
    perspective: str | None
    background: str | None
    present: tuple[str, ...]
    choices: tuple[ChoiceView, ...]
    timer_seconds: float | None  # effective seconds (after scaling); None when no timer runs
    escalation: int
    escalation_name: str
    rapport: int
    rapport_name: str
    recovery: int
    factor_revealed: bool
    ending: EndingView | None
    reaction: str | None = None  # what happened by chance after the last decision, if anything


class Session:
    """One playthrough: current state, seeded randomness and the append-only event log."""

    def __init__(self, scenario: Scenario, seed: int | None = None, options: SessionOptions | None = None):
        self.scenario = scenario
        self.options = options or SessionOptions()
        self.seed = int(seed) if seed is not None else secrets.randbits(32)
        self.language = self.options.language or scenario.language
        self.rng = np.random.default_rng(self.seed)
        self.state = initial_state(scenario)
        self.log: list[dict] = []
        self._history: list[tuple[State, dict, str | None]] = []
        self.reaction: str | None = None
        self.log.append({"seq": 0, "type": "session_started", "t": 0.0,
                         "scenario": {"id": scenario.id, "version": scenario.version,
                                      "content_hash": scenario.content_hash},
                         "seed": self.seed, "options": self.options.to_json(), "engine": ENGINE_VERSION,
                         "behaviour_model": f"{scenario.behaviour.name}@{scenario.behaviour.version}",
                         "escalation": self.state.values[ESCALATION], "rapport": self.state.values[RAPPORT]})
        self.log.append({"seq": 1, "type": "node_entered", "t": 0.0, "node": scenario.target_ids[scenario.start]})

    # --- queries ---------------------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.state.at >= len(self.scenario.nodes)

    @property
    def escalation(self) -> int:
        return self.state.values[ESCALATION]

    @property
    def rapport(self) -> int:
        return self.state.values[RAPPORT]

    def available(self) -> list[Choice]:
        """The choices available now."""
        return available_choices(self.scenario, self.state)

    def outcomes(self, choice_id: str) -> list[tuple[Outcome | None, float]]:
        """Possible results of `choice_id` now, with probabilities."""
        return outcome_distribution(self.scenario, self.state, self._choice(choice_id))

    def timer_seconds(self) -> float | None:
        """Effective seconds of the current node's timer, or None when no timer runs."""
        if self.ended or not self.options.timers:
            return None
        timer = self.scenario.nodes[self.state.at].timer
        return None if timer is None else round(timer.seconds * self.options.timer_scale, 3)

    def view(self) -> View:
        """Everything a front end needs to show the current moment."""
        sc, lang, values = self.scenario, self.language, self.state.values
        default = sc.language
        behaviour = sc.behaviour
        common = dict(escalation=values[ESCALATION], escalation_name=behaviour.level_names[values[ESCALATION]],
                      rapport=values[RAPPORT], rapport_name=behaviour.rapport_names[values[RAPPORT]],
                      recovery=values[RECOVERY], factor_revealed=bool(values[FACTOR_REVEALED]))
        if self.ended:
            e = sc.ending_at(self.state.at)
            ending = EndingView(e.id, e.outcome, e.title.get(lang, default), e.text.get(lang, default),
                                e.debrief.get(lang, default), e.perspective.get(lang, default) if e.perspective else None)
            return View(None, ending.text, (), None, ending.perspective, e.background, (), (), None, ending=ending,
                        reaction=self.reaction, **common)
        node = sc.nodes[self.state.at]

        def name_of(speaker: str) -> str:
            if speaker in sc.characters:
                return sc.characters[speaker].name.get(lang, default)
            return {"you": "You", "dispatch": "Dispatch"}.get(speaker, speaker)
        choices = tuple(ChoiceView(c.id, i + 1, c.text.get(lang, default) if c.text else c.id, c.force)
                        for i, c in enumerate(self.available()))
        return View(
            node.id, node.narrative.get(lang, default),
            tuple(LineView(l.speaker, name_of(l.speaker), l.text.get(lang, default)) for l in node.lines),
            node.behaviour.get(lang, default) if node.behaviour else None,
            node.perspective.get(lang, default) if node.perspective else None,
            node.background, node.present, choices, self.timer_seconds(), ending=None, reaction=self.reaction,
            **common)

    # --- inputs ----------------------------------------------------------------------------------
    def _choice(self, choice_id: str) -> Choice:
        if self.ended:
            raise InvalidChoice("the scenario has ended")
        node = self.scenario.nodes[self.state.at]
        choice = node.choice_by_id.get(choice_id)
        if choice is None:
            raise InvalidChoice(f"there is no choice {choice_id!r} at node {node.id!r}")
        return choice

    def _apply(self, choice: Choice, elapsed: float, actor, reason) -> None:
        dist = outcome_distribution(self.scenario, self.state, choice) if choice.outcomes else [(None, 1.0)]
        if len(dist) == 1:
            outcome, p = dist[0]
        else:
            draw = self.rng.random()
            acc = 0.0
            outcome, p = dist[-1]
            for candidate, prob in dist:
                acc += prob
                if draw < acc:
                    outcome, p = candidate, prob
                    break
        if self.options.allow_undo:
            self._history.append((self.state, self.rng.bit_generator.state, self.reaction))
        self.state = transition(self.scenario, self.state, choice, outcome, p, float(elapsed), self.log, actor, reason)
        text = outcome.text if outcome is not None else None
        self.reaction = text.get(self.language, self.scenario.language) if text is not None else None

    def choose(self, choice_id: str, elapsed: float = 0.0, actor: str | dict = "trainee",
               reason: str | None = None) -> None:
        """Take a choice. `elapsed` is the seconds spent deciding; `actor` says who decided
        (the trainee, an instructor override, a workshop vote...) and `reason` why, when given."""
        choice = self._choice(choice_id)
        if choice.test is not None and not choice.test(self.state.values):
            raise InvalidChoice(f"choice {choice_id!r} is not available now (condition: {choice.condition})")
        self._apply(choice, elapsed, actor, reason)

    def expire_timer(self, elapsed: float | None = None) -> None:
        """The decision timer ran out: the node's `expire` branch happens."""
        seconds = self.timer_seconds()
        if seconds is None:
            raise InvalidChoice("no decision timer is running here")
        choice = self.scenario.nodes[self.state.at].timer.expire
        self._apply(choice, seconds if elapsed is None else elapsed, "clock", None)

    @property
    def can_undo(self) -> bool:
        """Whether `undo()` would succeed now (undo allowed and a decision to take back)."""
        return self.options.allow_undo and bool(self._history)

    def undo(self, actor: str | dict = "trainee", reason: str | None = None) -> None:
        """Go back one decision (when the options allow it). The undo itself is logged."""
        if not self.options.allow_undo:
            raise InvalidChoice("undo is not allowed in this session")
        if not self._history:
            raise InvalidChoice("there is nothing to undo")
        state, rng_state, self.reaction = self._history.pop()
        self.rng.bit_generator.state = rng_state
        self.state = state
        self.log.append({"seq": len(self.log), "type": "undo", "t": state.t, "actor": actor, "reason": reason,
                         "node": self.scenario.target_ids[state.at], "steps": state.steps})

    # --- persistence -----------------------------------------------------------------------------
    def log_json(self) -> str:
        """The event log as canonical JSON lines (sorted keys, no spaces)."""
        return "".join(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
                       for e in self.log)

    def state_json(self) -> dict:
        return {"at": self.scenario.target_ids[self.state.at], "values": dict(zip(self.scenario.var_index, self.state.values)),
                "steps": self.state.steps, "t": self.state.t}

    def save(self) -> dict:
        """A versioned, JSON-serialisable save: the log (the source of truth) plus a state check."""
        return {"format": "parley-save", "version": SAVE_FORMAT, "scenario": self.log[0]["scenario"],
                "log": [dict(e) for e in self.log], "state": self.state_json(),
                "rng": _jsonable(self.rng.bit_generator.state)}

    @classmethod
    def restore(cls, scenario: Scenario, save: dict) -> "Session":
        """Rebuild a session from `save`; continuing it equals never having stopped."""
        if save.get("format") != "parley-save" or save.get("version") != SAVE_FORMAT:
            raise ReplayMismatch("this is not a Parley save of a version this program reads")
        info = save["scenario"]
        if info.get("id") != scenario.id:
            raise ReplayMismatch(f"the save is for scenario {info.get('id')!r}, not {scenario.id!r}")
        if info.get("content_hash") != scenario.content_hash:
            raise ReplayMismatch("the scenario file has changed since this save was made; it cannot be resumed exactly")
        session = cls.replay(scenario, save["log"])
        if session.state_json() != save["state"] or _jsonable(session.rng.bit_generator.state) != save["rng"]:
            raise ReplayMismatch("the save's state does not match its log")
        return session

    @classmethod
    def replay(cls, scenario: Scenario, log: list[dict]) -> "Session":
        """Re-run the inputs found in `log` and check every derived event matches exactly."""
        if not log or log[0].get("type") != "session_started":
            raise ReplayMismatch("a log starts with session_started")
        first = log[0]
        session = cls(scenario, seed=first["seed"], options=SessionOptions(**first["options"]))
        for event in log[2:]:
            kind = event.get("type")
            try:
                if kind == "choice_made":
                    session.choose(event["choice"], event["elapsed"], event["actor"], event["reason"])
                elif kind == "timer_expired":
                    session.expire_timer(event["elapsed"])
                elif kind == "undo":
                    session.undo(event["actor"], event["reason"])
            except (EngineError, KeyError) as exc:
                raise ReplayMismatch(f"event {event.get('seq')}: {exc}") from exc
        if _canonical(session.log) != _canonical(log):
            for mine, theirs in zip(session.log, log):
                if _canonical([mine]) != _canonical([theirs]):
                    raise ReplayMismatch(f"replay differs at event {theirs.get('seq')}: {mine} != {theirs}")
            raise ReplayMismatch(f"replay has {len(session.log)} events, the log {len(log)}")
        return session


def _canonical(events: list[dict]) -> str:
    return json.dumps(events, sort_keys=True, separators=(",", ":"))


def _jsonable(value):
    return json.loads(json.dumps(value))
