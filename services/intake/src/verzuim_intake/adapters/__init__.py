"""NATS adapters: the JetStream publisher and the two KV buckets the intake keeps its little state in."""
