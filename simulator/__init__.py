"""Parley's simulator: scenario loader, escalation state machine and headless engine."""
__version__ = "0.1.0"
