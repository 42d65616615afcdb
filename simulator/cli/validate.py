"""`parley validate` and `parley list`: check scenario files and report every problem at once."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

from ..content.diagnostics import Diagnostic
from ..content.loader import bundled_scenarios, load_scenario
from ..i18n import _, language, ngettext
from ..safetext import clean, clean_line
from .layout import clamp_width, terminal_size, wrap

USAGE_EXIT = 2


def _scenario_rows() -> list[tuple[str, str, str, str, str]]:
    """(id, title, audience, duration, topics) of every bundled scenario, each cell one clean line."""
    rows = []
    for path in bundled_scenarios():
        result = load_scenario(path)
        if result.scenario is None:
            rows.append((path.stem, _("(has errors: run `parley validate`)"), "", "", ""))
            continue
        sc = result.scenario
        minutes = ngettext("{n} min", "{n} min", sc.minutes).format(n=sc.minutes)
        rows.append((sc.id, sc.title.get(language(), sc.language), ", ".join(sc.audience), minutes,
                     ", ".join(sc.topics)))
    return [tuple(clean_line(cell) for cell in row) for row in rows]


def _scenario_notes() -> list[str]:
    """One line per bundled scenario played in more than one language or with variants of who the
    people are (the ids `parley play --variant` takes)."""
    notes = []
    for path in bundled_scenarios():
        sc = load_scenario(path).scenario
        if sc is None or (len(sc.languages) < 2 and not sc.variants):
            continue
        parts = []
        if len(sc.languages) > 1:
            parts.append(_("languages: {languages}").format(languages=", ".join(sc.languages)))
        if sc.variants:
            parts.append(_("variants: {variants}").format(
                variants=", ".join(f"{v.id} ({v.label.get(language(), sc.language)})" for v in sc.variants)))
        notes.append(clean_line(f"{sc.id}: " + "; ".join(parts)))
    return notes


def list_scenarios(columns: int | None = None) -> int:
    """Print the bundled scenarios: a table (id, title, audience, duration, topics) when it fits in
    `columns` (default: the terminal's), otherwise one block per scenario, wrapped to the width:

        deaf-driver-traffic-stop (15 min)
          Traffic stop: the driver who does not answer
          Audience: recruit, in-service, community
          Topics: traffic-stop, communication-access, deaf, partner-coordination,
            proportionality

    Both are plain lines that a screen reader reads in order (no box drawing, no cut words)."""
    columns = terminal_size()[0] if columns is None else columns
    rows = _scenario_rows()
    header = (_("id"), _("title"), _("audience"), _("duration"), _("topics"))
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(5)]
    if sum(widths) + 2 * (len(widths) - 1) <= columns:
        for row in [header] + rows:
            print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        _print_notes(columns)
        return 0
    width = clamp_width(columns)
    for i, (ident, title, audience, minutes, topics) in enumerate(rows):
        if i:
            print()
        head = _("{id} ({duration})").format(id=ident, duration=minutes) if minutes else ident
        lines = wrap(head, width, "", "  ") + wrap(title, width, "  ", "    ")
        if audience:
            lines += wrap(_("Audience: {audience}").format(audience=audience), width, "  ", "    ")
        if topics:
            lines += wrap(_("Topics: {topics}").format(topics=topics), width, "  ", "    ")
        print("\n".join(lines))
    _print_notes(width)
    return 0


def _print_notes(width: int) -> None:
    notes = _scenario_notes()
    if notes:
        print()
        for note in notes:
            print("\n".join(wrap(note, clamp_width(width), "", "  ")))


def _collect(paths: list[Path]) -> tuple[list[Path], list[Diagnostic]]:
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.yaml")) + sorted(path.rglob("*.yml"))
            files.extend(found)
            if not found:
                problems.append(Diagnostic(str(path), 0, 0, "error", "no-files", _("no .yaml files in this folder"),
                                           _("give a scenario file, or a folder that holds .yaml files")))
        elif path.exists():
            files.append(path)
        else:
            problems.append(Diagnostic(str(path), 0, 0, "error", "not-found", _("no such file or folder"),
                                       _("check the path")))
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
    return check_files(paths, as_json, strict, file_diagnostics)


def protocol_diagnostics(path: Path) -> list[Diagnostic] | None:
    """A research protocol's diagnostics when the file at `path` is one (docs/research.md), else None."""
    from ..content.loader import read_file
    from ..content.protocol import load_protocol, looks_like_protocol
    raw = read_file(path, str(path))
    if isinstance(raw, Diagnostic) or not looks_like_protocol(raw):
        return None
    return load_protocol(path).diagnostics


def file_diagnostics(path: Path) -> list[Diagnostic]:
    """validate's diagnostics for one file: the loader's, then its `scoring:` section's (a research
    protocol's own, for a protocol file)."""
    protocol = protocol_diagnostics(path)
    if protocol is not None:
        return protocol
    result = load_scenario(path, use_cache=False)
    diagnostics = list(result.diagnostics)
    if result.ok:
        diagnostics += scoring_diagnostics(path)
    return diagnostics


def check_files(paths: list[Path], as_json: bool, strict: bool,
                diagnose: Callable[[Path], list[Diagnostic]]) -> int:
    """Run `diagnose` on every file of `paths` (files, or folders of .yaml files) and print what it
    finds, as lines and a summary or as JSON; the exit status of validate and lint (0, 1 or 2)."""
    files, missing = _collect(paths)
    if missing and not files:
        for d in missing:
            print(clean(d.format()), file=sys.stderr)
        return USAGE_EXIT
    reports = []
    bad = 0
    for path in files:
        diagnostics = diagnose(path)
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
        print(summary_line(len(reports), len(reports) - bad, bad, errors, warnings))
    return 1 if bad else 0


def summary_line(files: int, valid: int, bad: int, errors: int, warnings: int) -> str:
    """validate's last line, each count with its own plural form:
    "1 file checked: 0 valid, 1 with problems (1 error, 0 warnings)."."""
    return _("{files}: {valid} valid, {bad} with problems ({errors}, {warnings}).").format(
        files=ngettext("{n} file checked", "{n} files checked", files).format(n=files),
        valid=valid, bad=bad,
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
