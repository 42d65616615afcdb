"""The behaviour model file (simulator/engine/behaviour.yaml): distress levels, behaviours, rules, read and compiled."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ..engine.expressions import compile_expr, parse
from ..engine.model import BUILTIN_VARIABLES, BehaviourModel, Recovery, Rule, RuleCase, Text
from .diagnostics import DiagnosticSink
from .yamlsafe import read_yaml

DEFAULT_PATH = Path(__file__).parent.parent / "engine" / "behaviour.yaml"
BUILTIN_INDEX = {name: slot for slot, name in enumerate(BUILTIN_VARIABLES)}


class BehaviourModelError(RuntimeError):
    """The shipped behaviour model itself is broken (a packaging bug, not user input)."""


def _delta(value) -> int:
    return int(value) if not isinstance(value, str) else int(value.replace("+", ""))


def _why(value, language: str) -> tuple[str, Text | None]:
    """A case's `why` (text: a string, or a map of languages) as the string the log records (in
    `language`, the scenario's default) and, for a map, every language given."""
    if isinstance(value, str):
        return value, None
    text = Text(MappingProxyType(dict(value)))
    return text.get(language, language), text


def compile_rule(raw: dict, index: dict[str, int], source: str, language: str = "en") -> Rule:
    """Compile one rule dict (already validated) against a variable index; `language` is the
    scenario's default language (the one its `why` texts are logged in)."""
    cases = tuple(
        RuleCase(
            when=case["when"],
            test=compile_expr(parse(case["when"]), index),
            escalation=_delta(case.get("escalation", 0)),
            rapport=_delta(case.get("rapport", 0)),
            why=_why(case["why"], language)[0],
            why_text=_why(case["why"], language)[1],
        )
        for case in raw["cases"]
    )
    return Rule(id=raw["id"], tags=frozenset(raw["tags"]), cases=cases, source=source)


@lru_cache(maxsize=1)
def default_model() -> BehaviourModel:
    """The default behaviour model shipped with Parley, read once per process."""
    sink = DiagnosticSink(str(DEFAULT_PATH))
    doc = read_yaml(DEFAULT_PATH.read_bytes(), str(DEFAULT_PATH), sink)
    if doc is None or sink.has_errors:
        raise BehaviourModelError("; ".join(d.format() for d in sink.items))
    data = doc.data
    try:
        rules = tuple(compile_rule(r, BUILTIN_INDEX, "default") for r in data["rules"])
        unknown = {t for r in rules for t in r.tags} - set(data["tags"])
        if unknown:
            raise BehaviourModelError(f"rules use undeclared tags: {sorted(unknown)}")
        rec = data["recovery"]
        return BehaviourModel(
            name=data["model"],
            version=data["version"],
            level_names=tuple(l["name"] for l in data["levels"]),
            level_ids=tuple(l["id"] for l in data["levels"]),
            rapport_names=tuple(s["name"] for s in data["rapport_stages"]),
            force_levels=MappingProxyType({f["id"]: f["rank"] for f in data["force_levels"]}),
            force_names=MappingProxyType({f["id"]: f["name"] for f in data["force_levels"]}),
            recovery=Recovery(rec["trigger_level"], rec["duration"], rec["rise_bonus"]),
            tags=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in data["tags"].items()}),
            rules=rules,
            behaviour_names=MappingProxyType({b["id"]: b["name"] for b in data["behaviours"]}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BehaviourModelError(f"{DEFAULT_PATH}: malformed behaviour model: {exc!r}") from exc
