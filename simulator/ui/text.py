"""Fonts, word wrapping and pre-rendered text layouts, plus the audit that catches text overflowing its box."""
from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from ..paths import assets_dir
from ..safetext import clean

FONT_FILES = {False: "fonts/DejaVuSans.ttf", True: "fonts/DejaVuSans-Bold.ttf"}
MAX_RENDER_CHARS = 2000  # one rendered line; wider than any window at the smallest text size

def render_text(font: pygame.font.Font, text, *args, **kwargs) -> pygame.Surface:
    """`font.render(text, ...)` that never raises on a character: the text is cleaned, an over-long line
    is cut at MAX_RENDER_CHARS, and text that renders to nothing (only zero-width characters, which
    SDL_ttf refuses with "Text has zero width") gives an empty surface one line high."""
    if isinstance(text, (str, type(None))):
        text = clean(text)[:MAX_RENDER_CHARS]
    try:
        return pygame.font.Font.render(font, text, *args, **kwargs)
    except (pygame.error, ValueError, UnicodeError, OverflowError, MemoryError):
        return pygame.Surface((0, font.get_linesize()), pygame.SRCALPHA)


class SafeFont(pygame.font.Font):
    """A font whose `render` and `size` never raise on a character (see `render_text`); the window's
    fonts are all of this kind, so text drawn by any screen is safe, not only text laid out here."""

    def render(self, text, *args, **kwargs) -> pygame.Surface:
        return render_text(self, text, *args, **kwargs)

    def size(self, text) -> tuple[int, int]:
        if isinstance(text, (str, type(None))):
            text = clean(text)
        try:
            return super().size(text)
        except (pygame.error, ValueError, UnicodeError, OverflowError):
            return (0, self.get_linesize())


class Fonts:
    """DejaVu Sans (bundled, wide Unicode coverage incl. Vietnamese and Spanish), cached per size and weight.

    The fonts are `SafeFont`s: any text, from any scenario, renders without raising."""

    def __init__(self):
        self._fonts: dict[tuple[int, bool], pygame.font.Font] = {}

    def get(self, px: int, bold: bool = False) -> pygame.font.Font:
        key = (max(1, int(px)), bool(bold))
        font = self._fonts.get(key)
        if font is None:
            path = assets_dir() / FONT_FILES[bold]
            try:
                font = SafeFont(str(path), key[0])
            except (OSError, FileNotFoundError, pygame.error):  # a broken install still shows text
                font = SafeFont(None, round(key[0] * 1.25))
            self._fonts[key] = font
        return font


def wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    """Break `text` into lines no wider than `width`; paragraphs (newlines) are kept, and a word too long
    for a line is broken by characters so nothing ever runs past the edge. The text is cleaned first."""
    text = clean(text)
    lines: list[str] = []
    space = font.size(" ")[0]
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        current, current_w = "", 0
        for word in words:
            w = font.size(word)[0]
            if w > width:  # hard-break an over-long word (a URL, a long id)
                if current:
                    lines.append(current)
                    current, current_w = "", 0
                piece = ""
                for ch in word:
                    if font.size(piece + ch)[0] > width and piece:
                        lines.append(piece)
                        piece = ""
                    piece += ch
                current, current_w = piece, font.size(piece)[0]
                continue
            if not current:
                current, current_w = word, w
            elif current_w + space + w <= width:
                current, current_w = current + " " + word, current_w + space + w
            else:
                lines.append(current)
                current, current_w = word, w
        lines.append(current)
    return lines


@dataclass
class Span:
    """One styled paragraph of a layout."""

    text: str
    px: int
    colour: tuple
    bold: bool = False
    indent: int = 0
    space_before: int = 0


@dataclass
class TextLayout:
    """Text wrapped and rendered once; drawing is only blits. `chars` per line allows a typewriter reveal."""

    width: int
    height: int = 0
    lines: list = field(default_factory=list)  # (surface, x, y, chars)
    total_chars: int = 0

    def draw(self, surface: pygame.Surface, x: int, y: int, clip: pygame.Rect | None = None,
             reveal: int | None = None) -> None:
        """Blit the layout at (x, y); only lines inside `clip` are drawn; `reveal` limits shown characters."""
        shown = 0
        top = clip.top if clip else -10**9
        bottom = clip.bottom if clip else 10**9
        for line, lx, ly, chars in self.lines:
            if reveal is not None and shown >= reveal:
                break
            sy = y + ly
            if sy + line.get_height() >= top and sy <= bottom:
                if reveal is not None and shown + chars > reveal:
                    part = max(0, reveal - shown) / max(1, chars)
                    area = pygame.Rect(0, 0, round(line.get_width() * part), line.get_height())
                    surface.blit(line, (x + lx, sy), area)
                else:
                    surface.blit(line, (x + lx, sy))
            shown += chars


def layout(fonts: Fonts, spans: list[Span], width: int, line_gap: float = 0.22) -> TextLayout:
    """Wrap and render `spans` (top to bottom) into a TextLayout `width` pixels wide."""
    result = TextLayout(width=width)
    y = 0
    for span in spans:
        font = fonts.get(span.px, span.bold)
        step = font.get_linesize() + round(span.px * line_gap)
        y += span.space_before
        for text in wrap(font, clean(span.text), max(1, width - span.indent)):
            if text:
                surf = render_text(font, text, True, span.colour)
                result.lines.append((surf, span.indent, y, len(text)))
                result.total_chars += len(text)
            y += step
        y -= round(span.px * line_gap)  # no trailing gap after a paragraph's last line
    result.height = max(0, y)
    return result


class Audit:
    """Collects every place where text does not fit its box; tests assert it stays empty."""

    def __init__(self):
        self.problems: list[str] = []

    def check(self, where: str, need: tuple[int, int], box: tuple[int, int]) -> bool:
        """Record a problem when content of size `need` exceeds `box`; returns True when it fits."""
        if need[0] > box[0] or need[1] > box[1]:
            self.problems.append(f"{where}: needs {need[0]}x{need[1]} px, box is {box[0]}x{box[1]} px")
            return False
        return True

    def apart(self, where: str, boxes: list) -> bool:
        """Record a problem for every two of `boxes` ((name, rect) pairs, in window coordinates) that
        overlap: elements of one screen that must never cover each other. Returns True when none do."""
        ok = True
        for i, (name_a, a) in enumerate(boxes):
            for name_b, b in boxes[i + 1:]:
                if a.width > 0 and a.height > 0 and b.width > 0 and b.height > 0 and a.colliderect(b):
                    clip = a.clip(b)
                    self.problems.append(f"{where}: {name_a} overlaps {name_b} by {clip.width}x{clip.height} px")
                    ok = False
        return ok

    def inside(self, where: str, name: str, rect, area) -> bool:
        """Record a problem when `rect` is not wholly inside `area` (for instance an option of a timed
        decision that would need scrolling while the clock runs). Returns True when it is inside."""
        if area.contains(rect):
            return True
        self.problems.append(f"{where}: {name} at {tuple(rect)} is not wholly inside {tuple(area)}")
        return False
