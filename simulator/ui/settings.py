"""The window's settings: what they can be, and how they persist as JSON in the user's config folder."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

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
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value))
    if name == "language":
        return value is None or (isinstance(value, str) and 0 < len(value) <= 16)
    if name == "recent_trainees":
        return isinstance(value, list) and all(isinstance(v, str) and len(v) <= 64 for v in value)
    return False


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Read settings; unknown keys and bad values fall back to defaults, each with a warning."""
    path = path or settings_path()
    settings, warnings = Settings(), []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings, warnings
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return settings, [f"{path}: could not read settings ({exc}); using defaults"]
    if not isinstance(raw, dict):
        return settings, [f"{path}: settings should be a JSON object; using defaults"]
    names = {f.name for f in fields(Settings)}
    for key, value in raw.items():
        if key not in names:
            warnings.append(f"{path}: unknown setting {key!r} ignored")
        elif not _valid(key, value):
            warnings.append(f"{path}: setting {key!r} has an invalid value {value!r}; using the default")
        else:
            setattr(settings, key, value)
    settings.window_size = list(clamp_size(*settings.window_size))
    return settings, warnings


def save_settings(settings: Settings, path: Path | None = None) -> str | None:
    """Write settings atomically (a crash mid-write never leaves a half file); returns an error or None."""
    path = path or settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(settings.to_json(), handle, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except OSError as exc:
        return f"could not save settings to {path}: {exc}"
    return None
