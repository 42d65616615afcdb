"""Text that reaches a terminal or the window: scenario files are untrusted, so nothing they hold may
drive the terminal or break the font. Shared by text mode, the command line and the window.

`clean` removes C0 and C1 control characters (ESC, BEL, NUL, CR, DEL, CSI...; a tab becomes a space,
a newline stays) and the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), and
turns lone surrogates (which no terminal encoding can write) into U+FFFD. Every line text mode prints
goes through it, so a scenario cannot clear the screen, retitle the terminal or reorder what is shown;
every string the window renders goes through it too (pygame-ce refuses NUL; the window does no bidi
reordering, so overrides would only hide text). Imports only `re`.
"""
from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _replace(match: re.Match) -> str:
    ch = match.group()
    if ch == "\t":
        return " "
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    return ""


def clean(text) -> str:
    """`text` (made a string if it is not one; None is "") safe to print or render; newlines are kept."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_replace, text)


def clean_line(text) -> str:
    """`clean`, with newlines turned into spaces too: for messages that must stay on one line."""
    return clean(text).replace("\n", " ")
