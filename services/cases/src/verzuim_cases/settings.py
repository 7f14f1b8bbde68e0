"""Settings of the cases service. Every value can be overridden by an environment variable `VERZUIM_<NAME>`."""

from __future__ import annotations

from pydantic import Field
from verzuim_shared.settings import ServiceSettings

# The notification log is read in sections of at most this many items (eventsourcing's `log_section_size`).
MAX_RELAY_BATCH_SIZE = 1000


class CasesSettings(ServiceSettings):
    service_name: str = "cases"
    http_port: int = 8002

    # Outbox relay: how often it looks at the notification log when nothing woke it, and how many stored
    # events it publishes per round before it records its position.
    relay_poll_interval_s: float = Field(default=0.2, gt=0, le=60)
    relay_batch_size: int = Field(default=100, ge=1, le=MAX_RELAY_BATCH_SIZE)
    # CloudEvents `source` of the public dossier events.
    relay_source: str = "urn:verzuim:cases"
