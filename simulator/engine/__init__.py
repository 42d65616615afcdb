"""The engine: the compiled scenario model, expressions, the step function and `Session`. Pure Python,
no pygame, no I/O; it imports nothing from the rest of Parley (content builds its model, readers read
its event log, presentation shows its views)."""
