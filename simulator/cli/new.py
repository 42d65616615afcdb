"""`parley new`: ask a few questions on the terminal, write a scenario that validates, say what next.

Answers come from input(), one per line, so piped answers work as typed ones; an invalid answer is
asked again with a one-line reason; the end of input stops with one line and writes nothing. An
existing file is never overwritten (checked before the questions when -o names it, after the title
otherwise, and by opening the file in exclusive-create mode). Ctrl-C is main.py's.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from ..authoring.new import (
    AUDIENCES,
    FACTOR_KINDS,
    Answers,
    answer_problem,
    parse_audience,
    parse_kind,
    parse_minutes,
    scenario_yaml,
    schema_reference,
    slug,
)
from ..i18n import _
from ..safetext import clean_line

FAILED_EXIT = 1


class _NoAnswer(Exception):
    """Input ended before every question was answered."""


def _ask(question: str, parse: Callable[[str], object], default: str | None = None):
    """Ask `question` until `parse` accepts the answer (it raises ValueError with the reason);
    an empty answer takes `default` when there is one. Raises _NoAnswer at the end of input."""
    prompt = f"{question} [{default}]: " if default is not None else f"{question}: "
    while True:
        try:
            answer = input(prompt)
        except EOFError:
            print()  # end the prompt's line before the one-line message
            raise _NoAnswer(question) from None
        if not sys.stdin.isatty():
            print(clean_line(answer))  # piped: show the answer, so the transcript reads as typed
        if not answer.strip() and default is not None:
            answer = default
        try:
            return parse(answer)
        except ValueError as exc:
            print(_("  {reason}; please answer again.").format(reason=clean_line(exc)))


def _text(field: str) -> Callable[[str], str]:
    def parse(answer: str) -> str:
        problem = answer_problem(field, answer)
        if problem:
            raise ValueError(problem)
        return answer
    return parse


def _exists(path: Path) -> bool:
    if path.exists() or path.is_symlink():
        print(_("parley new: {path} already exists; nothing was written (choose another name with -o).").format(
            path=clean_line(path)), file=sys.stderr)
        return True
    return False


def _questions(output: Path | None) -> tuple[Answers, Path] | None:
    """Ask everything; (answers, the file to write), or None when the file turns out to exist."""
    print(_("A new scenario: a few questions, then a file that validates, to edit from there."))
    print(_("Press Enter to take the answer in [brackets]."))
    title = _ask(_("Title (what the library shows)"), _text("title"))
    path = output if output is not None else Path(slug(title) + ".yaml")
    if output is None and _exists(path):
        return None
    location = _ask(_("Where it happens (place and time)"), _text("location"))
    name = _ask(_("The person's name"), _text("name"))
    # the defaults are written into the file, which is in English (`language: en`), so they stay English
    description = _ask(_("The person, in a few words (age, what they are doing)"), _text("description"),
                       "An adult; describe them here")
    language = _ask(_("The language they speak"), _text("language"), "English")
    kind = _ask(_("The hidden factor's kind ({choices})").format(choices=", ".join(FACTOR_KINDS)), parse_kind,
                "other")
    factor = _ask(_("What the hidden factor is, in a sentence"), _text("factor"))
    audience = _ask(_("Audience, one or several of {choices}").format(choices=", ".join(AUDIENCES)),
                    parse_audience, "recruit, in-service")
    minutes = _ask(_("Estimated minutes"), parse_minutes, "15")
    return Answers(title, location, name, description, language, kind, factor, audience, minutes), path


def run(args) -> int:
    """`parley new [-o FILE]`: ask, write args.output (or the title's slug + .yaml here), check the
    file with the loader, print the result and the next steps. 0 when the file was written and
    validates; 1 when nothing was written (the file exists, input ended) or it has errors."""
    output = Path(args.output) if getattr(args, "output", None) is not None else None
    if output is not None and _exists(output):
        return FAILED_EXIT
    try:
        asked = _questions(output)
    except _NoAnswer as exc:
        print(_("parley new: the input ended before \"{question}\" was answered; nothing was written.").format(
            question=exc.args[0]), file=sys.stderr)
        return FAILED_EXIT
    if asked is None:
        return FAILED_EXIT
    answers, path = asked
    text = scenario_yaml(answers, schema_reference(path))
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        _exists(path)
        return FAILED_EXIT
    except OSError as exc:
        print(_("parley new: cannot write {path}: {error}; nothing was written.").format(
            path=clean_line(path), error=clean_line(exc.strerror or exc)), file=sys.stderr)
        return FAILED_EXIT
    return _report(path)


def _report(path: Path) -> int:
    """Check the written file as `parley validate` does and print what to do next."""
    from .validate import validate
    print()
    print(_("Wrote {path}. Checking it:").format(path=clean_line(path)))
    status = validate([path], False, False)
    shown = clean_line(path)
    print()
    print(_("Next steps:"))
    print(_("  1. Open {path} in your editor and replace every [Draft ...] text; the comments say how.").format(
        path=shown))
    print(_("  2. parley validate {path}    (after every change)").format(path=shown))
    print(_("  3. parley lint {path}        (fairness and teaching warnings, docs/lint.md)").format(path=shown))
    print(_("  4. parley play {path} --text (play it in the terminal)").format(path=shown))
    print(_("The guide from here to a reviewed scenario: docs/authoring.md."))
    return status
