"""How a scene is staged in this window: its rectangles, portrait sizes, the art it needs and the
session options the mode and settings give. Shared by the briefing (which preloads the art) and the
scene, so that neither screen imports the other."""
from __future__ import annotations

import pygame

from ..engine.session import SessionOptions

# Portrait heights as shares of the left column. A scene with more text uses a smaller size, so the
# text box can grow while every face stays visible above it.
PORTRAIT_SHARES = (0.66, 0.52, 0.40)
FACE_SHARE = 0.6  # eyes, brows and mouth (the expression) end at about 60% of a portrait's height


def session_options(app, scenario, language: str) -> SessionOptions:
    """What the mode and settings mean for the engine (all of it is recorded in the log)."""
    scale = None if app.no_timers else app.settings.timer_scale
    workshop = app.mode == "workshop"
    return SessionOptions(timers=scale is not None and not workshop, timer_scale=scale or 1.0,
                          allow_undo=workshop, language=language,
                          shuffle=not getattr(app, "authored_order", False))


def geometry(app) -> dict:
    """Rectangles of the scene for the current window and theme (shared with the art preloader)."""
    theme = app.theme
    w, h = app.surface.get_size()
    margin = theme.px(18)
    top_h = max(theme.px(64), round(app.fonts.get(theme.small).get_linesize() * 2.6 + theme.pad))
    timer_h = max(theme.px(26), app.fonts.get(theme.small).get_linesize() + theme.gap)
    body_top = top_h + timer_h + theme.gap
    left_w = round((w - 3 * margin) * 0.58)
    left = pygame.Rect(margin, body_top, left_w, h - body_top - margin)
    right = pygame.Rect(left.right + margin, body_top, w - left.right - 2 * margin, h - body_top - margin)
    return {"top": pygame.Rect(0, 0, w, top_h), "timer": pygame.Rect(margin, top_h, w - 2 * margin, timer_h),
            "left": left, "right": right, "margin": margin}


def portrait_height(app, count: int, share: float = PORTRAIT_SHARES[0]) -> int:
    """Portrait height for `count` people at `share` of the column (narrower columns shrink it)."""
    left = geometry(app)["left"]
    height = round(left.height * share)
    if count:  # side by side, each overlapping the next by a fifth, all inside the column
        height = min(height, int(left.width / (0.75 * (1 + 0.8 * (count - 1)))))
    return max(40, height)


def art_jobs(app, scenario) -> list:
    """Every background and portrait the scenario can show, at this window's size, as callables."""
    size = app.surface.get_size()
    jobs = []
    backgrounds = {n.background for n in scenario.nodes} | {e.background for e in scenario.endings}
    for background in sorted(b for b in backgrounds if b):
        jobs.append(lambda b=background: app.art.background(b, size))
    heights = {}
    for share in PORTRAIT_SHARES:  # the largest size first: it is the one most scenes use
        for node in scenario.nodes:
            heights.setdefault(portrait_height(app, len(node.present), share), set()).update(node.present)
    for height, people in heights.items():
        for person in sorted(people):
            folder = scenario.characters[person].portrait if person in scenario.characters else None
            for level in (0, 1, 3, 5):
                jobs.append(lambda f=folder, lv=level, hh=height: app.art.portrait(f, lv, hh))
    return jobs
