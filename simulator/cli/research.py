"""`parley research check|run` and `parley export research`: research protocols (docs/research.md).

`check` validates a protocol and prints who plays what at the first enrolment positions. `run`
enrols a participant by code (or finds the place a known code has), asks the protocol's questions
before and after, and plays each assigned scenario in text mode with the protocol's options, seed
and variant, recording every session (mode `research`) with millisecond decision times measured
from when the options appear. Running the same command again for the same code resumes: answered
questions and finished scenarios are not asked or played again.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import TextIO

from ..i18n import _, ngettext
from ..safetext import clean, clean_line
from .layout import width_for, wrap

OK, FAILED, USAGE, INCOMPLETE = 0, 1, 2, 3
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
PSEUDONYM = re.compile(r"t-[0-9a-f]{10}")  # what the records call a trainee's pseudonymous id
MAX_POSITIONS = 1000  # `check --positions` prints at most this many


def _err(message: str) -> None:
    print(clean_line(message), file=sys.stderr)


def run(args: argparse.Namespace, *, inp: TextIO | None = None, out: TextIO | None = None, clock=None) -> int:
    """`parley research check` or `parley research run` (streams and clock may be given, for tests)."""
    protocol = open_protocol(args.protocol)
    if protocol is None:
        return FAILED
    if args.action == "check":
        return check(protocol, args.positions, out or sys.stdout)
    if args.participant is None:
        _err(_("parley research run: give the participant's code with --participant CODE"))
        return USAGE
    code = args.participant.strip()
    if not CODE.fullmatch(code) or PSEUDONYM.fullmatch(code):
        _err(_("parley research run: --participant takes a code of letters, digits, -, _ and . (at most 40, "
               "e.g. P001), never a name; not {code}").format(code=repr(args.participant)))
        return USAGE
    if getattr(args, "window", False):
        shown = run_window(protocol, code, args.db)
        if shown is not None:
            return shown
    return Participant(protocol, code, args.db, inp or sys.stdin, out or sys.stdout, clock or time.monotonic).run()


def run_window(protocol, code: str, db: str | None) -> int | None:
    """The participant's run in the window (ui/research.py); None when no window can be shown (the
    caller then runs it in text mode, after saying why)."""
    from .records import open_records
    store = open_records(db)
    if store is None:
        return FAILED
    try:
        try:
            from ..ui.app import NoDisplay, run_app
        except ImportError as exc:
            _err(_("parley: the window needs pygame-ce ({error}); running in text mode instead.").format(error=exc))
            return None
        from ..records.database import DatabaseError
        from ..ui.research import ResearchRun
        def begin(app):  # enrolled once the window is open: no display, no enrolment here (text mode does it)
            return ResearchRun(app, protocol, code, store, store.research_enrol(protocol.id, protocol.sha256, code))
        try:
            return run_app(database_url=db, research=begin)
        except NoDisplay as exc:
            _err(_("parley: {why}; running in text mode instead.").format(why=exc))
            return None
        except DatabaseError as exc:
            _err(_("parley: {problem}").format(problem=exc))
            return FAILED
    finally:
        store.close()


def open_protocol(path: Path):
    """The protocol at `path`, checked, with its scenarios' scoring sections; None after printing every
    problem on standard error. Warnings are printed too."""
    from ..content.protocol import load_protocol
    from .validate import scoring_diagnostics
    result = load_protocol(path)
    for d in result.diagnostics:
        print(clean(d.format()), file=sys.stderr)
    if result.protocol is None:
        _err(_("parley: {path} has errors; fix them and try again.").format(path=path))
        return None
    problems = [d for entry in result.protocol.scenarios for d in scoring_diagnostics(entry.path)
                if d.severity == "error"]
    for d in problems:
        print(clean(d.format()), file=sys.stderr)
    if problems:
        _err(_("parley: the scoring sections of the protocol's scenarios have errors; fix them and try again."))
        return None
    return result.protocol


def _play_words(protocol, play) -> str:
    if play.variant is not None:
        return _("{scenario} (variant {variant}, seed {seed})").format(scenario=play.scenario_id, variant=play.variant,
                                                                       seed=play.seed)
    default = protocol.scenarios[play.index - 1].scenario.variant
    if default is not None:
        return _("{scenario} (default variant {variant}, seed {seed})").format(
            scenario=play.scenario_id, variant=default, seed=play.seed)
    return _("{scenario} (seed {seed})").format(scenario=play.scenario_id, seed=play.seed)


def check(protocol, positions: int | None, out: TextIO) -> int:
    """Print what the protocol is and who plays what at positions 1..`positions` (default: one full
    cycle of the assignment, at least 4)."""
    from ..content.protocol import assign, cycle_length
    cycle = cycle_length(protocol)
    count = positions if positions is not None else max(4, min(cycle, 24))
    count = max(1, min(count, MAX_POSITIONS))
    say = lambda text="": print(clean_line(text), file=out)  # noqa: E731 - one line at a time
    say(_("{id}: {title}").format(id=protocol.id, title=protocol.title))
    say(_("SHA-256 {sha}: every enrolment and session records it.").format(sha=protocol.sha256))
    order = _("counterbalanced order") if protocol.order == "counterbalanced" else _("fixed order")
    options = _("options shuffled") if protocol.shuffle else _("options in authored order")
    timers = _("timers on (x{scale})").format(scale=f"{protocol.timer_scale:g}") if protocol.timers else _("no timers")
    say(ngettext("{n} scenario", "{n} scenarios", len(protocol.scenarios)).format(n=len(protocol.scenarios))
        + "; " + "; ".join((order, options, timers)) + "; "
        + _("{pre} questions before, {post} after.").format(pre=len(protocol.pre), post=len(protocol.post)))
    say(ngettext("The assignment repeats after {n} participant.", "The assignment repeats after {n} participants.",
                 cycle).format(n=cycle))
    say(_("Enrolment position: scenarios in the order played"))
    for position in range(1, count + 1):
        plays = assign(protocol, position)
        say(_("{position}: {plays}").format(position=position,
                                             plays=_(", then ").join(_play_words(protocol, p) for p in plays)))
    return OK


class Participant:
    """One participant's run of a protocol in text mode, recorded in the records database."""

    def __init__(self, protocol, code: str, db: str | None, inp: TextIO, out: TextIO, clock):
        self.protocol, self.code, self.db = protocol, code, db
        self.inp, self.out, self.clock = inp, out, clock
        self.width = width_for(out)

    def say(self, text: str = "", indent: str = "", hang: str | None = None) -> None:
        for line in wrap(clean(text), self.width, indent, hang):
            print(line, file=self.out)
        self.out.flush()

    def ask(self, prompt: str) -> str:
        """A line typed after `prompt`, without its end of line; '' with nothing typed; None when input ended."""
        self.out.write(clean(prompt))
        self.out.flush()
        line = self.inp.readline()
        return None if line == "" else line.rstrip("\r\n")

    def run(self) -> int:
        from ..content.protocol import assign
        from .records import open_records
        store = open_records(self.db)
        if store is None:
            return FAILED
        try:
            return self._run(store, assign)
        except Exception as exc:
            from ..records.database import DatabaseError
            if isinstance(exc, DatabaseError):
                _err(_("parley: {problem}").format(problem=exc))
                return FAILED
            raise
        finally:
            store.close()

    def _run(self, store, assign) -> int:
        protocol = self.protocol
        enrolment = store.research_enrol(protocol.id, protocol.sha256, self.code)
        if not enrolment.new and enrolment.protocol_sha256 != protocol.sha256:
            _err(_("parley: warning: {file} has changed since {code} was enrolled; their sessions record which "
                   "version each was played under (the export's protocol_changed column)").format(
                file=protocol.path, code=self.code))
        plays = assign(protocol, enrolment.position)
        if enrolment.new:
            self.say(_("{code} is enrolled in {protocol} at position {position}.").format(
                code=self.code, protocol=protocol.id, position=enrolment.position))
        else:
            self.say(_("{code} was enrolled in {protocol} at position {position}: going on where they left off.")
                     .format(code=self.code, protocol=protocol.id, position=enrolment.position))
        self.say(_("=== {title} ===").format(title=protocol.title))
        self.say()
        answered = store.research_answers(enrolment.participant)
        if not self.questions(store, enrolment.participant, "pre", protocol.pre, answered):
            return self.stopped()
        done = {entry.get("scenario_index") for row, entry in store.research_sessions(protocol.id, enrolment.trainee)
                if row.status == "complete"}
        for play in plays:
            if play.index in done:
                self.say(_("Part {n} of {count} was finished before.").format(n=play.order, count=len(plays)))
                continue
            self.say(_("--- Part {n} of {count} ---").format(n=play.order, count=len(plays)))
            if self.play(store, enrolment, play) != OK:
                return self.stopped()
            self.say(_("Part {n} of {count} is finished.").format(n=play.order, count=len(plays)))
            self.say()
        if not self.questions(store, enrolment.participant, "post", protocol.post, answered):
            return self.stopped()
        self.say(_("Thank you. Everything is recorded; the session is over."))
        return OK

    def stopped(self) -> int:
        self.say()
        self.say(_("Input ended. What was answered and played so far is recorded; run the same command again "
                   "to go on."))
        return INCOMPLETE

    def questions(self, store, participant: int, phase: str, questions, answered: dict) -> bool:
        """Ask the questions of `phase` not answered yet and store each answer (an optional question
        skipped as an empty answer, so that a resumed run does not ask it again); False when input ended."""
        todo = [q for q in questions if (phase, q.id) not in answered]
        if todo:
            self.say(_("A few questions before the scenarios:") if phase == "pre" else
                     _("A few questions after the scenarios:"))
        for question in todo:
            answer = self.question(question)
            if answer is None:
                return False
            store.research_answer(participant, phase, question.id, answer)
            self.say()
        return True

    def question(self, q) -> str | None:
        """Ask `q` until it is answered validly: the answer as stored ('' for a skipped optional
        question), or None when input ended."""
        self.say(q.text)
        if q.kind == "scale":
            anchors = ([_("{value} = {label}").format(value=q.min, label=q.low)] if q.low else []) + (
                [_("{value} = {label}").format(value=q.max, label=q.high)] if q.high else [])
            if anchors:
                self.say("; ".join(anchors), "  ")
            prompt = _("Your answer ({min} to {max}): ").format(min=q.min, max=q.max)
        elif q.kind == "choice":
            for number, (_id, text) in enumerate(q.options, 1):
                self.say(text, f"  {number}. ", " " * len(f"  {number}. "))
            prompt = _("Your answer (1-{count}): ").format(count=len(q.options))
        else:
            prompt = _("Your answer (at most {n} characters): ").format(n=q.max_length)
        if not q.required:
            self.say(_("(optional: press Enter to skip)"), "  ")
        while True:
            line = self.ask(prompt)
            if line is None:
                return None
            text = line.strip()
            if text == "":
                if not q.required:
                    return ""
                self.say(_("An answer is needed here."))
                continue
            if q.kind == "scale":
                if re.fullmatch(r"-?[0-9]{1,5}", text) and q.min <= int(text) <= q.max:
                    return str(int(text))
                self.say(_("Please type a whole number from {min} to {max}.").format(min=q.min, max=q.max))
            elif q.kind == "choice":
                if text.isdigit() and 1 <= int(text) <= len(q.options):
                    return q.options[int(text) - 1][0]
                self.say(_("Please type a number from 1 to {count}.").format(count=len(q.options)))
            elif len(text) > q.max_length:
                self.say(_("That is {n} characters; please shorten it to {max} at most.").format(
                    n=len(text), max=q.max_length))
            else:
                return text

    def play(self, store, enrolment, play) -> int:
        """Play one assigned scenario in text mode, recorded as it happens; OK, or INCOMPLETE when
        input ended before its ending."""
        from ..content.loader import with_variant
        from ..engine.session import Session, SessionOptions
        from ..i18n import language
        from ..records.recorder import SessionRecorder
        from ..records.store import ABANDONED
        from .textmode import TextPlayer
        protocol = self.protocol
        entry = protocol.scenarios[play.index - 1]
        scenario = with_variant(entry.scenario, play.variant)
        options = SessionOptions(timers=protocol.timers, timer_scale=protocol.timer_scale, allow_undo=False,
                                 language=protocol.language or scenario.language, shuffle=protocol.shuffle)
        session = Session(scenario, seed=play.seed, options=options, unnamed=_("(your name)"))
        settings = {"interface_language": language(), "variant": scenario.variant, "meter_shown": protocol.meter,
                    "timed": protocol.timers,
                    "protocol": {"id": protocol.id, "sha256": protocol.sha256, "participant": self.code,
                                 "position": enrolment.position, "scenario_index": play.index,
                                 "play_order": play.order}}
        recorder = SessionRecorder(store, session, trainee=self.code, mode="research", source=entry.path.name,
                                   settings=settings)
        debrief = None
        if protocol.debrief:
            try:
                from scoring.report import text_debrief
                debrief = text_debrief
            except ImportError:
                pass
        player = TextPlayer(session, self.inp, self.out, show_meter=protocol.meter, timed=protocol.timers,
                            clock=self.clock, debrief=debrief, after_input=recorder.sync,
                            width=self.width, mark_shown=True, actor={"role": "participant", "id": self.code})
        why = "interrupted (Ctrl-C)"  # stored in English, as every session's reasons are
        status = INCOMPLETE
        try:
            status = player.run()
            why = "input ended"
        finally:  # Ctrl-C included: the decisions made so far are kept
            if session.ended:
                recorder.finish()
            else:
                recorder.finish(ABANDONED, why)
        return OK if status == 0 and session.ended else INCOMPLETE


def export(args: argparse.Namespace) -> int:
    """`parley export research PROTOCOL [-o FILE]`: the protocol's rows as one CSV file."""
    from ..records.database import DatabaseError
    from ..records.research import export_research
    from .records import open_records, say_problem
    if args.protocol is None:
        _err(_("parley export research: give the protocol file, e.g. parley export research study.yaml"))
        return USAGE
    if args.since is not None:
        _err(_("parley export research: --since is not used here; every session of the protocol is exported"))
        return USAGE
    protocol = open_protocol(args.protocol)
    if protocol is None:
        return FAILED
    target = args.output or Path(f"{protocol.id}.csv")
    if target.is_dir():
        target = target / f"{protocol.id}.csv"
    store = open_records(args.db)
    if store is None:
        return FAILED
    try:
        found = export_research(store, protocol, target)
    except DatabaseError as exc:
        return say_problem(exc)
    except OSError as exc:
        return say_problem(_("could not write {path}: {error}").format(path=target, error=exc.strerror or exc))
    finally:
        store.close()
    if found.changed:
        _err(ngettext("parley: warning: {n} part was played under another version of {file} (protocol_changed is "
                      "true in its rows)",
                      "parley: warning: {n} parts were played under another version of {file} (protocol_changed is "
                      "true in their rows)", found.changed).format(n=found.changed, file=args.protocol))
    print(ngettext("{n} row written to {path}", "{n} rows written to {path}", len(found.rows)).format(
        n=len(found.rows), path=target) + " " + ngettext(
        "({n} participant,", "({n} participants,", found.participants).format(n=found.participants) + " " + ngettext(
        "{n} session).", "{n} sessions).", found.sessions).format(n=found.sessions))
    return OK
