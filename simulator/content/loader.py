"""Load a scenario file: safe YAML, schema, meaning checks, then an immutable compiled model."""
from __future__ import annotations

import gc
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.model import Scenario
from ..paths import assets_dir, scenarios_dir
from . import yamlsafe
from .behaviour import default_model
from .build import build_scenario, normalise_effects
from .cache import cache_key, read_cache, write_cache
from .checks import SemanticChecker
from .diagnostics import Diagnostic, DiagnosticSink
from .schema import check_schema, over_limits, schema_accepts
from .yamlsafe import read_yaml


@dataclass
class LoadResult:
    """A scenario (None when it has errors) and every diagnostic found, errors and warnings."""

    scenario: Scenario | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    from_cache: bool = False
    document: object = field(default=None, repr=False)  # the parsed YamlDocument (positions), when not from the cache

    @property
    def ok(self) -> bool:
        return self.scenario is not None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


class ScenarioError(Exception):
    """Raised by `load_or_raise` when a scenario has errors; carries all diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics if d.severity == "error"))


def load_scenario(path: str | os.PathLike, *, use_cache: bool = True,
                  extra_asset_dirs: list[Path] | None = None) -> LoadResult:
    """Load and validate the scenario at `path`. Never raises for bad content.

    With `use_cache`, a file whose exact bytes were validated before is rebuilt from a JSON cache
    keyed by its SHA-256 (plus the loader's own version), after the cached data is checked again
    (see `_from_cache`).
    """
    path = Path(path)
    name = str(path)
    raw = read_file(path, name)
    if isinstance(raw, Diagnostic):
        return LoadResult(None, [raw])
    asset_dirs = [path.parent] + list(extra_asset_dirs or []) + [assets_dir()]
    return load_scenario_bytes(raw, name, asset_dirs=asset_dirs, use_cache=use_cache)


_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0))


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


def read_file(path: Path, name: str) -> bytes | Diagnostic:
    """The bytes of the regular file at `path`, at most yamlsafe.MAX_BYTES of them, or the
    diagnostic that says why not. Never blocks and never reads more than the limit plus one byte.

    A FIFO, device, socket or folder is refused from `os.stat`, before it is opened (opening a
    FIFO for reading waits for a writer; a device such as /dev/zero never ends). The file is
    opened with O_NONBLOCK, in case it was replaced by one of those after the stat, and checked
    again with `os.fstat`; O_NONBLOCK is then cleared for the reads.
    """
    limit = yamlsafe.MAX_BYTES

    def error(code: str, message: str, hint: str) -> Diagnostic:
        return Diagnostic(name, 0, 0, "error", code, message, hint)

    def unreadable(exc: OSError) -> Diagnostic:
        return error("unreadable", f"cannot read the file: {exc.strerror or exc}", "check the path and permissions")

    def not_a_file(mode: int) -> Diagnostic:
        return error("not-a-file", f"this is {_kind(mode)}, not a scenario file",
                     "give the path of a .yaml file")

    def too_large(size: str) -> Diagnostic:
        return error("too-large", f"file is {size} bytes; the limit is {limit:,}",
                     "split the scenario or remove embedded data")

    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        return unreadable(exc) if isinstance(exc, OSError) else error("unreadable", f"cannot read the file: {exc}",
                                                                      "check the path")
    if not stat.S_ISREG(info.st_mode):
        return not_a_file(info.st_mode)
    if info.st_size > limit:
        return too_large(f"{info.st_size:,}")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return unreadable(exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced between the stat and the open
            return not_a_file(info.st_mode)
        if _OPEN_FLAGS & getattr(os, "O_NONBLOCK", 0):
            try:
                import fcntl
                fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
            except (ImportError, OSError):
                pass  # a regular file never blocks anyway
        chunks, size = [], 0
        # Usually the whole file in one read, so that nothing copies it again; a file whose size is
        # not known in advance (0 under /proc) is read 64 KB at a time.
        ask = max(info.st_size + 1, 1 << 16)
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, ask))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # the file grew after the stat
            return too_large(f"more than {limit:,}")
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        return unreadable(exc)
    finally:
        os.close(fd)


def load_scenario_bytes(raw: bytes, name: str, *, asset_dirs: list[Path] | None = None,
                        use_cache: bool = False) -> LoadResult:
    """Load a scenario from bytes; `name` is used in diagnostics. Never raises for bad content."""
    # Loading allocates hundreds of thousands of small acyclic objects; the cyclic collector
    # would traverse them again and again (about a third of a cold load), and frees nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_bytes(raw, name, asset_dirs, use_cache)
    finally:
        if was_enabled:
            gc.enable()


def _load_bytes(raw: bytes, name: str, asset_dirs: list[Path] | None, use_cache: bool) -> LoadResult:
    content_hash = hashlib.sha256(raw).hexdigest()
    key = cache_key(content_hash)
    if use_cache:
        cached = _from_cache(key, name, content_hash)
        if cached is not None:
            return cached
    sink = DiagnosticSink(name)
    doc = read_yaml(raw, name, sink)
    if doc is None:
        return LoadResult(None, sink.sorted())
    if not isinstance(doc.data, dict):
        sink.error((1, 1), "not-a-mapping", "a scenario file must be a mapping of keys to values",
                   "start from the example in docs/scenario-format.md")
        return LoadResult(None, sink.sorted())
    model = default_model()
    check_schema(doc, sink)
    if over_limits(sink.items):  # a structure limit passed: the meaning checks would cost too much
        return LoadResult(None, sink.sorted())
    SemanticChecker(doc, sink, model, asset_dirs if asset_dirs is not None else [assets_dir()]).run()
    diagnostics = sink.sorted()
    if sink.has_errors:
        return LoadResult(None, diagnostics)
    data = normalise_effects(doc.data)
    scenario = build_scenario(data, model, name, content_hash)
    if use_cache:
        write_cache(key, data, [[d.line, d.column, d.severity, d.code, d.message, d.hint] for d in diagnostics])
    return LoadResult(scenario, diagnostics, document=doc)


def _from_cache(key: str, name: str, content_hash: str) -> LoadResult | None:
    """The scenario rebuilt from the cache, or None (a miss: load the file again).

    `read_cache` checks the entry's key, the shape of its diagnostics and its signature (an entry
    this user's Parley wrote after every check passed); an unsigned entry must also pass the
    compiled schema validator again here before it is built. Any mismatch or exception is a miss.
    """
    cached = read_cache(key)
    if cached is None:
        return None
    try:
        data, diagnostics, signed = cached
        if any(d[2] == "error" for d in diagnostics):  # only scenarios without errors are cached
            return None
        if not signed and not schema_accepts(data):
            return None
        scenario = build_scenario(data, default_model(), name, content_hash)
        if not signed:  # build every node now, so that data the schema cannot judge (a dangling
            for _ in scenario.nodes:  # `next`) is a miss here rather than an error in play
                pass
        return LoadResult(scenario, [Diagnostic(name, *d) for d in diagnostics], from_cache=True)
    except Exception:
        return None


def with_variant(scenario: Scenario, variant_id: str | None) -> Scenario:
    """`scenario` showing variant `variant_id` (None: its default): the same graph, values and
    grades, other names, words and portraits. Raises KeyError for a variant it does not declare."""
    if variant_id == scenario.variant or scenario.source_data is None or not scenario.variants:
        if variant_id not in (None, scenario.variant):
            raise KeyError(variant_id)
        return scenario
    if variant_id is not None and variant_id not in {v.id for v in scenario.variants}:
        raise KeyError(variant_id)
    return build_scenario(scenario.source_data, scenario.base_model or default_model(), scenario.source,
                          scenario.content_hash, variant_id)


def scenario_for_log(scenario: Scenario, log) -> Scenario:
    """The variant of `scenario` a session log was recorded on (its session_started names it); the
    scenario itself when the log names none or one it does not have (replay then reports the mismatch)."""
    try:
        named = log[0]["scenario"].get("variant")
    except (LookupError, TypeError, AttributeError):
        return scenario
    if not isinstance(named, str) or named == scenario.variant:
        return scenario
    try:
        return with_variant(scenario, named)
    except KeyError:
        return scenario


def load_or_raise(path: str | os.PathLike, **kwargs) -> Scenario:
    """Load a scenario or raise ScenarioError with every error found."""
    result = load_scenario(path, **kwargs)
    if result.scenario is None:
        raise ScenarioError(result.diagnostics)
    return result.scenario


def bundled_scenarios() -> list[Path]:
    """Paths of the scenarios shipped with Parley, sorted by file name."""
    return sorted(scenarios_dir().glob("*.yaml"))


def resolve_scenario(name: str) -> Path | None:
    """A scenario path from a file path or the id (file stem) of a bundled scenario."""
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    for path in bundled_scenarios():
        if path.stem == name:
            return path
    return None
