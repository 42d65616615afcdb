"""Authoring tools, readers of the engine: lint, graph, analyze and new (docs/authoring.md)."""
