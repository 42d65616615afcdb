"""The scene's distress and rapport meter: each level's number, name and shape as well as its colour."""
from __future__ import annotations

import pygame

from ..i18n import N_, _
from ..vocabulary import word
from .theme import draw_level_shape

METER_HIDDEN = N_("Distress meter hidden (press M to show)")


def meter_labels(behaviour, level: int, rapport: int) -> tuple[str, str]:
    """The distress and rapport labels, as shown ("Distress 2 of 6: Anxious")."""
    distress = _("Distress {level} of {top}: {name}").format(
        level=level, top=len(behaviour.level_names) - 1, name=word(behaviour.level_names[level]))
    rapport_text = _("Rapport {level} of {top}: {name}").format(
        level=rapport, top=len(behaviour.rapport_names) - 1, name=word(behaviour.rapport_names[rapport]))
    return distress, rapport_text


def _sizes(theme) -> tuple[int, int, int]:
    """Radius of the level shapes, their spacing and the rapport pip size."""
    radius = max(5, theme.px(8))
    return radius, radius * 3, max(4, theme.px(6))


def meter_width(app, behaviour) -> int:
    """The width the widest label needs with its shapes (in the interface's language), so that the
    meter never grows or shrinks as the levels change."""
    theme, fonts = app.theme, app.fonts
    _radius, spacing, pip = _sizes(theme)
    levels = len(behaviour.level_names)
    rap_max = len(behaviour.rapport_names) - 1
    bold, small = fonts.get(theme.small, True), fonts.get(theme.small)
    distress = max(bold.size(meter_labels(behaviour, i, 0)[0])[0] for i in range(levels))
    rapport = max(small.size(meter_labels(behaviour, 0, i)[1])[0] for i in range(rap_max + 1))
    hidden = bold.size(_(METER_HIDDEN))[0]
    return max(distress + spacing * levels, rapport + pip * 3 * rap_max, hidden) + theme.gap + theme.px(8)


def draw_meter(app, behaviour, view, size: tuple[int, int], visible: bool) -> tuple[pygame.Surface, pygame.Rect]:
    """The meter for `view` on a transparent surface of `size`, right-aligned, and the part of it that
    is drawn (for the layout audit). Hidden (in-service), it says how to show it. Labels that do not
    fit are recorded in `app.audit`."""
    theme = app.theme
    pal = theme.palette
    width, height = size
    image = pygame.Surface(size, pygame.SRCALPHA)
    bold, small = app.fonts.get(theme.small, True), app.fonts.get(theme.small)
    if not visible:
        label = bold.render(_(METER_HIDDEN), True, pal.muted)
        drawn = label.get_rect(midright=(width, height // 2))
        image.blit(label, drawn)
        app.audit.check("scene: meter", label.get_size(), size)
        return image, drawn
    levels = len(behaviour.level_names)
    radius, spacing, pip = _sizes(theme)
    distress, rapport = meter_labels(behaviour, view.escalation, view.rapport)
    label = bold.render(distress, True, pal.text)
    row1 = round(height * 0.3)
    shapes_w = spacing * levels
    x0 = width - shapes_w
    for level in range(levels):
        centre = (x0 + spacing * level + spacing // 2, row1)
        if level == view.escalation:
            pygame.draw.circle(image, pal.focus, centre, radius + theme.px(5), theme.border)
            draw_level_shape(image, level, centre, radius + theme.px(2))
        elif level < view.escalation:
            draw_level_shape(image, level, centre, radius - 1)
        else:  # levels above the current one are outlines only
            pygame.draw.circle(image, pal.panel_edge, centre, max(2, radius // 3))
    image.blit(label, label.get_rect(midright=(x0 - theme.gap, row1)))
    rapport_max = len(behaviour.rapport_names) - 1
    text = small.render(rapport, True, pal.text)
    row2 = round(height * 0.72)
    pips_w = rapport_max * pip * 3
    px0 = width - pips_w
    for i in range(rapport_max):
        box = (px0 + i * pip * 3 + pip * 3 // 2 - pip, row2 - pip, pip * 2, pip * 2)
        if i < view.rapport:  # filled squares as well as the words: never colour alone
            pygame.draw.rect(image, pal.rapport, box)
        else:
            pygame.draw.rect(image, pal.panel_edge, box, 2)
    image.blit(text, text.get_rect(midright=(px0 - theme.gap, row2)))
    widest = max(label.get_width() + shapes_w, text.get_width() + pips_w) + theme.gap
    app.audit.check("scene: meter (distress)", (label.get_width() + shapes_w + theme.gap, label.get_height()),
                    (width, height // 2 + theme.gap))
    app.audit.check("scene: meter (rapport)", (text.get_width() + pips_w + theme.gap, text.get_height()),
                    (width, height // 2 + theme.gap))
    return image, pygame.Rect(width - widest, 0, widest, height)
