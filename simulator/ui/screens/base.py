"""Shared screen behaviour: the Screen base class (with its speech and caption hooks), keyboard focus, mouse
hit-testing, scrolling, and the centred-panel screen."""
from __future__ import annotations

import pygame

from ..text import Span, TextLayout, layout
from ..theme import panel_surface
from ..widgets import ACTIVATE_KEYS, NUMBER_KEYS, Button, Cycler, FocusRing, Scroller, TextField, Widget


class Screen:
    """One screen of the flow. `build` lays it out for the current theme (on entry, resize and settings
    change); `handle`, `update` and `draw` run every frame. Nothing slow belongs in the last two."""

    name = "screen"
    overlay = False  # drawn over a frozen picture of the screen below (the pause menu)
    # How much an overlay darkens the picture below it (0-255). 255 hides it entirely: the pause
    # menu must not let the scene's text show through.
    shade = 170

    def __init__(self, app):
        self.app = app

    def speech(self) -> str:
        """The screen's main text, read aloud by self-voicing when the screen appears (then the
        focused control is read). Screens with something to say override this."""
        return ""

    def caption_area(self) -> pygame.Rect | None:
        """Where captions of sound cues may go on this screen (they are centred at its top), or None
        for a strip at the top of the window. A screen overrides this to keep captions off its
        controls and text (the scene puts them over its art)."""
        return None

    def build(self) -> None:
        pass

    def enter(self) -> None:
        """Called each time the screen becomes the top one."""

    def handle(self, event: pygame.event.Event) -> None:
        pass

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface: pygame.Surface) -> None:
        pass


UP_KEYS = (pygame.K_UP,)
DOWN_KEYS = (pygame.K_DOWN,)


class FocusScreen(Screen):
    """A screen whose widgets take focus: arrows/Tab move, Enter/Space activate, numbers pick, mouse clicks."""

    def __init__(self, app):
        super().__init__(app)
        self.ring = FocusRing([])
        self.hovered: Widget | None = None
        self.scroller = Scroller()
        self.scroll_rect = pygame.Rect(0, 0, 0, 0)

    # where a widget is on screen (scrolled widgets override this)
    def screen_rect(self, widget: Widget) -> pygame.Rect:
        return widget.rect

    def widget_at(self, pos) -> Widget | None:
        for widget in self.ring.widgets:
            if widget.enabled and self.screen_rect(widget).collidepoint(pos):
                return widget
        return None

    def set_widgets(self, widgets: list[Widget], keep: bool = True) -> None:
        """Replace the focusable widgets, keeping focus on the widget with the same id when there is one."""
        old = self.ring.current
        old_id = getattr(old, "wid", None) if keep else None
        self.ring = FocusRing(widgets)
        if old_id is not None:
            for widget in widgets:
                if getattr(widget, "wid", None) == old_id:
                    self.ring.focus(widget)
                    break

    def on_focus_moved(self) -> None:
        """Keep the focused widget visible when it lives in the scrolled area, tick, and read it aloud."""
        widget = self.ring.current
        if widget is not None and self.scroller.scrollable and self.is_scrolled(widget):
            self.scroller.show(widget.rect.top - self.app.theme.pad, widget.rect.bottom + self.app.theme.pad)
        self.app.cue("select")
        self.speak_focus()

    def focus_speech(self) -> str:
        """What self-voicing reads for the focused widget."""
        widget = self.ring.current
        return widget.spoken() if widget is not None else ""

    def speak_focus(self, interrupt: bool = True) -> None:
        """Read the focused widget aloud (a no-op unless self-voicing is on). Screens that override
        on_focus_moved call this."""
        self.app.speak(self.focus_speech(), interrupt)

    def is_scrolled(self, widget: Widget) -> bool:
        return True

    def back(self) -> None:
        """Escape: go back one screen by default."""
        if len(self.app.stack) > 1:
            self.app.pop()

    def handle(self, event: pygame.event.Event) -> None:
        current = self.ring.current
        if isinstance(current, TextField) and current.handle(event):
            return
        if event.type == pygame.KEYDOWN:
            self.handle_key(event)
        elif event.type == pygame.MOUSEMOTION:
            self.hovered = self.widget_at(event.pos)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            widget = self.widget_at(event.pos)
            if widget is not None:
                self.ring.focus(widget)
                widget.activate()
                if isinstance(widget, Cycler):
                    self.app.speak(widget.spoken())  # a clicked setting: read its new value
        elif event.type == pygame.MOUSEWHEEL:
            self.scroller.scroll(-event.y * self.app.theme.body * 3)

    def handle_key(self, event: pygame.event.Event) -> None:
        key = event.key
        shift = event.mod & pygame.KMOD_SHIFT
        current = self.ring.current
        if key == pygame.K_ESCAPE:
            self.back()
        elif key in UP_KEYS or (key == pygame.K_TAB and shift):
            self.ring.move(-1)
            self.on_focus_moved()
        elif key in DOWN_KEYS or key == pygame.K_TAB:
            self.ring.move(1)
            self.on_focus_moved()
        elif key in (pygame.K_LEFT, pygame.K_RIGHT):
            direction = -1 if key == pygame.K_LEFT else 1
            if current is None or not current.step(direction):
                self.ring.move(direction)
                self.on_focus_moved()
            else:
                self.app.speak(current.spoken())  # a setting changed: read its new value
        elif key in ACTIVATE_KEYS:
            if current is not None:
                current.activate()
                if isinstance(current, Cycler):
                    self.app.speak(current.spoken())
        elif key in NUMBER_KEYS:
            number = NUMBER_KEYS[key]
            for widget in self.ring.widgets:
                if getattr(widget, "number", None) == number and widget.enabled:
                    self.ring.focus(widget)
                    widget.activate()
                    break
        elif key == pygame.K_SPACE:  # reads on: scrolls a page, never activates (see widgets.ACTIVATE_KEYS)
            self.scroller.scroll(max(1, self.scroller.view - self.app.theme.body * 2))
        elif key in (pygame.K_PAGEDOWN, pygame.K_PAGEUP):
            step = max(1, self.scroller.view - self.app.theme.body * 2)
            self.scroller.scroll(step if key == pygame.K_PAGEDOWN else -step)
        elif key == pygame.K_HOME:
            self.scroller.offset = 0
        elif key == pygame.K_END:
            self.scroller.offset = self.scroller.limit

    def draw_widgets(self, surface: pygame.Surface, clip: pygame.Rect | None = None) -> None:
        theme = self.app.theme
        focused = self.ring.current
        previous = surface.get_clip()
        if clip is not None:
            surface.set_clip(clip)
        for widget in self.ring.widgets:
            rect = self.screen_rect(widget)
            if clip is not None and not rect.colliderect(clip):
                continue
            if isinstance(widget, TextField):
                draw_text_field(surface, widget, rect, theme, self.app.fonts, widget is focused, self.app.frames)
            else:
                delta = widget.rect.y - rect.y
                widget.draw(surface, theme, widget is focused, widget is self.hovered, delta, clip)
        surface.set_clip(previous)


def draw_text_field(surface, field: TextField, rect: pygame.Rect, theme, fonts, focused: bool, frame: int) -> None:
    """The entry box, its value and a caret (steady when reduced motion is on)."""
    pal = theme.palette
    pygame.draw.rect(surface, pal.button, rect, border_radius=theme.radius)
    pygame.draw.rect(surface, pal.focus if focused else pal.panel_edge, rect,
                     width=theme.focus_width if focused else theme.border, border_radius=theme.radius)
    font = fonts.get(theme.body)
    value = field.value or ""
    text = font.render(value, True, pal.text) if value else font.render(field.prompt, True, pal.muted)
    x = rect.x + theme.pad
    y = rect.centery - text.get_height() // 2
    inner = rect.inflate(-2 * theme.pad, 0)
    area = pygame.Rect(max(0, text.get_width() - inner.width), 0, inner.width, text.get_height())
    surface.blit(text, (x, y), area)  # long names scroll left so the caret stays visible
    if focused and (theme.reduced_motion or (frame // 30) % 2 == 0):
        cx = x + (min(text.get_width(), inner.width) if value else 0)
        pygame.draw.line(surface, pal.text, (cx + 2, y), (cx + 2, y + text.get_height()), 2)


def draw_scrolled(surface: pygame.Surface, text: TextLayout, rect: pygame.Rect, scroller, theme,
                  reveal: int | None = None, clip: pygame.Rect | None = None) -> None:
    """A text layout inside `rect` at the scroller's offset, clipped, with its scroll bar."""
    clip = clip or rect
    previous = surface.get_clip()
    surface.set_clip(clip)
    text.draw(surface, rect.x, rect.y - scroller.offset, clip, reveal)
    surface.set_clip(previous)
    scroller.draw_bar(surface, rect.move(theme.px(10), 0), theme)


def button_row(buttons: list[Button], theme, fonts, x: int, bottom: int, width: int) -> int:
    """Lay `buttons` out side by side, equal widths and heights, ending at `bottom`; returns the row's top."""
    gap = theme.gap
    each = (width - gap * (len(buttons) - 1)) // len(buttons)
    height = max(b.build(theme, fonts, each) for b in buttons)
    for i, b in enumerate(buttons):
        b.rect.size = (each, height)
        b.rect.topleft = (x + i * (each + gap), bottom - height)
    return bottom - height


class PanelScreen(FocusScreen):
    """A centred panel over art: a heading, body text and a column of buttons, scrolling if needed."""

    background: str | None = None
    panel_width = 780  # on the 1280x720 design grid
    heading_size = "heading"  # a Theme size name; the title screen uses "title"
    opaque = False  # a solid panel instead of the translucent one (over a hidden scene)

    def heading(self) -> str:
        return ""

    def speech(self) -> str:
        """The heading and the body text."""
        parts = [p.strip() for p in [self.heading()] + [span.text for span in self.body()] if p and p.strip()]
        # A full stop after a heading makes the speech engine pause there, as a reader would.
        return " ".join(p if p[-1] in ".?!:;" else p + "." for p in parts)

    def body(self) -> list[Span]:
        return []

    def widgets(self) -> list[Widget]:
        return []

    def build(self) -> None:
        app, theme = self.app, self.app.theme
        pal = theme.palette
        w, h = app.surface.get_size()
        margin = theme.px(28)
        width = min(w - 2 * margin, theme.px(self.panel_width * min(1.2, theme.text_scale)))
        inner_w = width - 2 * theme.pad - theme.px(14)  # leave room for a scroll bar
        spans = []
        if self.heading():
            spans.append(Span(self.heading(), getattr(theme, self.heading_size), pal.text, True))
        for span in self.body():
            spans.append(span)
        self.text: TextLayout = layout(app.fonts, spans, inner_w)
        y = self.text.height + (theme.pad if spans else 0)
        widgets = self.widgets()
        for widget in widgets:
            if isinstance(widget, TextField):
                widget.rect = pygame.Rect(0, y, inner_w, app.fonts.get(theme.body).get_linesize() + 2 * theme.pad)
                height = widget.rect.height
            else:
                height = widget.build(theme, app.fonts, inner_w)
                widget.rect.topleft = (0, y)
            y += height + theme.gap + theme.focus_width
        content = y - theme.gap
        panel_h = min(content + 2 * theme.pad, h - 2 * margin)
        self.panel = pygame.Rect(0, 0, width, panel_h)
        self.panel.center = (w // 2, h // 2)
        self.inner = pygame.Rect(self.panel.x + theme.pad, self.panel.y + theme.pad, inner_w,
                                 panel_h - 2 * theme.pad)
        self.scroller.set(content, self.inner.height)
        colour = pal.panel[:3] + (255,) if self.opaque else None
        self.panel_image = panel_surface(self.panel.size, theme, colour)
        self.backdrop = app.art.background(self.background, (w, h))
        self.set_widgets(widgets)
        for widget in widgets:  # widget rects become window coordinates at scroll offset 0
            widget.rect.move_ip(self.inner.x, self.inner.y)
        self.app.audit.check(f"{self.name}: panel text width", (self.text.width, 0), (inner_w, 1))

    def screen_rect(self, widget: Widget) -> pygame.Rect:
        return widget.rect.move(0, -self.scroller.offset)

    def draw(self, surface: pygame.Surface) -> None:
        if not self.overlay:
            surface.blit(self.backdrop, (0, 0))
        surface.blit(self.panel_image, self.panel.topleft)
        clip = self.inner.inflate(self.app.theme.focus_width * 2 + 2, self.app.theme.focus_width * 2)
        draw_scrolled(surface, self.text, self.inner, self.scroller, self.app.theme, clip=clip)
        self.draw_widgets(surface, clip)

    def pin_buttons_to_foot(self) -> None:
        """After `build`: move the buttons to the panel's foot and let only the text above them scroll,
        so that long text at the largest size never hides a button below the fold (`screen_rect` then
        keeps the buttons where they are)."""
        theme = self.app.theme
        widgets = self.ring.widgets
        step = theme.gap + theme.focus_width
        y = self.panel.bottom - theme.pad - sum(w.rect.height for w in widgets) - step * (len(widgets) - 1)
        for widget in widgets:
            widget.rect.y = y
            y += widget.rect.height + step
        top = self.panel.y + theme.pad
        self.inner = pygame.Rect(self.inner.x, top, self.inner.width, widgets[0].rect.top - theme.pad - top)
        self.scroller.set(self.text.height, self.inner.height)


def paragraphs(theme, *paragraphs, colour=None, px=None, bold=False) -> list[Span]:
    """Plain paragraphs as body spans."""
    colour = colour or theme.palette.text
    return [Span(p, px or theme.body, colour, bold, space_before=theme.gap if i else 0)
            for i, p in enumerate(paragraphs)]
