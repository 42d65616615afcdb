"""`parley records`, `parley forget` and `parley cohort`: list the stored sessions, remove a trainee's
records everywhere, and group trainees into cohorts."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import N_, _, ngettext
from ..safetext import clean_line

FAILED = 1


def _err(message: str) -> None:
    print(clean_line(message), file=sys.stderr)


def say_problem(problem) -> int:
    """`parley: <problem>` as one line on standard error; returns the exit status 1."""
    _err(_("parley: {problem}").format(problem=problem))
    return FAILED


def open_records(db: str | None):
    """The records database `--db` names (else the default), with record files imported as at every
    start; None after saying why it cannot be opened. Shared by every records command."""
    from ..records.database import DatabaseError
    from ..records.legacy import import_record_files
    from ..records.store import Store
    try:
        store = Store.open(db)
        import_record_files(store)
    except DatabaseError as exc:
        say_problem(exc)
        return None
    return store


def run(args: argparse.Namespace) -> int:
    """Dispatch `records`, `forget` and `cohort`."""
    store = open_records(getattr(args, "db", None))
    if store is None:
        return FAILED
    try:
        return {"records": _records, "forget": _forget, "cohort": _cohort}[args.command](args, store)
    except Exception as exc:
        from ..records.database import DatabaseError
        if isinstance(exc, DatabaseError):
            return say_problem(exc)
        raise
    finally:
        store.close()


_STATUS = {"in-progress": N_("in progress"), "complete": N_("complete"), "abandoned": N_("abandoned"),
           "incomplete": N_("incomplete")}
_RESULT = {"pass": N_("pass"), "needs-practice": N_("needs practice"), "fail": N_("fail")}


def _records(args, store) -> int:
    rows = store.listing(trainee=args.trainee, cohort=args.cohort, scenario=args.scenario,
                         limit=max(args.limit, 0) or None)
    if not rows:
        print(_("No sessions are stored in {db}.").format(db=store.shown_url))
        return 0
    print(_("{count} in {db}, newest first:").format(
        count=ngettext("{n} session", "{n} sessions", len(rows)).format(n=len(rows)), db=store.shown_url))
    for row in rows:
        who = row.display_name or row.pseudonym or _("guest")
        if row.display_name and row.pseudonym:
            who = f"{row.display_name} ({row.pseudonym})"
        result = _(_RESULT[row.result]) if row.result in _RESULT else "-"
        score = "" if row.overall is None else f" {row.overall}"
        print(clean_line(f"{row.uid[:8]}  {row.started_at[:16].replace('T', ' ')}  {who}  {row.scenario_id}  "
                         f"{row.mode or '-'}  {_(_STATUS[row.status]) if row.status in _STATUS else row.status}  "
                         f"{result}{score}"))
    return 0


def _forget(args, store) -> int:
    from ..paths import data_dir
    from ..records.legacy import records_folder
    gone = store.forget(args.trainee)
    files = _forget_files(args.trainee, gone, records_folder(), data_dir() / "reports")
    remembered = _forget_remembered({args.trainee} | set(gone.names if gone is not None else []))
    if gone is None and not files and not remembered:
        _err(_("parley: no trainee called {name} is in {db} (nothing was removed)").format(
            name=repr(args.trainee), db=store.shown_url))
        return FAILED
    if gone is not None:
        print(_("Removed trainee {id} from {db}:").format(id=gone.trainee, db=store.shown_url))
        print("  " + ngettext("{n} session", "{n} sessions", gone.sessions).format(n=gone.sessions) + ", " +
              ngettext("{n} event", "{n} events", gone.events).format(n=gone.events) + ", " +
              ngettext("{n} piece of feedback", "{n} pieces of feedback", gone.feedback).format(n=gone.feedback) + ", " +
              ngettext("{n} queued xAPI statement", "{n} queued xAPI statements",
                       gone.queued_statements).format(n=gone.queued_statements))
        if gone.cohorts:
            print("  " + _("removed from the cohorts: {names}").format(names=", ".join(gone.cohorts)))
        if gone.protocols:
            print("  " + _("removed from the research protocols, with their answers: {names}").format(
                names=", ".join(gone.protocols)))
        if gone.sent_statements:
            print("  " + ngettext("{n} xAPI statement had already been sent to a learning record store: remove it "
                                  "there too (xAPI has no way to take a statement back)",
                                  "{n} xAPI statements had already been sent to a learning record store: remove them "
                                  "there too (xAPI has no way to take a statement back)",
                                  gone.sent_statements).format(n=gone.sent_statements))
    for path in files:
        print("  " + _("deleted {path}").format(path=path))
    if remembered:
        print("  " + _("removed from the names the window remembers on this computer"))
    return 0


def _forget_remembered(names: set) -> bool:
    """Take `names` out of the window's remembered trainee names (settings.json); True when one was there."""
    from ..ui.settings import load_settings, save_settings
    settings, _warnings = load_settings()
    kept = [n for n in settings.recent_trainees if n not in names]
    if kept == settings.recent_trainees:
        return False
    settings.recent_trainees = kept
    problem = save_settings(settings)
    if problem:
        say_problem(problem)
    return True


def _forget_files(who: str, gone, sessions_folder: Path, reports_folder: Path) -> list[str]:
    """Delete what the data folder holds about `who`: the record files naming them (their trainee
    field), the reports of their sessions (`session-<id>.html`, and `session-<record file>.html`,
    the name the window gives a report when the database had failed), and any other report that
    names their pseudonymous id (a cohort report lists it; it can be made again without them).
    Returns the paths deleted."""
    import json
    doomed = set()
    names = {who} | set(gone.names if gone is not None else [])
    try:
        records = sorted(sessions_folder.glob("*.json"))
    except OSError:
        records = []
    for path in records:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("trainee") in names:
            doomed.add(path)
            doomed.add(reports_folder / f"session-{path.stem}.html")
    for uid in (gone.session_uids if gone is not None else []):
        doomed.add(reports_folder / f"session-{uid}.html")
    if gone is not None:
        try:
            reports = sorted(reports_folder.glob("*.html"))
        except OSError:
            reports = []
        for path in reports:
            try:
                if gone.trainee in path.read_text(encoding="utf-8", errors="replace"):
                    doomed.add(path)
            except OSError:
                continue
    deleted = []
    for path in sorted(doomed):
        if not path.exists():
            continue
        try:
            path.unlink()
            deleted.append(str(path))
        except OSError as exc:
            _err(_("parley: could not delete {path}: {error}").format(path=path, error=exc.strerror or exc))
    return deleted


def _cohort(args, store) -> int:
    if args.action == "list":
        names = store.cohort_names()
        if not names:
            print(_("No cohorts yet (parley cohort add NAME TRAINEE... makes one)."))
        for name in names:
            print(clean_line(name))
        return 0
    if not args.name or not args.trainees:
        _err(_("parley: cohort add needs a cohort name and at least one trainee"))
        return 2
    added = store.add_to_cohort(args.name, args.trainees)
    print(ngettext("{n} trainee added to {cohort}.", "{n} trainees added to {cohort}.", added).format(
        n=added, cohort=args.name))
    return 0
