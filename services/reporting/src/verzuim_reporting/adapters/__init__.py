"""Adapters of the reporting service: the PostgreSQL read model."""
