"""verzuim intake: the HTTP front door that validates ziekmeldingen, herstelmeldingen and the HR sync, and publishes
them as facts on NATS JetStream. Stateless apart from two NATS KV buckets."""
