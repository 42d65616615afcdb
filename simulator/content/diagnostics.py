"""Diagnostics: one problem found in an input file, with where it is and how to fix it."""
from __future__ import annotations

from dataclasses import asdict, dataclass


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
        """Render as `FILE:LINE:COL: severity: message (hint: ...)`, the ink / Ren'Py style."""
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def to_json(self) -> dict:
        """A JSON-ready dict of every field."""
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
