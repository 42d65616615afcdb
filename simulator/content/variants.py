"""Scenario variants: who the people are (names, ages, portraits), applied to a file's data before it is built."""
from __future__ import annotations

import copy
import hashlib
import re

# `{driver}` in any text is replaced by the variant's word `driver`. `{officer}` is the trainee's name,
# filled in by the session when shown (simulator.engine.session), so it is never a variant word.
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
SESSION_PLACEHOLDERS = frozenset({"officer"})


def variant_list(data: dict) -> list[dict]:
    """The variants a scenario's (validated) data declares, in file order; [] when it has none."""
    variants = data.get("variants")
    return list(variants.get("list", ())) if isinstance(variants, dict) else []


def _word(value, language: str, default: str) -> str:
    if isinstance(value, str):
        return value
    return value.get(language) or value.get(default) or next(iter(value.values()), "")


def _is_text_map(value, languages: set) -> bool:
    return bool(value) and isinstance(value, dict) and set(value) <= languages and all(
        isinstance(v, str) for v in value.values())


def apply_variant(data: dict, variant_id: str | None = None) -> tuple[dict, str | None]:
    """(a copy of `data` showing variant `variant_id` (None: the default), its id); `data` itself and
    None when the scenario declares no variants. Only what people are shown changes: the variant's
    character names, descriptions and portraits, and its words in place of `{placeholders}` in text.
    Raises KeyError for a variant the scenario does not declare."""
    variants = variant_list(data)
    if not variants:
        return data, None
    chosen_id = variant_id or data["variants"]["default"]
    chosen = next((v for v in variants if v["id"] == chosen_id), None)
    if chosen is None:
        raise KeyError(chosen_id)
    out = copy.deepcopy({k: v for k, v in data.items() if k != "variants"})
    for cid, override in (chosen.get("characters") or {}).items():
        if cid in out.get("characters", {}):
            out["characters"][cid].update(copy.deepcopy(override))
    default = data["language"]
    languages = set(data.get("languages", ())) | {default}
    words = chosen.get("words") or {}

    def fill(text: str, language: str) -> str:
        if "{" not in text:
            return text
        return PLACEHOLDER.sub(lambda m: _word(words[m.group(1)], language, default)
                               if m.group(1) in words else m.group(0), text)

    def walk(value):
        if isinstance(value, str):
            return fill(value, default)
        if _is_text_map(value, languages):
            return {lang: fill(text, lang) for lang, text in value.items()}
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value
    out = walk(out)
    out["variants"] = data["variants"]
    return out, chosen_id


def placeholders(data: dict) -> list[tuple[tuple, str]]:
    """(path, name) of every `{placeholder}` in the data's text, outside the `variants` section, in
    document order. Paths are made only for texts holding a `{` (the walk visits every value of a
    5 MB file, so it allocates nothing per value otherwise)."""
    found: list[tuple[tuple, str]] = []
    finditer = PLACEHOLDER.finditer

    def text(value: str, path: tuple) -> None:
        for m in finditer(value):
            found.append((path, m.group(1)))

    def walk(value, path: tuple) -> None:
        top = not path and isinstance(value, dict)
        for k, v in value.items() if isinstance(value, dict) else enumerate(value):
            if isinstance(v, str):
                if "{" in v and not (top and k == "variants"):
                    text(v, path + (k,))
            elif isinstance(v, (dict, list)) and not (top and k == "variants"):
                walk(v, path + (k,))

    if isinstance(data, str):
        if "{" in data:
            text(data, ())
    elif isinstance(data, (dict, list)):
        walk(data, ())
    return found


def counterbalanced(variant_ids: list[str] | tuple[str, ...], participant: str) -> str:
    """The variant a research protocol gives `participant`: a participant number N (1, 2, 3...) gets
    the variants in turn (N-1 modulo their count), so that consecutive participants are balanced
    across them; any other participant code gets one chosen by a stable hash of the code (SHA-256),
    the same on every machine and every run."""
    if not variant_ids:
        raise ValueError("the scenario has no variants")
    text = participant.strip()
    if text.isdigit() and int(text) >= 1:
        return variant_ids[(int(text) - 1) % len(variant_ids)]
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return variant_ids[int.from_bytes(digest[:8], "big") % len(variant_ids)]
