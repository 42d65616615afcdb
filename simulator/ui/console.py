"""The operator console of instructor-operated mode: options with grades and where they lead, state, timer, controls.

The trainee answers the scene aloud; the instructor picks the option that matches on this console, in
a second window (pygame-ce windows) or, on one screen, as a panel the Tab key shows over the scene.
Every pick is logged as the instructor's, with the trainee's words if typed; a pick graded worse
than another option on offer needs a typed reason, which goes into the record, the debrief and the
report (scoring/room.py). The instructor can also pause, note, bring in a scenario's inject and end.
"""
from __future__ import annotations

import pygame

from ..engine.model import GRADES
from ..i18n import N_, _, data_text
from ..vocabulary import OUTCOME_NAMES, word
from .text import Span, layout
from .theme import Theme, panel_surface
from .widgets import NUMBER_KEYS

CONSOLE_SIZE = (960, 720)
MAX_TYPED = 300  # the trainee's words, a note or a reason
FIT_SCALES = (1.0, 0.88, 0.76, 0.66, 0.58)  # text sizes the console tries, largest first, until it fits
MIN_PX = 11  # no console text smaller than this (read at arm's length on a laptop)
MIN_REASON = 3  # characters: a reason is a reason, not a key pressed to get past the question
GRADE_COLOURS = {"good": "good", "acceptable": "text", "mistake": "warn", "major": "bad", "critical": "bad"}
TYPING_PROMPTS = {
    "heard": N_("What did the trainee say? (a short summary; Enter keeps it, Escape cancels)"),
    "note": N_("Note for the timeline (Enter adds it, Escape cancels)"),
    "reason": N_("Why does this branch match what the trainee said? (Enter picks it, Escape picks again)"),
    "stop": N_("Why end the scenario here? (Enter ends it, Escape goes on)"),
}


class OperatorConsole:
    """The console for one operated scene. `window` is the second window, or None: then the console is
    a panel over the scene, shown while `panel_shown` (Tab)."""

    def __init__(self, app, scene, second_window: bool = True):
        self.app, self.scene = app, scene
        self.heard = ""  # the trainee's words for the next pick, as the instructor typed them
        self.typing: str | None = None  # None, or what is being typed: heard, note, reason, stop
        self.buffer = ""
        self.pending: str | None = None  # the option waiting for a reason
        self.injecting = False  # the next number brings in an inject
        self.message = ""  # the last thing the console says back (a warning or a confirmation)
        self.panel_shown = False
        self.window = None
        self.theme: Theme | None = None
        self._theme_for = None  # the window size `theme` was made for
        self._clock = None  # ((text, colour), its rendered line): the timer, drawn apart from the layout
        self._drawn = None  # (what was laid out, the panel, the layout): the console is redrawn every frame
        if second_window:
            try:
                self.window = pygame.Window(_("Parley: operator console"), CONSOLE_SIZE, resizable=True)
            except (pygame.error, TypeError, ValueError) as exc:
                self.message = _("No second window ({why}): Tab shows the console on this screen.").format(why=exc)
                self.window = None
        if self.window is None:
            self.panel_shown = True

    # --- events --------------------------------------------------------------------------------
    def owns(self, event) -> bool:
        """Whether `event` happened in the console's own window."""
        return self.window is not None and getattr(event, "window", None) is self.window

    def close_window(self) -> None:
        """Close the second window (the console stays, as the Tab panel on the scene)."""
        if self.window is not None:
            self.window.destroy()
            self.window = None
            self.theme = None

    def handle(self, event) -> bool:
        """Handle a key or typed text from either window; True when the console used it."""
        if event.type == pygame.WINDOWCLOSE and self.owns(event):
            self.close_window()
            self.app.notify(_("The console window is closed: Tab shows the console on this screen."))
            return True
        if self.app.stack and self.app.top is not self.scene:
            # the pause menu or a prompt is over the scene: nothing may happen under it
            if event.type == pygame.KEYDOWN:
                self.message = _("The trainee's window shows a menu: close it there first.")
            return event.type in (pygame.KEYDOWN, pygame.TEXTINPUT)
        if event.type == pygame.TEXTINPUT and self.typing:
            text = "".join(ch for ch in event.text if ch.isprintable())
            self.buffer = (self.buffer + text)[:MAX_TYPED]
            return True
        if event.type != pygame.KEYDOWN:
            return False
        key = event.key
        if self.typing:
            if key == pygame.K_BACKSPACE:
                self.buffer = self.buffer[:-1]
            elif key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self._submit()
            elif key == pygame.K_ESCAPE:
                self._cancel_typing()
            return True  # while typing, every key is the instructor's text (a digit is not a pick)
        if key == pygame.K_TAB and self.window is None:
            self.panel_shown = not self.panel_shown
            return True
        if key == pygame.K_ESCAPE and self.injecting:
            self.injecting = False
            return True
        if key in NUMBER_KEYS:
            number = NUMBER_KEYS[key]
            if self.injecting:
                self._inject(number)
            else:
                self.pick(number)
            return True
        actions = {pygame.K_t: lambda: self._type("heard"), pygame.K_n: lambda: self._type("note"),
                   pygame.K_p: self.scene.toggle_pause, pygame.K_e: lambda: self._type("stop"),
                   pygame.K_j: self._start_inject, pygame.K_m: self.scene.toggle_meter}
        action = actions.get(key)
        if action is None:
            return False
        action()
        return True

    def _type(self, what: str) -> None:
        self.typing, self.buffer, self.message = what, self.heard if what == "heard" else "", ""
        pygame.key.start_text_input()

    def _cancel_typing(self) -> None:
        if self.typing == "reason":
            self.pending = None
            self.message = _("Pick again: no option was taken.")
        self.typing, self.buffer = None, ""
        pygame.key.stop_text_input()

    def _submit(self) -> None:
        text = " ".join(self.buffer.split())
        what = self.typing
        if what in ("reason", "stop") and len(text) < MIN_REASON:
            self.message = _("A reason is needed: type a few words.")
            return
        self.typing, self.buffer = None, ""
        pygame.key.stop_text_input()
        if what == "heard":
            self.heard = text
        elif what == "note":
            if text:
                self.scene.add_note(text)
                self.message = _("Note added to the timeline.")
        elif what == "reason":
            choice, self.pending = self.pending, None
            self._take(choice, text)
        elif what == "stop":
            self.scene.stop_by_instructor(text)

    # --- picks and injects ---------------------------------------------------------------------
    def options(self) -> list:
        """The options on offer now, in the order the scene would number them."""
        return list(self.scene.session.presented()) if not self.scene.session.ended else []

    def pick(self, number: int) -> None:
        """The instructor picks option `number`; one graded worse than another on offer asks for a reason."""
        options = self.options()
        if not 1 <= number <= len(options) or self.scene.paused:
            self.message = _("Resume first (P).") if self.scene.paused else _("There is no option {n}.").format(n=number)
            return
        choice = options[number - 1]
        better = [o for o in options if o.grade in GRADES and choice.grade in GRADES
                  and GRADES.index(o.grade) < GRADES.index(choice.grade)]
        if better:
            self.pending = choice.id
            self._type("reason")
            self.message = _("Option {n} is graded {grade}; option {better} is graded better.").format(
                n=number, grade=self._grade(choice.grade), better=", ".join(str(options.index(o) + 1) for o in better))
            return
        self._take(choice.id, None)

    def _take(self, choice_id: str, reason: str | None) -> None:
        heard, self.heard = self.heard or None, ""
        self.message = ""
        self.scene.operator_pick(choice_id, heard, reason)

    def _start_inject(self) -> None:
        if not self.scene.session.injects():
            self.message = _("This scene offers no event to bring in.")
            return
        self.injecting, self.message = True, ""

    def _inject(self, number: int) -> None:
        injects = self.scene.session.injects()
        self.injecting = False
        if 1 <= number <= len(injects):
            self.scene.bring_in(injects[number - 1].id)
            self.message = _("Event brought in.")

    # --- drawing -------------------------------------------------------------------------------
    def _grade(self, grade: str | None) -> str:
        from scoring.words import grade_words
        return grade_words(grade) if grade else _("not graded")

    def _leads_to(self, choice) -> str:
        """Where an option leads: a scene, an ending with its outcome, or chances of each."""
        from scoring.words import scene_label
        sc, session = self.scene.scenario, self.scene.session
        lang = self.scene.language

        def where(target: int) -> str:
            name = scene_label(sc, sc.target_ids[target], lang)
            if sc.is_ending(target):
                outcome = sc.ending_at(target).outcome
                return _("ending: {title} ({outcome})").format(title=name, outcome=_(OUTCOME_NAMES.get(outcome, outcome)))
            return name
        if choice.target is not None:
            return where(choice.target)
        parts = [f"{round(p * 100)}% {where(o.target)}" for o, p in session.outcomes(choice.id) if o is not None]
        return _("by chance: {chances}").format(chances="; ".join(parts))

    def spans(self, theme: Theme, scale: float = 1.0) -> list[Span]:
        """Everything the console shows, top to bottom (`scale` shrinks the text to fit the console)."""
        pal = theme.palette
        body, small, heading = (max(MIN_PX, round(px * scale)) for px in (theme.body, theme.small, theme.heading))
        scene, session = self.scene, self.scene.session
        sc, view = scene.scenario, scene.view
        lang = scene.language
        out = [Span(_("Operator console: {title}").format(title=sc.title.get(lang, sc.language)), heading,
                    pal.text, True)]
        trainee = self.app.trainee if self.app.trainee != "guest" else _("guest")
        out.append(Span(_("Trainee: {name}. The trainee sees the scene without options and answers aloud.").format(
            name=trainee), small, pal.muted))
        node = sc.nodes[session.state.at] if not session.ended else None
        doing = ""
        if node is not None and node.shows:
            doing = data_text(sc.behaviour.behaviour_names.get(node.shows, node.shows))
        state = _("Distress: {level} ({n} of {top}). Rapport: {rapport}.").format(
            level=word(view.escalation_name), n=view.escalation, top=len(sc.behaviour.level_names) - 1,
            rapport=word(view.rapport_name))
        if doing:
            state += " " + _("Doing: {doing}.").format(doing=doing)
        if view.recovery:
            state += " " + _("Recovering from a peak.")
        out.append(Span(state, body, pal.accent, True, space_before=theme.gap))
        if view.node_id is not None:
            from scoring.words import scene_label
            out.append(Span(_("Scene: {scene}").format(scene=scene_label(sc, view.node_id, lang)), small,
                            pal.muted, space_before=theme.gap))
        out.append(Span(_("Options (press the number of the one the trainee's words match):"), body, pal.text,
                        True, space_before=theme.gap))
        for i, choice in enumerate(self.options(), 1):
            text = choice.text.get(lang, sc.language) if choice.text else choice.id
            out.append(Span(f"{i}. {session.fill(text)}", body, pal.text, space_before=theme.gap // 2))
            colour = getattr(pal, GRADE_COLOURS.get(choice.grade or "", "muted"), pal.muted)
            detail = _("{grade}; leads to {where}").format(grade=self._grade(choice.grade), where=self._leads_to(choice))
            if choice.force:
                detail += "; " + _("force: {force}").format(force=word(sc.behaviour.force_names.get(choice.force,
                                                                                                    choice.force)))
            out.append(Span(detail, small, colour, indent=theme.pad * 2))
        heard = self.heard or _("(not typed)")
        out.append(Span(_("The trainee said: {words}").format(words=heard), body, pal.speaker,
                        space_before=theme.gap))
        injects = session.injects()
        if self.injecting:
            out.append(Span(_("Bring in which event? (number; Escape cancels)"), body, pal.focus, True,
                            space_before=theme.gap))
            for i, inject in enumerate(injects, 1):
                name = (inject.label or inject.text).get(lang, sc.language)
                out.append(Span(f"{i}. {name}", body, pal.text))
        if self.typing:
            out.append(Span(_(TYPING_PROMPTS[self.typing]), body, pal.focus, True, space_before=theme.gap))
            out.append(Span("> " + self.buffer + "_", body, pal.text))
        if self.message:
            out.append(Span(self.message, body, pal.warn, True, space_before=theme.gap))
        keys = _("Keys: 1-9 pick; T the trainee's words; N note; P pause; E end; M the trainee's meter")
        if injects:
            keys += "; " + _("J bring in an event ({n} here)").format(n=len(injects))
        if self.window is None:
            keys += "; " + _("Tab hides this panel")
        out.append(Span(keys + ".", small, pal.muted, space_before=theme.gap))
        return out

    def clock_line(self, theme: Theme) -> tuple[str, tuple]:
        """The timer, or that the trainee's clock is paused, and its colour: drawn apart from the rest,
        since it changes ten times a second."""
        scene, pal = self.scene, theme.palette
        if scene.paused:
            return _("PAUSED: the trainee's clock is stopped (P resumes)."), pal.warn
        if scene.timer_left is None:
            return _("No decision timer here."), pal.muted
        return _("Timer: {seconds} s left of {total} s.").format(seconds=f"{max(0.0, scene.timer_left):.1f}",
                                                                 total=f"{scene.view.timer_seconds:g}"), pal.warn

    def render(self, surface: pygame.Surface, rect: pygame.Rect, theme: Theme) -> None:
        """Draw the console into `rect` of `surface` (an opaque panel; text that does not fit is cut at the
        bottom, where the key help is, never at the options)."""
        spans = self.spans(theme)
        key = (rect.size, id(theme), tuple((s.text, s.px, s.colour) for s in spans))
        if self._drawn is None or self._drawn[0] != key:  # laid out again only when a word changes
            panel = panel_surface(rect.size, theme, theme.palette.panel[:3] + (250,))
            width = rect.width - 2 * theme.pad
            for scale in FIT_SCALES:  # many options at a large text size: smaller text, never cut options
                font = self.app.fonts.get(max(MIN_PX, round(theme.body * scale)), True)
                clock_h = font.get_linesize() + theme.gap
                text = layout(self.app.fonts, self.spans(theme, scale), width)
                if clock_h + text.height + 2 * theme.pad <= rect.height:
                    break
            self._drawn = (key, panel, text, font, clock_h)
            self._clock = None
        _key, panel, text, font, clock_h = self._drawn
        self.app.audit.check("operator console", (text.width, clock_h + text.height + 2 * theme.pad), rect.size)
        clock = self.clock_line(theme)
        if self._clock is None or self._clock[0] != clock:
            self._clock = (clock, font.render(clock[0], True, clock[1]))
        surface.blit(panel, rect.topleft)
        previous = surface.get_clip()
        surface.set_clip(rect)
        surface.blit(self._clock[1], (rect.x + theme.pad, rect.y + theme.pad))
        text.draw(surface, rect.x + theme.pad, rect.y + theme.pad + clock_h)
        surface.set_clip(previous)

    def draw_window(self) -> None:
        """Draw and show the second window (each frame, after the trainee's window)."""
        if self.window is None:
            return
        surface = self.window.get_surface()
        size = surface.get_size()
        if self.theme is None or self._theme_for != size:
            # sized by the window's height (a 960x720 console reads like the 1280x720 scene): the text is
            # shrunk to fit only when there is much of it (FIT_SCALES)
            self.theme, self._theme_for = Theme(self.app.settings, (max(size[0], size[1] * 16 // 9), size[1])), size
        surface.fill(self.theme.palette.background)
        self.render(surface, surface.get_rect(), self.theme)
        self.window.flip()

    def draw_panel(self, surface: pygame.Surface) -> None:
        """On one screen: the console over the right part of the scene while Tab shows it."""
        if self.window is not None or not self.panel_shown:
            return
        theme = self.app.theme
        w, h = surface.get_size()
        rect = pygame.Rect(0, 0, round(w * 0.62), h - 2 * theme.pad)
        rect.topright = (w - theme.pad, theme.pad)
        self.render(surface, rect, theme)
