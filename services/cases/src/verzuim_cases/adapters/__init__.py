"""Adapters of the cases service: the PostgreSQL event store and lookup tables, and the outbox relay to JetStream."""
