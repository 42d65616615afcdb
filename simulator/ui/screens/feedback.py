"""The workshop's feedback form (issue #15): after playing a scenario, a community member in a co-design
workshop rates its realism, its fairness and its respect for the people portrayed (1 to 5, or left
blank), says what they would change and anything else, and saves it with the session in the records
database for the scenario's authors (`parley feedback SCENARIO`, simulator/records/feedback_report.py,
whose RATINGS give the form its questions and the words at each end of the scale).

Opened over the debrief in workshop mode ("Feedback on this scenario"). Keyboard only works
throughout: Tab, Up and Down move between the questions; Left and Right, or the numbers 1 to 5,
choose a rating and 0 clears it; Enter in a text box moves on; Save and Skip are buttons. A save
that fails (no database, a database error) says so and keeps the form as it is. Escape leaves and
keeps what was typed for when the form is opened again from the same debrief; Skip leaves and
forgets it.
"""
from __future__ import annotations

import pygame

from ...i18n import _
from ...records.database import DatabaseError
from ...records.feedback_report import RATINGS, SCALE, rating_anchors
from ..text import Span, layout, wrap
from ..theme import panel_surface
from ..widgets import NUMBER_KEYS, Button, Cycler, TextField
from .base import FocusScreen, button_row

MAX_TEXT_CHARS = 2000  # each text box; the count shows when this is near
BOX_LINES = 3  # lines of text a box shows (the last ones: where typing goes)
CLEAR_KEYS = (pygame.K_0, pygame.K_KP0, pygame.K_DELETE, pygame.K_BACKSPACE)


def rating_labels(low: str, high: str) -> dict:
    """A rating's values as shown: "not rated", "1 of 5: not at all realistic", "2 of 5" ... "5 of 5: ..."."""
    labels = {None: _("not rated")}
    for n in SCALE:
        labels[n] = _("{n} of 5").format(n=n)
    labels[1] = _("{n} of 5: {anchor}").format(n=1, anchor=_(low))
    labels[5] = _("{n} of 5: {anchor}").format(n=5, anchor=_(high))
    return labels


class Rating(Cycler):
    """One 1-5 rating, with "not rated" first: Left/Right step through, `set` jumps to a value."""

    def set(self, value: int | None) -> None:
        self.current = value
        self.label = self._label()
        self.on_change(value)


class TextBox(TextField):
    """A text field of several lines under a label that stays when typing starts: the text wraps and
    the box shows its last lines, where typing goes."""

    def __init__(self, label: str, prompt: str, on_submit, max_chars: int, wid: str):
        super().__init__(prompt, on_submit, max_chars)
        self.label, self.wid = label, wid
        self.label_rect = pygame.Rect(0, 0, 0, 0)
        self._wrapped: tuple = (None, [])

    def spoken(self) -> str:
        """The label (the question), that it is a text field, and what is typed so far."""
        if self.value:
            return _("{prompt}, text field: {value}").format(prompt=self.label, value=self.value)
        return _("{prompt}, text field, empty").format(prompt=self.label)

    def lines(self, font, width: int) -> list[str]:
        """The value wrapped to `width` (kept until the value or the width changes)."""
        key = (self.value, width, id(font))
        if self._wrapped[0] != key:
            self._wrapped = (key, wrap(font, self.value, width) if self.value else [])
        return self._wrapped[1]


class FeedbackScreen(FocusScreen):
    """The form, in a panel over the debrief: the ratings, the two text boxes, then Save and Skip at
    the panel's foot (always in view; the questions above them scroll when they do not fit)."""

    name = "feedback"
    overlay = True
    shade = 200
    panel_width = 820  # on the 1280x720 design grid

    def __init__(self, app, scene):
        super().__init__(app)
        self.scene = scene
        self.scenario = scene.session.scenario
        self.problem = ""  # why the last save failed (shown above the buttons), or what is missing
        draft = getattr(scene, "feedback_draft", None) or {}  # left with Escape earlier
        self.ratings = {column: draft.get(column) for column, *_rest in RATINGS}
        self.cyclers = [
            Rating(_(name), [None, *SCALE], rating_labels(low, high), self.ratings[column],
                   lambda value, c=column: self.rate(c, value), wid=column,
                   detail=" ".join((_(question), rating_anchors(low, high))))
            for column, name, question, low, high in RATINGS]
        self.change = TextBox(_("What would you change?"), _("Type here (optional); Enter moves on"), self.next_field,
                              MAX_TEXT_CHARS, "change")
        self.comment = TextBox(_("Anything else the authors should know?"), _("Type here (optional); Enter moves on"),
                               self.next_field, MAX_TEXT_CHARS, "comment")
        self.change.value = draft.get("change") or ""
        self.comment.value = draft.get("comment") or ""
        self.buttons = [Button(_("Save"), self.save, wid="save"), Button(_("Skip"), self.skip, wid="skip")]

    # --- what the form holds ---------------------------------------------------------------------------
    def answers(self) -> dict:
        """The form's answers as the store takes them (empty text as None)."""
        return {**self.ratings, "change": self.change.value.strip() or None,
                "comment": self.comment.value.strip() or None}

    def rate(self, column: str, value: int | None) -> None:
        self.ratings[column] = value
        self.build()  # the label's width changed

    def _keep_draft(self, answers: dict | None) -> None:
        self.scene.feedback_draft = answers if answers and any(v is not None for v in answers.values()) else None

    # --- words -----------------------------------------------------------------------------------------
    def heading(self) -> str:
        return _("Your feedback on this scenario")

    def _title(self) -> str:
        return self.scenario.title.get(self.scene.language, self.scenario.language)

    def intro(self) -> list[str]:
        trainee = self.app.trainee
        where = (_("It is stored with this session in the training records, without a name.") if trainee in (None, "guest")
                 else _("It is stored with this session in the training records, under the name {name}.").format(
                     name=trainee))
        return [_("For the scenario's authors: how it felt to you, and what you would change. Any question may be "
                  "left blank.") + " " + where,
                _("Left and Right, or the numbers 1 to 5, choose a rating; 0 clears it. Tab moves to the next "
                  "question.")]

    def speech(self) -> str:
        """The heading, the scenario's title and the introduction."""
        return " ".join([self.heading() + ".", self._title() + ".", *self.intro()])

    # --- layout ----------------------------------------------------------------------------------------
    def build(self) -> None:
        app, theme = self.app, self.app.theme
        pal, fonts = theme.palette, app.fonts
        w, h = app.surface.get_size()
        margin = theme.px(24)
        width = min(w - 2 * margin, theme.px(self.panel_width * min(1.2, theme.text_scale)))
        inner_w = width - 2 * theme.pad - theme.px(14)  # room for a scroll bar
        step = theme.gap + theme.focus_width
        intro = self.intro()
        self.text = layout(fonts, [Span(self.heading(), theme.heading, pal.text, True),
                                   Span(self._title(), theme.body, pal.accent, True, space_before=theme.gap // 2),
                                   Span(intro[0], theme.small, pal.muted, space_before=theme.gap),
                                   Span(intro[1], theme.small, pal.muted, space_before=theme.gap // 2)], inner_w)
        y = self.text.height + theme.pad
        for cycler in self.cyclers:  # content coordinates first: y from the top of the scrolled area
            cycler.build(theme, fonts, inner_w)
            cycler.rect.topleft = (0, y)
            y += cycler.rect.height + step
        self.labels = []
        line = fonts.get(theme.body).get_linesize()
        for box in (self.change, self.comment):
            label = layout(fonts, [Span(box.label, theme.body, pal.text, True)], inner_w)
            y += theme.gap
            box.label_rect = pygame.Rect(0, y, inner_w, label.height)
            self.labels.append((label, box))
            y += label.height + theme.gap // 2
            box.rect = pygame.Rect(0, y, inner_w, BOX_LINES * line + 2 * theme.pad)
            y += box.rect.height + step
        content = y - step
        # the foot: why a save failed, then Save and Skip side by side
        self.notice = layout(fonts, [Span(self.problem, theme.body, pal.warn, True)], inner_w) if self.problem else None
        foot_h = (self.notice.height + theme.gap if self.notice else 0)
        foot_h += max(b.build(theme, fonts, (inner_w - theme.gap) // 2) for b in self.buttons)
        panel_h = min(content + foot_h + 3 * theme.pad, h - 2 * margin)
        self.panel = pygame.Rect(0, 0, width, panel_h)
        self.panel.center = (w // 2, h // 2)
        self.panel_image = panel_surface(self.panel.size, theme, pal.panel[:3] + (255,))
        left, top = self.panel.x + theme.pad, self.panel.y + theme.pad
        buttons_top = button_row(self.buttons, theme, fonts, left, self.panel.bottom - theme.pad, inner_w)
        self.notice_y = buttons_top - theme.gap - (self.notice.height if self.notice else 0)
        self.inner = pygame.Rect(left, top, inner_w, (self.notice_y if self.notice else buttons_top) - theme.pad - top)
        self.scroller.set(content, self.inner.height)
        for widget in [*self.cyclers, self.change, self.comment]:  # window coordinates at scroll offset 0
            widget.rect.move_ip(left, top)
        for box in (self.change, self.comment):
            box.label_rect.move_ip(left, top)
        self.set_widgets([*self.cyclers, self.change, self.comment, *self.buttons])
        app.audit.check("feedback: panel text width", (self.text.width, 0), (inner_w, 1))
        app.audit.check("feedback: room for the questions", (0, theme.body * 3), (inner_w, self.inner.height))
        app.audit.apart("feedback", [("questions", self.inner)] + [(f"button {b.wid}", b.rect) for b in self.buttons])

    def is_scrolled(self, widget) -> bool:
        return widget not in self.buttons

    def screen_rect(self, widget) -> pygame.Rect:
        return widget.rect.move(0, -self.scroller.offset) if self.is_scrolled(widget) else widget.rect

    def widget_at(self, pos):
        """The widget under `pos`; a question scrolled out of the form's area (under the buttons) is not."""
        for widget in self.ring.widgets:
            if widget.enabled and self.screen_rect(widget).collidepoint(pos) and \
                    (not self.is_scrolled(widget) or self.inner.collidepoint(pos)):
                return widget
        return None

    def on_focus_moved(self) -> None:
        """Scroll the focused question into view (a text box with its label), tick, and read it aloud."""
        widget, theme = self.ring.current, self.app.theme
        if widget is not None and self.is_scrolled(widget) and self.scroller.scrollable:
            top = widget.label_rect.top if isinstance(widget, TextBox) else widget.rect.top
            self.scroller.show(top - self.inner.y - theme.pad, widget.rect.bottom - self.inner.y + theme.pad)
        self.app.cue("select")
        self.speak_focus()

    # --- keys ------------------------------------------------------------------------------------------
    def enter(self) -> None:
        pygame.key.start_text_input()

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            widget = self.widget_at(event.pos)
            if isinstance(widget, TextBox):  # a click puts the caret there; only Enter moves on
                if widget is not self.ring.current:
                    self.ring.focus(widget)
                    self.speak_focus()
                return
        super().handle(event)

    def handle_key(self, event: pygame.event.Event) -> None:
        current, key = self.ring.current, event.key
        if isinstance(current, TextBox):
            if key in NUMBER_KEYS or key in (pygame.K_SPACE, pygame.K_LEFT, pygame.K_RIGHT):
                return  # typed as text (digits and spaces arrive as text input); there is no caret to move
        elif isinstance(current, Rating) and (key in NUMBER_KEYS or key in CLEAR_KEYS):
            value = None if key in CLEAR_KEYS else NUMBER_KEYS[key]
            if value is None or value in SCALE:
                current.set(value)
                self.app.speak(current.spoken())
            return
        elif key == pygame.K_SPACE:
            return  # Space never presses Save or Skip (see widgets.ACTIVATE_KEYS), nor scrolls the form away
        super().handle_key(event)

    def next_field(self, _value: str = "") -> None:
        """Enter in a text box: on to the next question (never a save, which needs the Save button)."""
        self.ring.move(1)
        self.on_focus_moved()

    # --- leaving ---------------------------------------------------------------------------------------
    def back(self) -> None:
        """Escape: back to the debrief, keeping what was typed for when the form is opened again."""
        self._keep_draft(self.answers())
        self.app.pop()

    def skip(self) -> None:
        """Skip: back to the debrief; nothing is stored and the draft is forgotten."""
        self._keep_draft(None)
        self.app.pop()

    def _say_problem(self, text: str) -> None:
        """Show why nothing was stored above the buttons, where the focus is (the form stays as it is; no
        banner, which would cover the questions), and say it."""
        self.problem = text
        self.build()
        self.app.speak(text)

    def save(self) -> None:
        """Store the answers with this session (its uid, the trainee, the scenario's id and version),
        then go back to the debrief and say so. When nothing can be stored, say why and stay."""
        answers = self.answers()
        if all(v is None for v in answers.values()):
            self._say_problem(_("Nothing to save yet: choose a rating or type an answer, or choose Skip."))
            return
        store = self.app.record_store()
        if store is None:
            self._say_problem(_("The feedback could not be stored: the training records database could not be "
                                "opened. Your answers are still here; tell the facilitator."))
            return
        recorder = getattr(self.scene, "recorder", None)
        trainee = self.app.trainee
        try:
            store.add_feedback(self.scenario.id, session_uid=getattr(recorder, "uid", None),
                               trainee=None if trainee in (None, "guest") else trainee,
                               scenario_version=self.scenario.version, **answers)
        except DatabaseError as exc:
            self._say_problem(_("The feedback could not be stored ({error}). Your answers are still here: try "
                                "Save again, or tell the facilitator.").format(error=exc))
            return
        self._keep_draft(None)
        self.app.pop()
        thanks = _("Thank you: your feedback was saved for the scenario's authors.")
        self.app.notify(thanks)
        self.app.speak(thanks)

    # --- drawing ---------------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        theme = self.app.theme
        surface.blit(self.panel_image, self.panel.topleft)
        clip = self.inner.inflate(theme.focus_width * 2 + 2, theme.focus_width * 2)
        previous = surface.get_clip()
        surface.set_clip(clip)
        offset = self.scroller.offset
        self.text.draw(surface, self.inner.x, self.inner.y - offset, clip)
        for label, box in self.labels:
            label.draw(surface, box.label_rect.x, box.label_rect.y - offset, clip)
        surface.set_clip(previous)
        self.scroller.draw_bar(surface, self.inner.move(theme.px(10), 0), theme)
        self.draw_widgets(surface, clip)
        if self.notice is not None:
            self.notice.draw(surface, self.inner.x, self.notice_y)
        focused = self.ring.current
        for widget in self.buttons:
            widget.draw(surface, theme, widget is focused, widget is self.hovered)

    def draw_widgets(self, surface: pygame.Surface, clip: pygame.Rect | None = None) -> None:
        """The ratings and the text boxes, in the scrolled area (the buttons are drawn in the foot)."""
        theme = self.app.theme
        focused = self.ring.current
        previous = surface.get_clip()
        surface.set_clip(clip)
        for widget in [*self.cyclers, self.change, self.comment]:
            rect = self.screen_rect(widget)
            if clip is not None and not rect.colliderect(clip):
                continue
            if isinstance(widget, TextBox):
                self._draw_box(surface, widget, rect, widget is focused)
            else:
                widget.draw(surface, theme, widget is focused, widget is self.hovered, widget.rect.y - rect.y, clip)
        surface.set_clip(previous)

    def _draw_box(self, surface: pygame.Surface, box: TextBox, rect: pygame.Rect, focused: bool) -> None:
        """A text box: its last BOX_LINES lines, a caret after the text when focused (steady with reduced
        motion), and how many characters are left once the limit is near."""
        theme, fonts = self.app.theme, self.app.fonts
        pal = theme.palette
        pygame.draw.rect(surface, pal.button, rect, border_radius=theme.radius)
        pygame.draw.rect(surface, pal.focus if focused else pal.panel_edge, rect,
                         width=theme.focus_width if focused else theme.border, border_radius=theme.radius)
        font = fonts.get(theme.body)
        inner = rect.inflate(-2 * theme.pad, -2 * theme.pad)
        x, y = inner.x, inner.y
        step = font.get_linesize()
        if not box.value:
            surface.blit(font.render(box.prompt, True, pal.muted), (x, y))
            caret = (x, y)
        else:  # the last lines; near the limit, the last line's row shows how many characters are used
            near = len(box.value) >= box.max_chars * 0.9
            lines = box.lines(font, inner.width - theme.px(4))[-(BOX_LINES - 1 if near else BOX_LINES):]
            for i, text in enumerate(lines):
                surface.blit(font.render(text, True, pal.text), (x, y + i * step))
            last = lines[-1] if lines else ""
            extra = font.size(" ")[0] if box.value.endswith(" ") else 0
            caret = (min(inner.right - 2, x + font.size(last)[0] + extra), y + (len(lines) - 1) * step)
        if focused and (theme.reduced_motion or (self.app.frames // 30) % 2 == 0):
            pygame.draw.line(surface, pal.text, (caret[0] + 2, caret[1]), (caret[0] + 2, caret[1] + step - 2), 2)
        if len(box.value) >= box.max_chars * 0.9:
            count = fonts.get(theme.small).render(_("{used} of {limit} characters").format(
                used=len(box.value), limit=box.max_chars), True, pal.warn)
            surface.blit(count, count.get_rect(bottomright=(inner.right, inner.y + BOX_LINES * step)))
