"""Command line: `parley` / `python main.py` with play, validate and list."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..content.diagnostics import Diagnostic
from ..content.loader import bundled_scenarios, load_scenario, resolve_scenario
from ..engine.session import Session, SessionOptions

USAGE_EXIT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley", description="Parley: scenario-based de-escalation training.")
    sub = parser.add_subparsers(dest="command")
    play = sub.add_parser("play", help="play a scenario (a path or a bundled scenario's id)")
    play.add_argument("scenario")
    play.add_argument("--text", action="store_true", help="play in the terminal instead of the window")
    play.add_argument("--seed", type=int, default=None, help="seed for random reactions (recorded in the log)")
    play.add_argument("--timed", action="store_true", help="text mode: run decision timers (off by default)")
    play.add_argument("--timer-scale", type=float, default=1.0, help="stretch timers, e.g. 1.5 or 2")
    play.add_argument("--no-timers", action="store_true", help="window: turn decision timers off")
    play.add_argument("--hide-meter", action="store_true", help="hide the escalation meter (in-service practice)")
    play.add_argument("--undo", action="store_true", help="allow undoing decisions (logged)")
    play.add_argument("--language", default=None, help="language code, e.g. en or es")
    play.add_argument("--log", type=Path, default=None, help="write the event log (JSON lines) here")
    play.add_argument("--report", type=Path, default=None, help="write the score report (JSON) here")
    validate = sub.add_parser("validate", help="check scenario files and report every problem")
    validate.add_argument("paths", nargs="+", type=Path, help="files or folders of .yaml files")
    validate.add_argument("--json", action="store_true", help="machine-readable diagnostics")
    validate.add_argument("--strict", action="store_true", help="treat warnings as problems too")
    sub.add_parser("list", help="list the bundled scenarios")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point for `parley` and `python main.py`; returns the exit status."""
    if argv == ["--text-fallback"]:  # main.py: the window could not open, so play in the terminal
        return _text_fallback("no display could be opened")
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    if args.command is None:
        return _open_window()
    if args.command == "list":
        return _list()
    if args.command == "validate":
        return _validate(args.paths, args.json, args.strict)
    return _play(args)


def _open_window() -> int:
    try:
        from ..ui.app import NO_DISPLAY, run_app
    except ImportError as exc:
        return _text_fallback(str(exc))
    status = run_app()
    return _text_fallback("no display could be opened") if status == NO_DISPLAY else status


def _text_fallback(why: str) -> int:
    print(f"The simulator window is not available ({why}); starting text mode instead.", file=sys.stderr)
    print("Use `parley play SCENARIO --text` to choose a scenario; playing the first bundled one.", file=sys.stderr)
    first = bundled_scenarios()[0]
    return _play(_parser().parse_args(["play", str(first), "--text"]))


def _list() -> int:
    rows = []
    for path in bundled_scenarios():
        result = load_scenario(path)
        if result.scenario is None:
            rows.append((path.stem, "(has errors: run `parley validate`)", "", "", ""))
            continue
        sc = result.scenario
        rows.append((sc.id, sc.title.get(sc.language, sc.language), ", ".join(sc.audience),
                     f"{sc.minutes} min", ", ".join(sc.topics)))
    header = ("id", "title", "audience", "duration", "topics")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(5)]
    for row in [header] + rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


def _collect(paths: list[Path]) -> tuple[list[Path], list[Diagnostic]]:
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.yaml")) + sorted(path.rglob("*.yml"))
            files.extend(found)
            if not found:
                problems.append(Diagnostic(str(path), 0, 0, "error", "no-files", "no .yaml files in this folder", ""))
        elif path.exists():
            files.append(path)
        else:
            problems.append(Diagnostic(str(path), 0, 0, "error", "not-found", "no such file or folder",
                                       "check the path"))
    return files, problems


def _scoring_diagnostics(path: Path) -> list[Diagnostic]:
    """Meaning checks of a loaded scenario's `scoring:` section (ids, objectives, thresholds).

    The loader checks the section's shape; the rubric lives in scoring/, which reads the engine,
    so the command line joins the two rather than the loader importing scoring.
    """
    try:
        from scoring.rubric import check_scenario_scoring_file
    except ImportError:
        return []
    return list(check_scenario_scoring_file(path))


def _validate(paths: list[Path], as_json: bool, strict: bool) -> int:
    files, missing = _collect(paths)
    if missing and not files:
        for d in missing:
            print(d.format(), file=sys.stderr)
        return USAGE_EXIT
    reports = []
    bad = 0
    for path in files:
        result = load_scenario(path, use_cache=False)
        diagnostics = list(result.diagnostics)
        if result.ok:
            diagnostics += _scoring_diagnostics(path)
        errors = [d for d in diagnostics if d.severity == "error"]
        failed = bool(errors) or (strict and len(errors) < len(diagnostics))
        bad += bool(failed)
        reports.append({"file": str(path), "ok": not failed, "diagnostics": [d.to_json() for d in diagnostics]})
        if not as_json:
            for d in diagnostics:
                print(d.format())
    for d in missing:
        bad += 1
        reports.append({"file": d.file, "ok": False, "diagnostics": [d.to_json()]})
        if not as_json:
            print(d.format())
    if as_json:
        print(json.dumps({"files": reports, "valid": len(reports) - bad, "invalid": bad}, indent=2))
    else:
        errors = sum(1 for r in reports for d in r["diagnostics"] if d["severity"] == "error")
        warnings = sum(1 for r in reports for d in r["diagnostics"] if d["severity"] == "warning")
        print(f"{len(reports)} file(s) checked: {len(reports) - bad} valid, {bad} with problems "
              f"({errors} errors, {warnings} warnings).")
    return 1 if bad else 0


def _play(args) -> int:
    path = resolve_scenario(args.scenario)
    if path is None:
        known = ", ".join(p.stem for p in bundled_scenarios())
        print(f"parley: no scenario file or bundled scenario called {args.scenario!r} (bundled: {known})",
              file=sys.stderr)
        return USAGE_EXIT
    result = load_scenario(path)
    if result.scenario is None:
        for d in result.diagnostics:
            print(d.format(), file=sys.stderr)
        print(f"parley: {path} has errors; fix them and try again.", file=sys.stderr)
        return 1
    scoring_errors = [d for d in _scoring_diagnostics(path) if d.severity == "error"]
    if scoring_errors:
        for d in scoring_errors:
            print(d.format(), file=sys.stderr)
        print(f"parley: the scoring section of {path} has errors; fix them and try again.", file=sys.stderr)
        return 1
    scenario = result.scenario
    if args.language and args.language not in scenario.languages:
        print(f"parley: {scenario.id} has no {args.language!r} text (languages: {', '.join(scenario.languages)})",
              file=sys.stderr)
        return USAGE_EXIT
    if args.timer_scale <= 0:
        print("parley: --timer-scale must be positive", file=sys.stderr)
        return USAGE_EXIT
    if not args.text:
        try:
            from ..ui.app import NO_DISPLAY, run_app
        except ImportError as exc:
            print(f"The simulator window is not available ({exc}); playing in text mode.", file=sys.stderr)
        else:
            status = run_app(scenario_path=path, seed=args.seed)
            if status != NO_DISPLAY:
                return status
            print("No display could be opened; playing in text mode.", file=sys.stderr)
    timed = args.timed
    options = SessionOptions(timers=timed, timer_scale=args.timer_scale, allow_undo=args.undo,
                             language=args.language)
    session = Session(scenario, seed=args.seed, options=options)
    debrief = None
    try:
        from scoring.report import text_debrief  # scoring is optional for the core engine
        debrief = text_debrief
    except ImportError:
        pass
    from .textmode import play_text
    status = play_text(scenario, session, timed=timed, show_meter=not args.hide_meter, debrief=debrief)
    if args.log:
        args.log.write_text(session.log_json(), encoding="utf-8")
        print(f"Event log written to {args.log}.")
    if args.report and session.ended:
        from scoring.report import grade_json
        args.report.write_text(grade_json(scenario, session.log), encoding="utf-8")
        print(f"Score report written to {args.report}.")
    return status
