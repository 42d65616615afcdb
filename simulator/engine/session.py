"""A playthrough: `Session` holds the state, the seeded randomness and the append-only event log.

Imports no pygame and does no I/O. Every input (choice, timer expiry, undo) and every consequence
(escalation and rapport changes with their causes, random draws, endings) is appended to one
JSON-serialisable event log. The same scenario, seed and inputs give the same log, byte for byte.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass

import numpy as np

from .model import ESCALATION, FACTOR_REVEALED, RAPPORT, RECOVERY, Choice, Outcome, Scenario
from .step import EngineError, InvalidChoice, State, available_choices, initial_state, outcome_distribution, transition

ENGINE_VERSION = 1
SAVE_FORMAT = 1


class ReplayMismatch(EngineError):
    """Replaying a log (or restoring a save) did not rebuild the same events and state."""


@dataclass(frozen=True)
class SessionOptions:
    """Practice options. `timer_scale` stretches every decision timer (1.5 and 2 are common)."""

    timers: bool = True
    timer_scale: float = 1.0
    allow_undo: bool = False
    language: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


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
