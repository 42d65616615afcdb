"""The debrief chart: the person's distress (with each level's shape) and rapport at every step, decisions
numbered. The engine keeps the variable's name `escalation`; it means distress, not threat."""
from __future__ import annotations

import pygame

from .text import Fonts
from .theme import Theme, draw_level_shape


def draw_chart(timeline: list[dict], size: tuple[int, int], theme: Theme, fonts: Fonts, level_names: tuple,
               rapport_max: int) -> pygame.Surface:
    """Render the chart once to a surface (it is blitted every frame, never redrawn).

    The x axis is the order of events (start, each decision, the ending): the scenario's time is
    decisions, not seconds. Distress (the timeline's `escalation`) is a solid stepped line on the left
    scale, labelled with `level_names`; rapport a dashed line on the right scale. Decision markers carry
    their step number; timer expiries are squares.
    """
    pal = theme.palette
    w, h = size
    surf = pygame.Surface(size, pygame.SRCALPHA)
    small = fonts.get(theme.small)
    name_w = max(small.size(f"{i} {n}")[0] for i, n in enumerate(level_names))
    left = name_w + theme.pad * 2 + theme.px(12)
    right_label = small.size(f"rapport {rapport_max}")[0]
    right = w - right_label - theme.pad
    top = small.get_linesize()
    bottom = h - small.get_linesize() - theme.pad
    levels = len(level_names) - 1
    n = max(1, len(timeline) - 1)

    inset = theme.px(24)  # keeps the first point clear of the level shapes on the axis

    def x_at(i):
        return left + inset + (right - left - 2 * inset) * i / n

    def y_esc(level):
        return bottom - (bottom - top) * level / max(1, levels)

    def y_rap(value):
        return bottom - (bottom - top) * value / max(1, rapport_max)

    for level, name in enumerate(level_names):  # horizontal guides with each level's shape and name
        y = round(y_esc(level))
        pygame.draw.line(surf, pal.panel_edge, (left, y), (right, y), 1)
        draw_level_shape(surf, level, (left - theme.px(10), y), max(4, theme.px(6)))
        label = small.render(f"{level} {name}", True, pal.muted)
        surf.blit(label, (left - theme.px(20) - label.get_width(), y - label.get_height() // 2))
    for value in range(rapport_max + 1):
        label = small.render(f"rapport {value}" if value in (0, rapport_max) else str(value), True, pal.rapport)
        surf.blit(label, (right + theme.gap, round(y_rap(value)) - label.get_height() // 2))
    width = max(2, theme.px(3))
    esc_points, rap_points = [], []
    for i, entry in enumerate(timeline):
        x = x_at(i)
        if i:
            esc_points.append((x, esc_points[-1][1]))
            rap_points.append((x, rap_points[-1][1]))
        esc_points.append((x, y_esc(entry["escalation"])))
        rap_points.append((x, y_rap(entry["rapport"])))
    if len(rap_points) > 1:
        _dashed(surf, pal.rapport, rap_points, width, theme.px(8))
        pygame.draw.lines(surf, pal.text, False, esc_points, width)
    step = 0
    for i, entry in enumerate(timeline):
        x = round(x_at(i))
        draw_level_shape(surf, entry["escalation"], (x, round(y_esc(entry["escalation"]))), max(5, theme.px(7)))
        if entry["kind"] in ("choice", "timer"):
            step += 1
            label = small.render(str(step), True, pal.text)
            marker = pygame.Rect(0, 0, label.get_width() + theme.gap, label.get_height())
            marker.midtop = (x, bottom + theme.gap)
            if entry["kind"] == "timer":
                pygame.draw.rect(surf, pal.button, marker)
                pygame.draw.rect(surf, pal.warn, marker, width=2)
            else:  # dark fill, light edge and text: readable in both themes
                pygame.draw.rect(surf, pal.button, marker, border_radius=marker.height // 2)
                pygame.draw.rect(surf, pal.panel_edge, marker, width=1, border_radius=marker.height // 2)
            surf.blit(label, label.get_rect(center=marker.center))
    return surf


def _dashed(surface: pygame.Surface, colour, points: list, width: int, dash: int) -> None:
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        length = max(abs(x2 - x1), abs(y2 - y1))
        if length == 0:
            continue
        steps = max(1, int(length // dash))
        for k in range(0, steps, 2):
            a, b = k / steps, min(1.0, (k + 1) / steps)
            pygame.draw.line(surface, colour, (x1 + (x2 - x1) * a, y1 + (y2 - y1) * a),
                             (x1 + (x2 - x1) * b, y1 + (y2 - y1) * b), width)

