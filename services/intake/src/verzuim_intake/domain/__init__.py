"""Pure rules and models of the intake: no I/O, no clock reads, no framework."""
