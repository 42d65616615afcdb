"""Load a scenario file: safe YAML, schema, meaning checks, then an immutable compiled model."""
from __future__ import annotations

import gc
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.model import Scenario
from ..paths import assets_dir, scenarios_dir
from .behaviour import default_model
from .build import build_scenario, normalise_effects
from .cache import cache_key, read_cache, write_cache
from .checks import SemanticChecker
from .diagnostics import Diagnostic, DiagnosticSink
from .schema import check_schema
from .yamlsafe import read_yaml


@dataclass
class LoadResult:
    """A scenario (None when it has errors) and every diagnostic found, errors and warnings."""

    scenario: Scenario | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    from_cache: bool = False

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
    keyed by its SHA-256 (plus the loader's own version), skipping validation.
    """
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return LoadResult(None, [Diagnostic(name, 0, 0, "error", "unreadable",
                                            f"cannot read the file: {exc.strerror or exc}",
                                            "check the path and permissions")])
    asset_dirs = [path.parent] + list(extra_asset_dirs or []) + [assets_dir()]
    return load_scenario_bytes(raw, name, asset_dirs=asset_dirs, use_cache=use_cache)


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
    SemanticChecker(doc, sink, model, asset_dirs if asset_dirs is not None else [assets_dir()]).run()
    diagnostics = sink.sorted()
    if sink.has_errors:
        return LoadResult(None, diagnostics)
    data = normalise_effects(doc.data)
    scenario = build_scenario(data, model, name, content_hash)
    if use_cache:
        write_cache(key, data, [[d.line, d.column, d.severity, d.code, d.message, d.hint] for d in diagnostics])
    return LoadResult(scenario, diagnostics)


def _from_cache(key: str, name: str, content_hash: str) -> LoadResult | None:
    cached = read_cache(key)
    if cached is None:
        return None
    try:
        data, diagnostics = cached
        return LoadResult(build_scenario(data, default_model(), name, content_hash),
                          [Diagnostic(name, *d) for d in diagnostics], from_cache=True)
    except Exception:  # noqa: BLE001 - a tampered or stale cache entry just means: load again
        return None


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
