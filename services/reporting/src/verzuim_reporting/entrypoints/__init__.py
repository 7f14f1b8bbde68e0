"""Entrypoints of the reporting service: the HTTP API and the JetStream consumers."""
