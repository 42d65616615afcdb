"""Session records written by the window: the event log plus who trained, in which mode, and how it ended."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

from ..paths import data_dir

RECORD_FORMAT = 1


def write_record(app, session, status: str) -> str | None:
    """Write `session`'s log to the data folder (sessions/*.json); returns the path, or None on failure.

    The log is the source of truth; the debrief can always be recomputed from it with
    `scoring.grade`. Failing to write never interrupts training: the problem is shown on stderr.
    """
    stamp = time.strftime("%Y%m%dT%H%M%S")
    who = re.sub(r"[^A-Za-z0-9_-]+", "-", app.trainee)[:32].strip("-") or "trainee"
    folder = data_dir() / "sessions"
    record = {"format": "parley-session-record", "version": RECORD_FORMAT, "trainee": app.trainee,
              "mode": app.mode, "status": status, "written": stamp, "scenario": session.log[0]["scenario"],
              "source": str(Path(session.scenario.source).name), "log": session.log}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(1000):
            path = folder / f"{stamp}-{session.scenario.id}-{who}{'-' + str(n) if n else ''}.json"
            if not path.exists():
                break
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        import sys
        print(f"parley: could not write the session record to {folder}: {exc}", file=sys.stderr)
        return None
    return str(path)
