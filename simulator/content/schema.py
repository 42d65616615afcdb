"""Check plain scenario data against the JSON Schema and turn failures into clear diagnostics."""
from __future__ import annotations

import difflib
import json
from functools import lru_cache

import jsonschema

from ..paths import scenarios_dir
from .diagnostics import DiagnosticSink
from .yamlsafe import YamlDocument

SCHEMA_PATH = scenarios_dir() / "scenario.schema.json"


@lru_cache(maxsize=1)
def scenario_schema() -> dict:
    """The scenario JSON Schema (Draft 2020-12) shipped in scenarios/."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(scenario_schema())


@lru_cache(maxsize=1)
def _fast_check():
    """A compiled validator for the common case of a valid file; None if unavailable."""
    try:
        import fastjsonschema
    except ImportError:  # optional speed-up
        return None
    return fastjsonschema.compile(scenario_schema())


def _describe_path(path) -> str:
    return ".".join(str(p) for p in path) or "the top level"


def _best(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    # oneOf / anyOf errors say "is not valid under any of the given schemas"; the most relevant
    # sub-error says what is actually wrong.
    if error.context:
        return jsonschema.exceptions.best_match(error.context)
    return error


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing (null)"


def check_schema(doc: YamlDocument, sink: DiagnosticSink) -> bool:
    """Validate `doc.data`; report every schema problem with position and hint. True when valid."""
    fast = _fast_check()
    if fast is not None:
        try:
            fast(doc.data)
            return True
        except Exception:  # noqa: BLE001 - any failure means: find all errors the slow way
            pass
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    for top in errors:
        if top.validator == "oneOf" and str(top.schema.get("description", "")).startswith("Text:"):
            path = tuple(top.absolute_path)
            value = top.instance
            shown = "an empty string" if value == "" else _kind(value)
            sink.error(doc.position(path), "bad-text",
                       f"{_describe_path(path)} must be text, not {shown}",
                       "write a non-empty string, or a map of language code to string such as {en: ..., es: ...}")
            continue
        err = _best(top)
        path = tuple(err.absolute_path)
        where = _describe_path(path)
        schema = err.schema if isinstance(err.schema, dict) else {}
        if err.validator == "additionalProperties":
            allowed = sorted(schema.get("properties", {}))
            for key in sorted(set(err.instance) - set(allowed)):
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
                sink.error(doc.position(path + (key,), key=True), "unknown-key",
                           f"unknown key {key!r} in {where}", hint)
        elif err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            sink.error(doc.position(path), "missing-key", f"{where} is missing the required key {missing!r}",
                       "see docs/scenario-format.md for what it holds")
        elif err.validator == "enum":
            options = ", ".join(map(str, err.validator_value))
            sink.error(doc.position(path), "bad-value", f"{err.instance!r} is not allowed for {where}",
                       f"use one of: {options}")
        elif err.validator == "type":
            wanted = err.validator_value
            sink.error(doc.position(path), "wrong-type",
                       f"{where} should be {wanted if isinstance(wanted, str) else ' or '.join(wanted)}, not {_kind(err.instance)}",
                       "check indentation and quoting")
        elif err.validator == "pattern" and path and path[-1] == "id" or (err.validator == "pattern" and "id" in str(schema.get("description", ""))):
            sink.error(doc.position(path), "bad-id", f"{err.instance!r} is not a valid id ({where})",
                       "ids use lowercase letters, digits, - and _, start with a letter, at most 64 characters")
        elif err.validator == "propertyNames":
            sink.error(doc.position(path), "bad-id", f"a key in {where} is not a valid id: {err.message}",
                       "ids use lowercase letters, digits, - and _, start with a letter")
        elif err.validator == "pattern":
            sink.error(doc.position(path), "bad-value", f"{err.instance!r} is not valid for {where}",
                       f"it must match {err.validator_value}")
        elif err.validator in ("minItems", "minProperties"):
            sink.error(doc.position(path), "empty", f"{where} must not be empty", "add at least one entry")
        elif err.validator == "const":
            sink.error(doc.position(path), "bad-value", f"{where} must be {err.validator_value!r}",
                       "this loader reads scenario format 1")
        else:
            sink.error(doc.position(path), "schema", f"{where}: {err.message}", "see docs/scenario-format.md")
    return not errors
