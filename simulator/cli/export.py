"""`parley export csv`, `xapi` and `research`: the records as CSV files, sent to a learning record store,
or a research protocol's data as one CSV file (cli/research.py)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import _, ngettext
from ..safetext import clean_line
from .options import since_time

FAILED, USAGE = 1, 2


def run(args: argparse.Namespace) -> int:
    """`parley export csv` here; `parley export xapi` in cli/xapi.py and `parley export research` in
    cli/research.py. --since is read once, for csv and xapi."""
    if args.kind == "research":
        from .research import export as export_research
        return export_research(args)
    if getattr(args, "protocol", None) is not None:
        print(clean_line(_("parley export {kind}: unexpected argument {value} (a protocol file is for export "
                           "research)").format(kind=args.kind, value=repr(str(args.protocol)))), file=sys.stderr)
        return USAGE
    try:
        since = since_time(args.since)
    except ValueError:
        print(clean_line(_("parley export: --since takes a date as YYYY-MM-DD, not {value}").format(
            value=repr(args.since))), file=sys.stderr)
        return USAGE
    if args.kind == "xapi":
        from .xapi import run as run_xapi
        return run_xapi(args, since)
    from ..records.csv_export import export_csv
    from ..records.database import DatabaseError
    from .records import open_records, say_problem
    store = open_records(args.db)
    if store is None:
        return FAILED
    try:
        paths = export_csv(store, args.output or Path("."), since=since)
    except DatabaseError as exc:
        return say_problem(exc)
    except OSError as exc:
        return say_problem(_("could not write the CSV files to {folder}: {error}").format(
            folder=args.output or Path("."), error=exc.strerror or exc))
    finally:
        store.close()
    sessions_path, decisions_path, n_sessions, n_decisions = paths
    print(ngettext("{n} session written to {path}", "{n} sessions written to {path}", n_sessions).format(
        n=n_sessions, path=sessions_path))
    print(ngettext("{n} decision written to {path}", "{n} decisions written to {path}", n_decisions).format(
        n=n_decisions, path=decisions_path))
    return 0
