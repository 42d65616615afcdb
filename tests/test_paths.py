"""Where settings, records and caches go on each platform (platformdirs), and the PARLEY_* overrides."""
from pathlib import Path

import platformdirs

from simulator import paths


def test_overrides_win_over_everything(monkeypatch, tmp_path):
    for name, folder in (("PARLEY_CONFIG_DIR", paths.config_dir), ("PARLEY_DATA_DIR", paths.data_dir),
                         ("PARLEY_CACHE_DIR", paths.cache_dir)):
        monkeypatch.setenv(name, str(tmp_path / name))
        assert folder() == tmp_path / name


def test_xdg_folders_on_linux(monkeypatch, tmp_path):
    for name in ("PARLEY_CONFIG_DIR", "PARLEY_DATA_DIR", "PARLEY_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    if platformdirs.PlatformDirs.__name__ == "Unix":
        assert paths.config_dir() == tmp_path / "config" / "parley"
        assert paths.data_dir() == tmp_path / "data" / "parley"
        assert paths.cache_dir() == tmp_path / "cache" / "parley"
        monkeypatch.delenv("XDG_CONFIG_HOME")
        monkeypatch.delenv("XDG_DATA_HOME")
        assert paths.config_dir() == Path.home() / ".config" / "parley"
        assert paths.data_dir() == Path.home() / ".local" / "share" / "parley"


def test_platform_folders_are_asked_with_the_right_arguments(monkeypatch):
    """Settings roam on Windows (%APPDATA%), records stay local (%LOCALAPPDATA%); no author folder."""
    asked = []
    for name in ("user_config_dir", "user_data_dir", "user_cache_dir"):
        monkeypatch.setattr(platformdirs, name, lambda *a, _n=name, **k: asked.append((_n, a, k)) or "/x")
    for name in ("PARLEY_CONFIG_DIR", "PARLEY_DATA_DIR", "PARLEY_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    paths.config_dir(), paths.data_dir(), paths.cache_dir()
    assert asked == [("user_config_dir", ("parley",), {"appauthor": False, "roaming": True}),
                     ("user_data_dir", ("parley",), {"appauthor": False}),
                     ("user_cache_dir", ("parley",), {"appauthor": False})]
