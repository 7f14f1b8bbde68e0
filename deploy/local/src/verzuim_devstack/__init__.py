"""Local stack for the embedded default, demos and tests."""
