"""Title, who-is-training, mode, settings, credits and the pause menu."""
from __future__ import annotations

import re

import pygame

from ...paths import assets_dir
from ..settings import MODES, TEXT_SIZES, TIMER_MODES
from ..text import Span
from ..widgets import Button, Cycler, TextField
from .base import PanelScreen, paragraphs

MODE_TEXT = {
    "academy": ("Academy", "Recruit training: the distress meter is shown, timers follow your settings, and the "
                           "debrief explains every grade."),
    "in-service": ("In-service", "Refresher training with less hand-holding: the distress meter is hidden "
                                 "(press M to show it), timers follow your settings."),
    "workshop": ("Workshop", "Group discussion: no decision timers, the person's own perspective is shown after "
                             "each decision, and Backspace steps back to try another branch (each step back is "
                             "logged)."),
}
WINDOW_SIZES = [(1280, 720), (1600, 900), (1920, 1080), (2560, 1440), (3840, 2160)]


class TitleScreen(PanelScreen):
    name = "title"
    background = "backgrounds/title.svg"
    panel_width = 620
    heading_size = "title"

    def heading(self) -> str:
        return "Parley"

    def body(self):
        theme = self.app.theme
        spans = paragraphs(theme, "Practise de-escalation: real encounters, honest choices, and a debrief that "
                             "explains every grade.", colour=theme.palette.muted)
        for warning in self.app.settings_warnings:
            spans.append(Span(warning, theme.small, theme.palette.warn, space_before=theme.gap))
        return spans

    def widgets(self):
        return [Button("Start training", lambda: self.app.go(TraineeScreen(self.app)), 1),
                Button("Settings", lambda: self.app.go(SettingsScreen(self.app)), 2),
                Button("Credits and licences", lambda: self.app.go(CreditsScreen(self.app)), 3),
                Button("Quit", lambda: self.app.quit(0), 4)]

    def back(self) -> None:
        self.app.quit(0)


class TraineeScreen(PanelScreen):
    name = "trainee"
    background = "backgrounds/title.svg"

    def __init__(self, app):
        super().__init__(app)
        self.error = ""
        self.field = TextField("Name or trainee id", self.submit)

    def heading(self) -> str:
        return "Who is training?"

    def body(self):
        theme = self.app.theme
        spans = paragraphs(theme, "Type your name or trainee id and press Enter, or continue as a guest. The name is "
                             "stored only in this computer's session records.", colour=theme.palette.muted)
        if self.error:
            spans.append(Span(self.error, theme.body, theme.palette.warn, True, space_before=theme.gap))
        return spans

    def widgets(self):
        items = [self.field, Button("Continue", lambda: self.submit(self.field.value.strip()))]
        for i, name in enumerate(self.app.settings.recent_trainees[:5]):
            items.append(Button(f"Continue as {name}", lambda n=name: self.choose(n), wid=f"recent-{i}"))
        items.append(Button("Continue as guest", lambda: self.choose("guest")))
        return items

    def enter(self) -> None:
        pygame.key.start_text_input()

    def submit(self, name: str) -> None:
        if not name:
            self.error = "Type a name or id first, or choose Continue as guest."
            self.build()
            return
        self.choose(name)

    def choose(self, name: str) -> None:
        pygame.key.stop_text_input()
        self.app.trainee = name
        if name != "guest":
            self.app.settings.remember_trainee(name)
            self.app.save()
        self.app.go(ModeScreen(self.app))


class ModeScreen(PanelScreen):
    name = "mode"
    background = "backgrounds/title.svg"

    def heading(self) -> str:
        return f"Training mode for {self.app.trainee}"

    def widgets(self):
        items = []
        for i, mode in enumerate(MODES):
            label, detail = MODE_TEXT[mode]
            items.append(Button(label, lambda m=mode: self.choose(m), i + 1, detail=detail, wid=mode))
        return items

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
        return "Settings"

    def body(self):
        theme = self.app.theme
        return paragraphs(theme, "Left and Right change a setting; changes apply at once and are saved.",
                     colour=theme.palette.muted, px=theme.small)

    def widgets(self):
        s = self.app.settings
        languages = [None] + self._languages()
        items = [
            Cycler("Text size", list(TEXT_SIZES), {t: t.capitalize() for t in TEXT_SIZES}, s.text_size,
                   lambda v: self.set("text_size", v)),
            Cycler("High contrast", [False, True], {False: "Off", True: "On"}, s.high_contrast,
                   lambda v: self.set("high_contrast", v)),
            Cycler("Decision timers", list(TIMER_MODES),
                   {"off": "Off", "x1": "Normal", "x1.5": "Slower (x1.5)", "x2": "Slowest (x2)"}, s.timers,
                   lambda v: self.set("timers", v)),
            Cycler("Reduced motion", [False, True], {False: "Off", True: "On"}, s.reduced_motion,
                   lambda v: self.set("reduced_motion", v)),
            Cycler("Display", [False, True], {False: "Window", True: "Full screen"}, s.fullscreen,
                   self.app.set_fullscreen),
        ]
        if not s.fullscreen:
            current = tuple(self.app.surface.get_size())
            sizes = WINDOW_SIZES if current in WINDOW_SIZES else WINDOW_SIZES + [current]
            items.append(Cycler("Window size", sizes, {z: f"{z[0]} x {z[1]}" for z in sizes}, current,
                                lambda v: self.app.resize(*v)))
        items += [
            Cycler("Scenario language", languages, {None: "Each scenario's own", **{c: c for c in languages if c}},
                   s.language if s.language in languages else None, lambda v: self.set("language", v)),
            Cycler("Sound cues", [True, False], {True: "On", False: "Muted"}, s.sound, lambda v: self.set("sound", v)),
            Cycler("Meter in in-service mode", [False, True], {False: "Hidden", True: "Shown"},
                   s.show_meter_in_service, lambda v: self.set("show_meter_in_service", v)),
            Button("Back", self.back),
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


class CreditsScreen(PanelScreen):
    name = "credits"
    background = "backgrounds/title.svg"
    panel_width = 900

    def heading(self) -> str:
        return "Credits and licences"

    def body(self):
        theme = self.app.theme
        try:
            text = (assets_dir() / "CREDITS.md").read_text(encoding="utf-8")
        except OSError as exc:
            text = f"The credits file could not be read ({exc}). See assets/LICENSE.md."
        spans = []
        for block in text.strip().split("\n\n"):
            block = block.strip()
            if block.lstrip("# ").strip() == self.heading():
                continue  # the file's own title repeats the screen's heading
            bold = block.startswith("#")
            block = re.sub(r"^#+\s*", "", block)
            block = re.sub(r"[*`]", "", block)
            block = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", block)
            spans.append(Span(block, theme.heading if bold else theme.body, theme.palette.text, bold,
                              space_before=theme.gap))
        return spans

    def widgets(self):
        return [Button("Back", self.back)]


class PauseScreen(PanelScreen):
    name = "pause"
    overlay = True
    panel_width = 520

    def __init__(self, app, scene):
        super().__init__(app)
        self.scene = scene

    def heading(self) -> str:
        return "Paused"

    def body(self):
        theme = self.app.theme
        return paragraphs(theme, "The decision timer is stopped while this menu is open.", colour=theme.palette.muted,
                     px=theme.small)

    def widgets(self):
        return [Button("Resume", self.back, 1),
                Button("Restart scenario", self.restart, 2),
                Button("Settings", lambda: self.app.go(SettingsScreen(self.app)), 3),
                Button("Quit to library", self.to_library, 4)]

    def restart(self) -> None:
        self.scene.abandon("restarted")
        self.app.pop()
        self.scene.restart()

    def to_library(self) -> None:
        self.scene.abandon("quit to library")
        self.app.replace(self.app.flow.library())
