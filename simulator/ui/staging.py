"""How a scene is staged in this window: its rectangles, portrait sizes, the art it needs and the
session options the mode and settings give. Shared by the briefing (which preloads the art) and the
scene, so that neither screen imports the other."""
from __future__ import annotations

import math
from typing import NamedTuple

import pygame

from ..engine.session import SessionOptions
from ..i18n import N_, _
from ..safetext import clean
from .art import PORTRAIT_ASPECT, THREAT_BEHAVIOURS, expression_for, initials_badge, person_expression, place_icon

# The text column's share of the width (the choices get the rest). A timed decision whose options do
# not all fit beside the usual text column tries the narrower ones in turn: every option must be seen
# without scrolling while the clock runs (the scene's text then scrolls instead).
TEXT_SPLIT = 0.58
TIMED_SPLITS = (TEXT_SPLIT, 0.5, 0.42)
# Wider text columns for an untimed moment whose text would otherwise scroll, when its options still
# fit beside it (the choices column is often half empty with three short options).
WIDER_SPLITS = (0.64, 0.7)
# Portrait heights as shares of the left column, largest first. Portraits are shown whole, above the
# text box (never behind it): a moment with more text takes a smaller size and, at the smallest, the
# text box scrolls. The smallest still shows a face clearly at every text size (see MIN_PORTRAIT).
PORTRAIT_SHARES = (0.6, 0.5, 0.4, 0.32, 0.26)
MIN_PORTRAIT = 150  # design pixels (1280x720 grid): a whole face with its expression; smaller, eyes blur
FACE_SHARE = 0.78  # the chin ends at about 78% of a portrait's height: a name tag may cover what is below
PORTRAIT_OVERLAP = 0.8  # side by side, each portrait starts 80% of a portrait's width after the previous


def session_options(app, scenario, language: str) -> SessionOptions:
    """What the mode and settings mean for the engine (all of it is recorded in the log). A research
    run's protocol fixes them instead (ui/research.py)."""
    research = getattr(app, "research", None)
    if research is not None and research.current is not None:
        return research.session_options(scenario, language)
    scale = None if app.no_timers else app.settings.timer_scale
    workshop = app.mode == "workshop"
    return SessionOptions(timers=scale is not None and not workshop, timer_scale=scale or 1.0,
                          allow_undo=workshop, language=language,
                          shuffle=not getattr(app, "authored_order", False))


def officer_name(app) -> str | None:
    """The trainee's name for `{officer}` in scenario text (None for a guest: "(your name)" is shown)."""
    trainee = getattr(app, "trainee", None)
    return None if not trainee or trainee == "guest" else trainee


def geometry(app, split: float = TEXT_SPLIT) -> dict:
    """Rectangles of the scene for the current window and theme (shared with the art preloader).
    `split` is the text column's share of the width (narrower for a crowded timed decision)."""
    theme = app.theme
    w, h = app.surface.get_size()
    margin = theme.px(18)
    top_h = max(theme.px(64), round(app.fonts.get(theme.small).get_linesize() * 2.6 + theme.pad))
    timer_h = max(theme.px(26), app.fonts.get(theme.small).get_linesize() + theme.gap)
    body_top = top_h + timer_h + theme.gap
    left_w = round((w - 3 * margin) * split)
    left = pygame.Rect(margin, body_top, left_w, h - body_top - margin)
    right = pygame.Rect(left.right + margin, body_top, w - left.right - 2 * margin, h - body_top - margin)
    return {"top": pygame.Rect(0, 0, w, top_h), "timer": pygame.Rect(margin, top_h, w - 2 * margin, timer_h),
            "left": left, "right": right, "margin": margin}


def tag_height(app) -> int:
    """Height of a one-line name tag (small bold text on a pill)."""
    theme = app.theme
    return app.fonts.get(theme.small, True).get_linesize() + theme.gap


def portrait_height(app, count: int, share: float = PORTRAIT_SHARES[0], split: float = TEXT_SPLIT) -> int:
    """Portrait height for `count` people at `share` of the column (narrower columns shrink it), never
    below a size that shows a face with its name tag under the chin."""
    theme = app.theme
    left = geometry(app, split)["left"]
    height = round(left.height * share)
    if count:  # side by side, each overlapping the next by a fifth, all inside the column
        height = min(height, int(left.width / (PORTRAIT_ASPECT * (1 + PORTRAIT_OVERLAP * (count - 1)))))
    floor = max(theme.px(MIN_PORTRAIT), math.ceil((tag_height(app) + theme.gap // 2) / (1 - FACE_SHARE)))
    return max(40, height, floor)


def expressions_needed(scenario, node, character_id: str) -> set[str]:
    """Every expression character `character_id` can show at `node`: the staged one, else one per
    level its `expression_from` variable can take (plus "angry" for the subject at a threatening
    node), else calm."""
    staging = node.staging.get(character_id) if getattr(node, "staging", None) else None
    if staging is not None and staging.expression:
        return {staging.expression}
    character = scenario.characters.get(character_id)
    slot = getattr(character, "expression_slot", None)
    if character is None or slot is None:
        return {"calm"}
    variable = scenario.variables[slot]
    found = {expression_for(level) for level in range(variable.minimum, variable.maximum + 1)}
    if character.role == "subject" and node.shows in THREAT_BEHAVIOURS and node.toward != "self":
        found.add(expression_for(0, node.shows, node.toward))
    return found


def art_jobs(app, scenario) -> list:
    """Every background and portrait the scenario can show, at this window's size, as callables:
    each portrait at the sizes its scenes can give it and only in the expressions it can have there."""
    size = app.surface.get_size()
    jobs = []
    backgrounds = {n.background for n in scenario.nodes} | {e.background for e in scenario.endings}
    for background in sorted(b for b in backgrounds if b):
        jobs.append(lambda b=background: app.art.background(b, size))
    wanted: dict[tuple, None] = {}  # (height, folder, expression), in order: the largest sizes first
    for share in PORTRAIT_SHARES:
        for node in scenario.nodes:
            splits = TIMED_SPLITS if node.timer is not None else (TEXT_SPLIT, *WIDER_SPLITS)
            for split in splits:
                height = portrait_height(app, len(node.present), share, split)
                for person in node.present:
                    character = scenario.characters.get(person)
                    if character is None or not character.portrait:
                        continue
                    for expression in sorted(expressions_needed(scenario, node, person)):
                        wanted.setdefault((height, character.portrait, expression), None)
    for height, folder, expression in wanted:
        jobs.append(lambda f=folder, e=expression, hh=height: app.art.portrait(f, 0, hh, expression=e))
    return jobs


# --- the people on stage -----------------------------------------------------------------------------
PLACE_CAPTIONS = {"in-car": N_("in the car"), "on-phone": N_("on the phone")}
ELLIPSIS = "…"


class Figure(NamedTuple):
    """One present person as drawn: the portrait (index 0, for callers that only want the image), where
    it goes, the one-line name tag under the chin and, for someone not here, a badge above the head."""

    image: pygame.Surface
    rect: pygame.Rect
    tag: pygame.Surface
    tag_rect: pygame.Rect
    badge: pygame.Surface | None
    badge_rect: pygame.Rect | None
    name: str
    expression: str
    where: str


def ellipsize(font, text: str, width: int) -> str:
    """`text` on one line no wider than `width`, cut at the end with an ellipsis when it must be."""
    text = clean(text).replace("\n", " ").strip()
    if font.size(text)[0] <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if font.size(text[:mid].rstrip() + ELLIPSIS)[0] <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ELLIPSIS if low else ELLIPSIS


ARTICLES = frozenset({"the", "a", "an", "el", "la", "los", "las", "un", "una"})


def short_name(font, name: str, width: int, taken=()) -> str:
    """`name` on one line no wider than `width`: whole if it fits, else the first that fits and that
    no one else present goes by (`taken`) of the name without its leading words, one at a time ("Sam
    Reyes", "Reyes"), or of a description without its article ("Older driver"); else the whole name
    cut with an ellipsis ("Linh T…" when "Tran" is taken). The full name is in the scene's text."""
    name = clean(name).replace("\n", " ").strip()
    words = name.split()
    if len(words) > 1 and words[0].lower() in ARTICLES:
        # a description ("The older driver"): its last word alone ("driver") could be anyone, so
        # only the article goes ("Older driver"), then the ellipsis
        rest = " ".join(words[1:])
        candidates = [name, rest[:1].upper() + rest[1:]]
    else:  # a name: "Officer Sam Reyes", "Sam Reyes", "Reyes"
        candidates = [" ".join(words[i:]) for i in range(len(words))]
    for candidate in candidates:
        if candidate and candidate not in taken and font.size(candidate)[0] <= width:
            return candidate
    return ellipsize(font, candidates[1] if len(candidates) == 2 and words[0].lower() in ARTICLES else name, width)


def pill(app, text: str, width: int, icon: pygame.Surface | None = None, min_width: int = 0) -> pygame.Surface:
    """Small bold `text` (one line, ellipsized to fit `width`) on a dark pill, readable over any art;
    `icon` goes before the text; the pill is at least `min_width` wide."""
    theme, pal = app.theme, app.theme.palette
    font = app.fonts.get(theme.small, True)
    space = theme.gap // 2 if icon is not None and text else 0
    icon_w = icon.get_width() if icon is not None else 0
    room = max(1, width - 2 * theme.gap - icon_w - space)
    label = font.render(ellipsize(font, text, room), True, pal.text) if text else None
    height = tag_height(app)
    inner = icon_w + space + (label.get_width() if label is not None else 0)
    surface = pygame.Surface((max(min_width, inner + 2 * theme.gap), height), pygame.SRCALPHA)
    pygame.draw.rect(surface, pal.panel[:3] + (225,), surface.get_rect(), border_radius=theme.radius)
    if theme.high_contrast:
        pygame.draw.rect(surface, pal.panel_edge, surface.get_rect(), 1, border_radius=theme.radius)
    x = theme.gap
    if icon is not None:
        surface.blit(icon, icon.get_rect(midleft=(x, height // 2)))
        x += icon_w + space
    if label is not None:
        surface.blit(label, label.get_rect(midleft=(x, height // 2)))
    return surface


def place_badge(app, where: str, width: int, words: bool = True, min_width: int = 0) -> pygame.Surface | None:
    """The badge above someone who is not here: a drawn car or phone and "in the car" / "on the
    phone" (with `words`, when they fit `width` whole: they are never cut), else the icon alone; at
    least `min_width` wide (to reach over every head of a run of people in the same place)."""
    if where not in PLACE_CAPTIONS:
        return None
    theme, pal = app.theme, app.theme.palette
    size = tag_height(app) - theme.gap // 2
    icon = place_icon(where, size, pal.text, pal.panel[:3])
    caption = _(PLACE_CAPTIONS[where])
    font = app.fonts.get(theme.small, True)
    if words and font.size(caption)[0] + size + theme.gap // 2 + 2 * theme.gap <= width:
        return pill(app, caption, width, icon, min_width)
    return pill(app, "", width, icon, min_width)


def stage_people(app, view, node, column: pygame.Rect, bottom: int, height: int) -> list[Figure]:
    """Lay the present people out side by side, centred in `column`, portraits `height` px tall and
    standing on `bottom` (the text box's top). Each gets the expression `person_expression` gives
    (the node's `shows` counts for the subject only) and the name the trainee knows them by on a
    one-line tag over the chest. Neighbours in the same place (in the car, on the phone) share one
    badge above their heads."""
    theme, pal = app.theme, app.theme.palette
    people = view.people
    count = len(people)
    width = round(height * PORTRAIT_ASPECT)
    step = width * PORTRAIT_OVERLAP if count > 1 else width
    x = column.x + (column.width - (width + step * (count - 1) if count else 0)) / 2
    top = bottom - height
    shows, toward = (node.shows, node.toward) if node is not None else (None, None)
    initials_font = app.fonts.get(theme.heading, True)
    tag_font = app.fonts.get(theme.small, True)
    figures = []
    taken: set[str] = set()  # short names already on a tag, so two Trans do not both read "Tran"
    for person in people:
        expression = person_expression(person, shows, toward)
        image = app.art.portrait(person.portrait, 0, height, expression=expression)
        if image is None:
            image = initials_badge(person.name, height, (70, 84, 104), pal.text, initials_font)
        rect = pygame.Rect(round(x), top, width, height)
        own = round(step) - theme.gap  # the part of the portrait no neighbour covers
        label = short_name(tag_font, person.name, max(1, own - 2 * theme.gap), taken)
        taken.add(label)
        tag = pill(app, label, own)
        tag_rect = tag.get_rect(bottomleft=(rect.x + theme.gap // 2, rect.bottom - theme.gap // 2))
        figures.append(Figure(image, rect, tag, tag_rect, None, None, person.name, expression, person.where))
        x += step
    return _with_badges(app, figures, column)


def _with_badges(app, figures: list[Figure], column: pygame.Rect) -> list[Figure]:
    """One place badge per run of neighbours in the same place, above the run's first portrait. So
    that its words fit it may reach over the neighbours' heads (up to the next badge or the column's
    edge, sliding left if it must); where they still do not fit, the icon stands alone."""
    gap = app.theme.gap
    runs = []  # (first index, last index) of neighbours in the same place, other than here
    for i, figure in enumerate(figures):
        if figure.where not in PLACE_CAPTIONS:
            continue
        if runs and runs[-1][1] == i - 1 and figures[i - 1].where == figure.where:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    placed_end = column.x  # the right edge of the badge before, which the next must not cover
    for n, (first, last) in enumerate(runs):
        where = figures[first].where
        start = figures[first].rect.x + gap // 2
        limit = (figures[runs[n + 1][0]].rect.x if n + 1 < len(runs) else column.right) - gap // 2
        span = figures[last].rect.centerx + 2 * gap - start  # over every head of the run
        badge = place_badge(app, where, limit - placed_end, min_width=min(span, limit - start))
        x = max(placed_end, min(start, limit - badge.get_width()))  # slid left over a neighbour if need be
        if x + badge.get_width() > limit:
            badge = place_badge(app, where, 0, words=False)
            x = start
        rect = badge.get_rect(bottomleft=(x, figures[first].rect.top))
        figures[first] = figures[first]._replace(badge=badge, badge_rect=rect)
        placed_end = rect.right + gap
    return figures
