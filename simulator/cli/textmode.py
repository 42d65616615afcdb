"""Play a scenario in the terminal: plain numbered lines that work with screen readers."""
from __future__ import annotations

import select
import sys
import textwrap
import time
from collections.abc import Callable
from typing import TextIO

from ..engine.model import Scenario
from ..engine.session import Session
from ..safetext import clean

INCOMPLETE_EXIT = 3


def _count(n: float, word: str) -> str:
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def _wrap(text: str, indent: str = "") -> str:
    text = clean(text)  # before wrapping, so that removed characters do not count towards the width
    return "\n".join(textwrap.fill(p, width=88, initial_indent=indent, subsequent_indent=indent)
                     for p in text.strip().split("\n") if p.strip())


class TextPlayer:
    """Runs one session on line-based input and output; no cursor tricks, no colour.

    Everything printed goes through `say`, which removes control characters and bidirectional
    overrides (`simulator.safetext.clean`): scenario text cannot drive the terminal. `after_input` is called
    after every input the session takes (a choice, a timer running out, an undo), e.g. to append the
    new events to a log file."""

    def __init__(self, session: Session, inp: TextIO, out: TextIO, *, show_meter: bool = True,
                 timed: bool = False, clock: Callable[[], float] = time.monotonic,
                 debrief: Callable[[Session], str] | None = None, after_input: Callable[[], None] | None = None):
        self.session = session
        self.inp = inp
        self.out = out
        self.show_meter = show_meter
        self.timed = timed
        self.clock = clock
        self.debrief = debrief
        self.after_input = after_input

    def say(self, text: str = "") -> None:
        """The single output point of text mode: one cleaned line (or paragraph) and a flush."""
        print(clean(text), file=self.out, flush=True)

    def _input_taken(self) -> None:
        if self.after_input is not None:
            self.after_input()

    def intro(self) -> None:
        sc, lang = self.session.scenario, self.session.language
        t = lambda x: x.get(lang, sc.language) if x else ""
        self.say(f"=== {t(sc.title)} ===")
        self.say(_wrap(t(sc.summary)))
        if sc.content_notes:
            self.say("Content notes: " + "; ".join(t(n) for n in sc.content_notes) + ".")
        if sc.location:
            self.say(f"Location: {t(sc.location)}")
        if sc.dispatch:
            self.say("Briefing:")
            self.say(_wrap(t(sc.dispatch), "  "))
        self.say("Type the number of a choice and press Enter." +
                 (" Type u to undo the last decision." if self.session.options.allow_undo else ""))
        self.say()

    def show(self):
        """Print the current moment and return the view it printed."""
        view = self.session.view()
        if view.reaction:
            self.say(_wrap(view.reaction))
        self.say(_wrap(view.narrative))
        for line in view.lines:
            self.say(_wrap(f"{line.name}: \u201c{line.text}\u201d", "  "))
        if view.behaviour:
            self.say(_wrap(f"What you see: {view.behaviour}"))
        if self.show_meter:
            behaviour = self.session.scenario.behaviour
            recovering = ", still recovering from a peak" if view.recovery else ""
            self.say(f"Distress {view.escalation} of {len(behaviour.level_names) - 1}: {view.escalation_name}"
                     f"{recovering}. Rapport {view.rapport} of {len(behaviour.rapport_names) - 1}: "
                     f"{view.rapport_name}.")
        if view.timer_seconds is not None and self.timed:
            self.say(f"You have {_count(view.timer_seconds, 'second')} to decide.")
        for choice in view.choices:
            self.say(f"  {choice.number}. {choice.text}")
        return view

    def read_line(self, timeout: float | None) -> str | None:
        """A line of input; '' at end of input; None if the timeout passed first."""
        if timeout is not None:
            try:
                ready, _, _ = select.select([self.inp], [], [], max(0.0, timeout))
            except (ValueError, OSError, TypeError):
                ready = [self.inp]  # not selectable (e.g. a StringIO in tests): read without a timer
            if not ready:
                return None
        return self.inp.readline()

    def run(self) -> int:
        """Play to an ending. Returns 0, or INCOMPLETE_EXIT when input ends first."""
        session = self.session
        self.intro()
        while not session.ended:
            view = self.show()
            started = self.clock()
            seconds = session.timer_seconds() if self.timed else None
            deadline = started + seconds if seconds is not None else None
            count = len(view.choices)
            while True:
                self.out.write(f"Your choice (1-{count}): ")
                self.out.flush()
                remaining = None if deadline is None else deadline - self.clock()
                line = self.read_line(remaining)
                if line is None:
                    self.say()
                    self.say("Time is up.")
                    session.expire_timer()
                    self._input_taken()
                    break
                if line == "":
                    self.say()
                    self.say("Input ended before the scenario finished. Nothing was lost: "
                             f"{_count(session.state.steps, 'decision')} recorded.")
                    self.summary()
                    return INCOMPLETE_EXIT
                answer = line.strip().lower()
                if answer == "u" and session.options.allow_undo:
                    try:
                        session.undo()
                        self._input_taken()
                        self.say("Undone: back to the previous decision.")
                    except Exception as exc:  # noqa: BLE001 - tell the user, keep playing
                        self.say(f"Cannot undo: {exc}.")
                    break
                if answer.isdigit() and 1 <= int(answer) <= count:
                    choice = view.choices[int(answer) - 1]
                    session.choose(choice.id, elapsed=round(self.clock() - started, 3))
                    self._input_taken()
                    break
                self.say(f"Please type a number from 1 to {count}.")
            self.say()
        self.ending()
        return 0

    def ending(self) -> None:
        view = self.session.view()
        assert view.ending is not None
        if view.reaction:
            self.say(_wrap(view.reaction))
        self.say(f"=== Ending: {view.ending.title} ({view.ending.outcome}) ===")
        self.say(_wrap(view.ending.text))
        if view.ending.perspective:
            self.say("The subject's perspective:")
            self.say(_wrap(view.ending.perspective, "  "))
        self.say("Debrief notes:")
        self.say(_wrap(view.ending.debrief, "  "))
        self.summary()
        if self.debrief is not None:
            self.say()
            try:
                text = self.debrief(self.session)
            except Exception as exc:  # noqa: BLE001 - a scoring bug must not lose the run (the log is kept)
                text = f"The score report could not be prepared ({type(exc).__name__}: {exc})."
            self.say(text)

    def _choice_words(self, choice_id) -> str:
        """A choice as the trainee saw it: its text in quotes (never its id)."""
        sc, lang = self.session.scenario, self.session.language
        choice = sc.choice_by_id.get(choice_id) if isinstance(choice_id, str) else None
        if choice is None:
            return "a decision"
        if choice.is_timeout:
            return "the time to decide running out"
        return f"\u201c{choice.text.get(lang, sc.language)}\u201d" if choice.text else "a decision"

    def _scene_words(self, node_id) -> str:
        """A scene as people call it: its label, else its place in the scenario (never its id)."""
        sc, lang = self.session.scenario, self.session.language
        index = sc.target_index.get(node_id) if isinstance(node_id, str) else None
        if index is None:
            return "an earlier scene"
        if sc.is_ending(index):
            return sc.ending_at(index).title.get(lang, sc.language)
        node = sc.nodes[index]
        return node.label.get(lang, sc.language) if node.label is not None else f"decision point {index + 1}"

    def summary(self) -> None:
        """The distress history: every change of the person's distress with the decision that caused it
        and why, in words (scenes by label, choices by text, levels by name; no ids)."""
        session = self.session
        names = session.scenario.behaviour.level_names

        def low(level: int) -> str:  # a level's name inside a sentence
            return names[level][:1].lower() + names[level][1:]
        self.say("Distress history:")
        start = session.log[0]["escalation"]
        peak = start
        self.say(f"  At the start: {low(start)} ({start} of {len(names) - 1}).")
        for event in session.log:
            if event["type"] == "escalation_changed":
                causes = event.get("causes") or [event["cause"]]
                peak = max(peak, event["to"])
                reasons = "; ".join(c.get("why") or "an effect the scenario attaches to this decision"
                                    for c in causes)
                clamped = " (it can go no further)" if event.get("clamped") else ""
                self.say(_wrap(f"After {self._choice_words(event['cause'].get('choice'))}: {low(event['from'])} "
                               f"to {low(event['to'])}{clamped}. Why: {reasons}", "  "))
            elif event["type"] == "undo":
                self.say(_wrap(f"Undone: back to {self._scene_words(event.get('node'))}.", "  "))
        final = session.escalation
        self.say(f"  Peak: {low(peak)}. At the end: {low(final)}. Decisions made: {session.state.steps}.")


def play_text(scenario: Scenario, session: Session, *, timed: bool, show_meter: bool,
              inp: TextIO | None = None, out: TextIO | None = None, debrief=None,
              after_input: Callable[[], None] | None = None) -> int:
    """Run text mode on standard input and output (or the given streams)."""
    player = TextPlayer(session, inp or sys.stdin, out or sys.stdout, show_meter=show_meter, timed=timed,
                        debrief=debrief, after_input=after_input)
    return player.run()
