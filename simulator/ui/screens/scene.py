"""The scene: art, portraits, progressive text, the meter, the decision timer and the choices."""
from __future__ import annotations

from pathlib import Path

import pygame

from ...content.loader import with_variant
from ...engine.session import Session
from ...i18n import N_, _, language, language_name
from ...records.recorder import SessionRecorder
from ...records.store import ABANDONED
from ...vocabulary import word
from ..keyguard import KeyGuard
from ..meter import draw_meter, meter_width
from ..staging import (
    PORTRAIT_SHARES,
    TEXT_SPLIT,
    TIMED_SPLITS,
    WIDER_SPLITS,
    ellipsize,
    geometry,
    officer_name,
    portrait_height,
    session_options,
    stage_people,
    tag_height,
)
from ..text import Span, layout, wrap
from ..theme import panel_surface
from ..widgets import NUMBER_KEYS, Button, Scroller, TextField
from .base import FocusScreen, PanelScreen, draw_scrolled, paragraphs

REVEAL_CHARS_PER_SECOND = 110
TITLE_LINES = 2  # the scenario's title beside the meter; a longer one ends with an ellipsis (the
TITLE_SHARE = 0.3  # briefing shows it whole), and it always keeps at least this share of the width


def timeout_line(timeout: str | None) -> str | None:
    """What the screen says when the last decision's timer ran out (`View.timeout`), or None."""
    if timeout is None:
        return None
    what = timeout.strip()
    return _("Time ran out: {what}").format(what=what) if what else _("Time ran out.")


class SceneScreen(FocusScreen):
    """One playthrough in the window. Every decision goes to the engine with who made it and when."""

    name = "scene"

    def __init__(self, app, entry, language: str):
        super().__init__(app)
        # the variant of who the people are that the facilitator chose in the briefing (else the default)
        self.scenario = with_variant(entry.scenario, app.variants.get(entry.scenario.id))
        self.entry, self.language = entry, language
        self.session = self._new_session()
        self.actor = {"role": "trainee", "id": app.trainee}
        self.operated = app.mode == "operated"  # the instructor picks on the operator console (ui/console.py)
        # the trainee's view in operated mode shows no meter (the console does); M there shows it
        self.meter_visible = not (app.mode == "in-service" and not app.settings.show_meter_in_service) \
            and not self.operated
        if app.research is not None:  # a research protocol decides (ui/research.py)
            self.meter_visible = app.research.protocol.meter
            self.actor = {"role": "participant", "id": app.trainee}
        self.paused = False  # the instructor paused (operated mode): the clock stops until resumed
        self.paused_for = 0.0  # seconds of the current pause
        self.console = None
        self.recorder: SessionRecorder | None = None  # this session's record, stored after every decision
        self.offered: list[list[str]] = []  # the choices on screen at each decision, for the debrief
        self.jobs: list = []  # art still to preload (handed over by the briefing)
        self.list_scroller = Scroller()
        self.keys = KeyGuard()  # a number key held from the last choice must not choose again
        self._start_record()
        self._new_moment()
        if self.operated:
            from ..console import OperatorConsole
            self.console = app.console = OperatorConsole(app, self, second_window=app.console_window)

    def _start_record(self) -> None:
        """Store the session as it starts (the records database, else a record file; see records/recorder.py)."""
        sc = self.scenario
        settings = {"interface_language": language(), "variant": sc.variant, "meter_shown": self.meter_visible,
                    "timers": self.app.settings.timers, "no_timers": self.app.no_timers}
        if self.app.research is not None:
            settings["protocol"] = self.app.research.settings()
        self.recorder = SessionRecorder(self.app.record_store(), self.session, trainee=self.app.trainee,
                                        mode=self.app.mode, source=Path(sc.source).name if sc.source else sc.id,
                                        settings=settings)

    def _new_session(self) -> Session:
        return Session(self.scenario, seed=self.app.seed,
                       options=session_options(self.app, self.scenario, self.language),
                       officer=officer_name(self.app), unnamed=_("(your name)"))

    # --- layout --------------------------------------------------------------------------------
    def build(self) -> None:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        view = self.view
        w, h = app.surface.get_size()
        sc = self.scenario
        background = view.background or next((n.background for n in sc.nodes if n.background), None)
        self.backdrop = app.art.background(background, (w, h))
        timed = view.timer_seconds is not None and bool(view.choices)
        self._build_choices(TIMED_SPLITS if timed else (TEXT_SPLIT,))  # a crowded timed decision narrows the text
        self._build_top_bar()
        self._build_text()
        self._build_people()
        if not timed and self.scroller.scrollable:
            self._widen_text()
        g = self.g
        self.text_image = panel_surface(self.text_box.size, theme)
        self.choice_panel = panel_surface(g["right"].size, theme)
        self.hint = layout(app.fonts, [Span(self._hint_text(), theme.small, pal.muted)], g["right"].width - 2 * theme.pad)
        self.set_widgets(self.buttons_all if self.phase == "choosing" else [])
        self.timer_label_font = app.fonts.get(theme.small, True)
        self._timer_label = ("", None)
        self._static = None
        self.timer_image = panel_surface(g["timer"].inflate(theme.gap * 2, 0).size, theme)
        widest = max(self.timer_label_font.size(text)[0] for text in
                     (_("Time to decide: {seconds} s").format(seconds=f"{99.9:4.1f}"),
                      _("Timed decision: {seconds} s").format(seconds=f"{999:g}"),
                      _("See every option: the clock starts then")))
        app.audit.check("scene: timer label", (widest + theme.px(60), 0), (g["timer"].width, 1))
        self._audit()

    def _hint_text(self) -> str:
        """What the choice panel says while the text appears (in operated mode: all the time)."""
        if self.operated:
            if self.paused:
                return _("Paused by your instructor.")
            return _("Answer aloud: say what you would say and do. Your instructor picks the response that "
                     "matches your words.")
        hint = _("Space, Enter or a click shows the whole text and then the choices. Escape pauses.")
        if self.app.mode == "workshop":
            hint += " " + _("P shows the person's side of this moment.")
        return hint

    def _widen_text(self) -> None:
        """An untimed moment whose text would scroll takes a wider text column (WIDER_SPLITS) while
        every option still fits beside it without scrolling; the first width at which the text fits
        is kept, else the widest at which the options still fit. Faces stay whole either way."""
        kept = self.split
        for split in WIDER_SPLITS:
            self._build_choices((split,))
            if not self._all_in_view():
                break
            kept = split
            self._build_text()
            self._build_people()
            if not self.scroller.scrollable:
                return
        if kept != self.split:
            self._build_choices((kept,))
            self._build_text()
            self._build_people()

    def _build_choices(self, splits: tuple) -> None:
        """The choice buttons, in the widest text column of `splits` in which a timed decision's
        options all fit. If even the narrowest leaves one to scroll to, the clock waits until every
        option has been seen (`clock_waits`): nobody is timed on options they have not been shown."""
        app, theme, view = self.app, self.app.theme, self.view
        timed = view.timer_seconds is not None and bool(view.choices)
        for split in splits:
            self.split = split
            self.g = g = geometry(app, split)
            heading = (_("What do you say and do?") if self.operated else _("What do you do?")) if view.choices else ""
            self.choice_heading = layout(app.fonts, [Span(heading, theme.heading, theme.palette.text, True)],
                                         g["right"].width - 2 * theme.pad)
            self.choices_area = pygame.Rect(g["right"].x + theme.pad,
                                            g["right"].y + theme.pad * 2 + self.choice_heading.height,
                                            g["right"].width - 2 * theme.pad - theme.px(12), 0)
            self.choices_area.height = g["right"].bottom - theme.pad - self.choices_area.y
            extra = []
            if app.mode == "workshop" and self.session.can_undo:
                back = Button(_("Step back one decision (Backspace)"), self.step_back, bold=False, wid="undo")
                back.build(theme, app.fonts, self.choices_area.width, theme.small)
                extra.append(back)
            self.buttons_all = self._choice_buttons(view, extra) if not self.operated else []
            if self.operated:
                self.list_scroller.set(0, self.choices_area.height)
            if self._all_in_view():
                break
        self.clock_waits = timed and not self._all_in_view()

    def _all_in_view(self) -> bool:
        """Whether every option is in view without scrolling (its focus ring included)."""
        area = self.choices_area.inflate(0, 2 * self.app.theme.focus_width)
        return all(area.contains(button.rect) for button in self.buttons_all[:len(self.view.choices)])

    def _choice_buttons(self, view, extra: list) -> list:
        """One numbered button per available choice (force choices say so), then `extra` buttons."""
        theme = self.app.theme
        buttons = []
        y = 0
        for choice in view.choices:
            force = self.scenario.behaviour.force_names.get(choice.force) if choice.force else None
            force = word(force) if force else None
            button = Button(choice.text, lambda c=choice.id: self.choose(c), choice.number, bold=False,
                            detail=_("Use of force: {force}").format(force=force) if force else None, wid=choice.id)
            button.build(theme, self.app.fonts, self.choices_area.width)
            button.rect.topleft = (self.choices_area.x, self.choices_area.y + y + theme.focus_width)
            y += button.rect.height + theme.gap + theme.focus_width
            buttons.append(button)
        for button in extra:
            button.rect.topleft = (self.choices_area.x, self.choices_area.y + y + theme.focus_width)
            y += button.rect.height + theme.gap + theme.focus_width
            buttons.append(button)
        self.list_scroller.set(y, self.choices_area.height)
        return buttons

    def _build_top_bar(self) -> None:
        """The scenario's title (left, at most TITLE_LINES lines) and the meter (right). The meter takes
        the width its longest label needs, but never more than leaves the title TITLE_SHARE of the bar."""
        app, theme, g = self.app, self.app.theme, self.g
        pal = theme.palette
        w = app.surface.get_width()
        sc = self.scenario
        meter_w = min(meter_width(app, sc.behaviour), w - 3 * g["margin"] - round(w * TITLE_SHARE))
        self.meter_rect = pygame.Rect(0, 0, meter_w, g["top"].height)
        self.meter_rect.topright = (w - g["margin"], 0)
        title_w = self.meter_rect.left - 2 * g["margin"]
        font = app.fonts.get(theme.small, True)
        lines = wrap(font, sc.title.get(self.language, sc.language), title_w)
        if len(lines) > TITLE_LINES:
            lines = lines[:TITLE_LINES - 1] + [ellipsize(font, " ".join(lines[TITLE_LINES - 1:]), title_w)]
        self.title_text = layout(app.fonts, [Span("\n".join(lines), theme.small, pal.text, True)], title_w)
        widest = max((surf.get_width() for surf, *_rest in self.title_text.lines), default=0)
        self.title_rect = pygame.Rect(g["margin"], (g["top"].height - self.title_text.height) // 2, widest,
                                      self.title_text.height)
        app.audit.check("scene: title bar", (title_w, self.title_text.height), (title_w, g["top"].height))
        self.top_image = panel_surface((w, g["top"].height), theme, pal.panel[:3] + (235,))
        self._build_meter()

    def _build_text(self) -> None:
        """The text box's content: a timer running out, a chance reaction, the narrative, spoken
        lines, visible behaviour (and the person's perspective in workshop mode)."""
        app, theme, view = self.app, self.app.theme, self.view
        pal = theme.palette
        spans = []
        ran_out = timeout_line(view.timeout)
        if ran_out:  # first and in the warning colour: the trainee must know why the scene moved on
            spans.append(Span(ran_out, theme.body, pal.warn, True))
        if view.reaction:
            spans.append(Span(view.reaction, theme.body, pal.warn, space_before=theme.gap if spans else 0))
        spans.append(Span(view.narrative.strip(), theme.body, pal.text, space_before=theme.gap if spans else 0))
        for line in view.lines:
            if line.said_in is None:
                spans.append(Span(line.name, theme.body, pal.speaker, True, space_before=theme.gap))
                spans.append(Span(line.text.strip(), theme.body, pal.text, indent=theme.pad))
                continue
            # Words in a language the officer does not share: shown as said; the meaning only once
            # a qualified interpreter (or whatever the scenario says) makes them understood.
            spans.append(Span(_("{name}, in {language}").format(name=line.name, language=language_name(line.said_in)),
                              theme.body, pal.speaker, True, space_before=theme.gap))
            spans.append(Span(line.text.strip(), theme.body, pal.text, indent=theme.pad))
            if line.meaning:
                spans.append(Span(_("Interpreted: {meaning}").format(meaning=line.meaning.strip()), theme.body,
                                  pal.muted, indent=theme.pad))
        if view.behaviour:
            spans.append(Span(_("What you can see"), theme.small, pal.accent, True, space_before=theme.gap))
            spans.append(Span(view.behaviour.strip(), theme.body, pal.muted))
        self.text_spans = spans
        self.text = layout(app.fonts, spans, self.g["left"].width - 2 * theme.pad - theme.px(12))

    def _build_people(self) -> None:
        """Portraits whole above the text box: the largest size at which the text fits below them;
        at the smallest, the text box scrolls (it never covers a face)."""
        app, theme, view, g = self.app, self.app.theme, self.view, self.g
        left = g["left"]
        need = self.text.height + 2 * theme.pad
        count = len(view.people)
        above = theme.px(12) + (tag_height(app) if any(p.where != "here" for p in view.people) else 0)
        room = left.height
        p_h = 0
        if count:
            for share in PORTRAIT_SHARES:
                p_h = portrait_height(app, count, share, self.split)
                room = left.height - above - p_h - theme.gap
                if need <= room:
                    break
        box_h = max(0, min(need, room))
        self.text_box = pygame.Rect(left.x, left.bottom - box_h, left.width, box_h)
        self.text_rect = self.text_box.inflate(-2 * theme.pad, -2 * theme.pad)
        self.text_rect.width = self.text.width
        # text a few pixels too tall takes them from the bottom padding (at most half of it) rather
        # than show a scroll bar for a fifth of a line
        self.text_rect.height += max(0, min(theme.pad // 2, self.text.height - self.text_rect.height))
        self.scroller.set(self.text.height, self.text_rect.height)
        node = self.scenario.nodes[self.scenario.target_index[view.node_id]] \
            if view.node_id in self.scenario.target_index else None
        self.portraits = stage_people(app, view, node, left, self.text_box.top - theme.gap, p_h) if count else []

    def _audit(self) -> None:
        """Register what must never cover what (tests/test_ui_layout.py asserts the audit stays empty):
        the title, the meter, the timer, each portrait, name tag and place badge, the text box and the
        choices; and, in a timed decision whose clock runs at once, every option in view unscrolled."""
        audit, g, view = self.app.audit, self.g, self.view
        where = f"scene {view.node_id}"
        frame = [("title", self.title_rect), ("meter", self.meter_content)]
        if view.timer_seconds is not None:
            frame.append(("timer strip", g["timer"]))
        frame += [("text box", self.text_box), ("choice panel", g["right"])]
        labels = []
        for figure in self.portraits:
            labels.append((f"name tag of {figure.name}", figure.tag_rect))
            if figure.badge_rect is not None:
                labels.append((f"place badge of {figure.name}", figure.badge_rect))
        audit.apart(where, frame + labels)
        for figure in self.portraits:  # portraits overlap one another by design, never anything else
            audit.apart(where, [(f"portrait of {figure.name}", figure.rect)] + frame)
            chest = figure.rect.copy()
            chest.top = figure.rect.top + round(figure.rect.height * 0.78)
            chest.height = figure.rect.bottom - chest.top
            audit.inside(where, f"name tag of {figure.name} (below the face)", figure.tag_rect, chest)
        if view.timer_seconds is not None and not self.clock_waits:
            for button in self.buttons_all[:len(view.choices)]:
                audit.inside(where, f"option {button.number}", button.rect,
                             self.choices_area.inflate(0, 2 * self.app.theme.focus_width))

    def _build_meter(self) -> None:
        self._static = None
        self.meter_image, drawn = draw_meter(self.app, self.scenario.behaviour, self.view, self.meter_rect.size,
                                             self.meter_visible)
        self.meter_content = drawn.move(self.meter_rect.topleft)  # what is drawn, in the window

    def caption_area(self) -> pygame.Rect:
        """Sound captions go over the art, above the text box (never over the text or the choices)."""
        left = self.g["left"]
        return pygame.Rect(left.x, left.y + self.app.theme.gap, left.width, max(1, self.text_box.top - left.y))

    # --- moments -------------------------------------------------------------------------------
    def _new_moment(self) -> None:
        self.view = self.session.view()
        self.reveal = 0.0
        self.phase = "reading"
        self.decision_time = 0.0  # seconds since the moment appeared (an input recorded in the log)
        self.timer_left = self.view.timer_seconds
        self.seen_all = False  # every option has been in view (the clock waits for it when they do not fit)
        self.speak_pending = False
        self.last_tick = None
        self.scroller.offset = 0
        self.list_scroller.offset = 0
        self.keys.reset()
        ran_out = timeout_line(self.view.timeout)
        if ran_out:  # said at once: the trainee learns why the scene moved on before anything else
            self._say(ran_out, interrupt=True)
        if self.app.theme.reduced_motion:
            self._show_all()

    def _say(self, text: str, interrupt: bool = True, scenario_text: bool = False) -> None:
        """Read `text` aloud when self-voicing is on (App.speak is a no-op otherwise)."""
        if text:  # scenario text in the scenario's language, which may not be the interface's
            self.app.speak(text, interrupt, language=self.language if scenario_text else None)

    def speech(self) -> str:
        """The scene's text (read when the choices appear, and again on returning from the pause menu);
        nothing while it is still appearing."""
        if self.phase != "choosing":
            return ""
        ran_out = timeout_line(self.view.timeout)
        return " ".join(span.text for span in self.text_spans if span.text != ran_out)

    def _show_all(self) -> None:
        if self.phase != "choosing":
            self.phase = "choosing"
            self.reveal = float(10**9)
            self.speak_pending = True  # on the next frame, once this moment's text is built
            if self.app.research is not None and not self.session.ended:  # latencies count from here
                after = round(self.decision_time, 3)
                self.session.mark("choices_shown", after, self.actor, after=after)

    def enter(self) -> None:
        self.speak_pending = False  # the window reads `speech()` itself when a screen comes (back) on top
        self.keys.forget()  # keys released over the pause menu never came back here as KEYUP

    @property
    def text_total(self) -> int:
        return self.text.total_chars

    def skip(self) -> None:
        """Show the whole text and the choices at once."""
        self._show_all()
        self.set_widgets(self.buttons_all, keep=False)

    def choose(self, choice_id: str) -> None:
        if self.phase != "choosing" or self.operated:
            return
        if self.app.mode == "workshop":  # the room votes first (screens/workshop.py)
            self.app.push(self.app.flow.vote(self, choice_id))
            return
        self._take(choice_id, self.actor, None)

    def _take(self, choice_id: str, actor, reason) -> None:
        """Take `choice_id` now, decided by `actor` for `reason` (the time is the moment's, to the millisecond)."""
        before = self.view.escalation
        offered = [c.id for c in self.view.choices]
        self.session.choose(choice_id, round(self.decision_time, 3), actor, reason)
        self.offered.append(offered)
        self._after_decision(before)

    # --- workshop mode: the group's vote, discussion prompts, the person's side ----------------------
    def group_decides(self, choice_id: str, votes: dict, tie: bool, seconds: float) -> None:
        """The room voted (screens/workshop.py VoteScreen): `votes` per option, `tie` when the facilitator
        broke one. A discussion prompt the scenario gives for that option comes first, then its consequences."""
        self.decision_time += seconds
        actor = {"role": "workshop", "id": self.app.trainee, "votes": votes, "tie": tie}
        reason = None  # a tie is in the actor (`tie`): the facilitator's call, shown with the split
        choice = self.scenario.choice_by_id.get(choice_id)
        if choice is not None and choice.discuss is not None:
            self._mark("discussion_shown", {"role": "facilitator", "id": self.app.trainee}, choice=choice_id)
            prompt = self.session.fill(choice.discuss.get(self.language, self.scenario.language))

            def then(open_for: float) -> None:
                self.decision_time += open_for
                self._take(choice_id, actor, reason)
            self.app.push(self.app.flow.discussion(prompt, then))
            return
        self._take(choice_id, actor, reason)

    def their_side(self) -> None:
        """Workshop mode (P): the person's side of this moment, logged as shown."""
        if self.app.mode != "workshop" or self.session.ended:
            return
        self._mark("perspective_shown", {"role": "facilitator", "id": self.app.trainee})
        subject = next((c for c in self.scenario.characters.values() if c.role == "subject"), None)
        name = subject.shown_name(self.session.state.values, self.language, self.scenario.language) if subject \
            else _("The person")
        self.app.push(self.app.flow.their_side(name, self.view.perspective))

    def _mark(self, kind: str, actor, **fields) -> None:
        """Log a mark at this moment's time and store it with the record (a kill keeps it)."""
        self.session.mark(kind, round(self.decision_time, 3), actor, **fields)
        self._checkpoint()

    # --- instructor-operated mode: the console's actions -------------------------------------------
    def _instructor(self, heard: str | None = None) -> dict:
        actor = {"role": "instructor", "id": self.app.instructor or "instructor", "trainee": self.app.trainee}
        if heard is not None:
            actor["heard"] = heard
        return actor

    def operator_pick(self, choice_id: str, heard: str | None, reason: str | None) -> None:
        """The instructor picked `choice_id` for what the trainee said (`heard`, if typed), with `reason`
        when an option graded better was on offer (ui/console.py asks for it)."""
        if self.session.ended or self.paused:
            return
        self._show_all()
        self._take(choice_id, self._instructor(heard), reason)

    def add_note(self, text: str) -> None:
        """An instructor's note on the timeline at this moment (debrief and reports show it)."""
        self._mark("note_added", self._instructor(), text=text)

    def bring_in(self, inject_id: str) -> None:
        """Bring in the scenario's inject `inject_id` here: the scene goes on with its text and effects."""
        before = self.view.escalation
        self.session.inject(inject_id, round(self.decision_time, 3), self._instructor())
        self._checkpoint()
        after = self.session.escalation
        self.app.cue("rise" if after > before else "fall" if after < before else "page")
        self._new_moment()
        self.build()

    def toggle_pause(self) -> None:
        """Pause or resume (the instructor's P): the trainee's clock stops; both are logged."""
        if self.session.ended:
            return
        if not self.paused:
            self._mark("paused", self._instructor())
            self.paused, self.paused_for = True, 0.0
        else:
            self._mark("resumed", self._instructor(), paused_seconds=round(self.paused_for, 1))
            self.paused = False
        self.build()

    def toggle_meter(self) -> None:
        """Show or hide the distress meter on the trainee's view (the console's M)."""
        self.meter_visible = not self.meter_visible
        self._build_meter()

    def stop_by_instructor(self, reason: str) -> None:
        """The instructor ends the scenario here: logged with the reason, the record kept as abandoned."""
        if self.session.ended:
            return
        self._mark("scenario_stopped", self._instructor(), reason=reason)
        if self.recorder is not None and not self.recorder.finished:
            self.recorder.finish(ABANDONED, "ended by the instructor: " + reason)
        self.close_console()
        self.app.replace(self.app.flow.library())
        self.app.notify(_("The instructor ended the scenario. Its record is kept, with the reason."))

    def close_console(self) -> None:
        if self.console is not None:
            self.console.close_window()
            if self.app.console is self.console:
                self.app.console = None
            self.console = None

    def expire(self) -> None:
        before = self.view.escalation
        self.offered.append([c.id for c in self.view.choices])
        self.session.expire_timer()
        self._after_decision(before)

    def step_back(self) -> None:
        """Workshop mode: ask the facilitator why (StepBackScreen), then step back one decision."""
        if self.app.mode != "workshop" or not self.session.can_undo:
            return
        self.app.push(StepBackScreen(self.app, self))

    def undo(self, reason: str, extra_seconds: float = 0.0) -> None:
        """Step back one decision, logged with the facilitator as actor, `reason`, and the time since
        this moment appeared (plus `extra_seconds` spent in the prompt, where the scene's clock stops)."""
        if not self.session.can_undo:
            return
        actor = {"role": "facilitator", "id": self.app.trainee}
        self.session.undo(actor, reason, elapsed=round(self.decision_time + extra_seconds, 2))
        self.offered.pop()
        self._checkpoint()
        self._new_moment()
        self.build()
        self.app.cue("page")

    def _after_decision(self, before: int) -> None:
        after = self.session.escalation
        self.app.cue("rise" if after > before else "fall" if after < before else "confirm")
        if self.session.ended:
            self.close_console()
            self.record()
            self.app.replace_top(self.app.flow.ending(self))
            return
        self._checkpoint()
        self._new_moment()
        self.build()

    def restart(self) -> None:
        self.session = self._new_session()
        self._start_record()
        self.offered = []
        self._new_moment()
        self.build()

    def adopt(self, scenario, session: Session, offered: list) -> None:
        """Go on with `session` on `scenario`, a new version of the file rebuilt by live reload
        (ui/reload.py), with `offered` the options shown at each of its decisions. The session is a new
        one with a record of its own; the moment starts again, with the choices at once if they showed."""
        choosing = self.phase == "choosing"
        self.scenario, self.session, self.offered = scenario, session, list(offered)
        self._start_record()
        self._new_moment()
        if choosing:
            self._show_all()
        self.build()

    def _checkpoint(self) -> None:
        """Store this session's new events (a kill loses at most the decision in progress)."""
        if self.recorder is not None:
            self.recorder.sync()

    def record(self) -> None:
        """The session reached an ending: store its end and score report."""
        if self.recorder is not None and not self.recorder.finished:
            self.recorder.finish(grade=False)  # the ending grades in the background, then stores the report

    def abandon(self, why: str = "window closed") -> None:
        """The session stopped before an ending: keep its log anyway, saying why (nothing is lost)."""
        if self.recorder is not None and not self.recorder.finished and not self.session.ended:
            self.recorder.finish(ABANDONED, why)
        self.close_console()

    # --- input ---------------------------------------------------------------------------------
    def back(self) -> None:
        self.app.push(self.app.flow.pause(self))

    def handle(self, event: pygame.event.Event) -> None:
        if self.keys.blocks(event):
            return
        if self.console is not None and self.console.handle(event):
            return  # operated mode: the instructor's keys work in either window
        if event.type == pygame.KEYDOWN and event.key == pygame.K_p and self.app.mode == "workshop":
            self.their_side()
            return
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_m and self.app.mode == "in-service":
                self.meter_visible = not self.meter_visible
                self._build_meter()
                return
            if event.key == pygame.K_BACKSPACE:
                self.step_back()
                return
            if event.key == pygame.K_SPACE and self.phase == "choosing":
                return  # Space only ever skips text: it must never take a choice by accident
            if self.phase == "reading" and event.key != pygame.K_ESCAPE:
                if event.key in NUMBER_KEYS or event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                    self.skip()
                    return
        if self.phase == "reading" and event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.skip()
            return
        if event.type == pygame.MOUSEWHEEL:
            pos = pygame.mouse.get_pos()
            if self.g["right"].collidepoint(pos):
                self.list_scroller.scroll(-event.y * self.app.theme.body * 3)
            else:
                self.scroller.scroll(-event.y * self.app.theme.body * 3)
            return
        if event.type == pygame.KEYDOWN and self.phase == "choosing" and self.clock_waits and not self.seen_all:
            # while the clock waits for the options to be seen, the paging keys move through them
            step = max(1, self.list_scroller.view - self.app.theme.body * 2)
            moves = {pygame.K_PAGEDOWN: step, pygame.K_PAGEUP: -step, pygame.K_END: self.list_scroller.limit,
                     pygame.K_HOME: -self.list_scroller.limit}
            if event.key in moves:
                self.list_scroller.scroll(moves[event.key])
                return
        super().handle(event)

    def on_focus_moved(self) -> None:
        widget = self.ring.current
        if widget is not None:
            top = widget.rect.top - self.choices_area.top - self.app.theme.focus_width
            self.list_scroller.show(top, top + widget.rect.height + 2 * self.app.theme.focus_width)
        self.app.cue("select")
        self.speak_focus()

    def screen_rect(self, widget) -> pygame.Rect:
        return widget.rect.move(0, -self.list_scroller.offset)

    # --- time ----------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        if self.jobs:
            self.jobs.pop(0)()
        self.keys.tick(dt)
        if self.speak_pending:  # the choices have appeared: the scene's text, then the focused option
            self.speak_pending = False
            self._say(self.speech(), interrupt=False, scenario_text=True)
            self.speak_focus(False)
        if self.paused:
            self.paused_for += dt
            return
        self.decision_time += dt
        if self.phase == "reading":
            self.reveal += dt * REVEAL_CHARS_PER_SECOND
            # keep the newest text in view while it appears
            shown = self._revealed_height()
            if shown > self.scroller.offset + self.scroller.view:
                self.scroller.offset = min(self.scroller.limit, shown - self.scroller.view)
            if self.reveal >= self.text_total:
                self.skip()
            return
        if self.timer_left is None:
            return
        if self.clock_waits and not self.seen_all:
            # the options did not all fit: the clock starts once the last one has been in view (the
            # list was scrolled through, by the wheel, Page Down, End, or moving the focus)
            last = self.buttons_all[len(self.view.choices) - 1].rect
            bottom = last.bottom - self.choices_area.top + self.app.theme.focus_width
            self.seen_all = self.list_scroller.offset + self.list_scroller.view >= bottom
            if not self.seen_all:
                return
        self.timer_left -= dt
        whole = int(self.timer_left) + 1
        if self.timer_left <= 3 and whole != self.last_tick and self.timer_left > 0:
            self.last_tick = whole
            self.app.cue("timer")
        if self.timer_left <= 0:
            self.expire()

    def _revealed_height(self) -> int:
        shown = 0
        bottom = 0
        for surf, _x, y, chars in self.text.lines:
            if shown >= self.reveal:
                break
            bottom = y + surf.get_height()
            shown += chars
        return bottom

    # --- drawing -------------------------------------------------------------------------------
    def _compose(self) -> pygame.Surface:
        """Everything that stays still until the next decision, flattened into one opaque surface:
        the art, portraits, title bar, meter and panels. A frame then costs one blit plus the text,
        the choices and the timer (translucent panels are the expensive part at 4K)."""
        theme, g = self.app.theme, self.g
        static = self.backdrop.copy()
        for figure in self.portraits:
            static.blit(figure.image, figure.rect)
        for i, figure in enumerate(self.portraits):  # tags and badges last, so a neighbour never covers one
            static.blit(figure.tag, figure.tag_rect)
            if figure.badge is not None:
                static.blit(figure.badge, figure.badge_rect)
                self._point_at(static, figure.badge_rect, self.portraits[i:])
        static.blit(self.top_image, (0, 0))
        self.title_text.draw(static, self.title_rect.x, self.title_rect.y)
        static.blit(self.meter_image, self.meter_rect.topleft)
        if self.timer_left is not None:
            static.blit(self.timer_image, (g["timer"].x - theme.gap, g["timer"].y))
        if self.text_box.height:
            static.blit(self.text_image, self.text_box.topleft)
        static.blit(self.choice_panel, g["right"].topleft)
        self.choice_heading.draw(static, g["right"].x + theme.pad, g["right"].y + theme.pad)
        return static

    def _point_at(self, surface: pygame.Surface, badge: pygame.Rect, figures: list) -> None:
        """Small pointers from a place badge down to each head it stands for (the run of neighbours in
        that place), so that a badge slid over someone else's head never seems to be theirs."""
        theme, pal = self.app.theme, self.app.theme.palette
        size = max(3, theme.gap // 2 + 1)
        for figure in figures:
            if figure.where != figures[0].where:
                break
            x = figure.rect.centerx
            if badge.left + size <= x <= badge.right - size:
                tip = [(x - size, badge.bottom - 1), (x + size, badge.bottom - 1), (x, badge.bottom + size)]
                pygame.draw.polygon(surface, pal.panel[:3], tip)
                if theme.high_contrast:
                    pygame.draw.lines(surface, pal.panel_edge, False, tip[:1] + tip[2:] + tip[1:2])

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.app.theme
        if self._static is None or self._static.get_size() != surface.get_size():
            self._static = self._compose()
        surface.blit(self._static, (0, 0))
        self._draw_timer(surface)
        reveal = None if self.phase == "choosing" else int(self.reveal)
        draw_scrolled(surface, self.text, self.text_rect, self.scroller, theme, reveal)
        if self.phase == "reading" or self.operated:
            self.hint.draw(surface, self.choices_area.x, self.choices_area.y)
        else:
            clip = self.choices_area.inflate(theme.focus_width * 2, theme.focus_width * 2)
            self.draw_widgets(surface, clip)
            self.list_scroller.draw_bar(surface, self.choices_area.move(theme.px(10), 0), theme)
        if self.console is not None:
            self.console.draw_panel(surface)

    def _draw_timer(self, surface: pygame.Surface) -> None:
        if self.timer_left is None:
            return
        theme, pal = self.app.theme, self.app.theme.palette
        r = self.g["timer"]
        total = self.view.timer_seconds or 1
        left = max(0.0, self.timer_left)
        if self.phase != "choosing":
            text = _("Timed decision: {seconds} s").format(seconds=f"{total:g}")
        elif self.clock_waits and not self.seen_all:
            text = _("See every option: the clock starts then")
        else:
            text = _("Time to decide: {seconds} s").format(seconds=f"{left:4.1f}")
        if self._timer_label[0] != text:  # re-rendered ten times a second, not every frame
            self._timer_label = (text, self.timer_label_font.render(text, True, pal.text))
        label = self._timer_label[1]
        bar = pygame.Rect(r.x + label.get_width() + theme.pad, r.y + r.height // 4,
                          r.width - label.get_width() - theme.pad - theme.gap, r.height // 2)
        pygame.draw.rect(surface, pal.panel[:3], bar.inflate(4, 4), border_radius=theme.radius)
        fill = bar.copy()
        fill.width = round(bar.width * left / total)
        colour = pal.warn if left > 3 else pal.bad
        pygame.draw.rect(surface, colour, fill, border_radius=theme.radius)
        pygame.draw.rect(surface, pal.text, bar, width=max(1, theme.border // 2), border_radius=theme.radius)
        surface.blit(label, (r.x, r.centery - label.get_height() // 2))


# --- workshop mode's step back: the facilitator says why first ----------------------------------
# Reasons a facilitator gives most often, one key press each; anything else is typed.
QUICK_REASONS = (N_("To discuss another option"), N_("The group asked to try another branch"),
                 N_("A facilitator's correction"))
MAX_REASON_CHARS = 200


class StepBackScreen(PanelScreen):
    """Over the scene, like the pause menu: a typed reason or a quick one, then the undo is logged
    with the facilitator as actor, that reason, and the seconds since the moment appeared. It lives
    with the scene because nothing else opens it (screens reach each other through app.flow)."""

    name = "step back"
    overlay = True
    panel_width = 640

    def __init__(self, app, scene):
        super().__init__(app)
        self.scene = scene
        self.open_for = 0.0  # seconds this prompt has been open: the scene's clock is stopped meanwhile
        self.error = ""
        self.field = TextField(_("Why step back? Type here, then Enter"), self.submit, MAX_REASON_CHARS)

    def heading(self) -> str:
        return _("Why step back? (recorded in the session log)")

    def body(self):
        theme = self.app.theme
        spans = paragraphs(theme, _("Type the reason, or choose one below. It is kept with the decision "
                                    "in the session's record."), colour=theme.palette.muted, px=theme.small)
        if self.error:
            spans += paragraphs(theme, self.error, colour=theme.palette.warn, px=theme.small)
        return spans

    def widgets(self):
        quick = [Button(_(reason), lambda r=reason: self.submit(_(r)), i + 1, bold=False, wid=f"reason-{i + 1}")
                 for i, reason in enumerate(QUICK_REASONS)]
        return [self.field] + quick + [Button(_("Cancel"), self.back, len(quick) + 1, wid="cancel")]

    def enter(self) -> None:
        pygame.key.start_text_input()

    def update(self, dt: float) -> None:
        self.open_for += dt

    def handle_key(self, event: pygame.event.Event) -> None:
        typing = isinstance(self.ring.current, TextField)
        if typing and event.key in NUMBER_KEYS:
            return  # a digit typed into the reason (it arrives as text too), not a quick reason
        if event.key == pygame.K_SPACE and not typing:
            return  # as in the scene, Space never takes a button: the undo needs Enter, a number or a click
        super().handle_key(event)

    def submit(self, reason: str) -> None:
        """Step back with `reason`; an empty one asks again."""
        reason = reason.strip()
        if not reason:
            self.error = _("Type a reason or choose one of those below.")
            self.build()
            self.app.speak(self.error)
            return
        pygame.key.stop_text_input()
        self.app.pop()
        self.scene.undo(reason, self.open_for)
