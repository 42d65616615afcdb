"""The scene: art, portraits, progressive text, the meter, the decision timer and the choices."""
from __future__ import annotations

import pygame

from ...engine.session import Session
from ..art import initials_badge
from ..records import IN_PROGRESS, write_record
from ..staging import FACE_SHARE, PORTRAIT_SHARES, geometry, portrait_height, session_options
from ..text import Span, layout
from ..theme import draw_level_shape, panel_surface
from ..widgets import NUMBER_KEYS, Button, Scroller
from .base import FocusScreen, draw_scrolled

REVEAL_CHARS_PER_SECOND = 110
METER_HIDDEN = "Distress meter hidden (press M to show)"


class SceneScreen(FocusScreen):
    """One playthrough in the window. Every decision goes to the engine with who made it and when."""

    name = "scene"

    def __init__(self, app, entry, language: str):
        super().__init__(app)
        self.entry, self.scenario, self.language = entry, entry.scenario, language
        self.session = Session(self.scenario, seed=app.seed, options=session_options(app, self.scenario, language))
        self.actor = {"role": "trainee", "id": app.trainee}
        self.meter_visible = not (app.mode == "in-service" and not app.settings.show_meter_in_service)
        self.recorded = False
        self.record_path: str | None = None  # this session's record, rewritten after every decision
        self.offered: list[list[str]] = []  # the choices on screen at each decision, for the debrief
        self.jobs: list = []  # art still to preload (handed over by the briefing)
        self.list_scroller = Scroller()
        self._new_moment()

    def build(self) -> None:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        g = geometry(app)
        self.g = g
        w, h = app.surface.get_size()
        view = self.view
        sc = self.scenario
        background = view.background or next((n.background for n in sc.nodes if n.background), None)
        self.backdrop = app.art.background(background, (w, h))
        # top bar: the scenario title (left) and the meter (right)
        # the meter takes the width its longest level name needs; the title wraps into what is left
        self.meter_rect = pygame.Rect(0, 0, min(round(w * 0.64), self._meter_width()), g["top"].height)
        self.meter_rect.topright = (w - g["margin"], 0)
        title_w = self.meter_rect.left - 2 * g["margin"]
        title = sc.title.get(self.language, sc.language)
        self.title_text = layout(app.fonts, [Span(title, theme.small, pal.text, True)], title_w)
        app.audit.check("scene: title bar", (title_w, self.title_text.height), (title_w, g["top"].height))
        self.top_image = panel_surface((w, g["top"].height), theme, pal.panel[:3] + (235,))
        self._build_meter()
        # text box: reaction, narrative, spoken lines, visible behaviour (and perspective in workshop mode)
        inner_w = g["left"].width - 2 * theme.pad - theme.px(12)
        spans = []
        if view.reaction:
            spans.append(Span(view.reaction, theme.body, pal.warn, space_before=0))
        spans.append(Span(view.narrative.strip(), theme.body, pal.text, space_before=theme.gap if spans else 0))
        for line in view.lines:
            spans.append(Span(line.name, theme.body, pal.speaker, True, space_before=theme.gap))
            spans.append(Span(line.text.strip(), theme.body, pal.text, indent=theme.pad))
        if view.behaviour:
            spans.append(Span("What you can see", theme.small, pal.accent, True, space_before=theme.gap))
            spans.append(Span(view.behaviour.strip(), theme.body, pal.muted))
        if app.mode == "workshop" and view.perspective:
            spans.append(Span("Their side (workshop)", theme.small, pal.rapport, True, space_before=theme.gap))
            spans.append(Span(view.perspective.strip(), theme.body, pal.muted))
        self.text = layout(app.fonts, spans, inner_w)
        need = self.text.height + 2 * theme.pad
        portrait_top = g["left"].y + theme.px(20)
        for share in PORTRAIT_SHARES:  # the largest portraits whose faces stay clear of the text box
            p_h = portrait_height(app, len(view.present), share)
            room = g["left"].bottom - (portrait_top + round(p_h * FACE_SHARE) if view.present else g["left"].y)
            if need <= room:
                break
        box_h = min(need, room)
        # portraits
        self.portraits = []
        count = len(view.present)
        p_w = round(p_h * 0.75)
        step = p_w * 0.8 if count > 1 else p_w
        total = p_w + step * (count - 1) if count else 0
        x = g["left"].x + (g["left"].width - total) / 2
        node = sc.nodes[sc.target_index[view.node_id]] if view.node_id in sc.target_index else None
        for person in view.present:
            character = sc.characters.get(person)
            name = character.name.get(self.language, sc.language) if character else person
            # distress sets everyone's expression; what the subject is doing (the node's `shows`) may make
            # theirs angry (art.expression_for): distress alone is never drawn as anger
            subject = character is not None and character.role == "subject" and node is not None
            image = app.art.portrait(character.portrait if character else None, view.escalation, p_h,
                                     shows=node.shows if subject else None, toward=node.toward if subject else None)
            if image is None:
                image = initials_badge(name, p_h, (70, 84, 104), pal.text, app.fonts.get(theme.heading, True))
            tag = self._name_tag(name, round(step) - theme.gap)
            self.portraits.append((image, round(x), portrait_top, tag))
            x += step
        self.text_box = pygame.Rect(g["left"].x, g["left"].bottom - box_h, g["left"].width, box_h)
        self.text_rect = self.text_box.inflate(-2 * theme.pad, -2 * theme.pad)
        self.text_rect.width = inner_w
        self.scroller.set(self.text.height, self.text_rect.height)
        self.text_image = panel_surface(self.text_box.size, theme)
        # choices
        self.choice_panel = panel_surface(g["right"].size, theme)
        heading = "What do you do?" if view.choices else ""
        self.choice_heading = layout(app.fonts, [Span(heading, theme.heading, pal.text, True)],
                                     g["right"].width - 2 * theme.pad)
        self.hint = layout(app.fonts, [Span("Space, Enter or a click shows the whole text and then the choices. "
                                            "Escape pauses.", theme.small, pal.muted)],
                           g["right"].width - 2 * theme.pad)
        self.choices_area = pygame.Rect(g["right"].x + theme.pad, g["right"].y + theme.pad * 2 + self.choice_heading.height,
                                        g["right"].width - 2 * theme.pad - theme.px(12), 0)
        self.choices_area.height = g["right"].bottom - theme.pad - self.choices_area.y
        extra = []
        if app.mode == "workshop" and self.session.can_undo:
            back = Button("Step back one decision (Backspace)", self.step_back, bold=False, wid="undo")
            back.build(theme, app.fonts, self.choices_area.width, theme.small)
            extra.append(back)
        self.buttons_all = self._choice_buttons(view, extra)
        self.set_widgets(self.buttons_all if self.phase == "choosing" else [])
        self.timer_label_font = app.fonts.get(theme.small, True)
        self._timer_label = ("", None)
        self._static = None
        self.timer_image = panel_surface(g["timer"].inflate(theme.gap * 2, 0).size, theme)
        widest = self.timer_label_font.size(f"Time to decide: {999:4.1f} s")[0]
        app.audit.check("scene: timer label", (widest + theme.px(60), 0), (g["timer"].width, 1))

    def _choice_buttons(self, view, extra: list) -> list:
        """One numbered button per available choice (force choices say so), then `extra` buttons."""
        theme = self.app.theme
        buttons = []
        y = 0
        for choice in view.choices:
            force = self.scenario.behaviour.force_names.get(choice.force) if choice.force else None
            button = Button(choice.text, lambda c=choice.id: self.choose(c), choice.number, bold=False,
                            detail=f"Use of force: {force}" if force else None, wid=choice.id)
            button.build(theme, self.app.fonts, self.choices_area.width)
            button.rect.topleft = (self.choices_area.x, self.choices_area.y + y + theme.focus_width)
            y += button.rect.height + theme.gap + theme.focus_width
            buttons.append(button)
        for button in extra:
            button.rect.topleft = (self.choices_area.x, self.choices_area.y + y + theme.focus_width)
            y += button.rect.height + theme.gap + theme.focus_width
            buttons.append(button)
        self.list_scroller.set(y, self.choices_area.height)
        return buttons

    def _name_tag(self, name: str, width: int) -> pygame.Surface:
        """The person's name on a dark pill, readable over any background; wraps if the name is long."""
        theme, pal = self.app.theme, self.app.theme.palette
        text = layout(self.app.fonts, [Span(name, theme.small, pal.text, True)], max(10, width - 2 * theme.gap))
        widest = max((surf.get_width() for surf, *_ in text.lines), default=0)
        pill = pygame.Surface((widest + 2 * theme.gap, text.height + theme.gap), pygame.SRCALPHA)
        pygame.draw.rect(pill, pal.panel[:3] + (215,), pill.get_rect(), border_radius=theme.radius)
        text.draw(pill, theme.gap, theme.gap // 2)
        return pill

    def _meter_sizes(self) -> tuple[int, int, int]:
        """Radius of the level shapes, their spacing and the rapport pip size."""
        theme = self.app.theme
        radius = max(5, theme.px(8))
        return radius, radius * 3, max(4, theme.px(6))

    def _meter_width(self) -> int:
        theme, fonts = self.app.theme, self.app.fonts
        behaviour = self.scenario.behaviour
        radius, spacing, pip = self._meter_sizes()
        levels = len(behaviour.level_names)
        bold, small = fonts.get(theme.small, True), fonts.get(theme.small)
        esc = max(bold.size(f"Distress {i} of {levels - 1}: {n}")[0] for i, n in enumerate(behaviour.level_names))
        rap_max = len(behaviour.rapport_names) - 1
        rap = max(small.size(f"Rapport {i} of {rap_max}: {n}")[0] for i, n in enumerate(behaviour.rapport_names))
        hidden = bold.size(METER_HIDDEN)[0]
        return max(esc + spacing * levels, rap + pip * 3 * rap_max, hidden) + theme.gap + theme.px(8)

    def _build_meter(self) -> None:
        self._static = None
        app, theme, view = self.app, self.app.theme, self.view
        pal = theme.palette
        r = self.meter_rect
        self.meter_image = pygame.Surface(r.size, pygame.SRCALPHA)
        small = app.fonts.get(theme.small)
        bold = app.fonts.get(theme.small, True)
        if not self.meter_visible:
            label = bold.render(METER_HIDDEN, True, pal.muted)
            self.meter_image.blit(label, label.get_rect(midright=(r.width, r.height // 2)))
            app.audit.check("scene: meter", label.get_size(), r.size)
            return
        levels = len(self.scenario.behaviour.level_names)
        row1 = round(r.height * 0.3)
        radius, spacing, pip = self._meter_sizes()
        label = bold.render(f"Distress {view.escalation} of {levels - 1}: {view.escalation_name}", True, pal.text)
        shapes_w = spacing * levels
        x0 = r.width - shapes_w
        for level in range(levels):
            centre = (x0 + spacing * level + spacing // 2, row1)
            if level == view.escalation:
                pygame.draw.circle(self.meter_image, pal.focus, centre, radius + theme.px(5), theme.border)
                draw_level_shape(self.meter_image, level, centre, radius + theme.px(2))
            elif level < view.escalation:
                draw_level_shape(self.meter_image, level, centre, radius - 1)
            else:  # levels above the current one are outlines only
                pygame.draw.circle(self.meter_image, pal.panel_edge, centre, max(2, radius // 3))
        self.meter_image.blit(label, label.get_rect(midright=(x0 - theme.gap, row1)))
        rapport_max = len(self.scenario.behaviour.rapport_names) - 1
        text = small.render(f"Rapport {view.rapport} of {rapport_max}: {view.rapport_name}", True, pal.text)
        row2 = round(r.height * 0.72)
        pips_w = rapport_max * pip * 3
        px0 = r.width - pips_w
        for i in range(rapport_max):
            centre = (px0 + i * pip * 3 + pip * 3 // 2, row2)
            if i < view.rapport:
                pygame.draw.rect(self.meter_image, pal.rapport, (centre[0] - pip, centre[1] - pip, pip * 2, pip * 2))
            else:
                pygame.draw.rect(self.meter_image, pal.panel_edge, (centre[0] - pip, centre[1] - pip, pip * 2, pip * 2), 2)
        self.meter_image.blit(text, text.get_rect(midright=(px0 - theme.gap, row2)))
        app.audit.check("scene: meter (distress)", (label.get_width() + shapes_w + theme.gap, label.get_height()),
                        (r.width, r.height // 2 + theme.gap))
        app.audit.check("scene: meter (rapport)", (text.get_width() + pips_w + theme.gap, text.get_height()),
                        (r.width, r.height // 2 + theme.gap))

    # --- moments -------------------------------------------------------------------------------
    def _new_moment(self) -> None:
        self.view = self.session.view()
        self.reveal = 0.0
        self.phase = "reading"
        self.decision_time = 0.0  # seconds since the moment appeared (an input recorded in the log)
        self.timer_left = self.view.timer_seconds
        self.last_tick = None
        self.scroller.offset = 0
        self.list_scroller.offset = 0
        if self.app.theme.reduced_motion:
            self._show_all()

    def _show_all(self) -> None:
        self.phase = "choosing"
        self.reveal = float(10**9)

    @property
    def text_total(self) -> int:
        return self.text.total_chars

    def skip(self) -> None:
        """Show the whole text and the choices at once."""
        self._show_all()
        self.set_widgets(self.buttons_all, keep=False)

    def choose(self, choice_id: str) -> None:
        if self.phase != "choosing":
            return
        before = self.view.escalation
        offered = [c.id for c in self.view.choices]
        self.session.choose(choice_id, round(self.decision_time, 2), self.actor, None)
        self.offered.append(offered)
        self._after_decision(before)

    def expire(self) -> None:
        before = self.view.escalation
        self.offered.append([c.id for c in self.view.choices])
        self.session.expire_timer()
        self._after_decision(before)

    def step_back(self) -> None:
        if self.app.mode == "workshop" and self.session.can_undo:
            self.session.undo(self.actor, "workshop: step back to discuss another branch")
            self.offered.pop()
            self._checkpoint()
            self._new_moment()
            self.build()
            self.app.cue("page")

    def _after_decision(self, before: int) -> None:
        after = self.session.escalation
        self.app.cue("rise" if after > before else "fall" if after < before else "confirm")
        if self.session.ended:
            self.record()
            self.app.replace_top(self.app.flow.ending(self))
            return
        self._checkpoint()
        self._new_moment()
        self.build()

    def restart(self) -> None:
        self.session = Session(self.scenario, seed=self.app.seed,
                               options=session_options(self.app, self.scenario, self.language))
        self.recorded = False
        self.record_path = None
        self.offered = []
        self._new_moment()
        self.build()

    def _checkpoint(self) -> None:
        """Rewrite this session's record with every decision so far (a kill loses at most one)."""
        path = write_record(self.app, self.session, IN_PROGRESS, self.record_path)
        if path:
            self.record_path = path

    def record(self, status: str = "complete") -> None:
        if not self.recorded:
            self.recorded = True
            path = write_record(self.app, self.session, status, self.record_path)
            if path:
                self.record_path = path
                self.app.records.append(path)

    def abandon(self, why: str = "window closed") -> None:
        """The session stopped before an ending: keep its log anyway (nothing is lost)."""
        if not self.session.ended and len(self.session.log) > 2:
            self.record(f"abandoned: {why}")

    # --- input ---------------------------------------------------------------------------------
    def back(self) -> None:
        self.app.push(self.app.flow.pause(self))

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_m and self.app.mode == "in-service":
                self.meter_visible = not self.meter_visible
                self._build_meter()
                return
            if event.key == pygame.K_BACKSPACE:
                self.step_back()
                return
            if event.key == pygame.K_SPACE and self.phase == "choosing":
                return  # Space only ever skips text: it must never take a choice by accident
            if self.phase == "reading" and event.key != pygame.K_ESCAPE:
                if event.key in NUMBER_KEYS or event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                    self.skip()
                    return
        if self.phase == "reading" and event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.skip()
            return
        if event.type == pygame.MOUSEWHEEL:
            pos = pygame.mouse.get_pos()
            if self.g["right"].collidepoint(pos):
                self.list_scroller.scroll(-event.y * self.app.theme.body * 3)
            else:
                self.scroller.scroll(-event.y * self.app.theme.body * 3)
            return
        super().handle(event)

    def on_focus_moved(self) -> None:
        widget = self.ring.current
        if widget is not None:
            top = widget.rect.top - self.choices_area.top - self.app.theme.focus_width
            self.list_scroller.show(top, top + widget.rect.height + 2 * self.app.theme.focus_width)
        self.app.cue("select")

    def screen_rect(self, widget) -> pygame.Rect:
        return widget.rect.move(0, -self.list_scroller.offset)

    # --- time ----------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        if self.jobs:
            self.jobs.pop(0)()
        self.decision_time += dt
        if self.phase == "reading":
            self.reveal += dt * REVEAL_CHARS_PER_SECOND
            # keep the newest text in view while it appears
            shown = self._revealed_height()
            if shown > self.scroller.offset + self.scroller.view:
                self.scroller.offset = min(self.scroller.limit, shown - self.scroller.view)
            if self.reveal >= self.text_total:
                self.skip()
            return
        if self.timer_left is not None:
            self.timer_left -= dt
            whole = int(self.timer_left) + 1
            if self.timer_left <= 3 and whole != self.last_tick and self.timer_left > 0:
                self.last_tick = whole
                self.app.cue("timer")
            if self.timer_left <= 0:
                self.expire()

    def _revealed_height(self) -> int:
        shown = 0
        bottom = 0
        for surf, _x, y, chars in self.text.lines:
            if shown >= self.reveal:
                break
            bottom = y + surf.get_height()
            shown += chars
        return bottom

    # --- drawing -------------------------------------------------------------------------------
    def _compose(self) -> pygame.Surface:
        """Everything that stays still until the next decision, flattened into one opaque surface:
        the art, portraits, title bar, meter and panels. A frame then costs one blit plus the text,
        the choices and the timer (translucent panels are the expensive part at 4K)."""
        theme, g = self.app.theme, self.g
        static = self.backdrop.copy()
        for image, x, y, _tag in self.portraits:
            static.blit(image, (x, y))
        for _image, x, _y, tag in self.portraits:  # name tags last, so a neighbour never covers one
            static.blit(tag, (x + theme.gap, g["left"].y - theme.gap))
        static.blit(self.top_image, (0, 0))
        self.title_text.draw(static, g["margin"], (g["top"].height - self.title_text.height) // 2)
        static.blit(self.meter_image, self.meter_rect.topleft)
        if self.timer_left is not None:
            static.blit(self.timer_image, (g["timer"].x - theme.gap, g["timer"].y))
        static.blit(self.text_image, self.text_box.topleft)
        static.blit(self.choice_panel, g["right"].topleft)
        self.choice_heading.draw(static, g["right"].x + theme.pad, g["right"].y + theme.pad)
        return static

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.app.theme
        if self._static is None or self._static.get_size() != surface.get_size():
            self._static = self._compose()
        surface.blit(self._static, (0, 0))
        self._draw_timer(surface)
        reveal = None if self.phase == "choosing" else int(self.reveal)
        draw_scrolled(surface, self.text, self.text_rect, self.scroller, theme, reveal)
        if self.phase == "reading":
            self.hint.draw(surface, self.choices_area.x, self.choices_area.y)
        else:
            clip = self.choices_area.inflate(theme.focus_width * 2, theme.focus_width * 2)
            self.draw_widgets(surface, clip)
            self.list_scroller.draw_bar(surface, self.choices_area.move(theme.px(10), 0), theme)

    def _draw_timer(self, surface: pygame.Surface) -> None:
        if self.timer_left is None:
            return
        theme, pal = self.app.theme, self.app.theme.palette
        r = self.g["timer"]
        total = self.view.timer_seconds or 1
        left = max(0.0, self.timer_left)
        text = f"Time to decide: {left:4.1f} s" if self.phase == "choosing" else f"Timed decision: {total:g} s"
        if self._timer_label[0] != text:  # re-rendered ten times a second, not every frame
            self._timer_label = (text, self.timer_label_font.render(text, True, pal.text))
        label = self._timer_label[1]
        bar = pygame.Rect(r.x + label.get_width() + theme.pad, r.y + r.height // 4,
                          r.width - label.get_width() - theme.pad - theme.gap, r.height // 2)
        pygame.draw.rect(surface, pal.panel[:3], bar.inflate(4, 4), border_radius=theme.radius)
        fill = bar.copy()
        fill.width = round(bar.width * left / total)
        colour = pal.warn if left > 3 else pal.bad
        pygame.draw.rect(surface, colour, fill, border_radius=theme.radius)
        pygame.draw.rect(surface, pal.text, bar, width=max(1, theme.border // 2), border_radius=theme.radius)
        surface.blit(label, (r.x, r.centery - label.get_height() // 2))
