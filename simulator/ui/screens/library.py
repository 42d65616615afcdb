"""The scenario library: filters, one card per scenario, and its full description before starting."""
from __future__ import annotations

import pygame

from ..catalog import LENGTHS
from ..text import Span, layout
from ..theme import panel_surface
from ..widgets import Button, Cycler, Scroller
from .base import FocusScreen, draw_scrolled

ALL = "all"


class LibraryScreen(FocusScreen):
    name = "library"

    def __init__(self, app):
        super().__init__(app)
        self.catalog = app.ensure_catalog()
        self.filters = {"audience": ALL, "topic": ALL, "length": ALL}
        self.chosen = None  # the entry whose details are shown
        self.language: str | None = None
        self.list_scroller = Scroller()
        self.built_ready = False

    # --- content -------------------------------------------------------------------------------
    def entries(self):
        return [e for e in self.catalog.entries if self._matches(e)]

    def _matches(self, entry) -> bool:
        sc = entry.scenario
        if sc is None:
            return all(v == ALL for v in self.filters.values())
        f = self.filters
        return ((f["audience"] == ALL or f["audience"] in sc.audience) and (f["topic"] == ALL or f["topic"] in sc.topics)
                and (f["length"] == ALL or f["length"] == entry.length()))

    def _values(self, attribute: str) -> list[str]:
        found = set()
        for entry in self.catalog.entries:
            if entry.scenario is not None:
                found.update(getattr(entry.scenario, attribute))
        return sorted(found)

    def set_filter(self, name: str, value) -> None:
        self.filters[name] = value
        self.build()

    # --- layout --------------------------------------------------------------------------------
    def build(self) -> None:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        w, h = app.surface.get_size()
        self.built_ready = self.catalog.ready
        self.backdrop = app.art.background("backgrounds/title.svg", (w, h))
        margin = theme.px(24)
        header_spans = [Span("Scenario library", theme.heading, pal.text, True),
                        Span(f"Training: {app.trainee} | Mode: {app.mode} | Escape goes back", theme.small, pal.muted)]
        self.header = layout(app.fonts, header_spans, w - 2 * margin)
        top = margin + self.header.height + theme.pad
        left_w = round((w - 3 * margin) * 0.42)
        self.left = pygame.Rect(margin, top, left_w, h - top - margin)
        self.right = pygame.Rect(self.left.right + margin, top, w - 3 * margin - left_w, h - top - margin)
        self.left_image = panel_surface(self.left.size, theme)
        self.right_image = panel_surface(self.right.size, theme)
        inner_w = self.left.width - 2 * theme.pad - theme.px(12)
        widgets = []
        self.filter_widgets = []
        self.cards = []
        if not self.catalog.ready:
            self.left_text = layout(app.fonts, [Span("Loading scenarios...", theme.body, pal.muted)], inner_w)
        elif self.catalog.error:
            self.left_text = layout(app.fonts, [Span("The scenario library could not be loaded: " + self.catalog.error,
                                                     theme.body, pal.bad)], inner_w)
        else:
            self.left_text = None
            audience = [ALL] + self._values("audience")
            topics = [ALL] + self._values("topics")
            lengths = [ALL] + [key for key, *_ in LENGTHS]
            self.filter_widgets = [
                Cycler("Audience", audience, {ALL: "All", **{a: a for a in audience[1:]}}, self.filters["audience"],
                       lambda v: self.set_filter("audience", v), wid="f-audience"),
                Cycler("Topic", topics, {ALL: "All", **{t: t for t in topics[1:]}}, self.filters["topic"],
                       lambda v: self.set_filter("topic", v), wid="f-topic"),
                Cycler("Length", lengths, {ALL: "Any", **{k: label for k, label, *_ in LENGTHS}}, self.filters["length"],
                       lambda v: self.set_filter("length", v), wid="f-length"),
            ]
            for i, entry in enumerate(self.entries()):
                sc = entry.scenario
                if sc is None:
                    card = Button(entry.path.name, lambda e=entry: self.choose(e), i + 1,
                                  detail="This file has errors and cannot be played.", wid=str(entry.path))
                else:
                    lang = self._language_for(sc)
                    review = "reviewed" if sc.reviewers else "draft, not yet reviewed"
                    card = Button(sc.title.get(lang, sc.language), lambda e=entry: self.choose(e), i + 1,
                                  detail=f"{sc.minutes} min  |  {', '.join(sc.audience)}  |  {review}",
                                  wid=str(entry.path))
                card.entry = entry
                self.cards.append(card)
        y = 0
        for widget in self.filter_widgets + self.cards:
            widget.build(theme, app.fonts, inner_w, theme.small if widget in self.filter_widgets else None)
            widget.rect.topleft = (0, y)
            y += widget.rect.height + theme.gap + theme.focus_width
            if widget is (self.filter_widgets[-1] if self.filter_widgets else None):
                y += theme.pad
        if self.catalog.ready and not self.cards and not self.catalog.error:
            self.left_text = layout(app.fonts, [Span("No scenario matches these filters.", theme.body, pal.muted)],
                                    inner_w)
        self.left_inner = self.left.inflate(-2 * theme.pad, -2 * theme.pad)
        self.list_scroller.set(y - theme.gap, self.left_inner.height)
        for widget in self.filter_widgets + self.cards:
            widget.rect.move_ip(self.left_inner.x, self.left_inner.y)
        widgets += self.filter_widgets + self.cards
        if self.chosen is None or self.chosen not in [c.entry for c in self.cards]:
            self.chosen = self.cards[0].entry if self.cards else None
        widgets += self._build_detail()
        self.set_widgets(widgets)

    def _language_for(self, scenario) -> str:
        preferred = self.language or self.app.settings.language
        return preferred if preferred in scenario.languages else scenario.language

    def _build_detail(self) -> list:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        inner_w = self.right.width - 2 * theme.pad - theme.px(12)
        entry = self.chosen
        spans = []
        buttons = []
        if entry is None:
            message = ("Choose a scenario on the left." if self.cards or not self.catalog.ready else
                       "No scenario matches these filters: change them on the left.")
            spans.append(Span(message, theme.body, pal.muted))
        elif entry.scenario is None:
            spans.append(Span(entry.path.name, theme.heading, pal.text, True))
            spans.append(Span("This scenario file has problems, so it cannot be played. Ask its author to run "
                              "`parley validate` on it:", theme.body, pal.bad, space_before=theme.gap))
            for problem in entry.problems[:12]:
                spans.append(Span(problem, theme.small, pal.text, space_before=theme.gap // 2))
        else:
            sc = entry.scenario
            lang = self._language_for(sc)
            d = sc.language
            spans.append(Span(sc.title.get(lang, d), theme.heading, pal.text, True))
            facts = f"{sc.minutes} minutes  |  for {', '.join(sc.audience)}  |  topics: {', '.join(sc.topics)}"
            spans.append(Span(facts, theme.small, pal.muted, space_before=theme.gap // 2))
            spans.append(Span(sc.summary.get(lang, d), theme.body, pal.text, space_before=theme.gap))
            if sc.objectives:
                spans.append(Span("Learning objectives", theme.body, pal.accent, True, space_before=theme.pad))
                for objective in sc.objectives:
                    spans.append(Span("- " + objective.text.get(lang, d), theme.body, pal.text, indent=theme.pad,
                                      space_before=theme.gap // 2))
            if sc.content_notes:
                spans.append(Span("Content notes", theme.body, pal.warn, True, space_before=theme.pad))
                for note in sc.content_notes:
                    spans.append(Span("- " + note.get(lang, d), theme.body, pal.text, indent=theme.pad,
                                      space_before=theme.gap // 2))
            reviewers = ", ".join(p.name for p in sc.reviewers) or "nobody yet: this is a draft awaiting community review"
            authors = ", ".join(p.name for p in sc.authors)
            spans.append(Span(f"Written by {authors}. Reviewed by {reviewers}.", theme.small, pal.muted,
                              space_before=theme.pad))
            if len(sc.languages) > 1:
                buttons.append(Cycler("Language", list(sc.languages), {c: c for c in sc.languages}, lang,
                                      self.set_language, wid="language"))
            buttons.append(Button("Start: read the briefing", self.start, wid="start"))
        buttons.append(Button("Back", self.back, wid="back"))
        # buttons sit at the bottom of the right panel; the description scrolls above them
        y = self.right.bottom - theme.pad
        for button in reversed(buttons):
            button.build(theme, app.fonts, inner_w)
            y -= button.rect.height
            button.rect.topleft = (self.right.x + theme.pad, y)
            y -= theme.gap + theme.focus_width
        self.detail = layout(app.fonts, spans, inner_w)
        self.detail_rect = pygame.Rect(self.right.x + theme.pad, self.right.y + theme.pad, inner_w,
                                       y - self.right.y - theme.pad)
        self.scroller.set(self.detail.height, self.detail_rect.height)
        self.scroller.offset = 0
        app.audit.check("library: room for the description", (0, theme.body * 3), (inner_w, self.detail_rect.height))
        return buttons

    # --- behaviour -----------------------------------------------------------------------------
    def preselect(self, path) -> None:
        """Choose the scenario at `path` and put focus on Start (used by `parley play FILE`)."""
        if not self.catalog.wait(30):
            return
        entry = self.catalog.find(path)
        if entry is not None:
            self.filters = {key: ALL for key in self.filters}
            self.choose(entry)

    def set_language(self, code: str) -> None:
        self.language = code
        self.build()

    def choose(self, entry) -> None:
        self.chosen = entry
        self.build()
        start = next((w for w in self.ring.widgets if getattr(w, "wid", "") == "start"), None)
        if start is not None:
            self.ring.focus(start)

    def start(self) -> None:
        entry = self.chosen
        if entry is None or entry.scenario is None:
            return
        self.app.go(self.app.flow.briefing(entry, self._language_for(entry.scenario)))

    def is_scrolled(self, widget) -> bool:
        return False

    def on_focus_moved(self) -> None:
        widget = self.ring.current
        if widget in self.filter_widgets + self.cards:
            offset_top = widget.rect.top - self.left_inner.top
            self.list_scroller.show(offset_top - self.app.theme.focus_width,
                                    offset_top + widget.rect.height + self.app.theme.focus_width)
        if widget in self.cards and widget.entry is not self.chosen:
            self.chosen = widget.entry
            focus_id = widget.wid
            self.build()
            for w in self.ring.widgets:
                if getattr(w, "wid", None) == focus_id:
                    self.ring.focus(w)
        self.app.cue("select")

    def screen_rect(self, widget) -> pygame.Rect:
        if widget in self.filter_widgets or widget in self.cards:
            return widget.rect.move(0, -self.list_scroller.offset)
        return widget.rect

    def handle(self, event) -> None:
        if event.type == pygame.MOUSEWHEEL and self.left.collidepoint(pygame.mouse.get_pos()):
            self.list_scroller.scroll(-event.y * self.app.theme.body * 3)
            return
        super().handle(event)

    def update(self, dt: float) -> None:
        if self.catalog.ready and not self.built_ready:
            self.build()

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.app.theme
        surface.blit(self.backdrop, (0, 0))
        self.header.draw(surface, theme.px(24), theme.px(24))
        surface.blit(self.left_image, self.left.topleft)
        surface.blit(self.right_image, self.right.topleft)
        if self.left_text is not None:  # loading, an error, or no match: below the filters, if any
            below = self.list_scroller.content + theme.pad if self.filter_widgets else 0
            self.left_text.draw(surface, self.left_inner.x, self.left_inner.y + below)
        clip = self.left_inner.inflate(theme.focus_width * 2, theme.focus_width * 2)
        previous = surface.get_clip()
        surface.set_clip(clip)
        focused = self.ring.current
        for widget in self.filter_widgets + self.cards:
            rect = self.screen_rect(widget)
            if rect.colliderect(clip):
                widget.selected = widget in self.cards and widget.entry is self.chosen
                widget.draw(surface, theme, widget is focused, widget is self.hovered, self.list_scroller.offset, clip)
        surface.set_clip(previous)
        self.list_scroller.draw_bar(surface, self.left_inner.move(theme.px(10), 0), theme)
        draw_scrolled(surface, self.detail, self.detail_rect, self.scroller, theme)
        for widget in self.ring.widgets:
            if widget not in self.filter_widgets and widget not in self.cards:
                widget.draw(surface, theme, widget is focused, widget is self.hovered, 0, None)
