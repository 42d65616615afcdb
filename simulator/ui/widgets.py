"""Buttons, option cyclers, a text field and scrolling, all drivable by mouse, number keys, arrows and Enter."""
from __future__ import annotations

from typing import Callable

import pygame

from ..i18n import _
from .text import Fonts, Span, TextLayout, layout
from .theme import Theme

# Space is not among them: it only ever reveals or scrolls text, so a trainee pressing it to read on
# can never start, choose or leave anything by accident (issue 11).
ACTIVATE_KEYS = (pygame.K_RETURN, pygame.K_KP_ENTER)
NUMBER_KEYS = {getattr(pygame, f"K_{i}"): i for i in range(1, 10)}
NUMBER_KEYS.update({getattr(pygame, f"K_KP{i}"): i for i in range(1, 10)})


class Widget:
    """Something that can take keyboard focus."""

    rect: pygame.Rect
    enabled = True

    def activate(self) -> None:
        pass

    def step(self, direction: int) -> bool:
        """Left/Right on the widget; returns False when it does not use them (focus moves instead)."""
        return False

    def spoken(self) -> str:
        """What self-voicing reads when the widget takes focus."""
        return ""


class Button(Widget):
    """A button whose label wraps to its width; its height follows its text."""

    def __init__(self, label: str, action: Callable[[], None] | None = None, number: int | None = None,
                 enabled: bool = True, detail: str | None = None, bold: bool = True, wid: str | None = None):
        self.label, self.action, self.number, self.enabled, self.detail = label, action, number, enabled, detail
        self.bold = bold
        self.wid = wid or label
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.text: TextLayout | None = None
        self.badge: pygame.Surface | None = None
        self.selected = False  # e.g. the current value of a filter or the chosen card

    def build(self, theme: Theme, fonts: Fonts, width: int, px: int | None = None) -> int:
        """Lay the label out for `width`; returns the button's height."""
        px = px or theme.body
        pal = theme.palette
        colour = pal.button_text if self.enabled else pal.disabled
        badge_w = 0
        if self.number is not None:
            font = fonts.get(px, True)
            self.badge = font.render(str(self.number), True, pal.focus if self.enabled else pal.disabled)
            badge_w = max(self.badge.get_width(), font.size("0")[0]) + theme.pad
        spans = [Span(self.label, px, colour, self.bold)]
        if self.detail:
            spans.append(Span(self.detail, max(theme.small, px - 4), pal.muted if self.enabled else pal.disabled,
                              space_before=theme.gap // 2))
        self.text = layout(fonts, spans, max(10, width - 2 * theme.pad - badge_w))
        self.badge_w = badge_w
        self.rect.size = (width, self.text.height + 2 * theme.pad)
        return self.rect.height

    def activate(self) -> None:
        if self.enabled and self.action:
            self.action()

    def spoken(self) -> str:
        """The label, then the detail; a button that cannot be used says so."""
        parts = [self.label] + ([self.detail] if self.detail else [])
        if not self.enabled:
            parts.append(_("unavailable"))
        return ". ".join(p.rstrip(". ") for p in parts if p)

    def draw(self, surface: pygame.Surface, theme: Theme, focused: bool, hovered: bool, offset: int = 0,
             clip: pygame.Rect | None = None) -> None:
        pal = theme.palette
        rect = self.rect.move(0, -offset)
        fill = pal.button_hover if (hovered or focused) and self.enabled else pal.button
        if self.selected:
            fill = tuple(min(255, c + 28) for c in fill)
        pygame.draw.rect(surface, fill, rect, border_radius=theme.radius)
        edge = pal.accent if self.selected else pal.panel_edge
        pygame.draw.rect(surface, edge, rect, width=theme.border, border_radius=theme.radius)
        if focused:  # a thick ring plus a side bar: focus is shown by shape, not colour alone
            pygame.draw.rect(surface, pal.focus, rect.inflate(theme.focus_width * 2, theme.focus_width * 2),
                             width=theme.focus_width, border_radius=theme.radius + theme.focus_width)
            pygame.draw.rect(surface, pal.focus, (rect.x, rect.y, theme.focus_width * 2, rect.height),
                             border_top_left_radius=theme.radius, border_bottom_left_radius=theme.radius)
        if self.badge is not None:
            surface.blit(self.badge, (rect.x + theme.pad, rect.y + theme.pad))
        self.text.draw(surface, rect.x + theme.pad + self.badge_w, rect.y + theme.pad, clip)


class Cycler(Button):
    """A setting or filter: Left/Right (or clicking) steps through its values."""

    def __init__(self, name: str, values: list, labels: dict, current, on_change: Callable[[object], None],
                 wid: str | None = None, detail: str | None = None):
        self.name, self.values, self.labels, self.current = name, list(values), labels, current
        self.on_change = on_change
        super().__init__(self._label(), None, wid=wid or name, detail=detail)

    def value_label(self) -> str:
        """The current value as shown."""
        return self.labels.get(self.current, str(self.current))

    def _label(self) -> str:
        return _("{name}:  < {value} >").format(name=self.name, value=self.value_label())

    def spoken(self) -> str:
        """"Name: value", then the detail."""
        text = _("{name}: {value}").format(name=self.name, value=self.value_label())
        return ". ".join(p.rstrip(". ") for p in (text, self.detail) if p)

    def step(self, direction: int) -> bool:
        index = self.values.index(self.current) if self.current in self.values else 0
        self.current = self.values[(index + direction) % len(self.values)]
        self.label = self._label()
        self.on_change(self.current)
        return True

    def activate(self) -> None:
        self.step(1)


class TextField(Widget):
    """A one-line text entry (SDL text input, so accents and IME work); Enter submits."""

    def __init__(self, prompt: str, on_submit: Callable[[str], None], max_chars: int = 40):
        self.prompt, self.on_submit, self.max_chars = prompt, on_submit, max_chars
        self.value = ""
        self.rect = pygame.Rect(0, 0, 0, 0)

    def handle(self, event: pygame.event.Event) -> bool:
        """Typing goes here while the field has focus; returns True when the event was used."""
        if event.type == pygame.TEXTINPUT:
            text = "".join(ch for ch in event.text if ch.isprintable())
            self.value = (self.value + text)[: self.max_chars]
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_BACKSPACE:
            self.value = self.value[:-1]
            return True
        return False

    def activate(self) -> None:
        self.on_submit(self.value.strip())

    def spoken(self) -> str:
        """The prompt, that it is a text field, and what is typed so far."""
        if self.value:
            return _("{prompt}, text field: {value}").format(prompt=self.prompt, value=self.value)
        return _("{prompt}, text field, empty").format(prompt=self.prompt)


class FocusRing:
    """Keyboard focus over a screen's widgets, in reading order."""

    def __init__(self, widgets: list[Widget], index: int = 0):
        self.widgets = widgets
        self.index = min(index, max(0, len(widgets) - 1))
        if widgets and not widgets[self.index].enabled:
            self.move(1)

    @property
    def current(self) -> Widget | None:
        return self.widgets[self.index] if self.widgets else None

    def move(self, direction: int) -> None:
        if not self.widgets:
            return
        for _step in range(len(self.widgets)):
            self.index = (self.index + direction) % len(self.widgets)
            if self.widgets[self.index].enabled:
                return

    def focus(self, widget: Widget) -> None:
        if widget in self.widgets:
            self.index = self.widgets.index(widget)


class Scroller:
    """A vertical scroll position over content taller than its box, with a visible bar."""

    def __init__(self):
        self.offset = 0
        self.content = 0
        self.view = 0

    def set(self, content: int, view: int) -> None:
        self.content, self.view = content, view
        self.offset = max(0, min(self.offset, self.limit))

    @property
    def limit(self) -> int:
        return max(0, self.content - self.view)

    @property
    def scrollable(self) -> bool:
        return self.content > self.view

    def scroll(self, pixels: int) -> None:
        self.offset = max(0, min(self.limit, self.offset + pixels))

    def show(self, top: int, bottom: int) -> None:
        """Scroll the least needed to make content rows top..bottom visible."""
        if top < self.offset:
            self.offset = max(0, top)
        elif bottom > self.offset + self.view:
            self.offset = min(self.limit, bottom - self.view)

    def draw_bar(self, surface: pygame.Surface, rect: pygame.Rect, theme: Theme) -> None:
        """The scroll bar on `rect`'s right edge, with arrows saying there is more above or below."""
        if not self.scrollable:
            return
        pal = theme.palette
        w = max(4, theme.px(6))
        track = pygame.Rect(rect.right - w, rect.top, w, rect.height)
        pygame.draw.rect(surface, pal.panel_edge, track, border_radius=w // 2)
        h = max(w * 3, round(rect.height * self.view / self.content))
        y = rect.top + round((rect.height - h) * self.offset / max(1, self.limit))
        pygame.draw.rect(surface, pal.accent, (track.x, y, w, h), border_radius=w // 2)
        size = theme.px(7)
        x = track.x - size - theme.gap
        if self.offset > 0:
            pygame.draw.polygon(surface, pal.accent, [(x, rect.top + size), (x + size, rect.top + size),
                                                      (x + size // 2, rect.top)])
        if self.offset < self.limit:
            pygame.draw.polygon(surface, pal.accent, [(x, rect.bottom - size), (x + size, rect.bottom - size),
                                                      (x + size // 2, rect.bottom)])
