"""Build the immutable, compiled Scenario model from validated plain data."""
from __future__ import annotations

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

    nodes = []
    all_choices: dict[str, Choice] = {}
    for i, node_id in enumerate(node_ids):
        raw = data["nodes"][node_id]
        choices = tuple(make_choice(c, i, False) for c in raw["choices"])
        timer = None
        if "timer" in raw:
            timer = Timer(float(raw["timer"]["seconds"]), make_choice(raw["timer"]["expire"], i, True))
            all_choices[timer.expire.id] = timer.expire
        for c in choices:
            all_choices[c.id] = c
        nodes.append(Node(
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
        ))
    endings = tuple(
        Ending(eid, len(node_ids) + j, e["outcome"], T(e["title"]), T(e["text"]), T(e["debrief"]),
               T(e.get("perspective")), e.get("background"))
        for j, (eid, e) in enumerate(data["endings"].items())
    )
    factor = state.get("hidden_factor")
    graham = data.get("graham")
    read = _variables_read(nodes, behaviour, data.get("scoring", {}))
    return Scenario(
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
        behaviour=behaviour, start=target_index[data["start"]], nodes=tuple(nodes), endings=endings,
        target_ids=target_ids, target_index=MappingProxyType(target_index),
        choice_by_id=MappingProxyType(all_choices),
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


def _variables_read(nodes, behaviour: BehaviourModel, scoring) -> set[str]:
    """Names of the variables any condition reads: choices, outcomes, behaviour rules and the
    scenario's scoring `when`s (docs/scoring.md)."""
    sources = [case.when for rule in behaviour.rules for case in rule.cases]
    for node in nodes:
        decisions = list(node.choices) + ([node.timer.expire] if node.timer is not None else [])
        for choice in decisions:
            sources.append(choice.condition)
            sources.extend(o.condition for o in choice.outcomes)
    if isinstance(scoring, dict):
        sources.extend(ce.get("when") for ce in scoring.get("critical_errors") or () if isinstance(ce, dict))
    read = set()
    for source in sources:
        if isinstance(source, str) and source:
            read.update(name for name, _offset in names_in(parse(source)))
    return read
