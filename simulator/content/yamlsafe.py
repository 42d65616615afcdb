"""Safe YAML reading for untrusted scenario files: plain data only, with positions for errors."""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .diagnostics import DiagnosticSink

try:  # libyaml is much faster; fall back to the pure-Python loader where it is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - exercised only on machines without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64  # far more than any scenario needs; 64 levels are accepted, 65 are refused

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


_PROBE_DEPTH = 1100  # just over libyaml's own limit (1,000 levels); see _parser_limits_nesting
_limits_nesting: dict[type, bool] = {}  # loader class -> whether its parser refuses deep nesting itself


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    """Whether `exc` is the parser refusing nesting deeper than its own limit.

    The bundled libyaml of PyYAML 6.0.4 stops at 1,000 levels with a scanner error whose problem
    is "exceeded maximum nesting depth". This is the only place that relies on libyaml's wording,
    and only to classify that error as our own `too-deep`: its column is where libyaml gave up
    (often far past level 65, because its scanner looks ahead), not where the file went too deep.
    """
    return "nesting depth" in (exc.problem or "")


def _parser_limits_nesting(loader: type) -> bool:
    """Whether `loader`'s parser refuses deep nesting by itself, found once per process and loader.

    Decided by behaviour, not by version numbers: parse a small document nested `_PROBE_DEPTH`
    levels deep, block and flow, and see whether it is refused as too deep. A parser that refuses
    both composes at most about a thousand levels: linear in the file's size, and far from the end
    of the stack. libyaml without a limit (PyYAML 6.0.3) is quadratic in flow depth and overflows
    the C stack at about 25,000 levels; the pure-Python composer raises RecursionError at about 500.
    """
    known = _limits_nesting.get(loader)
    if known is None:
        probes = ("- " * _PROBE_DEPTH + "x\n", "[" * _PROBE_DEPTH + "]" * _PROBE_DEPTH)
        known = _limits_nesting[loader] = all(_refused_as_too_deep(text, loader) for text in probes)
    return known


def _refused_as_too_deep(text: str, loader: type) -> bool:
    try:
        for _ in yaml.parse(text, Loader=loader):  # events only: the parser itself never recurses
            pass
    except yaml.YAMLError as exc:
        return isinstance(exc, yaml.MarkedYAMLError) and _is_nesting_limit(exc)
    return False


def _exact_depth_exceeds(text: str, limit: int) -> tuple[int, int] | None:
    """Walk parser events and return the position where nesting passes `limit`, else None.

    The walk stops there, so it costs little on deeply nested text (the parser looks at most about
    1,024 characters ahead). On other text it is a second full parse: with libyaml, about a fifth
    of a cold load (benchmarks/README.md).
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limit:
                return (event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _too_deep_before(text: str, mark: yaml.Mark | None) -> tuple[int, int] | None:
    """Where nesting first passes MAX_DEPTH in the text before `mark`, where the parser stopped.

    The parser may stop on its own nesting limit, or on a syntax error after nesting too deep
    (composing has no depth check, and the walk's parser can meet an error while looking ahead).
    The text before `mark` is within the parser's limit, so its events can be walked; if that
    fails for any reason, the answer is None.
    """
    if mark is None:
        return None
    try:
        return _exact_depth_exceeds(text[: mark.index], MAX_DEPTH)
    except yaml.YAMLError:
        return None


def _too_deep(sink: DiagnosticSink, pos: tuple[int, int] | None) -> None:
    sink.error(pos, "too-deep", f"nesting deeper than {MAX_DEPTH} levels",
               "scenarios never need this much nesting; flatten the structure")


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
        if not _parser_limits_nesting(_Loader):
            # This parser would compose any depth (see _parser_limits_nesting), so bound nesting
            # first. With a parser that has a limit of its own, levels 65 up to that limit are
            # refused by _convert instead, and the parser's refusal beyond it just below.
            where = _exact_depth_exceeds(text, MAX_DEPTH)
            if where is not None:
                _too_deep(sink, where)
                return None
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else None
        deep = _too_deep_before(text, mark)
        if deep is not None or _is_nesting_limit(exc):
            # Too deep before the point where the parser stopped, or stopped by the parser's own
            # nesting limit (libyaml in PyYAML 6.0.4: 1,000 levels), which is past ours: either
            # way the file breaks our rule first, so say so in our words, where it passed 64
            # levels, not as a syntax error in libyaml's words at the point where it gave up.
            _too_deep(sink, deep or pos)
            return None
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
    if depth >= MAX_DEPTH:  # the root is depth 0, so this is the 65th level
        if "too-deep" not in seen:  # once per file, like the walk before composing
            seen.add("too-deep")
            _too_deep(sink, _pos(node))
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
            _convert(value_node, sink, seen, depth + 1)  # dropped, but still checked (e.g. nesting)
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            sink.error(_pos(key_node), "complex-key", "mapping keys must be plain text",
                       "use a simple name as the key")
            _convert(key_node, sink, seen, depth + 1)  # dropped, but still checked (e.g. nesting)
            _convert(value_node, sink, seen, depth + 1)
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
