"""The load cache: validated, normalised scenario data as JSON (never pickle), keyed by content hash."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import yaml

from ..paths import cache_dir
from .behaviour import DEFAULT_PATH as BEHAVIOUR_PATH
from .schema import SCHEMA_PATH

CACHE_FORMAT = "2"  # bump when the payload's shape changes
_CONTENT = Path(__file__).parent
_ENGINE = _CONTENT.parent / "engine"


@lru_cache(maxsize=1)
def toolchain_hash() -> str:
    """Changes whenever anything that decides what a file means changes: this cache's format, the
    schema, the default behaviour model, the content modules, the engine's model and expressions,
    and the PyYAML release (a new libyaml can refuse what an older one read, e.g. deep nesting)."""
    h = hashlib.sha256(f"{CACHE_FORMAT}|{yaml.__version__}|{getattr(yaml, '__with_libyaml__', False)}".encode())
    for path in [SCHEMA_PATH, BEHAVIOUR_PATH, *sorted(_CONTENT.glob("*.py")),
                 _ENGINE / "expressions.py", _ENGINE / "model.py"]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_key(content_hash: str) -> str:
    """The cache key of a file whose bytes hash to `content_hash`, for today's toolchain."""
    return f"{content_hash}-{toolchain_hash()}"


def _cache_file(key: str) -> Path:
    return cache_dir() / "scenarios" / f"{key}.json"


def read_cache(key: str) -> tuple[dict, list[list]] | None:
    """The cached (data, diagnostics as [line, column, severity, code, message, hint]) or None."""
    try:
        payload = json.loads(_cache_file(key).read_text(encoding="utf-8"))
        if payload.get("key") != key:
            return None
        return payload["data"], payload["diagnostics"]
    except Exception:  # noqa: BLE001 - a missing, stale or corrupt cache just means: load again
        return None


def write_cache(key: str, data: dict, diagnostics: list[list]) -> None:
    """Store validated data atomically (temp file, then rename); a failure only costs speed."""
    target = _cache_file(key)
    payload = {"key": key, "data": data, "diagnostics": diagnostics}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, separators=(",", ":"), ensure_ascii=False)
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only or full disk only costs speed next time
