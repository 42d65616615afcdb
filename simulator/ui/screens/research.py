"""A research protocol's questions in the window, one at a time, and the thanks at the end (ui/research.py)."""
from __future__ import annotations

import pygame

from ...i18n import _
from ..widgets import NUMBER_KEYS, Button, TextField
from .base import PanelScreen, paragraphs

MAX_BUTTONS = 11  # a scale this short is answered by buttons (0-10 fits); a longer one is typed


class QuestionScreen(PanelScreen):
    """One question: a scale (buttons, or typed when long), a choice (buttons) or text (typed)."""

    name = "research question"
    background = "backgrounds/title.svg"
    panel_width = 820

    def __init__(self, app, run, phase: str, question):
        super().__init__(app)
        self.run, self.phase, self.question = run, phase, question
        self.error = ""
        limit = question.max_length if question.kind == "text" else 6
        self.field = TextField(_("Type your answer, then Enter"), self.submit, limit)

    def _typed(self) -> bool:
        q = self.question
        return q.kind == "text" or (q.kind == "scale" and q.max - q.min + 1 > MAX_BUTTONS)

    def heading(self) -> str:
        return _("Before the scenarios") if self.phase == "pre" else _("After the scenarios")

    def body(self):
        theme, q = self.app.theme, self.question
        spans = paragraphs(theme, q.text)
        notes = []
        if q.kind == "scale" and (q.low or q.high):
            notes.append("; ".join(part for part in (
                _("{value} = {label}").format(value=q.min, label=q.low) if q.low else "",
                _("{value} = {label}").format(value=q.max, label=q.high) if q.high else "") if part))
        if self._typed() and q.kind == "scale":
            notes.append(_("Type a whole number from {min} to {max}, then Enter.").format(min=q.min, max=q.max))
        if not q.required:
            notes.append(_("This question is optional: Skip leaves it unanswered."))
        spans += paragraphs(theme, *notes, colour=theme.palette.muted, px=theme.small) if notes else []
        if self.error:
            spans += paragraphs(theme, self.error, colour=theme.palette.warn, px=theme.small)
        return spans

    def widgets(self):
        q = self.question
        widgets: list = []
        if self._typed():
            widgets.append(self.field)
            widgets.append(Button(_("Save the answer"), lambda: self.submit(self.field.value), wid="save"))
        elif q.kind == "scale":
            for value in range(q.min, q.max + 1):
                label = str(value)
                if value == q.min and q.low:
                    label = _("{value} ({label})").format(value=value, label=q.low)
                elif value == q.max and q.high:
                    label = _("{value} ({label})").format(value=value, label=q.high)
                widgets.append(Button(label, lambda v=value: self.submit(str(v)), bold=False, wid=f"value-{value}"))
        else:
            for number, (option_id, text) in enumerate(q.options, 1):
                widgets.append(Button(text, lambda o=option_id: self.choose(o), number if number <= 9 else None,
                                      bold=False, wid=f"option-{option_id}"))
        if not q.required:
            widgets.append(Button(_("Skip"), lambda: self.run.answer(self.phase, q.id, ""), wid="skip"))
        return widgets

    def enter(self) -> None:
        if self._typed():
            pygame.key.start_text_input()

    def back(self) -> None:
        """Escape does not leave a protocol half answered: the participant answers or skips."""

    def handle_key(self, event: pygame.event.Event) -> None:
        if isinstance(self.ring.current, TextField) and event.key in NUMBER_KEYS:
            return  # a digit typed into the answer (it arrives as text too)
        if event.key == pygame.K_SPACE:
            return  # Space never answers
        super().handle_key(event)

    def choose(self, option_id: str) -> None:
        pygame.key.stop_text_input()
        self.run.answer(self.phase, self.question.id, option_id)

    def submit(self, text: str) -> None:
        """Check a typed or chosen answer as the text-mode run does; store it, or say what is wrong."""
        q = self.question
        text = " ".join(str(text).split())
        problem = None
        if not text:
            problem = _("An answer is needed here.") if q.required else None
            if problem is None:
                return self.choose("")
        elif q.kind == "scale":
            if not (text.lstrip("-").isdigit() and len(text) <= 6 and q.min <= int(text) <= q.max):
                problem = _("Please type a whole number from {min} to {max}.").format(min=q.min, max=q.max)
            else:
                text = str(int(text))
        elif len(text) > q.max_length:
            problem = _("That is {n} characters; please shorten it to {max} at most.").format(n=len(text),
                                                                                         max=q.max_length)
        if problem:
            self.error = problem
            self.build()
            self.app.speak(problem)
            return
        self.choose(text)


class ThanksScreen(PanelScreen):
    """The end of a participant's run."""

    name = "research thanks"
    background = "backgrounds/title.svg"

    def __init__(self, app, run):
        super().__init__(app)
        self.run = run

    def heading(self) -> str:
        return _("Thank you")

    def body(self):
        return paragraphs(self.app.theme, _("Everything is recorded; the session is over. Please tell the "
                                            "researcher that you have finished."))

    def widgets(self):
        return [Button(_("Close"), lambda: self.app.quit(0), 1, wid="close")]

    def back(self) -> None:
        pass
