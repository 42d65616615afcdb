"""The window's screens, one module per part of the flow."""
