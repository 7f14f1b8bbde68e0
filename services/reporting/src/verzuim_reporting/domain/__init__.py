"""Pure reporting rules and models: no I/O, no clock, no framework."""
