"""Settings of the deadlines service; every value can be set with an environment variable `VERZUIM_<NAME>`."""

from __future__ import annotations

from pydantic import Field
from verzuim_shared.settings import ServiceSettings


class DeadlinesSettings(ServiceSettings):
    service_name: str = "deadlines"
    http_port: int = 8003
    # The deadlines service owns its own database (deploy/postgres/init.sql creates it).
    database_url: str = "postgresql://postgres@127.0.0.1:5432/verzuim_deadlines"

    # Outbox relay of the termijn events: how often it looks for unpublished events when nothing woke it, and how
    # many it publishes per round.
    outbox_poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    outbox_batch_size: int = Field(default=100, ge=1, le=1000)
    # The scheduler (nadert / verstreken): how often it looks at the clock, and how many rows it claims per round.
    scheduler_interval_s: float = Field(default=60.0, gt=0, le=3600)
    scheduler_batch_size: int = Field(default=500, ge=1, le=10000)
    # Before a round the scheduler waits until the dossier events that arrived are processed (a fulfilment waiting in
    # the stream must not be signalled as missed), at most this long.
    scheduler_max_wacht_op_feiten_s: float = Field(default=30.0, ge=0, le=600)
    # CloudEvents `source` of the published termijn events.
    event_source: str = "urn:verzuim:deadlines"
