"""Build the immutable, compiled Scenario model from validated plain data.

Nodes (with their choices) are built when first used, not all at once: a scenario loaded from the
cache costs little more than reading its JSON, and a playthrough builds the twenty scenes it
visits. `Scenario.nodes` and `Scenario.choice_by_id` start as lazy views (`LazyNodes`,
`LazyChoices`); once every node is built they are replaced by the plain tuple and mapping an eager
build gives, holding the same objects, so hot loops (grading, analysis) index a tuple again.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from ..engine.expressions import compile_expr, parse
from ..engine.expressions import variables as names_in
from ..engine.model import (
    BUILTIN_VARIABLES,
    CUSTOM_START,
    BehaviourModel,
    Character,
    Choice,
    Effect,
    Ending,
    Graham,
    HiddenFactor,
    Inject,
    Line,
    Node,
    Objective,
    Outcome,
    Person,
    Recovery,
    Scenario,
    Staging,
    Text,
    Timer,
    Variable,
    Variant,
)
from .behaviour import compile_rule
from .variants import apply_variant, variant_list

_FROZEN_EMPTY = MappingProxyType({})


def normalise_effects(data: dict) -> dict:
    """Rewrite every effect value as a canonical string ("+1", "-2", "=3") in place.

    After validation a signed integer means "add"; the string form survives a JSON round trip
    (the load cache) without losing that meaning.
    """
    def fix(effects):
        if isinstance(effects, dict):
            for k, v in effects.items():
                if not isinstance(v, str):
                    effects[k] = f"{int(v):+d}"
    for node in data["nodes"].values():
        choices = list(node["choices"])
        if "timer" in node:
            choices.append(node["timer"]["expire"])
        for choice in choices:
            fix(choice.get("effects"))
            for outcome in choice.get("outcomes", ()):
                fix(outcome.get("effects"))
    for rule in data.get("behaviour", {}).get("rules", ()):
        for case in rule["cases"]:
            for key in ("escalation", "rapport"):
                if key in case and not isinstance(case[key], str):
                    case[key] = f"{int(case[key]):+d}"
    return data


def _text(value, default: str) -> Text | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Text(MappingProxyType({default: value}))
    return Text(MappingProxyType(dict(value)))


def _effects(raw: dict | None, index: dict[str, int]) -> tuple[Effect, ...]:
    if not raw:
        return ()
    out = []
    for name, value in raw.items():
        value = str(value)
        if value.startswith("="):
            out.append(Effect(index[name], name, False, int(value[1:])))
        else:
            out.append(Effect(index[name], name, True, int(value)))
    return tuple(out)


def _behaviour(base: BehaviourModel, raw: dict | None, index: dict[str, int], scenario_id: str,
               language: str, written: dict | None = None) -> BehaviourModel:
    """The default model with the scenario's `behaviour:` tuning. `written` is that section as the
    file writes it, before a variant filled its `{placeholders}`: the event log records a rule's why
    as written, so that every variant logs the same events; what is shown is the filled text."""
    if not raw:
        return base
    rec = raw.get("recovery", {})
    recovery = Recovery(rec.get("trigger_level", base.recovery.trigger_level),
                        rec.get("duration", base.recovery.duration),
                        rec.get("rise_bonus", base.recovery.rise_bonus))
    disabled = set(raw.get("disable_rules", ()))
    rules = {r.id: r for r in base.rules if r.id not in disabled}
    written_rules = {r["id"]: r for r in (written or raw).get("rules", ())}
    for rule in raw.get("rules", ()):
        compiled = compile_rule(rule, index, scenario_id, language)
        as_written = compile_rule(written_rules.get(rule["id"], rule), index, scenario_id, language)
        cases = []
        for shown, logged in zip(compiled.cases, as_written.cases):
            if shown.why != logged.why:  # a variant filled a placeholder: log as written, show as filled
                shown = replace(shown, why=logged.why,
                                why_text=shown.why_text or Text(MappingProxyType({language: shown.why})))
            cases.append(shown)
        rules[rule["id"]] = replace(compiled, cases=tuple(cases))
    return BehaviourModel(base.name, base.version, base.level_names, base.level_ids, base.rapport_names,
                          base.force_levels, base.force_names, recovery, base.tags, tuple(rules.values()),
                          base.behaviour_names)



def _character(cid: str, raw: dict, T, test, index) -> Character:
    """A character; the subject's expression follows distress unless `expression_from` names another variable."""
    source = raw.get("expression_from", "escalation" if raw["role"] == "subject" else None)
    return Character(cid, T(raw["name"]), raw["role"], T(raw.get("description")), raw.get("portrait"),
                     known_as=T(raw.get("known_as")), name_known_when=raw.get("name_known_when"),
                     name_known=test(raw.get("name_known_when")),
                     expression_slot=index.get(source) if source is not None else None)

def build_scenario(data: dict, base_model: BehaviourModel, source: str = "", content_hash: str = "",
                   variant: str | None = None) -> Scenario:
    """Compile validated, effect-normalised data into a Scenario showing `variant` (None: the
    default one, when the scenario has variants). Trusts the data's shape."""
    original = data
    data, variant_id = apply_variant(data, variant)
    lang = data["language"]
    T = lambda v: _text(v, lang)  # noqa: E731 - a short local alias keeps the constructors readable
    state = data["state"]
    custom = state.get("variables", {})
    rec_duration = data.get("behaviour", {}).get("recovery", {}).get("duration", base_model.recovery.duration)
    variables = [
        Variable("escalation", 0, state["escalation"], 0, 6, "Subject escalation level"),
        Variable("rapport", 1, state["rapport"], 0, 5, "Rapport stage"),
        Variable("recovery", 2, 0, 0, max(rec_duration, 0), "Decisions left in the recovery phase"),
        Variable("factor_revealed", 3, 0, 0, 1, "Whether the hidden factor is known"),
    ]
    for offset, (name, v) in enumerate(custom.items()):
        variables.append(Variable(name, CUSTOM_START + offset, v["initial"], v["min"], v["max"],
                                  v.get("description", "")))
    index = {v.name: v.slot for v in variables}
    assert tuple(index)[:CUSTOM_START] == BUILTIN_VARIABLES
    behaviour = _behaviour(base_model, data.get("behaviour"), index, data["id"], lang, original.get("behaviour"))

    node_ids = list(data["nodes"])
    ending_ids = list(data["endings"])
    target_ids = tuple(node_ids + ending_ids)
    target_index = {t: i for i, t in enumerate(target_ids)}
    compiled_conditions: dict[str, object] = {}

    def test(source_text):
        if source_text is None:
            return None
        fn = compiled_conditions.get(source_text)
        if fn is None:
            fn = compiled_conditions[source_text] = compile_expr(parse(source_text), index)
        return fn

    rules_for_tags: dict[tuple, tuple] = {}

    def rules_for(tags: tuple) -> tuple:
        hit = rules_for_tags.get(tags)
        if hit is None:
            tagset = set(tags)
            hit = rules_for_tags[tags] = tuple(r for r in behaviour.rules if r.tags & tagset)
        return hit

    def make_choice(raw: dict, node_index: int, is_timeout: bool) -> Choice:
        tags = tuple(raw.get("tags", ()))
        outcomes = tuple(
            Outcome(i, float(o["weight"]), target_index[o["next"]], _effects(o.get("effects"), index),
                    T(o.get("text")), o.get("condition"), test(o.get("condition")))
            for i, o in enumerate(raw.get("outcomes", ()))
        )
        return Choice(
            id=raw["id"], node=node_index, text=T(raw.get("text")), condition=raw.get("condition"),
            test=test(raw.get("condition")), effects=_effects(raw.get("effects"), index), tags=tags,
            force=raw.get("force"), reveals=bool(raw.get("reveals", False)), feedback=T(raw.get("feedback")),
            target=target_index[raw["next"]] if "next" in raw else None, outcomes=outcomes,
            rules=rules_for(tags), is_timeout=is_timeout, grade=raw.get("grade"),
            against=tuple(raw.get("against", ())), discuss=T(raw.get("discuss")),
        )

    raw_nodes = data["nodes"]

    def make_node(i: int) -> Node:
        node_id = node_ids[i]
        raw = raw_nodes[node_id]
        choices = tuple(make_choice(c, i, False) for c in raw["choices"])
        timer = None
        if "timer" in raw:
            timer = Timer(float(raw["timer"]["seconds"]), make_choice(raw["timer"]["expire"], i, True))
        return Node(
            id=node_id, index=i, narrative=T(raw["narrative"]),
            lines=tuple(Line(l["speaker"], T(l["text"]), l.get("said"), l.get("said_in"), l.get("understood_when"),
                             test(l.get("understood_when"))) for l in raw.get("lines", ())),
            behaviour=T(raw.get("behaviour")), perspective=T(raw.get("perspective")),
            background=raw.get("background"), present=tuple(raw.get("present", ())), timer=timer,
            choices=choices, choice_by_id=MappingProxyType({c.id: c for c in choices}),
            label=T(raw.get("label")), shows=raw.get("shows"), toward=raw.get("toward"),
            staging=MappingProxyType({cid: Staging(st.get("expression"), st.get("where", "here"))
                                      for cid, st in raw.get("staging", {}).items()}),
            injects=tuple(Inject(j["id"], i, T(j["text"]), T(j.get("label")), _effects(j.get("effects"), index))
                          for j in raw.get("injects", ())),
        )

    choice_node: dict[str, int] = {}  # every choice and timer expiry id -> its node's index
    for i, node_id in enumerate(node_ids):
        raw = raw_nodes[node_id]
        if "timer" in raw:
            choice_node[raw["timer"]["expire"]["id"]] = i
        for c in raw["choices"]:
            choice_node[c["id"]] = i
    nodes = LazyNodes(len(node_ids), make_node)
    all_choices = LazyChoices(nodes, choice_node)
    endings = tuple(
        Ending(eid, len(node_ids) + j, e["outcome"], T(e["title"]), T(e["text"]), T(e["debrief"]),
               T(e.get("perspective")), e.get("background"))
        for j, (eid, e) in enumerate(data["endings"].items())
    )
    factor = state.get("hidden_factor")
    graham = data.get("graham")
    read = _variables_read(raw_nodes, behaviour, data.get("scoring", {}))
    scenario = Scenario(
        id=data["id"], version=data["version"], title=T(data["title"]), summary=T(data["summary"]),
        audience=tuple(data["audience"]), minutes=data["minutes"], topics=tuple(data["topics"]),
        language=lang, languages=tuple(data["languages"]), location=T(data.get("location")),
        dispatch=T(data.get("dispatch")),
        objectives=tuple(Objective(o["id"], T(o["text"]), o.get("reveal") == "after-play")
                         for o in data["learning_objectives"]),
        content_notes=tuple(T(n) for n in data["content_notes"]),
        authors=tuple(Person(p["name"], p.get("role", "")) for p in data["authors"]),
        reviewers=tuple(Person(p["name"], p.get("role", "")) for p in data["reviewers"]),
        characters=MappingProxyType({cid: _character(cid, c, T, test, index) for cid, c in data["characters"].items()}),
        variables=tuple(variables), var_index=MappingProxyType(index),
        hidden_factor=HiddenFactor(factor["id"], factor["kind"], T(factor["description"])) if factor else None,
        graham=Graham(T(graham.get("offence")), graham["offence_severity"],
                      graham["weapon"] or None, graham["danger_to_others"]) if graham else None,
        behaviour=behaviour, start=target_index[data["start"]], nodes=nodes, endings=endings,
        target_ids=target_ids, target_index=MappingProxyType(target_index),
        choice_by_id=all_choices,
        scoring=MappingProxyType(data.get("scoring", {})),
        takeaways=tuple(T(t) for t in data.get("debrief", {}).get("takeaways", ())),
        questions=tuple(T(q) for q in data.get("debrief", {}).get("questions", ())),
        review_checks=tuple(T(t) for t in data.get("review", {}).get("check", ())),
        review_by=tuple(T(t) for t in data.get("review", {}).get("who", ())),
        source=source, content_hash=content_hash,
        variant=variant_id, variants=tuple(Variant(v["id"], T(v["label"])) for v in variant_list(original)),
        variants_about=T(original["variants"]["about"]) if variant_id is not None else None,
        source_data=original, base_model=base_model,
        display_slots=tuple(v.slot for v in variables[CUSTOM_START:] if v.name not in read),
    )
    nodes.owner = scenario
    return scenario


def _variables_read(raw_nodes: dict, behaviour: BehaviourModel, scoring) -> set[str]:
    """Names of the variables any condition reads: choices, outcomes, behaviour rules and the
    scenario's scoring `when`s (docs/scoring.md). Read from the data, so no node is built for it."""
    sources = {case.when for rule in behaviour.rules for case in rule.cases}
    add = sources.add
    for raw in raw_nodes.values():
        decisions = raw["choices"] if "timer" not in raw else [*raw["choices"], raw["timer"]["expire"]]
        for choice in decisions:
            add(choice.get("condition"))
            outcomes = choice.get("outcomes")
            if outcomes:
                for o in outcomes:
                    add(o.get("condition"))
    if isinstance(scoring, dict):
        sources.update(ce.get("when") for ce in scoring.get("critical_errors") or () if isinstance(ce, dict))
    read = set()
    for source in sources:
        if isinstance(source, str) and source:
            read.update(name for name, _offset in names_in(parse(source)))
    return read


_BUILD_LOCK = threading.Lock()  # one node built at a time (the ending screen grades in a thread)


class LazyNodes(Sequence):
    """A scenario's nodes, each built on first access by `make(index)`; a read-only sequence.

    When the last node is built, the owning Scenario's `nodes` and `choice_by_id` are replaced by
    the plain tuple and mapping (the same Node and Choice objects), so later readers index a
    tuple. Views already handed out keep working: they hold every built node.
    """

    __slots__ = ("_built", "_make", "_missing", "owner")

    def __init__(self, count: int, make):
        self._built: list = [None] * count
        self._make = make
        self._missing = count
        self.owner = None  # the Scenario, set by build_scenario; None once the plain tuple is in place

    def __len__(self) -> int:
        return len(self._built)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self._built))))
        node = self._built[i]
        if node is None:
            node = self._build(i if i >= 0 else i + len(self._built))
        return node

    def __iter__(self):
        built = self._built
        for i in range(len(built)):
            node = built[i]
            yield node if node is not None else self._build(i)

    def __repr__(self) -> str:
        return f"LazyNodes({len(self._built) - self._missing} of {len(self._built)} built)"

    def _build(self, i: int):
        with _BUILD_LOCK:
            node = self._built[i]
            if node is None:
                node = self._built[i] = self._make(i)
                self._missing -= 1
                if not self._missing:
                    self._complete()
        return node

    def _complete(self) -> None:
        owner, self.owner = self.owner, None
        if owner is None:
            return
        nodes = tuple(self._built)
        choices: dict[str, Choice] = {}
        for node in nodes:  # in the order of `LazyChoices`: each node's timer expiry, then its choices
            if node.timer is not None:
                choices[node.timer.expire.id] = node.timer.expire
            for c in node.choices:
                choices[c.id] = c
        # The model is frozen for its readers; this is the builder finishing its own work: the same
        # values, in the container an eager build would have made.
        object.__setattr__(owner, "nodes", nodes)
        object.__setattr__(owner, "choice_by_id", MappingProxyType(choices))
        self._make = None  # the builder's closures (and the data they hold) are no longer needed


class LazyChoices(Mapping):
    """Every choice and timer expiry of a scenario by id, building the node that holds one on first
    lookup; iterates in the order of the plain mapping that replaces it (node by node, the timer's
    expiry and then the choices)."""

    __slots__ = ("_nodes", "_where")

    def __init__(self, nodes: LazyNodes, where: dict[str, int]):
        self._nodes = nodes
        self._where = where

    def __getitem__(self, choice_id):
        node = self._nodes[self._where[choice_id]]
        choice = node.choice_by_id.get(choice_id)
        if choice is None:  # the timer's expiry
            return node.timer.expire
        return choice

    def __contains__(self, choice_id) -> bool:
        try:
            return choice_id in self._where
        except TypeError:  # unhashable
            return False

    def __iter__(self):
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)
