"""Backgrounds and portraits: SVG rendered at the exact window size once, cached, with drawn fallbacks.

Art is looked up as the scenario format says: first beside the scenario file (the folders of the
scenarios in the library that use that name, see `set_scenario_art`), then in Parley's bundled
`assets/`. Only a regular file inside one of those folders is read: symlinks are resolved and a path
that leads out of its folder (`..`, an absolute path, a symlink elsewhere) is refused, and so is a file
over MAX_ART_BYTES. Any failure gives the drawn fallback (a gradient, a silhouette), never an error.
"""
from __future__ import annotations

import io
import math
import os
import stat
import threading
from collections import OrderedDict
from pathlib import Path

import pygame

from ..paths import assets_dir
from .text import clean, render_text

# Each present person has their own expression (see `person_expression`): the scene's staging first,
# else the level of the character's `expression_from` variable (the subject's is distress: 0 calm ...
# 6 in crisis), else calm. A level is never drawn as anger: a frightened, overwhelmed or crying person
# looks upset, not angry. The "angry" art is kept for what the person does, not how they feel: only the
# subject, and only at a node that `shows` an assault or a threat to life toward someone else (a
# threat to themselves is a crisis, drawn as distress), or where a scenario stages it.
EXPRESSIONS = ("calm", "anxious", "anxious", "upset", "upset", "upset", "upset")
THREAT_EXPRESSION = "angry"
THREAT_BEHAVIOURS = frozenset({"assaultive", "life-threatening"})
STAGED_EXPRESSIONS = frozenset({"calm", "anxious", "upset", "angry"})  # the engine model's EXPRESSIONS
PORTRAIT_ASPECT = 600 / 800
CACHE_BUDGET_BYTES = 256 * 1024 * 1024
MAX_ART_BYTES = 4 * 1024 * 1024  # the largest bundled SVG is 43 KB

# Art names (a background's path, a portrait's folder) -> the folders of the scenarios that use them,
# in library order (a scenario given on the command line first). Set by the catalog once it has loaded.
_scenario_art: dict[str, tuple[Path, ...]] = {}
_scenario_art_version = 0
_lock = threading.Lock()


def scenario_art_names(scenario) -> set[str]:
    """The art names a scenario model uses: its backgrounds and its characters' portrait folders."""
    names = {n.background for n in scenario.nodes} | {e.background for e in scenario.endings}
    names |= {c.portrait for c in scenario.characters.values()}
    return {n for n in names if isinstance(n, str) and n}


def set_scenario_art(folders_by_name: dict[str, list[Path]]) -> None:
    """Which scenario folders to search first for each art name (replaces what was set before)."""
    global _scenario_art, _scenario_art_version
    with _lock:
        _scenario_art = {name: tuple(dict.fromkeys(Path(f) for f in folders)) for name, folders in folders_by_name.items()}
        _scenario_art_version += 1


def register_scenarios(scenarios_and_paths) -> None:
    """`set_scenario_art` for (scenario model, scenario file path) pairs, in order."""
    found: dict[str, list[Path]] = {}
    for scenario, path in scenarios_and_paths:
        try:
            folder = Path(path).parent
            for name in scenario_art_names(scenario):
                found.setdefault(name, []).append(folder)
        except (AttributeError, TypeError, ValueError):
            continue
    set_scenario_art(found)


def _folder_of(base) -> Path | None:
    """The folder a `base` argument names: a folder, a scenario file's folder, or a scenario model's."""
    if base is None:
        return None
    try:
        source = getattr(base, "source", None)
        if isinstance(source, str) and source:
            return Path(source).parent
        path = Path(base)
    except (TypeError, ValueError):
        return None
    try:
        return path.parent if path.is_file() else path
    except (OSError, ValueError):
        return path


def safe_file(folder: Path, relative: str) -> tuple[Path | None, str]:
    """(the file `relative` names inside `folder`, "") when it is a regular file there of at most
    MAX_ART_BYTES after resolving symlinks; otherwise (None, why not)."""
    if not isinstance(relative, str) or not relative or len(relative) > 1024 or "\0" in relative:
        return None, "not a valid file name"
    try:
        base = Path(folder).resolve(strict=True)
        path = (base / relative).resolve(strict=True)
    except FileNotFoundError:
        return None, "not found"
    except (OSError, ValueError, RuntimeError) as exc:
        return None, f"cannot be resolved ({exc})"
    if base not in path.parents:
        return None, "leads out of its folder"
    try:
        info = path.stat()
    except OSError as exc:
        return None, str(exc)
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file"
    if info.st_size > MAX_ART_BYTES:
        return None, f"larger than {MAX_ART_BYTES // (1024 * 1024)} MB"
    return path, ""


def read_capped(path: Path) -> bytes:
    """The bytes of a regular file (checked again once open, not following a symlink swapped in),
    refusing more than MAX_ART_BYTES."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError("not a regular file")
        data = handle.read(MAX_ART_BYTES + 1)
    if len(data) > MAX_ART_BYTES:
        raise OSError(f"larger than {MAX_ART_BYTES // (1024 * 1024)} MB")
    return data


def _size_of(surface: pygame.Surface | None) -> int:
    return 0 if surface is None else surface.get_width() * surface.get_height() * surface.get_bytesize()


def expression_for(level: int, shows: str | None = None, toward: str | None = None) -> str:
    """Portrait expression for distress `level`: 0 calm, 1-2 anxious, 3-6 upset. "angry" only when
    `shows` (what the person is doing at this node) is assaultive or life-threatening and `toward` is
    not "self"; pass `shows` for the subject only."""
    if shows in THREAT_BEHAVIOURS and toward != "self":
        return THREAT_EXPRESSION
    return EXPRESSIONS[max(0, min(len(EXPRESSIONS) - 1, level))]


def person_expression(person, shows: str | None = None, toward: str | None = None) -> str:
    """The expression of one present person (a session `PersonView`): the scene's staged expression
    wins; else, for the subject only, "angry" where the node `shows` a threat toward someone else; else
    `expression_for` their level; else (no `expression_from` variable) calm. Nobody else's distress
    changes a person's face: the partner officer does not follow the subject."""
    staged = getattr(person, "expression", None)
    if staged in STAGED_EXPRESSIONS:
        return staged
    level = getattr(person, "level", None)
    if getattr(person, "role", None) == "subject":
        return expression_for(level or 0, shows, toward)
    return "calm" if level is None else expression_for(level)


class ArtCache:
    """Rendered art keyed by (file, size); SVG is rasterised at the size shown, so it is sharp at 4K.

    The cache keeps the most recently used images within a byte budget: a 4K window's portraits
    at three sizes and four expressions would otherwise hold hundreds of megabytes.

    Every lookup searches a scenario's own folder first, then `root` (Parley's bundled assets): the
    folder given as `base`, else the folders of the library's scenarios that use that art name.
    """

    def __init__(self, root: Path | None = None, budget_bytes: int = CACHE_BUDGET_BYTES, base=None):
        self.root = root or assets_dir()
        self.base = base  # a default scenario folder (or scenario, or scenario file) for every lookup
        self.budget = budget_bytes
        self.bytes = 0
        self._cache: OrderedDict[tuple, pygame.Surface | None] = OrderedDict()
        self._located: dict[tuple, tuple[Path | None, str]] = {}
        self._located_version = -1
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

    def folders(self, name: str, base: Path | str | None = None) -> list[Path]:
        """Where art called `name` is searched, in order: the scenario's folder(s), then the assets.

        `base` (else the cache's own `base`) is a scenario's folder, its file, or the scenario model
        itself (its `source` names the file); without one, the library's scenarios that use `name`."""
        base = _folder_of(base if base is not None else self.base)
        if base is not None:
            first = [base]
        else:
            with _lock:
                first = list(_scenario_art.get(name, ()))
        return first + [self.root]

    def locate(self, relative: str, name: str | None = None, base: Path | str | None = None) -> tuple[Path | None, str]:
        """The file for `relative` (art name `name`, default `relative`): (path, "") or (None, why)."""
        if not isinstance(relative, str) or not (name is None or isinstance(name, str)):
            return None, "not a valid file name"
        with _lock:
            version = _scenario_art_version
        if version != self._located_version:
            self._located.clear()
            self._located_version = version
        chosen = _folder_of(base if base is not None else self.base)
        key = (relative, name, None if chosen is None else str(chosen))
        hit = self._located.get(key)
        if hit is not None:
            return hit
        why = "not found"
        found: tuple[Path | None, str] = (None, "")
        try:
            folders = self.folders(name or relative, chosen)
            for folder in folders:
                path, reason = safe_file(folder, relative)
                if path is not None:
                    found = (path, "")
                    break
                if reason != "not found":
                    why = reason
            else:
                found = (None, f"{why} under {' or '.join(str(f) for f in folders)}")
        except Exception as exc:  # noqa: BLE001 - art is optional: any problem means the drawn fallback
            found = (None, f"{type(exc).__name__}: {exc}")
        if len(self._located) > 4096:
            self._located.clear()
        self._located[key] = found
        return found

    def _render(self, relative: str, size: tuple[int, int], name: str | None = None,
                base: Path | str | None = None) -> pygame.Surface | None:
        """Rasterise an SVG found by `locate` at `size`; None (and a recorded failure) otherwise."""
        path, why = self.locate(relative, name, base)
        if path is None:
            self.failures.append(f"{relative}: {why}")
            return None
        try:
            data = read_capped(path)
            return pygame.image.load_sized_svg(io.BytesIO(data), size).convert_alpha()
        except Exception as exc:  # noqa: BLE001 - a broken or hostile file is drawn as the fallback
            self.failures.append(f"{relative}: {type(exc).__name__}: {exc}")
        return None

    def _svg(self, relative: str, size: tuple[int, int], name: str | None = None,
             base: Path | str | None = None) -> pygame.Surface | None:
        path, _why = self.locate(relative, name, base)
        key = ("svg", relative, size, str(path) if path is not None else None)
        found, surface = self._lookup(key)
        if not found:
            surface = self._render(relative, size, name, base)
            self._store(key, surface)
        return surface

    def background(self, relative: str | None, size: tuple[int, int], base: Path | str | None = None) -> pygame.Surface:
        """A background covering `size` (cropped to fill, never stretched); a drawn dusk sky when missing.

        `base`: the scenario's folder, searched before the bundled assets (default: the folders of the
        library's scenarios that use this background)."""
        if not isinstance(relative, str):
            relative = None
        located = self.locate(relative, None, base)[0] if relative else None
        key = ("background", relative, size, str(located) if located is not None else None)
        found, result = self._lookup(key)
        if found:
            return result
        result = pygame.Surface(size).convert()
        gradient(result, (18, 30, 52), (52, 70, 96))
        if relative:
            w, h = size
            scale = max(w / 1920, h / 1080)  # backgrounds are drawn on a 1920x1080 canvas
            art = self._render(relative, (math.ceil(1920 * scale), math.ceil(1080 * scale)), None, base)
            if art is not None:
                result.blit(art, ((w - art.get_width()) // 2, (h - art.get_height()) // 2))
        self._store(key, result)
        return result

    def portrait(self, folder: str | None, level: int, height: int, base: Path | str | None = None,
                 shows: str | None = None, toward: str | None = None,
                 expression: str | None = None) -> pygame.Surface | None:
        """The portrait for a character folder at `height` px, or None. Its expression is `expression`
        when given (see `person_expression`), else the one for `level` (and, for the subject, what the
        node `shows` and `toward` whom: see `expression_for`).

        `base`: as for `background`; the portrait folder is looked up as one name."""
        if not folder or not isinstance(folder, str):
            return None
        width = round(height * PORTRAIT_ASPECT)
        if expression not in STAGED_EXPRESSIONS:
            expression = expression_for(level, shows, toward)
        return self._svg(f"{folder}/{expression}.svg", (width, height), folder, base)


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
    initials = "".join(part[0] for part in clean(name).split()[:2]).upper().strip() or "?"
    label = render_text(font, initials, True, text_colour)
    surf.blit(label, label.get_rect(center=(cx, round(height * 0.4))))
    return surf


def place_icon(where: str, size: int, colour: tuple, background: tuple) -> pygame.Surface:
    """A round badge for where a person is: a car ("in-car") or a phone handset ("on-phone"), drawn
    in code in two flat colours so it reads at any size and in high contrast."""
    surf = pygame.Surface((size, size), pygame.SRCALPHA)
    r = size / 2
    pygame.draw.circle(surf, background, (r, r), r)
    pygame.draw.circle(surf, colour, (r, r), r, max(1, size // 14))
    s = size / 24  # the icons are drawn on a 24-unit grid
    if where == "in-car":  # body, cabin with a window, two wheels
        pygame.draw.rect(surf, colour, (5 * s, 11 * s, 14 * s, 5 * s), border_radius=max(1, round(s)))
        pygame.draw.polygon(surf, colour, [(7.5 * s, 11 * s), (9.5 * s, 7 * s), (14.5 * s, 7 * s), (16.5 * s, 11 * s)])
        pygame.draw.polygon(surf, background, [(9 * s, 10.5 * s), (10.3 * s, 8.2 * s), (13.7 * s, 8.2 * s),
                                               (15 * s, 10.5 * s)])
        for cx in (8.5 * s, 15.5 * s):
            pygame.draw.circle(surf, colour, (cx, 16.5 * s), 2.2 * s)
            pygame.draw.circle(surf, background, (cx, 16.5 * s), 0.9 * s)
    elif where == "on-phone":  # a mobile phone: outline, screen, a button
        body = pygame.Rect(round(8 * s), round(4 * s), round(8 * s), round(16 * s))
        pygame.draw.rect(surf, colour, body, border_radius=max(1, round(1.6 * s)))
        pygame.draw.rect(surf, background, body.inflate(-round(2.4 * s), -round(5.5 * s)).move(0, -round(0.4 * s)))
        pygame.draw.circle(surf, background, (body.centerx, body.bottom - 1.5 * s), max(1, 0.9 * s))
    return surf
