"""Diagnostics: one problem found in an input file, with where it is and how to fix it."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

# Characters a terminal may act on instead of showing: C0 controls (all of them, tab and newline
# too: a diagnostic is one line), DEL, C1 controls, the bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069) and their invisible relatives (U+061C, U+200E, U+200F), and the
# Unicode line and paragraph separators. Scenario files are untrusted and messages quote them.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every control and bidi character written visibly, e.g. ESC as `\\x1b`."""
    text = str(text)
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem in a file. `line` and `column` are 1-based; 0 means "the whole file"."""

    file: str
    line: int
    column: int
    severity: str  # "error" or "warning"
    code: str  # short stable identifier, e.g. "unknown-next"
    message: str
    hint: str = ""

    def format(self) -> str:
        """Render as `FILE:LINE:COL: severity: message (hint: ...)`, the ink / Ren'Py style.

        For people and terminals: control and bidi characters quoted from the file are shown
        escaped (`\\x1b`, `\\u202e`), so a scenario cannot drive the terminal or reorder the line.
        `to_json` keeps the text exactly as it is.
        """
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return escape_controls(text)

    def to_json(self) -> dict:
        """A JSON-ready dict of every field, unescaped."""
        return asdict(self)


class DiagnosticSink:
    """Collects diagnostics for one file so that every problem is reported at once."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[Diagnostic] = []

    def error(self, pos: tuple[int, int] | None, code: str, message: str, hint: str = "") -> None:
        """Record an error at `pos` (line, column), or at the file when `pos` is None."""
        line, col = pos or (0, 0)
        self.items.append(Diagnostic(self.file, line, col, "error", code, message, hint))

    def warning(self, pos: tuple[int, int] | None, code: str, message: str, hint: str = "") -> None:
        """Record a warning at `pos` (line, column), or at the file when `pos` is None."""
        line, col = pos or (0, 0)
        self.items.append(Diagnostic(self.file, line, col, "warning", code, message, hint))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics in file order, errors before warnings at the same place."""
        return sorted(self.items, key=lambda d: (d.line, d.column, d.severity != "error"))
