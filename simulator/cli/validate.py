"""`parley validate` and `parley list`: check scenario files and report every problem at once."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..content.diagnostics import Diagnostic
from ..content.loader import bundled_scenarios, load_scenario
from ..safetext import clean

USAGE_EXIT = 2


def list_scenarios() -> int:
    """Print the bundled scenarios as a table: id, title, audience, duration, topics."""
    rows = []
    for path in bundled_scenarios():
        result = load_scenario(path)
        if result.scenario is None:
            rows.append((path.stem, "(has errors: run `parley validate`)", "", "", ""))
            continue
        sc = result.scenario
        rows.append((sc.id, sc.title.get(sc.language, sc.language), ", ".join(sc.audience),
                     f"{sc.minutes} min", ", ".join(sc.topics)))
    header = ("id", "title", "audience", "duration", "topics")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(5)]
    for row in [header] + rows:
        print(clean("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()).replace("\n", " "))
    return 0


def _collect(paths: list[Path]) -> tuple[list[Path], list[Diagnostic]]:
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.yaml")) + sorted(path.rglob("*.yml"))
            files.extend(found)
            if not found:
                problems.append(Diagnostic(str(path), 0, 0, "error", "no-files", "no .yaml files in this folder", ""))
        elif path.exists():
            files.append(path)
        else:
            problems.append(Diagnostic(str(path), 0, 0, "error", "not-found", "no such file or folder",
                                       "check the path"))
    return files, problems


def scoring_diagnostics(path: Path) -> list[Diagnostic]:
    """Meaning checks of a loaded scenario's `scoring:` section (ids, objectives, thresholds).

    The loader checks the section's shape; the rubric lives in scoring/, which reads the engine,
    so the command line joins the two rather than the loader importing scoring.
    """
    try:
        from scoring.rubric import check_scenario_scoring_file
    except ImportError:
        return []
    return list(check_scenario_scoring_file(path))


def validate(paths: list[Path], as_json: bool, strict: bool) -> int:
    """Check files and folders; 0 when all are valid, 1 when any has problems, 2 on usage errors."""
    files, missing = _collect(paths)
    if missing and not files:
        for d in missing:
            print(clean(d.format()), file=sys.stderr)
        return USAGE_EXIT
    reports = []
    bad = 0
    for path in files:
        result = load_scenario(path, use_cache=False)
        diagnostics = list(result.diagnostics)
        if result.ok:
            diagnostics += scoring_diagnostics(path)
        errors = [d for d in diagnostics if d.severity == "error"]
        failed = bool(errors) or (strict and len(errors) < len(diagnostics))
        bad += bool(failed)
        reports.append({"file": str(path), "ok": not failed, "diagnostics": [d.to_json() for d in diagnostics]})
        if not as_json:
            for d in diagnostics:
                print(clean(d.format()))
    for d in missing:
        bad += 1
        reports.append({"file": d.file, "ok": False, "diagnostics": [d.to_json()]})
        if not as_json:
            print(clean(d.format()))
    if as_json:
        print(json.dumps({"files": reports, "valid": len(reports) - bad, "invalid": bad}, indent=2))
    else:
        errors = sum(1 for r in reports for d in r["diagnostics"] if d["severity"] == "error")
        warnings = sum(1 for r in reports for d in r["diagnostics"] if d["severity"] == "warning")
        print(f"{len(reports)} file(s) checked: {len(reports) - bad} valid, {bad} with problems "
              f"({errors} errors, {warnings} warnings).")
    return 1 if bad else 0
