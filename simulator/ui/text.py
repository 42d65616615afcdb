"""Fonts, word wrapping and pre-rendered text layouts, plus the audit that catches text overflowing its box."""
from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from ..paths import assets_dir
from ..safetext import clean

# The faces the font setting chooses between, by weight (bold or not). OpenDyslexic covers the Latin
# alphabets of our scenarios (Spanish and Vietnamese included); a piece of text with a character it
# lacks is measured and drawn in DejaVu Sans instead (see SafeFont.fallback).
FONT_FILES = {
    "standard": {False: "fonts/DejaVuSans.ttf", True: "fonts/DejaVuSans-Bold.ttf"},
    "dyslexia": {False: "fonts/OpenDyslexic-Regular.otf", True: "fonts/OpenDyslexic-Bold.otf"},
}
# OpenDyslexic's letters are as tall as DejaVu's at the same size (same x-height and cap height), so a
# dyslexic reader loses no size, and 7% wider. Its line box is 1.75 em against DejaVu's 1.17 em; lines
# are stepped at LINE_SKIP em instead, which with a layout's line gap (0.22 em) still keeps an
# accented capital (1.19 em high) clear of the descenders (0.27 em) of the line above.
LINE_SKIP = {"dyslexia": 1.5}
DEFAULT_LINE_GAP = 0.22
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
    fonts are all of this kind, so text drawn by any screen is safe, not only text laid out here.

    With a `fallback` (another SafeFont) and a `coverage` test, text with a character this face has
    no glyph for is measured and drawn in the fallback, so a face with a smaller repertoire never
    shows empty boxes."""

    fallback: "SafeFont | None" = None
    coverage: "Coverage | None" = None
    line_skip: int | None = None  # pixels from one line to the next, when not the face's own

    def get_linesize(self) -> int:
        return self.line_skip or super().get_linesize()

    def _face_for(self, text) -> pygame.font.Font:
        if self.fallback is None or self.coverage is None or not isinstance(text, str) or text.isascii():
            return self
        return self if self.coverage.covers(text) else self.fallback

    def render(self, text, *args, **kwargs) -> pygame.Surface:
        if isinstance(text, str):
            text = clean(text)[:MAX_RENDER_CHARS]
        return render_text(self._face_for(text), text, *args, **kwargs)

    def size(self, text) -> tuple[int, int]:
        if isinstance(text, (str, type(None))):
            text = clean(text)
        try:
            return pygame.font.Font.size(self._face_for(text), text)
        except (pygame.error, ValueError, UnicodeError, OverflowError):
            return (0, self.get_linesize())


class Coverage:
    """Which characters a font file has usable glyphs for. pygame.font measures a missing character
    as the font's empty box without saying so; pygame.freetype says None, so it is asked, once per
    character. A glyph drawn far outside the line is broken and counts as missing (OpenDyslexic
    Bold's "ị", "ḅ" and "Ḅ" put their dot six lines below the letter)."""

    SIZE = 12

    def __init__(self, path: str):
        self._known: dict[str, bool] = {}
        try:
            import pygame.freetype
            if not pygame.freetype.get_init():
                pygame.freetype.init()
            self._face = pygame.freetype.Font(path, self.SIZE)
        except (ImportError, OSError, pygame.error):
            self._face = None  # cannot tell: trust the face (it may show a box, never crashes)

    def _usable(self, ch: str) -> bool:
        if not ch.isprintable() or ch.isspace():
            return True
        metrics = self._face.get_metrics(ch)[0]
        if metrics is None:
            return False
        # pygame.freetype reports a negative extent as an unsigned 32-bit number: sign it again.
        low, high = ((v - 2**32 if v >= 2**31 else v) for v in metrics[2:4])
        return -self.SIZE <= low and high <= 2 * self.SIZE

    def covers(self, text: str) -> bool:
        """True when every printable character of `text` has a glyph in the font."""
        if self._face is None:
            return True
        for ch in set(text):
            known = self._known.get(ch)
            if known is None:
                try:
                    known = self._usable(ch)
                except (pygame.error, ValueError, UnicodeError, IndexError, TypeError):
                    known = False
                self._known[ch] = known
            if not known:
                return False
        return True


class Fonts:
    """The bundled faces, cached per size and weight: DejaVu Sans (wide Unicode coverage, incl.
    Vietnamese and Spanish) or, with the dyslexia setting, OpenDyslexic (DejaVu for what it lacks).
    `line_gap` is the space layouts leave between lines (the line-spacing setting).

    The fonts are `SafeFont`s: any text, from any scenario, renders without raising."""

    def __init__(self, face: str = "standard", line_gap: float = DEFAULT_LINE_GAP):
        self._fonts: dict[tuple[str, int, bool], pygame.font.Font] = {}
        self._covers: dict[str, Coverage] = {}
        self.face = face if face in FONT_FILES else "standard"
        self.line_gap = line_gap

    def configure(self, face: str, line_gap: float) -> None:
        """Use `face` ("standard" or "dyslexia") and `line_gap` from now on (the settings changed)."""
        self.face = face if face in FONT_FILES else "standard"
        self.line_gap = line_gap

    def _coverage(self, path: str) -> Coverage:
        if path not in self._covers:
            self._covers[path] = Coverage(path)
        return self._covers[path]

    def get(self, px: int, bold: bool = False) -> pygame.font.Font:
        """The current face at `px` pixels (the theme's sizes), bold or regular."""
        return self._load(self.face, px, bold)

    def _load(self, face: str, px: int, bold: bool) -> pygame.font.Font:
        key = (face, max(1, int(px)), bool(bold))
        font = self._fonts.get(key)
        if font is None:
            path = assets_dir() / FONT_FILES[face][key[2]]
            try:
                font = SafeFont(str(path), key[1])
            except (OSError, FileNotFoundError, pygame.error):  # a broken install still shows text
                font = None if face != "standard" else SafeFont(None, round(key[1] * 1.25))
            if font is None:  # the dyslexia face is missing: the standard one, rather than nothing
                font = self._load("standard", px, bold)
            elif face != "standard":
                font.fallback = self._load("standard", px, bold)
                font.coverage = self._coverage(str(path))
                if face in LINE_SKIP:
                    font.line_skip = min(font.get_linesize(), round(font.get_point_size() * LINE_SKIP[face]))
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


def layout(fonts: Fonts, spans: list[Span], width: int, line_gap: float | None = None) -> TextLayout:
    """Wrap and render `spans` (top to bottom) into a TextLayout `width` pixels wide. Lines are
    `line_gap` times the text size apart (default: the fonts' setting, wider for "wide" spacing)."""
    if line_gap is None:
        line_gap = getattr(fonts, "line_gap", DEFAULT_LINE_GAP)
    result = TextLayout(width=width)
    y = 0
    for span in spans:
        font = fonts.get(span.px, span.bold)
        step = font.get_linesize() + round(span.px * line_gap)
        y += span.space_before
        for text in wrap(font, clean(span.text), max(1, width - span.indent)):
            if text:
                surf = font.render(text, True, span.colour)
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
