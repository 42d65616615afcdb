"""`parley graph SCENARIO [-o PATH] [--path LOG]`: write a scenario's graph as DOT, and SVG or PNG via Graphviz.

The drawing itself is simulator/authoring/graph.py; this module resolves the scenario, reads the
recorded playthrough (untrusted: JSON lines from `parley play --log`, or the JSON record or save the
window keeps), writes the files atomically and runs Graphviz's `dot` when it is installed.

Exit status: 0 written; 1 a scenario with errors, an unreadable or mismatched log, or SVG/PNG asked
for but not made (no dot, or dot failed); 2 a usage error (no such scenario, an unknown suffix).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ..authoring.graph import graph_dot, overlay_from_log
from ..content.loader import scenario_for_log
from ..engine.session import ReplayMismatch
from ..files import write_atomically
from ..i18n import N_, _, language
from ..safetext import clean_line
from .opening import CommandError, open_scenario
from .play import check_output
from .validate import USAGE_EXIT

FORMATS = (".dot", ".svg", ".png")
DOT_TIMEOUT = 120  # seconds; the largest shipped scenario takes about one
LOG_LIMIT = 50 * 1024 * 1024  # bytes: far above any real session's log
INSTALL_HINT = N_("install Graphviz (apt install graphviz, brew install graphviz, or graphviz.org) for SVG and PNG")


class GraphError(Exception):
    """A problem to report on one line, with an exit status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def _err(message: str) -> None:
    print(clean_line(message), file=sys.stderr)


def _reject_constant(name: str):
    raise ValueError(_("{name} is not a JSON number").format(name=name))


def _loads(text: str):
    """Strict JSON: NaN and Infinity are refused (Python's json accepts them by default)."""
    return json.loads(text, parse_constant=_reject_constant)


def read_log(path: Path) -> list:
    """The events of a log file: JSON lines (`parley play --log`) or one JSON document (the window's
    session record, a save, or a list of events). Raises GraphError with a one-line message."""
    shown = repr(str(path))
    try:
        with open(path, "rb") as handle:
            raw = handle.read(LOG_LIMIT + 1)
    except OSError as exc:
        raise GraphError(_("--path {path} cannot be read ({error})").format(
            path=shown, error=exc.strerror or exc)) from None
    if len(raw) > LOG_LIMIT:
        raise GraphError(_("--path {path} is larger than {mb} MB; it is not a Parley log").format(
            path=shown, mb=LOG_LIMIT // (1024 * 1024)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GraphError(_("--path {path} is not UTF-8 text; it is not a Parley log").format(path=shown)) from None
    stripped = text.strip()
    if not stripped:
        raise GraphError(_("--path {path} is empty").format(path=shown))
    try:
        document = _loads(stripped)
    except (ValueError, RecursionError):
        document = None
    else:
        if isinstance(document, dict) and isinstance(document.get("log"), list):
            return document["log"]  # a session record file (simulator/records/legacy.py) or a save
        if isinstance(document, list):
            return document
        if not (isinstance(document, dict) and "type" in document):
            raise GraphError(_("--path {path} is JSON but not a Parley log, session record or save").format(path=shown))
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = _loads(line)
        except (ValueError, RecursionError) as exc:
            raise GraphError(_("{path}:{line}: not a JSON event ({error})").format(
                path=path, line=number, error=str(exc)[:80])) from None
        if not isinstance(event, dict):
            raise GraphError(_("{path}:{line}: an event is a JSON object").format(path=path, line=number))
        events.append(event)
    return events


def _outputs(output: Path | None, scenario_id: str, have_dot: bool) -> tuple[Path, Path | None]:
    """(the DOT file, the picture asked for or None). The DOT is always written: beside a picture, or
    as the output itself."""
    if output is None:
        base = Path.cwd() / scenario_id
        return base.with_suffix(".dot"), base.with_suffix(".svg") if have_dot else None
    suffix = output.suffix.lower()
    if suffix == ".dot":
        return output, None
    return output.with_suffix(".dot"), output


def _render(dot: str, dot_text: str, picture: Path) -> None:
    """Run Graphviz's dot on the DOT text and write the picture atomically; GraphError on failure."""
    kind = picture.suffix.lower().lstrip(".")
    try:
        done = subprocess.run([dot, f"-T{kind}"], input=dot_text.encode("utf-8"), capture_output=True,
                              timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise GraphError(_("Graphviz's dot took longer than {seconds} s; the DOT file is written").format(
            seconds=DOT_TIMEOUT)) from None
    except OSError as exc:
        raise GraphError(_("Graphviz's dot could not be run ({error})").format(error=exc.strerror or exc)) from None
    if done.returncode != 0 or not done.stdout:
        why = (done.stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit status {done.returncode}"])[0]
        raise GraphError(_("Graphviz's dot failed ({error}); the DOT file is written").format(error=why[:200]))
    write_atomically(picture, done.stdout, private=False)


def run(args) -> int:
    """`parley graph`: returns the exit status (see the module's docstring)."""
    try:
        return _run(args)
    except GraphError as exc:
        _err(_("parley: {problem}").format(problem=str(exc)))
        return exc.status


def _run(args) -> int:
    output = args.output
    if output is not None and output.suffix.lower() not in FORMATS:
        raise GraphError(_("-o {path}: the file name must end in .dot, .svg or .png").format(
            path=repr(str(output))), USAGE_EXIT)
    problem = check_output(output, "-o")
    if problem:
        raise GraphError(problem, USAGE_EXIT)
    try:
        path, scenario = open_scenario(args.scenario, scoring=False)
    except CommandError as exc:
        raise GraphError(str(exc), exc.status) from None
    overlay = None
    if args.path_log is not None:
        log = read_log(args.path_log)
        scenario = scenario_for_log(scenario, log)
        try:
            overlay = overlay_from_log(scenario, log)
        except ReplayMismatch as exc:
            raise GraphError(_("--path {path} is not a playthrough of this scenario: {why}").format(
                path=repr(str(args.path_log)), why=exc)) from None
    text_language = language() if language() in scenario.languages else scenario.language
    dot_text = graph_dot(scenario, overlay, text_language)
    dot = shutil.which("dot")
    dot_file, picture = _outputs(output, scenario.id, dot is not None)
    try:
        write_atomically(dot_file, dot_text.encode("utf-8"), private=False)
    except OSError as exc:
        raise GraphError(_("{path} cannot be written ({error})").format(path=dot_file, error=exc.strerror or exc)) from None
    if picture is not None and dot is None:
        raise GraphError(_("wrote {dot}; {hint}").format(dot=dot_file, hint=_(INSTALL_HINT)))
    if picture is None and dot is None:
        print(clean_line(_("Wrote {dot}; {hint}.").format(dot=dot_file, hint=_(INSTALL_HINT))))
        return 0
    if picture is not None:
        _render(dot, dot_text, picture)
        print(clean_line(_("Wrote {dot} and {picture}.").format(dot=dot_file, picture=picture)))
    else:
        print(clean_line(_("Wrote {dot}.").format(dot=dot_file)))
    return 0
