"""Settings of the intake service; every value can be set with an environment variable `VERZUIM_<NAME>`."""

from __future__ import annotations

from datetime import time

from pydantic import Field
from verzuim_shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    http_port: int = 8001

    # Default cut-off times for a ziekmelding on the first sick day (Europe/Amsterdam); a werkgever may set its own
    # through PUT /v1/werkgevers/{werkgever_id}/instellingen.
    meldtijd_leidinggevende: time = time(9, 0)
    meldtijd_verzuim_support: time = time(10, 0)

    # How long an Idempotency-Key is remembered (the TTL of the NATS KV bucket verzuim_intake_idempotency).
    idempotency_ttl_s: float = Field(default=24 * 3600, gt=0)
    # A hersteldatum further ahead than this many days is refused.
    herstel_max_dagen_vooruit: int = Field(default=7, ge=0)

    # CloudEvents `source` of everything intake publishes.
    event_source: str = "urn:verzuim:intake"
    # How long one publish (or KV operation) waits for NATS before the request is answered with 503.
    publish_timeout_s: float = Field(default=5.0, gt=0)
    # At most this many publishes in flight during a bulk personeel sync.
    publish_concurrency: int = Field(default=200, ge=1)
    # Retry-After (seconds) on a 503 when NATS cannot take a publish.
    retry_after_s: int = Field(default=5, ge=1)
