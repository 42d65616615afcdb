"""Checked values of command-line options (argparse `type` functions): a bad value is a usage
error with one line and exit status 2, never a traceback later on."""
from __future__ import annotations

import argparse
import math

from ..i18n import _

TIMER_SCALE_MIN, TIMER_SCALE_MAX = 0.25, 10.0  # --timer-scale: a quarter of the time up to ten times as much
SEED_LIMIT = 2 ** 63  # --seed: 0 <= seed < 2**63, the engine's limit (simulator.engine.session.SEED_LIMIT)


def _shown(text: str) -> str:
    """A command-line value quoted for an error message: repr (so nothing in it drives the terminal), short."""
    shown = repr(text)
    return shown if len(shown) <= 40 else shown[:39] + "\u2026"


def timer_scale(text: str) -> float:
    """argparse type of --timer-scale: a finite number from 0.25 to 10 (NaN and infinity refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number: {value}").format(value=_shown(text))) from None
    if not (math.isfinite(value) and TIMER_SCALE_MIN <= value <= TIMER_SCALE_MAX):
        raise argparse.ArgumentTypeError(_("must be a number from {low} to {high}, not {value}").format(
            low=f"{TIMER_SCALE_MIN:g}", high=f"{TIMER_SCALE_MAX:g}", value=_shown(text)))
    return value


def _seed_range() -> str:
    """The refusal of a bad --seed (one message for both checks below)."""
    return _("must be a whole number from 0 to 2**63 - 1, not {value}")


def seed(text: str) -> int:
    """argparse type of --seed: a whole number from 0 to 2**63 - 1."""
    stripped = text.strip()
    if len(stripped) > 24 or not stripped.lstrip("+-").isdigit():  # no 4,300-digit conversions
        raise argparse.ArgumentTypeError(_seed_range().format(value=_shown(text)))
    value = int(stripped)
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(_seed_range().format(value=_shown(text)))
    return value


def since_time(value: str | None) -> str | None:
    """`--since YYYY-MM-DD` as a stored UTC time (simulator/records): the start of that day where the
    command runs (a trainer means their own calendar day). None without a date; raises ValueError."""
    if not value:
        return None
    from datetime import datetime, timezone
    day = datetime.strptime(value.strip(), "%Y-%m-%d")
    return day.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
