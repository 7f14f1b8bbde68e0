"""Entrypoints of the cases service: the HTTP API and the intake consumer."""
