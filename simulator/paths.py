"""Where Parley's bundled scenarios, schema and assets live, in a checkout or an installed wheel."""
from __future__ import annotations

import importlib.util
import os
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


def _user_dir(override: str, kind: str) -> Path:
    """$`override` when set, else the platform's folder for `kind` from platformdirs (XDG on Linux,
    honouring $XDG_*_HOME; %APPDATA% or %LOCALAPPDATA% on Windows; ~/Library on macOS)."""
    if os.environ.get(override):
        return Path(os.environ[override])
    import platformdirs
    if kind == "config":  # roaming on Windows, as settings follow the user
        return Path(platformdirs.user_config_dir("parley", appauthor=False, roaming=True))
    if kind == "cache":
        return Path(platformdirs.user_cache_dir("parley", appauthor=False))
    return Path(platformdirs.user_data_dir("parley", appauthor=False))


def cache_dir() -> Path:
    """Where compiled-scenario caches go: $PARLEY_CACHE_DIR, else the user's cache folder."""
    return _user_dir("PARLEY_CACHE_DIR", "cache")


def config_dir() -> Path:
    """Where settings persist: $PARLEY_CONFIG_DIR, else the platform's folder (~/.config/parley on
    Linux, %APPDATA%\\parley on Windows, ~/Library/Application Support/parley on macOS)."""
    return _user_dir("PARLEY_CONFIG_DIR", "config")


def data_dir() -> Path:
    """Where training records go (parley.db, record files, reports): $PARLEY_DATA_DIR, else the
    platform's folder (~/.local/share/parley on Linux, %LOCALAPPDATA%\\parley on Windows,
    ~/Library/Application Support/parley on macOS)."""
    return _user_dir("PARLEY_DATA_DIR", "data")
