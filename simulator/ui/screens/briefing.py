"""The briefing: the dispatch information an officer would get, while the scene's art loads."""
from __future__ import annotations

from ..staging import art_jobs, session_options
from ..text import Span
from ..widgets import Button
from .base import PanelScreen


class BriefingScreen(PanelScreen):
    """The dispatch information an officer would get; loads the scene's art while it is read."""

    name = "briefing"
    background = "backgrounds/briefing.svg"
    panel_width = 860

    def __init__(self, app, entry, language: str):
        super().__init__(app)
        self.entry, self.scenario, self.language = entry, entry.scenario, language
        self.jobs: list = []

    def heading(self) -> str:
        sc = self.scenario
        return "Briefing: " + sc.title.get(self.language, sc.language)

    def body(self):
        theme, sc, lang = self.app.theme, self.scenario, self.language
        pal = theme.palette
        d = sc.language
        spans = []
        if sc.location:
            spans.append(Span("Location: " + sc.location.get(lang, d), theme.body, pal.accent, True))
        if sc.dispatch:
            spans.append(Span("Dispatch", theme.body, pal.accent, True, space_before=theme.gap))
            spans.append(Span(sc.dispatch.get(lang, d), theme.body, pal.text, space_before=theme.gap // 2))
        options = session_options(self.app, sc, lang)
        timers = ("off" if not options.timers else "on" if options.timer_scale == 1 else
                  f"on, {options.timer_scale:g} times longer")
        meter = "hidden (M shows it)" if self.app.mode == "in-service" and not self.app.settings.show_meter_in_service \
            else "shown"
        spans.append(Span(f"Mode: {self.app.mode}. Decision timers {timers}. Distress meter {meter}. "
                          f"Keys: 1-9 or arrows and Enter to choose, Space shows all text, Escape pauses.",
                          theme.small, pal.muted, space_before=theme.pad))
        return spans

    def widgets(self):
        return [Button("Begin", self.begin, 1), Button("Back to the library", self.back, 2)]

    def enter(self) -> None:
        self.jobs = art_jobs(self.app, self.scenario)

    def update(self, dt: float) -> None:
        if self.jobs:  # one image per frame: the briefing stays responsive while the scene's art loads
            self.jobs.pop(0)()

    def begin(self) -> None:
        scene = self.app.flow.scene(self.entry, self.language)
        scene.jobs = self.jobs  # anything not loaded yet keeps loading, one image per frame
        self.app.replace_top(scene)
