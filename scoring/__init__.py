"""Scoring: grade a session from its event log (see docs/scoring.md)."""
from .grade import Report, grade

__all__ = ["Report", "grade"]
