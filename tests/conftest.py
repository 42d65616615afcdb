"""Shared fixtures: paths to the bundled and test scenarios, and a loader that must succeed."""
import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI (CI=true) runs the property tests derandomised, so a submission is judged on a fixed set of
# examples; local runs explore new random examples each time, which is how new bugs are found.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# The interface's language follows the system's (simulator/i18n.py); tests read English words, so
# they must not depend on the machine's locale. Tests of Spanish choose it themselves.
os.environ["PARLEY_LANG"] = "en"
os.environ["LANGUAGE"] = "en"

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Keep caches and settings out of the user's home during tests."""
    monkeypatch.setenv("PARLEY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PARLEY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PARLEY_DATA_DIR", str(tmp_path / "data"))


def load_ok(path):
    from simulator.content.loader import load_scenario
    result = load_scenario(path, use_cache=False)
    assert result.scenario is not None, "\n".join(d.format() for d in result.diagnostics)
    return result.scenario


@pytest.fixture(scope="session")
def minimal():
    return load_ok(FIXTURES / "minimal.yaml")


def bundled_paths():
    return sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture
def pseudo(monkeypatch):
    """simulator.i18n with "es" standing for tests/i18n_helpers.Pseudo (every message bracketed);
    English again afterwards. Tests choose the language themselves."""
    import gettext

    from simulator import i18n
    from tests.i18n_helpers import Pseudo
    monkeypatch.setattr(i18n, "load", lambda code: Pseudo() if code == "es" else gettext.NullTranslations())
    yield i18n
    i18n.set_language("en")


from tests.db_helpers import db_url  # noqa: E402,F401 - the records tests' database fixture (SQLite, PostgreSQL)
