"""`parley import twee|policecom FILE [-o SCENARIO] [--force]`: convert a story from another tool, write it,
then check the written scenario the way `parley lint` does, so the author sees what is left to add.

Exit status: 0 the scenario was written (even if the author still has to add things: the list says
what); 1 the source could not be converted (its errors are listed and nothing is written), or the
output exists and --force was not given, or it cannot be written; 2 a usage error.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..authoring.new import schema_reference
from ..content.importers import ImportResult
from ..files import write_atomically
from ..i18n import _, ngettext
from ..safetext import clean, clean_line
from .lint import lint_file
from .opening import USAGE_EXIT

SCHEMA_PREFIX = "# yaml-language-server: $schema="


def _convert(kind: str, source: Path) -> ImportResult:
    if kind == "twee":
        from ..content.importers.twee import import_twee
        return import_twee(source)
    from ..content.importers.policecom import import_policecom
    return import_policecom(source)


def _with_schema_line(text: str, output: Path) -> str:
    """The text with its first line pointing at the schema from where the file is written (a path
    beside the bundled scenarios, else the installed schema's file URI), so an editor finds it."""
    first, _newline, rest = text.partition("\n")
    line = SCHEMA_PREFIX + schema_reference(output)
    return f"{line}\n{rest}" if first.startswith(SCHEMA_PREFIX) else f"{line}\n{text}"


def run(args) -> int:
    """`parley import`: returns the exit status (see the module's docstring)."""
    source: Path = args.source
    if not source.is_file():
        print(clean_line(_("parley: {path} is not a file").format(path=repr(str(source)))), file=sys.stderr)
        return USAGE_EXIT
    result = _convert(args.kind, source)
    for d in result.diagnostics:
        print(clean(d.format()), file=sys.stderr)
    if result.text is None or result.has_errors:
        errors = sum(1 for d in result.diagnostics if d.severity == "error")
        print(clean_line(ngettext("parley: {path} could not be converted ({n} error above); nothing was written.",
                                  "parley: {path} could not be converted ({n} errors above); nothing was written.",
                                  errors).format(path=source, n=errors)), file=sys.stderr)
        return 1
    output: Path = args.output or Path.cwd() / (result.suggested_name or source.with_suffix(".yaml").name)
    if output.exists() and not args.force:
        print(clean_line(_("parley: {path} already exists; nothing was written (use --force to replace it, "
                           "or -o to choose another name).").format(path=output)), file=sys.stderr)
        return 1
    try:
        write_atomically(output, _with_schema_line(result.text, output).encode("utf-8"), private=False)
    except OSError as exc:
        print(clean_line(_("parley: {path} cannot be written ({error})").format(
            path=output, error=exc.strerror or exc)), file=sys.stderr)
        return 1
    warnings = sum(1 for d in result.diagnostics if d.severity == "warning")
    print(clean_line(ngettext("Wrote {path} ({n} thing in the source could not be converted: see above).",
                              "Wrote {path} ({n} things in the source could not be converted: see above).",
                              warnings).format(path=output, n=warnings) if warnings else
                     _("Wrote {path}.").format(path=output)))
    found = lint_file(output)
    for d in found:
        print(clean(d.format()))
    errors = sum(1 for d in found if d.severity == "error")
    if errors:
        print(clean_line(ngettext(
            "The scenario needs {n} fix before it can be played: the error above says what to add, where.",
            "The scenario needs {n} fixes before it can be played: the errors above say what to add, where.",
            errors).format(n=errors)))
    elif not found:
        print(clean_line(_("It validates and can be played (parley play {path} --text).").format(path=output)))
    else:
        print(clean_line(ngettext(
            "It validates and can be played (parley play {path} --text); review the {n} warning above.",
            "It validates and can be played (parley play {path} --text); review the {n} warnings above.",
            len(found)).format(path=output, n=len(found))))
    print(clean_line(_("Next: have it reviewed by people with lived experience (docs/authoring.md).")))
    return 0
