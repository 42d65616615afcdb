"""Safe YAML reading for untrusted scenario files: plain data only, with positions for errors."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from .diagnostics import DiagnosticSink

try:  # libyaml is much faster; fall back to the pure-Python loader where it is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - exercised only on machines without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64  # far more than any scenario needs; libyaml is quadratic (and can crash) when deep

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"

_constructor = yaml.constructor.SafeConstructor()


class SignedInt(int):
    """An integer written with an explicit sign (`+1`, `-2`): effects read it as a change."""

    __slots__ = ()


@dataclass
class YamlDocument:
    """Plain data read from one YAML file, able to say where any value came from."""

    file: str
    data: object
    root: yaml.Node | None = field(repr=False, default=None)
    _index: dict | None = field(repr=False, default=None)

    def position(self, path: tuple, key: bool = False) -> tuple[int, int] | None:
        """1-based (line, column) of the value at `path` (or of its key when `key` is true).

        Falls back to the nearest enclosing value that exists. The index is built on first use,
        so files without problems never pay for it.
        """
        if self.root is None:
            return None
        if self._index is None:
            self._index = {}
            _index_positions(self.root, (), self._index)
        probe = tuple(path)
        while True:
            hit = self._index.get((probe, key and probe == tuple(path)))
            if hit is not None:
                return hit
            if not probe:
                return (1, 1)
            probe = probe[:-1]


def _index_positions(node: yaml.Node, path: tuple, index: dict, depth: int = 0) -> None:
    index[(path, False)] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if depth > MAX_DEPTH:
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            sub = path + (key,)
            index.setdefault((sub, True), (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            _index_positions(value_node, sub, index, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_positions(item, path + (i,), index, depth + 1)


_SCAN = re.compile(r"""[\[\]{}"'#]""")
_DOUBLE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SINGLE = re.compile(r"'(?:[^']|'')*'")
_DEEP_BLOCK = re.compile(r"^ {160,}\S|(?:-[ \t]+){24,}", re.MULTILINE)


def _maybe_deep(text: str) -> bool:
    """Cheap, conservative test: False only when nesting is certainly shallow.

    Tracks flow brackets outside quoted scalars and comments (quoted scalars are skipped by a
    regular expression, at C speed). Block nesting needs indentation or compact `- - -` runs,
    which another regular expression bounds.
    """
    if _DEEP_BLOCK.search(text):
        return True
    depth = 0
    pos = 0
    search = _SCAN.search
    limit = MAX_DEPTH // 2
    while True:
        m = search(text, pos)
        if m is None:
            return False
        i = m.start()
        ch = text[i]
        if ch == "[" or ch == "{":
            depth += 1
            if depth > limit:
                return True
            pos = i + 1
        elif ch == "]" or ch == "}":
            if depth:
                depth -= 1
            pos = i + 1
        elif ch == "#":
            if i == 0 or text[i - 1] in " \t\n":
                end = text.find("\n", i)
                if end < 0:
                    return False
                pos = end
            else:
                pos = i + 1
        elif i and text[i - 1] not in " \t\n[{,:-?":
            pos = i + 1  # a quote inside a plain scalar, e.g. Ruth's
        else:
            q = (_DOUBLE if ch == '"' else _SINGLE).match(text, i)
            if q is None:
                return True  # unterminated: let the exact check decide
            pos = q.end()


def _exact_depth_exceeds(text: str, limit: int) -> tuple[int, int] | None:
    """Walk parser events and return the position where nesting passes `limit`, else None."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limit:
                return (event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def read_yaml(raw: bytes, file: str, sink: DiagnosticSink) -> YamlDocument | None:
    """Parse untrusted YAML bytes into plain Python data (dict, list, str, int, float, bool, None).

    Refuses, with a diagnostic and never an exception: files over 5 MB, bad UTF-8, syntax errors,
    several documents, nesting deeper than 64, tags (`!!python/...` and any other explicit
    tag), anchors and aliases, merge keys, and duplicate keys. Returns None when the data cannot
    be trusted; otherwise the document (which may still carry non-fatal diagnostics in `sink`).
    """
    if len(raw) > MAX_BYTES:
        sink.error(None, "too-large", f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                   "split the scenario or remove embedded data")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        sink.error((line, col), "encoding", "the file is not valid UTF-8", "save the file as UTF-8")
        return None
    try:
        if _maybe_deep(text):
            where = _exact_depth_exceeds(text, MAX_DEPTH)
            if where is not None:
                sink.error(where, "too-deep", f"nesting deeper than {MAX_DEPTH} levels",
                           "scenarios never need this much nesting; flatten the structure")
                return None
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            sink.error(pos, "several-documents", "the file holds more than one YAML document",
                       "remove the `---` separators; one scenario per file")
        else:
            at_tab = mark is not None and mark.index < len(text) and text[mark.index] == "\t"
            sink.error(pos, "yaml-syntax", f"YAML syntax error: {problem}",
                       "indent with spaces, not tabs" if at_tab else _syntax_hint(problem))
        return None
    except yaml.YAMLError as exc:
        sink.error(None, "yaml-syntax", f"YAML error: {exc}", "check the file is plain YAML")
        return None
    if root is None:
        sink.error((1, 1), "empty", "the file is empty", "start from docs/scenario-format.md")
        return None
    before = len(sink.items)
    data = _convert(root, sink, set(), 0)
    if len(sink.items) > before and sink.has_errors:
        return None
    return YamlDocument(file=file, data=data, root=root)


def _syntax_hint(problem: str) -> str:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted"
    if "could not find expected ':'" in problem:
        return "each line in a mapping needs `key: value`"
    return "compare with the examples in docs/scenario-format.md"


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(node: yaml.Node, sink: DiagnosticSink, seen: set, depth: int):
    """Turn a composed node into plain data, reporting unsafe or ambiguous constructs."""
    if id(node) in seen:
        if ("alias", id(node)) in seen:
            return None  # reported once per anchor, however often it is reused
        seen.add(("alias", id(node)))
        sink.error(_pos(node), "alias",
                   "YAML anchors and aliases (&name / *name) are not allowed; this value is reused",
                   "write the content out again where it is needed")
        return None
    seen.add(id(node))
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            return node.value
        if tag == _INT:
            value = _constructor.construct_yaml_int(node)
            raw = node.value
            return SignedInt(value) if raw[:1] in "+-" else value
        if tag == _FLOAT:
            return _constructor.construct_yaml_float(node)
        if tag == _BOOL:
            return _constructor.construct_yaml_bool(node)
        if tag == _NULL:
            return None
        if tag == _TIMESTAMP:
            return node.value  # dates are kept as written
        sink.error(_pos(node), "tag", f"the tag {tag!r} is not allowed in scenario files",
                   "remove the `!` tag; scenario files hold plain text, numbers and lists")
        return None
    if depth >= MAX_DEPTH:
        sink.error(_pos(node), "too-deep", f"nesting deeper than {MAX_DEPTH} levels",
                   "flatten the structure")
        return None
    if isinstance(node, yaml.SequenceNode):
        if tag != _SEQ:
            sink.error(_pos(node), "tag", f"the tag {tag!r} is not allowed in scenario files",
                       "remove the `!` tag")
            return None
        return [_convert(item, sink, seen, depth + 1) for item in node.value]
    if tag != _MAP:
        sink.error(_pos(node), "tag", f"the tag {tag!r} is not allowed in scenario files",
                   "remove the `!` tag")
        return None
    result: dict = {}
    first_seen: dict = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            sink.error(_pos(key_node), "merge-key", "merge keys (<<) are not allowed",
                       "write the keys out in full")
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            sink.error(_pos(key_node), "complex-key", "mapping keys must be plain text",
                       "use a simple name as the key")
            continue
        key = _convert(key_node, sink, seen, depth + 1)
        if isinstance(key, bool) or key is None:
            key = key_node.value  # `yes:` or `on:` as a key means the word, not a boolean
        if not isinstance(key, str):
            key = str(key)
        if key in first_seen:
            line, col = _pos(first_seen[key])
            sink.error(_pos(key_node), "duplicate-key",
                       f"duplicate key {key!r} (first defined at line {line}, column {col})",
                       "remove or rename one of them; YAML would silently keep only the last")
            continue
        first_seen[key] = key_node
        result[key] = _convert(value_node, sink, seen, depth + 1)
    return result
