"""Meaning checks on scenario data: ids, references, expressions, ranges, assets, reachability.

The checks run on data that may have failed the schema, so that every problem comes at once: a
value of the wrong shape (a list where an id is expected, a mapping for `start`, a number with
5,000 digits, NaN) is skipped here because the schema reports it, or reported here where the
schema lets it through. Their cost is bounded whatever the file holds: "did you mean" suggestions
share a fixed budget, the dead-condition analysis widens, and assets are sniffed, never read whole.
"""
from __future__ import annotations

import bisect
import codecs
import difflib
import math
import os
import re
import stat
from collections import deque
from heapq import heappop, heappush
from pathlib import Path

from ..engine.expressions import MAX_NUMBER, ExpressionError, interval, parse, variables
from ..engine.model import BUILTIN_VARIABLES, BehaviourModel
from .diagnostics import DiagnosticSink
from .gradecheck import check_grades
from .variants import SESSION_PLACEHOLDERS, placeholders
from .yamlsafe import SignedInt, YamlDocument

RESERVED_SPEAKERS = ("you", "dispatch")
PORTRAIT_EXPRESSIONS = ("calm", "anxious", "upset", "angry")
BUILTIN_RANGES = {"escalation": (0, 6), "rapport": (0, 5), "recovery": (0, 50), "factor_revealed": (0, 1)}

# Suggestions ("did you mean ...?"): each compares the word with at most SUGGEST_CANDIDATES ids
# (those nearest in length, and in sort order within a length), and one file's suggestions compare
# at most SUGGEST_BUDGET pairs in all. Past the budget the plain hint is given; every problem is
# still reported.
SUGGEST_CANDIDATES = 500
SUGGEST_BUDGET = 20_000
SUGGEST_MAX_WORD = 100  # a longer word is no typo of an id (ids have at most 64 characters)
LISTED = 12  # a hint lists at most this many known names

# The dead-condition analysis: a bound that has grown WIDEN_AFTER times at one node jumps to the
# end of its variable's range (widening), so the cost does not depend on the range; when that
# happened, at most NARROW_PASSES passes then tighten the result again (narrowing).
WIDEN_AFTER = 16
NARROW_PASSES = 8

# Art: a regular file inside the scenario's folder or Parley's assets (after resolving links), of
# a known type by extension and by its first bytes, at most MAX_ASSET_BYTES.
MAX_ASSET_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 64 * 1024
ART_TYPES = (".svg",)  # what the window can show; a portrait folder holds one SVG per expression
_O_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value) -> str:
    """A short rendering of an untrusted value for a message (never a huge or nested repr)."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else f"{value[:80]!r}... ({len(value):,} characters)"
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) <= MAX_NUMBER else "a number too large to show"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _clip(text: str, limit: int = 100) -> str:
    """A condition or other quoted text, cut short when it is long."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _listing(names, limit: int = LISTED) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names) - limit:,} more)"


def _where(path) -> str:
    return ".".join(str(p) for p in path)


_DIGITS = re.compile(r"[0-9]+")


def _digits_ok(text: str) -> bool:
    """Whether `text`, ASCII digits, is a number of at most MAX_NUMBER (checked before int())."""
    significant = text.lstrip("0") or "0"
    return len(significant) <= len(str(MAX_NUMBER)) and int(significant) <= MAX_NUMBER


class _Suggester:
    """Bounded "did you mean" for one file: memoised, a few candidates per word, a total budget."""

    def __init__(self, budget: int = SUGGEST_BUDGET):
        self.budget = budget
        self.pools: dict[str, tuple[dict[int, list[str]], dict[str, str]]] = {}

    def suggest(self, word, key: str, options) -> str:
        """'did you mean X?' for `word` among `options` (prepared once per `key`), or ''."""
        pool = self.pools.get(key)
        if pool is None:
            by_length: dict[int, list[str]] = {}
            for option in options:
                if isinstance(option, str):
                    by_length.setdefault(len(option), []).append(option)
            for bucket in by_length.values():
                bucket.sort()
            pool = self.pools[key] = (by_length, {})
        by_length, memo = pool
        if not isinstance(word, str) or not 0 < len(word) <= SUGGEST_MAX_WORD:
            return ""
        if word in memo:
            return memo[word]
        if self.budget <= 0:
            return ""
        size = len(word)
        # difflib's cutoff of 0.6 needs 2*min(a, b) >= 0.6*(a + b): lengths from 3/7 to 7/3 of the word.
        lowest, highest = math.ceil(size * 3 / 7), size * 7 // 3
        lengths = sorted((n for n in by_length if lowest <= n <= highest), key=lambda n: (abs(n - size), n))
        candidates: list[str] = []
        for n in lengths:
            room = SUGGEST_CANDIDATES - len(candidates)
            if room <= 0:
                break
            bucket = by_length[n]
            if len(bucket) > room:  # the names nearest in sort order share the longest prefix
                at = bisect.bisect_left(bucket, word)
                first = min(max(0, at - room // 2), len(bucket) - room)
                bucket = bucket[first:first + room]
            candidates.extend(bucket)
        self.budget -= max(len(candidates), 1)
        close = difflib.get_close_matches(word, candidates, n=1)
        memo[word] = result = f"did you mean {close[0]!r}?" if close else ""
        return result


def _d(value) -> dict:
    return value if isinstance(value, dict) else {}


def _l(value) -> list:
    return value if isinstance(value, list) else []


def iter_choices(data: dict):
    """Yield (path, choice dict, node id, is_timeout) for every choice and timer expiry."""
    for node_id, node in _d(data.get("nodes")).items():
        node = _d(node)
        for i, choice in enumerate(_l(node.get("choices"))):
            if isinstance(choice, dict):
                yield ("nodes", node_id, "choices", i), choice, node_id, False
        timer = _d(node.get("timer"))
        if isinstance(timer.get("expire"), dict):
            yield ("nodes", node_id, "timer", "expire"), timer["expire"], node_id, True


def iter_injects(data: dict):
    """Yield (path, inject dict, node id) for every node's `injects` entry."""
    for node_id, node in _d(data.get("nodes")).items():
        for i, inject in enumerate(_l(_d(node).get("injects"))):
            if isinstance(inject, dict):
                yield ("nodes", node_id, "injects", i), inject, node_id


def _sniff_svg(head: bytes) -> bool:
    """XML text (UTF-8, no NUL) that opens with `<` and has an `<svg` element in its first bytes."""
    if b"\x00" in head:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    text = text.lstrip("\ufeff \t\r\n")
    return text.startswith("<") and "<svg" in text


_SNIFFED: dict[tuple, bool] = {}  # (path, type, device, inode, size, mtime) -> whether its bytes look right
# The first bytes of each type of art; ART_TYPES says which types are accepted today.
_SNIFFERS = {".svg": ("an SVG image", _sniff_svg),
             ".png": ("a PNG image", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"))}


class SemanticChecker:
    """Runs every meaning check on one document, reporting into a sink; never raises."""

    def __init__(self, doc: YamlDocument, sink: DiagnosticSink, model: BehaviourModel,
                 asset_dirs: list[Path]):
        self.doc = doc
        self.data = doc.data if isinstance(doc.data, dict) else {}
        self.sink = sink
        self.model = model
        self.asset_dirs = asset_dirs
        self.ranges: dict[str, tuple[int, int]] = dict(BUILTIN_RANGES)
        self.initial: dict[str, int] = {}
        self.parsed: dict[tuple, object] = {}  # path of a condition -> AST
        self.targets: set = set()
        self.choice_ids: dict[str, tuple] = {}
        self.reachable: dict[str, dict[str, tuple[int, int]]] = {}  # node -> variable -> (lo, hi)
        self.suggester = _Suggester()
        self._asset_roots: list[Path] | None = None
        self._art: dict[tuple[str, str], tuple[str, str, str] | None] = {}
        self._found: dict[str, Path | None] = {}

    def pos(self, path, key=False):
        return self.doc.position(tuple(path), key)

    def suggest(self, word, key: str, options) -> str:
        return self.suggester.suggest(word, key, options)

    # --- entry point ---------------------------------------------------------------------------
    def run(self) -> None:
        for check in (self.check_numbers, self.check_variables, self.check_characters, self.check_ids_and_targets,
                      self.check_choices, self.check_rules, self.check_assets, self.check_translations,
                      self.check_reviewers, self.check_variants, self.check_graph, self.check_grades):
            try:
                check()
            except Exception as exc:  # noqa: BLE001 - a bug here must still end as a diagnostic, not a traceback
                self.sink.error(None, "internal-error",
                                f"the {check.__name__.removeprefix('check_')} check failed: {type(exc).__name__}",
                                "this is a bug in Parley, not in the file: please report it with the file")

    def check_grades(self) -> None:
        check_grades(self)

    # --- variants and placeholders ----------------------------------------------------------------
    def check_variants(self) -> None:
        """Variants name a default that exists, give the same words, override only known characters;
        every `{placeholder}` in the text is one of their words (or `{officer}`)."""
        block = _d(self.data.get("variants"))
        variants = [_d(v) for v in _l(block.get("list"))]
        ids = [v.get("id") if isinstance(v.get("id"), str) else None for v in variants]  # the schema reports others
        chars = _d(self.data.get("characters"))
        seen: set[str] = set()
        for i, vid in enumerate(ids):
            if vid is None:
                continue
            if vid in seen:
                self.sink.error(self.pos(("variants", "list", i, "id")), "duplicate-id",
                                f"variant {_show(vid)} is declared twice", "give each variant its own id")
            seen.add(vid)
        default = block.get("default")
        if block and isinstance(default, str) and default not in seen:
            self.sink.error(self.pos(("variants", "default")), "unknown-variant",
                            f"default variant {_show(default)} is not in the list",
                            self.suggest(default, "variants", sorted(seen)))
        word_sets = [{w for w in _d(v.get("words")) if isinstance(w, str)} for v in variants]
        everyone = set().union(*word_sets) if word_sets else set()
        for i, words in enumerate(word_sets):
            lacking = sorted(everyone - words)
            if lacking:
                self.sink.error(self.pos(("variants", "list", i)), "variant-words",
                                f"variant {_show(ids[i] or i + 1)} lacks the words {', '.join(map(repr, lacking))}",
                                "every variant gives every word, so that every variant's text is whole")
        for i, v in enumerate(variants):
            for cid in _d(v.get("characters")):
                if isinstance(cid, str) and cid not in chars:
                    self.sink.error(self.pos(("variants", "list", i, "characters", cid), key=True),
                                    "unknown-character", f"variant {_show(ids[i])} changes unknown character "
                                    f"{_show(cid)}", self.suggest(cid, "characters", [c for c in chars if isinstance(c, str)]))
        known = everyone | SESSION_PLACEHOLDERS
        reported = 0
        for path, name in placeholders(self.data):
            if name not in known and reported < 50:
                reported += 1
                hint = (f"known here: {', '.join('{' + w + '}' for w in sorted(known))}" if everyone else
                        "only {officer} (the trainee's name) is filled in, unless the scenario declares variants "
                        "whose words include it")
                self.sink.error(self.pos(path), "unknown-placeholder",
                                f"{{{name}}} is not a placeholder this scenario fills in: players would see it as written",
                                hint)

    def check_reviewers(self) -> None:
        if not _l(self.data.get("reviewers")) and "reviewers" in self.data:
            self.sink.warning(self.pos(("reviewers",)), "no-reviewers",
                              "no community reviewer is named yet: this scenario is a draft",
                              "have people with lived experience review it and list them")

    # --- numbers the schema lets through --------------------------------------------------------
    def whole(self, path, value, bounded: bool = False) -> int | None:
        """The value of a whole-number field, or None when it is not a usable one.

        Reports what the schema lets through: a decimal with a whole value (`3.0`) and, unless the
        schema bounds the field (`bounded`), a number beyond MAX_NUMBER. Other shapes (text, NaN,
        true) are the schema's to report.
        """
        if isinstance(value, float):
            if math.isfinite(value) and value.is_integer():
                self.sink.error(self.pos(path), "bad-number", f"{_where(path)} must be a whole number, not {value!r}",
                                f"write {int(value)} without a decimal point")
            return None
        if not _is_int(value):
            return None
        if abs(value) > MAX_NUMBER:
            if not bounded:
                self.sink.error(self.pos(path), "bad-number", f"{_where(path)} is too large",
                                f"numbers are at most {MAX_NUMBER:,} either side of 0")
            return None
        return value

    def finite(self, path, value, bounded: bool = False) -> bool:
        """Whether a (decimal) number field holds a usable number; reports NaN, infinity, huge."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False  # the schema reports the type
        if isinstance(value, float) and math.isnan(value):
            self.sink.error(self.pos(path), "bad-number", f"{_where(path)} must be a finite number, not nan",
                            "write a number such as 1 or 2.5")
            return False
        if isinstance(value, float) and math.isinf(value):
            if not bounded:
                self.sink.error(self.pos(path), "bad-number", f"{_where(path)} must be a finite number, not {value!r}",
                                "write a number such as 1 or 2.5")
            return False
        if abs(value) > MAX_NUMBER:
            if not bounded:
                self.sink.error(self.pos(path), "bad-number", f"{_where(path)} is too large",
                                f"numbers are at most {MAX_NUMBER:,} either side of 0")
            return False
        return True

    def check_numbers(self) -> None:
        """Whole-number fields the schema bounds but lets `3.0` into, and timer seconds (NaN)."""
        data = self.data
        self.whole(("minutes",), data.get("minutes"), bounded=True)
        state = _d(data.get("state"))
        for key in ("escalation", "rapport"):
            self.whole(("state", key), state.get(key), bounded=True)
        recovery = _d(_d(data.get("behaviour")).get("recovery"))
        for key in ("trigger_level", "duration", "rise_bonus"):
            self.whole(("behaviour", "recovery", key), recovery.get(key), bounded=True)
        for node_id, node in _d(data.get("nodes")).items():
            timer = _d(_d(node).get("timer"))
            if "seconds" in timer:
                self.finite(("nodes", node_id, "timer", "seconds"), timer["seconds"], bounded=True)

    # --- variables ------------------------------------------------------------------------------
    def check_variables(self) -> None:
        state = _d(self.data.get("state"))
        recovery = _d(_d(self.data.get("behaviour")).get("recovery"))
        duration = recovery.get("duration")
        if not _is_int(duration) or not 0 <= duration <= BUILTIN_RANGES["recovery"][1]:
            duration = self.model.recovery.duration  # the schema reports a bad one
        self.ranges["recovery"] = (0, max(duration, 0))

        def start(key):
            value = state.get(key, 0)
            return value if _is_int(value) and abs(value) <= MAX_NUMBER else 0
        self.initial = {"escalation": start("escalation"), "rapport": start("rapport"),
                        "recovery": 0, "factor_revealed": 0}
        for name, var in _d(state.get("variables")).items():
            path = ("state", "variables", name)
            if not isinstance(name, str):
                continue  # the schema reports a key that is not a name
            if name in BUILTIN_VARIABLES:
                self.sink.error(self.pos(path, key=True), "reserved-variable",
                                f"{name!r} is a built-in variable and cannot be redefined",
                                "choose another name")
                continue
            var = _d(var)
            lo, hi, init = (self.whole(path + (k,), var.get(k)) for k in ("min", "max", "initial"))
            if lo is None or hi is None or init is None:
                continue  # the schema (or whole) reports the shape
            if lo > hi:
                self.sink.error(self.pos(path), "bad-range", f"variable {name!r} has min {lo} above max {hi}",
                                "swap min and max")
                continue
            if not lo <= init <= hi:
                self.sink.error(self.pos(path + ("initial",)), "out-of-range",
                                f"variable {name!r} starts at {init}, outside its range {lo}..{hi}",
                                "make initial lie between min and max")
            self.ranges[name] = (lo, hi)
            self.initial[name] = min(max(init, lo), hi)
        if "hidden_factor" not in state:
            self.sink.warning(self.pos(("state",)), "no-hidden-factor",
                              "the scenario has no hidden factor",
                              "a hidden factor (deafness, limited English, crisis...) teaches information gathering")

    # --- characters -----------------------------------------------------------------------------
    def check_characters(self) -> None:
        chars = {cid: c for cid, c in _d(self.data.get("characters")).items() if isinstance(cid, str)}
        subjects = [cid for cid, c in chars.items() if _d(c).get("role") == "subject"]
        if chars and len(subjects) != 1:
            self.sink.error(self.pos(("characters",)), "subject-count",
                            f"exactly one character must have role: subject (found {len(subjects)})",
                            "mark the person the trainee is dealing with as the subject")
        for cid, c in chars.items():
            c = _d(c)
            if "name_known_when" in c:
                self.check_condition(("characters", cid, "name_known_when"), c["name_known_when"])
            source = c.get("expression_from")
            if isinstance(source, str) and source not in self.ranges:
                self.sink.error(self.pos(("characters", cid, "expression_from")), "unknown-variable",
                                f"unknown variable {source!r} in expression_from",
                                self.suggest(source, "variables", self.ranges)
                                or f"known variables: {_listing(self.ranges)}")
        known = set(chars) | set(RESERVED_SPEAKERS)
        listed_chars = None
        listed_speakers = None
        for node_id, node in _d(self.data.get("nodes")).items():
            node = _d(node)
            for i, who in enumerate(_l(node.get("present"))):
                if isinstance(who, str) and who not in chars:
                    if listed_chars is None:
                        listed_chars = f"characters: {_listing(chars)}"
                    self.sink.error(self.pos(("nodes", node_id, "present", i)), "unknown-character",
                                    f"unknown character {_show(who)} in present",
                                    self.suggest(who, "characters", chars) or listed_chars)
            present = {who for who in _l(node.get("present")) if isinstance(who, str)}
            for who in _d(node.get("staging")):
                if isinstance(who, str) and who not in present:
                    self.sink.error(self.pos(("nodes", node_id, "staging", who)), "staged-not-present",
                                    f"{_show(who)} is staged here but not listed in present",
                                    "add them to present, or remove their staging")
            for i, line in enumerate(_l(node.get("lines"))):
                if "understood_when" in _d(line):
                    self.check_condition(("nodes", node_id, "lines", i, "understood_when"), line["understood_when"])
                speaker = _d(line).get("speaker")
                if isinstance(speaker, str) and speaker not in known:
                    if listed_speakers is None:
                        listed_speakers = f"speakers: {_listing(sorted(known))}"
                    self.sink.error(self.pos(("nodes", node_id, "lines", i, "speaker")), "unknown-speaker",
                                    f"unknown speaker {_show(speaker)}",
                                    self.suggest(speaker, "speakers", known) or listed_speakers)

    # --- ids and targets ------------------------------------------------------------------------
    def check_ids_and_targets(self) -> None:
        nodes, endings = _d(self.data.get("nodes")), _d(self.data.get("endings"))
        for eid in endings:
            if eid in nodes:
                self.sink.error(self.pos(("endings", eid), key=True), "duplicate-id",
                                f"{_show(eid)} is both a node and an ending", "nodes and endings share one namespace")
        self.targets = {t for t in (*nodes, *endings) if isinstance(t, str)}
        start = self.data.get("start")
        if isinstance(start, str) and nodes:
            if start in endings:
                self.sink.error(self.pos(("start",)), "bad-start", f"start {_show(start)} is an ending",
                                "start at a node with choices")
            elif start not in nodes:
                self.sink.error(self.pos(("start",)), "unknown-next", f"start node {_show(start)} does not exist",
                                self.suggest(start, "nodes", nodes) or "name one of the nodes")
        seen: dict[str, tuple] = {}
        for path, choice, node_id, _ in iter_choices(self.data):
            cid = choice.get("id")
            self.claim_id(seen, path, cid, f"choice id {_show(cid)} is used twice",
                          "choice ids must be unique in the whole scenario")
            has_next, has_outcomes = "next" in choice, "outcomes" in choice
            if has_next == has_outcomes:
                self.sink.error(self.pos(path), "next-or-outcomes",
                                f"choice {_show(cid)} needs exactly one of `next` or `outcomes`",
                                "use next for a fixed branch, outcomes for weighted random reactions")
            if has_next:
                self.check_target(path + ("next",), choice["next"])
            for i, outcome in enumerate(_l(choice.get("outcomes"))):
                outcome = _d(outcome)
                if "next" in outcome:
                    self.check_target(path + ("outcomes", i, "next"), outcome["next"])
                if "weight" in outcome:
                    wpath = path + ("outcomes", i, "weight")
                    weight = outcome["weight"]
                    if self.finite(wpath, weight) and weight <= 0:
                        self.sink.error(self.pos(wpath), "bad-weight",
                                        f"outcome weight must be positive, not {weight}",
                                        "remove the outcome or give it a weight above 0")
        self.choice_ids = seen
        for path, inject, _node_id in iter_injects(self.data):
            jid = inject.get("id")
            self.claim_id(seen, path, jid, f"inject id {_show(jid)} is already a choice's or an inject's id",
                          "choice and inject ids must be unique in the whole scenario")
            self.check_effects(path + ("effects",), inject.get("effects"))

    def claim_id(self, seen: dict, path, ident, message: str, hint: str) -> None:
        """`ident` (at `path` + id) is taken in `seen` (id -> path), or a duplicate-id error says where first."""
        if not isinstance(ident, str):
            return
        if ident in seen:
            line = self.pos(seen[ident] + ("id",))
            self.sink.error(self.pos(path + ("id",)), "duplicate-id",
                            f"{message} (also at line {line[0] if line else '?'})", hint)
        else:
            seen[ident] = path

    def check_target(self, path, target) -> None:
        if isinstance(target, str) and target not in self.targets:
            self.sink.error(self.pos(path), "unknown-next", f"there is no node or ending {_show(target)}",
                            self.suggest(target, "targets", self.targets) or "add it, or point to an existing node")

    # --- choices: tags, force, effects, conditions ----------------------------------------------
    def check_choices(self) -> None:
        tags = self.model.tags
        for path, choice, node_id, is_timeout in iter_choices(self.data):
            seen_tags: set = set()
            for i, tag in enumerate(_l(choice.get("tags"))):
                if isinstance(tag, str) and tag in seen_tags:
                    self.sink.error(self.pos(path + ("tags", i)), "duplicate-tag", f"tag {_show(tag)} is listed twice",
                                    "list each tag once")
                seen_tags.add(tag if isinstance(tag, str) else None)
                if isinstance(tag, str) and tag not in tags:
                    self.sink.error(self.pos(path + ("tags", i)), "unknown-tag", f"unknown technique tag {_show(tag)}",
                                    self.suggest(tag, "tags", tags) or "see simulator/engine/behaviour.yaml for the tags")
            self.check_effects(path + ("effects",), choice.get("effects"))
            if "condition" in choice:
                self.check_condition(path + ("condition",), choice["condition"])
            for i, outcome in enumerate(_l(choice.get("outcomes"))):
                outcome = _d(outcome)
                self.check_effects(path + ("outcomes", i, "effects"), outcome.get("effects"))
                if "condition" in outcome:
                    self.check_condition(path + ("outcomes", i, "condition"), outcome["condition"])
            outcomes = _l(choice.get("outcomes"))
            if outcomes and all("condition" in _d(o) for o in outcomes):
                self.sink.warning(self.pos(path + ("outcomes",)), "all-outcomes-conditional",
                                  "every outcome has a condition; if none holds the choice cannot proceed",
                                  "leave one outcome without a condition")
            if not is_timeout and "feedback" not in choice:
                self.sink.warning(self.pos(path), "no-feedback", f"choice {_show(choice.get('id'))} has no feedback",
                                  "explain why this choice helps or hurts; the debrief shows it")
        for node_id, node in _d(self.data.get("nodes")).items():
            choices = [c for c in _l(_d(node).get("choices")) if isinstance(c, dict)]
            if choices and all("condition" in c for c in choices) and "timer" not in _d(node):
                self.sink.warning(self.pos(("nodes", node_id, "choices")), "all-choices-conditional",
                                  f"every choice at {_show(node_id)} has a condition; if none holds the trainee is stuck",
                                  "add one choice without a condition")

    def check_effects(self, path, effects) -> None:
        for name, value in _d(effects).items():
            vpath = path + (name,)
            if name not in self.ranges:
                self.sink.error(self.pos(vpath, key=True), "unknown-variable",
                                f"unknown variable {_show(name)} in effects",
                                self.suggest(name, "variables", self.ranges) or "declare it under state.variables")
                continue
            if name in ("recovery",):
                self.sink.error(self.pos(vpath, key=True), "read-only-variable",
                                f"{name!r} is managed by the behaviour model and cannot be changed",
                                "tune behaviour.recovery instead")
                continue
            if isinstance(value, bool):
                continue  # the schema reports it
            if isinstance(value, float) or _is_int(value):
                value = self.whole(vpath, value)
                if value is None:
                    continue
            if _is_int(value) and not isinstance(value, SignedInt):
                self.sink.error(self.pos(vpath), "bare-number",
                                f"effect `{name}: {value}` is ambiguous",
                                f"write `{name}: +{value}` to add or `{name}: ={value}` to set")
                continue
            if isinstance(value, str) and value.startswith(("=", "+", "-")):
                digits = value[2:] if value.startswith(("=-", "=+")) else value[1:]
                if _DIGITS.fullmatch(digits) and not _digits_ok(digits):
                    self.sink.error(self.pos(vpath), "bad-number", f"effect {_where(vpath)} is too large",
                                    f"numbers are at most {MAX_NUMBER:,} either side of 0")
                    continue
            if isinstance(value, str) and value.startswith("="):
                try:
                    target = int(value[1:])
                except ValueError:
                    continue
                lo, hi = self.ranges[name]
                if not lo <= target <= hi:
                    self.sink.error(self.pos(vpath), "out-of-range",
                                    f"`{name}: {value}` sets a value outside {lo}..{hi}",
                                    f"use a value from {lo} to {hi}")
            elif _is_int(value):
                lo, hi = self.ranges[name]
                if abs(value) > hi - lo:
                    self.sink.warning(self.pos(vpath), "large-change",
                                      f"`{name}: {value:+d}` is larger than the whole range {lo}..{hi}",
                                      "the value will be clamped; use a smaller change")

    def check_condition(self, path, source):
        if not isinstance(source, str):
            return None
        try:
            ast = parse(source)
        except ExpressionError as exc:
            self.sink.error(self.pos(path), "bad-condition",
                            f"cannot read condition `{_clip(source)}`: {exc.message} at character {exc.offset + 1}",
                            exc.hint or "see the expression syntax in docs/scenario-format.md")
            return None
        ok = True
        for name, offset in variables(ast):
            if name not in self.ranges:
                ok = False
                self.sink.error(self.pos(path), "unknown-variable",
                                f"unknown variable {name!r} in condition `{_clip(source)}`",
                                self.suggest(name, "variables", self.ranges)
                                or f"known variables: {_listing(self.ranges)}")
        if ok:
            self.parsed[tuple(path)] = ast
            return ast
        return None

    # --- behaviour tuning ----------------------------------------------------------------------
    def check_rules(self) -> None:
        behaviour = _d(self.data.get("behaviour"))
        known = {r.id for r in self.model.rules}
        for i, rid in enumerate(_l(behaviour.get("disable_rules"))):
            if isinstance(rid, str) and rid not in known:
                self.sink.error(self.pos(("behaviour", "disable_rules", i)), "unknown-rule",
                                f"there is no default rule {_show(rid)}", self.suggest(rid, "rules", known))
        for i, rule in enumerate(_l(behaviour.get("rules"))):
            rule = _d(rule)
            for j, tag in enumerate(_l(rule.get("tags"))):
                if isinstance(tag, str) and tag not in self.model.tags:
                    self.sink.error(self.pos(("behaviour", "rules", i, "tags", j)), "unknown-tag",
                                    f"unknown technique tag {_show(tag)}", self.suggest(tag, "tags", self.model.tags))
            for j, case in enumerate(_l(rule.get("cases"))):
                case = _d(case)
                path = ("behaviour", "rules", i, "cases", j)
                if "when" in case:
                    self.check_condition(path + ("when",), case["when"])
                for key in ("escalation", "rapport"):
                    value = case.get(key)
                    if isinstance(value, str) and value[:1] in ("+", "-") and _DIGITS.fullmatch(value[1:]):
                        if not _digits_ok(value[1:]):
                            self.sink.error(self.pos(path + (key,)), "bad-number", f"{_where(path + (key,))} is too large",
                                            f"numbers are at most {MAX_NUMBER:,} either side of 0")
                    elif key in case:
                        self.whole(path + (key,), value)

    # --- assets ---------------------------------------------------------------------------------
    def asset_roots(self) -> list[Path]:
        """The folders art may come from, links resolved: the scenario's folder and Parley's assets."""
        if self._asset_roots is None:
            roots = []
            for base in self.asset_dirs:
                try:
                    roots.append(Path(base).resolve())
                except (OSError, RuntimeError, ValueError):
                    continue
            self._asset_roots = roots
        return self._asset_roots

    def find_asset(self, ref) -> Path | None:
        """The first existing file or folder (or link) named `ref` in the asset search path, else None.

        Absolute paths, `..`, empty, overlong and NUL-containing names are never found.
        """
        if not isinstance(ref, str) or not ref or len(ref) > 255 or "\x00" in ref \
                or ref.startswith(("/", "\\")) or ".." in Path(ref).parts or Path(ref).is_absolute():
            return None
        if ref in self._found:
            return self._found[ref]
        found = None
        for base in self.asset_dirs:
            candidate = Path(base) / ref
            try:
                os.lstat(candidate)
            except (OSError, ValueError):  # missing, a name too long, or not a folder on the way
                continue
            found = candidate
            break
        self._found[ref] = found
        return found

    def _inside_roots(self, candidate: Path) -> Path | None:
        """`candidate` with every link resolved, if that stays inside an asset root; else None."""
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):  # a broken link or a loop of links
            return None
        return real if any(real == root or real.is_relative_to(root) for root in self.asset_roots()) else None

    def art_problem(self, candidate: Path, ref: str) -> tuple[str, str, str] | None:
        """Why the file `candidate` (found for `ref`) cannot be used as art, or None when it can.

        It must stay inside the asset roots once links are resolved, be a regular file (not a
        folder, FIFO or device) of at most MAX_ASSET_BYTES, have a known art extension and start
        like that type. Only the first SNIFF_BYTES are read, never from anything but a regular file.
        """
        key = (str(candidate), ref)
        if key in self._art:
            return self._art[key]
        problem = self._art_problem(candidate, ref)
        self._art[key] = problem
        return problem

    def _art_problem(self, candidate: Path, ref: str) -> tuple[str, str, str] | None:
        shown = _show(ref)
        real = self._inside_roots(candidate)
        if real is None:
            return ("bad-asset", (f"{shown} is a link that is broken or leads outside the scenario's folder and "
                                  "Parley's assets"), "copy the file itself into the folder instead of linking to it")
        suffix = Path(ref).suffix.lower()
        if suffix not in ART_TYPES:
            return ("bad-asset", f"{shown} is not an {'/'.join(t[1:].upper() for t in ART_TYPES)} file",
                    f"art files end in {', '.join(ART_TYPES)}")
        kind, sniff = _SNIFFERS[suffix]
        try:
            info = os.stat(real)
        except (OSError, ValueError):
            return ("missing-asset", f"{shown} cannot be read", "check the file's permissions")
        if not stat.S_ISREG(info.st_mode):
            if stat.S_ISDIR(info.st_mode):
                return ("bad-asset", f"{shown} is a folder, not {kind} file", f"point to {kind} file")
            return ("bad-asset", f"{shown} is not a regular file (it is a device, pipe or socket)",
                    f"point to {kind} file")
        if info.st_size > MAX_ASSET_BYTES:
            return ("bad-asset", f"{shown} is {info.st_size / 2**20:.1f} MB, more than {MAX_ASSET_BYTES // 2**20} MB",
                    "simplify or compress the image")
        identity = (str(real), suffix, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        looks_right = _SNIFFED.get(identity)
        if looks_right is None:
            try:
                fd = os.open(real, _O_FLAGS)
            except (OSError, ValueError):
                return ("missing-asset", f"{shown} cannot be read", "check the file's permissions")
            try:
                info = os.fstat(fd)  # the file opened is the one checked, not something swapped in since
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ASSET_BYTES:
                    return ("bad-asset", f"{shown} changed while it was checked", "check the file")
                head = os.read(fd, SNIFF_BYTES)
            except OSError:
                return ("missing-asset", f"{shown} cannot be read", "check the file's permissions")
            finally:
                os.close(fd)
            looks_right = sniff(head)
            if len(_SNIFFED) >= 4096:
                _SNIFFED.clear()
            _SNIFFED[identity] = looks_right
        if not looks_right:
            return ("bad-asset", f"{shown} does not contain {kind} (its first bytes are not {kind}'s)",
                    f"export the picture as {kind}; renaming a file does not convert it")
        return None

    def check_assets(self) -> None:
        missing_hint = "paths are relative to the scenario file or to assets/, without '..'"

        def background(path, ref):
            if not isinstance(ref, str):
                return
            found = self.find_asset(ref)
            if found is None:
                self.sink.error(self.pos(path), "missing-asset", f"background {_show(ref)} not found", missing_hint)
                return
            problem = self.art_problem(found, ref)
            if problem is not None:
                code, message, hint = problem
                self.sink.error(self.pos(path), code, f"background {message}", hint)
        for node_id, node in _d(self.data.get("nodes")).items():
            background(("nodes", node_id, "background"), _d(node).get("background"))
        for eid, ending in _d(self.data.get("endings")).items():
            background(("endings", eid, "background"), _d(ending).get("background"))
        portraits = [(("characters", cid, "portrait"), _d(char).get("portrait"))
                     for cid, char in _d(self.data.get("characters")).items()]
        for i, v in enumerate(_l(_d(self.data.get("variants")).get("list"))):
            for cid, char in _d(_d(v).get("characters")).items():
                portraits.append((("variants", "list", i, "characters", cid, "portrait"), _d(char).get("portrait")))
        for path, ref in portraits:
            if not isinstance(ref, str):
                continue
            folder = self.find_asset(ref)
            real = self._inside_roots(folder) if folder is not None else None
            if folder is not None and real is None:
                self.sink.error(self.pos(path), "bad-asset",
                                f"portrait {_show(ref)} is a link that is broken or leads outside the scenario's "
                                "folder and Parley's assets", "copy the folder itself instead of linking to it")
                continue
            missing, problems = [], []
            for e in PORTRAIT_EXPRESSIONS:
                name = f"{e}.svg"
                candidate = real / name if real is not None and real.is_dir() else None
                try:
                    exists = candidate is not None and os.path.lexists(candidate)
                except (OSError, ValueError):
                    exists = False
                if not exists:
                    missing.append(name)
                    continue
                problem = self.art_problem(candidate, f"{ref}/{name}")
                if problem is not None:
                    problems.append(problem)
            if missing:
                self.sink.error(self.pos(path), "missing-asset",
                                f"portrait {_show(ref)} lacks {', '.join(missing)}",
                                "a portrait is a folder under assets/ with calm, anxious, upset and angry SVGs")
            for code, message, hint in problems:
                self.sink.error(self.pos(path), code, f"portrait file {message}", hint)

    # --- translations ---------------------------------------------------------------------------
    def check_translations(self) -> None:
        languages = list(dict.fromkeys(l for l in _l(self.data.get("languages")) if isinstance(l, str)))
        default = self.data.get("language")
        if isinstance(default, str) and languages and default not in languages:
            shown = f"[{', '.join(map(repr, languages))}]" if len(languages) <= LISTED else \
                f"[{_listing(map(repr, languages))}]"
            self.sink.error(self.pos(("language",)), "bad-language",
                            f"default language {_show(default)} is not in languages {shown}",
                            "add it to languages")
        if len(languages) < 2:
            return
        wanted = set(languages)
        others = _listing(l for l in languages if l != default)
        missing_count = 0

        def walk(value, path):
            nonlocal missing_count
            if isinstance(value, dict):
                keys = set(value)
                looks_like_text = keys and all(isinstance(k, str) and 2 <= len(k) <= 8 and isinstance(v, str)
                                               for k, v in value.items()) and keys & wanted
                if looks_like_text:
                    missing = len(wanted) - len(keys & wanted)
                    if missing and missing_count < 50:
                        for lang in languages:
                            if lang not in value and missing_count < 50:
                                missing_count += 1
                                missing -= 1
                                self.sink.warning(self.pos(path), "missing-translation",
                                                  f"no {lang!r} text here; players see the {_show(default)} text",
                                                  f"add `{lang}: ...`")
                            if missing_count >= 50:
                                break
                    missing_count += missing
                    return
                for k, v in value.items():
                    walk(v, path + (k,))
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, path + (i,))
            elif isinstance(value, str) and path and (
                    path[-1] in TEXT_KEYS  # a text field, or an item of a list of texts:
                    or (isinstance(path[-1], int) and len(path) > 1 and path[-2] in TEXT_LISTS)):
                missing_count += 1
                if missing_count <= 50:
                    self.sink.warning(self.pos(path), "missing-translation",
                                      f"text given only in the default language; {others} missing",
                                      "give the text as a map, e.g. {en: ..., es: ...}")
        for key in ("title", "summary", "location", "dispatch", "learning_objectives", "content_notes",
                    "characters", "nodes", "endings", "debrief", "review", "graham", "variants"):
            if key in self.data:
                walk(self.data[key], (key,))
        factor = _d(_d(self.data.get("state")).get("hidden_factor"))
        if "description" in factor:
            walk(factor["description"], ("state", "hidden_factor", "description"))
        if missing_count > 50:
            self.sink.warning(None, "missing-translation", f"{missing_count - 50} more texts lack translations",
                              "translate the remaining texts")

    # --- graph: reachability, endings reachable, dead conditions --------------------------------
    def check_graph(self) -> None:
        nodes = _d(self.data.get("nodes"))
        endings = _d(self.data.get("endings"))
        start = self.data.get("start")
        if not nodes or not isinstance(start, str) or start not in nodes:
            return
        edges: dict[object, list[tuple[str, tuple, dict, tuple | None]]] = {n: [] for n in nodes}
        for path, choice, node_id, _ in iter_choices(self.data):
            if isinstance(choice.get("next"), str) and choice["next"] in self.targets:
                edges[node_id].append((choice["next"], path, choice, None))
            for i, outcome in enumerate(_l(choice.get("outcomes"))):
                nxt = _d(outcome).get("next")
                if isinstance(nxt, str) and nxt in self.targets:
                    edges[node_id].append((nxt, path, choice, path + ("outcomes", i)))
        # An instructor's inject keeps the scene but changes values: a loop on its node, for the
        # interval analysis below (reachability is the same with or without it).
        for path, inject, node_id in iter_injects(self.data):
            if node_id in edges:
                edges[node_id].append((node_id, path, inject, None))
        # Forward reachability.
        seen = {start}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            for target, *_ in edges.get(here, ()):
                if target not in seen:
                    seen.add(target)
                    if target in nodes:
                        queue.append(target)
        for node_id in nodes:
            if node_id not in seen:
                self.sink.error(self.pos(("nodes", node_id), key=True), "unreachable",
                                f"node {_show(node_id)} can never be reached from start {_show(start)}",
                                "point a choice at it, or remove it")
        for eid in endings:
            if eid not in seen:
                self.sink.error(self.pos(("endings", eid), key=True), "unreachable",
                                f"ending {_show(eid)} can never be reached", "point a choice at it, or remove it")
        # Backward: which nodes can reach an ending.
        reverse: dict[str, list[str]] = {}
        for here, out in edges.items():
            for target, *_ in out:
                reverse.setdefault(target, []).append(here)
        can_end = set(endings)
        queue = deque(endings)
        while queue:
            here = queue.popleft()
            for prev in reverse.get(here, ()):
                if prev not in can_end:
                    can_end.add(prev)
                    queue.append(prev)
        for node_id in nodes:
            if node_id in seen and node_id not in can_end:
                self.sink.error(self.pos(("nodes", node_id), key=True), "no-ending",
                                f"no ending can be reached from node {_show(node_id)}: the trainee would be trapped",
                                "give it a path to an ending")
        self.check_dead_conditions(nodes, edges, start)

    def check_dead_conditions(self, nodes, edges, start) -> None:
        """Interval analysis of values reachable at each node; reports conditions that never hold.

        An environment is a tuple of (lo, hi) pairs, one per variable in `names` order; tuples keep
        the fixpoint cheap. Conditions read a name -> interval dict built once per node visit, only
        when an edge has a condition.

        The fixpoint is found by chaotic iteration with widening: when one bound at one node has
        grown WIDEN_AFTER times (only possible for a variable with a wider range than that), it
        jumps to the end of the variable's range, so the work does not depend on the range (a loop
        adding 1 to a variable with max 1,000,000,000 costs what a loop on max 20 costs). The result
        is a post-fixpoint: it over-approximates the reachable values, so a reported condition is
        really dead. Narrowing passes then recompute every node from its predecessors, which keeps
        it a post-fixpoint and gives back the precision widening lost (all of it where the graph
        has no cycle through the widened bound). Without widening the result is the exact least
        fixpoint, as before.
        """
        names = list(self.ranges)
        init = tuple((self.initial.get(n, self.ranges[n][0]),) * 2 for n in names)
        env_at: dict[str, tuple] = {start: init}
        rules = self.effective_rules()
        rise_bonus = self.model.recovery.rise_bonus
        behaviour = _d(self.data.get("behaviour"))
        bonus = _d(behaviour.get("recovery")).get("rise_bonus")
        if _is_int(bonus) and 0 <= bonus <= MAX_NUMBER:
            rise_bonus = bonus
        # The worklist takes nodes in reverse postorder from the start (a heap of their ranks): a
        # node is visited after the nodes that lead to it, so most of the graph settles in one
        # pass and only loops are visited again (first in, first out visited each node ~8 times).
        order = self._reverse_postorder(nodes, edges, start)
        rank = {node: i for i, node in enumerate(order)}
        queue = [rank[start]]
        queued = {start}
        transfers: dict[int, object] = {}
        self._index = {n: i for i, n in enumerate(names)}
        self._bounds = bounds = tuple(self.ranges[n] for n in names)
        self._shifts: dict[frozenset, tuple] = {}
        growth: dict[str, list[int]] = {}  # node -> times each bound grew (lo and hi of each slot)
        widened = False

        def passes(edge, env, named):
            """The env that `edge` carries out of a node at `env`, or None when its condition is dead.

            `named` is the env as a name -> interval dict, or None to build it when needed.
            """
            _target, path, choice, outcome_path = edge
            cond = self.parsed.get(path + ("condition",))
            if cond is not None and interval(cond, named or dict(zip(names, env))) == (0, 0):
                return None
            transfer = transfers.get(id(edge))
            if transfer is None:
                transfer = transfers[id(edge)] = self.transfer(names, choice, outcome_path, rules, rise_bonus)
            return transfer(env)

        while queue:
            here = order[heappop(queue)]
            queued.discard(here)
            env = env_at[here]
            named = None
            for edge in edges[here]:
                target = edge[0]
                if target not in nodes:
                    continue
                if named is None and (edge[1] + ("condition",)) in self.parsed:
                    named = dict(zip(names, env))
                new = passes(edge, env, named)
                if new is None:
                    continue
                old = env_at.get(target)
                if old is None:
                    merged = new
                else:
                    merged = tuple((a[0] if a[0] < b[0] else b[0], a[1] if a[1] > b[1] else b[1])
                                   for a, b in zip(old, new))
                    if merged != old:
                        counts = growth.get(target)
                        if counts is None:
                            counts = growth[target] = [0] * (2 * len(names))
                        widen = list(merged)
                        for k, ((olo, ohi), (mlo, mhi)) in enumerate(zip(old, merged)):
                            if mlo < olo:
                                counts[2 * k] += 1
                                if counts[2 * k] >= WIDEN_AFTER:
                                    widen[k] = (bounds[k][0], widen[k][1])
                            if mhi > ohi:
                                counts[2 * k + 1] += 1
                                if counts[2 * k + 1] >= WIDEN_AFTER:
                                    widen[k] = (widen[k][0], bounds[k][1])
                        widen = tuple(widen)
                        if widen != merged:
                            widened = True
                            merged = widen
                if merged != old:
                    env_at[target] = merged
                    if target not in queued:
                        queued.add(target)
                        heappush(queue, rank[target])
        if widened:
            self._narrow(env_at, order, edges, start, init, passes)
        self.reachable = {node: dict(zip(names, env)) for node, env in env_at.items()}  # for tools and tests
        for path, choice, node_id, _ in iter_choices(self.data):
            if node_id not in env_at:
                continue
            env = dict(zip(names, env_at[node_id]))
            for cpath in [path + ("condition",)] + [path + ("outcomes", i, "condition")
                                                    for i in range(len(_l(choice.get("outcomes"))))]:
                ast = self.parsed.get(cpath)
                if ast is not None and interval(ast, env) == (0, 0):
                    ranges = ", ".join(f"{n} {lo}..{hi}" for n, (lo, hi) in env.items()
                                       if n in {v for v, _ in variables(ast)})
                    self.sink.error(self.pos(cpath), "dead-condition",
                                    f"condition `{_clip(str(self.get(cpath)))}` can never hold at node "
                                    f"{_show(node_id)} (reachable values there: {ranges})",
                                    "fix the condition or the effects that lead here")

    @staticmethod
    def _reverse_postorder(nodes, edges, start) -> list:
        """The nodes reachable from `start` in reverse postorder of a depth-first search (iterative)."""
        order, stack, visited = [], [(start, iter(edges[start]))], {start}
        while stack:
            here, out = stack[-1]
            for target, *_ in out:
                if target in nodes and target not in visited:
                    visited.add(target)
                    stack.append((target, iter(edges[target])))
                    break
            else:
                stack.pop()
                order.append(here)
        order.reverse()
        return order

    @staticmethod
    def _narrow(env_at, order, edges, start, init, passes) -> None:
        """Descending passes: each node's env becomes the join of what its predecessors send it.

        Starting from a post-fixpoint, every pass stays one (so the result stays sound) and can
        only shrink envs. Nodes go in reverse postorder from the start (`order`), so one pass
        settles every part of the graph without cycles; at most NARROW_PASSES passes are made.
        """
        incoming: dict[str, list] = {n: [] for n in order}
        for here in order:
            for edge in edges[here]:
                if edge[0] in incoming:
                    incoming[edge[0]].append((here, edge))
        for _ in range(NARROW_PASSES):
            changed = False
            for node in order:
                acc = init if node == start else None
                for source, edge in incoming[node]:
                    env = env_at.get(source)
                    if env is None:
                        continue
                    new = passes(edge, env, None)
                    if new is None:
                        continue
                    acc = new if acc is None else tuple((min(a[0], b[0]), max(a[1], b[1])) for a, b in zip(acc, new))
                old = env_at.get(node)
                if acc is None:
                    if old is not None:
                        del env_at[node]
                        changed = True
                    continue
                if old is not None:  # meet with the old env: never above it, whatever rounding did
                    acc = tuple((max(a[0], b[0]), min(a[1], b[1])) for a, b in zip(acc, old))
                    if any(lo > hi for lo, hi in acc):
                        continue
                if acc != old:
                    env_at[node] = acc
                    changed = True
            if not changed:
                break

    def get(self, path):
        value = self.data
        for p in path:
            value = value[p]
        return value

    def effective_rules(self):
        behaviour = _d(self.data.get("behaviour"))
        disabled = set(x for x in _l(behaviour.get("disable_rules")) if isinstance(x, str))
        rules = {r.id: [(set(r.tags), [(c.escalation, c.rapport) for c in r.cases])]
                 for r in self.model.rules if r.id not in disabled}
        for rule in _l(behaviour.get("rules")):
            rule = _d(rule)
            cases = []
            for case in _l(rule.get("cases")):
                case = _d(case)
                cases.append((_int(case.get("escalation", 0)), _int(case.get("rapport", 0))))
            if isinstance(rule.get("id"), str):
                rules[rule["id"]] = [(set(x for x in _l(rule.get("tags")) if isinstance(x, str)), cases)]
        return [entry for entries in rules.values() for entry in entries]

    def transfer(self, names, choice, outcome_path, rules, rise_bonus):
        """The effect of one edge on value intervals, computed once and applied on every visit.

        Over-approximates the engine: any rule case may apply, netted rises may get the recovery
        bonus, and recovery may hold any value in its range afterwards.
        """
        index = self._index
        tags = frozenset(x for x in _l(choice.get("tags")) if isinstance(x, str))
        shift = self._shifts.get(tags)
        if shift is None:
            e_lo = e_hi = r_lo = r_hi = 0
            for rule_tags, cases in rules:
                if tags & rule_tags and cases:
                    esc = [c[0] for c in cases] + [0]
                    rap = [c[1] for c in cases] + [0]
                    e_lo, e_hi = e_lo + min(esc), e_hi + max(esc)
                    r_lo, r_hi = r_lo + min(rap), r_hi + max(rap)
            shift = self._shifts[tags] = (e_lo, e_hi, r_lo, r_hi)
        e_lo, e_hi, r_lo, r_hi = shift
        steps = []  # (slot, set?, amount), in application order
        effect_sets = [_d(choice.get("effects"))]
        if outcome_path is not None:
            effect_sets.append(_d(_d(self.get(outcome_path)).get("effects")))
        for effects in effect_sets:
            for name, value in effects.items():
                if name not in index or isinstance(value, bool):
                    continue
                if isinstance(value, str) and value.startswith("="):
                    amount = _number(value[1:])
                    if amount is not None:
                        steps.append((index[name], True, amount))
                elif isinstance(value, (int, str)):
                    steps.append((index[name], False, _int(value)))
        reveals = choice.get("reveals") is True
        esc_i, rap_i = index["escalation"], index["rapport"]
        rec_i, fac_i = index["recovery"], index["factor_revealed"]
        recovery_range = (0, self.ranges["recovery"][1])
        bounds = self._bounds

        def apply(env):
            new = list(env)
            lo, hi = new[esc_i]
            new[esc_i] = (lo + e_lo, hi + e_hi)
            lo, hi = new[rap_i]
            new[rap_i] = (lo + r_lo, hi + r_hi)
            for slot, is_set, amount in steps:
                if is_set:
                    new[slot] = (amount, amount)
                else:
                    lo, hi = new[slot]
                    new[slot] = (lo + amount, hi + amount)
            lo, hi = new[esc_i]
            if hi > env[esc_i][0]:  # some rise is possible: allow for the recovery bonus
                new[esc_i] = (lo, hi + rise_bonus)
            if reveals:
                new[fac_i] = (1, 1)
            new[rec_i] = recovery_range
            return tuple((rlo if lo < rlo else rhi if lo > rhi else lo, rlo if hi < rlo else rhi if hi > rhi else hi)
                         for (lo, hi), (rlo, rhi) in zip(new, bounds))
        return apply


TEXT_KEYS = {"title", "summary", "location", "dispatch", "text", "narrative", "behaviour", "perspective",
             "feedback", "debrief", "description", "name", "offence", "label", "known_as", "about"}
TEXT_LISTS = {"content_notes", "takeaways", "questions", "check", "who"}


def _number(text: str) -> int | None:
    """A whole number written as text (an optional sign, then digits) within MAX_NUMBER, else None.

    The digits are counted before int() runs, so a number of any length costs nothing.
    """
    text = text.strip()
    sign = 1
    if text.startswith(("+", "-")):
        sign, text = (-1 if text[0] == "-" else 1), text[1:]
    if not _DIGITS.fullmatch(text) or not _digits_ok(text):
        return None
    return sign * int(text)


def _int(value) -> int:
    """An effect or rule-case number as an int; 0 when it is not a usable one."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if abs(value) <= MAX_NUMBER else 0
    if isinstance(value, str):
        return _number(value.replace("+", "")) or 0
    return 0
