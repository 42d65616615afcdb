"""Check plain scenario data against the JSON Schema and turn failures into clear diagnostics.

A compiled fastjsonschema validator accepts a valid file quickly. When it refuses one, jsonschema
finds every problem, but jsonschema is slow (about 14 us per value: seconds for a 5 MB file), so
it is not run over the whole file: `_reduced` walks the data beside the schema, drops every part
that the compiled validator of its `$defs` entry accepts (a valid node, choice, text...), stops at
a list or mapping over its `maxItems`/`maxProperties` (only that limit is reported there, and its
entries are not looked at), and gives jsonschema full detail for at most DETAIL_UNITS failing
parts; any further failing part is reported with the compiled validator's own first message.
"""
from __future__ import annotations

import difflib
import json
from functools import lru_cache

import jsonschema

from ..paths import scenarios_dir
from .diagnostics import DiagnosticSink
from .yamlsafe import YamlDocument

SCHEMA_PATH = scenarios_dir() / "scenario.schema.json"
MAX_TEXT_LENGTH = 10_000  # the schema's maxLength of a text (and yamlsafe.MAX_TEXT)
_ID_PATTERN = "^[a-z][a-z0-9_-]{0,63}$(?!\\n)"
# Every pattern in the schema ends `$(?!\n)`: jsonschema applies patterns with re.search, whose `$`
# also matches before a final newline, so `$` alone would accept "calm-end\n" as an id.
_NOT_BEFORE_NEWLINE = "(?!\\n)"


@lru_cache(maxsize=1)
def scenario_schema() -> dict:
    """The scenario JSON Schema (Draft 2020-12) shipped in scenarios/."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(scenario_schema())


@lru_cache(maxsize=1)
def _fast_namespace() -> dict:
    """The compiled validator's module globals (generated once: see validator_code.py); {} if
    fastjsonschema is unavailable."""
    try:
        from .validator_code import ENTRY, namespace_for
        namespace = namespace_for(scenario_schema())
    except ImportError:  # optional speed-up
        return {}
    return namespace if callable(namespace.get(ENTRY)) else {}


def _fast_check():
    """A compiled validator for the common case of a valid file; None if unavailable."""
    return _fast_namespace().get("validate")


MAX_CHOICES = 15_000  # choices (timer expiries included) in one scenario: 2x a 5 MB scenario of realistic text
DETAIL_UNITS = 200  # failing parts given to jsonschema for every problem in them; later ones get one message
LIMIT_KEYWORDS = ("maxItems", "maxProperties", "maxLength")


@lru_cache(maxsize=1)
def _def_checks() -> dict:
    """{name: compiled validator} for each `$defs` entry of the schema.

    fastjsonschema compiles every `$ref` target into a function of its own in the generated
    module, named after the schema's `$id` and the definition (`..._defs_node`). A name that is
    not found only means that part is never skipped.
    """
    names = {name.replace("-", "_"): name for name in scenario_schema().get("$defs", {})}
    found = {}
    for symbol, fn in _fast_namespace().items():
        if callable(fn) and symbol.startswith("validate_") and "___defs_" in symbol:
            name = names.get(symbol.rsplit("___defs_", 1)[1])
            if name is not None:
                found[name] = fn
    return found


class _Reduction:
    """The schema reduced to the parts of one file that fail (see the module's docstring)."""

    def __init__(self, root: dict):
        self.defs = root.get("$defs", {})
        self.base = root.get("$id", "")
        self.checks = _def_checks()
        self.units = 0
        self.fast_only: list[tuple[tuple, str]] = []  # (path, message) past DETAIL_UNITS
        self.over: list[tuple[tuple, str, int, int]] = []  # (path, keyword, limit, size)

    def reduce(self, schema, value, path: tuple):
        if not isinstance(schema, dict):
            return schema
        ref = schema.get("$ref")
        base, _, fragment = ref.partition("#") if isinstance(ref, str) else ("?", "", "")
        # fastjsonschema rewrites the refs of the schema it compiles as absolute URIs
        if base in ("", self.base) and fragment.startswith("/$defs/"):
            name = fragment[len("/$defs/"):]
            check = self.checks.get(name) if len(schema) == 1 else None  # siblings (minItems) need a look
            if check is not None:
                try:
                    check(value)
                    return True  # this part is valid: jsonschema never looks at it
                except Exception as exc:  # noqa: BLE001 - any refusal means: look closer
                    self.units += 1
                    if self.units > DETAIL_UNITS:
                        self.fast_only.append((path, getattr(exc, "message", str(exc))))
                        return True
            target = self.defs.get(name)
            if not isinstance(target, dict):
                return schema
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        if "oneOf" in schema or "anyOf" in schema or "not" in schema:
            return schema  # a small leaf (a text, an effect's value): jsonschema sees all of it
        if isinstance(value, dict):
            cap = schema.get("maxProperties")
            if isinstance(cap, int) and len(value) > cap:
                self.over.append((path, "maxProperties", cap, len(value)))
                return {"maxProperties": cap}
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            if not props and not isinstance(extra, dict):
                return schema
            reduced = {}
            for key, item in value.items():
                if key in props:
                    reduced[key] = self.reduce(props[key], item, path + (key,))
                elif isinstance(extra, dict):
                    reduced[key] = self.reduce(extra, item, path + (key,))
            new = dict(schema)
            new["properties"] = {**props, **reduced}  # absent keys cost nothing; hints list them all
            if isinstance(extra, dict):
                new["additionalProperties"] = True  # every present key is in `properties` now
            return new
        if isinstance(value, list):
            cap = schema.get("maxItems")
            if isinstance(cap, int) and len(value) > cap:
                self.over.append((path, "maxItems", cap, len(value)))
                return {"maxItems": cap}
            items = schema.get("items")
            if not isinstance(items, dict):
                return schema
            new = dict(schema)
            new["prefixItems"] = [self.reduce(items, item, path + (i,)) for i, item in enumerate(value)]
            new["items"] = True
            return new
        if isinstance(value, str):
            cap = schema.get("maxLength")
            if isinstance(cap, int) and len(value) > cap:
                self.over.append((path, "maxLength", cap, len(value)))
                return {"maxLength": cap}
        return schema


def schema_accepts(data) -> bool:
    """Whether `data` is valid against the schema (the compiled validator; jsonschema without it)."""
    fast = _fast_check()
    if fast is None:
        return _validator().is_valid(data)
    try:
        fast(data)
        return True
    except Exception:  # noqa: BLE001 - any refusal
        return False


def over_limits(diagnostics) -> bool:
    """Whether `check_schema` found a list or mapping over its limit (the meaning checks, whose cost
    grows with the number of entries, then do not run). Texts are bounded when they are read."""
    return any(d.code == "too-many" for d in diagnostics)


def _show(value, limit: int = 60) -> str:
    """A short rendering of an untrusted value for a message (never a huge repr)."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[:limit] + "..."
        return repr(text)
    if isinstance(value, (list, dict)):
        return f"a list of {len(value):,} entries" if isinstance(value, list) else f"a mapping of {len(value):,} keys"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _describe_path(path) -> str:
    return ".".join(str(p) for p in path) or "the top level"


def _best(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    # anyOf / oneOf errors say "is not valid under any of the given schemas"; the most relevant
    # sub-error says what is actually wrong: the branch for the value's own type, if there is one
    # (a text that fails the effects' pattern, rather than "should be integer").
    if error.context:
        own_type = [e for e in error.context if e.validator != "type"]
        return jsonschema.exceptions.best_match(own_type or error.context)
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
    """Validate `doc.data`; report every schema problem with position and hint. True when valid.

    The time is bounded whatever the file holds (see the module's docstring). A structure limit
    (maxItems, maxProperties, maxLength) is reported as `too-many` or `text-too-long`.
    """
    if not _choices_within_limit(doc, sink):
        return False
    fast = _fast_check()
    first = None
    if fast is not None:
        try:
            fast(doc.data)
            return True
        except Exception as exc:  # noqa: BLE001 - any failure means: find all errors the slow way
            first = exc
    root = scenario_schema()
    reduction = None
    if fast is not None:
        reduction = _Reduction(root)
        reduced = reduction.reduce({k: v for k, v in root.items() if k != "$defs"}, doc.data, ())
        if reduced is True:
            reduced = {}
        schema = {**reduced, "$schema": root.get("$schema"), "$defs": root.get("$defs", {})}
        if "$id" in root:
            schema["$id"] = root["$id"]
        validator = jsonschema.Draft202012Validator(schema)
    else:
        validator = _validator()
    before = len(sink.items)
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    for top in errors:
        _report(doc, sink, top)
    if reduction is not None:
        for path, message in reduction.fast_only:
            sink.error(doc.position(path), "schema", f"{_describe_path(path)}: {_fast_message(message)}",
                       "see docs/scenario-format.md")
    if len(sink.items) == before and (fast is None or first is not None):
        # the compiled validator refused what jsonschema accepts: never let that through silently
        message = getattr(first, "message", None) or str(first or "the file does not match the format")
        path = _fast_path(getattr(first, "path", None))
        sink.error(doc.position(path), "schema", _fast_message(message), "see docs/scenario-format.md")
    return len(sink.items) == before


def _choices_within_limit(doc: YamlDocument, sink: DiagnosticSink) -> bool:
    """At most MAX_CHOICES choices in all: the meaning checks and the build cost grow with them.
    Counted on whatever shape the data has (the schema has not looked at it yet)."""
    nodes = doc.data.get("nodes") if isinstance(doc.data, dict) else None
    if not isinstance(nodes, dict):
        return True
    total = 0
    for node in nodes.values():
        if isinstance(node, dict):
            choices = node.get("choices")
            total += len(choices) if isinstance(choices, list) else 0
            total += 1 if isinstance(node.get("timer"), dict) else 0
    if total <= MAX_CHOICES:
        return True
    sink.error(doc.position(("nodes",), key=True), "too-many",
               f"the scenario has {total:,} choices in all; the limit is {MAX_CHOICES:,}",
               "see the limits in docs/scenario-format.md; split the scenario if it is really this large")
    return False


def _fast_message(message: str) -> str:
    message = str(message)
    if message.startswith("data."):
        message = message[len("data."):]
    elif message.startswith("data "):
        message = "the top level " + message[len("data "):]
    return message if len(message) <= 300 else message[:300] + "..."


def _fast_path(parts) -> tuple:
    if not isinstance(parts, (list, tuple)):
        return ()
    out = [p for p in parts[1:] if isinstance(p, (str, int))] if parts and parts[0] == "data" else list(parts)
    return tuple(out)


def _report(doc: YamlDocument, sink: DiagnosticSink, top: jsonschema.ValidationError) -> None:
    if top.validator in ("anyOf", "oneOf") and str(top.schema.get("description", "")).startswith("Text:"):
        path = tuple(top.absolute_path)
        value = top.instance
        limits = [e for e in top.context or () if e.validator in LIMIT_KEYWORDS]
        if limits:  # the right shape, over a limit: say that, not "must be text"
            _report(doc, sink, limits[0])
            return
        shown = "an empty string" if value == "" else _kind(value)
        sink.error(doc.position(path), "bad-text",
                   f"{_describe_path(path)} must be text, not {shown}",
                   "write a non-empty string, or a map of language code to string such as {en: ..., es: ...}")
        return
    err = _best(top)
    path = tuple(err.absolute_path)
    where = _describe_path(path)
    schema = err.schema if isinstance(err.schema, dict) else {}
    if "propertyNames" in err.absolute_schema_path and isinstance(err.instance, str):
        # a key that is not a valid id: point at the key itself, not at the mapping holding it
        sink.error(doc.position(path + (err.instance,), key=True), "bad-id",
                   f"{_show(err.instance)} is not a valid id (a key in {where})",
                   "ids use lowercase letters, digits, - and _, start with a letter, at most 64 characters")
        return
    if err.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for key in sorted(set(err.instance) - set(allowed), key=str):
            close = difflib.get_close_matches(key, allowed, n=1) if isinstance(key, str) else []
            hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
            sink.error(doc.position(path + (key,), key=True), "unknown-key",
                       f"unknown key {_show(key)} in {where}", hint)
    elif err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        sink.error(doc.position(path), "missing-key", f"{where} is missing the required key {missing!r}",
                   "see docs/scenario-format.md for what it holds")
    elif err.validator == "enum":
        options = ", ".join(map(str, err.validator_value))
        sink.error(doc.position(path), "bad-value", f"{_show(err.instance)} is not allowed for {where}",
                   f"use one of: {options}")
    elif err.validator == "type":
        wanted = err.validator_value
        wanted = wanted if isinstance(wanted, str) else " or ".join(wanted)
        if "$defs/id" in str(schema.get("description", "")) or (wanted == "string" and "pattern" in schema
                                                               and schema.get("pattern") == _ID_PATTERN):
            wanted = "an id (a word such as calm-end)"
        sink.error(doc.position(path), "wrong-type", f"{where} should be {wanted}, not {_kind(err.instance)}",
                   "check indentation and quoting" if not isinstance(err.instance, (list, dict))
                   else "write one value here, not a list or mapping; check the brackets and indentation")
    elif err.validator in LIMIT_KEYWORDS:
        size = len(err.instance) if isinstance(err.instance, (str, list, dict)) else 0
        if err.validator == "maxLength":
            sink.error(doc.position(path), "text-too-long",
                       f"{where} is {size:,} characters long; the limit is {err.validator_value:,}",
                       "shorten it")
        else:
            what = "entries" if err.validator == "maxItems" else "keys"
            sink.error(doc.position(path), "too-many",
                       f"{where} has {size:,} {what}; the limit is {err.validator_value:,}",
                       "see the limits in docs/scenario-format.md; split the scenario if it is really this large")
    elif err.validator == "pattern" and path and path[-1] == "id" or (err.validator == "pattern" and "id" in str(schema.get("description", ""))):
        sink.error(doc.position(path), "bad-id", f"{_show(err.instance)} is not a valid id ({where})",
                   "ids use lowercase letters, digits, - and _, start with a letter, at most 64 characters")
    elif err.validator == "propertyNames":
        sink.error(doc.position(path), "bad-id", f"a key in {where} is not a valid id: {_show(err.instance)}",
                   "ids use lowercase letters, digits, - and _, start with a letter")
    elif err.validator == "pattern":
        sink.error(doc.position(path), "bad-value", f"{_show(err.instance)} is not valid for {where}",
                   f"it must match {str(err.validator_value).replace(_NOT_BEFORE_NEWLINE, '')}")
    elif err.validator in ("minItems", "minProperties"):
        sink.error(doc.position(path), "empty", f"{where} must not be empty", "add at least one entry")
    elif err.validator == "uniqueItems":
        sink.error(doc.position(path), "duplicate", f"{where} lists the same entry more than once",
                   "remove the repeated entries")
    elif err.validator == "const":
        sink.error(doc.position(path), "bad-value", f"{where} must be {err.validator_value!r}",
                   "this loader reads scenario format 1")
    else:
        message = err.message if len(err.message) <= 300 else err.message[:300] + "..."
        sink.error(doc.position(path), "schema", f"{where}: {message}", "see docs/scenario-format.md")
