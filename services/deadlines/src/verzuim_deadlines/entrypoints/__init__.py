"""Entrypoints of the deadlines service: the HTTP API and the JetStream consumer."""
