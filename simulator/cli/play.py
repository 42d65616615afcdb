"""`parley play` and `python main.py`: the window when a display can show it, otherwise text mode.

`--log` and `--report` are checked before anything is played (a path that cannot be written is a
usage error: exit 2, one line). In text mode the log file is opened before the session starts and
every event is appended as it happens, as canonical JSON lines (the bytes `Session.log_json()` gives),
flushed after each decision and fsynced at the end: a session killed mid-play loses at most the
decision in progress. The report is written at the end, atomically.
"""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from ..content.loader import with_variant
from ..content.variants import counterbalanced
from ..engine.session import Session, SessionOptions
from ..files import write_atomically
from ..i18n import _, language
from ..safetext import clean_line
from .opening import CommandError, open_scenario
from .options import TIMER_SCALE_MAX, TIMER_SCALE_MIN
from .validate import USAGE_EXIT


def _err(message: str) -> None:
    print(clean_line(message), file=sys.stderr)


def check_output(path: Path | None, flag: str) -> str | None:
    """Why `path` (the value of `flag`) cannot be written, or None when it can.

    Nothing is truncated: a file that is already there is opened for appending and left as it was, and
    a file made by the check is removed again. Never blocks (a FIFO without a reader is refused)."""
    if path is None:
        return None
    shown = repr(str(path))
    try:
        if path.is_dir():
            return _("{flag} {path} is a folder; give a file name").format(flag=flag, path=shown)
        parent = path.parent
        if not parent.is_dir():
            return _("{flag} {path}: the folder {folder} does not exist").format(flag=flag, path=shown,
                                                                                  folder=repr(str(parent)))
        existed = os.path.lexists(path)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags, 0o644)
        os.close(fd)
        if not existed:
            os.unlink(path)
    except (OSError, ValueError) as exc:
        return _("{flag} {path} cannot be written ({error})").format(
            flag=flag, path=shown, error=getattr(exc, "strerror", None) or exc)
    return None


class LogWriter:
    """Appends a session's events to an open file as they happen (JSON lines, canonical)."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()
        self.written = 0
        self.failed = False

    def sync(self, session: Session) -> None:
        """Write the events not written yet and flush them to the operating system."""
        if self.failed or self.handle is None or self.written >= len(session.log):
            return
        try:
            self.handle.write(session.log_json(self.written))
            self.handle.flush()
            self.written = len(session.log)
        except (OSError, ValueError) as exc:
            self.failed = True
            _err(_("parley: could not write the event log to {path}: {error}; play goes on, the log stops here")
                 .format(path=self.path, error=exc))

    def close(self, session: Session) -> bool:
        """Write what is left, fsync and close; True when the whole log is in the file."""
        if self.handle is None:
            return not self.failed
        self.sync(session)
        try:
            self.handle.flush()
            try:
                os.fsync(self.handle.fileno())
            except OSError:  # not a regular file (a pipe, /dev/stdout): nothing to sync
                pass
        except (OSError, ValueError) as exc:
            if not self.failed:
                _err(_("parley: could not write the event log to {path}: {error}").format(path=self.path, error=exc))
            self.failed = True
        finally:
            try:
                self.handle.close()
            except OSError:
                self.failed = True
            self.handle = None
        return not self.failed


def play(args, announce_fallback: bool = True) -> int:
    """`parley play`: the window with the scenario chosen, or text mode (with --text or no display)."""
    scale = args.timer_scale
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and TIMER_SCALE_MIN <= scale <= TIMER_SCALE_MAX):
        _err(_("parley: --timer-scale must be a number from {low} to {high}").format(
            low=f"{TIMER_SCALE_MIN:g}", high=f"{TIMER_SCALE_MAX:g}"))
        return USAGE_EXIT
    for value, flag in ((getattr(args, "log", None), "--log"), (getattr(args, "report", None), "--report")):
        problem = check_output(value, flag)
        if problem:
            _err(_("parley: {problem}").format(problem=problem))
            return USAGE_EXIT
    try:
        path, scenario = open_scenario(args.scenario)
    except CommandError as exc:
        _err(_("parley: {problem}").format(problem=exc))
        return exc.status
    variant, problem = _variant_asked(args, scenario)
    if problem:
        _err(problem)
        return USAGE_EXIT
    if variant is not None:
        scenario = with_variant(scenario, variant)
    if args.language and args.language not in scenario.languages:
        _err(_("parley: {scenario} has no {language} text (languages: {languages})").format(
            scenario=scenario.id, language=repr(args.language), languages=", ".join(scenario.languages)))
        return USAGE_EXIT
    if not args.text:
        try:
            from ..ui.app import NoDisplay, run_app
        except ImportError as exc:
            why = _("the window needs pygame-ce ({error})").format(error=exc)
        else:
            try:
                return run_app(scenario_path=path, seed=args.seed, no_timers=args.no_timers,
                               authored_order=args.authored_order, database_url=getattr(args, "db", None),
                               variants={scenario.id: variant} if variant is not None else None,
                               instructor=getattr(args, "instructor", None),
                               console_window=getattr(args, "console", "window") != "panel")
            except NoDisplay as exc:
                why = str(exc)
        if announce_fallback:
            _err(_("parley: {why}; playing in text mode instead.").format(why=why))
    return _play_text(args, scenario)


def _variant_asked(args, scenario) -> tuple[str | None, str | None]:
    """(the variant --variant or --participant asks for, or None; a usage problem, or None)."""
    ids = [v.id for v in scenario.variants]
    if args.variant is not None and args.participant is not None:
        return None, _("parley: give --variant or --participant, not both")
    if args.variant is not None:
        if args.variant not in ids:
            known = ", ".join(ids) if ids else _("none")
            return None, _("parley: {scenario} has no variant {variant} (variants: {known})").format(
                scenario=scenario.id, variant=repr(args.variant), known=known)
        return args.variant, None
    if args.participant is not None:
        if not ids:
            return None, _("parley: {scenario} has no variants to counterbalance").format(scenario=scenario.id)
        return counterbalanced(ids, args.participant), None
    return None, None


def scenario_language(args, scenario) -> str:
    """--language, else the interface's language when the scenario is translated into it, else the
    scenario's own."""
    if args.language:
        return args.language
    return language() if language() in scenario.languages else scenario.language


def _recorder(args, scenario, session):
    """The training record of a text-mode session: in the records database (`--db`), else a record file."""
    from ..records.recorder import SessionRecorder, open_store
    from ..records.store import GUEST
    settings = {"interface_language": language(), "variant": scenario.variant, "meter_shown": not args.hide_meter,
                "timed": bool(args.timed)}
    return SessionRecorder(open_store(getattr(args, "db", None)), session, trainee=getattr(args, "trainee", None) or GUEST,
                           mode="text", source=Path(scenario.source).name if scenario.source else scenario.id,
                           cohort=getattr(args, "cohort", None), settings=settings)


def _finish_record(recorder, session, why: str) -> None:
    """Store the session's end (and its report) and say where the record is (on stderr, so that a
    transcript on standard output stays the same from run to run)."""
    from ..records.store import ABANDONED
    if session.ended:
        recorder.finish()
    else:
        recorder.finish(ABANDONED, why)
    if recorder.uid is not None:
        print(_("Training record stored as session {id} (parley records lists it).").format(id=recorder.uid[:8]))
    elif recorder.file:
        print(_("Training record written to {path}.").format(path=recorder.file))


def _play_text(args, scenario) -> int:
    timed = args.timed
    options = SessionOptions(timers=timed, timer_scale=float(args.timer_scale), allow_undo=args.undo,
                             language=scenario_language(args, scenario), shuffle=not args.authored_order)
    writer = None
    if args.log:
        try:
            writer = LogWriter(args.log)
        except (OSError, ValueError) as exc:
            problem = _("{flag} {path} cannot be written ({error})").format(
                flag="--log", path=repr(str(args.log)), error=getattr(exc, "strerror", None) or exc)
            _err(_("parley: {problem}").format(problem=problem))
            return USAGE_EXIT
    session = Session(scenario, seed=args.seed, options=options, unnamed=_("(your name)"))
    debrief = None
    try:
        from scoring.report import text_debrief  # scoring is optional for the core engine
        debrief = text_debrief
    except ImportError:
        pass
    from .textmode import play_text
    recorder = _recorder(args, scenario, session)
    if writer is not None:
        writer.sync(session)  # session_started and the first node are in the file before the first prompt

    def after_input() -> None:
        if writer is not None:
            writer.sync(session)
        recorder.sync()
    why = "interrupted (Ctrl-C)"  # stored as the window stores its reasons: in English, whatever the interface
    try:
        status = play_text(scenario, session, timed=timed, show_meter=not args.hide_meter, debrief=debrief,
                           after_input=after_input)
        why = "input ended"
    finally:  # Ctrl-C included: the decisions made so far are kept
        if writer is not None and writer.close(session):
            print(_("Event log written to {path}.").format(path=args.log))
        _finish_record(recorder, session, why)
    if args.report and session.ended:
        from scoring.grade import LogMismatch
        from scoring.report import grade_json
        try:
            write_atomically(args.report, grade_json(scenario, session.log).encode("utf-8"))
        except LogMismatch as exc:
            _err(_("parley: no score report: {reason}").format(reason=exc))
            return 1
        except (OSError, ValueError) as exc:
            _err(_("parley: could not write the score report to {path}: {error}").format(path=args.report, error=exc))
            return 1
        print(_("Score report written to {path}.").format(path=args.report))
    return status
