"""The scenario library, loaded in a background thread so the title screen never waits for it."""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import N_

# (key, label, shortest, longest) in minutes; the labels are translated where they are shown.
LENGTHS = (("short", N_("Up to 15 min"), 0, 15), ("medium", N_("16 to 30 min"), 16, 30),
           ("long", N_("Over 30 min"), 31, 10**6))


@dataclass
class Entry:
    """One scenario file: its model when it loaded, else its problems (shown on the card)."""

    path: Path
    scenario: object | None
    problems: list = field(default_factory=list)  # formatted diagnostics (errors only)
    warnings: int = 0

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems

    def length(self) -> str:
        minutes = self.scenario.minutes if self.scenario else 0
        return next(key for key, _label, lo, hi in LENGTHS if lo <= minutes <= hi)


_GENERATIONS = itertools.count(1)
_newest = 0  # the generation of the catalog made last: only it may register art (see `_register_art`)


class Catalog:
    """Loads every bundled scenario (plus one given on the command line) off the main thread.

    Once loaded, the scenarios' folders are registered with the art cache (`art.register_scenarios`),
    so that art a scenario ships beside its file is used before the bundled assets."""

    def __init__(self, extra: Path | str | None = None):
        global _newest
        self.generation = _newest = next(_GENERATIONS)
        self.extra = Path(extra) if extra else None
        self.entries: list[Entry] = []
        self.error: str | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._load, name="parley-catalog", daemon=True)
        self._thread.start()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _load(self) -> None:
        try:
            from ..content.loader import bundled_scenarios, load_scenario
            try:
                from scoring.rubric import check_scenario_scoring_file
            except ImportError:  # scoring is optional for the engine
                check_scenario_scoring_file = None
            paths = bundled_scenarios()
            if self.extra is not None and self.extra.resolve() not in {p.resolve() for p in paths}:
                paths = [self.extra] + paths
            entries = []
            for path in paths:
                result = load_scenario(path)
                diagnostics = list(result.diagnostics)
                if result.scenario is not None and check_scenario_scoring_file is not None:
                    diagnostics += list(check_scenario_scoring_file(path))
                errors = [d.format() for d in diagnostics if d.severity == "error"]
                warnings = sum(1 for d in diagnostics if d.severity == "warning")
                entries.append(Entry(path, result.scenario if not errors else None, errors, warnings))
            self.entries = entries
            if self.generation == _newest:  # a catalog made since (a new window, a reload) registers its own
                self._register_art(entries)
            if check_scenario_scoring_file is not None:
                import scoring.grade  # noqa: F401  (warm the import so the debrief does not pay for it)
        except Exception as exc:  # never let a loader bug kill the window; show it instead
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._done.set()

    @staticmethod
    def _register_art(entries: list[Entry]) -> None:
        """Let the window find each scenario's own art beside its file (before the bundled assets)."""
        try:
            from .art import register_scenarios
            register_scenarios([(e.scenario, e.path) for e in entries if e.scenario is not None])
        except Exception:  # noqa: BLE001, S110 - without it, art comes from the bundled assets only
            pass

    def find(self, path: Path | str) -> Entry | None:
        target = Path(path).resolve()
        return next((e for e in self.entries if e.path.resolve() == target), None)
