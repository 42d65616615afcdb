"""Opening the scenario a command names (a path or a bundled id), with every problem reported the same way."""
from __future__ import annotations

import sys
from pathlib import Path

from ..content.loader import bundled_scenarios, load_scenario, resolve_scenario
from ..engine.model import Scenario
from ..i18n import _
from ..safetext import clean

USAGE_EXIT = 2


class CommandError(Exception):
    """A problem to report as one line `parley: ...`, with the exit status it gives."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def open_scenario(name: str, *, scoring: bool = True) -> tuple[Path, Scenario]:
    """The scenario file `name` or bundled scenario `name`, loaded. Its diagnostics are printed on
    standard error when it has errors (and, with `scoring`, when its scoring section has errors);
    raises CommandError (status 2 when there is no such scenario, 1 when it has errors)."""
    path = resolve_scenario(name)
    if path is None:
        known = ", ".join(p.stem for p in bundled_scenarios())
        raise CommandError(_("no scenario file or bundled scenario called {name} (bundled: {known})").format(
            name=repr(name), known=known), USAGE_EXIT)
    result = load_scenario(path)
    if result.scenario is None:
        for d in result.diagnostics:
            print(clean(d.format()), file=sys.stderr)
        raise CommandError(_("{path} has errors; fix them and try again.").format(path=path))
    if scoring:
        from .validate import scoring_diagnostics
        errors = [d for d in scoring_diagnostics(path) if d.severity == "error"]
        if errors:
            for d in errors:
                print(clean(d.format()), file=sys.stderr)
            raise CommandError(_("the scoring section of {path} has errors; fix them and try again.").format(
                path=path))
    return path, result.scenario
