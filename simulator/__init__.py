"""Parley's simulator: content (file to model), engine (model, step, Session), the window and the
command line; see docs/architecture.md for the layers."""
__version__ = "0.1.0"
