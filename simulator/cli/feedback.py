"""`parley feedback SCENARIO`: the workshop feedback on a scenario, for its authors, as an HTML summary
and a CSV file (simulator/records/feedback_report.py), so that co-design closes the loop.

SCENARIO is a scenario file or a bundled scenario's id; its id is what the records hold. An id that
no file has any more (a renamed or retired scenario) still works when the database holds feedback
on it. With neither --html nor --csv, both are written in the current folder as
`feedback-<id>.html` and `feedback-<id>.csv`; with either, only the files named.

Exit status: 0 written (also when there is no feedback yet: the page says so); 1 an unknown
scenario, a scenario file with errors, a database that cannot be used or a file that cannot be
written (one line `parley: ...` on stderr, never a traceback); 2 usage errors (argparse's).
"""
from __future__ import annotations

from pathlib import Path

from ..i18n import _

FAILED = 1


def _scenario(name: str):
    """(id, title, version) of the scenario `name` names, or (None, why) when there is none."""
    from .opening import CommandError, open_scenario
    try:
        _path, scenario = open_scenario(name, scoring=False)
    except CommandError as exc:
        return None, str(exc)
    from ..i18n import language
    return (scenario.id, scenario.title.get(language(), scenario.language), scenario.version), None


def run(args) -> int:
    """`parley feedback`: returns the exit status."""
    from ..records.database import DatabaseError
    from ..records.feedback_report import feedback_csv, feedback_rows, render_feedback_report, summary_line
    from ..records.legacy import slug
    from ..records.reports import write_report
    from .records import open_records, say_problem
    from .report import _check_output

    found, why = _scenario(args.scenario)
    scenario_id, title, version = found if found is not None else (args.scenario, None, None)
    stem = f"feedback-{slug(scenario_id, 'scenario')}"
    wanted = [(kind, Path(given).expanduser()) for kind, given in (("html", args.html), ("csv", args.csv)) if given]
    if not wanted:
        wanted = [("html", Path(f"{stem}.html")), ("csv", Path(f"{stem}.csv"))]
    for _kind, path in wanted:
        problem = _check_output(path)
        if problem:
            return say_problem(problem)
    store = open_records(getattr(args, "db", None))
    if store is None:
        return FAILED
    try:
        rows = feedback_rows(store, scenario_id)
    except DatabaseError as exc:
        return say_problem(exc)
    finally:
        store.close()
    if found is None and not rows:  # neither a scenario nor feedback by that id: say what is known
        return say_problem(why)
    written = []
    for kind, path in wanted:
        try:
            if kind == "html":
                write_report(path, render_feedback_report(scenario_id, rows, title=title, current_version=version))
            else:
                from ..files import write_atomically
                write_atomically(path, feedback_csv(rows))
        except OSError as exc:
            return say_problem(_("cannot write {path}: {error}").format(path=path, error=exc.strerror or exc))
        written.append(path)
    for path in written:
        print(_("Written to {path}").format(path=path))
    print(summary_line(scenario_id, rows))
    return 0
