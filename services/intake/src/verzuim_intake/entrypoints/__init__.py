"""How requests reach the intake: the HTTP API (the intake has no message consumers)."""
