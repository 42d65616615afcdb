"""Content: from a file to a checked, immutable scenario model (safe YAML, schema, meaning checks,
build, diagnostics and the load cache). It builds the engine's model and imports nothing above it."""
