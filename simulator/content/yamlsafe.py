"""Safe YAML reading for untrusted scenario files: plain data only, with positions for errors.

`read_yaml` checks the cheap limits first (size, line length), then builds plain data in ONE pass
over the parser's events, counting values and nesting as it goes and stopping as soon as a limit
is passed. No node graph is composed and no event is kept (a 10,000-node file has about two
million): `YamlDocument.position` parses the text again, into an index of positions, only when a
diagnostic (schema, meaning checks) first asks for one, so files without problems never pay.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import yaml

from .diagnostics import DiagnosticSink

try:  # libyaml is much faster; fall back to the pure-Python parser where it is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - exercised only on machines without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# Limits (docs/scenario-format.md, "Limits"). Each is checked before the work it protects.
MAX_BYTES = 5 * 1024 * 1024  # bytes in one file: refused before it is read whole
MAX_LINE = 20_000  # characters in one line: libyaml scans a line (and a flow collection) as a whole
MAX_DEPTH = 64  # far more than any scenario needs; 64 levels are accepted, 65 are refused
MAX_VALUES = 200_000  # YAML values (scalars, lists and mappings) in one file; 5 MB of scenario is ~170,000
MAX_TEXT = 10_000  # characters in one value or key
MAX_DIGITS = 15  # digits in a whole number: every such number is exact as a double, and int() stays cheap

_MERGE = "<<"
# Plain words YAML 1.1 (PyYAML) and YAML 1.2 (editors) both read the same way.
_WORDS = {"~": None, "null": None, "Null": None, "NULL": None, "": None,
          "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# Plain words YAML 1.1 reads as true/false and YAML 1.2 as text.
_YAML11_BOOLS = frozenset(["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"])
_NUMBER_START = frozenset("0123456789+-.")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")  # whole numbers both YAML versions read alike
_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?")  # ditto, decimals
_NON_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
# Numbers that YAML 1.1 (PyYAML) or YAML 1.2 read differently, or that one of them reads as text.
_QUIRKS = (
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+"), "hexadecimal"),
    (re.compile(r"[-+]?0o[0-7_]+"), "octal-12"),
    (re.compile(r"[-+]?0b[01_]+"), "binary"),
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"), "base-60"),
    (re.compile(r"[-+]?0[0-7_]+"), "octal"),
    (re.compile(r"[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"), "decimal"),
)
# Characters YAML does not allow in a file (YAML 1.1 printable set), for the reader's error.
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SHOWN_CHARACTERS = 20  # a file full of control characters lists this many, then says how many more


class SignedInt(int):
    """An integer written with an explicit sign (`+1`, `-2`): effects read it as a change."""

    __slots__ = ()


@dataclass
class YamlDocument:
    """Plain data read from one YAML file, able to say where any value came from."""

    file: str
    data: object
    _index: dict | None = field(repr=False, default=None)
    text: str | None = field(repr=False, default=None)

    def position(self, path: tuple, key: bool = False) -> tuple[int, int] | None:
        """1-based (line, column) of the value at `path` (or of its key when `key` is true).

        Falls back to the nearest enclosing value that exists. The index is built on first use,
        from the parser's events for the `text` that `read_yaml` read, so files without problems
        never pay for it; it does not depend on `data`, which callers may change. None without a text.
        """
        if self._index is None:
            if self.text is None:
                return None
            self._index = _index_events(yaml.parse(self.text, Loader=_Loader))  # a second parse
        probe = tuple(path)
        while True:
            hit = self._index.get((probe, key and probe == tuple(path)))
            if hit is not None:
                return hit
            if not probe:
                return (1, 1)
            probe = probe[:-1]


def _index_events(events) -> dict:
    """{(path, is_key): (line, column)} from the events of one document, in order."""
    index: dict = {}
    stack: list[list] = []  # [is_mapping, path, next list index or current key, expecting a key]
    for event in events:
        cls = event.__class__
        if cls is _MAP_END or cls is _SEQ_END:
            stack.pop()
            continue
        if cls is not _SCALAR and cls is not _MAP_START and cls is not _SEQ_START and cls is not _ALIAS:
            continue
        pos = (event.start_mark.line + 1, event.start_mark.column + 1)
        if not stack:
            path: tuple = ()
        else:
            frame = stack[-1]
            if frame[0]:
                if frame[3]:  # a key
                    frame[2] = event.value if cls is _SCALAR else None
                    frame[3] = False
                    index.setdefault((frame[1] + (frame[2],), True), pos)
                    if cls is _MAP_START or cls is _SEQ_START:  # a complex key: its content has no path
                        stack.append([cls is _MAP_START, frame[1] + (None,), 0, cls is _MAP_START])
                    continue
                path = frame[1] + (frame[2],)
                frame[3] = True
            else:
                path = frame[1] + (frame[2],)
                frame[2] += 1
        index.setdefault((path, False), pos)
        if cls is _MAP_START:
            stack.append([True, path, None, True])
        elif cls is _SEQ_START:
            stack.append([False, path, 0, False])
    return index


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    """Whether `exc` is the parser refusing nesting deeper than its own limit.

    The bundled libyaml of PyYAML 6.0.4 stops at 1,000 levels with a scanner error whose problem
    is "exceeded maximum nesting depth". This is the only place that relies on libyaml's wording,
    and only to classify that error as our own `too-deep`: its column is where libyaml gave up
    (often far past level 65, because its scanner looks ahead), not where the file went too deep.
    """
    return "nesting depth" in (exc.problem or "")


def _exact_depth_exceeds(text: str, limit: int) -> tuple[int, int] | None:
    """Walk parser events and return the position where nesting passes `limit`, else None.

    Used only after the parser stopped with an error (see `_too_deep_before`); it stops at the
    limit, and after MAX_VALUES values, so it never costs more than the pass it repeats.
    """
    depth = values = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limit:
                return (event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        values += 1
        if values > 2 * MAX_VALUES:
            return None
    return None


def _too_deep_before(text: str, mark: yaml.Mark | None) -> tuple[int, int] | None:
    """Where nesting first passes MAX_DEPTH in the text before `mark`, where the parser stopped.

    The parser may stop on its own nesting limit (libyaml in PyYAML 6.0.4: 1,000 levels), or on a
    syntax error its scanner met while looking ahead, before it gave us the events of the levels
    past 64. The text before `mark` is within the parser's limit, so its events can be walked; if
    that fails for any reason, the answer is None.
    """
    if mark is None or mark.index is None:
        return None
    return _too_deep_in(text[: mark.index])


def _too_deep_in(text: str) -> tuple[int, int] | None:
    """Where nesting first passes MAX_DEPTH in `text` (which may end in the middle of a token), else None."""
    try:
        return _exact_depth_exceeds(text, MAX_DEPTH)
    except yaml.YAMLError:
        return None


def _too_deep(sink: DiagnosticSink, pos: tuple[int, int] | None) -> None:
    sink.error(pos, "too-deep", f"nesting deeper than {MAX_DEPTH} levels",
               "scenarios never need this much nesting; flatten the structure")


_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")
_TO_LF = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of character `index` in `text`, counting line breaks as YAML does
    (LF, CR, CR LF, NEL, LS, PS). Counted in C (`str.count`), never line by line."""
    line = 1 + sum(text.count(b, 0, index) for b in _BREAKS) - text.count("\r\n", 0, index)
    start = max(text.rfind(b, 0, index) for b in _BREAKS) + 1
    return line, index - start + 1


def _long_run(raw, newline=b"\n") -> int | None:
    """Where the first run of more than MAX_LINE items of `raw` (bytes or str) without `newline`
    starts, else None.

    Each step jumps to the last newline within MAX_LINE + 1 items (`rfind`, in C), so every two
    steps move on by at least MAX_LINE, and nothing is allocated per line.
    """
    size, pos, window = len(raw), 0, MAX_LINE + 1
    while size - pos > MAX_LINE:
        last = raw.rfind(newline, pos, pos + window)
        if last < 0:
            return pos
        pos = last + 1
    return None


def _long_line(raw: bytes, text: str) -> tuple[int, int, int, int] | None:
    """(line, column, length, index where the limit is passed) of the first line longer than
    MAX_LINE characters, else None.

    One pass over the bytes: a line of at most MAX_LINE bytes has at most MAX_LINE characters, so
    only a file with a longer run (rare) is looked at again, in characters, with every YAML line
    break (CR, NEL, LS and PS as well as LF).
    """
    if _long_run(raw) is None:
        return None
    flat = text.translate(_TO_LF)
    start = _long_run(flat, "\n")
    if start is None:
        return None
    end = flat.find("\n", start)
    length = (end if end >= 0 else len(flat)) - start
    line, _ = line_col(text, start)
    return line, MAX_LINE + 1, length, start + MAX_LINE


def read_yaml(raw: bytes, file: str, sink: DiagnosticSink) -> YamlDocument | None:
    """Parse untrusted YAML bytes into plain Python data (dict, list, str, int, float, bool, None).

    Refuses, with a diagnostic and never an exception: files over MAX_BYTES, bad UTF-8, lines over
    MAX_LINE characters, syntax errors and characters YAML does not allow, several documents, more
    than MAX_VALUES values, nesting deeper than MAX_DEPTH, values or keys over MAX_TEXT characters,
    tags (`!!python/...` and any other explicit tag), anchors and aliases, merge keys, complex and
    duplicate keys, numbers that are not finite or have more than MAX_DIGITS digits, and plain
    values that YAML 1.1 and YAML 1.2 read differently (`yes`, `010`, `0x10`, `1:20`, `1_000`,
    `1e3`). Returns None when the data cannot be trusted; otherwise the document (which may still
    carry non-fatal diagnostics in `sink`).
    """
    if len(raw) > MAX_BYTES:
        sink.error(None, "too-large", f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                   "split the scenario or remove embedded data")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[: exc.start].count(b"\n") + 1
        col = len(raw[line_start: exc.start].decode("utf-8", "replace")) + 1
        sink.error((line, col), "encoding", "the file is not valid UTF-8", "save the file as UTF-8")
        return None
    long_line = _long_line(raw, text)
    if long_line is not None:
        line, col, length, index = long_line
        deep = _too_deep_in(text[:index])
        if deep is not None:  # nesting passes 64 levels before the line passes its limit
            _too_deep(sink, deep)
            return None
        sink.error((line, col), "line-too-long",
                   f"line {line} is {length:,} characters long; the limit is {MAX_LINE:,}",
                   "break long text over several lines (a `>-` block folds them back into one) "
                   "and long lists one item per line")
        return None
    before = len(sink.items)
    builder = _Builder(text, sink)
    try:
        data = builder.run()
    except _Stop:
        return None
    except yaml.MarkedYAMLError as exc:
        _syntax_error(text, exc, sink)
        return None
    except yaml.reader.ReaderError as exc:
        _reader_error(text, exc, sink)
        return None
    except yaml.YAMLError as exc:  # no position known at all (never seen; kept as a safety net)
        sink.error(None, "yaml-syntax", f"YAML error: {exc}", "check the file is plain YAML")
        return None
    if data is _EMPTY:
        sink.error((1, 1), "empty", "the file is empty", "start from docs/scenario-format.md")
        return None
    if len(sink.items) > before and sink.has_errors:
        return None
    return YamlDocument(file=file, data=data, text=text)


def _syntax_error(text: str, exc: yaml.MarkedYAMLError, sink: DiagnosticSink) -> None:
    mark = exc.problem_mark or exc.context_mark
    pos = (mark.line + 1, mark.column + 1) if mark else None
    deep = _too_deep_before(text, mark)
    if deep is not None or _is_nesting_limit(exc):
        # Too deep before the point where the parser stopped, or stopped by the parser's own
        # nesting limit, which is past ours: either way the file breaks our rule first, so say so
        # in our words, where it passed 64 levels, not in libyaml's words where it gave up.
        _too_deep(sink, deep or pos)
        return
    problem = exc.problem or exc.context or "invalid YAML"
    if mark is not None and mark.index is not None and mark.index >= len(text):
        # libyaml marks the end of the stream on the line after the last line break (one past the end
        # of a two-line file is "line 3"), which no editor can jump to: point at the end of the last
        # line that has something on it, and say what was left open, from where.
        sink.error(_end_of_text(text), "yaml-syntax", f"YAML syntax error: {problem}",
                   _unclosed_hint(text, exc.context, exc.context_mark))
        return
    at_tab = mark is not None and mark.index is not None and mark.index < len(text) and text[mark.index] == "\t"
    sink.error(pos or (1, 1), "yaml-syntax", f"YAML syntax error: {problem}",
               "indent with spaces, not tabs" if at_tab else _syntax_hint(problem))


def _end_of_text(text: str) -> tuple[int, int]:
    """1-based (line, column) just after the last character that is not white space (1, 1 when none)."""
    end = len(text.rstrip())
    return line_col(text, end) if end else (1, 1)


# What libyaml was reading when the stream ended, in a scenario author's words, and how to close it.
_LEFT_OPEN = (("quoted scalar", "quoted text", "close the quote"),
              ("flow sequence", "[...] list", "add the missing ']'"),
              ("flow mapping", "{...} mapping", "add the missing '}'"))


def _unclosed_hint(text: str, context: str | None, context_mark: yaml.Mark | None) -> str:
    """The hint for a file that ends before its YAML is complete: what was left open, and where."""
    for key, what, fix in _LEFT_OPEN:
        if context and key in context:
            if context_mark is not None and context_mark.index is not None and context_mark.index < len(text):
                line, col = line_col(text, context_mark.index)
                return f"the file ends inside the {what} that starts at line {line}, column {col}; {fix}"
            return f"the file ends before this {what} is closed; {fix}"
    return "the file ends before the YAML is complete; look for an unclosed quote or bracket"


def _reader_error(text: str, exc: yaml.reader.ReaderError, sink: DiagnosticSink) -> None:
    """Characters YAML does not allow: every one of them (up to a few), each at its line and column.

    The reader's own offset counts bytes with libyaml and characters without it, so the characters
    are found again here, where each position is exact either way.
    """
    found = 0
    for match in _NON_PRINTABLE.finditer(text):
        found += 1
        if found > _SHOWN_CHARACTERS:
            continue
        code = ord(match.group())
        sink.error(line_col(text, match.start()), "control-character",
                   f"the character U+{code:04X} is not allowed in a YAML file",
                   f"remove it; write it as the escape \"\\u{code:04x}\" inside double quotes if it is really meant")
    if found > _SHOWN_CHARACTERS:
        sink.error(line_col(text, match.start()), "control-character",
                   f"{found - _SHOWN_CHARACTERS:,} more characters that YAML does not allow",
                   "the file may not be text; save it again as plain UTF-8 text")
    if not found:  # the reader refused something else (never seen): say what it said, where it was
        index = exc.position if isinstance(exc.position, int) and 0 <= exc.position <= len(text) else 0
        sink.error(line_col(text, index), "yaml-syntax", f"YAML error: {exc.reason}",
                   "check the file is plain UTF-8 text")


def _syntax_hint(problem: str) -> str:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted"
    if "could not find expected ':'" in problem:
        return "each line in a mapping needs `key: value`"
    return "compare with the examples in docs/scenario-format.md"


class _Stop(Exception):
    """A limit was passed: the diagnostic is in the sink, and nothing more is read."""


_EMPTY = object()  # the stream holds no document
_DROP = object()  # a key or value that is reported and left out of the data
_SCALAR = yaml.ScalarEvent
_MAP_START = yaml.MappingStartEvent
_SEQ_START = yaml.SequenceStartEvent
_MAP_END = yaml.MappingEndEvent
_SEQ_END = yaml.SequenceEndEvent
_ALIAS = yaml.AliasEvent


def _pos(event) -> tuple[int, int]:
    return (event.start_mark.line + 1, event.start_mark.column + 1)


class _Builder:
    """Plain data from the parser's events, in one pass, refusing what a scenario must not hold.

    A frame on the stack is [container, is_mapping, pending_key, first_seen, dropped]; for a
    mapping, pending_key is _NO_KEY while a key is expected, and first_seen maps each key to its
    event (for the position of a duplicate's first); a dropped frame is a complex key, read (and checked) but left out of the data.
    """

    def __init__(self, text: str, sink: DiagnosticSink):
        self.text = text
        self.sink = sink
        self.values = 0
        self.anchors: set[str] = set()

    def run(self):
        loader = _Loader(self.text)
        try:
            return self._walk(loader.get_event)
        finally:
            loader.dispose()

    def _walk(self, next_event):
        sink = self.sink
        stack: list[list] = []
        no_key = _NO_KEY
        result = _EMPTY
        values = 0
        event = next_event()  # StreamStart
        event = next_event()
        if isinstance(event, yaml.StreamEndEvent):
            return _EMPTY
        # DocumentStart
        while True:
            event = next_event()
            cls = event.__class__
            if cls is _SCALAR:
                values += 1
                if values > MAX_VALUES:
                    self._too_many(event)
                frame = stack[-1] if stack else None
                text = event.value
                # The common cases inline (a clean key, text, a word): `_scalar` has every rule.
                if event.anchor is not None or event.tag is not None or len(text) > MAX_TEXT:
                    value = self._scalar(event, frame)
                elif frame is not None and frame[1] and frame[2] is no_key:  # a key
                    if text in frame[3] or (text == _MERGE and event.implicit[0]):
                        value = self._scalar(event, frame)
                    else:
                        frame[3][text] = event
                        value = text
                elif not event.implicit[0]:  # quoted or block: always text
                    value = text
                elif text in _WORDS:
                    value = _WORDS[text]
                elif text[:1] in _NUMBER_START or text in _YAML11_BOOLS:
                    value = self._scalar(event, frame)
                else:
                    value = text
            elif cls is _MAP_START or cls is _SEQ_START:
                values += 1
                if values > MAX_VALUES:
                    self._too_many(event)
                if len(stack) >= MAX_DEPTH:  # the root is level 1, so this is the 65th level
                    _too_deep(sink, _pos(event))
                    raise _Stop
                if event.anchor is not None:
                    self._anchor(event)
                if event.tag is not None:
                    self._tag(event)
                parent = stack[-1] if stack else None
                dropped = parent is not None and parent[1] and parent[2] is no_key
                if dropped:  # the key is dropped; its content is still read and checked
                    sink.error(_pos(event), "complex-key", "mapping keys must be plain text",
                               "use a simple name as the key")
                stack.append([{} if cls is _MAP_START else [], cls is _MAP_START, no_key, {}, dropped])
                continue
            elif cls is _MAP_END or cls is _SEQ_END:
                frame = stack.pop()
                value = _DROP if frame[4] else frame[0]
            elif cls is _ALIAS:
                values += 1
                if values > MAX_VALUES:
                    self._too_many(event)
                if event.anchor not in self.anchors:
                    self.anchors.add(event.anchor)
                    sink.error(_pos(event), "alias",
                               "YAML anchors and aliases (&name / *name) are not allowed; this value is reused",
                               "write the content out again where it is needed")
                value = _DROP
            else:  # DocumentEnd, never reached with an open collection
                break
            if not stack:
                result = value
                break
            frame = stack[-1]
            if not frame[1]:
                frame[0].append(None if value is _DROP else value)
            elif frame[2] is no_key:
                frame[2] = value  # a key: _scalar returned its text (or _DROP)
            else:
                key = frame[2]
                frame[2] = no_key
                if key is not _DROP and value is not _DROP:
                    frame[0][key] = value
                elif key is not _DROP:
                    frame[0][key] = None
        self.values = values
        if result is not _EMPTY:
            if not isinstance(event, yaml.DocumentEndEvent):
                event = next_event()  # DocumentEnd
            event = next_event()
            if not isinstance(event, yaml.StreamEndEvent):
                sink.error(_pos(event), "several-documents", "the file holds more than one YAML document",
                           "remove the `---` separators; one scenario per file")
                raise _Stop
        return None if result is _DROP else result

    def _too_many(self, event) -> None:
        self.sink.error(_pos(event), "too-many-values",
                        f"the file holds more than {MAX_VALUES:,} values (texts, numbers, lists and mappings)",
                        "a scenario this large cannot be played or reviewed; split it into several scenarios")
        raise _Stop

    def _anchor(self, event) -> None:
        self.anchors.add(event.anchor)
        self.sink.error(_pos(event), "alias",
                        f"YAML anchors and aliases (&{_short(event.anchor)} / *name) are not allowed",
                        "write the content out again where it is needed")

    def _tag(self, event) -> None:
        self.sink.error(_pos(event), "tag", f"the tag {_short(event.tag)!r} is not allowed in scenario files",
                        "remove the `!` tag; scenario files hold plain text, numbers and lists "
                        "(to keep a value as text, quote it)")

    def _scalar(self, event, frame):
        """The value of a scalar event, or _DROP when it is reported; a key's text when `frame`
        is a mapping waiting for a key."""
        value = event.value
        bad = False
        if event.anchor is not None:
            self._anchor(event)
            bad = True
        if event.tag is not None:
            self._tag(event)
            bad = True
        if len(value) > MAX_TEXT:
            what = "key" if frame is not None and frame[1] and frame[2] is _NO_KEY else "value"
            self.sink.error(_pos(event), "text-too-long",
                            f"this {what} is {len(value):,} characters long; the limit is {MAX_TEXT:,}",
                            "shorten it; a scene's text is read on one screen")
            bad = True
        if frame is not None and frame[1] and frame[2] is _NO_KEY:  # a key: always its text, as written
            if bad:
                return _DROP
            if value == _MERGE and event.implicit[0]:
                self.sink.error(_pos(event), "merge-key", "merge keys (<<) are not allowed",
                                "write the keys out in full")
                return _DROP
            first = frame[3].get(value)
            if first is not None:
                line, column = _pos(first)
                self.sink.error(_pos(event), "duplicate-key",
                                f"duplicate key {_short(value)!r} (first defined at line {line}, column {column})",
                                "remove or rename one of them; YAML would silently keep only the last")
                return _DROP
            frame[3][value] = event  # its position is worked out only for a duplicate
            return value
        if bad:
            return _DROP
        if not event.implicit[0]:  # quoted or block: always text
            return value
        if value in _WORDS:
            return _WORDS[value]
        if value[:1] in _NUMBER_START:
            return self._number(event, value)
        if value in _YAML11_BOOLS:
            self.sink.error(_pos(event), "ambiguous-yes-no",
                            f"{value!r} is read as {'true' if value.lower() in ('yes', 'on') else 'false'} by this "
                            "loader (YAML 1.1) but as text by YAML 1.2 tools such as editors",
                            f"write true or false for a yes/no field, or quote it (\"{value}\") if you mean the word")
            return _DROP
        return value

    def _number(self, event, value: str):
        if _INT.fullmatch(value):
            digits = len(value) - (value[0] in "+-")
            if digits > MAX_DIGITS:
                self.sink.error(_pos(event), "number-too-long",
                                f"a whole number with {digits:,} digits; the limit is {MAX_DIGITS}",
                                "no scenario value needs a number this large; check for a typing slip "
                                "(quote it if it is really text, such as a reference number)")
                return _DROP
            number = int(value)
            return SignedInt(number) if value[0] in "+-" else number
        if _FLOAT.fullmatch(value):
            number = float(value)
            if not math.isfinite(number):
                self.sink.error(_pos(event), "not-finite",
                                f"{_short(value)} is too large to be a number (it overflows to infinity)",
                                "use a number of a sensible size")
                return _DROP
            return number
        if _NON_FINITE.fullmatch(value):
            self.sink.error(_pos(event), "not-finite",
                            f"{value} (infinity or not-a-number) is not allowed",
                            "use a finite number; a timer or weight needs a real value")
            return _DROP
        for pattern, kind in _QUIRKS:
            if pattern.fullmatch(value):
                message, hint = _quirk(value, kind)
                self.sink.error(_pos(event), "ambiguous-number", message, hint)
                return _DROP
        return value  # text that starts like a number: "1.0.0", "7:40 pm", "-"


_NO_KEY = object()


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _quirk(value: str, kind: str) -> tuple[str, str]:
    """Message and hint for a plain number that YAML 1.1 and YAML 1.2 read differently."""
    shown = _short(value)
    quote = f"quote it (\"{shown}\") if it is text, such as a code or a time"
    sign = -1 if value[0] == "-" else 1
    digits = value.lstrip("+-").replace("_", "")
    meaning = None
    try:
        if len(digits) <= 16:
            if kind == "hexadecimal":
                meaning = sign * int(digits[2:], 16)
            elif kind == "binary":
                meaning = sign * int(digits[2:], 2)
            elif kind in ("octal", "octal-12"):
                meaning = sign * int(digits[2:] if kind == "octal-12" else digits, 8)
            elif kind == "base-60" and "." not in digits:
                meaning = 0
                for part in digits.split(":"):
                    meaning = meaning * 60 + int(part)
                meaning *= sign
    except ValueError:
        meaning = None
    said = f" ({meaning})" if meaning is not None else ""
    if kind == "hexadecimal":
        return (f"{shown} is a hexadecimal number{said}; scenario numbers are written in decimal",
                f"write {meaning if meaning is not None else 'it in decimal'}, or {quote}")
    if kind == "binary":
        return (f"{shown} is a binary number{said}; scenario numbers are written in decimal",
                f"write {meaning if meaning is not None else 'it in decimal'}, or {quote}")
    if kind == "octal-12":
        return (f"{shown} is an octal number{said} for YAML 1.2 tools but text for this loader (YAML 1.1)",
                f"write {meaning if meaning is not None else 'it in decimal'}, or {quote}")
    minus = "-" if value[0] == "-" else ""
    if kind == "octal":
        plain = minus + _short(digits.lstrip("0") or "0")
        octal = f"the octal number {meaning}" if meaning is not None else "an octal number"
        return (f"{shown} is read as {octal} by this loader (YAML 1.1, because of the leading zero) "
                f"but as {plain} by YAML 1.2 tools",
                f"write {plain} without the leading zero, or {quote}")
    if kind == "base-60":
        return (f"{shown} is read as a base-60 number{said} by this loader (YAML 1.1) and as text by YAML 1.2 tools",
                f"quote it (\"{shown}\") if it is a time or a ratio"
                + (f", or write {meaning}" if meaning is not None else ""))
    if "_" in value:
        plain = value.replace("_", "")
        return (f"{shown} is read as the number {_short(plain)} by this loader (YAML 1.1) but as text by YAML 1.2 tools",
                f"write {_short(plain)} without underscores, or {quote}")
    if value.lstrip("+-")[:1] == "0" and value.lstrip("+-")[1:2].isdigit():
        plain = minus + _short(value.lstrip("+-").lstrip("0") or "0")
        return (f"{shown} is text for this loader (YAML 1.1) but the number {plain} for YAML 1.2 tools",
                f"write {plain} without the leading zero, or {quote}")
    return (f"{shown} is text for this loader (YAML 1.1) but a number for YAML 1.2 tools",
            "write the number in plain decimal with a point and a signed exponent (1000 or 1.0e+3), "
            f"or {quote}")
