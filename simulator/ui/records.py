"""Session records written by the window: the event log plus who trained, in which mode, and how it ended.

A record's file name is built only from a timestamp, safe slugs of the scenario id and the trainee
(ASCII letters, digits, `_` and `-`, at most 40 characters each) and, when needed, a counter: no id or
name can put a `/`, `..`, a NUL, a newline or anything else into the path. The file is written
atomically: a temporary file in the same folder, flushed and fsynced, then `os.replace`.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

from ..files import write_atomically
from ..paths import data_dir

RECORD_FORMAT = 1
SLUG_CHARS = 40
_NOT_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


def slug(text, fallback: str) -> str:
    """`text` as a file-name part: runs of anything but ASCII letters, digits, `_` and `-` become one
    `-`, at most SLUG_CHARS characters, no `-` at either end; `fallback` when nothing is left."""
    if not isinstance(text, str):
        text = ""
    part = _NOT_SLUG.sub("-", text)[:SLUG_CHARS].strip("-")
    return part or fallback


def record_name(stamp: str, scenario_id, trainee, n: int = 0) -> str:
    """The file name of a record: `<stamp>-<scenario slug>-<trainee slug>[-<n>].json`."""
    return f"{slug(stamp, 'time')}-{slug(scenario_id, 'scenario')}-{slug(trainee, 'trainee')}{'-' + str(n) if n else ''}.json"


def _record_text(record: dict) -> str:
    try:
        text = json.dumps(record, ensure_ascii=False, indent=1, allow_nan=False)
        text.encode("utf-8")  # a lone surrogate (from a typed name) cannot be written as UTF-8 text
        return text
    except UnicodeEncodeError:
        return json.dumps(record, ensure_ascii=True, indent=1, allow_nan=False)


IN_PROGRESS = "in progress"  # written after every decision; left so, it means the window was killed


def write_record(app, session, status: str, path: str | None = None) -> str | None:
    """Write `session`'s log to the data folder (sessions/*.json); returns the path, or None on failure.

    With `path` (a record this session wrote before), that file is replaced atomically: the scene
    rewrites its record after every decision with status IN_PROGRESS, so a window that is killed
    loses at most the decision in progress, and the last write gives the final status. The log is
    the source of truth; the debrief can always be recomputed from it with `scoring.grade`.
    Failing to write never interrupts training: the problem is shown on stderr.
    """
    stamp = time.strftime("%Y%m%dT%H%M%S")
    folder = data_dir() / "sessions"
    try:
        scenario_id = session.scenario.id
        trainee = getattr(app, "trainee", None)
        record = {"format": "parley-session-record", "version": RECORD_FORMAT, "trainee": trainee,
                  "mode": getattr(app, "mode", None), "status": status, "written": stamp,
                  "scenario": session.log[0]["scenario"], "source": str(Path(session.scenario.source).name),
                  "log": session.log}
        data = _record_text(record).encode("utf-8")
        folder.mkdir(parents=True, exist_ok=True)
        if path is not None and Path(path).parent == folder:
            path = Path(path)
        else:
            for n in range(10000):
                path = folder / record_name(stamp, scenario_id, trainee, n)
                if not os.path.lexists(path):
                    break
            else:
                raise OSError(f"too many records named {record_name(stamp, scenario_id, trainee)} in this second")
        write_atomically(path, data)
    except (OSError, ValueError, TypeError, RecursionError) as exc:
        print(f"parley: could not write the session record to {folder}: {exc}", file=sys.stderr)
        return None
    return str(path)
