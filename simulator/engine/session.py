"""A playthrough: `Session` holds the state, the seeded randomness and the append-only event log.

Imports no pygame and does no I/O. Every input (choice, timer expiry, undo) and every consequence
(escalation and rapport changes with their causes, random draws, endings) is appended to one
JSON-serialisable event log. The same scenario, seed and inputs give the same log, byte for byte.
"""
from __future__ import annotations

import json
import math
import operator
import reprlib
import secrets
import threading
from dataclasses import dataclass, fields

import numpy as np

from .model import ESCALATION, FACTOR_REVEALED, RAPPORT, RECOVERY, Choice, Outcome, Scenario
from .step import (
    EngineError,
    InvalidChoice,
    State,
    advance,
    apply_inject,
    available_choices,
    initial_state,
    outcome_distribution,
    transition,
)

ENGINE_VERSION = 2  # 2: node_entered lists the options shown, in the order shown (shuffled per session)
SAVE_FORMAT = 1
SEED_LIMIT = 2 ** 63  # seeds are 0 <= seed < 2**63: any such int is exact in JSON readers with 64-bit ints
MAX_ELAPSED = 1e9  # seconds one decision may take (about 31 years): keeps every time in the log finite
SAVE_KEYS = frozenset({"format", "version", "scenario", "log", "state", "rng"})


# Marks: inputs that change nothing in the scene but belong in the record of who did what, when
# (docs/classroom.md). Each is logged as {"type": kind, "t", "node", "actor", ...fields} and replayed
# as logged: the options appearing (research latencies), an instructor's note, a pause and its end,
# the person's perspective or a discussion prompt shown to a workshop, an instructor stopping the scenario.
MARKS = frozenset({"choices_shown", "note_added", "paused", "resumed", "perspective_shown", "discussion_shown",
                   "scenario_stopped"})
_MARK_KEYS = frozenset({"seq", "type", "t", "node", "actor"})


class ReplayMismatch(EngineError):
    """The one error `Session.replay` and `Session.restore` raise, with a message, for any log or
    save they cannot rebuild exactly: not a Parley log or save, malformed (wrong types, missing or
    extra keys, NaN or infinite numbers, integers too large, truncated), recorded on another
    scenario or another version of its file, or with events that do not replay."""


SaveError = ReplayMismatch  # the same class under the name a reader of saves may look for


class InvalidOptions(EngineError, ValueError):
    """A seed or session option the engine cannot use (see `Session` and `SessionOptions`)."""


def _real(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class SessionOptions:
    """Practice options. `timer_scale` stretches every decision timer (1.5 and 2 are common).

    `shuffle` (the default) shows each node's options in an order drawn from the seed, a new one at
    every visit, so that a trainee cannot pass by position; `shuffle=False` keeps the order the
    scenario was written in (an instructor's demonstration, a research protocol). Either way every
    `node_entered` event lists the options in the order shown.

    Checked when made: `timers`, `allow_undo` and `shuffle` are booleans, `timer_scale` a finite
    number above 0, `language` None or a string; anything else raises `InvalidOptions`.
    """

    timers: bool = True
    timer_scale: float = 1.0
    allow_undo: bool = False
    language: str | None = None
    shuffle: bool = True

    def __post_init__(self):
        if not isinstance(self.timers, bool) or not isinstance(self.allow_undo, bool) \
                or not isinstance(self.shuffle, bool):
            raise InvalidOptions("timers, allow_undo and shuffle must be true or false")
        if not _real(self.timer_scale) or not math.isfinite(self.timer_scale) or self.timer_scale <= 0:
            raise InvalidOptions(f"timer_scale must be a finite number above 0, not {_short(self.timer_scale)}")
        if self.language is not None and (not isinstance(self.language, str) or not 0 < len(self.language) <= 64):
            raise InvalidOptions(f"language must be a language code, not {_short(self.language)}")

    def to_json(self) -> dict:
        # What dataclasses.asdict gives (every field is a plain value), without its deep copy.
        return {"timers": self.timers, "timer_scale": self.timer_scale, "allow_undo": self.allow_undo,
                "language": self.language, "shuffle": self.shuffle}


OPTION_KEYS = frozenset(f.name for f in fields(SessionOptions))
_WRITING = threading.Lock()  # held while a session writes its pending events into its log
_DEFAULT_OPTIONS = SessionOptions()  # frozen: one instance serves every session made without options
if set(_DEFAULT_OPTIONS.to_json()) != OPTION_KEYS:  # to_json names every field (it replaced asdict)
    raise ImportError("SessionOptions.to_json does not list every option")
ORDER_STREAM = 0x0D3D  # mixed into every order seed, so the order never shares a stream with the reactions
_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """SplitMix64's output function: a well-mixed 64-bit value from any 64-bit input."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def presented_order(seed: int, steps: int, node_index: int, choices: list, shuffle: bool) -> list:
    """The options in the order a trainee sees them at decision `steps`, node `node_index`.

    A Fisher-Yates shuffle driven by SplitMix64 from (seed, steps, node), not by the session's
    generator: the random reactions a seed gives stay the same whether or not options are shuffled,
    the order at one decision does not depend on how the trainee got there, and it costs a few
    integer operations per option (seeding a NumPy generator per visit cost 60% of the engine's
    throughput). The modulo bias is below 2**-58 for up to 30 options.
    """
    n = len(choices)
    if not shuffle or n < 2:
        return list(choices)
    out = list(choices)
    state = _mix(seed ^ _mix((steps & _MASK) ^ _mix(node_index ^ ORDER_STREAM)))
    for i in range(n - 1, 0, -1):
        x = (state + 0x9E3779B97F4A7C15) & _MASK  # state = _mix(state), inlined: this runs at every visit
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
        state = x ^ (x >> 31)
        j = state % (i + 1)
        out[i], out[j] = out[j], out[i]
    return out

def check_seed(seed) -> int:
    """`seed` as an int if it is a whole number with 0 <= seed < 2**63; otherwise `InvalidOptions`.

    NumPy's `default_rng` takes any non-negative integer, but the log records the seed as a JSON
    number, and readers with 64-bit integers must read it back exactly."""
    if isinstance(seed, bool):
        raise InvalidOptions("a seed is a whole number, not true or false")
    try:
        value = operator.index(seed)
    except TypeError:
        raise InvalidOptions(f"a seed is a whole number, not {_short(seed)}") from None
    if not 0 <= value < SEED_LIMIT:
        raise InvalidOptions(f"a seed is from 0 to 2**63 - 1, not {_short(value)}")
    return value


def _check_elapsed(elapsed) -> float:
    if not _real(elapsed):
        raise InvalidChoice(f"elapsed must be a number of seconds, not {_short(elapsed)}")
    value = float(elapsed)
    if not (math.isfinite(value) and 0 <= value <= MAX_ELAPSED):
        raise InvalidChoice(f"elapsed must be from 0 to {MAX_ELAPSED:g} seconds, not {_short(elapsed)}")
    return value


def _check_json(what: str, value) -> None:
    """`value` goes into the log: it must be plain JSON data (no NaN, no infinity, no objects)."""
    if value is None or type(value) is str:
        return
    try:
        json.dumps(value, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidChoice(f"{what} must be plain JSON data ({type(exc).__name__}: {_short(str(exc))})") from None


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
    text: str  # what is said; in `said_in` when the speaker uses a language the officer does not share
    said_in: str | None = None  # language code of `text` when it is not the session's language
    meaning: str | None = None  # with `said_in`: what it means, once understood (an interpreter), else None


@dataclass(frozen=True)
class PersonView:
    """One present character as shown now: the name the trainee knows them by and how they look."""

    id: str
    name: str  # `known_as` until the scenario reveals the name (Character.shown_name)
    role: str  # subject, partner or bystander
    portrait: str | None
    level: int | None  # value of the character's `expression_from` variable (the subject: distress)
    expression: str | None  # the scene's staged expression, which wins over `level`
    where: str  # here, in-car or on-phone


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
    people: tuple[PersonView, ...] = ()  # the present characters, in `present` order
    timeout: str | None = None  # the timer ran out on the last decision: what the scenario says happened


class Session:
    """One playthrough: current state, seeded randomness and the append-only event log.

    The log is written when it is read. A decision made while nobody has read the log since the
    last one keeps its arguments and the state it led to (`step.advance`) as a compact record, and
    `log` turns the records into the events `step.transition` writes, in order, the first time it is
    read after them; once the log has been read, the next decision writes its events at once (a
    recorder or a front end reading after every decision pays nothing more). Reading `log` always
    gives the same list object, holding exactly the events an eagerly written log would hold; only
    a reference to it kept from before later decisions does not show them until `log` is read
    again. The generator is made from the seed at its first use (`rng`), so its draws are the same.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None, options: SessionOptions | None = None,
                 officer: str | None = None, unnamed: str = "(your name)"):
        """`officer` is the trainee's name as shown where a scenario writes `{officer}` (a written
        note, a self-introduction), and `unnamed` what is shown there for a guest (the front end
        gives it in the interface's language); they change only text shown, never the log."""
        self.scenario = scenario
        self.officer = officer if isinstance(officer, str) and officer.strip() else None
        self.unnamed = unnamed
        if options is None:
            options = _DEFAULT_OPTIONS
        elif not isinstance(options, SessionOptions):
            raise InvalidOptions("options must be a SessionOptions")
        self.options = options
        if seed is None:
            seed = secrets.randbits(32)
        elif type(seed) is not int or not 0 <= seed < SEED_LIMIT:
            seed = check_seed(seed)
        self.seed = seed
        self.language = options.language or scenario.language
        self._rng = None  # made from the seed at its first use (see `rng`)
        self.state = state = initial_state(scenario)
        self._log: list[dict] = []
        # Events not yet written into `_log`, in order, each with the scenario played: (scenario,
        # initial state) for session_started and the first node_entered, or a decision's (scenario,
        # state, choice, outcome, probability, elapsed, actor, reason, next state).
        self._pending: list[tuple] = [(scenario, state)]
        self._history: list[tuple[State, dict | None, str | None]] = []
        self._shown_for: State | None = None  # the state `_shown` was worked out for
        self._shown: list[Choice] = []
        self._node_for: State | None = None  # the state and scenario `_node` was looked up for
        self._node_in: Scenario | None = None
        self._node = None  # the current Node, or None at an ending (see `_locate`)
        self.reaction: str | None = None

    @property
    def log(self) -> list[dict]:
        """The append-only event log: JSON-serialisable dicts (docs/architecture.md, "The event log")."""
        if self._pending:
            with _WRITING:  # a second reader (a grading thread) waits for the whole log, never half of it
                if self._pending:
                    self._write_pending()
        return self._log

    @log.setter
    def log(self, value: list[dict]) -> None:
        self._pending = []
        self._log = value

    @property
    def rng(self) -> np.random.Generator:
        """The session's NumPy generator, `default_rng(seed)`; made at its first use."""
        rng = self._rng
        if rng is None:
            rng = self._rng = np.random.default_rng(self.seed)
        return rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self._rng = value

    def _write_pending(self) -> None:
        """Write the pending records into `_log` as the events an eager log would hold."""
        pending, self._pending = self._pending, []
        log = self._log
        for record in pending:
            if len(record) == 2:
                sc, state = record
                values = state.values
                log.append({"seq": len(log), "type": "session_started", "t": 0.0,
                            "scenario": {"id": sc.id, "version": sc.version, "content_hash": sc.content_hash,
                                         **({"variant": sc.variant} if sc.variant is not None else {})},
                            "seed": self.seed, "options": self.options.to_json(), "engine": ENGINE_VERSION,
                            "behaviour_model": f"{sc.behaviour.name}@{sc.behaviour.version}",
                            "escalation": values[ESCALATION], "rapport": values[RAPPORT]})
                log.append({"seq": len(log), "type": "node_entered", "t": 0.0, "node": sc.target_ids[state.at],
                            "choices": [c.id for c in self._order(sc, state)]})
                continue
            sc, state, choice, outcome, p, elapsed, actor, reason, after = record
            if transition(sc, state, choice, outcome, p, elapsed, log, actor, reason) != after:
                raise EngineError(f"the engine's step and its log disagree on choice {choice.id!r}: please report this")
            if after.at < len(sc.nodes):  # transition's last event is this node_entered: what is shown
                log[-1]["choices"] = [c.id for c in self._order(sc, after)]

    def _order(self, scenario: Scenario, state: State) -> list[Choice]:
        """The options in the order shown in `state` (`presented`'s, for any state)."""
        if state is self._shown_for and scenario is self.scenario:
            return self._shown
        return presented_order(self.seed, state.steps, state.at, available_choices(scenario, state),
                               self.options.shuffle)

    # --- queries ---------------------------------------------------------------------------------
    def _locate(self):
        """The current node, or None once an ending is reached. Looked up once per state (and
        scenario): a front end asks `ended` and `available` at every moment, and `choose` needs the
        node again (a scenario's nodes may be a sequence that builds each node on first use)."""
        state, scenario = self.state, self.scenario
        if state is not self._node_for or scenario is not self._node_in:
            nodes = scenario.nodes
            at = state[0]
            self._node = nodes[at] if at < len(nodes) else None
            self._node_for, self._node_in = state, scenario
        return self._node

    @property
    def ended(self) -> bool:
        if self.state is self._node_for and self.scenario is self._node_in:
            return self._node is None
        return self._locate() is None

    @property
    def escalation(self) -> int:
        return self.state.values[ESCALATION]

    @property
    def rapport(self) -> int:
        return self.state.values[RAPPORT]

    def available(self) -> list[Choice]:
        """The choices available now, in the scenario's order."""
        state = self.state  # step.available_choices, inlined: front ends ask at every moment
        node = self._node if state is self._node_for and self.scenario is self._node_in else self._locate()
        if node is None:
            return []
        values = state[1]
        return [c for c in node.choices if c.test is None or c.test(values)]

    def presented(self) -> list[Choice]:
        """The choices available now, in the order the trainee sees them (see `presented_order`).

        Worked out once per state: the decision that enters a node logs it, and every view of that
        node shows it again. The cache is keyed on the state object itself, so code that sets
        `state` directly (scoring.paths.record_log) still gets the order of the new state."""
        state = self.state
        if self._shown_for is not state:
            self._shown = presented_order(self.seed, state.steps, state.at, self.available(), self.options.shuffle)
            self._shown_for = state
        return list(self._shown)

    def outcomes(self, choice_id: str) -> list[tuple[Outcome | None, float]]:
        """Possible results of `choice_id` now, with probabilities."""
        return outcome_distribution(self.scenario, self.state, self._choice(choice_id))

    def timer_seconds(self) -> float | None:
        """Effective seconds of the current node's timer, or None when no timer runs.

        Always None or a finite number above 0: a timer whose seconds are not a finite positive
        number (the loader refuses those) runs no timer rather than crash a front end."""
        if self.ended or not self.options.timers:
            return None
        timer = self.scenario.nodes[self.state.at].timer
        if timer is None:
            return None
        try:
            seconds = round(float(timer.seconds) * float(self.options.timer_scale), 3)
        except (TypeError, ValueError, OverflowError):
            return None
        return seconds if math.isfinite(seconds) and seconds > 0 else None

    def view(self) -> View:
        """Everything a front end needs to show the current moment."""
        sc, lang, values = self.scenario, self.language, self.state.values
        default = sc.language
        behaviour = sc.behaviour
        common = dict(escalation=values[ESCALATION], escalation_name=behaviour.level_names[values[ESCALATION]],
                      rapport=values[RAPPORT], rapport_name=behaviour.rapport_names[values[RAPPORT]],
                      recovery=values[RECOVERY], factor_revealed=bool(values[FACTOR_REVEALED]))
        timeout = self._timeout_text()
        if self.ended:
            e = sc.ending_at(self.state.at)
            fill = self.fill
            ending = EndingView(e.id, e.outcome, fill(e.title.get(lang, default)), fill(e.text.get(lang, default)),
                                fill(e.debrief.get(lang, default)),
                                fill(e.perspective.get(lang, default)) if e.perspective else None)
            return View(None, ending.text, (), None, ending.perspective, e.background, (), (), None, ending=ending,
                        reaction=self.reaction, timeout=timeout, **common)
        node = sc.nodes[self.state.at]

        fill = self.fill

        def name_of(speaker: str) -> str:
            if speaker in sc.characters:
                return sc.characters[speaker].shown_name(values, lang, default)
            return {"you": "You", "dispatch": "Dispatch"}.get(speaker, speaker)
        choices = tuple(ChoiceView(c.id, i + 1, fill(c.text.get(lang, default)) if c.text else c.id, c.force)
                        for i, c in enumerate(self.presented()))
        return View(
            node.id, fill(node.narrative.get(lang, default)),
            tuple(self._line(l, name_of(l.speaker)) for l in node.lines),
            fill(node.behaviour.get(lang, default)) if node.behaviour else None,
            fill(node.perspective.get(lang, default)) if node.perspective else None,
            node.background, node.present, choices, self.timer_seconds(), ending=None, reaction=self.reaction,
            people=self._people(node), timeout=timeout, **common)

    def _line(self, line, name: str) -> LineView:
        """A line as shown now: words in another language keep them, with the meaning once understood."""
        meaning = self.fill(line.text.get(self.language, self.scenario.language))
        if line.said is None:
            return LineView(line.speaker, name, meaning)
        understood = line.understood is not None and bool(line.understood(self.state.values))
        return LineView(line.speaker, name, line.said, line.said_in, meaning if understood else None)

    def _people(self, node) -> tuple[PersonView, ...]:
        sc, values = self.scenario, self.state.values
        people = []
        for cid in node.present:
            character = sc.characters.get(cid)
            staging = node.staging.get(cid)
            if character is None:  # only in a scenario that failed validation
                people.append(PersonView(cid, cid, "bystander", None, None, None, "here"))
                continue
            level = values[character.expression_slot] if character.expression_slot is not None else None
            people.append(PersonView(cid, character.shown_name(values, self.language, sc.language), character.role,
                                     character.portrait, level, staging.expression if staging else None,
                                     staging.where if staging else "here"))
        return tuple(people)

    def fill(self, text: str) -> str:
        """Scenario text with `{officer}` replaced by the trainee's name (see `officer`)."""
        if "{officer}" not in text:
            return text
        return text.replace("{officer}", self.officer or self.unnamed)

    def _timeout_text(self) -> str | None:
        """What the last decision's timer running out did, in the scenario's words; None when the last
        input was not a timer running out (or the expiry has no text)."""
        pending = self._pending
        if pending and len(pending[-1]) > 2:  # the last input is a decision not yet written
            choice = pending[-1][2]
            if not choice.is_timeout:
                return None
            return self.fill(choice.text.get(self.language, self.scenario.language)) if choice.text is not None else ""
        for event in reversed(self.log):
            if event["type"] == "timer_expired":
                choice = self.scenario.choice_by_id.get(event.get("choice", ""))
                if choice is not None and choice.text is not None:
                    return self.fill(choice.text.get(self.language, self.scenario.language))
                return ""
            if event["type"] in ("choice_made", "undo"):
                return None
        return None

    # --- inputs ----------------------------------------------------------------------------------
    def _choice(self, choice_id: str) -> Choice:
        at, nodes = self.state[0], self.scenario.nodes
        if at >= len(nodes):
            raise InvalidChoice("the scenario has ended")
        node = nodes[at]
        choice = node.choice_by_id.get(choice_id)
        if choice is None:
            raise InvalidChoice(f"there is no choice {choice_id!r} at node {node.id!r}")
        return choice

    def _apply(self, choice: Choice, elapsed: float, actor, reason, forced: int | None = None) -> None:
        """Apply `choice`; `forced` (replay of a log's own draws only) names the outcome to take."""
        state = self.state
        if not choice.outcomes:
            outcome, p = None, 1.0
        else:
            dist = outcome_distribution(self.scenario, state, choice)
            if forced is not None:
                found = [(o, p) for o, p in dist if o is not None and o.index == forced and p > 0]
                if not found:
                    raise InvalidChoice(f"outcome {_short(forced)} of choice {choice.id!r} is not possible here")
                outcome, p = found[0]
            elif len(dist) == 1:
                outcome, p = dist[0]
            else:
                draw = self.rng.random()
                acc = 0.0
                outcome, p = next((c, q) for c, q in reversed(dist) if q > 0)  # rounding never picks a 0
                for candidate, prob in dist:
                    acc += prob
                    if draw < acc and prob > 0:
                        outcome, p = candidate, prob
                        break
        if self.options.allow_undo:  # None: no generator yet, so none has drawn
            self._history.append((state, self._rng.bit_generator.state if self._rng is not None else None,
                                  self.reaction))
        elapsed = float(elapsed)
        if self._pending:  # the log has not been read since the last decision: write the events when it is
            self.state = after = advance(self.scenario, state, choice, outcome, elapsed)
            self._pending.append((self.scenario, state, choice, outcome, p, elapsed, actor, reason, after))
        else:  # a reader follows the log (a recorder, a front end): write them now, as `log` would
            log = self._log
            self.state = transition(self.scenario, state, choice, outcome, p, elapsed, log, actor, reason)
            if not self.ended:  # transition's last event is this node_entered: it records what is shown
                log[-1]["choices"] = [c.id for c in self.presented()]
        text = outcome.text if outcome is not None else None
        self.reaction = self.fill(text.get(self.language, self.scenario.language)) if text is not None else None

    def choose(self, choice_id: str, elapsed: float = 0.0, actor: str | dict = "trainee",
               reason: str | None = None) -> None:
        """Take a choice. `elapsed` is the seconds spent deciding (a finite number from 0 to
        MAX_ELAPSED); `actor` says who decided (the trainee, an instructor override, a workshop
        vote...) and `reason` why, when given; both must be plain JSON data. Raises InvalidChoice."""
        self._choose(choice_id, elapsed, actor, reason)

    def _choose(self, choice_id, elapsed, actor, reason, forced: int | None = None) -> None:
        if type(choice_id) is not str and not isinstance(choice_id, str):
            raise InvalidChoice(f"a choice id is a string, not {_short(choice_id)}")
        # The common cases first (a float in range, a string or None): the same checks, fewer calls.
        if type(elapsed) is not float or not 0.0 <= elapsed <= MAX_ELAPSED:
            elapsed = _check_elapsed(elapsed)
        if actor is not None and type(actor) is not str:
            _check_json("actor", actor)
        if reason is not None and type(reason) is not str:
            _check_json("reason", reason)
        state = self.state  # self._choice(choice_id), inlined
        node = self._node if state is self._node_for and self.scenario is self._node_in else self._locate()
        if node is None:
            raise InvalidChoice("the scenario has ended")
        choice = node.choice_by_id.get(choice_id)
        if choice is None:
            raise InvalidChoice(f"there is no choice {choice_id!r} at node {node.id!r}")
        if choice.test is not None and not choice.test(state[1]):
            raise InvalidChoice(f"choice {choice_id!r} is not available now (condition: {choice.condition})")
        self._apply(choice, elapsed, actor, reason, forced)

    def expire_timer(self, elapsed: float | None = None) -> None:
        """The decision timer ran out: the node's `expire` branch happens."""
        self._expire(elapsed)

    def _expire(self, elapsed, forced: int | None = None) -> None:
        seconds = self.timer_seconds()
        if seconds is None:
            raise InvalidChoice("no decision timer is running here")
        elapsed = seconds if elapsed is None else _check_elapsed(elapsed)
        choice = self.scenario.nodes[self.state.at].timer.expire
        self._apply(choice, elapsed, "clock", None, forced)

    @property
    def can_undo(self) -> bool:
        """Whether `undo()` would succeed now (undo allowed and a decision to take back)."""
        return self.options.allow_undo and bool(self._history)

    def undo(self, actor: str | dict = "trainee", reason: str | None = None, elapsed: float = 0.0) -> None:
        """Go back one decision (when the options allow it). The undo itself is logged, at the time
        it happened: `elapsed` seconds after the current moment appeared. The clock keeps running
        from there (the restored state takes that time), so the log's times never go backwards."""
        self._undo(actor, reason, round(self.state.t + _check_elapsed(elapsed), 3))

    def _undo(self, actor, reason, now) -> None:
        """Undo, logged at session time `now` (replay passes the logged time)."""
        if not self.options.allow_undo:
            raise InvalidChoice("undo is not allowed in this session")
        if not self._history:
            raise InvalidChoice("there is nothing to undo")
        _check_json("actor", actor)
        _check_json("reason", reason)
        if not _real(now) or not math.isfinite(now) or now < self._history[-1][0].t or now > self.state.t + MAX_ELAPSED:
            raise InvalidChoice(f"an undo's time must lie between the state it returns to and now, not {_short(now)}")
        state, rng_state, self.reaction = self._history.pop()
        if rng_state is None:
            self._rng = None  # no generator had drawn then: the next one starts from the seed again
        else:
            self.rng.bit_generator.state = rng_state
        self.state = state._replace(t=now)
        self.log.append({"seq": len(self.log), "type": "undo", "t": now, "actor": actor, "reason": reason,
                         "node": self.scenario.target_ids[state.at], "steps": state.steps})

    # --- marks and injects (instructor-operated, workshop and research rooms) --------------------
    def _here(self) -> str:
        return self.scenario.target_ids[self.state.at]

    def _moment_time(self, elapsed) -> float:
        """Session time `elapsed` seconds after the current moment appeared (undo's and marks' clock)."""
        return round(self.state.t + _check_elapsed(elapsed), 3)

    def mark(self, kind: str, elapsed: float = 0.0, actor: str | dict | None = None, **fields) -> dict:
        """Log mark `kind` (one of MARKS) `elapsed` seconds after the current moment appeared, with
        who (`actor`) and plain JSON `fields`; returns the event. Changes no state and draws nothing,
        so the scene plays on exactly as without it. Raises InvalidChoice for anything else."""
        return self._mark(kind, self._moment_time(elapsed), actor, fields)

    def _mark(self, kind, now, actor, fields: dict) -> dict:
        if kind not in MARKS:
            raise InvalidChoice(f"{_short(kind)} is not a kind of mark ({', '.join(sorted(MARKS))})")
        clash = _MARK_KEYS & set(fields)
        if clash:
            raise InvalidChoice(f"a mark's fields cannot be named {', '.join(sorted(clash))}")
        if not _real(now) or not math.isfinite(now) or not self.state.t <= now <= self.state.t + MAX_ELAPSED:
            raise InvalidChoice(f"a mark's time must lie between the current moment and {MAX_ELAPSED:g} s after it, "
                                f"not {_short(now)}")
        _check_json("actor", actor)
        _check_json("the mark's fields", fields)
        event = {"seq": len(self.log), "type": kind, "t": now, "node": self._here(), "actor": actor,
                 **json.loads(json.dumps(fields))}  # a copy: later changes to the caller's data never reach the log
        self.log.append(event)
        return event

    def injects(self) -> tuple:
        """The injects the scenario offers at the current node (none once it has ended)."""
        return () if self.ended else self.scenario.nodes[self.state.at].injects

    def inject(self, inject_id: str, elapsed: float = 0.0, actor: str | dict | None = None,
               reason: str | None = None) -> None:
        """Bring scenario-defined event `inject_id` into the current scene, `elapsed` seconds after the
        moment appeared: logs `inject_applied` (with the options shown afterwards, which its effects
        may change) and the changes its effects make (cause kind "inject"). The scene stays, no
        decision is counted and no random number is drawn; an undo takes it back with the decision
        before it. Raises InvalidChoice when this node offers no such inject."""
        self._inject(inject_id, self._moment_time(elapsed), actor, reason)

    def _inject(self, inject_id, now, actor, reason) -> None:
        if self.ended:
            raise InvalidChoice("the scenario has ended")
        found = next((j for j in self.injects() if j.id == inject_id), None)
        if found is None:
            raise InvalidChoice(f"there is no inject {_short(inject_id)} at node {self._here()!r}")
        if not _real(now) or not math.isfinite(now) or not self.state.t <= now <= self.state.t + MAX_ELAPSED:
            raise InvalidChoice(f"an inject's time must lie after the current moment, not {_short(now)}")
        _check_json("actor", actor)
        _check_json("reason", reason)
        event = {"seq": len(self.log), "type": "inject_applied", "t": now, "node": self._here(), "inject": found.id,
                 "actor": actor, "reason": reason}
        self.log.append(event)
        self.state = apply_inject(self.scenario, self.state, found, now, self.log)
        event["choices"] = [c.id for c in self.presented()]
        self.reaction = self.fill(found.text.get(self.language, self.scenario.language))

    # --- persistence -----------------------------------------------------------------------------
    def log_json(self, start: int = 0) -> str:
        """The event log (from event `start` on) as canonical JSON lines (sorted keys, no spaces).

        Strict JSON: a NaN or an infinity anywhere raises ValueError instead of being written."""
        return "".join(event_json(e) + "\n" for e in self.log[start:])

    def state_json(self) -> dict:
        return {"at": self.scenario.target_ids[self.state.at], "values": dict(zip(self.scenario.var_index, self.state.values)),
                "steps": self.state.steps, "t": self.state.t}

    def save(self) -> dict:
        """A versioned, JSON-serialisable save: the log (the source of truth) plus a state check."""
        return {"format": "parley-save", "version": SAVE_FORMAT, "scenario": self.log[0]["scenario"],
                "log": [dict(e) for e in self.log], "state": self.state_json(),
                "rng": _jsonable(self.rng.bit_generator.state)}

    @classmethod
    def restore(cls, scenario: Scenario, save: dict) -> Session:
        """Rebuild a session from `save`; continuing it equals never having stopped.

        A save is untrusted input. Anything that is not exactly a save of this scenario's file whose
        log replays to its recorded state and generator state raises `ReplayMismatch` (and nothing
        else), with a message saying what is wrong."""
        try:
            return cls._restore(scenario, save)
        except ReplayMismatch:
            raise
        except Exception as exc:
            raise ReplayMismatch(f"the save could not be read ({type(exc).__name__}: {_short(str(exc))})") from exc

    @classmethod
    def _restore(cls, scenario: Scenario, save) -> Session:
        if not isinstance(save, dict) or save.get("format") != "parley-save":
            raise ReplayMismatch("this is not a Parley save")
        version = save.get("version")
        if type(version) is not int or version != SAVE_FORMAT:
            raise ReplayMismatch(f"this Parley save has version {_short(version)}; this program reads version {SAVE_FORMAT}")
        missing, extra = SAVE_KEYS - set(save), set(save) - SAVE_KEYS
        if missing or extra:
            raise ReplayMismatch("the save " + "; ".join(
                part for part in (missing and f"lacks {', '.join(sorted(map(str, missing)))}",
                                  extra and f"has unknown keys {_short(sorted(map(str, extra)))}") if part))
        _strict(save, "the save")
        info = save["scenario"]
        if not isinstance(info, dict):
            raise ReplayMismatch("the save's scenario is not an object")
        if info.get("id") != scenario.id:
            raise ReplayMismatch(f"the save is for scenario {_short(info.get('id'))}, not {scenario.id!r}")
        if info.get("content_hash") != scenario.content_hash:
            raise ReplayMismatch("the scenario file has changed since this save was made; it cannot be resumed exactly")
        session = cls.replay(scenario, save["log"])
        if _canonical([info]) != _canonical([session.log[0]["scenario"]]):
            raise ReplayMismatch("the save's scenario does not match its log")
        if _canonical([session.state_json()]) != _canonical([save["state"]]):
            raise ReplayMismatch("the save's state does not match its log")
        if _canonical([_jsonable(session.rng.bit_generator.state)]) != _canonical([save["rng"]]):
            raise ReplayMismatch("the save's random generator state does not match its log")
        return session

    @classmethod
    def replay(cls, scenario: Scenario, log: list[dict], *, outcomes: str = "seed",
               partial: bool = False, exact: bool = True) -> Session:
        """Re-run the inputs found in `log` and check every derived event matches exactly.

        A log is untrusted input: anything that does not replay exactly raises `ReplayMismatch` (and
        nothing else), with a message: not a list of JSON objects starting with session_started,
        another scenario or another version of its file (content hash), bad seed or options, wrong
        types, NaN or infinite numbers, events that differ, missing or extra events.

        `outcomes="seed"` (the default) draws random reactions from the logged seed, so the log must
        be exactly what a session recorded. `outcomes="log"` takes the reaction each `outcome_drawn`
        event names instead (it must be possible then, with the logged probability): logs of
        enumerated playthroughs (`scoring.paths.record_log`) replay too. With `partial=True` the log
        may stop anywhere, even inside a decision's events: it must then be the start of the replay.
        `exact=False` compares the events as values (1 equals 1.0) instead of as canonical JSON text:
        faster, for readers (grading) that go on with the returned session's own, clean log.
        """
        try:
            return cls._replay(scenario, log, outcomes, partial, exact)
        except ReplayMismatch:
            raise
        except Exception as exc:
            raise ReplayMismatch(f"the log could not be replayed ({type(exc).__name__}: {_short(str(exc))})") from exc

    @classmethod
    def _replay(cls, scenario: Scenario, log, outcomes: str, partial: bool, exact: bool) -> Session:
        if outcomes not in ("seed", "log"):
            raise ValueError(f"outcomes is 'seed' or 'log', not {outcomes!r}")
        if isinstance(log, tuple):
            log = list(log)
        if not isinstance(log, list):
            raise ReplayMismatch(f"a log is a list of events, not {type(log).__name__}")
        if not log or not isinstance(log[0], dict) or log[0].get("type") != "session_started":
            raise ReplayMismatch("a log starts with session_started")
        for i, event in enumerate(log):
            if not isinstance(event, dict):
                raise ReplayMismatch(f"event {i} is not an object but {type(event).__name__}")
        theirs = _strict(log, "the log") if exact else None
        first = log[0]
        info = first.get("scenario")
        if not isinstance(info, dict):
            raise ReplayMismatch("session_started has no scenario object")
        if info.get("id") != scenario.id:
            raise ReplayMismatch(f"the log was recorded on scenario {_short(info.get('id'))}, not {scenario.id!r}")
        if info.get("content_hash") != scenario.content_hash:
            raise ReplayMismatch("the log was recorded on another version of the scenario file (content hash "
                                 f"{_short(info.get('content_hash'))}, not {scenario.content_hash!r})")
        if info.get("variant") != scenario.variant:
            raise ReplayMismatch(f"the log was recorded on variant {_short(info.get('variant'))} of the scenario, "
                                 f"not {scenario.variant!r} (simulator.content.loader.scenario_for_log picks it)")
        if "seed" not in first:
            raise ReplayMismatch("session_started has no seed")
        options = first.get("options")
        if first.get("engine") != ENGINE_VERSION:
            raise ReplayMismatch(f"the log was recorded by engine version {_short(first.get('engine'))}; "
                                 f"this program replays version {ENGINE_VERSION} exactly")
        model = f"{scenario.behaviour.name}@{scenario.behaviour.version}"
        if first.get("behaviour_model") != model:
            raise ReplayMismatch(f"the log was recorded with behaviour model {_short(first.get('behaviour_model'))}; "
                                 f"this program has {model}")
        if not isinstance(options, dict) or set(options) != OPTION_KEYS:
            raise ReplayMismatch(f"session_started's options must be an object with exactly {', '.join(sorted(OPTION_KEYS))}")
        try:
            session = cls(scenario, seed=first["seed"], options=SessionOptions(**options))
        except InvalidOptions as exc:
            raise ReplayMismatch(f"session_started: {exc}") from None
        session.log  # the whole log is compared below: write each decision's events as it is made
        for i in range(2, len(log)):
            event = log[i]
            kind = event.get("type")
            if kind in MARKS:
                try:
                    session._mark(kind, event.get("t"), event.get("actor"),
                                  {k: v for k, v in event.items() if k not in _MARK_KEYS})
                except EngineError as exc:
                    raise ReplayMismatch(f"event {i} ({kind}): {_short(str(exc))}") from None
                continue
            if kind == "inject_applied":
                try:
                    session._inject(event.get("inject"), event.get("t"), event.get("actor"), event.get("reason"))
                except EngineError as exc:
                    raise ReplayMismatch(f"event {i} ({kind}): {_short(str(exc))}") from None
                continue
            if kind not in ("choice_made", "timer_expired", "undo"):
                continue
            forced = None
            if outcomes == "log" and kind != "undo" and i + 1 < len(log) and log[i + 1].get("type") == "outcome_drawn":
                forced = log[i + 1].get("outcome")
                if type(forced) is not int:
                    raise ReplayMismatch(f"event {i}: an outcome is a whole number, not {_short(forced)}")
            try:
                if kind == "choice_made":
                    session._choose(event["choice"], event["elapsed"], event["actor"], event["reason"], forced)
                elif kind == "timer_expired":
                    session._expire(event["elapsed"], forced)
                else:
                    session._undo(event["actor"], event["reason"], event["t"])
            except (EngineError, KeyError) as exc:
                what = f"no {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
                raise ReplayMismatch(f"event {i} ({kind}): {_short(what)}") from None
        mine = session.log[:len(log)] if partial else session.log
        if (_canonical(mine) != theirs) if exact else (mine != log):
            for j, (a, b) in enumerate(zip(session.log, log)):
                if (_canonical([a]) != _strict([b], f"event {j}")) if exact else (a != b):
                    raise ReplayMismatch(f"replay differs at event {j}: expected {_short(a)}, the log has {_short(b)}")
            raise ReplayMismatch(f"replay has {len(session.log)} events, the log {len(log)}")
        return session


def event_json(event: dict) -> str:
    """One event as a canonical JSON line without its newline (what `log_json` writes); strict JSON."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _canonical(events: list[dict]) -> str:
    return json.dumps(events, sort_keys=True, separators=(",", ":"))


def _strict(value, what: str) -> str:
    """`value` as canonical JSON, or ReplayMismatch when it is not plain, strict JSON data."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ReplayMismatch(f"{what} is not plain JSON data ({type(exc).__name__}: {_short(str(exc))})") from None


_repr = reprlib.Repr()
_repr.maxlevel, _repr.maxstring, _repr.maxother, _repr.maxdict, _repr.maxlist = 3, 60, 60, 8, 8


def _short(value) -> str:
    """A bounded, one-line repr for messages (never huge, never deeply nested)."""
    try:
        text = _repr.repr(value)
    except Exception:  # noqa: BLE001 - a message must never fail
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 200 else text[:199] + "…"


def _jsonable(value):
    return json.loads(json.dumps(value, allow_nan=False))
