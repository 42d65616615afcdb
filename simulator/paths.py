"""Where Parley's bundled scenarios, schema and assets live, in a checkout or an installed wheel."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _data_dir(repo_name: str, package: str) -> Path:
    """`repo_name` beside the package in a checkout or editable install, else the installed copy."""
    candidate = _ROOT / repo_name
    if candidate.is_dir():
        return candidate
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return candidate


def scenarios_dir() -> Path:
    """The folder of bundled scenarios and scenario.schema.json."""
    return _data_dir("scenarios", "parley_scenarios")


def assets_dir() -> Path:
    """The folder of bundled art (backgrounds/, portraits/) and its licence."""
    return _data_dir("assets", "parley_assets")


def cache_dir() -> Path:
    """Where compiled-scenario caches go: $PARLEY_CACHE_DIR, else the user's cache folder."""
    if os.environ.get("PARLEY_CACHE_DIR"):
        return Path(os.environ["PARLEY_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "parley"


def _user_dir(override: str, xdg: str, fallback: str, windows: str) -> Path:
    if os.environ.get(override):
        return Path(os.environ[override])
    if os.environ.get(xdg):
        return Path(os.environ[xdg]) / "parley"
    if sys.platform == "win32" and os.environ.get(windows):
        return Path(os.environ[windows]) / "parley"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "parley"
    return Path.home() / fallback / "parley"


def config_dir() -> Path:
    """Where settings persist: $PARLEY_CONFIG_DIR, else $XDG_CONFIG_HOME/parley, else the platform's
    folder (~/.config/parley on Linux, %APPDATA%\\parley on Windows, ~/Library/Application Support/parley
    on macOS)."""
    return _user_dir("PARLEY_CONFIG_DIR", "XDG_CONFIG_HOME", ".config", "APPDATA")


def data_dir() -> Path:
    """Where session records go: $PARLEY_DATA_DIR, else $XDG_DATA_HOME/parley, else the platform's
    folder (~/.local/share/parley on Linux, %LOCALAPPDATA%\\parley on Windows, as config on macOS)."""
    return _user_dir("PARLEY_DATA_DIR", "XDG_DATA_HOME", ".local/share", "LOCALAPPDATA")
