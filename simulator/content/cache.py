"""The load cache: validated, normalised scenario data as JSON (never pickle), keyed by content hash.

Entries are signed with HMAC-SHA256 under a random key kept in the user's data folder (not the
cache folder), made on first use and readable by its owner only. An entry whose signature checks
was written by this user's Parley after the file passed every check, so it is built without being
checked again; an unsigned entry (no key could be made or read) is checked against the schema first.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path

import yaml

from ..files import write_atomically
from ..paths import cache_dir, data_dir
from .behaviour import DEFAULT_PATH as BEHAVIOUR_PATH
from .schema import SCHEMA_PATH

CACHE_FORMAT = "5"  # bump when the payload's shape or the checks that made its diagnostics change
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


KEY_FILE = "cache.key"  # in data_dir(): the signing key of this user's cache entries
_KEYS: dict[str, bytes | None] = {}


def signing_key() -> bytes | None:
    """This user's 32-byte cache signing key, made on first use (owner-only), or None when it can
    neither be read nor made (a read-only home: entries are then checked against the schema)."""
    path = data_dir() / KEY_FILE
    where = str(path)
    if where not in _KEYS:
        _KEYS[where] = _read_or_make_key(path)
    return _KEYS[where]


def _read_or_make_key(path: Path) -> bytes | None:
    for _ in range(2):
        try:
            with open(path, "rb") as fh:
                key = fh.read(65)
            return key if len(key) == 32 else None
        except FileNotFoundError:
            pass
        except OSError:
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            continue  # another process made it first: read theirs
        except OSError:
            return None
        try:
            key = secrets.token_bytes(32)
            os.write(fd, key)
            return key
        except OSError:
            return None
        finally:
            os.close(fd)
    return None


def _signature(signing: bytes, key: str, diagnostics_json: bytes, body: bytes) -> str:
    mac = hmac.new(signing, key.encode("ascii", "replace") + b"\n" + diagnostics_json + b"\n", hashlib.sha256)
    mac.update(body)
    return mac.hexdigest()


def read_cache(key: str) -> tuple[dict, list[list], bool] | None:
    """The cached (data, diagnostics as [line, column, severity, code, message, hint], signed) or None.

    A cache file is one header line of JSON ({"key", "mac" or "sha256", "diagnostics"}) and then
    the data as JSON. It is used only when the header names this key and either its HMAC checks
    under this user's signing key (`signed`: the entry is trusted as written) or, for an entry
    written without a key, the data's bytes hash to the stored SHA-256 (which catches damage, not
    a deliberate edit: the loader then checks the data against the schema before it builds from
    it, `loader._from_cache`). Anything else (a missing, stale, truncated, corrupt, edited or
    foreign file, a file over the size limit) is a miss.
    """
    from .yamlsafe import MAX_BYTES
    try:
        path = _cache_file(key)
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > 4 * MAX_BYTES:  # JSON of a 5 MB scenario is smaller
                return None
            blob = fh.read(size + 1)  # read(n) allocates n bytes first: ask for what is there
        if len(blob) > 4 * MAX_BYTES:
            return None
        header_end = blob.index(b"\n")
        header = json.loads(blob[:header_end])
        body = blob[header_end + 1:]
        if not isinstance(header, dict) or header.get("key") != key:
            return None
        diagnostics = header.get("diagnostics")
        if not isinstance(diagnostics, list) or not all(_diagnostic_shape(d) for d in diagnostics):
            return None
        signing = signing_key()
        mac = header.get("mac")
        if isinstance(mac, str) and signing is not None:
            expected = _signature(signing, key, _diagnostics_json(diagnostics), body)
            if not hmac.compare_digest(mac, expected):
                return None
            signed = True
        elif mac is None and header.get("sha256") == hashlib.sha256(body).hexdigest():
            signed = False
        else:
            return None
        data = json.loads(body)
        if not isinstance(data, dict):
            return None
        return data, diagnostics, signed
    except Exception:  # noqa: BLE001 - a missing, stale or corrupt cache just means: load again
        return None


def _diagnostics_json(diagnostics: list[list]) -> bytes:
    return json.dumps(diagnostics, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _diagnostic_shape(d) -> bool:
    return (isinstance(d, list) and len(d) == 6 and all(type(x) is int and x >= 0 for x in d[:2])
            and d[2] in ("error", "warning") and all(isinstance(x, str) for x in d[3:]))


def write_cache(key: str, data: dict, diagnostics: list[list]) -> None:
    """Store validated data atomically (temp file, then rename), signed when this user has a key;
    a failure only costs speed."""
    target = _cache_file(key)
    try:
        body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        signing = signing_key()
        header: dict = {"key": key}
        if signing is not None:
            header["mac"] = _signature(signing, key, _diagnostics_json(diagnostics), body)
        else:
            header["sha256"] = hashlib.sha256(body).hexdigest()
        header["diagnostics"] = diagnostics
        head = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, head + b"\n" + body, durable=False)
    except (OSError, ValueError, TypeError):
        pass  # a read-only or full disk only costs speed next time
