"""The interface in English and Spanish: every string the code marks is translated, placeholders and
plural forms agree, marked strings are extractable, and `_` is never shadowed."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from simulator import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*(?::[^}]*)?\}")


def extracted() -> dict:
    """Every message the code marks: (msgid or (singular, plural), pgettext context or None) -> the
    first place it is used."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.setdefault((message, context), f"{filename}:{lineno}")
    return found


def spanish():
    with open(i18n.catalogue_path("es"), "rb") as handle:
        return read_po(handle, locale="es", domain=i18n.DOMAIN)


def test_the_code_marks_the_interface_for_translation():
    assert len(extracted()) >= 100  # the window, text mode and the command line


def test_every_marked_string_has_a_spanish_translation():
    catalogue = spanish()
    missing, fuzzy = [], []
    for (message, context), where in extracted().items():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key, context=context)
        if entry is None or not (all(entry.string) if isinstance(entry.string, tuple) else entry.string):
            missing.append(f"{where}: {key!r}")
        elif entry.fuzzy:
            fuzzy.append(f"{where}: {key!r}")
    assert not missing, f"{len(missing)} untranslated:\n" + "\n".join(missing[:40])
    assert not fuzzy, f"{len(fuzzy)} fuzzy (need a translator's check):\n" + "\n".join(fuzzy[:40])


def test_translations_keep_every_placeholder():
    for entry in spanish():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if text:
                assert set(PLACEHOLDER.findall(text)) <= wanted, (entry.id, text)
                # the plural form must show the number when the English plural does
                assert set(PLACEHOLDER.findall(text)) >= set(PLACEHOLDER.findall(ids[0])) - {"{n}"}, (entry.id, text)


def test_spanish_plural_rule_and_switching_back():
    assert spanish().plural_forms == "nplurals=2; plural=(n != 1);"
    try:
        assert i18n.set_language("es") == "es"
        singular, plural = next(m for m, _context in extracted() if isinstance(m, tuple))
        one, many = i18n.ngettext(singular, plural, 1), i18n.ngettext(singular, plural, 2)
        assert one != many and (one, many) != (singular, plural)
        some = next(m for m, _context in extracted() if isinstance(m, str) and len(m) > 12)
        assert i18n._(some) != some
    finally:
        i18n.set_language("en")
    assert i18n._(some) == some


def test_unknown_or_unreadable_language_falls_back_to_english(monkeypatch, tmp_path):
    assert i18n.set_language("xx") == "en"
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_loaded", {})
    assert i18n.set_language("es") == "en"
    monkeypatch.setenv("LANGUAGE", "es_MX:en")
    assert i18n.system_language() == "es"


def python_files():
    for folder in ("simulator", "scoring"):
        yield from sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", list(python_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_marked_strings_are_literal_and_underscore_is_never_shadowed(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports_underscore = any(isinstance(node, ast.ImportFrom) and any(a.name == "_" for a in node.names)
                             for node in ast.walk(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS:
            count = 2 if node.func.id in ("ngettext", "pgettext") else 1
            for arg in node.args[:count]:
                # a literal, or a name or item holding a string marked with N_() where it is defined;
                # never text built on the spot (an f-string, "+", "%" or .format()), which no
                # catalogue can hold
                literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                built = isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
                    and arg.func.attr in ("format", "join", "replace"))
                marked = node.func.id == "_" and not built and not isinstance(arg, ast.Constant)
                assert literal or marked, \
                    f"{path.name}:{node.lineno}: {node.func.id}() needs a literal string, not text built on the spot"
        if imports_underscore and isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            pytest.fail(f"{path.name}:{node.lineno}: `_` is assigned, which hides the translation function")


def test_the_spanish_credits_name_the_same_works_and_licences():
    from simulator.paths import assets_dir
    english = (assets_dir() / "CREDITS.md").read_text(encoding="utf-8")
    spanish = (assets_dir() / "CREDITS.es.md").read_text(encoding="utf-8")
    assert english.count("\n# ") == spanish.count("\n# ")
    for name in ("MIT", "CC BY 4.0", "CC BY 3.0", "eSpeak NG", "DejaVu", "OpenDyslexic", "Bitstream Vera", "pygame-ce",
                 "NumPy", "PyYAML", "jsonschema", "fastjsonschema", "Babel", "zlib", "FreeType", "HarfBuzz", "ICAT"):
        assert (name in english) == (name in spanish), name


@pytest.mark.parametrize("grades, rule", [
    (["good", "good"], "pass"),
    (["good", "mistake"], "pass"),
    (["mistake", "mistake", "mistake"], "overall-below-pass"),
    (["good", "major"], "major-error"),
    (["mistake"] * 5, "overall-below-fail"),
    (["good", "critical"], "critical-error"),
])
def test_the_summary_states_the_deciding_rule_in_the_interface_language(grades, rule):
    """The debrief's headline is the record's `result_rule` (English) in English, and translated in
    Spanish, for every rule that can decide a result."""
    from scoring.grade import grade
    from tests.test_scoring_properties import load_text, play_path, synthetic
    tag = "open-question"
    scenario = load_text(synthetic([[([tag], g)] for g in grades]))
    path = [f"c{i}-0" for i in range(len(grades))]
    english = grade(scenario, play_path(scenario, path))
    assert english.result_rule_id == rule and english.summary["headline"] == english.result_rule
    try:
        i18n.set_language("es")
        spanish = grade(scenario, play_path(scenario, path))
    finally:
        i18n.set_language("en")
    assert spanish.result_rule == english.result_rule  # the record stays in English
    assert spanish.summary["headline"] != english.result_rule
    assert not any(word in spanish.summary["headline"] for word in ("Needs practice", "Pass:", "Fail:", "overall"))


def test_the_engines_own_whys_are_in_the_catalogue():
    """The event log records the engine's recovery whys in English; text mode shows them translated."""
    from simulator.engine import step
    from simulator.vocabulary import ENGINE_WHYS
    source = (ROOT / "simulator" / "engine" / "step.py").read_text(encoding="utf-8")
    assert step.RECOVERY_WHY in ENGINE_WHYS
    assert all(" ".join(why.split()[:6]) in source for why in ENGINE_WHYS)


def test_parleys_data_words_are_extracted_and_shown_translated():
    """The default rubric's and behaviour model's names and whys reach the catalogue (babel.cfg's
    data extractor), and `data_text` shows them in Spanish while leaving other text alone."""
    found = {m for m, _context in extracted() if isinstance(m, str)}
    assert {"Disproportionate force", "Communication access", "Proportionality of force"} <= found
    try:
        i18n.set_language("es")
        assert i18n.data_text("Communication access") != "Communication access"
        assert i18n.data_text("A scenario's own words") == "A scenario's own words"
    finally:
        i18n.set_language("en")
