"""Command line: `parley` / `python main.py` with play, validate and list; Ctrl-C exits cleanly.

Imports only argparse at start: with no command, the window opens before the engine, NumPy, YAML
or jsonschema are imported, so its first frame does not wait for them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..safetext import clean_line
from .options import TIMER_SCALE_MAX, TIMER_SCALE_MIN, seed, timer_scale

USAGE_EXIT = 2
INTERRUPTED_EXIT = 130  # 128 + SIGINT, what shells report for a program stopped by Ctrl-C


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2): `parley play: error: argument --seed: ...`."""

    def error(self, message: str):
        self.exit(USAGE_EXIT, f"{self.prog}: error: {clean_line(message)} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="parley", description="Parley: scenario-based de-escalation training.")
    sub = parser.add_subparsers(dest="command")
    play = sub.add_parser("play", help="play a scenario (a path or a bundled scenario's id)")
    play.add_argument("scenario")
    play.add_argument("--text", action="store_true", help="play in the terminal instead of the window")
    play.add_argument("--seed", type=seed, default=None,
                      help="seed for random reactions, 0 to 2**63 - 1 (recorded in the log)")
    play.add_argument("--timed", action="store_true", help="text mode: run decision timers (off by default)")
    play.add_argument("--timer-scale", type=timer_scale, default=1.0,
                      help=f"stretch timers, e.g. 1.5 or 2 ({TIMER_SCALE_MIN:g} to {TIMER_SCALE_MAX:g})")
    play.add_argument("--no-timers", action="store_true", help="window: turn decision timers off")
    play.add_argument("--hide-meter", action="store_true", help="hide the distress meter (in-service practice)")
    play.add_argument("--undo", action="store_true", help="allow undoing decisions (logged)")
    play.add_argument("--authored-order", action="store_true",
                      help="show options in the order the scenario wrote them, not shuffled (a demonstration, "
                           "a research protocol); the log records it")
    play.add_argument("--language", default=None, help="language code, e.g. en or es")
    play.add_argument("--log", type=Path, default=None, help="write the event log (JSON lines) here")
    play.add_argument("--report", type=Path, default=None, help="write the score report (JSON) here")
    validate = sub.add_parser("validate", help="check scenario files and report every problem")
    validate.add_argument("paths", nargs="+", type=Path, help="files or folders of .yaml files")
    validate.add_argument("--json", action="store_true", help="machine-readable diagnostics")
    validate.add_argument("--strict", action="store_true", help="treat warnings as problems too")
    sub.add_parser("list", help="list the bundled scenarios")
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse a command line (raises SystemExit on usage errors and --help, as argparse does)."""
    return _parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point for `parley` and `python main.py`; returns the exit status.

    Ctrl-C anywhere (window, text mode, validate) ends with one line and status 130, never a
    traceback; what was played so far has been kept by then (see play.py and ui/app.py).
    """
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print("parley: interrupted (Ctrl-C).", file=sys.stderr)
        return INTERRUPTED_EXIT


def _run(argv: list[str] | None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    if args.command is None:
        return _open_window()
    if args.command == "list":
        from .validate import list_scenarios
        return list_scenarios()
    if args.command == "validate":
        from .validate import validate
        return validate(args.paths, args.json, args.strict)
    from .play import play
    return play(args)


def _open_window() -> int:
    """The window on the bundled scenarios; text mode when no display can show it."""
    try:
        from ..ui.app import NoDisplay, run_app
    except ImportError as exc:
        why = f"the window needs pygame-ce ({exc})"
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
    print(f"parley: {why}; playing the first bundled scenario in text mode instead "
          "(`parley play SCENARIO --text` picks another).", file=sys.stderr)
    return play(parse_args(["play", str(bundled_scenarios()[0]), "--text"]), announce_fallback=False)
