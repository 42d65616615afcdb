"""Importers: scenario files written for other tools (Twine's Twee 3, POL-COM JSON) turned into Parley YAML.

Each importer reads one file and returns an `ImportResult`: the YAML text of a Parley scenario (with
the schema line first) and every problem found, positioned in the *source* file. An importer never
drops something silently: what it cannot convert is a warning with its line, and what makes the
result unusable is an error. `parley import` (simulator/cli/importing.py) writes the text, loads it
with the normal loader and lints it, so the author sees what they still have to add.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic


@dataclass
class ImportResult:
    """What an importer made of one source file."""

    text: str | None  # the scenario as YAML (None when errors left nothing usable)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # positions in the source file
    suggested_name: str = ""  # a file name for the scenario, e.g. "road-rage.yaml"

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)
