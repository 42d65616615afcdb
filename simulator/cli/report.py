"""`parley report session ID` and `parley report cohort NAME`: write a self-contained HTML report
(simulator/records/reports.py) and say where it went.

Exit status: 0 written; 1 no such session or cohort, an ambiguous id, a database that cannot be used
or a file that cannot be written (one line `parley: ...` on stderr, never a traceback); 2 usage errors
(argparse's).
"""
from __future__ import annotations

from pathlib import Path

from ..i18n import _

FAILED = 1


def _check_output(path: Path) -> str | None:
    """Why `path` cannot take the report (a folder, a missing folder), before any work; None when it can."""
    if path.is_dir():
        return _("{path} is a folder; give a file name for the report").format(path=path)
    if not path.parent.is_dir():
        return _("cannot write {path}: the folder {folder} does not exist").format(path=path, folder=path.parent)
    return None


def run(args) -> int:
    """`parley report`: returns the exit status."""
    from ..records.database import DatabaseError
    from ..records.reports import (
        ReportError,
        cohort_report_html,
        cohort_report_path,
        session_report_html,
        session_report_path,
        write_report,
    )
    from .records import open_records, say_problem

    output = Path(args.output).expanduser() if args.output is not None else None
    if output is not None:
        problem = _check_output(output)
        if problem:
            return say_problem(problem)
    store = open_records(getattr(args, "db", None))
    if store is None:
        return FAILED
    try:
        if args.kind == "session":
            uid = store.find(args.name).uid
            html = session_report_html(store, uid)
            path = output or session_report_path(uid)
        else:
            html = cohort_report_html(store, args.name)
            path = output or cohort_report_path(args.name)
    except (DatabaseError, ReportError) as exc:
        return say_problem(exc)
    finally:
        store.close()
    try:
        written = write_report(path, html)
    except OSError as exc:
        return say_problem(_("cannot write {path}: {error}").format(path=path, error=exc.strerror or exc))
    print(_("Report written to {path}").format(path=written))
    return 0
