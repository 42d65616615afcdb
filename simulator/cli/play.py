"""`parley play` and `python main.py`: the window when a display can show it, otherwise text mode."""
from __future__ import annotations

import sys

from ..content.loader import bundled_scenarios, load_scenario, resolve_scenario
from ..engine.session import Session, SessionOptions
from .validate import USAGE_EXIT, scoring_diagnostics


def play(args, announce_fallback: bool = True) -> int:
    """`parley play`: the window with the scenario chosen, or text mode (with --text or no display)."""
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
    scoring_errors = [d for d in scoring_diagnostics(path) if d.severity == "error"]
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
            from ..ui.app import NoDisplay, run_app
        except ImportError as exc:
            why = f"the window needs pygame-ce ({exc})"
        else:
            try:
                return run_app(scenario_path=path, seed=args.seed, no_timers=args.no_timers)
            except NoDisplay as exc:
                why = str(exc)
        if announce_fallback:
            print(f"parley: {why}; playing in text mode instead.", file=sys.stderr)
    return _play_text(args, scenario)


def _play_text(args, scenario) -> int:
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
    try:
        status = play_text(scenario, session, timed=timed, show_meter=not args.hide_meter, debrief=debrief)
    finally:  # Ctrl-C included: the decisions made so far are kept
        if args.log:
            args.log.write_text(session.log_json(), encoding="utf-8")
            print(f"Event log written to {args.log}.")
    if args.report and session.ended:
        from scoring.report import grade_json
        args.report.write_text(grade_json(scenario, session.log), encoding="utf-8")
        print(f"Score report written to {args.report}.")
    return status
