"""The HTTP API and the JetStream consumers."""
