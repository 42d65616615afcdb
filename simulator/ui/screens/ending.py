"""The ending in the person's words, while the debrief is graded in a background thread."""
from __future__ import annotations

import threading

import pygame

from ...i18n import _
from ...vocabulary import OUTCOME_NAMES
from ..keyguard import KeyGuard
from ..text import Span, layout
from ..theme import draw_level_shape, panel_surface
from ..widgets import Button
from .base import FocusScreen, button_row, draw_scrolled

# Keys pressed this soon after the ending appears were meant for the last choice (a trainee pressing
# on, or a key held down): they must not open the debrief before the ending has been read.
QUIET_SECONDS = 0.8


class EndingScreen(FocusScreen):
    """How it ended, in the person's words; the debrief is prepared in the background meanwhile."""

    name = "ending"

    def __init__(self, app, scene):
        super().__init__(app)
        self.scene = scene
        self.session = scene.session
        self.report = None
        self.error = None
        self._thread = threading.Thread(target=self._grade, name="parley-grade", daemon=True)
        self._thread.start()
        self.ready_seen = False
        self._report_stored = False
        self.open_when_ready = False
        self.keys = KeyGuard(QUIET_SECONDS, getattr(getattr(scene, "keys", None), "down", ()))
        app.cue("ending")

    def _grade(self) -> None:
        try:
            from scoring.grade import grade
            self.report = grade(self.session.scenario, list(self.session.log), language=self.session.language).to_json()
        except Exception as exc:  # a scoring bug must not lose the playthrough: the ending still shows
            self.error = f"{type(exc).__name__}: {exc}"

    def wait(self, timeout: float = 30.0) -> None:
        self._thread.join(timeout)

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def build(self) -> None:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        w, h = app.surface.get_size()
        view = self.session.view()
        ending = view.ending
        background = view.background or self.scene.view.background
        self.backdrop = app.art.background(background, (w, h))
        margin = theme.px(40)
        self.panel = pygame.Rect(margin, margin, w - 2 * margin, h - 2 * margin)
        self.panel_image = panel_surface(self.panel.size, theme)
        inner_w = self.panel.width - 2 * theme.pad - theme.px(14)
        self.outcome = ending.outcome
        spans = [Span(_("Outcome: {outcome}").format(outcome=_(OUTCOME_NAMES.get(ending.outcome, ending.outcome))),
                      theme.body, pal.accent, True, indent=theme.px(30)),
                 Span(ending.title, theme.heading, pal.text, True, space_before=theme.gap),
                 Span(ending.text.strip(), theme.body, pal.text, space_before=theme.gap)]
        ran_out = self.timeout_line()
        if ran_out:  # the last decision was the clock's: say so before how it ended
            spans.insert(1, Span(ran_out, theme.body, pal.warn, True, space_before=theme.gap))
        if ending.perspective:
            spans.append(Span(_("Their side"), theme.body, pal.rapport, True, space_before=theme.pad))
            spans.append(Span(ending.perspective.strip(), theme.body, pal.muted))
        self.spans = spans
        self.text = layout(app.fonts, spans, inner_w)
        status = (_("Your debrief is ready.") if self.ready and not self.error else
                  _("The debrief could not be prepared ({error}); the session record is saved.").format(
                      error=self.error) if self.error
                  else _("Preparing your debrief (it opens as soon as it is ready)...") if self.open_when_ready
                  else _("Preparing your debrief..."))
        buttons = [Button(_("See the debrief"), self.open_debrief, 1, enabled=not self.error,
                          detail=status, wid="debrief"),
                   Button(_("Play again"), self.replay, 2, wid="replay"),
                   Button(_("Back to the library"), self.to_library, 3, wid="library")]
        research = self.app.research
        if research is not None and not research.protocol.debrief:  # a study goes on to its next part
            buttons = [Button(_("Continue"), self.go_on, 1, enabled=self.ready,
                              detail=None if self.ready else _("Saving..."), wid="continue")]
        elif research is not None:
            buttons = buttons[:1]
        row_top = button_row(buttons, theme, app.fonts, self.panel.x + theme.pad, self.panel.bottom - theme.pad,
                             inner_w)
        self.text_rect = pygame.Rect(self.panel.x + theme.pad, self.panel.y + theme.pad, inner_w,
                                     row_top - theme.pad - self.panel.y - theme.pad)
        self.scroller.set(self.text.height, self.text_rect.height)
        self.set_widgets(buttons)
        self.ready_seen = self.ready
        self.level = self.session.escalation

    def timeout_line(self) -> str | None:
        """"Time ran out: ..." when the session ended on a decision timer running out, else None."""
        timeout = self.session.view().timeout
        if timeout is None:
            return None
        what = timeout.strip()
        return _("Time ran out: {what}").format(what=what) if what else _("Time ran out.")

    def speech(self) -> str:
        """The ending as shown (a timer running out first), read when it appears."""
        return " ".join(span.text for span in getattr(self, "spans", ()))

    def is_scrolled(self, widget) -> bool:
        return False

    def handle(self, event: pygame.event.Event) -> None:
        if self.keys.blocks(event):
            return
        if event.type == pygame.MOUSEBUTTONDOWN and self.keys.age < self.keys.quiet:
            return  # a double click on the last choice must not land on a button here
        if event.type == pygame.KEYDOWN and event.key == pygame.K_SPACE:
            # Space never takes a button here (it skipped the scene's text a moment ago): it reads on
            self.scroller.scroll(max(1, self.scroller.view - self.app.theme.body * 2))
            return
        super().handle(event)

    def update(self, dt: float) -> None:
        self.keys.tick(dt)
        if self.ready:
            self._store_report()
        if self.ready and not self.ready_seen:
            self.build()
            if self.open_when_ready:
                self.open_debrief()

    def _store_report(self) -> None:
        """Grading finished: the session's record gets its report (or why there is none), once."""
        recorder = getattr(self.scene, "recorder", None)
        if recorder is not None and not self._report_stored:
            self._report_stored = True
            recorder.store_report(self.report, None if self.report is not None else (self.error or "grading failed"))

    def open_debrief(self) -> None:
        if self.ready:
            self._store_report()
        if self.report is None:
            if not self.ready:  # asked for early: open it the moment grading finishes
                self.open_when_ready = True
                self.build()
            return
        self.app.replace_top(self.app.flow.debrief(self.scene, self.report))

    def go_on(self) -> None:
        """Research mode without a debrief: the record is complete (its report stored), on to what follows."""
        if self.ready:
            self._store_report()
            self.app.research.part_ended()

    def replay(self) -> None:
        self.app.replace_top(self.app.flow.briefing(self.scene.entry, self.scene.language))

    def to_library(self) -> None:
        if self.app.research is not None:
            return  # a research participant has no library: Continue goes on
        self.app.replace(self.app.flow.library())

    def back(self) -> None:
        self.to_library()

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.app.theme
        surface.blit(self.backdrop, (0, 0))
        surface.blit(self.panel_image, self.panel.topleft)
        draw_scrolled(surface, self.text, self.text_rect, self.scroller, theme)
        if self.scroller.offset < theme.body:  # the outcome's level shape, beside the outcome line
            previous = surface.get_clip()
            surface.set_clip(self.text_rect)
            icon_r = theme.px(9)
            draw_level_shape(surface, self.level, (self.text_rect.x + icon_r + 2,
                                                   self.text_rect.y - self.scroller.offset + icon_r + theme.px(3)), icon_r)
            surface.set_clip(previous)
        self.draw_widgets(surface)
