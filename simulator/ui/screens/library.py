"""The scenario library: filters, one card per scenario, and its full description before starting."""
from __future__ import annotations

import pygame

from ...i18n import _, language, ngettext
from ..catalog import LENGTHS
from ..text import Span, layout
from ..theme import panel_surface
from ..topics import audience_name, mode_name, topic_name
from ..widgets import Button, Cycler, Scroller
from .base import FocusScreen, draw_scrolled

ALL = "all"
CARD_TOPICS = 3  # a card names this many topics at most; the details pane names them all


def after_play(objective) -> bool:
    """Whether an objective is kept until after play, because it would give the scenario's twist away."""
    return bool(objective.after_play)


def objectives_before_play(scenario) -> tuple[list, int]:
    """The objectives a trainee may read before playing, and how many are kept until after play."""
    shown = [o for o in scenario.objectives if not after_play(o)]
    return shown, len(scenario.objectives) - len(shown)


def hidden_objectives_note(count: int) -> str:
    """What stands in for objectives kept until after play ("1 more objective is shown after you play")."""
    return ngettext("{count} more objective is shown after you play.",
                    "{count} more objectives are shown after you play.", count).format(count=count)


def review_status(scenario) -> str:
    """Review status in neutral words, for instructors and authors (never a warning to trainees)."""
    if scenario.reviewers:
        return _("Review: reviewed by {names}.").format(names=", ".join(p.name for p in scenario.reviewers))
    return _("Review: not yet reviewed by a community panel.")


class LibraryScreen(FocusScreen):
    """Filters and cards on the left; the chosen scenario's description, content notes first, on the right."""

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
        header_spans = [Span(_("Scenario library"), theme.heading, pal.text, True),
                        Span(_("Training: {trainee} | Mode: {mode} | Escape goes back").format(
                            trainee=app.trainee, mode=mode_name(app.mode)), theme.small, pal.muted)]
        self.header = layout(app.fonts, header_spans, w - 2 * margin)
        self.header_rect = pygame.Rect(margin, margin, self.header.width, self.header.height)
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
            self.left_text = layout(app.fonts, [Span(_("Loading scenarios..."), theme.body, pal.muted)], inner_w)
        elif self.catalog.error:
            self.left_text = layout(app.fonts, [Span(_("The scenario library could not be loaded: {error}").format(
                error=self.catalog.error), theme.body, pal.bad)], inner_w)
        else:
            self.left_text = None
            audience = [ALL] + self._values("audience")
            topics = [ALL] + sorted(self._values("topics"), key=lambda t: topic_name(t).casefold())
            lengths = [ALL] + [length[0] for length in LENGTHS]
            self.filter_widgets = [
                Cycler(_("Audience"), audience, {ALL: _("All"), **{a: audience_name(a) for a in audience[1:]}},
                       self.filters["audience"], lambda v: self.set_filter("audience", v), wid="f-audience"),
                Cycler(_("Topic"), topics, {ALL: _("All"), **{t: topic_name(t) for t in topics[1:]}},
                       self.filters["topic"], lambda v: self.set_filter("topic", v), wid="f-topic"),
                Cycler(_("Length"), lengths, {ALL: _("Any"), **{key: _(label) for key, label, lo, hi in LENGTHS}},
                       self.filters["length"], lambda v: self.set_filter("length", v), wid="f-length"),
            ]
            for i, entry in enumerate(self.entries()):
                sc = entry.scenario
                if sc is None:
                    card = Button(entry.path.name, lambda e=entry: self.choose(e), i + 1,
                                  detail=_("This file has errors and cannot be played."), wid=str(entry.path))
                else:
                    lang = self._language_for(sc)
                    card = Button(sc.title.get(lang, sc.language), lambda e=entry: self.choose(e), i + 1,
                                  detail=self._card_detail(sc), wid=str(entry.path))
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
            self.left_text = layout(app.fonts, [Span(_("No scenario matches these filters."), theme.body, pal.muted)],
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
        app.audit.apart("library", [("header", self.header_rect), ("filters and cards", self.left),
                                    ("details", self.right)])

    @staticmethod
    def _card_detail(sc) -> str:
        """A card's second line: length and the first few topics by name (review status is never here)."""
        names = [topic_name(t) for t in sc.topics[:CARD_TOPICS]]
        more = len(sc.topics) - len(names)
        if more:
            names.append(ngettext("{count} more topic", "{count} more topics", more).format(count=more))
        minutes = ngettext("{minutes} min", "{minutes} min", sc.minutes).format(minutes=sc.minutes)
        return "  |  ".join([minutes] + ([", ".join(names)] if names else []))

    def _language_for(self, scenario) -> str:
        # The language picked here, else the settings' scenario language, else the interface's: a
        # scenario translated into the interface's language is played in it.
        preferred = self.language or self.app.settings.language or language()
        return preferred if preferred in scenario.languages else scenario.language

    def _build_detail(self) -> list:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        inner_w = self.right.width - 2 * theme.pad - theme.px(12)
        entry = self.chosen
        spans = []
        buttons = []
        if entry is None:
            message = (_("Choose a scenario on the left.") if self.cards or not self.catalog.ready else
                       _("No scenario matches these filters: change them on the left."))
            spans.append(Span(message, theme.body, pal.muted))
        elif entry.scenario is None:
            spans.append(Span(entry.path.name, theme.heading, pal.text, True))
            spans.append(Span(_("This scenario file has problems, so it cannot be played. Ask its author to run "
                                "`parley validate` on it:"), theme.body, pal.bad, space_before=theme.gap))
            for problem in entry.problems[:12]:
                spans.append(Span(problem, theme.small, pal.text, space_before=theme.gap // 2))
        else:
            spans += self._description(entry.scenario)
            sc = entry.scenario
            lang = self._language_for(sc)
            if len(sc.languages) > 1:
                buttons.append(Cycler(_("Language"), list(sc.languages), {c: c for c in sc.languages}, lang,
                                      self.set_language, wid="language"))
            buttons.append(Button(_("Start: read the briefing"), self.start, wid="start"))
        buttons.append(Button(_("Back"), self.back, wid="back"))
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
        app.audit.apart("library: details", [("description", self.detail_rect)]
                        + [(f"button {b.wid}", b.rect) for b in buttons])
        for button in buttons:
            app.audit.inside("library: details", f"button {button.wid}", button.rect, self.right)
        return buttons

    def _description(self, sc) -> list[Span]:
        """The chosen scenario: title, facts, content notes (before anything else a trainee reads), summary,
        the objectives that may be read before play, authors, and review status for instructors only."""
        theme = self.app.theme
        pal = theme.palette
        lang = self._language_for(sc)
        d = sc.language
        half = theme.gap // 2
        spans = [Span(sc.title.get(lang, d), theme.heading, pal.text, True)]
        length = ngettext("{minutes} minute", "{minutes} minutes", sc.minutes).format(minutes=sc.minutes)
        facts = _("{length}  |  for {audience}").format(
            length=length, audience=", ".join(audience_name(a) for a in sc.audience))
        spans.append(Span(facts, theme.small, pal.muted, space_before=half))
        if sc.topics:
            spans.append(Span(_("Topics: {topics}").format(topics=", ".join(topic_name(t) for t in sc.topics)),
                              theme.small, pal.muted, space_before=half))
        if sc.content_notes:  # before the summary: a trainee decides with these whether to start at all
            spans.append(Span(_("Content notes"), theme.body, pal.warn, True, space_before=theme.pad))
            for note in sc.content_notes:
                spans.append(Span("• " + note.get(lang, d), theme.body, pal.text, indent=theme.pad, space_before=half))
        spans.append(Span(sc.summary.get(lang, d), theme.body, pal.text, space_before=theme.pad))
        shown, hidden = objectives_before_play(sc)
        if shown or hidden:
            spans.append(Span(_("Learning objectives"), theme.body, pal.accent, True, space_before=theme.pad))
            for objective in shown:
                spans.append(Span("• " + objective.text.get(lang, d), theme.body, pal.text, indent=theme.pad,
                                  space_before=half))
            if hidden:
                spans.append(Span(hidden_objectives_note(hidden), theme.small, pal.muted, indent=theme.pad,
                                  space_before=half))
        authors = ", ".join(p.name for p in sc.authors)
        if authors:
            spans.append(Span(_("Written by {authors}.").format(authors=authors), theme.small, pal.muted,
                              space_before=theme.pad))
        if self.app.settings.instructor_details:  # instructors and authors; trainees never see it
            spans.append(Span(review_status(sc), theme.small, pal.muted, space_before=half if authors else theme.pad))
            if not sc.reviewers and sc.review_checks:
                spans.append(Span(_("A community review should check:"), theme.small, pal.muted, space_before=half))
                for item in sc.review_checks:
                    spans.append(Span("• " + item.get(lang, d), theme.small, pal.muted, indent=theme.pad))
            if not sc.reviewers and sc.review_by:
                spans.append(Span(_("Who should review it:"), theme.small, pal.muted,
                                  space_before=half))
                for item in sc.review_by:
                    spans.append(Span("• " + item.get(lang, d), theme.small, pal.muted, indent=theme.pad))
        return spans

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
        self.speak_focus()

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
