"""Scoring rubrics as data: load and check a rubric file, and merge a scenario's `scoring:` section."""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import jsonschema

from simulator.content.behaviour import BUILTIN_INDEX, default_model
from simulator.content.diagnostics import Diagnostic, DiagnosticSink
from simulator.content.yamlsafe import YamlDocument, read_yaml
from simulator.engine.expressions import ExpressionError, compile_expr, parse
from simulator.engine.model import Scenario

DEFAULT_RUBRIC_PATH = Path(__file__).with_name("default_rubric.yaml")
RUBRIC_SCHEMA_PATH = Path(__file__).with_name("rubric.schema.json")
CHECKS = ("decision", "disproportionate-force", "deadly-force-danger-to-self")
THRESHOLD_KEYS = ("pass", "fail_below")
GRADE_TIERS = ("acceptable", "mistake", "major", "critical")  # the tiers that take points off


class RubricError(Exception):
    """A rubric (or a scenario's scoring section) has errors; carries every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics if d.severity == "error"))


@dataclass(frozen=True)
class Competency:
    id: str
    name: str
    weight: float
    description: str
    tags: Mapping[str, float]  # tag -> signed weight


@dataclass(frozen=True)
class CriticalErrorDef:
    id: str
    name: str
    check: str
    why: str
    tags: frozenset = frozenset()
    choices: frozenset = frozenset()
    endings: frozenset = frozenset()
    when: str | None = None
    except_choices: frozenset = frozenset()
    except_nodes: frozenset = frozenset()
    source: str = "rubric"  # "rubric" or "scenario"


@dataclass(frozen=True)
class Rubric:
    """A complete, checked rubric (the default one, or one with a scenario's additions merged)."""

    name: str
    version: int
    competencies: tuple[Competency, ...]
    evidence: Mapping
    proportionality: Mapping
    thresholds: Mapping[str, float]
    critical_errors: tuple[CriticalErrorDef, ...]
    key_decisions: Mapping
    grades: Mapping  # tier -> {"overall": points, "competency": points}
    objectives: Mapping = field(default_factory=dict)  # objective id -> {"met_by": ..., "missed_by": ...}
    source: str = ""

    def competency(self, cid: str) -> Competency | None:
        """The competency with id `cid`, or None."""
        return next((c for c in self.competencies if c.id == cid), None)


@lru_cache(maxsize=1)
def rubric_schema() -> dict:
    """The rubric JSON Schema (Draft 2020-12)."""
    return json.loads(RUBRIC_SCHEMA_PATH.read_text(encoding="utf-8"))


def _schema_errors(data, schema: dict, doc: YamlDocument, sink: DiagnosticSink, base: tuple = ()) -> None:
    """Report every schema problem in `data` at its file position, with a hint."""
    validator = jsonschema.Draft202012Validator(schema)
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        if err.context:
            err = jsonschema.exceptions.best_match(err.context)
        path = base + tuple(err.absolute_path)
        where = ".".join(map(str, path)) or "the top level"
        sub = err.schema if isinstance(err.schema, dict) else {}
        if err.validator == "additionalProperties":
            allowed = sorted(sub.get("properties", {}))
            for key in sorted(set(err.instance) - set(allowed)):
                close = difflib.get_close_matches(key, allowed, n=1)
                sink.error(doc.position(path + (key,), key=True), "unknown-key", f"unknown key {key!r} in {where}",
                           f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed) or 'none'}")
        elif err.validator == "required":
            sink.error(doc.position(path), "missing-key", f"{where}: {err.message}", "see docs/scoring.md")
        elif err.validator == "enum":
            sink.error(doc.position(path), "bad-value", f"{err.instance!r} is not allowed for {where}",
                       "use one of: " + ", ".join(map(str, err.validator_value)))
        elif err.validator == "type":
            sink.error(doc.position(path), "wrong-type", f"{where} should be {err.validator_value}, not {err.instance!r}",
                       "check indentation and quoting")
        elif err.validator == "not":
            sink.error(doc.position(path), "bad-value", f"{where} must not be 0",
                       "a weight of 0 means the tag does not count: remove it instead")
        else:
            sink.error(doc.position(path), "schema", f"{where}: {err.message}", "see docs/scoring.md")


MAX_SUGGESTIONS = 50  # "did you mean" per check; difflib costs about O(candidates) for each word


class _Suggester:
    """Bounded "did you mean": candidates sorted once, at most MAX_SUGGESTIONS lookups, so that a file
    naming 20,000 unknown ids is still reported (every id) in well under a second."""

    def __init__(self, known):
        self.known = sorted(str(k) for k in known)
        self.left = MAX_SUGGESTIONS

    def __call__(self, word) -> str | None:
        if self.left <= 0 or not isinstance(word, str) or len(word) > 200:
            return None
        self.left -= 1
        close = difflib.get_close_matches(word, self.known, n=1)
        return close[0] if close else None


def _check_when(text: str, index: Mapping[str, int], pos, sink: DiagnosticSink, where: str) -> None:
    try:
        compile_expr(parse(text), dict(index))
    except ExpressionError as exc:
        sink.error(pos, "bad-condition", f"{where}: {exc.message}", exc.hint or "see docs/scenario-format.md, Expressions")
    except Exception as exc:  # noqa: BLE001 - unknown variables and the like
        sink.error(pos, "bad-condition", f"{where}: {exc}", "conditions use escalation, rapport, recovery, factor_revealed")


def _tag_problem(tag: str, known, pos, sink: DiagnosticSink, where: str, suggest: _Suggester | None = None) -> None:
    if tag not in known:
        close = (suggest or _Suggester(known))(tag)
        sink.error(pos, "unknown-tag", f"unknown technique tag {tag!r} in {where}",
                   f"did you mean {close!r}?" if close else "see simulator/engine/behaviour.yaml")


def check_rubric_data(doc: YamlDocument, sink: DiagnosticSink) -> bool:
    """Schema and meaning checks of a rubric document; every problem goes to `sink`. True when valid."""
    data = doc.data
    if not isinstance(data, dict):
        sink.error((1, 1), "not-a-mapping", "a rubric file must be a mapping", "start from scoring/default_rubric.yaml")
        return False
    _schema_errors(data, rubric_schema(), doc, sink)
    # Meaning checks run too, on whatever is well-formed, so every problem is reported at once.
    known = default_model().tags
    ids = set()
    comps = data.get("competencies")
    for i, comp in enumerate(comps if isinstance(comps, list) else ()):
        if not isinstance(comp, dict):
            continue
        if comp.get("id") in ids:
            sink.error(doc.position(("competencies", i, "id")), "duplicate-id", f"competency {comp['id']!r} is defined twice",
                       "give each competency its own id")
        ids.add(comp.get("id"))
        for tag in (comp.get("tags") if isinstance(comp.get("tags"), dict) else {}):
            _tag_problem(tag, known, doc.position(("competencies", i, "tags", tag), key=True), sink, f"competency {comp.get('id')!r}")
    evidence = data.get("evidence") if isinstance(data.get("evidence"), dict) else {}
    for key in ("factor_revealed", "restraint"):
        entry = evidence.get(key)
        if isinstance(entry, dict) and entry.get("competency") not in ids:
            sink.error(doc.position(("evidence", key, "competency")), "unknown-competency",
                       f"evidence {key!r} names unknown competency {entry.get('competency')!r}",
                       f"known: {', '.join(sorted(str(i) for i in ids))}")
    seen = set()
    errors = data.get("critical_errors")
    for i, ce in enumerate(errors if isinstance(errors, list) else ()):
        if not isinstance(ce, dict):
            continue
        if ce.get("id") in seen:
            sink.error(doc.position(("critical_errors", i, "id")), "duplicate-id",
                       f"critical error {ce['id']!r} is defined twice", "give each critical error its own id")
        seen.add(ce.get("id"))
        tags = ce.get("tags") if isinstance(ce.get("tags"), list) else []
        for j, tag in enumerate(tags):
            if isinstance(tag, str):
                _tag_problem(tag, known, doc.position(("critical_errors", i, "tags", j)), sink, f"critical error {ce.get('id')!r}")
        if ce.get("check") == "decision" and not (ce.get("tags") or ce.get("choices") or ce.get("endings")):
            sink.error(doc.position(("critical_errors", i)), "empty-check",
                       f"critical error {ce.get('id')!r} checks decisions but names no tags, choices or endings",
                       "add `tags:`, `choices:` or `endings:`")
        if isinstance(ce.get("when"), str) and ce["when"]:
            _check_when(ce["when"], BUILTIN_INDEX, doc.position(("critical_errors", i, "when")), sink,
                        f"critical error {ce.get('id')!r}")
    th = data.get("thresholds")
    if isinstance(th, dict) and all(isinstance(th.get(k), (int, float)) for k in ("pass", "fail_below")) \
            and th["fail_below"] > th["pass"]:
        sink.error(doc.position(("thresholds", "fail_below")), "bad-threshold",
                   f"fail_below ({th['fail_below']}) is above pass ({th['pass']})", "fail_below must not exceed pass")
    return not sink.has_errors


def _build(data: dict, source: str) -> Rubric:
    comps = tuple(Competency(c["id"], c["name"], float(c["weight"]), c.get("description", ""),
                             MappingProxyType({t: float(w) for t, w in c["tags"].items()}))
                  for c in data["competencies"])
    errors = tuple(_critical(ce, "rubric") for ce in data["critical_errors"])
    prop = {"severity_adjust": {}, "severity_applies_up_to": "pulling-away", "weapon_adjust": 0,
            "weapon_applies_from": "assaultive", "floor": "verbal", **data["proportionality"]}
    keys = {"min_gain": 1, **data.get("key_decisions", {})}
    grades = {tier: MappingProxyType(dict(data["grades"][tier])) for tier in GRADE_TIERS}
    return Rubric(data["rubric"], data["version"], comps, MappingProxyType(dict(data.get("evidence", {}))),
                  MappingProxyType(prop), MappingProxyType({k: data["thresholds"][k] for k in THRESHOLD_KEYS}),
                  errors, MappingProxyType(keys), MappingProxyType(grades), source=source)


def _critical(ce: dict, source: str) -> CriticalErrorDef:
    return CriticalErrorDef(ce["id"], ce["name"], ce.get("check", "decision"), ce["why"],
                            frozenset(ce.get("tags", ())), frozenset(ce.get("choices", ())),
                            frozenset(ce.get("endings", ())), ce.get("when"),
                            frozenset(ce.get("except_choices", ())), frozenset(ce.get("except_nodes", ())), source)


def load_rubric_bytes(raw: bytes, name: str) -> tuple[Rubric | None, list[Diagnostic]]:
    """Read and check rubric bytes. Never raises for bad content: returns (None, diagnostics)."""
    sink = DiagnosticSink(name)
    doc = read_yaml(raw, name, sink)
    if doc is None or not check_rubric_data(doc, sink):
        return None, sink.sorted()
    return _build(doc.data, name), sink.sorted()


def load_rubric(path: str | Path) -> tuple[Rubric | None, list[Diagnostic]]:
    """Load the rubric file at `path`: (rubric or None, every diagnostic found)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, [Diagnostic(str(path), 0, 0, "error", "unreadable", f"cannot read the file: {exc.strerror or exc}",
                                 "check the path and permissions")]
    return load_rubric_bytes(raw, str(path))


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    """The default rubric shipped with Parley (scoring/default_rubric.yaml), read once."""
    rubric, diags = load_rubric(DEFAULT_RUBRIC_PATH)
    if rubric is None:
        raise RubricError(diags)
    return rubric


# --- scenario additions ------------------------------------------------------------------------

def check_scenario_scoring(scenario: Scenario, rubric: Rubric | None = None,
                           doc: YamlDocument | None = None) -> list[Diagnostic]:
    """Meaning checks of a scenario's `scoring:` section against the scenario and the rubric.

    Pass the scenario's YamlDocument to get line numbers; without it problems point at the file.
    """
    rubric = rubric or default_rubric()
    sink = DiagnosticSink(scenario.source or scenario.id)
    data = dict(scenario.scoring)
    pos: Callable = (lambda path, key=False: doc.position(("scoring",) + tuple(path), key)) if doc else (lambda *a, **k: None)
    known_tags = scenario.behaviour.tags
    comp_ids = {c.id for c in rubric.competencies}
    nodes = {n.id for n in scenario.nodes}
    endings = {e.id for e in scenario.endings}
    choices = set(scenario.choice_by_id)

    suggesters = {id(s): _Suggester(s) for s in (choices, nodes, endings)}
    tag_suggest = _Suggester(known_tags)

    def ids(values, known, what, path):
        suggest = suggesters[id(known)]
        for j, v in enumerate(values or ()):
            if v not in known:
                close = suggest(v)
                sink.error(pos(path + (j,)), f"unknown-{what}", f"unknown {what} {v!r} in scoring.{'.'.join(map(str, path))}",
                           f"did you mean {close!r}?" if close else f"use a {what} id of this scenario")

    comp_suggest = _Suggester(comp_ids)
    for cid, entry in (data.get("competencies") or {}).items():
        if cid not in comp_ids:
            close = comp_suggest(cid)
            sink.error(pos(("competencies", cid), True), "unknown-competency", f"unknown competency {cid!r}",
                       f"did you mean {close!r}?" if close else f"known: {', '.join(sorted(comp_ids))}")
        for tag in (entry.get("tags") or {}):
            _tag_problem(tag, known_tags, pos(("competencies", cid, "tags", tag), True), sink, f"scoring.competencies.{cid}", tag_suggest)
    rubric_errors = {ce.id for ce in rubric.critical_errors}
    for i, ce in enumerate(data.get("critical_errors") or ()):
        base = ("critical_errors", i)
        ids(ce.get("choices"), choices, "choice", base + ("choices",))
        ids(ce.get("except_choices"), choices, "choice", base + ("except_choices",))
        ids(ce.get("except_nodes"), nodes, "node", base + ("except_nodes",))
        ids(ce.get("endings"), endings, "ending", base + ("endings",))
        for j, tag in enumerate(ce.get("tags") or ()):
            _tag_problem(tag, known_tags, pos(base + ("tags", j)), sink, f"scoring.critical_errors[{i}]", tag_suggest)
        if ce.get("when"):
            _check_when(ce["when"], scenario.var_index, pos(base + ("when",)), sink, f"scoring.critical_errors[{i}]")
        if ce["id"] not in rubric_errors:
            missing = [k for k in ("name", "why") if not ce.get(k)]
            if missing:
                sink.error(pos(base), "missing-key", f"new critical error {ce['id']!r} needs {' and '.join(missing)}",
                           "a scenario's own critical error needs a name and a why; to narrow a default one use its id")
            if not (ce.get("choices") or ce.get("tags") or ce.get("endings")):
                sink.error(pos(base), "empty-check", f"new critical error {ce['id']!r} names no choices, tags or endings",
                           "add `choices:` (choice ids), `tags:` or `endings:`")
    objective_ids = {o.id for o in scenario.objectives}
    for oid, entry in (data.get("objectives") or {}).items():
        if oid not in objective_ids:
            sink.error(pos(("objectives", oid), True), "unknown-objective", f"unknown learning objective {oid!r}",
                       f"known: {', '.join(sorted(objective_ids))}")
        met, missed = entry.get("met_by") or {}, entry.get("missed_by") or {}
        ids(met.get("choices"), choices, "choice", ("objectives", oid, "met_by", "choices"))
        ids(missed.get("choices"), choices, "choice", ("objectives", oid, "missed_by", "choices"))
        ids(missed.get("endings"), endings, "ending", ("objectives", oid, "missed_by", "endings"))
        for part, sub in (("met_by", met), ("missed_by", missed)):
            for j, tag in enumerate(sub.get("tags") or ()):
                _tag_problem(tag, known_tags, pos(("objectives", oid, part, "tags", j)), sink, f"scoring.objectives.{oid}", tag_suggest)
        for cid in (met.get("competencies") or {}):
            if cid not in comp_ids:
                sink.error(pos(("objectives", oid, "met_by", "competencies", cid), True), "unknown-competency",
                           f"unknown competency {cid!r}", f"known: {', '.join(sorted(comp_ids))}")
    top = (lambda path, key=False: doc.position(tuple(path), key)) if doc else (lambda *a, **k: None)
    for node in scenario.nodes:
        node_choices = list(node.choices) + ([node.timer.expire] if node.timer is not None else [])
        for i, choice in enumerate(node_choices):
            where = (("nodes", node.id, "timer", "expire") if choice.is_timeout else ("nodes", node.id, "choices", i))
            for j, cid in enumerate(choice.against):
                if cid not in comp_ids:
                    close = comp_suggest(cid)
                    sink.error(top(where + ("against", j)), "unknown-competency",
                               f"choice {choice.id!r} counts against unknown competency {cid!r}",
                               f"did you mean {close!r}?" if close else f"known: {', '.join(sorted(comp_ids))}")
    for key, value in (data.get("thresholds") or {}).items():
        base = rubric.thresholds[key]
        if value < base:
            sink.error(pos(("thresholds", key)), "looser-threshold",
                       f"scoring.thresholds.{key} ({value}) is less strict than the rubric's ({base})",
                       "a scenario may only make thresholds stricter")
    return sink.sorted()


def check_scenario_scoring_file(path: str | Path, rubric: Rubric | None = None) -> list[Diagnostic]:
    """Load the scenario at `path` and check its `scoring:` section, with line numbers.

    Scenario-level errors (from the loader) are returned as they are when the file does not load.
    """
    from simulator.content.loader import load_scenario
    result = load_scenario(path, use_cache=False)
    if result.scenario is None:
        return result.errors
    sink = DiagnosticSink(str(path))
    doc = read_yaml(Path(path).read_bytes(), str(path), sink)
    return check_scenario_scoring(result.scenario, rubric, doc)


def scenario_rubric(scenario: Scenario, rubric: Rubric | None = None) -> Rubric:
    """The rubric with `scenario.scoring` merged in (extra tags, narrowed or added critical errors,
    objectives, stricter thresholds). Raises RubricError if the section has errors."""
    rubric = rubric or default_rubric()
    data = scenario.scoring
    if not data:
        return rubric
    problems = [d for d in check_scenario_scoring(scenario, rubric) if d.severity == "error"]
    if problems:
        raise RubricError(problems)
    extra = data.get("competencies") or {}
    comps = []
    for c in rubric.competencies:
        entry = extra.get(c.id)
        if entry:
            tags = dict(c.tags)
            tags.update({t: float(w) for t, w in (entry.get("tags") or {}).items()})
            c = replace(c, weight=float(entry.get("weight", c.weight)), tags=MappingProxyType(tags))
        comps.append(c)
    errors = {ce.id: ce for ce in rubric.critical_errors}
    for raw in data.get("critical_errors") or ():
        old = errors.get(raw["id"])
        if old is None:
            errors[raw["id"]] = _critical({"check": "decision", **raw}, "scenario")
        else:
            errors[raw["id"]] = replace(
                old, name=raw.get("name", old.name), why=raw.get("why", old.why), except_choices=old.except_choices | frozenset(raw.get("except_choices", ())),
                except_nodes=old.except_nodes | frozenset(raw.get("except_nodes", ())),
                when=raw.get("when", old.when), tags=old.tags | frozenset(raw.get("tags", ())),
                choices=old.choices | frozenset(raw.get("choices", ())),
                endings=old.endings | frozenset(raw.get("endings", ())))
    thresholds = dict(rubric.thresholds)
    thresholds.update(data.get("thresholds") or {})
    return replace(rubric, competencies=tuple(comps), critical_errors=tuple(errors.values()),
                   thresholds=MappingProxyType(thresholds),
                   objectives=MappingProxyType(dict(data.get("objectives") or {})),
                   source=f"{rubric.source} + {scenario.id}")
