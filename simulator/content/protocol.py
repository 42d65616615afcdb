"""Research protocols: which scenarios participants play, how, in which order, and what they are asked.

A protocol file is read like a scenario: safe YAML with positions (`yamlsafe.read_yaml`), the JSON
Schema `scenarios/protocol.schema.json` (Draft 2020-12, its failures explained by the scenario
schema's own reporter), then meaning checks (each scenario resolves and loads, named variants exist,
seeds are in range, question ids are unique...). Every problem comes at once as
`FILE:LINE:COL: error: ... (hint: ...)`.

`assign(protocol, position)` is the whole assignment rule: what the participant enrolled at
`position` (1, 2, 3...) plays, in which order, with which variant and seed. It depends on nothing
else, so an assignment can be checked on paper (docs/research.md).
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import jsonschema

from ..engine.model import Scenario
from ..engine.session import SEED_LIMIT, InvalidOptions, check_seed
from ..paths import scenarios_dir
from . import schema as scenario_schema
from .diagnostics import Diagnostic, DiagnosticSink
from .loader import bundled_scenarios, load_scenario, read_file
from .yamlsafe import read_yaml

PROTOCOL_SCHEMA_PATH = scenarios_dir() / "protocol.schema.json"
GUIDE = "docs/research.md"
FORMAT = 1
DEFAULT_TEXT_LENGTH = 500  # characters of a text answer, unless a question says otherwise
MAX_SCALE_STEPS = 100  # a scale question offers at most 101 answers

# The columns of `parley export research` (docs/research.md has their meaning). The identifying
# columns are always written; `export:` picks groups, or single columns, of the rest.
IDENTITY_COLUMNS = ("protocol_id", "protocol_sha256", "protocol_changed", "participant", "position",
                    "scenario_index", "play_order", "scenario_id", "scenario_version", "content_hash", "variant",
                    "seed", "option_order", "session_uid", "session_status", "attempts", "decision")
COLUMN_GROUPS = {
    "decisions": ("node", "choice", "option_position", "options_shown", "shown_order", "timer_expired"),
    "timing": ("elapsed_ms", "latency_ms"),
    "state": ("escalation_before", "escalation_after", "rapport_before", "rapport_after"),
    "grades": ("grade", "scored_grade", "points_lost"),
    "results": ("ending", "outcome", "result", "overall"),
    "answers": (),  # pre_<question id>, then post_<question id>, in the protocol's order
}
EXPORT_NAMES = tuple(COLUMN_GROUPS) + tuple(c for group in COLUMN_GROUPS.values() for c in group)


_TOP_KEY = re.compile(rb"^([A-Za-z_]+):", re.MULTILINE)


def looks_like_protocol(raw: bytes) -> bool:
    """Whether a YAML file's bytes are a research protocol rather than a scenario: among its top-level
    keys (lines starting `key:`) are `scenarios` and not `nodes`, which every scenario has. `parley
    validate` and `parley lint` check such a file as a protocol."""
    keys = set(_TOP_KEY.findall(raw))
    return b"scenarios" in keys and b"nodes" not in keys


@lru_cache(maxsize=1)
def protocol_schema() -> dict:
    """The protocol JSON Schema (Draft 2020-12) shipped in scenarios/."""
    return json.loads(PROTOCOL_SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Question:
    """A question asked before (`pre`) or after (`post`) the scenarios."""

    id: str
    text: str
    kind: str  # scale, choice or text
    required: bool = True
    min: int | None = None
    max: int | None = None
    low: str | None = None
    high: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (id, text) of each answer a choice question offers
    max_length: int = DEFAULT_TEXT_LENGTH


@dataclass(frozen=True)
class ProtocolScenario:
    """One scenario of a protocol, resolved and loaded."""

    index: int  # 1-based place in the protocol's list
    ref: str  # as the protocol names it: a bundled id or a path relative to the protocol file
    path: Path
    scenario: Scenario
    seed: int
    variants: tuple[str, ...]  # counterbalanced across participants; () plays the scenario's default


@dataclass(frozen=True)
class Protocol:
    """A checked research protocol (see docs/research.md for each field)."""

    id: str
    title: str
    path: Path
    sha256: str  # of the file's bytes: sessions and enrolments record it
    scenarios: tuple[ProtocolScenario, ...]
    option_order: str  # authored or shuffled
    version: str | None = None
    description: str | None = None
    order: str = "fixed"  # fixed or counterbalanced
    timers: bool = False
    timer_scale: float = 1.0
    language: str | None = None
    meter: bool = True
    debrief: bool = False
    seeds: str = "same"  # same or by-position
    pre: tuple[Question, ...] = ()
    post: tuple[Question, ...] = ()
    columns: tuple[str, ...] = field(default=())  # the export's columns, answers included

    @property
    def shuffle(self) -> bool:
        return self.option_order == "shuffled"


@dataclass(frozen=True)
class Play:
    """One scenario as a participant plays it."""

    order: int  # 1-based place in this participant's sequence
    index: int  # 1-based place in the protocol's list
    scenario_id: str
    variant: str | None  # None: the scenario's default (it has no variants to counterbalance)
    seed: int


def assign(protocol: Protocol, position: int) -> tuple[Play, ...]:
    """What the participant enrolled at `position` (1, 2, 3...) plays, in play order.

    - order: `fixed` plays the protocol's list as written; `counterbalanced` rotates it by
      position - 1 (participant 1: A B C, 2: B C A, 3: C A B, 4: A B C...), a cyclic Latin square:
      every scenario comes at every place once in each run of n participants.
    - variant of the scenario at place j (0-based) of the list: variants[(position - 1 + j) % len(variants)],
      so consecutive participants get the variants in turn, and one participant meets different
      variants of scenarios that share a list.
    - seed: the scenario's, or with `seeds: by-position` the scenario's + position - 1 (modulo 2**63).
    Raises ValueError for a position below 1."""
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        raise ValueError(f"an enrolment position is a whole number from 1, not {position!r}")
    entries = protocol.scenarios
    n = len(entries)
    shift = (position - 1) % n if protocol.order == "counterbalanced" else 0
    plays = []
    for order, j in enumerate([(shift + i) % n for i in range(n)], 1):
        entry = entries[j]
        variant = entry.variants[(position - 1 + j) % len(entry.variants)] if entry.variants else None
        seed = (entry.seed + position - 1) % SEED_LIMIT if protocol.seeds == "by-position" else entry.seed
        plays.append(Play(order, entry.index, entry.scenario.id, variant, seed))
    return tuple(plays)


def cycle_length(protocol: Protocol) -> int:
    """After how many participants the assignment repeats (positions k and k + cycle get the same
    scenarios, order and variants; seeds differ with `seeds: by-position`)."""
    from math import lcm
    lengths = [len(e.variants) for e in protocol.scenarios if e.variants]
    if protocol.order == "counterbalanced":
        lengths.append(len(protocol.scenarios))
    return lcm(*lengths) if lengths else 1


@dataclass
class ProtocolResult:
    """A protocol (None when it has errors) and every diagnostic found."""

    protocol: Protocol | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


class _Guide:
    """The scenario schema's reporter, pointed at this format's guide instead of the scenario's."""

    def __init__(self, sink: DiagnosticSink):
        self.sink = sink

    def error(self, pos, code, message, hint=""):
        hint = hint.replace("; split the scenario if it is really this large", "").replace(
            "docs/scenario-format.md", GUIDE)
        self.sink.error(pos, code, message, hint)


def load_protocol(path: str | os.PathLike) -> ProtocolResult:
    """Read and check the protocol file at `path`, and load its scenarios. Never raises for bad content."""
    path = Path(path)
    name = str(path)
    raw = read_file(path, name)
    if isinstance(raw, Diagnostic):
        return ProtocolResult(None, [raw])
    sink = DiagnosticSink(name)
    doc = read_yaml(raw, name, sink)
    if doc is None:
        return ProtocolResult(None, sink.sorted())
    if not isinstance(doc.data, dict):
        sink.error((1, 1), "not-a-mapping", "a protocol file must be a mapping of keys to values",
                   f"start from the example in {GUIDE}")
        return ProtocolResult(None, sink.sorted())
    _check_shape(doc, sink)
    checker = _Meaning(doc, sink, path.parent)
    checker.run()
    if sink.has_errors:
        return ProtocolResult(None, sink.sorted())
    data = doc.data
    options = data["options"]
    protocol = Protocol(
        id=data["id"], title=data["title"], path=path, sha256=hashlib.sha256(raw).hexdigest(),
        scenarios=tuple(checker.entries), option_order=options["option_order"], version=data.get("version"),
        description=data.get("description"), order=data.get("order", "fixed"), timers=options.get("timers", False),
        timer_scale=float(options.get("timer_scale", 1.0)), language=options.get("language"),
        meter=options.get("meter", True), debrief=options.get("debrief", False), seeds=options.get("seeds", "same"),
        pre=tuple(_question(q) for q in data.get("pre", ())), post=tuple(_question(q) for q in data.get("post", ())))
    return ProtocolResult(_with_columns(protocol, data.get("export")), sink.sorted())


def _question(data: dict) -> Question:
    return Question(id=data["id"], text=data["text"], kind=data["kind"], required=data.get("required", True),
                    min=data.get("min"), max=data.get("max"), low=data.get("low"), high=data.get("high"),
                    options=tuple((o["id"], o["text"]) for o in data.get("options", ())),
                    max_length=data.get("max_length", DEFAULT_TEXT_LENGTH))


def _with_columns(protocol: Protocol, chosen) -> Protocol:
    """`protocol` with its export's columns: the identifying ones, then the chosen groups and columns
    in the order of docs/research.md's table (all of them when `export:` is absent)."""
    names = set(chosen) if chosen is not None else set(COLUMN_GROUPS)
    columns = list(IDENTITY_COLUMNS)
    for group, members in COLUMN_GROUPS.items():
        columns += [c for c in members if group in names or c in names]
    if "answers" in names:
        columns += [f"pre_{q.id}" for q in protocol.pre] + [f"post_{q.id}" for q in protocol.post]
    return replace(protocol, columns=tuple(columns))


def _check_shape(doc, sink: DiagnosticSink) -> None:
    """The schema's problems, every one, with positions and hints. A protocol is small (at most a
    few hundred values), so jsonschema looks at all of it."""
    validator = jsonschema.Draft202012Validator(protocol_schema())
    guide = _Guide(sink)
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        if error.validator == "enum" and len(path) == 2 and path[0] == "export":
            close = difflib.get_close_matches(str(error.instance), EXPORT_NAMES, n=1)
            sink.error(doc.position(path), "unknown-column", f"{scenario_schema._show(error.instance)} is not a "
                       "column or a group of columns of the export",
                       f"did you mean {close[0]!r}?" if close else
                       f"groups: {', '.join(COLUMN_GROUPS)}; columns are listed in {GUIDE}")
            continue
        scenario_schema._report(doc, guide, error)


class _Meaning:
    """Meaning checks, defensive enough to run on data the schema refused (all problems at once)."""

    def __init__(self, doc, sink: DiagnosticSink, folder: Path):
        self.doc, self.sink, self.folder = doc, sink, folder
        self.entries: list[ProtocolScenario] = []

    def error(self, path: tuple, code: str, message: str, hint: str = "") -> None:
        self.sink.error(self.doc.position(path), code, message, hint)

    def warning(self, path: tuple, code: str, message: str, hint: str = "") -> None:
        self.sink.warning(self.doc.position(path), code, message, hint)

    def reported(self, path: tuple) -> bool:
        """Whether the schema has already said something about the value at `path`."""
        pos = self.doc.position(path)
        return any((d.line, d.column) == pos for d in self.sink.items)

    def run(self) -> None:
        data = self.doc.data
        options = data.get("options") if isinstance(data.get("options"), dict) else {}
        language = options.get("language") if isinstance(options.get("language"), str) else None
        scenarios = data.get("scenarios")
        if isinstance(scenarios, list):
            seen = {}
            for i, entry in enumerate(scenarios):
                if isinstance(entry, dict):
                    self.scenario(i, entry, language, seen)
            if data.get("order") == "counterbalanced" and len(scenarios) == 1:
                self.warning(("order",), "nothing-to-counterbalance",
                             "order is counterbalanced, but the protocol has one scenario",
                             "write order: fixed, or add scenarios")
        self.questions(data)

    def scenario(self, i: int, entry: dict, language: str | None, seen: dict) -> None:
        where = ("scenarios", i)
        seed = entry.get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool) and not self.reported(where + ("seed",)):
            try:
                check_seed(seed)
            except InvalidOptions as exc:
                self.error(where + ("seed",), "bad-seed", str(exc), "a seed is a whole number from 0 to 2**63 - 1")
        ref = entry.get("scenario")
        if not isinstance(ref, str) or not ref.strip():
            return
        path = self.resolve(ref)
        if path is None:
            bundled = [p.stem for p in bundled_scenarios()]
            close = difflib.get_close_matches(ref, bundled, n=1)
            self.error(where + ("scenario",), "unknown-scenario",
                       f"{scenario_schema._show(ref)} is neither a scenario file beside the protocol nor a bundled "
                       "scenario", f"did you mean {close[0]!r}?" if close else f"bundled: {', '.join(bundled)}")
            return
        result = load_scenario(path)
        if result.scenario is None:
            errors = [d for d in result.diagnostics if d.severity == "error"]
            first = errors[0] if errors else None
            detail = f"; the first, at line {first.line}: {first.message}" if first else ""
            self.error(where + ("scenario",), "scenario-has-errors",
                       f"the scenario {scenario_schema._show(ref)} has {len(errors)} error(s){detail}",
                       f"run parley validate {path}")
            return
        scenario = result.scenario
        if scenario.id in seen:
            self.warning(where + ("scenario",), "scenario-twice",
                         f"the scenario {scenario.id!r} is also at place {seen[scenario.id]} of the list",
                         "each participant plays it twice; the export tells the plays apart by scenario_index")
        seen.setdefault(scenario.id, i + 1)
        known = [v.id for v in scenario.variants]
        variants = entry.get("variants")
        ok = True
        if isinstance(variants, list):
            if not known and variants:
                ok = False
                self.error(where + ("variants",), "no-variants",
                           f"the scenario {scenario.id!r} has no variants to counterbalance", "remove variants:")
            else:
                for k, variant in enumerate(variants):
                    if isinstance(variant, str) and variant not in known:
                        ok = False
                        close = difflib.get_close_matches(variant, known, n=1)
                        self.error(where + ("variants", k), "unknown-variant",
                                   f"the scenario {scenario.id!r} has no variant {scenario_schema._show(variant)}",
                                   f"did you mean {close[0]!r}?" if close else f"its variants: {', '.join(known)}")
        if language is not None and language not in scenario.languages:
            ok = False
            self.error(("options", "language"), "missing-language",
                       f"the scenario {scenario.id!r} has no {language!r} text (its languages: "
                       f"{', '.join(scenario.languages)})", "choose a language every scenario has, or remove language:")
        seed_ok = isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < SEED_LIMIT
        if ok and seed_ok and (variants is None or isinstance(variants, list)
                               and all(isinstance(v, str) for v in variants)):
            self.entries.append(ProtocolScenario(i + 1, ref, path, scenario, seed, tuple(variants or ())))

    def resolve(self, ref: str) -> Path | None:
        """A path relative to the protocol file when that file exists, else a bundled scenario's id."""
        try:
            candidate = self.folder / ref
            if candidate.is_file():
                return candidate
        except (OSError, ValueError):  # a name too long, a NUL
            pass
        return next((p for p in bundled_scenarios() if p.stem == ref), None)

    def questions(self, data: dict) -> None:
        seen: dict[str, str] = {}
        for phase in ("pre", "post"):
            questions = data.get(phase)
            if not isinstance(questions, list):
                continue
            for i, question in enumerate(questions):
                if not isinstance(question, dict):
                    continue
                where = (phase, i)
                qid = question.get("id")
                if isinstance(qid, str):
                    if qid in seen:
                        self.error(where + ("id",), "duplicate-question",
                                   f"the question id {qid!r} is also used in {seen[qid]}",
                                   "give every question, pre and post, an id of its own")
                    seen.setdefault(qid, f"{phase}[{i + 1}]")
                self.question(where, question)

    def question(self, where: tuple, question: dict) -> None:
        kind = question.get("kind")
        fields_of = {"scale": ("min", "max", "low", "high"), "choice": ("options",), "text": ("max_length",)}
        if kind not in fields_of:
            return
        for other, names in fields_of.items():
            for name in names:
                if other != kind and name in question:
                    self.error(where + (name,), "not-for-this-kind",
                               f"{name} is for {other} questions; this one is a {kind} question",
                               f"remove {name}, or make it kind: {other}")
        low, high = question.get("min"), question.get("max")
        if kind == "scale" and all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
            if low >= high:
                self.error(where + ("max",), "bad-scale", f"max ({high}) must be above min ({low})",
                           "a scale runs from min up to max, e.g. min: 1, max: 7")
            elif high - low > MAX_SCALE_STEPS:
                self.error(where + ("max",), "bad-scale",
                           f"the scale has {high - low + 1} answers; at most {MAX_SCALE_STEPS + 1} are allowed",
                           "use a narrower scale")
        options = question.get("options")
        if kind == "choice" and isinstance(options, list):
            ids = [o.get("id") if isinstance(o, dict) else None for o in options]
            for k, oid in enumerate(ids):
                if isinstance(oid, str) and oid in ids[:k]:
                    self.error(where + ("options", k, "id"), "duplicate-option",
                               f"the answer id {oid!r} is used twice in this question", "give each answer its own id")
