"""`parley lint`: everything `parley validate` reports, plus the lint warnings (docs/lint.md)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..authoring.lint import lint_scenario
from ..content.diagnostics import Diagnostic, DiagnosticSink
from ..content.loader import load_scenario
from ..content.yamlsafe import read_yaml
from .validate import check_files, protocol_diagnostics


def lint_file(path: Path, timings: dict | None = None) -> list[Diagnostic]:
    """validate's diagnostics for the file at `path` and, when it loads, the lint warnings, sorted
    by position (errors first at one place). Reads the file; never writes it. With `timings` (a
    dict), each lint check adds its seconds under its name. A research protocol gets validate's
    checks of a protocol (docs/research.md)."""
    protocol = protocol_diagnostics(path)
    if protocol is not None:
        return protocol
    result = load_scenario(path, use_cache=False)
    diagnostics = list(result.diagnostics)
    if result.scenario is None:
        return diagnostics
    doc = result.document  # the loader's parsed document: positions for lint's warnings
    if doc is None:
        doc = read_yaml(path.read_bytes(), str(path), DiagnosticSink(str(path)))
        if doc is None:  # the file changed since it was loaded
            return diagnostics
    from scoring.rubric import check_scenario_scoring
    diagnostics += check_scenario_scoring(result.scenario, None, doc)  # validate's scoring_diagnostics, without a second load
    diagnostics += lint_scenario(result.scenario, doc, timings)
    return sorted(diagnostics, key=lambda d: (d.line, d.column, d.severity != "error", d.code))


def run(args: argparse.Namespace) -> int:
    """`parley lint PATH... [--json] [--strict]`: 0 without errors (warnings allowed unless
    `--strict`), 1 when any file has problems, 2 when no path given exists. Output as validate's."""
    return check_files(list(args.paths), bool(args.json), bool(args.strict), lint_file)
