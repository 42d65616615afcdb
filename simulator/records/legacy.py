"""Session record files (`sessions/*.json` in the data folder): written when the database cannot be
used, and imported into the database once, losing nothing.

Before the database, the window kept one such file per session; the same format is the fallback now.
A file's name is built only from a timestamp and safe slugs of the scenario id and the trainee
(ASCII letters, digits, `_` and `-`, at most 40 characters each) and, when needed, a counter: no id
or name can put a `/`, `..`, a NUL or anything else into the path. Files are written atomically and
kept after import (the database notes each file's name and SHA-256, so it is imported once).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from ..files import write_atomically
from ..paths import data_dir

RECORD_FORMAT = 1
SLUG_CHARS = 40
MAX_RECORD_BYTES = 64 * 1024 * 1024
_NOT_SLUG = re.compile(r"[^A-Za-z0-9_-]+")
_NAMESPACE = uuid.UUID("5b0f4a52-7d4c-4b8e-9a61-0c3f2e1d9a77")  # uuid5 namespace of imported records


def records_folder() -> Path:
    return data_dir() / "sessions"


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


def write_record_file(session, *, trainee, mode, status: str, source: str, path: str | None = None,
                      cohort: str | None = None) -> str | None:
    """Write `session`'s log as a record file; returns its path, or None on failure (said on stderr).

    With `path` (a record this session wrote before), that file is replaced atomically."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    folder = records_folder()
    try:
        record = {"format": "parley-session-record", "version": RECORD_FORMAT, "trainee": trainee,
                  "mode": mode, "status": status, "written": stamp, "scenario": session.log[0]["scenario"],
                  "source": str(Path(source).name), "log": session.log}
        if cohort:
            record["cohort"] = cohort
        data = _record_text(record).encode("utf-8")
        folder.mkdir(parents=True, exist_ok=True)
        if path is not None and Path(path).parent == folder:
            target = Path(path)
        else:
            for n in range(10000):
                target = folder / record_name(stamp, session.scenario.id, trainee, n)
                if not os.path.lexists(target):
                    break
            else:
                raise OSError(f"too many records named {record_name(stamp, session.scenario.id, trainee)} in this second")
        write_atomically(target, data)
    except (OSError, ValueError, TypeError, RecursionError) as exc:
        print(f"parley: could not write the session record to {folder}: {exc}", file=sys.stderr)
        return None
    return str(target)


class _LoggedSession:
    """What Store.start needs of a session: its log."""

    def __init__(self, log: list[dict]):
        self.log = log


def _check_log(log) -> str | None:
    """Why `log` is not a session's event log, or None."""
    if not isinstance(log, list) or not log or not all(isinstance(e, dict) for e in log):
        return "it holds no event log"
    first = log[0]
    scenario = first.get("scenario")
    if first.get("type") != "session_started" or not isinstance(scenario, dict) or not isinstance(scenario.get("id"), str):
        return "its log does not begin with a session start"
    if not isinstance(first.get("seed"), int) or isinstance(first.get("seed"), bool):
        return "its log has no seed"
    if any(e.get("seq") != i for i, e in enumerate(log)):
        return "its events are not numbered 0, 1, 2... in order"
    return None


def _utc(stamp: str) -> str | None:
    """A record's local `%Y%m%dT%H%M%S` stamp as stored time (UTC ISO 8601), or None."""
    try:
        local = datetime.strptime(stamp[:15], "%Y%m%dT%H%M%S")
    except (TypeError, ValueError):
        return None
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _scenario_for(record: dict, cache: dict):
    """The scenario a record was played on, when a bundled scenario file of that name has the same
    content hash (so that its report can be made); else None."""
    source = record.get("source")
    if not isinstance(source, str) or source in cache:
        return cache.get(source)
    cache[source] = None
    from ..content.loader import load_scenario
    from ..paths import scenarios_dir
    path = scenarios_dir() / Path(source).name
    if path.is_file():
        try:
            scenario = load_scenario(path).scenario
        except Exception:  # noqa: BLE001 - a broken file only means no report now; the log is kept
            return None
        cache[source] = scenario
    return cache[source]


def import_record_files(store, folder: Path | None = None, *, quiet: bool = False) -> tuple[int, list[str]]:
    """Import every record file in `folder` (default: the data folder's sessions/) not imported
    before; returns (how many were imported, the problems, one line per file that could not be).
    Files are never changed or removed; each is noted with its SHA-256 so it is imported once."""
    from .database import DatabaseError
    from .graded import score_report
    from .store import ABANDONED, COMPLETE, INCOMPLETE
    folder = folder or records_folder()
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))
    except OSError:
        return 0, []
    imported, problems, scenarios = 0, [], {}
    for name in names:
        if store.imported(name):
            continue
        path = folder / name
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_RECORD_BYTES + 1)
        except OSError as exc:
            problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
            continue
        digest = hashlib.sha256(data).hexdigest()
        problem, uid = None, str(uuid.uuid5(_NAMESPACE, digest))
        try:
            if len(data) > MAX_RECORD_BYTES:
                raise ValueError(f"it is larger than {MAX_RECORD_BYTES // (1024 * 1024)} MB")
            record = json.loads(data.decode("utf-8"))
            if not isinstance(record, dict) or record.get("format") != "parley-session-record":
                raise ValueError("it is not a Parley session record")
            log = record.get("log")
            why = _check_log(log)
            if why:
                raise ValueError(why)
            status = record.get("status") if isinstance(record.get("status"), str) else ""
            trainee = record.get("trainee") if isinstance(record.get("trainee"), str) else None
            session = _LoggedSession(log)
            started = _utc(name) or _utc(str(record.get("written")))
            try:
                store.start(session, trainee=trainee, mode=record.get("mode") if isinstance(record.get("mode"), str) else None,
                            source=str(record.get("source") or ""), cohort=record.get("cohort") if isinstance(
                                record.get("cohort"), str) else None,
                            settings={"imported_from": name}, started_at=started, uid=uid)
            except DatabaseError:
                if not store.has_session(uid):
                    raise
                # else an earlier import of this file stopped half way: finish it below
            report = report_problem = None
            scenario = _scenario_for(record, scenarios)
            if status == "complete" or status.startswith("abandoned"):
                if scenario is not None:
                    report, report_problem = score_report(scenario, log)
                else:
                    report_problem = "the scenario file it was played on is not among the bundled scenarios"
            final = COMPLETE if status == "complete" else ABANDONED if status.startswith("abandoned") else INCOMPLETE
            detail = status.partition(":")[2].strip() or None if final == ABANDONED else (
                "imported from a record file left in progress" if final == INCOMPLETE else None)
            store.finish(uid, log, final, report=report, report_problem=report_problem, detail=detail,
                         ended_at=_utc(str(record.get("written"))))
            imported += 1
        except DatabaseError as exc:  # the database, not the file: not noted, so tried again at the next start
            problems.append(f"{path}: not imported now ({exc}); it is tried again at the next start")
            continue
        except (ValueError, UnicodeDecodeError, TypeError, KeyError, RecursionError) as exc:
            problem, uid = f"not imported: {exc}", None
            problems.append(f"{path}: {problem} (the file is kept)")
        store.note_import(name, digest, uid, problem)
    if problems and not quiet:
        for line in problems:
            print(f"parley: {line}", file=sys.stderr)
    return imported, problems
