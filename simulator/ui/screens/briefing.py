"""The briefing: the dispatch information an officer would get, while the scene's art loads."""
from __future__ import annotations

import pygame

from ...content.loader import with_variant
from ...i18n import _
from ..staging import art_jobs, session_options
from ..text import Span
from ..topics import mode_name
from ..widgets import Button, Cycler
from .base import PanelScreen, draw_scrolled

FALLBACK_BACKGROUND = "backgrounds/briefing.svg"  # only for a scenario whose start has no art of its own


def opening_background(scenario) -> str:
    """The art of the scenario's first scene, so a daytime scenario is not briefed over a night sky."""
    try:
        return scenario.nodes[scenario.start].background or FALLBACK_BACKGROUND
    except (IndexError, AttributeError, TypeError):
        return FALLBACK_BACKGROUND


class BriefingScreen(PanelScreen):
    """The dispatch information an officer would get; loads the scene's art while it is read."""

    name = "briefing"
    panel_width = 860

    def __init__(self, app, entry, language: str):
        super().__init__(app)
        self.entry, self.language = entry, language
        self.scenario = with_variant(entry.scenario, app.variants.get(entry.scenario.id))
        self.background = opening_background(self.scenario)
        self.jobs: list = []

    def _t(self, text) -> str:
        return text.get(self.language, self.scenario.language) if text is not None else ""

    def heading(self) -> str:
        return _("Briefing: {title}").format(title=self._t(self.scenario.title))

    def body(self):
        theme, sc = self.app.theme, self.scenario
        pal = theme.palette
        half = theme.gap // 2
        spans = []
        if sc.content_notes:  # first, before any of the scenario itself: the trainee can still go back
            spans.append(Span(_("Content notes"), theme.body, pal.warn, True, space_before=theme.gap))
            for note in sc.content_notes:
                spans.append(Span("• " + self._t(note), theme.small, pal.text, indent=theme.pad, space_before=half))
        if sc.location:
            spans.append(Span(_("Location: {place}").format(place=self._t(sc.location)), theme.body, pal.accent,
                              True, space_before=theme.pad if spans else theme.gap))
        if sc.dispatch:
            spans.append(Span(_("Dispatch"), theme.body, pal.accent, True, space_before=theme.gap))
            spans.append(Span(self._t(sc.dispatch), theme.body, pal.text, space_before=half))
        spans.append(Span(self._settings_line(), theme.small, pal.muted, space_before=theme.pad))
        return spans

    def _settings_line(self) -> str:
        """The mode, timers, meter and keys for this run, in one line."""
        options = session_options(self.app, self.scenario, self.language)
        if not options.timers:
            timers = _("Decision timers off.")
        elif options.timer_scale == 1:
            timers = _("Decision timers on.")
        else:
            timers = _("Decision timers on, {factor} times longer.").format(factor=f"{options.timer_scale:g}")
        hidden = self.app.mode == "in-service" and not self.app.settings.show_meter_in_service
        research = self.app.research
        if research is not None:
            hidden = not research.protocol.meter
        meter = _("Distress meter hidden (M shows it).") if hidden else _("Distress meter shown.")
        if research is not None and hidden:
            meter = _("Distress meter hidden.")
        keys = _("Keys: 1-9 or arrows and Enter to choose, Space shows all text, Escape pauses.")
        parts = [_("Mode: {mode}.").format(mode=mode_name(self.app.mode)), timers, meter, keys]
        if research is not None:
            parts.insert(0, research.part_line())
        return " ".join(parts)

    def widgets(self):
        if self.app.research is not None:  # the protocol chose who the people are, and there is no library
            return [Button(_("Begin"), self.begin, 1, wid="Begin")]
        widgets = [Button(_("Begin"), self.begin, 1, wid="Begin"), Button(_("Back to the library"), self.back, 2, wid="back")]
        sc = self.scenario
        if sc.variants:  # who the people are: the workshop's choice; never what they do
            labels = {v.id: self._t(v.label) for v in sc.variants}
            current = self.app.variants.get(sc.id, sc.variant)
            # after Begin, which keeps the focus, so Enter still starts the run with the current choice
            widgets.insert(1, Cycler(_("People in this run"), list(labels), labels, current, self.set_variant,
                                     wid="variant", detail=self._t(sc.variants_about)))
        return widgets

    def set_variant(self, variant_id: str) -> None:
        """Play the scenario with variant `variant_id` of who the people are (kept for replays)."""
        self.app.variants[self.scenario.id] = variant_id
        self.scenario = with_variant(self.entry.scenario, variant_id)
        self.jobs = art_jobs(self.app, self.scenario)  # its portraits

    def build(self) -> None:
        super().build()  # the panel, its text and its buttons in one column, as on every panel screen
        # then the buttons move to the panel's foot and only the text above them scrolls, so that a long
        # briefing (content notes, dispatch) at the largest text size never hides Begin below the fold
        self.pin_buttons_to_foot()
        theme, widgets = self.app.theme, self.ring.widgets
        self.app.audit.check("briefing: room for the text", (0, theme.body * 3), self.inner.size)
        self.app.audit.apart("briefing", [("briefing text", self.inner)]
                             + [(f"button {w.wid}", w.rect) for w in widgets])

    def screen_rect(self, widget) -> pygame.Rect:
        return widget.rect  # the buttons stay put; only the text scrolls

    def is_scrolled(self, widget) -> bool:
        return False

    def draw(self, surface: pygame.Surface) -> None:
        surface.blit(self.backdrop, (0, 0))
        surface.blit(self.panel_image, self.panel.topleft)
        draw_scrolled(surface, self.text, self.inner, self.scroller, self.app.theme)
        self.draw_widgets(surface)

    def speech(self) -> str:
        """What self-voicing reads when the briefing opens: the title, the summary, then the content notes."""
        notes = [self._t(note) for note in self.scenario.content_notes]
        parts = [self.heading(), self._t(self.scenario.summary)]
        if notes:
            parts.append(_("Content notes: {notes}").format(notes="; ".join(notes)))
        return " ".join(p.strip() for p in parts if p.strip())

    def enter(self) -> None:
        self.jobs = art_jobs(self.app, self.scenario)  # the app then reads `speech()` aloud, with self-voicing

    def update(self, dt: float) -> None:
        if self.jobs:  # one image per frame: the briefing stays responsive while the scene's art loads
            self.jobs.pop(0)()

    def back(self) -> None:
        if self.app.research is None:  # a research participant goes on with the protocol, not to the library
            super().back()

    def begin(self) -> None:
        scene = self.app.flow.scene(self.entry, self.language)
        scene.jobs = self.jobs  # anything not loaded yet keeps loading, one image per frame
        self.app.replace_top(scene)
