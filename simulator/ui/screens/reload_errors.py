"""The problems that kept a saved scenario file from reloading, over the briefing or scene it was open in.

Opened and closed by live reload (`ui/reload.py`), never by another screen: every error is listed
(file:line:col, message, hint), the list scrolls, and the buttons stay at the panel's foot. The
last version that loaded stays open underneath; saving the file again checks it again.
"""
from __future__ import annotations

from pathlib import Path

import pygame

from ...i18n import _, ngettext
from ..text import Span
from ..widgets import Button
from .base import PanelScreen, draw_scrolled


def location(diagnostic) -> str:
    """`file:line:col` of a diagnostic (the file's name only; `file` alone for the whole file)."""
    name = Path(str(diagnostic.file)).name or str(diagnostic.file)
    if not diagnostic.line:
        return name
    return f"{name}:{diagnostic.line}:{diagnostic.column}" if diagnostic.column else f"{name}:{diagnostic.line}"


class ReloadErrorsScreen(PanelScreen):
    """Why the saved file did not reload; Escape or "Go on" returns to the version that loaded last."""

    name = "reload errors"
    overlay = True
    shade = 255  # a solid page: long messages read best on the plain background
    opaque = True
    panel_width = 1100

    def __init__(self, app, below, path: Path, errors: list):
        super().__init__(app)
        self.below = below  # the briefing or scene whose file this is
        self.path, self.errors = Path(path), list(errors)

    def show(self, path: Path, errors: list) -> None:
        """Another save, other problems: list them instead, from the top."""
        self.path, self.errors = Path(path), list(errors)
        self.scroller.offset = 0
        self.build()
        self.app.speak(self.speech())

    def heading(self) -> str:
        return _("{file} did not reload").format(file=self.path.name)

    def body(self):
        theme = self.app.theme
        pal = theme.palette
        half = theme.gap // 2
        count = len(self.errors)
        spans = [Span(ngettext("{count} problem in {path}.", "{count} problems in {path}.", count)
                      .format(count=count, path=str(self.path)), theme.small, pal.muted, space_before=half),
                 Span(_("Parley keeps watching the file: save it again and it reloads. Until then the "
                        "version that loaded last stays open."), theme.small, pal.muted, space_before=half)]
        for i, diagnostic in enumerate(self.errors):
            spans.append(Span(location(diagnostic), theme.small, pal.warn, True,
                              space_before=theme.pad if i == 0 else theme.gap))
            spans.append(Span(str(diagnostic.message), theme.body, pal.text, indent=theme.pad))
            if getattr(diagnostic, "hint", ""):
                spans.append(Span(_("Hint: {hint}").format(hint=diagnostic.hint), theme.small, pal.accent,
                                  indent=theme.pad, space_before=half // 2))
        return spans

    def speech(self) -> str:
        """The heading, the count, then each problem as it is written."""
        parts = [self.heading()]
        parts += [f"{location(d)}: {d.message}" + (f" ({d.hint})" if getattr(d, "hint", "") else "")
                  for d in self.errors]
        return ". ".join(parts)

    def widgets(self):
        return [Button(_("Go on with the version that loaded last"), self.back, 1, wid="go on"),
                Button(_("Back to the library"), self.to_library, 2, wid="library")]

    def build(self) -> None:
        super().build()
        self.pin_buttons_to_foot()  # as the briefing does: buttons at the panel's foot, only the text scrolls
        widgets = self.ring.widgets
        self.app.audit.apart(self.name, [("problems", self.inner)] + [(f"button {wd.wid}", wd.rect) for wd in widgets])

    def screen_rect(self, widget) -> pygame.Rect:
        return widget.rect  # the buttons stay put; only the text scrolls

    def is_scrolled(self, widget) -> bool:
        return False

    def handle_key(self, event: pygame.event.Event) -> None:
        if event.key in (pygame.K_UP, pygame.K_DOWN) and self.scroller.scrollable:  # arrows read on
            self.scroller.scroll(self.app.theme.body * 2 * (1 if event.key == pygame.K_DOWN else -1))
            return
        super().handle_key(event)

    def draw(self, surface: pygame.Surface) -> None:
        surface.blit(self.panel_image, self.panel.topleft)
        draw_scrolled(surface, self.text, self.inner, self.scroller, self.app.theme)
        self.draw_widgets(surface)

    def back(self) -> None:
        """Go on with the version that loaded last (the file stays watched)."""
        self.app.pop()

    def to_library(self) -> None:
        if hasattr(self.below, "abandon"):
            self.below.abandon("quit to library")
        self.app.replace(self.app.flow.library())
