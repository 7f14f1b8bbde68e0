"""Adapters of the deadlines service: its PostgreSQL store and the outbox relay to JetStream."""
