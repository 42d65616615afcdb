"""The debrief chart: the person's distress (with each level's shape) and rapport at every step, decisions
numbered. The engine keeps the variable's name `escalation`; it means distress, not threat."""
from __future__ import annotations

import pygame

from ..i18n import _
from ..vocabulary import word
from .text import Fonts
from .theme import Theme, draw_level_shape


def draw_chart(timeline: list[dict], size: tuple[int, int], theme: Theme, fonts: Fonts, level_names: tuple,
               rapport_max: int) -> pygame.Surface:
    """Render the chart once to a surface (it is blitted every frame, never redrawn).

    The x axis is the order of events (start, each decision, the ending): the scenario's time is
    decisions, not seconds. Distress (the timeline's `escalation`) is a solid stepped line on the left
    scale, labelled with `level_names`; rapport a dashed line on the right scale. Decision markers carry
    their step number below the axis; a decision where the time ran out also carries a clock (see
    `draw_clock`), never a shape a distress level uses. `draw_legend` explains them.
    """
    pal = theme.palette
    w, h = size
    surf = pygame.Surface(size, pygame.SRCALPHA)
    small = fonts.get(theme.small)
    name_w = max(small.size(f"{i} {word(n)}")[0] for i, n in enumerate(level_names))
    left = name_w + theme.pad * 2 + theme.px(12)
    right_label = max(small.size(_("rapport {value}").format(value=v))[0] for v in (0, rapport_max))
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
        label = small.render(f"{level} {word(name)}", True, pal.muted)
        surf.blit(label, (left - theme.px(20) - label.get_width(), y - label.get_height() // 2))
    for value in range(rapport_max + 1):
        text = _("rapport {value}").format(value=value) if value in (0, rapport_max) else str(value)
        label = small.render(text, True, pal.rapport)
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
            marker = draw_marker(step, entry["kind"] == "timer", theme, fonts)
            marker_rect = marker.get_rect(midtop=(x, bottom + theme.gap))
            surf.blit(marker, marker_rect)
    return surf


def draw_clock(surface: pygame.Surface, centre: tuple[int, int], radius: int, colour) -> None:
    """The "time ran out" glyph: a hollow clock face with two hands. Every distress level's shape is a
    filled solid (theme.draw_level_shape), so a ring with hands cannot be read as any level."""
    cx, cy = centre
    width = max(2, radius // 4)
    pygame.draw.circle(surface, colour, centre, radius, width)
    pygame.draw.line(surface, colour, centre, (cx, cy - round(radius * 0.62)), width)  # twelve o'clock
    pygame.draw.line(surface, colour, centre, (cx + round(radius * 0.5), cy), width)  # three o'clock


def draw_marker(step: int | None, timeout: bool, theme: Theme, fonts: Fonts) -> pygame.Surface:
    """A decision's marker below the chart: its number in a rounded tag, with a clock before the number
    when the time to decide ran out (`step` None: the tag alone, for the legend)."""
    pal = theme.palette
    small = fonts.get(theme.small)
    label = small.render(str(step), True, pal.text) if step is not None else None
    height = small.get_linesize()
    radius = max(4, height // 2 - max(2, theme.px(3)))
    clock_w = 2 * radius + theme.gap // 2 if timeout else 0
    width = max(height, (label.get_width() if label else 0) + clock_w + theme.gap)
    marker = pygame.Surface((width, height), pygame.SRCALPHA)
    rect = marker.get_rect()
    # dark fill, light edge and text: readable in both themes; a timeout's edge is in the warning colour
    pygame.draw.rect(marker, pal.button, rect, border_radius=height // 2)
    pygame.draw.rect(marker, pal.warn if timeout else pal.panel_edge, rect, width=2 if timeout else 1,
                     border_radius=height // 2)
    x = (width - clock_w - (label.get_width() if label else 0)) // 2
    if timeout:
        draw_clock(marker, (x + radius, height // 2), radius, pal.warn)
        x += clock_w
    if label is not None:
        marker.blit(label, (x, (height - label.get_height()) // 2))
    return marker


def legend_items(timeline: list[dict]) -> list[str]:
    """The legend's entries, in order: what each line and marker means ("time ran out" only when it did)."""
    items = [_("distress (left scale)"), _("rapport (right scale)"), _("your decision, numbered")]
    if any(entry.get("kind") == "timer" for entry in timeline):
        items.append(_("time ran out"))
    return items


def draw_legend(timeline: list[dict], width: int, theme: Theme, fonts: Fonts) -> pygame.Surface:
    """The chart's legend as one surface `width` wide: each entry's sample (solid line, dashed line,
    numbered tag, clock tag) and its words, wrapped onto as many rows as the width needs."""
    pal = theme.palette
    small = fonts.get(theme.small)
    line_h = small.get_linesize()
    sample_w = theme.px(40)
    line_w = max(2, theme.px(3))
    cells = []
    for i, text in enumerate(legend_items(timeline)):
        label = small.render(text, True, pal.muted)
        sample = pygame.Surface((sample_w, line_h), pygame.SRCALPHA)
        mid = line_h // 2
        if i == 0:
            pygame.draw.line(sample, pal.text, (0, mid), (sample_w, mid), line_w)
        elif i == 1:
            _dashed(sample, pal.rapport, [(0, mid), (sample_w, mid)], line_w, theme.px(8))
        else:
            tag = draw_marker(1 if i == 2 else None, i == 3, theme, fonts)
            sample.blit(tag, tag.get_rect(center=sample.get_rect().center))
        cell_w = min(width, sample_w + theme.gap + label.get_width())
        cells.append((sample, label, cell_w))
    rows, x, y = [], 0, 0
    for cell in cells:  # flow left to right; a cell that does not fit starts a new row
        if x and x + cell[2] > width:
            x, y = 0, y + line_h + theme.gap
        rows.append((cell, x, y))
        x += cell[2] + theme.pad * 2
    legend = pygame.Surface((width, y + line_h), pygame.SRCALPHA)
    for (sample, label, cell_w), cx, cy in rows:
        legend.blit(sample, (cx, cy))
        area = pygame.Rect(0, 0, max(0, cell_w - sample_w - theme.gap), label.get_height())
        legend.blit(label, (cx + sample_w + theme.gap, cy + (line_h - label.get_height()) // 2), area)
    return legend


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

