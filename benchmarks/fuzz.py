"""Mutation fuzzer for scenario files: mutate the shipped scenarios, validate and play each mutant.

    python benchmarks/fuzz.py --count 10000 --seed 0 [--jobs 2] [--out benchmarks/out/fuzz]
    python benchmarks/fuzz.py --seed 0 --replay 1234      # rerun one mutant here, full traceback
    python benchmarks/fuzz.py --seed 0 --show 1234        # write one mutant and list its mutations
    python benchmarks/fuzz.py --reprint                   # the report of the last run in --out again

Seeds: scenarios/*.yaml and tests/fixtures/minimal.yaml. Mutant `i` of seed `s` depends only on
(s, i): it is made by a `random.Random` seeded with "parley-fuzz:s:i", so any mutant can be rebuilt
from its index alone, whatever `--jobs` is. Each mutant gets 1-3 mutations, text level or
structure level (parsed with PyYAML, changed, dumped again; see TEXT_OPS and STRUCT_OPS).

Each mutant is checked the way `parley validate` checks a file: `load_scenario(path,
use_cache=False)`, plus `scoring_diagnostics(path)` when it loaded. A file that is accepted (no
error diagnostics) is then played in text mode (`TextPlayer` on StringIO streams, choices picked
uniformly at random with a seeded RNG) and graded (`scoring.grade` and the text debrief).

Time: on an idle machine the validation's wall time is about its CPU time (it is single-threaded
and reads one small file). On a shared machine other work stretches wall time, so a file over the
2 s is timed again, and a run that stays over 2 s wall while using under 1 s CPU is put down to
the machine (reported as "busy", not counted). `--hang-cpu-floor 0` counts wall time alone.

Isolation: the work runs in worker processes forked from this one (so imports are paid once), each
with RLIMIT_AS set to --memory-mb (1 GB). A worker reports each phase it starts; a phase running
longer than --kill-after (10 s; --play-kill-after, 60 s, for play and grading) gets the worker
killed and replaced. A worker is also replaced
after a MemoryError, if it dies, and after --max-tasks tasks. Results are kept by index and printed
in index order, so a run is deterministic except for the timing-based class `hang`.

Classes (one per mutant, first match wins):

  memory               MemoryError anywhere (RLIMIT_AS reached)                     failure
  crash                the worker died (signal or exit) while working on the file    failure
  hang                 validation took more than --hang-after (2 s) wall time (in the
                       faster of two runs: a slow file is timed a second time) and
                       at least --hang-cpu-floor (1 s) CPU time in that run, or
                       a phase was killed (--kill-after 10 s for generating and
                       validating, --play-kill-after 60 s for play, grade, debrief)  failure
  traceback            an exception escaped load_scenario or scoring_diagnostics     failure
  lost-position        an error diagnostic at line 0 or column 0 (unless its code is
                       in WHOLE_FILE_CODES), or at a line past the end of the file   failure
  ok-refused           error diagnostics, every one with a position
  accepted-then-crash  accepted, then an exception in play, grading or the debrief   failure
  accepted-stuck       accepted, but in text mode (no timers) a node offered no
                       choice, so the session cannot go on                          reported
  accepted-no-ending   accepted, but no ending within --max-steps random decisions   reported
  ok-accepted          accepted, played to an ending and graded

The exit status is 1 when any failure class is non-empty, else 0 (2 on usage errors).
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml

# --- classes ---------------------------------------------------------------------------------------

OK_ACCEPTED = "ok-accepted"
OK_REFUSED = "ok-refused"
ACCEPTED_STUCK = "accepted-stuck"
ACCEPTED_NO_ENDING = "accepted-no-ending"
TRACEBACK = "traceback"
HANG = "hang"
LOST_POSITION = "lost-position"
MEMORY = "memory"
CRASH = "crash"
ACCEPTED_THEN_CRASH = "accepted-then-crash"

CLASSES = (OK_ACCEPTED, OK_REFUSED, ACCEPTED_STUCK, ACCEPTED_NO_ENDING,
           TRACEBACK, HANG, LOST_POSITION, MEMORY, CRASH, ACCEPTED_THEN_CRASH)
FAILURES = (TRACEBACK, HANG, LOST_POSITION, MEMORY, CRASH, ACCEPTED_THEN_CRASH)

# Error codes that legitimately point at the whole file (line 0, column 0): the file cannot be
# read at all, or is refused before any of it is parsed. Every other error must have a position.
WHOLE_FILE_CODES = frozenset({
    "too-large",   # over MAX_BYTES: refused before parsing
    "unreadable",  # the file cannot be read (OSError)
    "not-a-file",  # a FIFO, device or folder, refused from its stat
    "encoding",    # not UTF-8 (the loader gives a position today, but 0:0 would be acceptable)
    "empty",       # nothing in the file
    "not-found",   # `parley validate` on a missing path
    "no-files",    # `parley validate` on a folder without .yaml files
})

HANG_AFTER = 2.0        # seconds of wall time for load_scenario + scoring_diagnostics
HANG_CPU_FLOOR = 1.0    # ...and at least this much CPU time, so that a busy machine alone is no hang
KILL_AFTER = 10.0       # seconds generating or validating may run before the worker is killed
PLAY_KILL_AFTER = 60.0  # the same for playing, grading and the debrief (grading is slow on big graphs)
MEMORY_MB = 1024        # RLIMIT_AS of each worker
MAX_STEPS = 5000        # random decisions before a playthrough counts as not ending
MAX_TASKS = 200         # tasks per worker before it is replaced (keeps memory flat)
SAVE_PER_GROUP = 5      # failing inputs saved per cause group


def seed_paths() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml")) + [ROOT / "tests" / "fixtures" / "minimal.yaml"]


# --- YAML round trip that keeps signed integers (`+1` is an "add" effect, `1` an error) ----------

class Signed(int):
    """An integer written with a sign; dumped with its sign again."""


_LoaderBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DumperBase = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _RoundTripLoader(_LoaderBase):  # type: ignore[misc, valid-type]
    pass


class _RoundTripDumper(_DumperBase):  # type: ignore[misc, valid-type]
    pass


def _construct_int(loader, node):
    value = loader.construct_yaml_int(node)
    return Signed(value) if node.value[:1] in "+-" else value


_RoundTripLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_RoundTripLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
_RoundTripDumper.add_representer(
    Signed, lambda dumper, v: dumper.represent_scalar("tag:yaml.org,2002:int", f"{int(v):+d}"))


def parse_seed(raw: bytes):
    return yaml.load(raw, Loader=_RoundTripLoader)


def dump(data) -> bytes:
    return yaml.dump(data, Dumper=_RoundTripDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100).encode("utf-8")


@dataclass
class Seed:
    name: str
    raw: bytes
    data: object


_SEEDS: list[Seed] | None = None


def seeds() -> list[Seed]:
    """The seed files, read and parsed once per process (workers inherit them at fork)."""
    global _SEEDS
    if _SEEDS is None:
        _SEEDS = []
        for path in seed_paths():
            raw = path.read_bytes()
            _SEEDS.append(Seed(path.relative_to(ROOT).as_posix(), raw, parse_seed(raw)))
    return _SEEDS


# --- hostile values ------------------------------------------------------------------------------

SYNTAX_TOKENS = ["[", "]", "{", "}", "&a ", "*a", "&a [1]\n", "!!python/object:os.system ",
                 "!!python/object/apply:os.system [echo]", "!!binary ", "!foo ", "<<: ", "<<: *a\n",
                 "\t", "\t\t", "---\n", "...\n", "? ", "|", ">", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
                 "'", '"', "#", ": ", "- ", "@", "`", ",", "!!str ", "!!int ", "!!map ", "!!set ",
                 "&a a\nx: *a\n", "? [a, b]\n: c\n", "{a: 1, a: 2}"]
CONTROL_TOKENS = ["\x00", "\x1b[2J", "\x1b[31m", "\x1b]0;pwned\x07", "\x1bc", "\u202e", "\u202d", "\u2066",
                  "\u200b", "\ufeff", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\x07", "\x08", "\x7f",
                  "\x0b", "\x0c", "\U0001f600", "\U0001f469\u200d\U0001f692", "\u0301" * 50]
RAW_BAD_BYTES = [b"\xff", b"\xfe", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80",
                 b"\xef\xbb\xbf", b"\xe2\x80"]
HUGE_NUMBERS = ["9" * 5000, "1" + "0" * 400, "-" + "9" * 5000, "+" + "9" * 5000, "=" + "9" * 5000,
                "+1" + "0" * 400, "=-1" + "0" * 400, ".nan", ".NaN", ".inf", "-.inf", "+.inf", "0x10",
                "010", "0o17", "0b101", "1:20", "190:20:30", "1_000", "yes", "no", "on", "off", "~",
                "null", "1e400", "1.0e+400", "-0", "+0", "2001-12-14", "1.5", "-1", "0",
                "99999999999999999999", "9" * 4300, "9" * 4301]
HOSTILE_TEXTS = [
    "\x00", "a\x00b", "\x1b[2J\x1b[H\x1b]0;pwned\x07", "\u202eevil\u202c text", "\u2066\u2067\u2068\u2069",
    "x" * 10_000, "\U0001f600" * 2000, "\U0001f469\u200d\U0001f692" * 500, "\u0301" * 5000,
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627", "\r\r\r", "line\nline\n" * 500,
    "\t" * 100, "\ufeff\u200b\u200c\u200d", "\ud7ff\ue000\uffff", "%s %d {0} {x} $(echo)",
    " " * 5000, "W" * 9000 + "\U0001f4a5", "\x7f\x80\x9f", "\u2028\u2029",
]


def _odd_values() -> list:
    return [[[1, 2], [3, [4]]], {"a": {"b": [1]}}, "string", "", 7, 0, -1, 10 ** 30, 10 ** 400,
            Signed(10 ** 30), float("nan"), float("inf"), float("-inf"), 1e-300, True, False, None,
            [], {}, "+1", "=1", "=" + "9" * 400, "x" * 100_000, [None] * 1000, {"en": None},
            {"en": ["a"]}, {"EN": "x"}, {"": ""}]


# --- mutations ------------------------------------------------------------------------------------

def _line_spans(text: bytes) -> list[tuple[int, int]]:
    spans, start = [], 0
    while start < len(text):
        end = text.find(b"\n", start)
        end = len(text) if end < 0 else end + 1
        spans.append((start, end))
        start = end
    return spans or [(0, 0)]


def _value_position(rng: random.Random, text: bytes) -> int:
    """A random insertion point: after a `: ` or `- ` on some line (where values start), or anywhere."""
    if rng.random() < 0.7:
        spans = _line_spans(text)
        for _ in range(20):
            a, b = rng.choice(spans)
            line = text[a:b]
            for mark in (b": ", b"- "):
                k = line.find(mark)
                if k >= 0:
                    return a + k + len(mark)
    return rng.randrange(len(text) + 1)


def t_byte_flip(rng, text):
    data = bytearray(text)
    k = rng.randint(1, 8)
    for _ in range(k):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return bytes(data), f"flip {k} bit(s)"


def t_delete_lines(rng, text):
    spans = _line_spans(text)
    i = rng.randrange(len(spans))
    n = rng.choice([1, 1, 2, 3, 5, 10, 40])
    j = min(len(spans) - 1, i + n - 1)
    return text[:spans[i][0]] + text[spans[j][1]:], f"delete lines {i + 1}-{j + 1}"


def t_duplicate_lines(rng, text):
    spans = _line_spans(text)
    i = rng.randrange(len(spans))
    n = rng.choice([1, 1, 2, 3, 5, 10, 40])
    j = min(len(spans) - 1, i + n - 1)
    chunk = text[spans[i][0]:spans[j][1]]
    times = rng.choice([1, 1, 2, 10])
    return text[:spans[j][1]] + chunk * times + text[spans[j][1]:], f"duplicate lines {i + 1}-{j + 1} x{times}"


def t_delete_span(rng, text):
    a = rng.randrange(len(text))
    n = rng.choice([1, 2, 5, 20, 200, 2000])
    return text[:a] + text[a + n:], f"delete {n} bytes at {a}"


def t_duplicate_span(rng, text):
    a = rng.randrange(len(text))
    n = rng.choice([1, 2, 5, 20, 200, 2000])
    return text[:a + n] + text[a:a + n] + text[a + n:], f"duplicate {n} bytes at {a}"


def t_insert_syntax(rng, text):
    token = rng.choice(SYNTAX_TOKENS)
    at = _value_position(rng, text)
    return text[:at] + token.encode() + text[at:], f"insert YAML syntax {token!r} at byte {at}"


def t_control(rng, text):
    if rng.random() < 0.25:
        token = rng.choice(RAW_BAD_BYTES)
        desc = f"invalid UTF-8 {token!r}"
    else:
        s = rng.choice(CONTROL_TOKENS) * rng.choice([1, 1, 3, 100])
        token = s.encode("utf-8")
        desc = f"control text {s[:12]!r}{'...' if len(s) > 12 else ''}"
    at = _value_position(rng, text)
    return text[:at] + token + text[at:], f"{desc} at byte {at}"


_NUMBER = re.compile(rb"(?<=: )[+=-]?[0-9][0-9.]*(?=\s|,|\}|$)|(?<=\w: )[a-z][a-z0-9-]*(?=\s*$)", re.MULTILINE)


def t_huge_number(rng, text):
    token = rng.choice(HUGE_NUMBERS).encode()
    matches = list(_NUMBER.finditer(text))
    if matches:
        m = rng.choice(matches)
        a, b = m.span()
        return text[:a] + token + text[b:], f"replace {m.group().decode(errors='replace')[:20]!r} with {token[:12].decode()!r}... ({len(token)} chars)"
    at = _value_position(rng, text)
    return text[:at] + token + text[at:], f"insert number {token[:12].decode()!r} ({len(token)} chars) at {at}"


def t_long_line(rng, text):
    n = rng.choice([10_000, 100_000, 1_000_000, 4_900_000, 6_000_000])
    kind = rng.choice(["value", "comment", "key", "quoted"])
    if kind == "comment":
        token = b"#" + b"x" * n + b"\n"
        at = rng.choice(_line_spans(text))[0]
    elif kind == "key":
        token = b"k" * n + b": 1\n"
        at = rng.choice(_line_spans(text))[0]
    elif kind == "quoted":
        token = b'"' + "\u00e9".encode() * (n // 2) + b'"'
        at = _value_position(rng, text)
    else:
        token = b"x" * n
        at = _value_position(rng, text)
    return text[:at] + token + text[at:], f"long {kind} of {n:,} characters at byte {at}"


def t_deep_nesting(rng, text):
    n = rng.choice([10, 63, 64, 65, 100, 999, 1000, 1001, 1100, 5000, 50_000, 500_000])
    style = rng.choice(["[", "[]", "{", "{}", "- ", "key"])
    if style == "[":
        token = "[" * n
    elif style == "[]":
        token = "[" * n + "1" + "]" * n
    elif style == "{":
        token = "{a: " * n
    elif style == "{}":
        token = "{a: " * n + "1" + "}" * n
    elif style == "- ":
        token = "\n" + "".join("  " * i + "-\n" for i in range(min(n, 3000)))
    else:
        token = "\n" + "".join(" " * i + "k:\n" for i in range(min(n, 3000)))
    at = _value_position(rng, text)
    return text[:at] + token.encode() + text[at:], f"nesting {style!r} x{n} at byte {at}"


def t_truncate(rng, text):
    at = rng.randrange(len(text))
    return text[:at], f"truncate at byte {at}"


def t_line_endings(rng, text):
    kind = rng.choice(["crlf", "cr", "bom", "bom2", "nel", "utf16"])
    if kind == "crlf":
        return text.replace(b"\n", b"\r\n"), "CRLF line endings"
    if kind == "cr":
        return text.replace(b"\n", b"\r"), "CR line endings"
    if kind == "bom":
        return b"\xef\xbb\xbf" + text, "UTF-8 BOM"
    if kind == "bom2":
        return b"\xef\xbb\xbf\xef\xbb\xbf" + text, "two UTF-8 BOMs"
    if kind == "nel":
        return text.replace(b"\n", "\x85".encode()), "NEL line endings"
    return text.decode("utf-8", "replace").encode("utf-16"), "UTF-16"


TEXT_OPS = {
    "byte-flip": t_byte_flip, "delete-lines": t_delete_lines, "duplicate-lines": t_duplicate_lines,
    "delete-span": t_delete_span, "duplicate-span": t_duplicate_span, "insert-syntax": t_insert_syntax,
    "control": t_control, "huge-number": t_huge_number, "long-line": t_long_line,
    "deep-nesting": t_deep_nesting, "truncate": t_truncate, "line-endings": t_line_endings,
}


# structure level ------------------------------------------------------------------------------

def _slots(data, path=()):
    """Every (container, key, path) in the data, containers before their contents."""
    out = []
    stack = [(data, path)]
    while stack:
        node, p = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            out.append((node, k, p + (k,)))
            if isinstance(v, (dict, list)):
                stack.append((v, p + (k,)))
    return out


def _fmt(path) -> str:
    return ".".join(str(p) for p in path) or "(root)"


def _nodes(data) -> dict:
    nodes = data.get("nodes") if isinstance(data, dict) else None
    return nodes if isinstance(nodes, dict) else {}


def _choices(data) -> list[tuple[str, dict]]:
    """(description, choice dict) for every choice, timer expiry and outcome."""
    out = []
    for nid, node in _nodes(data).items():
        if not isinstance(node, dict):
            continue
        choices = node.get("choices")
        for i, c in enumerate(choices if isinstance(choices, list) else []):
            if isinstance(c, dict):
                out.append((f"nodes.{nid}.choices.{i}", c))
                for j, o in enumerate(c.get("outcomes") or []):
                    if isinstance(o, dict):
                        out.append((f"nodes.{nid}.choices.{i}.outcomes.{j}", o))
        timer = node.get("timer")
        if isinstance(timer, dict) and isinstance(timer.get("expire"), dict):
            out.append((f"nodes.{nid}.timer.expire", timer["expire"]))
    return out


def _real_choices(data) -> list[tuple[str, dict]]:
    return [(d, c) for d, c in _choices(data) if "outcomes." not in d and not d.endswith("expire")] or _choices(data)


def s_retype(rng, data):
    slots = _slots(data)
    if not slots:
        return "no slot"
    parent, key, path = rng.choice(slots)
    value = rng.choice(_odd_values())
    parent[key] = value
    shown = repr(value)
    return f"set {_fmt(path)} to {shown[:40]}{'...' if len(shown) > 40 else ''}"


REQUIRED = [("format",), ("id",), ("version",), ("title",), ("summary",), ("audience",), ("language",),
            ("characters",), ("state",), ("start",), ("nodes",), ("endings",), ("content_notes",),
            ("authors",), ("reviewers",), ("state", "escalation"), ("state", "rapport")]


def s_delete_key(rng, data):
    if rng.random() < 0.4 and isinstance(data, dict):
        path = rng.choice(REQUIRED)
        node = data
        for p in path[:-1]:
            node = node.get(p) if isinstance(node, dict) else None
        if isinstance(node, dict) and path[-1] in node:
            del node[path[-1]]
            return f"delete required {_fmt(path)}"
    if rng.random() < 0.5 and _choices(data):
        where, c = rng.choice(_choices(data))
        for key in rng.sample(["next", "id", "text", "weight", "outcomes", "seconds", "grade"], 7):
            if key in c:
                del c[key]
                return f"delete {where}.{key}"
    dicts = [(p, v[k]) for v, k, p in _slots(data) if isinstance(v[k], dict) and v[k]]
    if not dicts:
        return "no mapping"
    path, d = rng.choice(dicts)
    key = rng.choice(list(d))
    del d[key]
    return f"delete {_fmt(path + (key,))}"


def s_duplicate(rng, data):
    nodes = _nodes(data)
    if not nodes:
        return "no nodes"
    nid = rng.choice(list(nodes))
    kind = rng.choice(["node-copy", "choice-twice", "choices-x100", "node-is-ending", "choice-id-clash"])
    if kind == "node-copy":
        nodes[nid + "-copy"] = copy.deepcopy(nodes[nid])
        return f"copy node {nid} (duplicate choice ids)"
    node = nodes[nid]
    if not isinstance(node, dict) or not isinstance(node.get("choices"), list) or not node["choices"]:
        nodes[nid + "-copy"] = copy.deepcopy(nodes[nid])
        return f"copy node {nid}"
    chs = node["choices"]
    if kind == "choice-twice":
        chs.append(copy.deepcopy(rng.choice(chs)))
        return f"duplicate a choice of {nid}"
    if kind == "choices-x100":
        node["choices"] = [copy.deepcopy(c) for _ in range(100) for c in chs]
        return f"repeat the choices of {nid} x100"
    if kind == "node-is-ending":
        endings = data.get("endings")
        if isinstance(endings, dict) and endings:
            endings[nid] = copy.deepcopy(rng.choice(list(endings.values())))
            return f"add an ending with the id of node {nid}"
    other = rng.choice(_real_choices(data))[1]
    if isinstance(chs[0], dict):
        chs[0]["id"] = other.get("id")
    return f"give a choice of {nid} the id {other.get('id')!r}"


BAD_TARGETS = ["nowhere", "a" * 64, "a" * 65, "", "Start", "x y", "-x", "nodes", None, 5, "ü"]


def s_unknown_next(rng, data):
    target = rng.choice(BAD_TARGETS)
    chs = _choices(data)
    if rng.random() < 0.15 or not chs:
        if isinstance(data, dict):
            data["start"] = target if rng.random() < 0.5 else next(iter(data.get("endings") or {"x": 0}))
            return f"start -> {data['start']!r}"
        return "no start"
    where, c = rng.choice(chs)
    if rng.random() < 0.2:
        c["next"] = where.split(".")[1]  # itself: a self loop
        c.pop("outcomes", None)
        return f"{where}.next -> its own node"
    if rng.random() < 0.2 and "id" in c:
        c["next"] = c["id"]  # a choice id, not a node
        c.pop("outcomes", None)
        return f"{where}.next -> its own choice id"
    c["next"] = target
    return f"{where}.next -> {target!r:.30}"


def _long_condition(rng) -> tuple[str, str]:
    n = rng.choice([10, 100, 500, 1000, 2000, 5000])
    kind = rng.choice(["parens", "not", "and", "or", "sum", "neg", "unbalanced", "literal", "mixed", "unknown"])
    base = "escalation >= 0"
    if kind == "parens":
        s = "(" * n + base + ")" * n
    elif kind == "not":
        s = "not " * n + base
    elif kind == "and":
        s = " and ".join([base] * n)
    elif kind == "or":
        s = " or ".join(["escalation > 9"] * n + [base])
    elif kind == "sum":
        s = " + ".join(["escalation"] * n) + " >= 0"
    elif kind == "neg":
        s = "-" * n + "1 < 0"
    elif kind == "unbalanced":
        s = "(" * n + base
    elif kind == "literal":
        s = "escalation < " + "9" * min(n, 4300)
    elif kind == "mixed":
        s = " and ".join(f"(not (rapport {op} {i % 7}) or escalation {op} {i % 5})"
                         for i, op in zip(range(n // 4), ["<", "<=", "==", "!=", ">", ">="] * n))
    else:
        s = " and ".join(f"v{i} >= 0" for i in range(n))
    return s, f"{kind} x{n} ({len(s):,} chars)"


def s_long_condition(rng, data):
    chs = _choices(data)
    if not chs:
        return "no choices"
    where, c = rng.choice(chs)
    cond, desc = _long_condition(rng)
    if rng.random() < 0.15 and isinstance(data.get("scoring"), dict):
        data["scoring"].setdefault("critical_errors", []).append(
            {"id": "fuzz-error", "name": "x", "why": "y", "tags": ["shouting"], "when": cond})
        return f"scoring critical error with condition {desc}"
    c["condition"] = cond
    return f"{where}.condition = {desc}"


def s_variable_range(rng, data):
    state = data.setdefault("state", {}) if isinstance(data, dict) else None
    if not isinstance(state, dict):
        return "no state"
    variables = state.get("variables")
    if not isinstance(variables, dict):
        variables = state["variables"] = {}
    name = rng.choice(list(variables) or ["fuzz_var"]) if rng.random() < 0.7 else "fuzz_var"
    big = rng.choice([10 ** 9, 10 ** 18, 2 ** 63, 2 ** 64, 10 ** 100, 10 ** 400])
    kind = rng.choice(["max", "min-max", "initial-max", "with-effects", "with-condition"])
    var = {"initial": 0, "min": 0, "max": big}
    if kind == "min-max":
        var = {"initial": 0, "min": -big, "max": big}
    elif kind == "initial-max":
        var = {"initial": big, "min": -big, "max": big}
    variables[name] = var
    chs = _real_choices(data)
    if kind == "with-effects" and chs:
        for _ in range(rng.randint(1, 5)):
            c = rng.choice(chs)[1]
            c.setdefault("effects", {})
            if isinstance(c["effects"], dict):
                c["effects"][name] = rng.choice([Signed(big), Signed(-big), f"={big}", Signed(big - 1)])
    if kind == "with-condition" and chs:
        c = rng.choice(chs)[1]
        c["condition"] = f"{name} >= {big - 1} or {name} < {big}"
    return f"variable {name} {var} ({kind})"


def s_unknown_ids(rng, data):
    n = rng.choice([2000, 2000, 200, 20_000])
    kind = rng.choice(["present", "tags", "choices", "nodes", "effects", "scoring", "disable-rules", "speakers"])
    nodes = _nodes(data)
    nid = rng.choice(list(nodes)) if nodes else None
    node = nodes.get(nid) if nid else None
    if not isinstance(node, dict):
        kind = "nodes"
    if kind == "present":
        node["present"] = [f"who{i}" for i in range(n)]
    elif kind == "tags":
        c = rng.choice(_real_choices(data))[1]
        c["tags"] = [f"tag-{i}" for i in range(n)]
    elif kind == "choices":
        node["choices"] = list(node.get("choices") or []) + [
            {"id": f"fuzz-{i}", "text": "x", "grade": "good", "next": f"missing-{i}"} for i in range(n)]
    elif kind == "nodes":
        if isinstance(data, dict):
            if not isinstance(data.get("nodes"), dict):
                data["nodes"] = {}
            nodes = data["nodes"]
            for i in range(n):
                nodes[f"fuzz-{i}"] = {"narrative": "x", "choices": [{"id": f"fuzz-c{i}", "text": "x", "grade": "good",
                                                                      "next": f"missing-{i}"}]}
    elif kind == "effects":
        c = rng.choice(_real_choices(data))[1]
        c["effects"] = {f"var{i}": Signed(1) for i in range(n)}
    elif kind == "scoring":
        data.setdefault("scoring", {})
        if isinstance(data["scoring"], dict):
            data["scoring"]["critical_errors"] = [{"id": f"ce-{i}", "name": "x", "why": "y",
                                                   "choices": [f"nope-{i}"]} for i in range(n)]
    elif kind == "disable-rules":
        data.setdefault("behaviour", {})
        if isinstance(data["behaviour"], dict):
            data["behaviour"]["disable_rules"] = [f"rule-{i}" for i in range(n)]
    else:
        node["lines"] = [{"speaker": f"who{i}", "text": "x"} for i in range(n)]
    return f"{n:,} unknown ids in {kind}" + (f" at {nid}" if nid and kind != "nodes" else "")


def s_extreme_number(rng, data):
    value = rng.choice([0, -1, 1e-300, 600, 601, 3600, float("nan"), float("inf"), -0.0, 10 ** 400, 10 ** 6, True])
    targets = []
    for where, c in _choices(data):
        if "weight" in c:
            targets.append((f"{where}.weight", c, "weight"))
    for nid, node in _nodes(data).items():
        if isinstance(node, dict) and isinstance(node.get("timer"), dict):
            targets.append((f"nodes.{nid}.timer.seconds", node["timer"], "seconds"))
    state = data.get("state") if isinstance(data, dict) else None
    if isinstance(state, dict):
        targets += [("state.escalation", state, "escalation"), ("state.rapport", state, "rapport")]
    if isinstance(data, dict):
        targets += [("minutes", data, "minutes"), ("format", data, "format")]
    if not targets:
        return "no numbers"
    where, holder, key = rng.choice(targets)
    holder[key] = value
    return f"{where} = {value!r:.30}"


def s_scale(rng, data):
    """Large but possibly valid shapes: a long chain of nodes before the start, many choices."""
    nodes = _nodes(data)
    if not nodes or not isinstance(data.get("start"), str):
        return "no nodes"
    if rng.random() < 0.5:
        n = rng.choice([200, 1000, 2000])
        first = data["start"]
        for i in range(n):
            nodes[f"chain-{i}"] = {"label": f"Step {i}", "shows": "compliant", "narrative": f"Step {i}.", "choices": [
                {"id": f"chain-{i}-go", "text": "Go on.", "tags": ["open-question"], "grade": "good", "feedback": "ok",
                 "next": f"chain-{i + 1}" if i + 1 < n else first}]}
        data["start"] = "chain-0"
        return f"a chain of {n} nodes before the start"
    nid = rng.choice(list(nodes))
    node = nodes[nid]
    if not isinstance(node, dict) or not isinstance(node.get("choices"), list) or not node["choices"]:
        return "no choices"
    template = node["choices"][0]
    n = rng.choice([9, 10, 50, 500])
    for i in range(n):
        c = copy.deepcopy(template)
        if isinstance(c, dict):
            c["id"] = f"many-{i}"
        node["choices"].append(c)
    return f"{n} more choices at {nid}"


def s_hostile_text(rng, data):
    strings = [(v, k, p) for v, k, p in _slots(data) if isinstance(v[k], str) and p[-1] not in
               ("id", "next", "start", "speaker", "kind", "role", "outcome", "force", "language", "format",
                "version", "background", "portrait", "condition", "when", "grade", "shows", "toward")
               and not (len(p) >= 2 and p[-2] in ("tags", "present", "audience", "languages", "topics", "against"))]
    if not strings:
        return "no text"
    parent, key, path = rng.choice(strings)
    text = rng.choice(HOSTILE_TEXTS)
    parent[key] = text if rng.random() < 0.5 else parent[key] + text
    return f"hostile text {text[:10]!r}... ({len(text):,} chars) in {_fmt(path)}"


STRUCT_OPS = {
    "retype": s_retype, "delete-key": s_delete_key, "duplicate": s_duplicate, "unknown-next": s_unknown_next,
    "long-condition": s_long_condition, "variable-range": s_variable_range, "unknown-ids": s_unknown_ids,
    "extreme-number": s_extreme_number, "scale": s_scale, "hostile-text": s_hostile_text,
}


@dataclass
class Mutant:
    index: int
    seed_name: str
    ops: list[str] = field(default_factory=list)
    data: bytes = b""

    def describe(self) -> str:
        return f"{self.seed_name}: " + "; ".join(self.ops)


def make_mutant(seed: int, index: int) -> Mutant:
    """Mutant `index` of run `seed`: deterministic, independent of every other index."""
    rng = random.Random(f"parley-fuzz:{seed}:{index}")
    base = rng.choice(seeds())
    mutant = Mutant(index, base.name)
    n_ops = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
    text: bytes = base.raw
    data = None  # parsed data, while structure mutations are pending
    for _ in range(n_ops):
        structural = rng.random() >= 0.5
        if structural and data is None and text is not base.raw:
            try:
                data = parse_seed(text)
            except Exception:  # noqa: BLE001 - text the round trip cannot read: mutate it as text
                structural = False
            if not isinstance(data, dict):
                data, structural = None, False
        if not structural:
            if data is not None:
                text, data = dump(data), None
            name = rng.choice(sorted(TEXT_OPS))
            if not text:
                text = b"\n"
            text, desc = TEXT_OPS[name](rng, text)
        else:
            if data is None:
                data = copy.deepcopy(base.data)
            name = rng.choice(sorted(STRUCT_OPS))
            try:
                desc = STRUCT_OPS[name](rng, data)
            except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
                # an earlier mutation left a shape this one does not expect (a node's choices an int):
                # the mutant stays as it is, deterministically, and the run goes on
                desc = f"skipped on this shape ({type(exc).__name__})"
        desc = re.sub(r"\d{16,}", lambda m: f"<{len(m.group())} digits>", desc)
        mutant.ops.append(f"{name}: {desc[:200]}")
    if data is not None:
        text = dump(data)
    mutant.data = text
    return mutant


# --- checking one file ----------------------------------------------------------------------------

class _RandomChooser:
    """Stands in for standard input: answers each prompt with a random available choice's number."""

    def __init__(self, session, rng: random.Random, max_steps: int):
        self.session, self.rng, self.max_steps = session, rng, max_steps
        self.steps = 0
        self.stopped: str | None = None

    def readline(self) -> str:
        n = len(self.session.available())
        if n == 0:
            self.stopped = "stuck"
            return ""
        if self.steps >= self.max_steps:
            self.stopped = "no-ending"
            return ""
        self.steps += 1
        return f"{self.rng.randint(1, n)}\n"


def _where(exc: BaseException) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    root = str(ROOT) + os.sep

    def fmt(f):
        name = f.filename.removeprefix(root)
        return f"{name}:{f.lineno} in {f.name}"
    ours = [f for f in frames if f.filename.startswith(root) and "/benchmarks/fuzz.py" not in f.filename]
    return {"type": type(exc).__name__, "message": str(exc)[:300] if not isinstance(exc, RecursionError) else str(exc)[:100],
            "last_frame": fmt(frames[-1]) if frames else "?",
            "project_frame": fmt(ours[-1]) if ours else "?",
            "tb": "".join(traceback.format_exception(exc))[-6000:]}


def _lost_positions(diagnostics, n_lines: int) -> list[dict]:
    lost = []
    for d in diagnostics:
        if d.severity != "error":
            continue
        if (d.line == 0 or d.column == 0) and d.code not in WHOLE_FILE_CODES:
            lost.append({"code": d.code, "line": d.line, "column": d.column, "message": d.message[:200]})
        elif d.line > n_lines + 1:
            lost.append({"code": d.code, "line": d.line, "column": d.column, "message": d.message[:200],
                         "why": f"past the end of the file ({n_lines} lines)"})
    return lost


def check_file(path: Path, *, index: int = 0, seed: int = 0, phase=lambda name: None,
               hang_after: float = HANG_AFTER, hang_cpu_floor: float = HANG_CPU_FLOOR,
               max_steps: int = MAX_STEPS) -> dict:
    """Validate, and if accepted play and grade, the scenario at `path`; returns the result record."""
    from scoring.context import clear_cache
    from scoring.grade import grade
    from scoring.report import text_debrief
    from simulator.cli.textmode import TextPlayer
    from simulator.cli.validate import scoring_diagnostics
    from simulator.content.loader import load_scenario
    from simulator.engine.session import Session

    text = path.read_bytes().decode("utf-8", "replace")
    # generous: every character YAML may count as a line break
    n_lines = sum(text.count(c) for c in ("\n", "\r", "\x85", "\u2028", "\u2029")) + 1
    del text
    res: dict = {"index": index}

    def validate(attempt: str = "") -> tuple:
        nonlocal current
        current = "validate" + attempt
        phase(current)
        started, cpu = time.perf_counter(), time.process_time()
        result = load_scenario(path, use_cache=False)
        load_seconds = time.perf_counter() - started
        diagnostics = list(result.diagnostics)
        if result.ok:
            current = "scoring-diagnostics" + attempt
            phase(current)
            diagnostics += scoring_diagnostics(path)
        return result, diagnostics, load_seconds, time.perf_counter() - started, time.process_time() - cpu

    current = "validate"
    try:
        result, diagnostics, load_seconds, seconds, cpu = validate()
        if seconds > hang_after:
            # Time it once more: on a shared machine a burst of other work can push a 1 s file
            # over 2 s. The faster of the two runs is what counts.
            again = validate(" (timed again)")
            if again[3] < seconds:
                result, diagnostics, load_seconds, seconds, cpu = again
    except MemoryError:
        res.update(cls=MEMORY, phase=current, restart=True)
        return res
    except Exception as exc:  # noqa: BLE001 - that is what we count
        res.update(cls=TRACEBACK, phase=current, **_where(exc))
        return res
    res.update(seconds=round(seconds, 3), load_seconds=round(load_seconds, 3), cpu_seconds=round(cpu, 3))
    errors = [d for d in diagnostics if d.severity == "error"]
    res["codes"] = sorted({d.code for d in errors})
    if seconds > hang_after and cpu < hang_cpu_floor:
        res["busy"] = True  # over the limit in wall time only: other work on the machine, not this file
    elif seconds > hang_after:
        slow = "scoring-diagnostics" if seconds - load_seconds > load_seconds else "load"
        res.update(cls=HANG, phase=slow,
                   why=f"validation took {seconds:.2f} s wall ({load_seconds:.2f} s in load_scenario), "
                       f"{cpu:.2f} s CPU (limit {hang_after:g} s wall; the faster of two runs)")
        return res
    lost = _lost_positions(diagnostics, n_lines)
    if lost:
        res.update(cls=LOST_POSITION, phase="validate", lost=lost[:5], n_lost=len(lost))
        return res
    if errors:
        res["cls"] = OK_REFUSED
        return res
    scenario = result.scenario
    current = "play"
    started = time.perf_counter()
    try:
        phase("play")
        session = Session(scenario, seed=index)
        chooser = _RandomChooser(session, random.Random(f"parley-fuzz-play:{seed}:{index}"), max_steps)
        TextPlayer(session, chooser, io.StringIO(), show_meter=True, timed=False).run()
        res["decisions"] = chooser.steps
        current = "grade"
        phase("grade")
        report = grade(scenario, session.log)
        report.dumps()
        current = "debrief"
        phase("debrief")
        text_debrief(session)
    except MemoryError:
        res.update(cls=MEMORY, phase=current, restart=True)
        return res
    except Exception as exc:  # noqa: BLE001
        res.update(cls=ACCEPTED_THEN_CRASH, phase=current, **_where(exc))
        return res
    finally:
        clear_cache()
    res["play_seconds"] = round(time.perf_counter() - started, 3)
    if chooser.stopped == "stuck":
        res.update(cls=ACCEPTED_STUCK, node=session.view().node_id)
    elif chooser.stopped == "no-ending":
        res.update(cls=ACCEPTED_NO_ENDING)
    else:
        res["cls"] = OK_ACCEPTED
    return res


# --- workers --------------------------------------------------------------------------------------

@dataclass
class Config:
    seed: int
    workdir: str
    hang_after: float = HANG_AFTER
    hang_cpu_floor: float = HANG_CPU_FLOOR
    memory_mb: int = MEMORY_MB
    max_steps: int = MAX_STEPS
    max_tasks: int = MAX_TASKS


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _worker_main(conn, cfg: Config, number: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    limit = cfg.memory_mb * 1024 * 1024
    # A forked worker starts with its parent's address space; if the parent is already big (e.g. a
    # long pytest run), grant the same allowance on top of it rather than failing every task.
    if _vm_size() > limit // 2:
        limit = _vm_size() + limit
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    path = Path(cfg.workdir) / f"worker-{number}" / "mutant.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    done = 0
    while True:
        try:
            index = conn.recv()
        except (EOFError, OSError):
            return
        if index is None:
            return
        try:
            conn.send(("phase", index, "generate"))
            mutant = make_mutant(cfg.seed, index)
            path.write_bytes(mutant.data)
            res = check_file(path, index=index, seed=cfg.seed, hang_after=cfg.hang_after,
                             hang_cpu_floor=cfg.hang_cpu_floor, max_steps=cfg.max_steps,
                             phase=lambda name, i=index: conn.send(("phase", i, name)))
            res["mutation"] = mutant.describe()
            res["bytes"] = len(mutant.data)
        except MemoryError:
            res = {"index": index, "cls": MEMORY, "phase": "generate", "restart": True}
        except Exception as exc:  # noqa: BLE001 - a bug in the fuzzer itself: report it, keep going
            res = {"index": index, "cls": TRACEBACK, "phase": "fuzzer", **_where(exc)}
        conn.send(("done", index, res))
        done += 1
        if res.get("restart") or done >= cfg.max_tasks:
            return


@dataclass
class _Worker:
    number: int
    proc: object
    conn: object
    index: int | None = None
    phase: str = ""
    since: float = 0.0
    tasks: int = 0  # the worker exits by itself after cfg.max_tasks; the parent counts along


def run(seed: int = 0, count: int = 1000, *, start: int = 0, jobs: int = 1, out: Path | str | None = None,
        hang_after: float = HANG_AFTER, hang_cpu_floor: float = HANG_CPU_FLOOR, kill_after: float = KILL_AFTER,
        play_kill_after: float = PLAY_KILL_AFTER,
        memory_mb: int = MEMORY_MB,
        max_steps: int = MAX_STEPS, max_tasks: int = MAX_TASKS, save_per_group: int = SAVE_PER_GROUP,
        progress=None) -> list[dict]:
    """Check mutants start..start+count-1 of `seed` in `jobs` worker processes; results by index.

    With `out`, failing inputs (up to `save_per_group` per cause) go to out/<class>/<index>.yaml,
    every result to out/results.jsonl and the counts to out/summary.json.
    """
    import multiprocessing as mp
    from multiprocessing.connection import wait

    # Import everything a worker needs before forking, so each worker starts warm.
    import scoring.context
    import scoring.grade
    import scoring.report
    import scoring.rubric  # noqa: F401
    import simulator.cli.textmode
    import simulator.cli.validate
    import simulator.content.loader
    import simulator.engine.session  # noqa: F401
    from simulator.content.behaviour import default_model
    default_model()
    seeds()

    began = time.perf_counter()
    ctx = mp.get_context("fork")
    workdir = tempfile.mkdtemp(prefix="parley-fuzz-")
    cfg = Config(seed, workdir, hang_after, hang_cpu_floor, memory_mb, max_steps, max_tasks)
    pending = deque(range(start, start + count))
    results: dict[int, dict] = {}
    workers: list[_Worker] = []
    numbers = iter(range(10 ** 9))

    def spawn() -> _Worker:
        parent, child = ctx.Pipe()
        number = next(numbers)
        proc = ctx.Process(target=_worker_main, args=(child, cfg, number), daemon=True)
        proc.start()
        child.close()
        w = _Worker(number, proc, parent)
        workers.append(w)
        return w

    def feed(w: _Worker) -> None:
        if pending:
            w.index = pending.popleft()
            w.phase, w.since = "queued", time.monotonic()
            try:
                w.conn.send(w.index)
            except (BrokenPipeError, OSError):
                pass  # it died: the EOF is seen by the loop

    def retire(w: _Worker, kill: bool = False) -> None:
        workers.remove(w)
        if kill and w.proc.is_alive():
            os.kill(w.proc.pid, signal.SIGKILL)
        w.proc.join(5)
        w.conn.close()

    def finished(index: int, res: dict) -> None:
        results[index] = res
        if progress:
            progress(len(results), count, res)

    try:
        for _ in range(max(1, min(jobs, count))):
            feed(spawn())
        while len(results) < count:
            busy = [w for w in workers if w.index is not None]
            ready = wait([w.conn for w in busy], timeout=0.25) if busy else []
            now = time.monotonic()
            for conn in ready:
                w = next(x for x in workers if x.conn is conn)
                try:
                    kind, index, payload = conn.recv()
                except (EOFError, OSError):
                    retire(w)
                    code = w.proc.exitcode
                    why = f"killed by signal {-code} ({signal.Signals(-code).name})" if code and code < 0 else f"exit status {code}"
                    finished(w.index, {"index": w.index, "cls": CRASH, "phase": w.phase, "why": f"worker {why}"})
                    w.index = None
                    if pending:
                        feed(spawn())
                    continue
                if kind == "phase":
                    w.phase, w.since = payload, now
                    continue
                finished(index, payload)
                w.index = None
                w.tasks += 1
                if payload.get("restart") or w.tasks >= cfg.max_tasks:
                    try:
                        w.conn.send(None)
                    except (BrokenPipeError, OSError):
                        pass
                    retire(w)
                    if pending:
                        feed(spawn())
                else:
                    feed(w)
            for w in list(workers):  # noqa: PERF101 - retire() removes from the list
                limit = play_kill_after if w.phase in ("play", "grade", "debrief") else kill_after
                if w.index is not None and now - w.since > limit:
                    index, phase = w.index, w.phase
                    retire(w, kill=True)
                    finished(index, {"index": index, "cls": HANG, "phase": phase,
                                     "why": f"{phase} ran over {limit:g} s; worker killed"})
                    if pending:
                        feed(spawn())
            if not workers and pending:
                feed(spawn())
    finally:
        for w in workers:
            try:
                w.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for w in workers:
            w.proc.join(2)
            if w.proc.is_alive():
                os.kill(w.proc.pid, signal.SIGKILL)
                w.proc.join(2)
        _rmtree(workdir)
    ordered = [results[i] for i in sorted(results)]
    for res in ordered:  # filled in here for killed and crashed workers, which could not say
        if "mutation" not in res:
            try:
                m = make_mutant(seed, res["index"])
                res["mutation"], res["bytes"] = m.describe(), len(m.data)
            except Exception as exc:  # noqa: BLE001 - a fuzzer bug must not lose the whole run
                res["mutation"], res["bytes"] = f"(could not be rebuilt: {type(exc).__name__}: {exc})", 0
    if out is not None:
        save(ordered, seed, Path(out), save_per_group, seconds=time.perf_counter() - began, jobs=jobs)
    return ordered


def _rmtree(path: str) -> None:
    import shutil
    shutil.rmtree(path, ignore_errors=True)


# --- reporting ------------------------------------------------------------------------------------

def cause(res: dict) -> str:
    """A grouping key for a failing result: what went wrong and where."""
    cls = res["cls"]
    if cls in (TRACEBACK, ACCEPTED_THEN_CRASH):
        kind = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", res.get("message") or "")[:48]
        return (f"{res.get('phase')}: {res.get('type')} ({kind}) at {res.get('project_frame')} "
                f"(last frame {res.get('last_frame')})")
    if cls == LOST_POSITION:
        codes = sorted({f"{d['code']}@{d['line']}:{d['column']}" if d["line"] <= 1 else d["code"] + "@past-end"
                        for d in res.get("lost", ())})
        return "codes " + ", ".join(codes)
    if cls == HANG:
        return f"{res.get('phase')}: " + ("killed" if "killed" in res.get("why", "") else "slow")
    if cls in (MEMORY, CRASH):
        return f"{res.get('phase')}: {res.get('why', 'MemoryError')}"
    return cls


def summarize(results: list[dict]) -> dict:
    counts = Counter(r["cls"] for r in results)
    groups: dict[str, dict] = {}
    for r in results:
        if r["cls"] in FAILURES:
            key = f"[{r['cls']}] {cause(r)}"
            g = groups.setdefault(key, {"class": r["cls"], "cause": cause(r), "count": 0, "indexes": [], "first": r})
            g["count"] += 1
            g["indexes"].append(r["index"])
    return {"counts": {c: counts.get(c, 0) for c in CLASSES}, "failures": sum(counts.get(c, 0) for c in FAILURES),
            "groups": sorted(groups.values(), key=lambda g: (-g["count"], g["first"]["index"]))}


def save(results: list[dict], seed: int, out: Path, per_group: int = SAVE_PER_GROUP, *,
         seconds: float = 0.0, jobs: int = 0) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for cls in FAILURES:  # only files this tool wrote: <class>/<digits>.yaml
        for old in (out / cls).glob("[0-9]*.yaml"):
            old.unlink()
    summary = summarize(results)
    for g in summary["groups"]:
        for index in g["indexes"][:per_group]:
            target = out / g["class"] / f"{index:06d}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(make_mutant(seed, index).data)
        g["saved"] = [str(out / g["class"] / f"{i:06d}.yaml") for i in g["indexes"][:per_group]]
    with open(out / "results.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in results)
    (out / "summary.json").write_text(json.dumps(
        {"seed": seed, "seconds": round(seconds, 1), "jobs": jobs, "counts": summary["counts"],
         "failures": summary["failures"],
         "groups": [{k: v for k, v in g.items() if k != "first"} | {"first": g["first"]} for g in summary["groups"]]},
        indent=2, ensure_ascii=False), encoding="utf-8")


def report(results: list[dict], seed: int, seconds: float, jobs: int, out: Path | None, file=sys.stdout) -> None:
    summary = summarize(results)
    n = len(results)
    first, last = (results[0]["index"], results[-1]["index"]) if results else (0, -1)
    p = lambda *a: print(*a, file=file)
    p(f"Parley scenario fuzzer: seed {seed}, {n:,} mutants (indexes {first}-{last}), {jobs} job(s), "
      f"{seconds:.1f} s wall ({seconds / max(n, 1) * 1000:.1f} s per 1,000)")
    p("")
    p(f"  {'class':<22}{'count':>7}  ")
    for cls in CLASSES:
        tag = "  FAIL" if cls in FAILURES and summary["counts"][cls] else ""
        p(f"  {cls:<22}{summary['counts'][cls]:>7}{tag}")
    p(f"  {'total':<22}{n:>7}")
    slow = sorted((r for r in results if "seconds" in r), key=lambda r: -r["seconds"])[:3]
    if slow:
        busy = sum(1 for r in results if r.get("busy"))
        p("  slowest validations: " + ", ".join(f"#{r['index']} {r['seconds']:.2f} s" for r in slow)
          + (f"; {busy} file(s) over {HANG_AFTER:g} s wall with under {HANG_CPU_FLOOR:g} s CPU (busy machine, "
             "not counted as hangs)" if busy else ""))
    slowplay = sorted((r for r in results if "play_seconds" in r), key=lambda r: -r["play_seconds"])[:3]
    if slowplay:
        over = sum(1 for r in results if r.get("play_seconds", 0) > HANG_AFTER)
        p("  slowest play+grade:  " + ", ".join(f"#{r['index']} {r['play_seconds']:.2f} s" for r in slowplay)
          + f"; {over} file(s) over {HANG_AFTER:g} s (reported, not counted as hangs)")
    if not summary["groups"]:
        p("\nNo failures.")
        return
    p(f"\nFailures by cause ({summary['failures']} files, {len(summary['groups'])} causes):")
    for g in summary["groups"]:
        r = g["first"]
        p(f"\n  [{g['class']}] x{g['count']}  {g['cause']}")
        if r.get("message"):
            p(f"      message: {r['message'][:160]!r}")
        if r.get("lost"):
            d = r["lost"][0]
            p(f"      e.g. {d['line']}:{d['column']} {d['code']}: {d['message'][:140]}")
        if r.get("why"):
            p(f"      {r['why']}")
        p(f"      first: #{r['index']} {r['mutation'][:220]}")
        if out is not None:
            name = f"{r['index']:06d}.yaml"
            p(f"      saved: {out / g['class'] / name}")
        more = g["indexes"][1:8]
        if more:
            p(f"      also: {', '.join(map(str, more))}{' ...' if g['count'] > 8 else ''}")


# --- command line ---------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Mutation fuzzer for Parley scenario files.")
    ap.add_argument("--count", type=int, default=1000, help="number of mutants (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    ap.add_argument("--start", type=int, default=0, help="first mutant index (default 0)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "fuzz", help="where failing inputs and results go")
    ap.add_argument("--hang-after", type=float, default=HANG_AFTER, help="seconds of validation counted as a hang")
    ap.add_argument("--hang-cpu-floor", type=float, default=HANG_CPU_FLOOR,
                    help="CPU seconds a validation over --hang-after must also use to count as a hang "
                         "(0: wall time alone)")
    ap.add_argument("--kill-after", type=float, default=KILL_AFTER,
                    help="seconds of generating or validating one file before its worker is killed")
    ap.add_argument("--play-kill-after", type=float, default=PLAY_KILL_AFTER,
                    help="seconds of playing, grading or the debrief before the worker is killed")
    ap.add_argument("--memory-mb", type=int, default=MEMORY_MB, help="RLIMIT_AS of each worker, MB")
    ap.add_argument("--max-steps", type=int, default=MAX_STEPS, help="random decisions before giving up on an ending")
    ap.add_argument("--max-tasks", type=int, default=MAX_TASKS, help="tasks per worker before it is replaced")
    ap.add_argument("--save-per-group", type=int, default=SAVE_PER_GROUP, help="failing inputs saved per cause")
    ap.add_argument("--quiet", action="store_true", help="no progress line")
    ap.add_argument("--replay", type=int, metavar="INDEX", help="check one mutant in this process and show any traceback")
    ap.add_argument("--show", type=int, metavar="INDEX", help="write one mutant to --out and list its mutations")
    ap.add_argument("--reprint", action="store_true", help="print the report of the last run saved in --out again")
    args = ap.parse_args(argv)
    if args.reprint:
        saved = json.loads((args.out / "summary.json").read_text(encoding="utf-8"))
        with open(args.out / "results.jsonl", encoding="utf-8") as f:
            results = [json.loads(line) for line in f]
        report(results, saved["seed"], saved.get("seconds", 0.0), saved.get("jobs", 0), args.out)
        return 1 if any(r["cls"] in FAILURES for r in results) else 0
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # NumPy's thread pool would reserve address space
    os.environ.setdefault("PARLEY_CACHE_DIR", tempfile.mkdtemp(prefix="parley-fuzz-cache-"))
    if args.count < 0 or args.jobs < 1:
        ap.error("--count must be >= 0 and --jobs >= 1")
    if args.show is not None or args.replay is not None:
        index = args.show if args.show is not None else args.replay
        mutant = make_mutant(args.seed, index)
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"mutant-{args.seed}-{index:06d}.yaml"
        path.write_bytes(mutant.data)
        print(f"#{index} ({len(mutant.data):,} bytes) -> {path}\n  {mutant.describe()}")
        if args.replay is not None:
            _replay(path, index, args)
        return 0
    started = time.perf_counter()
    tty = sys.stderr.isatty() and not args.quiet
    bad = Counter()

    def progress(done: int, total: int, res: dict) -> None:
        if res["cls"] in FAILURES:
            bad[res["cls"]] += 1
        if args.quiet or not (tty or done % 100 == 0 or done == total):
            return
        rate = done / max(time.perf_counter() - started, 1e-9)
        fails = ", ".join(f"{c} {n}" for c, n in sorted(bad.items())) or "no failures"
        print(f"\r{done:,}/{total:,} ({rate:.1f}/s) {fails}   ", end="" if tty else "\n", file=sys.stderr, flush=True)
    try:
        results = run(args.seed, args.count, start=args.start, jobs=args.jobs, out=args.out,
                      hang_after=args.hang_after, hang_cpu_floor=args.hang_cpu_floor, kill_after=args.kill_after,
                      play_kill_after=args.play_kill_after, memory_mb=args.memory_mb,
                      max_steps=args.max_steps, max_tasks=args.max_tasks, save_per_group=args.save_per_group,
                      progress=progress)
    except KeyboardInterrupt:
        print("\nfuzz: interrupted", file=sys.stderr)
        return 130
    if tty:
        print(file=sys.stderr)
    report(results, args.seed, time.perf_counter() - started, args.jobs, args.out)
    print(f"\nResults: {args.out / 'results.jsonl'}; summary: {args.out / 'summary.json'}")
    return 1 if any(r["cls"] in FAILURES for r in results) else 0


def _replay(path: Path, index: int, args) -> None:
    """Run one file in this process without limits and print the result, with any traceback."""
    from simulator.content.loader import load_scenario
    res = check_file(path, index=index, seed=args.seed, hang_after=args.hang_after,
                     hang_cpu_floor=args.hang_cpu_floor, max_steps=args.max_steps)
    tb = res.pop("tb", None)
    print(json.dumps(res, indent=2, ensure_ascii=False))
    if tb:
        print("\nTraceback (last 6,000 characters):\n" + tb)
    if res["cls"] == LOST_POSITION:
        for d in load_scenario(path, use_cache=False).diagnostics:
            print(d.format()[:300])


if __name__ == "__main__":
    sys.exit(main())
