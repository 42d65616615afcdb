"""The window's settings: what they can be, and how they persist as JSON in the user's config folder."""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..files import write_atomically
from ..i18n import LANGUAGES, _, ngettext
from ..paths import config_dir

TEXT_SIZES = ("small", "medium", "large", "largest")
TEXT_SCALE = {"small": 0.86, "medium": 1.0, "large": 1.18, "largest": 1.38}
TIMER_MODES = ("off", "x1", "x1.5", "x2")
TIMER_SCALE = {"off": None, "x1": 1.0, "x1.5": 1.5, "x2": 2.0}
MODES = ("academy", "in-service", "workshop", "operated")
FONT_FACES = ("standard", "dyslexia")  # DejaVu Sans, or OpenDyslexic (see text.py)
LINE_SPACINGS = ("normal", "wide")
LINE_GAP = {"normal": 0.22, "wide": 0.5}  # extra space between lines, as a share of the text size
MIN_SIZE = (1280, 720)
MAX_SIZE = (3840, 2160)
SETTINGS_FILE = "settings.json"
RECENT_TRAINEES = 6
MAX_SETTINGS_BYTES = 64 * 1024  # a settings file is a few hundred bytes; anything over this is not read
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,3}\Z")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass
class Settings:
    """Everything the trainee or instructor can change; saved after every change."""

    text_size: str = "medium"
    high_contrast: bool = False
    timers: str = "x1"
    reduced_motion: bool = False
    fullscreen: bool = False
    window_size: list = field(default_factory=lambda: [1280, 720])
    language: str | None = None  # preferred scenario language; None follows each scenario's default
    sound: bool = True
    show_meter_in_service: bool = False  # in-service mode hides the meter unless this is on
    # Off by default: a training station is shared, and the next person must not be offered (or see)
    # the last trainee's name. Switching it off forgets every stored name.
    remember_names: bool = False
    recent_trainees: list = field(default_factory=list)
    instructor_details: bool = False  # a scenario's review status and authoring details, for instructors
    self_voicing: bool = False  # read focus changes and screen text aloud (voice.py)
    captions: bool = False  # show a caption for every sound cue (for Deaf and hard-of-hearing trainees)
    font: str = "standard"
    line_spacing: str = "normal"
    interface_language: str | None = None  # the interface's own words; None follows the system

    @property
    def line_gap(self) -> float:
        """Space between lines as a share of the text size (wider for the "wide" line spacing)."""
        return LINE_GAP[self.line_spacing]

    @property
    def text_scale(self) -> float:
        return TEXT_SCALE[self.text_size]

    @property
    def timer_scale(self) -> float | None:
        """The factor decision timers are stretched by, or None when timers are off."""
        return TIMER_SCALE[self.timers]

    def remember_trainee(self, name: str) -> None:
        """Put `name` first in the recent-trainees list (shown on the who-is-training screen); does
        nothing unless `remember_names` is on."""
        if not name or not self.remember_names:
            return
        rest = [n for n in self.recent_trainees if n != name]
        self.recent_trainees = [name] + rest[:RECENT_TRAINEES - 1]

    def forget_trainee(self, name: str) -> None:
        """Remove `name` from the recent-trainees list ("Forget me")."""
        self.recent_trainees = [n for n in self.recent_trainees if n != name]

    def set_remember_names(self, on: bool) -> None:
        """Turn remembering names on or off; off forgets every stored name at once."""
        self.remember_names = bool(on)
        if not self.remember_names:
            self.recent_trainees = []

    def to_json(self) -> dict:
        """The settings as JSON data; names are never written while remembering them is off."""
        data = asdict(self)
        if not self.remember_names:
            data["recent_trainees"] = []
        return data


def clamp_size(width: int, height: int, limit: tuple[int, int] | None = None) -> tuple[int, int]:
    """A window size within the supported range, 1280x720 to 3840x2160, and no larger than `limit`
    (the display's size, when known). The minimum wins over a display smaller than it."""
    top_w, top_h = MAX_SIZE
    if limit is not None:
        top_w, top_h = min(top_w, int(limit[0])), min(top_h, int(limit[1]))
    return (max(MIN_SIZE[0], min(top_w, int(width))), max(MIN_SIZE[1], min(top_h, int(height))))


_FLAGS = ("high_contrast", "reduced_motion", "fullscreen", "sound", "show_meter_in_service", "remember_names",
          "instructor_details", "self_voicing", "captions")


def _valid(name: str, value) -> bool:
    choices = {"text_size": TEXT_SIZES, "timers": TIMER_MODES, "font": FONT_FACES, "line_spacing": LINE_SPACINGS}
    if name in choices:
        return isinstance(value, str) and value in choices[name]
    if name in _FLAGS:
        return isinstance(value, bool)
    if name == "interface_language":
        return value is None or (isinstance(value, str) and value in LANGUAGES)
    if name == "window_size":
        return (isinstance(value, list) and len(value) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 100_000 for v in value))
    if name == "language":
        return value is None or (isinstance(value, str) and _LANGUAGE.match(value) is not None)
    if name == "recent_trainees":
        return (isinstance(value, list) and len(value) <= RECENT_TRAINEES
                and all(_valid_name(v) for v in value))
    return False


def _valid_name(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64 and not _CONTROL.search(value)


def _short(value) -> str:
    """A bounded repr for warnings (a bad value can be 60 KB of nested lists)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - e.g. an int too long to print, or nesting too deep
        return f"<{type(value).__name__}>"
    return text if len(text) <= 80 else text[:79] + "\u2026"


def _read_limited(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist. Only a regular file is read (a FIFO would
    block the window), and never more than MAX_SETTINGS_BYTES + 1 bytes."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise OSError("not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError("not a regular file")
        return handle.read(MAX_SETTINGS_BYTES + 1)


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Read settings; unknown keys and bad values fall back to defaults, each with a warning.

    Never raises: a file that cannot be read or parsed (too large, not UTF-8, not JSON, numbers too
    long to convert, nesting too deep, not a regular file...) gives the defaults and one warning."""
    try:
        return _load_settings(path or settings_path())
    except Exception as exc:  # noqa: BLE001 - settings must never stop the window from opening
        return Settings(), [_("{path}: could not read settings ({why}); using defaults").format(
            path=path or "settings", why=type(exc).__name__)]


def _load_settings(path: Path) -> tuple[Settings, list[str]]:
    settings, warnings = Settings(), []
    try:
        raw_bytes = _read_limited(path)
    except (OSError, ValueError) as exc:
        return settings, [_("{path}: could not read settings ({why}); using defaults").format(path=path, why=exc)]
    if raw_bytes is None:
        return settings, warnings
    if len(raw_bytes) > MAX_SETTINGS_BYTES:
        return settings, [_("{path}: settings file is larger than {size} KB; using defaults").format(
            path=path, size=MAX_SETTINGS_BYTES // 1024)]
    try:
        raw = json.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as exc:
        why = _("nested too deeply") if isinstance(exc, RecursionError) else _short(str(exc))
        return settings, [_("{path}: could not read settings ({why}); using defaults").format(path=path, why=why)]
    if not isinstance(raw, dict):
        return settings, [_("{path}: settings should be a JSON object; using defaults").format(path=path)]
    names = {f.name for f in fields(Settings)}
    for key, value in raw.items():
        if key not in names:
            warnings.append(_("{path}: unknown setting {name} ignored").format(path=path, name=_short(key)))
        elif key == "recent_trainees" and isinstance(value, list) and not _valid(key, value):
            kept = [v for v in value if _valid_name(v)][:RECENT_TRAINEES]
            settings.recent_trainees = list(dict.fromkeys(kept))
            dropped = len(value) - len(kept)
            warnings.append(ngettext("{path}: {count} of the recent trainees was not a valid name; it was left out",
                                     "{path}: {count} of the recent trainees were not valid names; they were left out",
                                     dropped).format(path=path, count=dropped))
        elif not _valid(key, value):
            warnings.append(_("{path}: setting {name} has an invalid value {value}; using the default").format(
                path=path, name=repr(key), value=_short(value)))
        else:
            setattr(settings, key, list(value) if isinstance(value, list) else value)
    settings.window_size = list(clamp_size(*settings.window_size))
    return settings, warnings


def save_settings(settings: Settings, path: Path | None = None) -> str | None:
    """Write settings atomically (a crash mid-write never leaves a half file); returns an error or None."""
    path = path or settings_path()
    try:
        text = json.dumps(settings.to_json(), indent=2, sort_keys=True, allow_nan=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text.encode("utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        return _("could not save settings to {path}: {why}").format(path=path, why=exc)
    return None
