"""Scoring: grade a session from its event log (see docs/scoring.md)."""
