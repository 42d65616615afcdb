"""Crafted scenario files against the meaning checks: no hang, no traceback, every problem reported.

Each limit is tested at the limit (accepted) and just past it (refused, with a position).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulator.content import checks
from simulator.content.behaviour import default_model
from simulator.content.checks import SemanticChecker
from simulator.content.diagnostics import Diagnostic, DiagnosticSink, escape_controls
from simulator.content.loader import load_scenario, load_scenario_bytes
from simulator.content.yamlsafe import read_yaml
from simulator.engine.expressions import MAX_DEPTH, MAX_LENGTH, MAX_NUMBER, MAX_TERMS

from .conftest import FIXTURES, ROOT, bundled_paths

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
SVG = b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>\n'


class Overrun(BaseException):
    """Raised into code that runs too long; a BaseException, so no `except Exception` (or
    `except OSError`, which would catch TimeoutError) in the code under test can swallow it."""


@contextmanager
def deadline(seconds: float):
    """Fail, rather than hang the test run, when the block takes longer than `seconds`."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def fire(*_):
        raise Overrun(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1)  # and again every second, should it be caught
    try:
        yield
    except Overrun as exc:  # a plain failure: the interrupted frames can confuse pytest's report
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise pytest.fail.Exception(str(exc), pytrace=False) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def short_id(value) -> str:
    """A test id for any value, huge numbers included (str() refuses more than 4,300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**12:
        return f"{'-' if value < 0 else ''}10^{len(str(abs(value) // 10**4000)) + 3999}" if abs(value) > 10**4000 \
            else f"int{len(repr(value))}"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 20 else text[:20] + "..."


def load(text: str, name: str = "t.yaml", seconds: float = 30):
    with deadline(seconds):
        result = load_scenario_bytes(text.encode("utf-8"), name, asset_dirs=[ROOT / "assets"])
    assert not [d for d in result.diagnostics if d.code == "internal-error"], result.diagnostics
    return result, [(d.code, d.line, d.column) for d in result.diagnostics if d.severity == "error"]


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def checker(data_or_text, asset_dirs=None) -> SemanticChecker:
    """A SemanticChecker run on YAML text, or on a YamlDocument whose data was replaced."""
    sink = DiagnosticSink("t.yaml")
    if isinstance(data_or_text, str):
        doc = read_yaml(data_or_text.encode("utf-8"), "t.yaml", sink)
    else:
        doc = data_or_text
    result = SemanticChecker(doc, sink, default_model(), asset_dirs or [ROOT / "assets"])
    with deadline(20):
        result.run()
    assert not [d for d in sink.items if d.code == "internal-error"], [d.format() for d in sink.items]
    return result


def errors_of(check: SemanticChecker, code: str | None = None):
    return [d for d in check.sink.items if d.severity == "error" and (code is None or d.code == code)]


# --- 1. the dead-condition analysis: cost independent of the ranges, still sound -----------------

def loop_scenario(maximum: int, minimum: int = 0, step: str = "+1", leave: str = "escalation <= 6") -> str:
    """The minimal fixture with `notes` in minimum..maximum and a loop (second -> third -> second)
    whose calm-down choice changes notes by `step`."""
    text = MINIMAL.replace("notes: {initial: 0, min: 0, max: 3}", f"notes: {{initial: 0, min: {minimum}, max: {maximum}}}")
    text = text.replace("        tags: [create-distance, explain-reason]\n",
                        f"        tags: [create-distance, explain-reason]\n        effects: {{notes: {step}}}\n")
    return text.replace('condition: "escalation <= 6"', f'condition: "{leave}"')


@pytest.mark.parametrize("maximum", [3, 40, 10_000, 1_000_000, MAX_NUMBER])
def test_a_loop_on_a_huge_range_is_analysed_at_once_and_exactly(maximum):
    started = time.perf_counter()
    check = checker(loop_scenario(maximum, leave=f"notes > {maximum}"))  # within a deadline of 20 s
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed
    assert check.reachable["second"]["notes"] == (0, maximum) == check.reachable["third"]["notes"]
    dead = errors_of(check, "dead-condition")
    assert len(dead) == 1 and f"notes 0..{maximum}" in dead[0].message
    assert dead[0].line == line_of(MINIMAL, 'condition: "escalation <= 6"') + 1  # below the added effects
    # and at the top of the range the condition is alive
    check = checker(loop_scenario(maximum, leave=f"notes >= {maximum}"))
    assert errors_of(check) == []


def test_a_falling_loop_reaches_the_bottom_of_a_huge_range():
    check = checker(loop_scenario(5, minimum=-MAX_NUMBER, step="-1", leave=f"notes < {-MAX_NUMBER}"))
    assert check.reachable["third"]["notes"] == (-MAX_NUMBER, 1)
    assert len(errors_of(check, "dead-condition")) == 1


def _count_transfers(monkeypatch) -> list:
    calls = []
    real = SemanticChecker.transfer

    def counting(self, *args):
        apply = real(self, *args)
        return lambda env: calls.append(1) or apply(env)
    monkeypatch.setattr(SemanticChecker, "transfer", counting)
    return calls


def test_the_work_does_not_depend_on_the_range(monkeypatch):
    calls = _count_transfers(monkeypatch)
    work = {}
    for maximum in (100, 10_000, MAX_NUMBER):
        calls.clear()
        checker(loop_scenario(maximum))
        work[maximum] = len(calls)
    assert work[100] == work[10_000] == work[MAX_NUMBER] < 1000, work


def hub_scenario(chain: int, condition: str) -> str:
    """A chain c0 -> c1 -> ... adding 1 to notes (max 10^9) at each step, every link also jumping to
    `hub`: the hub's upper bound grows `chain` times (more than WIDEN_AFTER), without any cycle."""
    head = MINIMAL.split("start: first")[0].replace("notes: {initial: 0, min: 0, max: 3}",
                                                     f"notes: {{initial: 0, min: 0, max: {MAX_NUMBER}}}")
    parts = [head, "start: c0\nnodes:\n"]
    for i in range(chain):
        parts.append(f"  c{i}:\n    narrative: n\n    choices:\n"
                     f"      - {{id: step{i}, text: t, grade: good, feedback: f, effects: {{notes: +1}}, next: c{i + 1}}}\n"
                     f"      - {{id: jump{i}, text: t, grade: good, feedback: f, next: hub}}\n")
    parts.append(f"  c{chain}:\n    narrative: n\n    choices:\n      - {{id: last, text: t, grade: good, feedback: f, next: hub}}\n")
    parts.append(f"  hub:\n    narrative: n\n    choices:\n"
                 f"      - {{id: check, text: t, grade: good, feedback: f, condition: \"{condition}\", next: calm-end}}\n"
                 f"      - {{id: done, text: t, grade: good, feedback: f, next: force-end}}\n")
    parts.append("endings:\n" + MINIMAL.split("endings:\n")[1])
    return "".join(parts)


def test_narrowing_gives_back_what_widening_took(monkeypatch):
    narrowed = []
    real = SemanticChecker._narrow
    monkeypatch.setattr(SemanticChecker, "_narrow", staticmethod(lambda *a: narrowed.append(1) or real(*a)))
    chain = checks.WIDEN_AFTER + 8
    check = checker(hub_scenario(chain, f"notes > {chain}"))
    assert narrowed, "the hub's bound grew often enough to be widened"
    assert check.reachable["hub"]["notes"] == (0, chain)
    dead = errors_of(check, "dead-condition")
    assert len(dead) == 1 and f"notes 0..{chain}" in dead[0].message
    assert errors_of(checker(hub_scenario(chain, f"notes >= {chain}"))) == []


def _dead_and_envs(text_or_path, widen_after, monkeypatch):
    monkeypatch.setattr(checks, "WIDEN_AFTER", widen_after)
    text = Path(text_or_path).read_text(encoding="utf-8") if isinstance(text_or_path, Path) else text_or_path
    check = checker(text)
    return {(d.line, d.column) for d in errors_of(check, "dead-condition")}, check.reachable


def _contains(big: dict, small: dict) -> bool:
    return set(small) <= set(big) and all(big[n][v][0] <= lo and hi <= big[n][v][1]
                                          for n in small for v, (lo, hi) in small[n].items())


CASES = [*bundled_paths(), FIXTURES / "minimal.yaml", loop_scenario(60, leave="notes > 70"),
         loop_scenario(60, minimum=-60, step="-1", leave="notes < -60 or rapport > 5"),
         hub_scenario(30, "notes > 30")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.stem if isinstance(c, Path) else f"text{CASES.index(c)}")
def test_widening_over_approximates_the_exact_analysis(case, monkeypatch):
    """Forcing widening at every growth (WIDEN_AFTER=1) may lose precision but never soundness:
    every node's intervals contain the exact ones, and every dead condition it reports is dead."""
    exact_dead, exact_env = _dead_and_envs(case, 10**9, monkeypatch)
    forced_dead, forced_env = _dead_and_envs(case, 1, monkeypatch)
    default_dead, default_env = _dead_and_envs(case, 16, monkeypatch)
    assert _contains(forced_env, exact_env) and forced_dead <= exact_dead
    assert default_env == exact_env and default_dead == exact_dead


# --- 2. "did you mean": bounded work whatever the number of problems -----------------------------

def unknown_next_scenario(count: int, typo: str = "x") -> str:
    parts = [MINIMAL.split("nodes:\n")[0], "nodes:\n",
             "  first:\n    narrative: x\n    choices:\n      - {id: c-start, text: t, grade: good, feedback: f, next: n-0}\n"]
    for i in range(count):
        parts.append(f"  n-{i}:\n    narrative: \"Node {i}\"\n    choices:\n"
                     f"      - {{id: c-{i}, text: t, grade: good, feedback: f, next: n-{i}{typo}}}\n"
                     f"      - {{id: d-{i}, text: t, grade: good, feedback: f, next: calm-end}}\n")
    parts.append("endings:\n" + MINIMAL.split("endings:\n")[1])
    return "".join(parts)


def test_thousands_of_unknown_ids_are_all_reported_quickly(monkeypatch):
    compared = []
    real = checks.difflib.get_close_matches
    monkeypatch.setattr(checks.difflib, "get_close_matches",
                        lambda word, options, *a, **k: compared.append(len(options)) or real(word, options, *a, **k))
    text = unknown_next_scenario(4000)
    started = time.perf_counter()
    result, _ = load(text, seconds=60)
    elapsed = time.perf_counter() - started
    unknown = [d for d in result.diagnostics if d.code == "unknown-next"]
    assert len(unknown) == 4000  # every problem, each at its own line
    assert len({d.line for d in unknown}) == 4000
    assert unknown[0].hint == "did you mean 'n-0'?" and unknown[0].line == line_of(text, "next: n-0x")
    assert sum(compared) <= checks.SUGGEST_BUDGET + checks.SUGGEST_CANDIDATES
    assert unknown[-1].hint == "add it, or point to an existing node"  # past the budget: the plain hint
    assert elapsed < 15, elapsed  # 52 s before the budget, on 2 shared cores


def test_a_suggestion_is_found_among_thousands_of_ids():
    import difflib
    check = checker(unknown_next_scenario(3000, typo="").replace("next: n-2718}", "next: n-2718-}"))
    hints = {d.message: d.hint for d in errors_of(check, "unknown-next")}
    assert hints["there is no node or ending 'n-2718-'"] == "did you mean 'n-2718'?"
    assert difflib.get_close_matches("n-2718-", sorted(check.targets), n=1) == ["n-2718"]  # as an exhaustive search


def test_hints_listing_known_names_are_short():
    chars = "".join(f"  person-{i}: {{name: P, role: bystander}}\n" for i in range(2000))
    text = MINIMAL.replace("  kim: {name: \"Kim\", role: partner}\n", "  kim: {name: \"Kim\", role: partner}\n" + chars)
    text = text.replace('    behaviour: "Arms crossed."', '    behaviour: "Arms crossed."\n    present: [zzzzzzzzzzzzzzzzzzzzzz]')
    check = checker(text)
    (error,) = errors_of(check, "unknown-character")
    assert error.hint.startswith("characters: sam, kim, person-0,") and "(1,990 more)" in error.hint
    assert len(error.hint) < 250


# --- 3. conditions: limits as diagnostics, and whatever is accepted runs -------------------------

HOSTILE_CONDITIONS = {
    "164 nested parentheses": ("(" * 164 + "notes >= 1" + ")" * 164, "nesting deeper than 32"),
    "983 not": ("not " * 983 + "notes >= 1", "more than 2,000"),
    "992 and terms": (" and ".join(["notes >= 1"] * 992), "more than 2,000"),
    "985 and terms": (" and ".join(["notes >= 1"] * 985), "more than 2,000"),
    "129 terms, short": (" and ".join(["notes"] * 129), "more than 128"),
    "33 not": ("not " * 33 + "notes >= 1", "nesting deeper than 32"),
    "5000 digits": ("notes >= " + "9" * 5000, "more than 2,000"),
    "1990 digits": ("notes >= " + "9" * 1990, "too large"),
    "10 digits": ("notes >= 1000000001", "too large"),
}


@pytest.mark.parametrize("name", HOSTILE_CONDITIONS)
def test_oversized_conditions_are_diagnostics_with_a_position(name):
    source, expected = HOSTILE_CONDITIONS[name]
    thank = ("nodes", "second", "choices", 2, "condition")
    check = _with(thank, source)
    (error,) = errors_of(check, "bad-condition")
    assert (error.line, error.column) == (line_of(MINIMAL, 'condition: "notes >= 1"'), 20) == check.doc.position(thank)
    assert expected in error.message and "at character" in error.message and error.hint
    assert len(error.message) < 400  # the condition is quoted cut short
    rule = ("behaviour", "rules", 0, "cases", 0, "when")  # the same in a behaviour rule's `when`
    text = MINIMAL.replace("start: first\n", 'behaviour:\n  rules:\n    - id: r\n      tags: [shouting]\n      cases:\n'
                                             '        - {when: "x", escalation: +1, why: "w"}\nstart: first\n')
    check = _with(rule, source, text)
    assert [(d.code, d.line) for d in errors_of(check)] == [("bad-condition", line_of(text, "when:"))]
    # and through the whole loader (a layer before may refuse very long text first): never a traceback
    text = MINIMAL.replace('condition: "notes >= 1"', f'condition: "{source}"')
    result, errors = load(text)
    assert result.scenario is None and line_of(text, "condition: \"" + source[:20]) in {line for _, line, _ in errors}


def test_conditions_at_the_limits_load_and_run_without_deep_recursion():
    widest = " and ".join(["notes >= 1"] * (MAX_TERMS // 2))
    deepest = "not (" * (MAX_DEPTH // 2) + "notes >= 1" + ")" * (MAX_DEPTH // 2)
    longest = widest + " " * (MAX_LENGTH - len(widest))
    for source in (widest, deepest, longest):
        text = MINIMAL.replace('condition: "notes >= 1"', f'condition: "{source}"')
        result, errors = load(text)
        assert errors == [], result.diagnostics
        test = result.scenario.choice_by_id["thank"].test
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(len(__import__("inspect").stack(0)) + 40)  # a nested closure per term needs 64
        try:
            values = [bool(test((2, 0, 0, 0, notes))) for notes in (0, 1)]
        finally:
            sys.setrecursionlimit(limit)
        assert values == [False, True]


# --- 4. malformed but parseable data: no exception, no hang --------------------------------------

BAD_VALUES = {
    "list of lists": [["ruth"], ["leo", ["sam"]]],
    "mapping": {"node": "x", "id": {"a": 1}},
    "huge int": 10**5000,
    "nan": float("nan"),
    "inf": float("inf"),
    "bool": True,
    "none": None,
    "empty string": "",
    "NUL and ANSI": "a\x00b\x1b[31mred\x1b]0;title\x07\u202eevil",
}
ID_MAPS = {("nodes",), ("endings",), ("characters",), ("state", "variables")}


def _field_paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _field_paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _field_paths(item, path + (i,))


def _shape(path) -> tuple:
    """A path with list indexes and ids (node, ending, character, variable) replaced by `*`."""
    shape: list = []
    for part in path:
        shape.append("*" if isinstance(part, int) or tuple(shape) in ID_MAPS else part)
    return tuple(shape)


def _sample() -> list[tuple[Path, list[tuple]]]:
    """Every field path of the minimal fixture; of the shipped scenarios, one path of every shape
    the fixture lacks and of every other shape it has (the middle path of its kind, each shape in
    one scenario only). Deterministic; about 1,000 checker runs on the shipped scenarios."""
    minimal = FIXTURES / "minimal.yaml"
    covered = {_shape(f) for f in _field_paths(read_yaml(minimal.read_bytes(), "m", DiagnosticSink("x")).data)}
    shapes: dict[tuple, list] = {}
    for path in bundled_paths():
        data = read_yaml(path.read_bytes(), str(path), DiagnosticSink("x")).data
        for field in _field_paths(data):
            shapes.setdefault(_shape(field), []).append((path, field))
    chosen: dict[Path, list] = {}
    shared = 0
    for shape, instances in shapes.items():
        if shape in covered:
            shared += 1
            if shared % 2:
                continue
        path, field = instances[len(instances) // 2]
        chosen.setdefault(path, []).append(field)
    return [(minimal, None), *sorted(chosen.items())]


def _set(data, path, value):
    for part in path[:-1]:
        data = data[part]
    old = data[path[-1]]
    data[path[-1]] = value
    return old


@pytest.mark.parametrize("scenario,fields", _sample(), ids=lambda x: x.stem if isinstance(x, Path) else "")
def test_wrong_values_anywhere_never_raise_or_hang(scenario, fields):
    sink = DiagnosticSink(str(scenario))
    doc = read_yaml(scenario.read_bytes(), str(scenario), sink)
    before = json.dumps(doc.data, sort_keys=True, default=str)
    fields = list(_field_paths(doc.data)) if fields is None else fields
    slowest = 0.0
    for field in fields:
        for name, bad in BAD_VALUES.items():
            if field == ():
                doc.data, old = bad, doc.data
            else:
                old = _set(doc.data, field, bad)
            sink = DiagnosticSink(str(scenario))
            started = time.perf_counter()
            try:
                with deadline(10):
                    SemanticChecker(doc, sink, default_model(), [scenario.parent, ROOT / "assets"]).run()
                for d in sink.items:  # every diagnostic renders, on one line, with no raw escapes
                    line = d.format()
                    assert "\n" not in line and "\x1b" not in line and "\x00" not in line
                    assert d.code != "internal-error", line  # the safety net caught a bug
            except (Exception, Overrun) as exc:  # noqa: BLE001 - say which field and value broke it
                pytest.fail(f"{scenario.name} {field} = {name}: {type(exc).__name__}: {exc}")
            finally:
                if field == ():
                    doc.data = old
                else:
                    _set(doc.data, field, old)
            slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 5, slowest  # a guard against hangs (each call takes milliseconds), not a benchmark
    assert json.dumps(doc.data, sort_keys=True, default=str) == before  # the checks never change the data


def test_a_bug_in_one_check_is_a_diagnostic_and_the_others_still_run(monkeypatch):
    def check_characters(self):
        raise TypeError("a bug")
    monkeypatch.setattr(SemanticChecker, "check_characters", check_characters)
    sink = DiagnosticSink("t.yaml")
    doc = read_yaml(MINIMAL.replace("next: calm-end", "next: calm-edn").encode(), "t.yaml", sink)
    SemanticChecker(doc, sink, default_model(), [ROOT / "assets"]).run()
    codes = [d.code for d in sink.items if d.severity == "error"]
    assert codes[0] == "internal-error" and codes.count("internal-error") == 1 and "unknown-next" in codes
    assert sink.items[0].format() == ("t.yaml:0:0: error: the characters check failed: TypeError (hint: this is a bug "
                                      "in Parley, not in the file: please report it with the file)")


@pytest.mark.parametrize("key", [7, None, True, 1.5, -10**5000], ids=short_id)
@pytest.mark.parametrize("where", [("nodes",), ("endings",), ("characters",), ("state", "variables"),
                                   ("nodes", "first", "choices", 2, "effects")])
def test_ids_that_are_not_text_never_raise(key, where):
    doc = read_yaml(MINIMAL.encode(), "t.yaml", DiagnosticSink("x"))
    mapping = doc.data
    for part in where:
        mapping = mapping[part]
    first = next(iter(mapping))
    mapping[key] = mapping.pop(first)
    check = checker(doc)
    for d in check.sink.items:
        assert d.code != "internal-error", d.format()


@pytest.mark.parametrize("old,new,needle", [
    ("    behaviour: \"Arms crossed.\"", "    behaviour: \"Arms crossed.\"\n    present: [[sam], kim, sam]", "present:"),
    ("start: first", "start: {node: first}", "start:"),
    ("start: first", "start: [first]", "start:"),
    ("next: second\n      - id: demand", "next: {node: second}\n      - id: demand", "next: {node"),
    ("speaker: kim", "speaker: [kim]", "speaker:"),
    ("tags: [open-question]", "tags: [[open-question], {a: b}]", "tags: [["),
    ("notes: {initial: 0, min: 0, max: 3}", "notes: {initial: [0], min: {a: 1}, max: 3}", "notes: {initial: ["),
    ("effects: {notes: +1}", "effects: {notes: [1], escalation: {a: 1}}", "effects: {notes: ["),
    ("- {weight: 3, next: third}", "- {weight: [3], next: [third]}", "weight: [3]"),
    ("seconds: 10", "seconds: [10]", "seconds:"),
])
def test_wrong_shapes_from_yaml_are_reported_not_raised(old, new, needle):
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    result, errors = load(text)
    assert result.scenario is None and errors
    assert line_of(text, needle) in {line for _, line, _ in errors}


# --- 5. numbers: finite, whole where whole, at most 10^9 ------------------------------------------

def _with(path, value, text: str = MINIMAL) -> SemanticChecker:
    doc = read_yaml(text.encode(), "t.yaml", DiagnosticSink("x"))
    _set(doc.data, path, value)
    return checker(doc)


WEIGHT = ("nodes", "second", "choices", 1, "outcomes", 0, "weight")
SECONDS = ("nodes", "first", "timer", "seconds")
EFFECT = ("nodes", "first", "choices", 2, "effects", "notes")
NOTES_MAX = ("state", "variables", "notes", "max")


@pytest.mark.parametrize("path,value,message", [
    (WEIGHT, float("nan"), "must be a finite number, not nan"),
    (WEIGHT, float("inf"), "must be a finite number, not inf"),
    (WEIGHT, float("-inf"), "must be a finite number, not -inf"),
    (WEIGHT, 10**5000, "is too large"),
    (WEIGHT, MAX_NUMBER + 1, "is too large"),
    (WEIGHT, float(MAX_NUMBER) * 1.5, "is too large"),
    (SECONDS, float("nan"), "must be a finite number, not nan"),
    (EFFECT, 2.0, "must be a whole number, not 2.0"),
    (EFFECT, 10**5000, "is too large"),
    (EFFECT, "=" + "9" * 5000, "is too large"),
    (EFFECT, "+" + "9" * 5000, "is too large"),
    (EFFECT, "+1000000001", "is too large"),
    (NOTES_MAX, 3.0, "must be a whole number, not 3.0"),
    (NOTES_MAX, MAX_NUMBER + 1, "is too large"),
    (NOTES_MAX, 10**5000, "is too large"),
    (("state", "variables", "notes", "min"), -MAX_NUMBER - 1, "is too large"),
    (("minutes",), 5.0, "must be a whole number, not 5.0"),
    (("state", "escalation"), 2.0, "must be a whole number, not 2.0"),
], ids=short_id)
def test_unusable_numbers_are_refused_at_their_place(path, value, message):
    check = _with(path, value)
    found = [d for d in errors_of(check) if message in d.message]
    assert found, [d.format() for d in check.sink.items]
    position = check.doc.position(path)
    assert (found[0].line, found[0].column) == position and found[0].hint


@pytest.mark.parametrize("path,value", [(WEIGHT, MAX_NUMBER), (WEIGHT, 0.001), (WEIGHT, float(MAX_NUMBER)),
                                        (SECONDS, 0.5), (NOTES_MAX, MAX_NUMBER), (EFFECT, "=3")], ids=short_id)
def test_numbers_at_the_limit_are_accepted(path, value):
    assert errors_of(_with(path, value)) == []


def test_effects_and_variables_at_the_limit_load_and_build():
    text = (MINIMAL.replace("notes: {initial: 0, min: 0, max: 3}", f"notes: {{initial: 0, min: -{MAX_NUMBER}, max: {MAX_NUMBER}}}")
            .replace("effects: {notes: +1}", f"effects: {{notes: +{MAX_NUMBER}}}")
            .replace("- {weight: 3, next: third}", f"- {{weight: {MAX_NUMBER}, next: third}}"))
    result, errors = load(text)
    assert errors == [] and result.scenario is not None
    text = text.replace(f"effects: {{notes: +{MAX_NUMBER}}}", f"effects: {{notes: +{MAX_NUMBER + 1}}}")
    result, errors = load(text)
    line = line_of(text, f"+{MAX_NUMBER + 1}")
    assert ("bad-number", line, text.splitlines()[line - 1].index("+") + 1) in errors


def test_non_finite_numbers_in_yaml_text_never_raise():
    for old, new in (("seconds: 10", "seconds: .nan"), ("{weight: 3, next: third}", "{weight: .inf, next: third}"),
                     ("{weight: 3, next: third}", "{weight: .nan, next: third}"), ("minutes: 5", "minutes: .nan")):
        text = MINIMAL.replace(old, new)
        result, errors = load(text)
        assert result.scenario is None
        assert line_of(text, new) in {line for _, line, _ in errors}, result.diagnostics


# --- 6. assets: regular files of the right type, inside the allowed folders ----------------------

def asset_scenario(tmp_path: Path, background: str | None = None, portrait: str | None = None) -> Path:
    folder = tmp_path / "scenario"
    folder.mkdir(exist_ok=True)
    text = MINIMAL
    if background is not None:
        text = text.replace('    narrative: "Sam stands by the car."',
                            f'    background: "{background}"\n    narrative: "Sam stands by the car."')
    if portrait is not None:
        text = text.replace('sam: {name: "Sam", role: subject}', f'sam: {{name: "Sam", role: subject, portrait: "{portrait}"}}')
    path = folder / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def asset_errors(path: Path):
    with deadline(10):
        result = load_scenario(path, use_cache=False)
    text = path.read_text(encoding="utf-8")
    return [(d.code, d.line, d.column, d.message) for d in result.errors], text


def expect_one(path: Path, code: str, needle: str, words: str):
    errors, text = asset_errors(path)
    assert len(errors) == 1, errors
    got_code, line, column, message = errors[0]
    assert (got_code, line) == (code, line_of(text, needle)) and column > 1
    assert words in message, message


def test_a_link_to_a_device_is_refused(tmp_path):
    path = asset_scenario(tmp_path, "zero.svg")
    (path.parent / "zero.svg").symlink_to("/dev/zero")
    expect_one(path, "bad-asset", "background:", "leads outside")


def test_a_link_out_of_the_folder_is_refused_and_one_inside_accepted(tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "real.svg").write_bytes(SVG)
    path = asset_scenario(tmp_path, "out.svg")
    (path.parent / "out.svg").symlink_to(tmp_path / "outside" / "real.svg")
    expect_one(path, "bad-asset", "background:", "leads outside")
    (path.parent / "art").mkdir()
    (path.parent / "art" / "inside.svg").write_bytes(SVG)
    (path.parent / "in.svg").symlink_to(path.parent / "art" / "inside.svg")
    path = asset_scenario(tmp_path, "in.svg")
    assert asset_errors(path)[0] == []
    (path.parent / "passwd.svg").symlink_to("/etc/passwd")
    expect_one(asset_scenario(tmp_path, "passwd.svg"), "bad-asset", "background:", "leads outside")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    path = asset_scenario(tmp_path, "x.svg")
    os.mkfifo(path.parent / "x.svg")
    expect_one(path, "bad-asset", "background:", "not a regular file")


def test_a_folder_is_no_image(tmp_path):
    path = asset_scenario(tmp_path, "x.svg")
    (path.parent / "x.svg").mkdir()
    expect_one(path, "bad-asset", "background:", "is a folder")


@pytest.mark.parametrize("content,name", [
    ((ROOT / "assets" / "fonts" / "DejaVuSans.ttf").read_bytes()[:70000], "font.svg"),  # a .ttf renamed .svg
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "picture.svg"),
    (b"just some text, no markup\n", "notes.svg"),
    (b"<html><body>not svg</body></html>", "page.svg"),
    (b"", "empty.svg"),
])
def test_files_that_are_not_svg_inside_are_refused(tmp_path, content, name):
    path = asset_scenario(tmp_path, name)
    (path.parent / name).write_bytes(content)
    expect_one(path, "bad-asset", "background:", "does not contain an SVG image")


def test_other_file_types_are_refused_by_extension(tmp_path):
    path = asset_scenario(tmp_path, "fonts/DejaVuSans.ttf")
    expect_one(path, "bad-asset", "background:", "is not an SVG file")


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf", b"\n  <!-- made by hand -->\n"])
def test_svg_files_are_accepted(tmp_path, prefix):
    path = asset_scenario(tmp_path, "ok.svg")
    (path.parent / "ok.svg").write_bytes(prefix + SVG)
    assert asset_errors(path)[0] == []


def test_size_limit(tmp_path):
    path = asset_scenario(tmp_path, "big.svg")
    big = path.parent / "big.svg"
    big.write_bytes(SVG + b" " * (checks.MAX_ASSET_BYTES - len(SVG)))
    assert big.stat().st_size == checks.MAX_ASSET_BYTES == 10 * 1024 * 1024
    assert asset_errors(path)[0] == []
    with big.open("ab") as handle:
        handle.write(b" ")
    expect_one(path, "bad-asset", "background:", "more than 10 MB")


def test_portrait_folders_are_checked_the_same_way(tmp_path):
    path = asset_scenario(tmp_path, portrait="faces/sam")
    faces = path.parent / "faces" / "sam"
    faces.mkdir(parents=True)
    for name in ("calm", "anxious", "upset"):
        (faces / f"{name}.svg").write_bytes(SVG)
    (faces / "angry.svg").symlink_to("/dev/zero")
    expect_one(path, "bad-asset", "portrait:", "angry.svg")
    (faces / "angry.svg").unlink()
    if hasattr(os, "mkfifo"):
        os.mkfifo(faces / "angry.svg")
        expect_one(path, "bad-asset", "portrait:", "not a regular file")
        (faces / "angry.svg").unlink()
    (faces / "angry.svg").write_bytes(SVG)
    assert asset_errors(path)[0] == []
    shutil.rmtree(path.parent / "faces")
    (tmp_path / "elsewhere").mkdir()
    for name in ("calm", "anxious", "upset", "angry"):
        (tmp_path / "elsewhere" / f"{name}.svg").write_bytes(SVG)
    (path.parent / "faces").mkdir()
    (path.parent / "faces" / "sam").symlink_to(tmp_path / "elsewhere")
    expect_one(path, "bad-asset", "portrait:", "leads outside")


def test_bundled_art_is_still_accepted():
    for path in bundled_paths():
        result = load_scenario(path, use_cache=False)
        assert not [d for d in result.errors if d.code in ("bad-asset", "missing-asset")]


# --- 7. diagnostics: untrusted text is shown escaped, kept exact in JSON -------------------------

def test_control_and_bidi_characters_are_shown_escaped():
    hostile = "a\x1b[2J\x1b]0;pwned\x07b\x00\t\n\r\x7f\x9b\x85c\u202ed\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069e"
    d = Diagnostic("f\x1b.yaml", 3, 4, "error", "bad-condition", f"cannot read `{hostile}`", f"hint {hostile}")
    text = d.format()
    assert text.startswith("f\\x1b.yaml:3:4: error: cannot read `a\\x1b[2J\\x1b]0;pwned\\x07b\\x00\\x09\\x0a\\x0d")
    assert "\\x7f\\x9b\\x85c\\u202ed\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069e" in text
    assert all(ord(ch) >= 0x20 and not 0x7f <= ord(ch) <= 0x9f and not 0x202a <= ord(ch) <= 0x202e
               and not 0x2066 <= ord(ch) <= 0x2069 for ch in text)
    assert d.to_json()["message"] == f"cannot read `{hostile}`" and d.to_json()["file"] == "f\x1b.yaml"
    plain = Diagnostic("f.yaml", 1, 2, "error", "x", "ordinary text: é, 中文, emoji 🙂, back\\slash")
    assert plain.format() == "f.yaml:1:2: error: ordinary text: é, 中文, emoji 🙂, back\\slash"
    assert escape_controls("\u200f\u2028") == "\\u200f\\u2028"


def test_a_condition_with_escapes_reaches_the_terminal_escaped(tmp_path, capsys):
    text = MINIMAL.replace('condition: "notes >= 1"', 'condition: "nots >= 1 \\e]0;pwned\\a \\u202e"')
    result, _ = load(text)
    (d,) = [d for d in result.diagnostics if d.code == "bad-condition"]
    assert "\x1b" in d.message and "\u202e" in d.message  # faithful in the data and JSON
    assert "\x1b" not in d.format() and "\\x1b]0;pwned\\x07 \\u202e" in d.format()
    from simulator.cli.validate import validate
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    assert validate([path], as_json=False, strict=False) == 1
    out = capsys.readouterr().out
    assert "cannot read condition `nots >= 1 " in out and "\x1b" not in out and "\u202e" not in out
    assert validate([path], as_json=True, strict=False) == 1
    report = json.loads(capsys.readouterr().out)
    assert any("\x1b]0;pwned\x07" in d["message"] for d in report["files"][0]["diagnostics"])
