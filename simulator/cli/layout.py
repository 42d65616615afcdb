"""Plain-text layout for the terminal: the width to wrap at, wrapping without breaking words, and paging.

Nothing here moves the cursor or colours anything: every line is a plain line, so that screen
readers and braille displays read it in order, and a transcript piped to a file reads the same.
"""
from __future__ import annotations

import re
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import TextIO

from ..i18n import N_, _

MAX_WIDTH = 100  # lines longer than this are hard to read, however wide the terminal is
MIN_WIDTH = 20  # below this, indents would leave no room for words (textwrap needs width > indent)
FALLBACK_SIZE = (80, 24)  # columns and lines when the size cannot be known (not a terminal, no COLUMNS)
# The width for a stream that is not the process's standard output (a StringIO in a test, a file):
# fixed, so that transcripts (tests/golden) are the same on every machine and in every terminal.
STREAM_WIDTH = 88


def terminal_size() -> tuple[int, int]:
    """(columns, lines) of the terminal: $COLUMNS/$LINES first, then the terminal, else 80 x 24."""
    size = shutil.get_terminal_size(FALLBACK_SIZE)
    return size.columns, size.lines


def clamp_width(columns: int) -> int:
    """A width to wrap text at: the terminal's columns, but never wider than MAX_WIDTH nor narrower than MIN_WIDTH."""
    return max(MIN_WIDTH, min(MAX_WIDTH, columns))


def width_for(out: TextIO) -> int:
    """The width to wrap text for `out` at: the terminal's (see `terminal_size`) when `out` is standard
    output, whether or not it is a terminal ($COLUMNS still applies to a pipe); STREAM_WIDTH otherwise."""
    if out is sys.stdout or out is sys.__stdout__:
        return clamp_width(terminal_size()[0])
    return STREAM_WIDTH


def wrap(text: str, width: int, indent: str = "", hang: str | None = None) -> list[str]:
    """`text` as lines of at most `width` characters: each line of `text` is a paragraph, filled on
    its own; empty paragraphs are dropped. The first line of a paragraph starts with `indent`, the
    others with `hang` (default: `indent`). Words are only broken when one is longer than a line,
    and never at a hyphen ("well-known" stays whole). Empty text gives one empty line."""
    hang = indent if hang is None else hang
    room = max(len(indent), len(hang)) + MIN_WIDTH // 2
    width = max(width, room)  # an indent wider than the line would leave no room for a word
    lines: list[str] = []
    for paragraph in text.strip().split("\n"):
        if paragraph.strip():
            lines.extend(textwrap.wrap(paragraph, width=width, initial_indent=indent, subsequent_indent=hang,
                                       break_on_hyphens=False))
    return lines or [""]


_ITEM = re.compile(r"\d+\. ")  # "1. ", "12. ": a numbered item starts a new paragraph


def reflow(text: str, width: int) -> list[str]:
    """Text that was already wrapped (at another width) wrapped again at `width`.

    The convention it reads is textwrap's with a hanging indent, which the debrief uses
    (scoring/report.py): a paragraph's first line has some indent, its continuation lines two
    spaces more; a numbered item ("2. ...") starts a new paragraph, and a line ending in ":" (a
    heading) ends one. Lines that follow no such
    paragraph are kept as they are, and wrapped only when too long. If scoring's layout changes,
    this must change with it.
    """
    paragraphs: list[tuple[str, str, list[str]]] = []  # (indent, hang, words)
    previous = ""
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        heading, previous = previous.endswith(":"), line.rstrip()
        if paragraphs and body and paragraphs[-1][2] and not heading:
            first, hang, words = paragraphs[-1]
            if len(indent) == len(first) + 2 and not _ITEM.match(body):
                if words[-1][-1:] == "-" and words[-1][-2:-1].isalpha() and body[:1].isalpha():
                    words[-1] += body.split(" ", 1)[0]  # "less-" + "lethal": textwrap broke it at the hyphen
                    words.extend(body.split()[1:])
                else:
                    words.extend(body.split())
                paragraphs[-1] = (first, indent, words)
                continue
        paragraphs.append((indent, indent + "  " if _ITEM.match(body) else indent, body.split()))
    lines: list[str] = []
    for indent, hang, words in paragraphs:
        lines.extend(wrap(" ".join(words), width, indent, hang) if words else [""])
    return lines


# A stage direction at the start of a spoken line: "(quietly, across the roof) Her hands..." or
# "[signing] ..." or "*signs* ...". Several in a row are joined ("(quietly) (signing) ...").
_DIRECTION = re.compile(r"\s*(?:\(([^()]*)\)|\[([^\[\]]*)\]|\*([^*]+)\*)\s*")


def split_direction(text: str) -> tuple[str | None, str]:
    """(stage direction, speech) of a spoken line whose text starts with directions in parentheses,
    brackets or asterisks; (None, text) when it starts with none. The speech may be empty."""
    directions = []
    rest = text.strip()
    while True:
        match = _DIRECTION.match(rest)
        if match is None:
            break
        part = next(g for g in match.groups() if g is not None).strip()
        if part:
            directions.append(part)
        rest = rest[match.end():]
    return (", ".join(directions) if directions else None), rest.strip()


MORE_PROMPT = N_("-- more: Enter for the next page, q to skip to the end --")


class Pager:
    """Shows lines a screenful at a time when they go to a terminal, and all at once otherwise.

    After `height - 1` lines since the person last typed something, the next line waits for the
    prompt "-- more: ... --" to be answered: Enter shows the next page, q shows the rest of this
    text without pausing (paging starts again after the person next types something), and the end
    of input ends paging for good. `tty` and `height` are given by the caller (text mode passes the
    terminal's), so tests can page a StringIO."""

    def __init__(self, out: TextIO, read_line: Callable[[], str], *, tty: bool, height: int):
        self.out = out
        self.read_line = read_line
        self.paging = tty and height >= 3  # two lines of text and the prompt at the least
        self.page = max(1, height - 1)  # the prompt takes the last line of the screen
        self.shown = 0  # lines shown since the person last typed (the screen they are reading)
        self.skipping = False  # q was answered: the rest of this text at once

    def emit(self, line: str) -> None:
        """Write one line, pausing first when the screen is full."""
        if self.paging and not self.skipping and self.shown >= self.page:
            self.out.write(_(MORE_PROMPT) + " ")
            self.out.flush()
            answer = self.read_line()
            self.shown = 0
            if answer == "":  # no more input: nobody can answer another prompt
                self.paging = False
            elif answer.strip().lower() == "q":
                self.skipping = True
        print(line, file=self.out)
        self.shown += 1

    def typed(self) -> None:
        """The person typed a line (a choice, an answer): a new screen starts, paged again."""
        self.shown = 0
        self.skipping = False
