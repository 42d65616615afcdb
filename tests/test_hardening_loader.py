"""Crafted files against the reading layer (loader, safe YAML, schema, cache): every problem comes
out as a diagnostic with a position, never an exception or a hang, and every limit holds at its
value and refuses one past it (docs/scenario-format.md, "Limits")."""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import jsonschema
import pytest
import yaml

from simulator.content import cache as cache_module
from simulator.content import loader, schema, yamlsafe
from simulator.content.diagnostics import DiagnosticSink
from simulator.content.loader import load_scenario, load_scenario_bytes
from simulator.content.yamlsafe import MAX_BYTES, MAX_DIGITS, MAX_LINE, MAX_TEXT, MAX_VALUES, read_yaml

from .conftest import FIXTURES, ROOT

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text(encoding="utf-8"))
WHOLE_FILE = {"too-large", "not-a-file", "unreadable"}


@contextmanager
def deadline(seconds: float):
    """Fail, rather than hang the test run, when the block takes longer than `seconds`."""
    def fire(*_):
        raise TimeoutError(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load(text: str | bytes, seconds: float = 20):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with deadline(seconds):
        result = load_scenario_bytes(raw, "t.yaml", asset_dirs=[ROOT / "assets"])
    return result, [(d.code, d.line, d.column) for d in result.errors]


def codes(result) -> set[str]:
    return {d.code for d in result.errors}


def read(text: str, loader_class=None, monkeypatch=None):
    if loader_class is not None:
        monkeypatch.setattr(yamlsafe, "_Loader", loader_class)
    sink = DiagnosticSink("t.yaml")
    doc = read_yaml(text.encode("utf-8"), "t.yaml", sink)
    return doc, [(d.code, d.line, d.column) for d in sink.items if d.severity == "error"], sink


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def col_of(text: str, needle: str) -> int:
    idx = text.index(needle)
    return idx - (text.rfind("\n", 0, idx) + 1) + 1


PARSERS = ["libyaml", "pure-python"]


@pytest.fixture(params=PARSERS)
def parser(request, monkeypatch):
    if request.param == "pure-python":
        monkeypatch.setattr(yamlsafe, "_Loader", yaml.SafeLoader)
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("no libyaml")
    return request.param


# --- 1. reading the file: never block, never read past the limit -------------------------------

def test_a_fifo_is_refused_at_once_without_opening_it(tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    with deadline(5):
        result = load_scenario(fifo, use_cache=False)
    assert [(d.code, d.line, d.column) for d in result.errors] == [("not-a-file", 0, 0)]
    assert "named pipe" in result.errors[0].message and result.errors[0].hint
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    with deadline(5):
        assert codes(load_scenario(link, use_cache=False)) == {"not-a-file"}


def test_a_fifo_swapped_in_after_the_stat_does_not_block(tmp_path, monkeypatch):
    """The race: os.stat said regular file, then a FIFO is opened; O_NONBLOCK keeps the open from
    waiting for a writer and os.fstat refuses it."""
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    regular = os.stat(FIXTURES / "minimal.yaml")
    monkeypatch.setattr(loader.os, "stat", lambda path, *a, **k: regular)
    with deadline(5):
        result = load_scenario(fifo, use_cache=False)
    assert codes(result) == {"not-a-file"}


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_refused_without_reading(path):
    if not os.path.exists(path):
        pytest.skip(f"no {path}")
    with deadline(5):
        result = load_scenario(path, use_cache=False)
    assert [(d.code, d.line, d.column) for d in result.errors] == [("not-a-file", 0, 0)]
    assert "device" in result.errors[0].message


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "scenario.yaml"
    folder.mkdir()
    assert codes(load_scenario(folder, use_cache=False)) == {"not-a-file"}


def test_a_huge_file_is_refused_from_its_size_without_being_read(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(1 << 30)  # 1 GiB, sparse
    reads = []
    real_read = os.read
    monkeypatch.setattr(loader.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    started = time.perf_counter()
    result = load_scenario(big, use_cache=False)
    assert time.perf_counter() - started < 1
    assert [(d.code, d.line, d.column) for d in result.errors] == [("too-large", 0, 0)]
    assert "1,073,741,824" in result.errors[0].message and reads == []


def test_a_file_that_grows_after_the_stat_is_read_only_to_the_limit_plus_one_byte(tmp_path, monkeypatch):
    grown = tmp_path / "grown.yaml"
    grown.write_bytes(b"a" * (MAX_BYTES + 4096))
    small = os.stat(FIXTURES / "minimal.yaml")
    monkeypatch.setattr(loader.os, "stat", lambda path, *a, **k: small)
    got = []
    real_read = os.read
    monkeypatch.setattr(loader.os, "read", lambda fd, n: got.append(len(chunk := real_read(fd, n))) or chunk)
    result = load_scenario(grown, use_cache=False)
    assert codes(result) == {"too-large"} and "more than" in result.errors[0].message
    assert sum(got) == MAX_BYTES + 1


def test_a_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_not(tmp_path):
    at = tmp_path / "at.yaml"
    body = "a:\n" + "- x\n" * ((MAX_BYTES - 3) // 4)
    at.write_text(body + "#" * (MAX_BYTES - len(body)), encoding="utf-8")
    assert at.stat().st_size == MAX_BYTES
    result = load_scenario(at, use_cache=False)
    assert "too-large" not in codes(result) and result.errors  # read and refused for its content
    at.write_bytes(at.read_bytes() + b"#")
    assert codes(load_scenario(at, use_cache=False)) == {"too-large"}


def test_a_missing_file_and_a_nul_in_the_path_are_unreadable_not_raised(tmp_path):
    assert codes(load_scenario(tmp_path / "nope.yaml", use_cache=False)) == {"unreadable"}
    assert codes(load_scenario(str(tmp_path / "a\x00b.yaml"), use_cache=False)) == {"unreadable"}


# --- 2. limits inside the file: checked before the expensive work -------------------------------

def test_line_length_at_the_limit_is_read_and_one_past_is_refused_with_its_position():
    body = "a: [" + ", ".join(["x" * 98] * (MAX_LINE // 101)) + "] #"
    at = body + "c" * (MAX_LINE - len(body)) + "\n"
    assert len(at) == MAX_LINE + 1
    doc, errors, _ = read("b: 1\n" + at)
    assert errors == [] and len(doc.data["a"]) == MAX_LINE // 101
    past = "b: 1\n" + at.replace("#", "##")
    doc, errors, sink = read(past)
    assert doc is None and errors == [("line-too-long", 2, MAX_LINE + 1)]
    assert f"{MAX_LINE:,}" in sink.items[0].message and "`>-`" in sink.items[0].hint


def test_line_length_counts_characters_and_every_yaml_line_break():
    # 20,000 two-byte characters are 40,000 bytes but within the limit
    doc, errors, _ = read("a: 1 #" + "é" * (MAX_LINE - 6) + "\n")
    assert errors == [] and doc.data == {"a": 1}
    # lines broken by CR alone (or NEL, LS, PS) are short lines, not one long one
    text = "a:\r" + "".join(f" - {'y' * 50}\r" for _ in range(1000))
    doc, errors, _ = read(text)
    assert errors == [] and len(doc.data["a"]) == 1000
    text = "a: [\u2028" + "x,\u2028" * 10_000 + "x]\n"
    doc, errors, _ = read(text)
    assert errors == [] and len(doc.data["a"]) == 10_001


def test_a_one_line_flow_list_of_megabytes_is_refused_before_parsing():
    text = MINIMAL.replace("topics: [test]", "topics: [" + "a, " * 1_700_000 + "a]")
    started = time.process_time()
    result, errors = load(text)
    assert time.process_time() - started < 5  # a guard against hangs; timings live in benchmarks/
    assert errors == [("line-too-long", line_of(text, "topics:"), MAX_LINE + 1)]


def test_values_at_the_limit_are_read_and_one_more_is_refused_where_it_is():
    # the mapping, its key and the list are 3 values; the rest are items, one per line
    n = MAX_VALUES - 3
    doc, errors, _ = read("a:\n" + "- x\n" * n)
    assert errors == [] and len(doc.data["a"]) == n
    started = time.process_time()
    doc, errors, sink = read("a:\n" + "- x\n" * (n + 1))
    assert time.process_time() - started < 5  # a guard against hangs; timings live in benchmarks/
    assert doc is None and errors == [("too-many-values", n + 2, 3)]
    assert f"{MAX_VALUES:,}" in sink.items[0].message


def test_the_value_count_stops_the_pass_at_once(monkeypatch):
    """5 MB of values is refused at the first value past MAX_VALUES, not after reading them all."""
    stopped_at = []
    real = yamlsafe._Builder._too_many

    def spy(self, event):
        stopped_at.append(event.start_mark.line + 1)
        real(self, event)
    monkeypatch.setattr(yamlsafe._Builder, "_too_many", spy)
    doc, errors, _ = read("a:\n" + "- x\n" * (MAX_BYTES // 4 - 10))
    assert doc is None and [c for c, _, _ in errors] == ["too-many-values"] and stopped_at == [MAX_VALUES - 3 + 2]


def test_text_at_the_limit_is_read_and_one_character_more_is_refused():
    doc, errors, _ = read(f"a: {'x' * MAX_TEXT}\nb: \"{'é' * MAX_TEXT}\"\n")
    assert errors == [] and len(doc.data["a"]) == MAX_TEXT == len(doc.data["b"])
    text = f"a: 1\nb: >-\n  {'x' * (MAX_TEXT // 2)}\n  {'y' * (MAX_TEXT // 2)}\n? {'k' * (MAX_TEXT + 1)}\n: 2\n"
    doc, errors, sink = read(text)  # a folded text of 10,001 characters, and a key as long
    assert doc is None and errors == [("text-too-long", 2, 4), ("text-too-long", 5, 3)]
    assert "10,001" in sink.items[0].message


STRUCTURE = [  # (what, text at the limit, text one past, where the error is)
    ("choices per node", 30), ("outcomes per choice", 20), ("tags per choice", 20), ("present", 50),
    ("characters", 50), ("topics", 50), ("endings", 500),
]


def _structure(what: str, n: int) -> str:
    if what == "choices per node":
        extra = "".join(f"      - {{id: x{i}, text: t, grade: good, feedback: f, next: second}}\n" for i in range(n - 3))
        return MINIMAL.replace("  second:\n", extra + "  second:\n", 1)
    if what == "outcomes per choice":
        extra = "".join("          - {weight: 1, next: third}\n" for _ in range(n - 2))
        return MINIMAL.replace("          - {weight: 3, next: third}\n", "          - {weight: 3, next: third}\n" + extra)
    if what == "tags per choice":
        return MINIMAL.replace("tags: [open-question]", "tags: [" + ", ".join(["open-question"] * n) + "]")
    if what == "present":
        return MINIMAL.replace('    behaviour: "Arms crossed."', '    behaviour: "Arms crossed."\n    present: ['
                               + ", ".join(f"p{i}" for i in range(n)) + "]")
    if what == "characters":
        extra = "".join(f"  c{i}: {{name: C, role: bystander}}\n" for i in range(n - 2))
        return MINIMAL.replace("state:\n", extra + "state:\n", 1)
    if what == "topics":
        return MINIMAL.replace("topics: [test]", "topics: [" + ", ".join(f"t{i}" for i in range(n)) + "]")
    if what == "endings":
        return MINIMAL + "".join(f"  e{i}:\n    outcome: resolved\n    title: T\n    text: T\n    debrief: D\n"
                                 for i in range(n - 2))
    raise AssertionError(what)


@pytest.mark.parametrize("what,limit", STRUCTURE, ids=[w for w, _ in STRUCTURE])
def test_structure_limits_hold_at_the_limit_and_refuse_one_past_it_before_the_meaning_checks(what, limit, monkeypatch):
    result, _ = load(_structure(what, limit))
    assert "too-many" not in codes(result), [d.format() for d in result.errors][:3]
    ran = []
    from simulator.content import checks
    monkeypatch.setattr(checks.SemanticChecker, "run", lambda self: ran.append(1))
    text = _structure(what, limit + 1)
    result, errors = load(text)
    too_many = [d for d in result.errors if d.code == "too-many"]
    assert len(too_many) == 1 and f"the limit is {limit:,}" in too_many[0].message, result.errors
    assert too_many[0].line > 0 and too_many[0].column > 0 and ran == []


SCHEMA_CAPS = {  # path in the data: (entry maker, the limit)
    ("nodes", "first", "lines"): (lambda i: {"speaker": "kim", "text": "x"}, 100),
    ("title",): (lambda i: ("en" if i == 0 else f"en-x{i:03d}", "x"), 50),
    ("languages",): (lambda i: "en" if i == 0 else f"en-x{i:03d}", 50),
    ("content_notes",): (lambda i: f"note {i}", 50),
    ("learning_objectives",): (lambda i: {"id": f"o{i}", "text": "x"}, 100),
    ("authors",): (lambda i: {"name": f"a{i}"}, 100),
    ("reviewers",): (lambda i: {"name": f"r{i}"}, 100),
    ("state", "variables"): (lambda i: (f"v{i}", {"initial": 0, "min": 0, "max": 1}), 100),
    ("behaviour", "rules"): (lambda i: {"id": f"r{i}", "tags": ["shouting"], "cases": [{"when": "escalation > 0", "why": "w"}]}, 200),
    ("behaviour", "disable_rules"): (lambda i: f"r{i}", 200),
    ("scoring", "critical_errors"): (lambda i: {"id": f"c{i}", "tags": ["shouting"]}, 200),
    ("scoring", "objectives"): (lambda i: (f"o{i}", {"met_by": {"tags": ["shouting"]}}), 100),
    ("scoring", "competencies"): (lambda i: (f"k{i}", {"weight": 1}), 100),
    ("version",): ("1" * 100, 100),
    ("nodes", "first", "background"): ("b" * 1000, 1000),
    ("characters", "sam", "portrait"): ("p" * 1000, 1000),
    ("nodes", "first", "narrative"): ("n" * MAX_TEXT, MAX_TEXT),
}


def _with_entries(path: tuple, n: int):
    make, limit = SCHEMA_CAPS[path]
    doc = read_yaml(MINIMAL.encode(), "t.yaml", DiagnosticSink("x"))
    parent = doc.data
    for part in path[:-1]:
        parent = parent.setdefault(part, {})
    if isinstance(make, str):
        value = make[0] * n
    else:
        entries = [make(i) for i in range(n)]
        value = dict(entries) if isinstance(entries[0], tuple) else entries
    parent[path[-1]] = value
    return doc


@pytest.mark.parametrize("path", list(SCHEMA_CAPS), ids=[".".join(p) for p in SCHEMA_CAPS])
def test_every_other_structure_limit_of_the_schema_holds_at_the_limit_and_one_past_it(path):
    limit = SCHEMA_CAPS[path][1]
    sink = DiagnosticSink("t.yaml")
    schema.check_schema(_with_entries(path, limit), sink)
    assert [d for d in sink.items if d.code in ("too-many", "text-too-long")] == [], sink.items
    sink = DiagnosticSink("t.yaml")
    schema.check_schema(_with_entries(path, limit + 1), sink)
    over = [d for d in sink.items if d.code in ("too-many", "text-too-long")]
    assert len(over) == 1 and f"the limit is {limit:,}" in over[0].message and over[0].line > 0, sink.items


def test_long_lines_are_found_with_any_line_break_and_quickly():
    text = "a:\r" + " - y\r" * 1000 + "b: [" + ", ".join(["x" * 98] * 300) + "]\r"
    doc, errors, sink = read(text)
    assert errors == [("line-too-long", 1002, MAX_LINE + 1)]
    raw = b"xy\n" * 1_747_000
    started = time.process_time()
    assert yamlsafe._long_line(raw, raw.decode()) is None
    assert time.process_time() - started < 1  # one C-speed scan of 5 MB (a guard, not a benchmark)


def test_nodes_and_choices_in_all_at_their_limits():
    nodes_limit = SCHEMA["properties"]["nodes"]["maxProperties"]

    def chain(n: int, choices: int) -> str:
        head = MINIMAL.partition("nodes:\n")[0].replace("start: first", "start: n0")
        body = "".join(
            f" n{i}: {{narrative: x, choices: ["
            + ", ".join(f"{{id: c{i}-{j}, text: x, grade: good, feedback: f, next: {f'n{i + 1}' if i + 1 < n else 'calm-end'}}}"
                        for j in range(choices)) + "]}\n" for i in range(n))
        return head + "nodes:\n" + body + "endings:\n calm-end: {outcome: resolved, title: t, text: t, debrief: d}\n"
    started = time.process_time()
    result, errors = load(chain(nodes_limit, 1))
    assert errors == [] and len(result.scenario.nodes) == nodes_limit
    result, errors = load(chain(nodes_limit + 1, 1))
    assert [c for c, _, _ in errors] == ["too-many"] and f"{nodes_limit:,}" in result.errors[0].message
    # choices in all: 15,000 = 1,500 nodes of 10 choices
    per = 10
    result, errors = load(chain(schema.MAX_CHOICES // per, per))
    assert errors == []
    text = chain(schema.MAX_CHOICES // per, per).replace("{narrative: x, choices: [", "{narrative: x, choices: [{id: extra, text: x, grade: good, next: calm-end}, ", 1)
    result, errors = load(text)
    assert errors == [("too-many", line_of(text, "nodes:"), 1)]
    assert "15,001 choices" in result.errors[0].message
    assert time.process_time() - started < 20


BOMBS = {  # name: (text, the code it is refused with)
    "5 MB flow list on one line": (lambda: "a: [" + "1, " * 1_747_000 + "1]\n", "line-too-long"),
    "5 MB flow list, one item a line": (lambda: MINIMAL.replace("topics: [test]", "topics: [\n" + "a,\n" * 1_740_000 + "a]"),
                                        "too-many-values"),
    "60,000 small nodes": (lambda: "nodes:\n" + "".join(f" n{i}: {{narrative: x, choices: [{{id: c{i}, text: x, next: n{i + 1}}}]}}\n"
                                                       for i in range(60_000)), "too-many-values"),
    "4 MB line": (lambda: "a: [" + "x, " * 1_333_000 + "x]\n", "line-too-long"),
    "998-deep flow nesting, 5 MB": (lambda: "[" * 998 + "x, " * 1_746_000 + "x" + "]" * 998, "too-deep"),
    "64-deep flow nesting, 5 MB": (lambda: "[" * 64 + "x,\n" * 1_747_000 + "x" + "]" * 64, "too-many-values"),
    "5 MB of block mappings": (lambda: "a:\n" + "- {b: 1}\n" * 582_000, "too-many-values"),
}


def test_each_bomb_is_refused_quickly_and_in_little_memory():
    """In a fresh process (so its peak RSS is its own): each crafted file of the brief, within
    5 MB, is refused in under 2 s of CPU and the process stays under 500 MB."""
    script = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from simulator.content.loader import load_scenario_bytes
from tests.test_hardening_loader import BOMBS
out = {}
for name, (make, code) in BOMBS.items():
    raw = make().encode()
    assert len(raw) <= 5 * 1024 * 1024, (name, len(raw))
    started = time.process_time()
    result = load_scenario_bytes(raw, "b.yaml")
    out[name] = [time.process_time() - started, sorted({d.code for d in result.errors}), code]
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"results": out, "hwm_mb": hwm / 1024}))
"""
    done = subprocess.run([sys.executable, "-c", script, str(ROOT)], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (cpu, found, code) in report["results"].items():
        assert found == [code], (name, found)
        assert cpu < 2, (name, cpu)
    assert report["hwm_mb"] < 500, report


# --- 3. numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("old,new,number", [
    ("minutes: 5", "minutes: " + "9" * 4301, "9"),
    ("effects: {notes: +1}", "effects: {notes: +" + "9" * 4301 + "}", "+"),
    ("{weight: 3, next: third}", "{weight: 1" + "0" * 400 + ", next: third}", "1"),
    ("{weight: 3, next: third}", "{weight: " + "1" * (MAX_DIGITS + 1) + ", next: third}", "1"),
    ("escalation: 2\n", "escalation: -" + "1" * (MAX_DIGITS + 1) + "\n", "-"),
], ids=["minutes-4301", "effect-4301", "weight-1e400", "weight-16", "escalation-16"])
def test_numbers_with_too_many_digits_are_refused_at_their_place(old, new, number):
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)  # int() of an unbounded string would raise ValueError here
    try:
        text = MINIMAL.replace(old, new, 1)
        result, errors = load(text)
    finally:
        sys.set_int_max_str_digits(limit)
    line = line_of(text, new)
    column = col_of(text, new) + new.index(number, new.index(":") + 1)
    assert errors == [("number-too-long", line, column)], errors
    d = result.errors[0]
    assert f"the limit is {MAX_DIGITS}" in d.message and d.hint


@pytest.mark.parametrize("digits", [MAX_DIGITS])
def test_whole_numbers_at_the_digit_limit_are_read(digits):
    doc, errors, _ = read(f"a: {'9' * digits}\nb: -{'9' * digits}\nc: +{'9' * digits}\n")
    assert errors == [] and doc.data == {"a": 10**digits - 1, "b": -(10**digits - 1), "c": 10**digits - 1}
    assert isinstance(doc.data["c"], yamlsafe.SignedInt) and not isinstance(doc.data["a"], yamlsafe.SignedInt)


@pytest.mark.parametrize("value", [".nan", ".NaN", ".NAN", ".inf", "-.inf", "+.Inf", ".INF", "1.0e+999", "-1.5e+400",
                                   "1" + "0" * 400 + ".0"])
def test_non_finite_numbers_are_refused_at_the_scalar(value):
    text = MINIMAL.replace("seconds: 10", f"seconds: {value}")
    result, errors = load(text)
    assert errors == [("not-finite", line_of(text, "seconds:"), 16)]
    assert result.errors[0].hint
    for old, new in (("{weight: 3, next: third}", f"{{weight: {value}, next: third}}"), ("minutes: 5", f"minutes: {value}")):
        text = MINIMAL.replace(old, new)
        _, errors = load(text)
        assert [c for c, _, _ in errors] == ["not-finite"] and errors[0][1] == line_of(text, new)


def test_plain_numbers_keep_their_meaning():
    doc, errors, _ = read("a: 0\nb: -0\nc: +1\nd: 1.5\ne: -2.25\nf: 1.0e+3\ng: .5\nh: 10\ni: 1.\nj: 3.0e-2\n")
    assert errors == []
    assert doc.data == {"a": 0, "b": 0, "c": 1, "d": 1.5, "e": -2.25, "f": 1000.0, "g": 0.5, "h": 10, "i": 1.0, "j": 0.03}
    assert [type(doc.data[k]).__name__ for k in "abch"] == ["int", "SignedInt", "SignedInt", "int"]


# --- 4. YAML 1.1 quirks -------------------------------------------------------------------------

QUIRKS = [  # plain value, what the hint must suggest
    ("010", "write 10"), ("-07", "write -7"), ("0x10", "write 16"), ("0o17", "write 15"), ("0b101", "write 5"),
    ("1:20", "write 80"), ("7:40", "\"7:40\""), ("1_000", "write 1000"), ("1_000.5", "write 1000.5"), ("09", "write 9"),
    ("1e3", "1.0e+3"), ("1.5e3", "1.0e+3"), ("+.5", "quote it"),
    ("yes", "true or false"), ("No", "true or false"), ("ON", "true or false"), ("off", "\"off\""),
]


@pytest.mark.parametrize("value,hint", QUIRKS, ids=[v for v, _ in QUIRKS])
def test_values_yaml_11_and_12_read_differently_are_refused_with_what_to_write(value, hint, parser):
    doc, errors, sink = read(f"a: 1\nb: {value}\n")
    assert doc is None and errors == [(errors[0][0], 2, 4)] and errors[0][0] in ("ambiguous-number", "ambiguous-yes-no")
    assert hint in sink.items[0].hint and "quote" in sink.items[0].hint
    quoted, errors, _ = read(f"a: 1\nb: \"{value}\"\n")  # quoted, it is text
    assert errors == [] and quoted.data["b"] == value


def test_keys_are_kept_as_written():
    doc, errors, _ = read("yes: 1\non: 2\n010: 3\n0x10: 4\n1_000: 5\n~: 6\n1.50: 7\n")
    assert errors == [] and list(doc.data) == ["yes", "on", "010", "0x10", "1_000", "~", "1.50"]


def test_a_quirk_inside_a_scenario_points_at_its_value():
    text = MINIMAL.replace("minutes: 5", "minutes: 010").replace("reveals: true", "reveals: yes")
    result, errors = load(text)
    assert errors == [("ambiguous-number", line_of(text, "minutes: 010"), 10),
                      ("ambiguous-yes-no", line_of(text, "reveals: yes"), 18)]


def test_tags_of_any_kind_are_refused_even_standard_ones(parser):
    for text in ("a: !!str 010\n", "a: !!int x\n", "a: ! x\n", "a: !custom [1]\n", "a: !!map {b: 1}\n"):
        doc, errors, _ = read(text)
        assert doc is None and errors == [("tag", 1, 4)], text


# --- 5. positions ---------------------------------------------------------------------------------

CONTROLS = [chr(c) for c in (*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f, 0x80, 0x9f, 0xfffe, 0xffff)]


@pytest.mark.parametrize("ch", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_a_control_character_is_reported_at_its_line_and_column(ch, parser):
    text = "é: ü\nkey: \"ab" + ch + "cd\"\n"  # non-ASCII before it: libyaml's offset counts bytes
    doc, errors, sink = read(text)
    assert doc is None and errors == [("control-character", 2, 9)], sink.items
    assert f"U+{ord(ch):04X}" in sink.items[0].message


def test_every_control_character_is_reported_at_once():
    text = "a: \x07\nb: ok\nc: x\x1b[31m\n"
    doc, errors, _ = read(text)
    assert errors == [("control-character", 1, 4), ("control-character", 3, 5)]
    doc, errors, _ = read(text.replace("\n", "\r\n"))  # CR LF is one line break
    assert errors == [("control-character", 1, 4), ("control-character", 3, 5)]
    doc, errors, sink = read("a: " + "\x01" * 1000 + "\n")
    assert len(errors) == yamlsafe._SHOWN_CHARACTERS + 1 and "980 more" in sink.items[-1].message


def test_no_yaml_problem_loses_its_position(parser):
    """Many kinds of broken input: every error has a line and column, except the whole-file ones."""
    samples = ["a: [1, 2\n", "a: {b\n", "a: 'x\n", "- a\nb: c\n", "a:\n\t- b\n", "a: 1\n---\nb: 2\n", "a: *x\n",
               "? [a]\n: 1\n", "a: b: c\n", "\ufeffa: \x00\n", "a: \"\\q\"\n", "a: %x\n", "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
               "a: |\n x\n  y\n z\n", "[" * 70, "a:\n" + "- " * 70 + "x\n"]
    samples += [MINIMAL[:cut] for cut in range(0, len(MINIMAL), 97)]
    for text in samples:
        result, errors = load(text)
        for code, line, column in errors:
            assert code in WHOLE_FILE or (line > 0 and column > 0), (text[:40], code)


# --- 6. ids ---------------------------------------------------------------------------------------

def _patterns(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "pattern":
                yield v
            else:
                yield from _patterns(v)
    elif isinstance(node, list):
        for v in node:
            yield from _patterns(v)


@pytest.mark.parametrize("pattern", sorted(set(_patterns(SCHEMA))))
@pytest.mark.parametrize("tail", ["\n", "\r", "\r\n", "\x00", "\n\n"], ids=["LF", "CR", "CRLF", "NUL", "LFLF"])
def test_no_pattern_accepts_a_trailing_line_break_under_either_validator(pattern, tail):
    import fastjsonschema
    sample = {"^[a-z][a-z0-9_-]{0,63}$(?!\\n)": "calm-end", "^[a-z][a-z0-9-]*$(?!\\n)": "open-question",
              "^[a-z][a-z0-9_]{0,63}$(?!\\n)": "notes", "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$(?!\\n)": "en-GB",
              "^(=-?[0-9]{1,15}|[+-][0-9]{1,15})$(?!\\n)": "=3", "^[+-][0-9]{1,15}$(?!\\n)": "+1",
              "^[a-z][a-z0-9_]*$(?!\\n)": "driver"}[pattern]
    fast = fastjsonschema.compile({"type": "string", "pattern": pattern})
    slow = jsonschema.Draft202012Validator({"type": "string", "pattern": pattern})
    assert re.search(pattern, sample) and slow.is_valid(sample)
    fast(sample)
    assert not slow.is_valid(sample + tail)
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        fast(sample + tail)


@pytest.mark.parametrize("bad", ["minimal\n", "minimal\r", "minimal\x00", "minim\u0430l", "minimal\u2028", "ｍinimal",
                                 "minimal ", "\nminimal", "mini\u200bmal"])
def test_ids_with_line_breaks_nul_or_lookalikes_are_refused_everywhere(bad):
    quoted = json.dumps(bad)
    for old, new, path in (("id: minimal", f"id: {quoted}", "id"),
                           ("- id: listen\n        text", f"- id: {quoted}\n        text", "nodes.first.choices.0.id"),
                           ("  third:\n", f"  {quoted}:\n", "nodes")):
        text = MINIMAL.replace(old, new, 1)
        assert text != MINIMAL
        result, errors = load(text)
        bad_ids = [d for d in result.errors if d.code == "bad-id"]
        assert bad_ids and bad_ids[0].line == line_of(text, new.strip().split("\n")[0]), (path, result.errors)
        assert result.scenario is None


# --- 7. shapes that used to raise TypeError ----------------------------------------------------

@pytest.mark.parametrize("old,new,needle,wanted", [
    ('    behaviour: "Arms crossed."', '    behaviour: "Arms crossed."\n    present: [[sam], kim, sam]', "[sam],", "a list"),
    ("start: first", "start: {node: first}", "{node", "a mapping"),
    ("start: first", "start: [first]", "[first]", "a list"),
    ("next: second\n      - id: demand", "next: {node: second}\n      - id: demand", "{node: second}", "a mapping"),
    ("speaker: kim", "speaker: [kim]", "[kim]", "a list"),
])
def test_wrong_shapes_are_reported_by_the_schema_at_their_place(old, new, needle, wanted):
    text = MINIMAL.replace(old, new, 1)
    result, errors = load(text)
    wrong = [d for d in result.errors if d.code == "wrong-type"]
    assert wrong, result.errors
    assert (wrong[0].line, wrong[0].column) == (line_of(text, needle), col_of(text, needle))
    assert "should be an id" in wrong[0].message and wanted in wrong[0].message


# --- the schema's error path is bounded, and says the same as jsonschema alone -------------------

def _all_schema_errors(text: str, monkeypatch, fast: bool):
    if not fast:
        monkeypatch.setattr(schema, "_fast_check", lambda: None)
    sink = DiagnosticSink("t.yaml")
    doc = read_yaml(text.encode(), "t.yaml", sink)
    schema.check_schema(doc, sink)
    monkeypatch.undo()
    return sorted((d.code, d.line, d.column, d.message) for d in sink.items)


def test_the_reduced_schema_check_reports_what_jsonschema_alone_reports(monkeypatch):
    text = (MINIMAL.replace('narrative: "Sam looks at you."', 'narative: "Sam looks at you."')
            .replace("minutes: 5", "minutes: x").replace("tags: [open-question]", "tags: [Open]")
            .replace("- {weight: 3, next: third}", "- {weight: [3], next: third, extra: 1}")
            .replace('behaviour: "Arms crossed."', "behaviour: ''").replace("role: subject", "role: boss"))
    reduced = _all_schema_errors(text, monkeypatch, fast=True)
    full = _all_schema_errors(text, monkeypatch, fast=False)
    assert reduced == full and len(full) >= 6


def test_a_5_mb_file_with_errors_everywhere_is_diagnosed_in_bounded_time():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    text = generate.generate(2400)  # about 5.06 MB: as many nodes as fit in the limit, with grades and labels
    assert 0.9 * MAX_BYTES < len(text.encode()) <= MAX_BYTES
    broken = text.replace("narrative:", "narative:")
    started = time.process_time()
    result, errors = load(broken)
    spent = time.process_time() - started
    assert spent < 4, spent  # jsonschema over the whole file alone took 2.3 s of CPU here
    nodes = [d for d in result.errors if d.code in ("unknown-key", "missing-key", "schema")]
    named = {d.line for d in nodes}
    assert len(named) >= 2400  # every node is named, past the detailed ones too
    assert sum(d.code == "unknown-key" for d in nodes) == schema.DETAIL_UNITS


def test_when_the_compiled_validator_refuses_what_jsonschema_accepts_it_is_still_an_error(monkeypatch):
    import fastjsonschema

    def refuses(data):
        raise fastjsonschema.JsonSchemaValueException("data.minutes must be smaller", value=5, name="data.minutes",
                                                      rule="maximum")
    monkeypatch.setattr(schema, "_fast_check", lambda: refuses)
    monkeypatch.setattr(schema, "_def_checks", lambda: {})
    result, errors = load(MINIMAL)
    assert result.scenario is None and [c for c, _, _ in errors] == ["schema"]
    assert errors[0][1] == line_of(MINIMAL, "minutes:") and "minutes must be smaller" in result.errors[0].message


def test_messages_never_quote_a_huge_value():
    for old, new in (("audience: [recruit]", "audience: [" + ", ".join(["recruit"] * 300) + "]"),
                     ("topics: [test]", "topics: [" + ", ".join(["x" * 60] * 40) + "]"),
                     ("version: \"1.0.0\"", "version: [" + ", ".join(["1"] * 500) + "]")):
        result, _ = load(MINIMAL.replace(old, new))
        assert result.errors and all(len(d.format()) < 600 for d in result.errors), [d.format()[:200] for d in result.errors]


# --- 8. the load cache is checked again before it is trusted -----------------------------------

def _cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "scenarios").glob("*.json"))


@pytest.fixture()
def cached(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_CACHE_DIR", str(tmp_path))
    path = FIXTURES / "minimal.yaml"
    first = load_scenario(path, use_cache=True)
    assert first.ok and not first.from_cache
    assert load_scenario(path, use_cache=True).from_cache
    (entry,) = _cache_files(tmp_path)
    return path, entry


def _rewrite(entry: Path, change, keep_hash: bool = True) -> None:
    header_line, _, body = entry.read_bytes().partition(b"\n")
    header = json.loads(header_line)
    data = json.loads(body)
    change(header, data)
    body = json.dumps(data).encode()
    if keep_hash:
        header["sha256"] = hashlib.sha256(body).hexdigest()
    entry.write_bytes(json.dumps(header).encode() + b"\n" + body)


TAMPERING = {
    "data outside the schema, with a matching hash": lambda h, d: d["nodes"]["first"].update(narrative=["x"]),
    "an unknown key, with a matching hash": lambda h, d: d.update(injected={"a": 1}),
    "an id the schema refuses, with a matching hash": lambda h, d: d.update(id="x\n"),
    "a huge number, with a matching hash": lambda h, d: d["state"].update(escalation=10**30),
    "a dangling next, with a matching hash": lambda h, d: d["nodes"]["first"]["choices"][0].update(next="nowhere"),
    "an error among the diagnostics": lambda h, d: h.update(diagnostics=[[1, 1, "error", "x", "y", "z"]]),
    "diagnostics of the wrong shape": lambda h, d: h.update(diagnostics=[[1, "1", "warning", "x", "y", "z"]]),
    "another key": lambda h, d: h.update(key="0" * 64 + "-" + "0" * 16),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_a_tampered_cache_entry_is_a_miss(name, cached):
    path, entry = cached
    _rewrite(entry, TAMPERING[name])
    again = load_scenario(path, use_cache=True)
    assert again.ok and not again.from_cache, name
    assert again.scenario.nodes[0].narrative.get("en", "en") == "Sam stands by the car."


def test_data_changed_without_its_hash_truncated_or_garbage_is_a_miss(cached):
    path, entry = cached
    _rewrite(entry, lambda h, d: d.update(title="Changed"), keep_hash=False)
    assert not load_scenario(path, use_cache=True).from_cache
    for blob in (entry.read_bytes()[:-10], b"{not json", b"", b"\n\n", b"x" * 100):
        entry.write_bytes(blob)
        again = load_scenario(path, use_cache=True)
        assert again.ok and not again.from_cache
    assert load_scenario(path, use_cache=True).from_cache  # written again, and trusted again


def test_a_signed_cache_entry_is_built_without_the_schema(cached, monkeypatch):
    """An entry signed with this user's key was written after every check passed: it is trusted."""
    path, entry = cached
    calls = []
    real = loader.schema_accepts
    monkeypatch.setattr(loader, "schema_accepts", lambda data: calls.append(1) or real(data))
    assert load_scenario(path, use_cache=True).from_cache and calls == []
    assert "mac" in json.loads(entry.read_bytes().partition(b"\n")[0])


def test_the_signing_key_is_private_and_another_users_entry_is_a_miss(cached, monkeypatch, tmp_path):
    path, entry = cached
    key_file = Path(os.environ["PARLEY_DATA_DIR"]) / cache_module.KEY_FILE
    assert len(key_file.read_bytes()) == 32
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    monkeypatch.setenv("PARLEY_DATA_DIR", str(tmp_path / "someone-else"))  # another key
    again = load_scenario(path, use_cache=True)
    assert again.ok and not again.from_cache
    assert load_scenario(path, use_cache=True).from_cache  # written again under this key


@pytest.mark.parametrize("name", list(TAMPERING))
def test_without_a_key_entries_are_checked_on_every_hit(name, tmp_path, monkeypatch):
    """No key can be made (a read-only home): entries carry a SHA-256 and the schema is checked on
    every hit, so an edit with a matching hash is still a miss."""
    monkeypatch.setenv("PARLEY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache_module, "signing_key", lambda: None)
    path = FIXTURES / "minimal.yaml"
    assert not load_scenario(path, use_cache=True).from_cache
    calls = []
    real = loader.schema_accepts
    monkeypatch.setattr(loader, "schema_accepts", lambda data: calls.append(1) or real(data))
    assert load_scenario(path, use_cache=True).from_cache and calls == [1]
    (entry,) = _cache_files(tmp_path)
    assert "mac" not in json.loads(entry.read_bytes().partition(b"\n")[0])
    _rewrite(entry, TAMPERING[name])
    again = load_scenario(path, use_cache=True)
    assert again.ok and not again.from_cache, name
    assert again.scenario.nodes[0].narrative.get("en", "en") == "Sam stands by the car."