"""Backgrounds and portraits: SVG rendered at the exact window size once, cached, with drawn fallbacks."""
from __future__ import annotations

import math
from collections import OrderedDict
from pathlib import Path

import pygame

from ..paths import assets_dir

# The subject's escalation level picks every present person's expression (docs/architecture.md).
EXPRESSIONS = ("calm", "anxious", "anxious", "upset", "upset", "angry", "angry")
PORTRAIT_ASPECT = 600 / 800
CACHE_BUDGET_BYTES = 256 * 1024 * 1024


def _size_of(surface: pygame.Surface | None) -> int:
    return 0 if surface is None else surface.get_width() * surface.get_height() * surface.get_bytesize()


def expression_for(level: int) -> str:
    """Portrait expression for escalation `level`: 0 calm, 1-2 anxious, 3-4 upset, 5-6 angry."""
    return EXPRESSIONS[max(0, min(6, level))]


class ArtCache:
    """Rendered art keyed by (file, size); SVG is rasterised at the size shown, so it is sharp at 4K.

    The cache keeps the most recently used images within a byte budget: a 4K window's portraits
    at three sizes and four expressions would otherwise hold hundreds of megabytes.
    """

    def __init__(self, root: Path | None = None, budget_bytes: int = CACHE_BUDGET_BYTES):
        self.root = root or assets_dir()
        self.budget = budget_bytes
        self.bytes = 0
        self._cache: OrderedDict[tuple, pygame.Surface | None] = OrderedDict()
        self.failures: list[str] = []

    def _lookup(self, key: tuple):
        if key in self._cache:
            self._cache.move_to_end(key)
            return True, self._cache[key]
        return False, None

    def _store(self, key: tuple, surface: pygame.Surface | None) -> None:
        self._cache[key] = surface
        self.bytes += _size_of(surface)
        while self.bytes > self.budget and len(self._cache) > 1:
            _old, evicted = self._cache.popitem(last=False)  # least recently used first
            self.bytes -= _size_of(evicted)

    def _render(self, relative: str, size: tuple[int, int]) -> pygame.Surface | None:
        """Rasterise an SVG under the assets folder at `size`; None (and a recorded failure) otherwise."""
        path = (self.root / relative).resolve()
        try:
            if self.root.resolve() in path.parents and path.is_file():
                return pygame.image.load_sized_svg(str(path), size).convert_alpha()
            self.failures.append(f"{relative}: not found under {self.root}")
        except (pygame.error, OSError, ValueError) as exc:
            self.failures.append(f"{relative}: {exc}")
        return None

    def _svg(self, relative: str, size: tuple[int, int]) -> pygame.Surface | None:
        key = ("svg", relative, size)
        found, surface = self._lookup(key)
        if not found:
            surface = self._render(relative, size)
            self._store(key, surface)
        return surface

    def background(self, relative: str | None, size: tuple[int, int]) -> pygame.Surface:
        """A background covering `size` (cropped to fill, never stretched); a drawn dusk sky when missing."""
        key = ("background", relative, size)
        found, result = self._lookup(key)
        if found:
            return result
        result = pygame.Surface(size).convert()
        gradient(result, (18, 30, 52), (52, 70, 96))
        if relative:
            w, h = size
            scale = max(w / 1920, h / 1080)  # backgrounds are drawn on a 1920x1080 canvas
            art = self._render(relative, (math.ceil(1920 * scale), math.ceil(1080 * scale)))
            if art is not None:
                result.blit(art, ((w - art.get_width()) // 2, (h - art.get_height()) // 2))
        self._store(key, result)
        return result

    def portrait(self, folder: str | None, level: int, height: int) -> pygame.Surface | None:
        """The portrait for a character folder at `height` px with the expression for `level`, or None."""
        if not folder:
            return None
        width = round(height * PORTRAIT_ASPECT)
        return self._svg(f"{folder}/{expression_for(level)}.svg", (width, height))


def gradient(surface: pygame.Surface, top: tuple, bottom: tuple) -> None:
    """A vertical gradient drawn in code (fast enough for a first frame, no file needed)."""
    h = surface.get_height()
    w = surface.get_width()
    strip = pygame.Surface((1, 64))
    for y in range(64):
        t = y / 63
        strip.set_at((0, y), [round(a + (b - a) * t) for a, b in zip(top, bottom)])
    surface.blit(pygame.transform.smoothscale(strip, (w, h)), (0, 0))


def initials_badge(name: str, height: int, colour: tuple, text_colour: tuple, font: pygame.font.Font) -> pygame.Surface:
    """For people without portrait art (a phone interpreter, a passer-by): a drawn head-and-shoulders
    silhouette with their initials, in the same flat style as the portraits."""
    width = round(height * PORTRAIT_ASPECT)
    surf = pygame.Surface((width, height), pygame.SRCALPHA)
    cx = width // 2
    pygame.draw.ellipse(surf, colour, (cx - width * 0.42, height * 0.62, width * 0.84, height * 0.6))
    pygame.draw.circle(surf, colour, (cx, round(height * 0.4)), round(width * 0.24))
    initials = "".join(part[0] for part in name.split()[:2]).upper() or "?"
    label = font.render(initials, True, text_colour)
    surf.blit(label, label.get_rect(center=(cx, round(height * 0.4))))
    return surf
