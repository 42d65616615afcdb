"""A research participant's run in the window: the protocol's questions, then each assigned scenario, then thanks.

`parley research run PROTOCOL --participant CODE --window` (docs/research.md). The same enrolment,
answers and session records as the text-mode run (simulator/cli/research.py): the window only
changes how the participant answers. The protocol fixes the session options, seed and variant of
each part (never the settings screen or a facilitator); the scene logs a `choices_shown` mark when
the options appear, so latencies are measured from then to the millisecond.
"""
from __future__ import annotations

from ..i18n import _


class ResearchRun:
    """Where one participant is in a protocol. `next()` shows the next screen: an unanswered question,
    the briefing of the next unfinished part, the thanks."""

    def __init__(self, app, protocol, code: str, store, enrolment):
        from ..content.protocol import assign
        self.app, self.protocol, self.code, self.store, self.enrolment = app, protocol, code, store, enrolment
        app.use_store(store)  # the parts' sessions go where the enrolment and the answers are
        self.plays = assign(protocol, enrolment.position)
        self.answered = store.research_answers(enrolment.participant)
        self.done = {entry.get("scenario_index") for row, entry in store.research_sessions(protocol.id,
                                                                                           enrolment.trainee)
                     if row.status == "complete"}
        self.current = None  # the Play being played

    # --- what the scene and the briefing ask ---------------------------------------------------
    def session_options(self, scenario, language: str):
        """The protocol's options for the part being played (never the window's settings)."""
        from ..engine.session import SessionOptions
        p = self.protocol
        return SessionOptions(timers=p.timers, timer_scale=p.timer_scale, allow_undo=False,
                              language=p.language or language, shuffle=p.shuffle)

    def settings(self) -> dict:
        """What the session's record keeps of the protocol (the export reads it)."""
        play = self.current
        return {"id": self.protocol.id, "sha256": self.protocol.sha256, "participant": self.code,
                "position": self.enrolment.position, "scenario_index": play.index if play else None,
                "play_order": play.order if play else None}

    def part_line(self) -> str:
        """"Part 1 of 2" for the briefing."""
        if self.current is None:
            return ""
        return _("Part {n} of {count}.").format(n=self.current.order, count=len(self.plays))

    # --- the sequence --------------------------------------------------------------------------
    def answer(self, phase: str, question_id: str, answer: str) -> None:
        """Store an answer ('' for a skipped optional question) and go on."""
        self.store.research_answer(self.enrolment.participant, phase, question_id, answer)
        self.answered[(phase, question_id)] = answer
        self.next()

    def part_ended(self) -> None:
        """The part being played reached its ending (its record is complete): go on."""
        if self.current is not None:
            self.done.add(self.current.index)
            self.current = None
        self.next()

    def next(self) -> None:
        app, protocol = self.app, self.protocol
        for question in protocol.pre:
            if ("pre", question.id) not in self.answered:
                app.replace(app.flow.research_question(self, "pre", question))
                return
        for play in self.plays:
            if play.index not in self.done:
                self._start(play)
                return
        for question in protocol.post:
            if ("post", question.id) not in self.answered:
                app.replace(app.flow.research_question(self, "post", question))
                return
        app.replace(app.flow.research_thanks(self))

    def _start(self, play) -> None:
        from .catalog import Entry
        entry = self.protocol.scenarios[play.index - 1]
        self.current = play
        app = self.app
        app.seed = play.seed
        app.variants[entry.scenario.id] = play.variant  # None: the scenario's default
        language = self.protocol.language or entry.scenario.language
        app.replace(app.flow.briefing(Entry(entry.path, entry.scenario), language))
