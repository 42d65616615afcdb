"""Where settings and records go on each platform, and the overrides that tests and users can set."""
from pathlib import Path

from simulator import paths


def test_overrides_then_xdg_then_platform(monkeypatch, tmp_path):
    monkeypatch.setenv("PARLEY_CONFIG_DIR", str(tmp_path / "c"))
    assert paths.config_dir() == tmp_path / "c"
    monkeypatch.delenv("PARLEY_CONFIG_DIR")
    monkeypatch.delenv("PARLEY_DATA_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert paths.config_dir() == tmp_path / "xdg" / "parley"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setattr(paths.sys, "platform", "linux")
    assert paths.config_dir() == Path.home() / ".config" / "parley"
    assert paths.data_dir() == Path.home() / ".local" / "share" / "parley"
    monkeypatch.setattr(paths.sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert paths.config_dir() == tmp_path / "Roaming" / "parley"
    assert paths.data_dir() == tmp_path / "Local" / "parley"
    monkeypatch.setattr(paths.sys, "platform", "darwin")
    assert paths.config_dir() == Path.home() / "Library" / "Application Support" / "parley"
