"""Title (and its quit question), who-is-training, mode, settings, credits and the pause menu."""
from __future__ import annotations

import re

import pygame

from ...i18n import LANGUAGES, N_, _, language, pgettext, system_language
from ...paths import assets_dir
from ..settings import FONT_FACES, LINE_SPACINGS, MODES, TEXT_SIZES, TIMER_MODES
from ..text import Span
from ..widgets import Button, Cycler, TextField
from .base import PanelScreen, paragraphs

MODE_TEXT = {
    "academy": (N_("Academy"), N_("Recruit training: the distress meter is shown, timers follow your settings, and "
                                  "the debrief explains every grade.")),
    "in-service": (N_("In-service"), N_("Refresher training with less hand-holding: the distress meter is hidden "
                                        "(press M to show it), timers follow your settings.")),
    "workshop": (N_("Workshop"), N_("Group discussion: no decision timers; the room votes on each decision, the "
                                    "scenario's discussion prompts appear, P shows the person's side, Backspace steps "
                                    "back to try another branch (logged), and a feedback form ends the debrief.")),
    "operated": (N_("Instructor-operated"), N_("For a class: the trainee answers the scene aloud and the instructor "
                                              "picks the matching response on the operator console (a second window, "
                                              "or Tab). A pick graded worse than another option needs a reason.")),
}
WINDOW_SIZES = [(1280, 720), (1600, 900), (1920, 1080), (2560, 1440), (3840, 2160)]
TEXT_SIZE_NAMES = {"small": N_("Small"), "medium": N_("Medium"), "large": N_("Large"), "largest": N_("Largest")}
TIMER_NAMES = {"off": N_("Off"), "x1": N_("Normal"), "x1.5": N_("Slower (x1.5)"), "x2": N_("Slowest (x2)")}
FONT_NAMES = {"standard": N_("Standard"), "dyslexia": N_("Dyslexia-friendly (OpenDyslexic)")}
SPACING_NAMES = {"normal": N_("Normal"), "wide": N_("Wide")}


def _on_off() -> dict:
    return {False: _("Off"), True: _("On")}


class TitleScreen(PanelScreen):
    name = "title"
    background = "backgrounds/title.svg"
    panel_width = 620
    heading_size = "title"

    def heading(self) -> str:
        return "Parley"  # the program's name, never translated

    def body(self):
        theme = self.app.theme
        spans = paragraphs(theme, _("Practice de-escalation: real encounters, honest choices, and a debrief that "
                                    "explains every grade."), colour=theme.palette.muted)
        for warning in self.app.settings_warnings:
            spans.append(Span(warning, theme.small, theme.palette.warn, space_before=theme.gap))
        return spans

    def widgets(self):
        return [Button(_("Start training"), lambda: self.app.go(TraineeScreen(self.app)), 1, wid="Start training"),
                Button(_("Settings"), lambda: self.app.go(SettingsScreen(self.app)), 2, wid="Settings"),
                Button(_("Credits and licences"), lambda: self.app.go(CreditsScreen(self.app)), 3,
                       wid="Credits and licences"),
                Button(_("Quit"), lambda: self.app.quit(0), 4, wid="Quit")]

    def back(self) -> None:
        """Escape asks before quitting: a stray Escape must not close the window."""
        self.app.push(QuitScreen(self.app))


class QuitScreen(PanelScreen):
    """"Quit Parley?" over the title: Quit, or Stay (focused first; Escape also stays)."""

    name = "quit"
    overlay = True
    opaque = True  # the dimmed title must not show through the question
    panel_width = 460

    def heading(self) -> str:
        return _("Quit Parley?")

    def widgets(self):
        return [Button(_("Quit"), lambda: self.app.quit(0), 1, wid="Quit"),
                Button(_("Stay"), self.back, 2, wid="Stay")]

    def build(self) -> None:
        first = not self.ring.widgets
        super().build()
        if first:  # Enter right after a stray Escape stays
            self.ring.focus(next(w for w in self.ring.widgets if w.wid == "Stay"))


class TraineeScreen(PanelScreen):
    name = "trainee"
    background = "backgrounds/title.svg"

    def __init__(self, app):
        super().__init__(app)
        self.error = ""
        self.field = TextField(_("Name or trainee id"), self.submit)

    def heading(self) -> str:
        return _("Who is training?")

    def body(self):
        theme = self.app.theme
        if self.app.settings.remember_names:
            note = _("Type your name or trainee id and press Enter, or continue as a guest. Names are remembered "
                     "on this computer (you can change that in Settings).")
        else:
            note = _("Type your name or trainee id and press Enter, or continue as a guest. The name is stored only "
                     "in the training records.")
        spans = paragraphs(theme, note, colour=theme.palette.muted)
        if self.error:
            spans.append(Span(self.error, theme.body, theme.palette.warn, True, space_before=theme.gap))
        return spans

    def widgets(self):
        self.field.prompt = _("Name or trainee id")
        items = [self.field, Button(_("Continue"), lambda: self.submit(self.field.value.strip()), wid="Continue")]
        names = self.app.settings.recent_trainees[:5] if self.app.settings.remember_names else []
        for i, name in enumerate(names):
            items.append(Button(_("Continue as {name}").format(name=name), lambda n=name: self.choose(n),
                                wid=f"recent-{i}"))
        items.append(Button(_("Continue as guest"), lambda: self.choose("guest"), wid="Continue as guest"))
        if names:
            items.append(Button(_("Forget all names"), self.forget_all, bold=False, wid="Forget all names"))
        return items

    def enter(self) -> None:
        pygame.key.start_text_input()

    def submit(self, name: str) -> None:
        if not name:
            self.error = _("Type a name or id first, or choose Continue as guest.")
            self.build()
            self.app.speak(self.error)
            return
        self.choose(name)

    def choose(self, name: str) -> None:
        pygame.key.stop_text_input()
        self.app.trainee = name
        if name != "guest" and self.app.settings.remember_names:
            self.app.settings.remember_trainee(name)
            self.app.save()
        self.app.go(ModeScreen(self.app))

    def forget_all(self) -> None:
        """Remove every remembered name from this computer."""
        self.app.settings.recent_trainees = []
        self.app.save()
        self.build()
        said = _("All names were forgotten on this computer.")
        self.app.notify(said)
        self.app.speak(said)


class ModeScreen(PanelScreen):
    name = "mode"
    background = "backgrounds/title.svg"

    def heading(self) -> str:
        return _("Training mode for {name}").format(name=self._trainee())

    def _trainee(self) -> str:
        return _("guest") if self.app.trainee == "guest" else self.app.trainee

    def widgets(self):
        items = []
        for i, mode in enumerate(MODES):
            label, detail = MODE_TEXT[mode]
            items.append(Button(_(label), lambda m=mode: self.choose(m), i + 1, detail=_(detail), wid=mode))
        if self.app.trainee in self.app.settings.recent_trainees and self.app.settings.remember_names:
            items.append(Button(_("Forget me on this computer"), self.forget_me, bold=False,
                                detail=_("Removes {name} from the names offered on the first screen.").format(
                                    name=self.app.trainee), wid="Forget me"))
        return items

    def forget_me(self) -> None:
        """Remove this trainee's name from the remembered names (their records are kept)."""
        self.app.settings.forget_trainee(self.app.trainee)
        self.app.save()
        self.build()
        said = _("{name} will not be offered on this computer again.").format(name=self.app.trainee)
        self.app.notify(said)
        self.app.speak(said)

    def choose(self, mode: str) -> None:
        self.app.mode = mode
        library = self.app.flow.library()
        self.app.go(library)
        if self.app.scenario_path is not None:  # `parley play FILE`: that scenario is chosen already
            library.preselect(self.app.scenario_path)


class SettingsScreen(PanelScreen):
    name = "settings"
    background = "backgrounds/title.svg"

    def heading(self) -> str:
        return _("Settings")

    def body(self):
        theme = self.app.theme
        return paragraphs(theme, _("Left and Right change a setting; changes apply at once and are saved. "
                                   "V turns self-voicing on or off anywhere."),
                          colour=theme.palette.muted, px=theme.small)

    def widgets(self):
        s, app = self.app.settings, self.app
        on_off = _on_off()
        items = [
            Cycler(_("Text size"), list(TEXT_SIZES), {t: _(TEXT_SIZE_NAMES[t]) for t in TEXT_SIZES}, s.text_size,
                   lambda v: self.set("text_size", v), wid="Text size"),
            Cycler(_("High contrast"), [False, True], on_off, s.high_contrast,
                   lambda v: self.set("high_contrast", v), wid="High contrast"),
            Cycler(_("Decision timers"), list(TIMER_MODES), {t: _(TIMER_NAMES[t]) for t in TIMER_MODES}, s.timers,
                   lambda v: self.set("timers", v), wid="Decision timers"),
            Cycler(_("Reduced motion"), [False, True], on_off, s.reduced_motion,
                   lambda v: self.set("reduced_motion", v), wid="Reduced motion"),
            Cycler(_("Font"), list(FONT_FACES), {f: _(FONT_NAMES[f]) for f in FONT_FACES}, s.font,
                   lambda v: self.set("font", v), wid="Font"),
            Cycler(_("Line spacing"), list(LINE_SPACINGS), {k: _(SPACING_NAMES[k]) for k in LINE_SPACINGS},
                   s.line_spacing, lambda v: self.set("line_spacing", v), wid="Line spacing"),
            Cycler(_("Captions for sound cues"), [False, True], on_off, s.captions,
                   lambda v: self.set("captions", v), wid="Captions"),
            Cycler(_("Self-voicing (V)"), [False, True], on_off, s.self_voicing, self.set_self_voicing,
                   wid="Self-voicing", detail=app.voice.problem),
            Cycler(_("Display"), [False, True], {False: _("Window"), True: _("Full screen")}, s.fullscreen,
                   app.set_fullscreen, wid="Display"),
        ]
        if not s.fullscreen:
            current = tuple(app.surface.get_size())
            sizes = [z for z in WINDOW_SIZES if app.window_fits(z)]
            detail = None
            if len(sizes) < len(WINDOW_SIZES):
                detail = _("Larger sizes do not fit this display; full screen uses all of it.")
            if current not in sizes:
                sizes = sorted(sizes + [current])
            items.append(Cycler(_("Window size"), sizes, {z: f"{z[0]} x {z[1]}" for z in sizes}, current,
                                lambda v: app.resize(*v), wid="Window size", detail=detail))
        interface = [None] + list(LANGUAGES)
        scenario_languages = [None] + self._languages()
        items += [
            Cycler(_("Interface language"), interface,
                   {None: _("As the system ({language})").format(language=LANGUAGES[system_language()]),
                    **LANGUAGES}, s.interface_language, app.set_interface_language, wid="Interface language"),
            Cycler(_("Scenario language"), scenario_languages,
                   {None: _("As the interface, when translated"), **{c: c for c in scenario_languages if c}},
                   s.language if s.language in scenario_languages else None, lambda v: self.set("language", v),
                   wid="Scenario language"),
            Cycler(_("Sound cues"), [True, False], {True: _("On"), False: _("Muted")}, s.sound,
                   lambda v: self.set("sound", v), wid="Sound cues"),
            Cycler(_("Meter in in-service mode"), [False, True], {False: _("Hidden"), True: _("Shown")},
                   s.show_meter_in_service, lambda v: self.set("show_meter_in_service", v),
                   wid="Meter in in-service mode"),
            Cycler(_("Remember trainee names on this computer"), [False, True], {False: _("No"), True: _("Yes")},
                   s.remember_names, self.set_remember_names, wid="Remember names"),
            Cycler(_("Review status and authoring details"), [False, True],
                   {False: pgettext("several details", "Hidden"), True: pgettext("several details", "Shown")},
                   s.instructor_details, lambda v: self.set("instructor_details", v), wid="Review status"),
            Button(_("Back"), self.back, wid="Back"),
        ]
        return items

    def _languages(self) -> list[str]:
        catalog = self.app.catalog
        found = set()
        if catalog is not None and catalog.ready:
            for entry in catalog.entries:
                if entry.scenario is not None:
                    found.update(entry.scenario.languages)
        return sorted(found)

    def set(self, name: str, value) -> None:
        setattr(self.app.settings, name, value)
        self.app.save()
        if name == "sound" and self.app._sound is not None:
            self.app.sound.enabled = value
        self.app.relayout()

    def set_self_voicing(self, on: bool) -> None:
        if on != self.app.settings.self_voicing:
            self.app.toggle_self_voicing()

    def set_remember_names(self, on: bool) -> None:
        """Off also forgets every stored name at once (a shared training station)."""
        self.app.settings.set_remember_names(on)
        self.app.save()
        self.app.relayout()


class CreditsScreen(PanelScreen):
    name = "credits"
    background = "backgrounds/title.svg"
    panel_width = 900

    def heading(self) -> str:
        return _("Credits and licences")

    def _text(self) -> str:
        """The credits in the interface language when there is a translation (CREDITS.es.md), else English."""
        folder = assets_dir()
        for name in (f"CREDITS.{language()}.md", "CREDITS.md"):
            try:
                return (folder / name).read_text(encoding="utf-8")
            except OSError as exc:
                problem = exc
        return _("The credits could not be read ({why}).").format(why=type(problem).__name__)

    def body(self):
        theme, pal = self.app.theme, self.app.theme.palette
        spans = []
        for block in self._text().strip().split("\n\n"):
            block = block.strip()
            if not block or block.lstrip("# ").strip() in (self.heading(), "Credits and licences"):
                continue  # the file's own title repeats the screen's heading
            heading = block.startswith("#")
            block = re.sub(r"^#+\s*", "", block)
            block = re.sub(r"[*`_]{1,2}([^*`_]+)[*`_]{1,2}", r"\1", block)
            block = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", block)
            block = re.sub(r"^\s*[-*]\s+", "\u2022 ", block, flags=re.MULTILINE)  # list items as bullets
            block = re.sub(r"(?<!\n)\n(?!\u2022)", " ", block)  # lines of a paragraph run together
            spans.append(Span(block, theme.heading if heading else theme.body, pal.accent if heading else pal.text,
                              heading, space_before=theme.gap * (2 if heading else 1)))
        return spans

    def widgets(self):
        return [Button(_("Back"), self.back, wid="Back")]


class PauseScreen(PanelScreen):
    name = "pause"
    overlay = True
    shade = 255  # the scene is hidden entirely while paused: nothing of it shows through
    opaque = True
    panel_width = 520

    def __init__(self, app, scene):
        super().__init__(app)
        self.scene = scene

    def heading(self) -> str:
        return _("Paused")

    def body(self):
        theme = self.app.theme
        return paragraphs(theme, _("The decision timer is stopped while this menu is open."),
                          colour=theme.palette.muted, px=theme.small)

    def widgets(self):
        if self.app.research is not None:  # a study: no restart, no library; stopping keeps what was done
            return [Button(_("Resume"), self.back, 1, wid="Resume"),
                    Button(_("Stop here (what you did so far is kept)"), self.stop_research, 2, wid="Stop")]
        return [Button(_("Resume"), self.back, 1, wid="Resume"),
                Button(_("Restart scenario"), self.restart, 2, wid="Restart scenario"),
                Button(_("Settings"), lambda: self.app.go(SettingsScreen(self.app)), 3, wid="Settings"),
                Button(_("Quit to library"), self.to_library, 4, wid="Quit to library")]

    def stop_research(self) -> None:
        """A research participant stops: the part is kept as abandoned; the same command resumes later."""
        self.scene.abandon("stopped by the participant")
        self.app.quit(0)

    def restart(self) -> None:
        self.scene.abandon("restarted")
        self.app.pop()
        self.scene.restart()

    def to_library(self) -> None:
        self.scene.abandon("quit to library")
        self.app.replace(self.app.flow.library())
