"""Scoring: grade a session from its event log (see docs/scoring.md)."""
from .grade import LogMismatch, Report, grade

__all__ = ["LogMismatch", "Report", "grade"]
