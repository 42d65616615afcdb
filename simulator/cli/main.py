"""Command line: `parley` / `python main.py` with play, validate, list and the authoring tools; Ctrl-C exits cleanly.

Imports only argparse and the interface's gettext at start: with no command, the window opens
before the engine, NumPy, YAML or jsonschema are imported, so its first frame does not wait for them.
The interface language (`--lang`, else $PARLEY_LANG, else the system's) is set before the parser is
built, so that `--help` is in that language too.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..i18n import LANGUAGES, _, set_language
from ..safetext import clean_line
from .options import TIMER_SCALE_MAX, TIMER_SCALE_MIN, seed, timer_scale

USAGE_EXIT = 2
INTERRUPTED_EXIT = 130  # 128 + SIGINT, what shells report for a program stopped by Ctrl-C
LANG_ENV = "PARLEY_LANG"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2): `parley play: error: argument --seed: ...`."""

    def error(self, message: str):
        self.exit(USAGE_EXIT, _("{prog}: error: {message} (see {prog} --help)").format(
            prog=self.prog, message=clean_line(message)) + "\n")


def version() -> str:
    """Parley's version: the installed distribution's, else the one pyproject.toml states (a source tree)."""
    from importlib import metadata
    try:
        return metadata.version("parley")
    except metadata.PackageNotFoundError:
        pass
    import tomllib
    try:
        with open(Path(__file__).resolve().parents[2] / "pyproject.toml", "rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, ValueError):
        return _("unknown")


class _Version(argparse.Action):
    """--version: "parley 0.1.0". The version is looked up only when asked for (reading the installed
    metadata takes time that the window's first frame should not wait for)."""

    def __init__(self, option_strings, dest, help=None):  # noqa: A002 - argparse's own name
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(_("parley {version}").format(version=version()))  # on standard output, as argparse's own does
        parser.exit(0)


def _help_option(parser: argparse.ArgumentParser) -> None:
    """-h/--help with its help text in the interface language (argparse's own is English only)."""
    parser.add_argument("-h", "--help", action="help", help=_("show this help and exit"))


def _lang_option(parser: argparse.ArgumentParser, default) -> None:
    """--lang on `parser`; subcommands take it too (default SUPPRESS, so they never undo the main one)."""
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default=default,
                        help=_("the language of Parley's own words (default: ${env}, else the system's "
                               "language); a scenario translated into it is played in it").format(env=LANG_ENV))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="parley", add_help=False,
                     description=_("Parley: scenario-based de-escalation training. "
                                   "With no command, the window opens on the bundled scenarios."))
    _help_option(parser)
    parser.add_argument("--version", action=_Version, help=_("print Parley's version and exit"))
    _lang_option(parser, None)
    sub = parser.add_subparsers(dest="command", title=_("commands"), metavar=_("COMMAND"))
    play = sub.add_parser("play", add_help=False, help=_("play a scenario (a path or a bundled scenario's id)"),
                          description=_("Play a scenario in the window, or in the terminal with --text."))
    _help_option(play)
    play.add_argument("scenario", metavar=_("SCENARIO"),
                      help=_("a scenario file (.yaml) or a bundled scenario's id, e.g. deaf-driver-traffic-stop "
                             "(`parley list` shows them)"))
    play.add_argument("--text", action="store_true", help=_("play in the terminal instead of the window"))
    play.add_argument("--seed", type=seed, default=None, metavar=_("N"),
                      help=_("seed for random reactions and the order of the options, 0 to 2**63 - 1 "
                             "(recorded in the log); the same seed repeats a run exactly"))
    play.add_argument("--timed", action="store_true", help=_("text mode: run decision timers (off by default)"))
    play.add_argument("--timer-scale", type=timer_scale, default=1.0, metavar=_("FACTOR"),
                      help=_("give more (or less) time on every timer, e.g. 1.5 or 2 ({low} to {high})").format(
                          low=f"{TIMER_SCALE_MIN:g}", high=f"{TIMER_SCALE_MAX:g}"))
    play.add_argument("--no-timers", action="store_true", help=_("window: turn decision timers off"))
    play.add_argument("--hide-meter", action="store_true", help=_("hide the distress meter (in-service practice)"))
    play.add_argument("--undo", action="store_true",
                      help=_("text mode: allow taking back decisions (type u; every undo and its reason is logged)"))
    play.add_argument("--authored-order", action="store_true",
                      help=_("show options in the order the scenario wrote them, not shuffled (a demonstration, "
                             "a research protocol); the log records it"))
    play.add_argument("--variant", default=None, metavar=_("ID"),
                      help=_("who the people are, for a scenario with variants (parley list shows them)"))
    play.add_argument("--participant", default=None, metavar=_("CODE"),
                      help=_("counterbalance variants for a research protocol: participant 1, 2, 3... get "
                             "them in turn; any other code gets one chosen by a stable hash"))
    play.add_argument("--instructor", default=None, metavar=_("NAME"),
                      help=_("window, instructor-operated mode: who operates (recorded with every pick)"))
    play.add_argument("--console", choices=["window", "panel"], default="window",
                      help=_("window, instructor-operated mode: the operator console in a second window "
                             "(default) or as a panel over the scene that Tab shows"))
    play.add_argument("--language", default=None, metavar=_("CODE"),
                      help=_("the scenario's language when it has translations, e.g. en or es "
                             "(--lang sets the language of Parley's own words)"))
    play.add_argument("--trainee", default=None, metavar=_("NAME"),
                      help=_("text mode: who is training (a name or trainee id), for the training record; "
                             "default: a guest"))
    play.add_argument("--cohort", default=None, metavar=_("NAME"),
                      help=_("text mode: the cohort (class) the trainee belongs to, for cohort reports"))
    _db_option(play)
    play.add_argument("--log", type=Path, default=None, metavar=_("FILE"),
                      help=_("write the event log here (JSON lines, written as you play)"))
    play.add_argument("--report", type=Path, default=None, metavar=_("FILE"),
                      help=_("write the score report here (JSON) at the end"))
    _lang_option(play, argparse.SUPPRESS)  # also after the command: `parley play X --lang es`
    validate = sub.add_parser("validate", add_help=False, help=_("check scenario files and report every problem"),
                              description=_("Check scenario files and report every problem at once, as "
                                            "FILE:LINE:COL: error: ... (hint: ...). Exit status 0: all valid; "
                                            "1: problems; 2: usage error."))
    _file_check_options(validate, _("print machine-readable diagnostics (JSON)"))
    listing = sub.add_parser("list", add_help=False, help=_("list the bundled scenarios"),
                             description=_("List the bundled scenarios: id, title, audience, length and topics."))
    _help_option(listing)
    _lang_option(listing, argparse.SUPPRESS)
    _authoring_commands(sub)
    _records_commands(sub)
    _research_commands(sub)
    return parser


def _file_check_options(parser: argparse.ArgumentParser, json_help: str) -> None:
    """What validate and lint both take: files or folders, --json, --strict (and -h, --lang)."""
    _help_option(parser)
    parser.add_argument("paths", nargs="+", type=Path, metavar=_("PATH"),
                        help=_("scenario files, or folders whose .yaml files are all checked"))
    parser.add_argument("--json", action="store_true", help=json_help)
    parser.add_argument("--strict", action="store_true", help=_("treat warnings as problems too"))
    _lang_option(parser, argparse.SUPPRESS)


def _scenario_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar=_("SCENARIO"), help=_("a scenario file or a bundled scenario's id"))


def _authoring_commands(sub) -> None:
    """lint, graph, analyze, new and import: the authoring tools (docs/authoring.md)."""
    lint = sub.add_parser("lint", add_help=False, help=_("check scenarios like validate, plus warnings about "
                                                          "fairness, teaching and length (docs/lint.md)"),
                          description=_("Everything validate checks, plus warnings with stable codes that "
                                        "docs/lint.md explains. Lint never changes a file. Exit status 0: no "
                                        "errors; 1: problems; 2: usage error."))
    _file_check_options(lint, _("print machine-readable diagnostics (JSON), for editors"))

    graph = sub.add_parser("graph", add_help=False, help=_("draw a scenario's graph (Graphviz DOT, SVG, PNG)"),
                           description=_("Write the scenario's graph as Graphviz DOT, and as SVG or PNG when "
                                         "Graphviz's dot program is installed."))
    _help_option(graph)
    _scenario_argument(graph)
    graph.add_argument("-o", "--output", type=Path, default=None, metavar=_("PATH"),
                       help=_("where to write: .dot, .svg or .png (default: the scenario's id with .dot "
                              "and, when dot is installed, .svg)"))
    graph.add_argument("--path", type=Path, default=None, metavar=_("LOG"), dest="path_log",
                       help=_("overlay a recorded playthrough (an event log, JSON lines)"))
    _lang_option(graph, argparse.SUPPRESS)

    analyze = sub.add_parser("analyze", add_help=False, help=_("exact analysis: best and worst play, random "
                                                                "and naive play, which decisions matter"),
                             description=_("Solve the scenario exactly over every reachable state and random "
                                           "outcome: best and worst achievable grade, outcomes under random and "
                                           "naive play, how much each decision matters, how often each scene "
                                           "is visited."))
    _help_option(analyze)
    _scenario_argument(analyze)
    analyze.add_argument("--json", action="store_true", help=_("print the analysis as JSON"))
    _lang_option(analyze, argparse.SUPPRESS)

    new = sub.add_parser("new", add_help=False, help=_("start a new scenario by answering a few questions"),
                         description=_("Ask a few questions (title, location, the person, the hidden factor, "
                                       "audience) and write a valid scenario file to start from."))
    _help_option(new)
    new.add_argument("-o", "--output", type=Path, default=None, metavar=_("FILE"),
                     help=_("the file to write (default: from the title, in the current folder)"))
    _lang_option(new, argparse.SUPPRESS)

    importing = sub.add_parser("import", add_help=False, help=_("convert a Twine (Twee 3) or POL-COM file "
                                                                 "into a scenario"),
                               description=_("Convert a story written for another tool into a Parley scenario, "
                                             "listing everything that could not be converted and what the "
                                             "author still has to add."))
    _help_option(importing)
    importing.add_argument("kind", choices=["twee", "policecom"], metavar=_("KIND"),
                           help=_("twee (Twine's Twee 3) or policecom (POL-COM JSON)"))
    importing.add_argument("source", type=Path, metavar=_("FILE"), help=_("the file to convert"))
    importing.add_argument("-o", "--output", type=Path, default=None, metavar=_("SCENARIO"),
                           help=_("the scenario file to write (default: a name from the story, in the "
                                  "current folder)"))
    importing.add_argument("--force", action="store_true", help=_("overwrite the output file if it exists"))
    _lang_option(importing, argparse.SUPPRESS)


def _research_commands(sub) -> None:
    """research check and research run: research protocols (docs/research.md)."""
    research = sub.add_parser("research", add_help=False, help=_("check a research protocol, or run a participant "
                                                                  "through it in text mode"),
                              description=_("check: validate a research protocol and print which scenarios, "
                                            "variants and seeds the first enrolment positions get. run: enrol a "
                                            "participant by code (or resume a known code), ask the protocol's "
                                            "questions and play its scenarios in text mode, recording decision "
                                            "times to the millisecond. `parley export research` writes the data."))
    _help_option(research)
    research.add_argument("action", choices=["check", "run"], metavar=_("ACTION"), help=_("check or run"))
    research.add_argument("protocol", type=Path, metavar=_("PROTOCOL"), help=_("the protocol file (.yaml)"))
    research.add_argument("--participant", default=None, metavar=_("CODE"),
                          help=_("run: the participant's code, e.g. P001 (a code, never a name)"))
    research.add_argument("--positions", type=int, default=None, metavar=_("N"),
                          help=_("check: print the assignment of positions 1 to N (default: one full cycle)"))
    research.add_argument("--window", action="store_true",
                          help=_("run: in the window instead of the terminal (text mode when no display can show it)"))
    _db_option(research)
    _lang_option(research, argparse.SUPPRESS)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, metavar=_("URL"),
                        help=_("the records database: a SQLAlchemy URL such as postgresql+psycopg://user@host/parley, "
                               "or a SQLite file (default: $PARLEY_DATABASE_URL, else parley.db in the data folder)"))


def _records_commands(sub) -> None:
    """records, report, export, forget, cohort and feedback: the training records (docs/records.md)."""
    records = sub.add_parser("records", add_help=False, help=_("list the stored training sessions"),
                             description=_("List stored sessions, newest first: id, start, trainee, scenario, "
                                           "mode, status and result."))
    _help_option(records)
    records.add_argument("--trainee", default=None, metavar=_("NAME"), help=_("only this trainee's sessions"))
    records.add_argument("--cohort", default=None, metavar=_("NAME"), help=_("only this cohort's sessions"))
    records.add_argument("--scenario", default=None, metavar=_("ID"), help=_("only sessions of this scenario"))
    records.add_argument("--limit", type=int, default=50, metavar=_("N"), help=_("at most N sessions (default 50; 0: all)"))
    _db_option(records)
    _lang_option(records, argparse.SUPPRESS)

    report = sub.add_parser("report", add_help=False, help=_("write an HTML report of a session or a cohort"),
                            description=_("Write a self-contained HTML report (charts included) that opens in any "
                                          "browser offline and prints on A4 or Letter."))
    _help_option(report)
    report.add_argument("kind", choices=["session", "cohort"], metavar=_("KIND"),
                        help=_("session (an after-action review) or cohort (a class's results)"))
    report.add_argument("name", metavar=_("ID_OR_NAME"),
                        help=_("the session's id (its first characters are enough) or the cohort's name"))
    report.add_argument("-o", "--output", type=Path, default=None, metavar=_("FILE"),
                        help=_("the HTML file to write (default: in the data folder's reports/)"))
    _db_option(report)
    _lang_option(report, argparse.SUPPRESS)

    export = sub.add_parser("export", add_help=False, help=_("export records as CSV, or send them to a learning "
                                                             "record store (xAPI)"),
                            description=_("csv: one file of sessions and one of decisions (columns in "
                                          "docs/records.md). xapi: send sessions as xAPI 1.0.3 statements, queued "
                                          "in the database so that nothing is lost offline or sent twice. "
                                          "research PROTOCOL: one row per participant and decision of a research "
                                          "protocol (columns in docs/research.md)."))
    _help_option(export)
    export.add_argument("kind", choices=["csv", "xapi", "research"], metavar=_("KIND"),
                        help=_("csv, xapi or research (one row per participant and decision of a research "
                               "protocol, docs/research.md)"))
    export.add_argument("protocol", nargs="?", type=Path, default=None, metavar=_("PROTOCOL"),
                        help=_("research: the protocol file"))
    export.add_argument("-o", "--output", type=Path, default=None, metavar=_("FOLDER"),
                        help=_("csv: the folder for sessions.csv and decisions.csv (default: the current folder); "
                               "research: the CSV file (default: the protocol's id with .csv)"))
    export.add_argument("--endpoint", default=None, metavar=_("URL"),
                        help=_("xapi: the learning record store's xAPI endpoint, e.g. http://127.0.0.1:8100/xAPI/"))
    export.add_argument("--user", default=None, metavar=_("USER"), help=_("xapi: the store's user name"))
    export.add_argument("--password", default=None, metavar=_("PASSWORD"),
                        help=_("xapi: the store's password (default: $PARLEY_LRS_PASSWORD)"))
    export.add_argument("--since", default=None, metavar=_("DATE"),
                        help=_("only sessions started on or after this date (YYYY-MM-DD)"))
    _db_option(export)
    _lang_option(export, argparse.SUPPRESS)

    forget = sub.add_parser("forget", add_help=False, help=_("remove a trainee's records everywhere (privacy)"),
                            description=_("Remove everything recorded about a trainee: sessions, decisions, scores, "
                                          "feedback, queued statements, cohort places, record and report files. "
                                          "Says what it removed."))
    _help_option(forget)
    forget.add_argument("trainee", metavar=_("TRAINEE"), help=_("the trainee's name or pseudonymous id"))
    _db_option(forget)
    _lang_option(forget, argparse.SUPPRESS)

    cohort = sub.add_parser("cohort", add_help=False, help=_("put trainees in a cohort, or list cohorts"),
                            description=_("Cohorts group trainees (a class, a course) for cohort reports."))
    _help_option(cohort)
    cohort.add_argument("action", choices=["add", "list"], metavar=_("ACTION"),
                        help=_("add (NAME TRAINEE...) or list"))
    cohort.add_argument("name", nargs="?", default=None, metavar=_("NAME"), help=_("the cohort's name"))
    cohort.add_argument("trainees", nargs="*", metavar=_("TRAINEE"), help=_("trainees' names or ids"))
    _db_option(cohort)
    _lang_option(cohort, argparse.SUPPRESS)

    feedback = sub.add_parser("feedback", add_help=False, help=_("summarise workshop feedback on a scenario for "
                                                                  "its authors (HTML and CSV)"),
                              description=_("Summarise the feedback given in workshop mode on a scenario: each "
                                            "rating's distribution, median and mean, and everything said, newest "
                                            "first (HTML), and one row per response (CSV; columns in "
                                            "docs/records.md). With neither --html nor --csv, writes both as "
                                            "feedback-<id>.html and feedback-<id>.csv in the current folder."))
    _help_option(feedback)
    _scenario_argument(feedback)
    feedback.add_argument("--html", type=Path, default=None, metavar=_("FILE"), help=_("write the HTML summary here"))
    feedback.add_argument("--csv", type=Path, default=None, metavar=_("FILE"), help=_("write the CSV file here"))
    _db_option(feedback)
    _lang_option(feedback, argparse.SUPPRESS)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse a command line (raises SystemExit on usage errors and --help, as argparse does)."""
    return _parser().parse_args(argv)


def language_asked(argv: list[str]) -> str | None:
    """The interface language a command line asks for: `--lang X` or `--lang=X` anywhere before `--`,
    else $PARLEY_LANG, else None (the system's). Read before argparse runs, so that the parser's own
    help is translated; argparse checks the value afterwards."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get(LANG_ENV) or None


def main(argv: list[str] | None = None) -> int:
    """Entry point for `parley` and `python main.py`; returns the exit status.

    Ctrl-C anywhere (window, text mode, validate) ends with one line and status 130, never a
    traceback; what was played so far has been kept by then (see play.py and ui/app.py).
    """
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print(_("parley: interrupted (Ctrl-C)."), file=sys.stderr)
        return INTERRUPTED_EXIT
    except BrokenPipeError:  # `parley records | head`: the reader has gone; stop quietly, as other tools do
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        except (OSError, ValueError):
            pass
        return 1


def _run(argv: list[str] | None) -> int:
    set_language(language_asked(sys.argv[1:] if argv is None else argv))
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help and --version
        return int(exc.code or 0)
    if args.command is None:
        return _open_window()
    if args.command == "list":
        from .validate import list_scenarios
        return list_scenarios()
    if args.command == "validate":
        from .validate import validate
        return validate(args.paths, args.json, args.strict)
    modules = {"lint": "lint", "graph": "graph", "analyze": "analyze", "new": "new", "import": "importing",
               "records": "records", "report": "report", "export": "export", "forget": "records", "cohort": "records",
               "feedback": "feedback", "research": "research"}
    if args.command in modules:
        from importlib import import_module
        module = modules
        return import_module(f"{__package__}.{module[args.command]}").run(args)
    from .play import play
    return play(args)


def _open_window() -> int:
    """The window on the bundled scenarios; text mode when no display can show it."""
    try:
        from ..ui.app import NoDisplay, run_app
    except ImportError as exc:
        why = _("the window needs pygame-ce ({error})").format(error=exc)
    else:
        try:
            return run_app()
        except NoDisplay as exc:
            why = str(exc)
    return text_fallback(why)


def text_fallback(why: str) -> int:
    """No window can be shown (`why` says what happened): say so in one line and play the first
    bundled scenario in the terminal, as the README promises."""
    from ..content.loader import bundled_scenarios
    from .play import play
    print(_("parley: {why}; playing the first bundled scenario in text mode instead "
            "(`parley play SCENARIO --text` picks another).").format(why=why), file=sys.stderr)
    return play(parse_args(["play", str(bundled_scenarios()[0]), "--text"]), announce_fallback=False)
