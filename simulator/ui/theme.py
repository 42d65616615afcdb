"""Colours, sizes and the distress meter's shapes, scaled to the window and the text-size setting."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from .settings import Settings

# Distress levels 0-6 (calm to in crisis; the engine's `escalation` variable) each get a colour AND a shape
# AND a name, so colour is never the only cue. They show distress, never threat: what the person is doing
# is a separate thing (a node's `shows`).
LEVEL_COLOURS = ((76, 175, 110), (140, 190, 90), (200, 200, 80), (235, 180, 60), (240, 130, 50), (225, 80, 50),
                 (200, 40, 60))
LEVEL_SHAPES = ("circle", "square", "diamond", "triangle", "triangle-bar", "star", "octagon")


@dataclass(frozen=True)
class Palette:
    background: tuple
    panel: tuple  # RGBA: translucent over art in the normal theme, solid in high contrast
    panel_edge: tuple
    text: tuple
    muted: tuple
    accent: tuple
    focus: tuple
    button: tuple
    button_hover: tuple
    button_text: tuple
    disabled: tuple
    good: tuple
    bad: tuple
    warn: tuple
    speaker: tuple
    rapport: tuple


NORMAL = Palette(background=(16, 24, 38), panel=(14, 22, 36, 226), panel_edge=(70, 96, 130), text=(236, 240, 246),
                 muted=(170, 184, 204), accent=(96, 196, 214), focus=(255, 214, 92), button=(34, 52, 78),
                 button_hover=(48, 74, 108), button_text=(240, 244, 250), disabled=(92, 100, 112),
                 good=(110, 200, 130), bad=(240, 110, 100), warn=(240, 190, 90), speaker=(140, 210, 230),
                 rapport=(120, 170, 240))
HIGH_CONTRAST = Palette(background=(0, 0, 0), panel=(0, 0, 0, 255), panel_edge=(255, 255, 255), text=(255, 255, 255),
                        muted=(235, 235, 235), accent=(0, 255, 255), focus=(255, 255, 0), button=(0, 0, 0),
                        button_hover=(40, 40, 40), button_text=(255, 255, 255), disabled=(150, 150, 150),
                        good=(0, 255, 120), bad=(255, 120, 120), warn=(255, 255, 0), speaker=(0, 255, 255),
                        rapport=(140, 190, 255))


class Theme:
    """Sizes derive from the window (a 1280x720 design grid) and the text-size setting."""

    def __init__(self, settings: Settings, size: tuple[int, int]):
        self.size = size
        self.width, self.height = size
        self.unit = min(self.width / 1280, self.height / 720)
        self.text_scale = settings.text_scale
        self.palette = HIGH_CONTRAST if settings.high_contrast else NORMAL
        self.high_contrast = settings.high_contrast
        self.reduced_motion = settings.reduced_motion
        body = 19 * self.unit * self.text_scale
        self.body = max(12, round(body))
        self.small = max(11, round(body * 0.84))
        self.heading = max(16, round(body * 1.35))
        self.title = max(28, round(62 * self.unit * min(self.text_scale, 1.15)))
        self.pad = max(6, round(14 * self.unit))
        self.gap = max(4, round(9 * self.unit))
        self.radius = max(3, round(8 * self.unit))
        self.border = max(2, round(2 * self.unit))
        self.focus_width = max(3, round(3.5 * self.unit))

    def px(self, design_pixels: float) -> int:
        """A length on the 1280x720 design grid, in window pixels."""
        return max(1, round(design_pixels * self.unit))


def draw_panel(surface: pygame.Surface, rect: pygame.Rect, theme: Theme, colour: tuple | None = None) -> None:
    """A rounded panel: translucent in the normal theme so the art shows, solid in high contrast."""
    colour = colour or theme.palette.panel
    if len(colour) == 4 and colour[3] < 255:
        layer = pygame.Surface(rect.size, pygame.SRCALPHA)
        pygame.draw.rect(layer, colour, layer.get_rect(), border_radius=theme.radius)
        surface.blit(layer, rect.topleft)
    else:
        pygame.draw.rect(surface, colour[:3], rect, border_radius=theme.radius)
    pygame.draw.rect(surface, theme.palette.panel_edge, rect, width=max(1, theme.border // 2 + theme.high_contrast),
                     border_radius=theme.radius)


def panel_surface(size: tuple[int, int], theme: Theme, colour: tuple | None = None) -> pygame.Surface:
    """A pre-drawn panel to blit every frame (drawing translucent rounded rects per frame is slow)."""
    surface = pygame.Surface(size, pygame.SRCALPHA)
    draw_panel(surface, surface.get_rect(), theme, colour)
    return surface


def shape_points(shape: str, centre: tuple[float, float], radius: float) -> list[tuple[float, float]]:
    """Polygon points for one of LEVEL_SHAPES (the circle is drawn separately)."""
    cx, cy = centre

    def ring(n, r, start):
        return [(cx + r * math.cos(start + 2 * math.pi * i / n), cy + r * math.sin(start + 2 * math.pi * i / n))
                for i in range(n)]
    if shape == "square":
        return ring(4, radius * 1.1, math.pi / 4)
    if shape == "diamond":
        return ring(4, radius * 1.15, 0)
    if shape in ("triangle", "triangle-bar"):
        return ring(3, radius * 1.2, -math.pi / 2)
    if shape == "octagon":
        return ring(8, radius * 1.05, math.pi / 8)
    if shape == "star":
        points = []
        for i in range(10):
            r = radius * (1.2 if i % 2 == 0 else 0.5)
            a = -math.pi / 2 + math.pi * i / 5
            points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        return points
    raise ValueError(shape)


def draw_level_shape(surface: pygame.Surface, level: int, centre: tuple[int, int], radius: int,
                     outline: tuple | None = None) -> None:
    """The distress level's own shape in its colour, with a dark outline so it reads on any background."""
    colour = LEVEL_COLOURS[level]
    shape = LEVEL_SHAPES[level]
    edge = outline or (10, 10, 10)
    if shape == "circle":
        pygame.draw.circle(surface, colour, centre, radius)
        pygame.draw.circle(surface, edge, centre, radius, max(1, radius // 6))
        return
    points = shape_points(shape, centre, radius)
    pygame.draw.polygon(surface, colour, points)
    pygame.draw.polygon(surface, edge, points, max(1, radius // 6))
    if shape == "triangle-bar":  # an exclamation bar inside the triangle
        w = max(2, radius // 4)
        pygame.draw.rect(surface, edge, (centre[0] - w // 2, centre[1] - radius // 2, w, radius // 2 + 1))
        pygame.draw.rect(surface, edge, (centre[0] - w // 2, centre[1] + radius // 6, w, w))
