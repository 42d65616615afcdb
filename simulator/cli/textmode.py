"""Play a scenario in the terminal: plain numbered lines that work with screen readers."""
from __future__ import annotations

import select
import sys
import time
from collections.abc import Callable
from typing import TextIO

from scoring.words import scene_label

from ..engine.model import Scenario
from ..engine.session import Session
from ..i18n import _, data_text, language_name, ngettext
from ..safetext import clean
from ..vocabulary import OUTCOME_NAMES, word
from .layout import Pager, reflow, split_direction, terminal_size, width_for, wrap

INCOMPLETE_EXIT = 3


def _plural_n(number: float) -> int:
    """The number that picks a plural form for `number`: itself when whole; a fraction (7.5 seconds)
    takes the form for 2, which is the plural in English and Spanish alike."""
    return int(number) if float(number).is_integer() else 2


def _is_tty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # a closed or unusual stream: never page it
        return False


class TextPlayer:
    """Runs one session on line-based input and output; no cursor tricks, no colour.

    Everything printed goes through `say`, which removes control characters and bidirectional
    overrides (`simulator.safetext.clean`, so scenario text cannot drive the terminal), wraps to
    `width` without breaking words, and pages when the output is a terminal (`tty`): a screenful of
    `page_height` lines, then a "-- more --" prompt. `width`, `page_height` and `tty` default to the
    terminal's (see simulator/cli/layout.py); tests pass them. `after_input` is called after every
    input the session takes (a choice, a timer running out, an undo), e.g. to append the new events
    to a log file. `clock` gives the seconds a decision took and when a timer runs out.

    Research mode (docs/research.md) passes `mark_shown=True`: decision times then count from when
    the moment appeared (before its text is printed), and once its options are printed the log gets
    a `choices_shown` mark saying how long after that (`after`, in seconds to the millisecond), so
    that a decision's latency from the options appearing is its `elapsed` minus `after`. `actor` is
    who the log names for each choice (research: the participant's code). Both default to what
    ordinary text mode has always logged."""

    def __init__(self, session: Session, inp: TextIO, out: TextIO, *, show_meter: bool = True,
                 timed: bool = False, clock: Callable[[], float] = time.monotonic,
                 debrief: Callable[[Session], str] | None = None, after_input: Callable[[], None] | None = None,
                 width: int | None = None, page_height: int | None = None, tty: bool | None = None,
                 mark_shown: bool = False, actor: str | dict = "trainee"):
        self.session = session
        self.mark_shown = mark_shown
        self.actor = actor
        self.inp = inp
        self.out = out
        self.show_meter = show_meter
        self.timed = timed
        self.clock = clock
        self.debrief = debrief
        self.after_input = after_input
        self.width = width if width is not None else width_for(out)
        self.pager = Pager(out, self.inp.readline, tty=_is_tty(out) if tty is None else tty,
                           height=page_height if page_height is not None else terminal_size()[1])

    def say(self, text: str = "", indent: str = "", hang: str | None = None) -> None:
        """The single output point of text mode: `text` cleaned, wrapped (see `layout.wrap`) and paged."""
        for line in wrap(clean(text), self.width, indent, hang):
            self.pager.emit(line)
        self.out.flush()

    def ask(self, prompt: str) -> None:
        """Write a prompt that the answer follows on the same line."""
        self.out.write(clean(prompt))
        self.out.flush()

    def _input_taken(self) -> None:
        if self.after_input is not None:
            self.after_input()

    def intro(self) -> None:
        sc, lang = self.session.scenario, self.session.language
        t = lambda x: x.get(lang, sc.language) if x else ""
        self.say(_("=== {title} ===").format(title=t(sc.title)))
        self.say(t(sc.summary))
        if sc.content_notes:
            self.say(_("Content notes: {notes}.").format(notes="; ".join(t(n) for n in sc.content_notes)), hang="  ")
        if sc.location:
            self.say(_("Location: {place}").format(place=t(sc.location)), hang="  ")
        if sc.dispatch:
            self.say(_("Briefing:"))
            self.say(t(sc.dispatch), "  ")
        if self.session.options.allow_undo:
            self.say(_("Type the number of a choice and press Enter. Type u to undo the last decision."))
        else:
            self.say(_("Type the number of a choice and press Enter."))
        self.say()

    def spoken(self, name: str, text: str) -> str:
        """A spoken line as printed: stage directions at its start go outside the quotes
        (`Sam (quietly): "..."`), so the quotes hold only what is said."""
        direction, speech = split_direction(text)
        if direction is None:
            return _("{name}: \u201c{speech}\u201d").format(name=name, speech=speech)
        if not speech:  # only a direction, nothing said: "(Leo nods)"
            return _("{name} ({direction}).").format(name=name, direction=direction)
        return _("{name} ({direction}): \u201c{speech}\u201d").format(name=name, direction=direction, speech=speech)

    def show(self):
        """Print the current moment and return the view it printed."""
        view = self.session.view()
        if view.reaction:
            self.say(view.reaction)
        self.say(view.narrative)
        for line in view.lines:
            if line.said_in is None:
                self.say(self.spoken(line.name, line.text), "  ")
                continue
            # Words in a language the trainee does not share: as said, and the meaning once understood.
            name = _("{name}, in {language}").format(name=line.name, language=language_name(line.said_in))
            self.say(self.spoken(name, line.text), "  ")
            if line.meaning:
                self.say(_("Interpreted: {meaning}").format(meaning=line.meaning), "    ")
        if view.behaviour:
            self.say(_("What you see: {behaviour}").format(behaviour=view.behaviour))
        if self.show_meter:
            behaviour = self.session.scenario.behaviour
            values = dict(level=view.escalation, top=len(behaviour.level_names) - 1, name=word(view.escalation_name),
                          rapport=view.rapport, rapport_top=len(behaviour.rapport_names) - 1,
                          rapport_name=word(view.rapport_name))
            if view.recovery:
                meter = _("Distress {level} of {top}: {name}, still recovering from a peak. "
                          "Rapport {rapport} of {rapport_top}: {rapport_name}.")
            else:
                meter = _("Distress {level} of {top}: {name}. Rapport {rapport} of {rapport_top}: {rapport_name}.")
            self.say(meter.format(**values))
        if view.timer_seconds is not None and self.timed:
            self.say(ngettext("You have {n} second to decide.", "You have {n} seconds to decide.",
                              _plural_n(view.timer_seconds)).format(n=f"{view.timer_seconds:g}"))
        for choice in view.choices:
            number = f"  {choice.number}. "
            self.say(choice.text, number, " " * len(number))  # continuation lines under the text, not the number
        return view

    def read_line(self, timeout: float | None) -> str | None:
        """A line of input; '' at end of input; None if the timeout passed first (or had already,
        by `clock`, when the prompt was written)."""
        if timeout is not None:
            if timeout <= 0:
                return None
            try:
                ready = select.select([self.inp], [], [], timeout)[0]
            except (ValueError, OSError, TypeError):
                ready = [self.inp]  # not selectable (e.g. a StringIO in tests): read without a timer
            if not ready:
                return None
        line = self.inp.readline()
        self.pager.typed()
        return line

    def run(self) -> int:
        """Play to an ending. Returns 0, or INCOMPLETE_EXIT when input ends first."""
        session = self.session
        self.intro()
        while not session.ended:
            appeared = self.clock() if self.mark_shown else None
            view = self.show()
            started = self.clock()  # the timer starts when the choices are on screen
            if appeared is not None:
                after = round(max(0.0, started - appeared), 3)
                session.mark("choices_shown", elapsed=after, after=after)
            since = started if appeared is None else appeared  # what a decision's time counts from
            seconds = session.timer_seconds() if self.timed else None
            deadline = started + seconds if seconds is not None else None
            count = len(view.choices)
            while True:
                self.ask(_("Your choice (1-{count}): ").format(count=count))
                remaining = None if deadline is None else deadline - self.clock()
                line = self.read_line(remaining)
                if line is None:
                    self.time_ran_out(None if appeared is None else round(max(0.0, self.clock() - since), 3))
                    break
                if line == "":
                    return self.input_ended()
                answer = line.strip().lower()
                if answer == "u" and session.options.allow_undo:
                    if not self.step_back(elapsed=self.clock() - since):
                        return self.input_ended()
                    break
                if answer.isdigit() and 1 <= int(answer) <= count:
                    choice = view.choices[int(answer) - 1]
                    session.choose(choice.id, elapsed=round(self.clock() - since, 3), actor=self.actor)
                    self._input_taken()
                    break
                self.say(_("Please type a number from 1 to {count}.").format(count=count))
            self.say()
        self.ending()
        return 0

    def time_ran_out(self, elapsed: float | None = None) -> None:
        """The decision timer ran out: the scenario's timeout branch happens, and the trainee is told
        what it was before the next moment is shown (never a silent jump). `elapsed`: the seconds since
        the moment appeared, when they are measured (research); else the timer's own length."""
        self.say()
        self.session.expire_timer(elapsed)
        self._input_taken()
        what = self.session.view().timeout  # the expiry's own text, in the scenario's words
        if what:
            self.say(_("Time ran out: {what}").format(what=what))
        else:
            self.say(_("Time ran out: you did not decide in time."))

    def step_back(self, elapsed: float) -> bool:
        """Undo the last decision, asking why first (the reason goes in the log with the undo, for the
        debrief discussion). `elapsed` is the time since the moment appeared, when u was typed.
        False when input ended instead of an answer."""
        session = self.session
        if not session.can_undo:
            self.say(_("There is no decision to undo yet."))
            return True
        self.ask(_("Why step back? (for the record) "))
        line = self.read_line(None)
        if line == "":
            return False
        try:
            session.undo(reason=line.strip() or None, elapsed=round(max(0.0, elapsed), 3))
        except Exception as exc:  # noqa: BLE001 - tell the user, keep playing
            self.say(_("Cannot undo: {error}.").format(error=exc))
            return True
        self._input_taken()
        self.say(_("Undone: back to the previous decision."))
        return True

    def input_ended(self) -> int:
        """Input ended before an ending: say what was kept, show the history, and return INCOMPLETE_EXIT."""
        steps = self.session.state.steps
        self.say()
        self.say(ngettext("Input ended before the scenario finished. Nothing was lost: {n} decision recorded.",
                          "Input ended before the scenario finished. Nothing was lost: {n} decisions recorded.",
                          steps).format(n=steps))
        self.summary()
        return INCOMPLETE_EXIT

    def ending(self) -> None:
        view = self.session.view()
        assert view.ending is not None
        if view.reaction:
            self.say(view.reaction)
        outcome = _(OUTCOME_NAMES[view.ending.outcome]) if view.ending.outcome in OUTCOME_NAMES else view.ending.outcome
        self.say(_("=== Ending: {title} ({outcome}) ===").format(title=view.ending.title, outcome=outcome))
        self.say(view.ending.text)
        if view.ending.perspective:
            self.say(_("The subject's perspective:"))
            self.say(view.ending.perspective, "  ")
        self.say(_("Debrief notes:"))
        self.say(view.ending.debrief, "  ")
        self.summary()
        if self.debrief is not None:
            self.say()
            try:
                text = self.debrief(self.session)
            except Exception as exc:  # noqa: BLE001 - a scoring bug must not lose the run (the log is kept)
                text = _("The score report could not be prepared ({error}).").format(
                    error=f"{type(exc).__name__}: {exc}")
            for line in reflow(clean(text), self.width):  # the debrief comes wrapped at its own width
                self.pager.emit(line)
            self.out.flush()

    def _cause_words(self, cause: dict) -> str:
        """Why a level changed, in words: a rule's why, what happened by chance, or the scenario's effect."""
        sc, lang = self.session.scenario, self.session.language
        if cause.get("kind") == "outcome":  # a random reaction: what happened, not the trainee's choice
            choice = sc.choice_by_id.get(cause.get("choice"))
            index = cause.get("outcome")
            if choice is not None and isinstance(index, int) and 0 <= index < len(choice.outcomes):
                text = choice.outcomes[index].text
                if text is not None:
                    return _("what happened next: {reaction}").format(
                        reaction=self.session.fill(text.get(lang, sc.language)).rstrip("."))
            return _("what happened next, by chance")
        why = sc.behaviour.why_in(cause, lang, sc.language)
        return data_text(why) if why else _("an effect the scenario attaches to this decision")

    def _choice_words(self, choice_id) -> str:
        """A choice as the trainee saw it: its text in quotes (never its id)."""
        sc, lang = self.session.scenario, self.session.language
        choice = sc.choice_by_id.get(choice_id) if isinstance(choice_id, str) else None
        if choice is None:
            return _("a decision")
        if choice.is_timeout:
            return _("the time to decide running out")
        if not choice.text:
            return _("a decision")
        return _("\u201c{text}\u201d").format(text=self.session.fill(choice.text.get(lang, sc.language)))

    def _scene_words(self, node_id) -> str:
        """A scene as people call it (scoring.words.scene_label: its label, never its id)."""
        sc = self.session.scenario
        return scene_label(sc, node_id if isinstance(node_id, str) else "", self.session.language)

    def summary(self) -> None:
        """The distress history: every change of the person's distress with the decision that caused it
        and why, in words (scenes by label, choices by text, levels by name; no ids)."""
        session = self.session
        names = session.scenario.behaviour.level_names

        def low(level: int) -> str:  # a level's name inside a sentence
            name = word(names[level])
            return name[:1].lower() + name[1:]
        self.say(_("Distress history:"))
        start = session.log[0]["escalation"]
        peak = start
        self.say(_("At the start: {level} ({value} of {top}).").format(level=low(start), value=start,
                                                                       top=len(names) - 1), "  ", "    ")
        for event in session.log:
            if event["type"] == "escalation_changed":
                causes = event.get("causes") or [event["cause"]]
                peak = max(peak, event["to"])
                reasons = "; ".join(self._cause_words(c).rstrip(".") for c in causes) + "."
                if event.get("clamped"):
                    change = _("After {choice}: {before} to {after} (it can go no further). Why: {reasons}")
                else:
                    change = _("After {choice}: {before} to {after}. Why: {reasons}")
                self.say(change.format(choice=self._choice_words(event["cause"].get("choice")),
                                       before=low(event["from"]), after=low(event["to"]), reasons=reasons),
                         "  ", "    ")  # continuation lines further in, so each change starts visibly
            elif event["type"] == "undo":
                self.say(_("Undone: back to {scene}.").format(scene=self._scene_words(event.get("node"))),
                         "  ", "    ")
        self.say(_("Peak: {peak}. At the end: {final}. Decisions made: {decisions}.").format(
            peak=low(peak), final=low(session.escalation), decisions=session.state.steps), "  ", "    ")


def play_text(scenario: Scenario, session: Session, *, timed: bool, show_meter: bool,
              inp: TextIO | None = None, out: TextIO | None = None, debrief=None,
              after_input: Callable[[], None] | None = None) -> int:
    """Run text mode on standard input and output (or the given streams)."""
    player = TextPlayer(session, inp or sys.stdin, out or sys.stdout, show_meter=show_meter, timed=timed,
                        debrief=debrief, after_input=after_input)
    return player.run()
