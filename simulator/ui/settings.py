"""The window's settings: what they can be, and how they persist as JSON in the user's config folder."""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..files import write_atomically
from ..paths import config_dir

TEXT_SIZES = ("small", "medium", "large", "largest")
TEXT_SCALE = {"small": 0.86, "medium": 1.0, "large": 1.18, "largest": 1.38}
TIMER_MODES = ("off", "x1", "x1.5", "x2")
TIMER_SCALE = {"off": None, "x1": 1.0, "x1.5": 1.5, "x2": 2.0}
MODES = ("academy", "in-service", "workshop")
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
    recent_trainees: list = field(default_factory=list)

    @property
    def text_scale(self) -> float:
        return TEXT_SCALE[self.text_size]

    @property
    def timer_scale(self) -> float | None:
        """The factor decision timers are stretched by, or None when timers are off."""
        return TIMER_SCALE[self.timers]

    def remember_trainee(self, name: str) -> None:
        """Put `name` first in the recent-trainees list (shown on the who-is-training screen)."""
        if not name:
            return
        rest = [n for n in self.recent_trainees if n != name]
        self.recent_trainees = [name] + rest[:RECENT_TRAINEES - 1]

    def to_json(self) -> dict:
        return asdict(self)


def clamp_size(width: int, height: int) -> tuple[int, int]:
    """A window size within the supported range, 1280x720 to 3840x2160."""
    return (max(MIN_SIZE[0], min(MAX_SIZE[0], int(width))), max(MIN_SIZE[1], min(MAX_SIZE[1], int(height))))


def _valid(name: str, value) -> bool:
    choices = {"text_size": TEXT_SIZES, "timers": TIMER_MODES}
    if name in choices:
        return value in choices[name]
    if name in ("high_contrast", "reduced_motion", "fullscreen", "sound", "show_meter_in_service"):
        return isinstance(value, bool)
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
        return Settings(), [f"{path or 'settings'}: could not read settings ({type(exc).__name__}); using defaults"]


def _load_settings(path: Path) -> tuple[Settings, list[str]]:
    settings, warnings = Settings(), []
    try:
        raw_bytes = _read_limited(path)
    except (OSError, ValueError) as exc:
        return settings, [f"{path}: could not read settings ({exc}); using defaults"]
    if raw_bytes is None:
        return settings, warnings
    if len(raw_bytes) > MAX_SETTINGS_BYTES:
        return settings, [f"{path}: settings file is larger than {MAX_SETTINGS_BYTES // 1024} KB; using defaults"]
    try:
        raw = json.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else _short(str(exc))
        return settings, [f"{path}: could not read settings ({why}); using defaults"]
    if not isinstance(raw, dict):
        return settings, [f"{path}: settings should be a JSON object; using defaults"]
    names = {f.name for f in fields(Settings)}
    for key, value in raw.items():
        if key not in names:
            warnings.append(f"{path}: unknown setting {_short(key)} ignored")
        elif key == "recent_trainees" and isinstance(value, list) and not _valid(key, value):
            kept = [v for v in value if _valid_name(v)][:RECENT_TRAINEES]
            settings.recent_trainees = list(dict.fromkeys(kept))
            warnings.append(f"{path}: {len(value) - len(kept)} of the recent trainees were not valid names; "
                            "they were left out")
        elif not _valid(key, value):
            warnings.append(f"{path}: setting {key!r} has an invalid value {_short(value)}; using the default")
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
        return f"could not save settings to {path}: {exc}"
    return None
