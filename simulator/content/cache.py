"""The load cache: validated, normalised scenario data as JSON (never pickle), keyed by content hash."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import yaml

from ..files import write_atomically
from ..paths import cache_dir
from .behaviour import DEFAULT_PATH as BEHAVIOUR_PATH
from .schema import SCHEMA_PATH

CACHE_FORMAT = "4"  # bump when the payload's shape or the checks that made its diagnostics change
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
    """The cached (data, diagnostics as [line, column, severity, code, message, hint]) or None.

    A cache file is one header line of JSON ({"key", "sha256", "diagnostics"}) and then the data
    as JSON. It is used only when the header names this key, the data's bytes hash to the stored
    SHA-256 and the diagnostics have their shape; anything else (a missing, stale, truncated,
    corrupt or edited file, a file over the size limit) is a miss. The hash catches damage, not a
    deliberate edit (anyone who can write the file can write a matching hash), so the loader also
    checks the data against the schema before it builds from it (`loader._from_cache`).
    """
    from .yamlsafe import MAX_BYTES
    try:
        path = _cache_file(key)
        with open(path, "rb") as fh:
            blob = fh.read(4 * MAX_BYTES + 1)  # JSON of a 5 MB scenario is smaller than this
        if len(blob) > 4 * MAX_BYTES:
            return None
        header_end = blob.index(b"\n")
        header = json.loads(blob[:header_end])
        body = blob[header_end + 1:]
        if not isinstance(header, dict) or header.get("key") != key:
            return None
        if header.get("sha256") != hashlib.sha256(body).hexdigest():
            return None
        diagnostics = header.get("diagnostics")
        if not isinstance(diagnostics, list) or not all(_diagnostic_shape(d) for d in diagnostics):
            return None
        data = json.loads(body)
        if not isinstance(data, dict):
            return None
        return data, diagnostics
    except Exception:  # noqa: BLE001 - a missing, stale or corrupt cache just means: load again
        return None


def _diagnostic_shape(d) -> bool:
    return (isinstance(d, list) and len(d) == 6 and all(type(x) is int and x >= 0 for x in d[:2])
            and d[2] in ("error", "warning") and all(isinstance(x, str) for x in d[3:]))


def write_cache(key: str, data: dict, diagnostics: list[list]) -> None:
    """Store validated data atomically (temp file, then rename); a failure only costs speed."""
    target = _cache_file(key)
    try:
        body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        header = json.dumps({"key": key, "sha256": hashlib.sha256(body).hexdigest(), "diagnostics": diagnostics},
                            separators=(",", ":"), ensure_ascii=True).encode("ascii")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, header + b"\n" + body, durable=False)
    except (OSError, ValueError, TypeError):
        pass  # a read-only or full disk only costs speed next time
