"""Settings of the reporting service; every value can be set with an environment variable `VERZUIM_<NAME>`."""

from __future__ import annotations

from pydantic import Field
from verzuim_shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    http_port: int = 8005
    # The reporting service owns its own database (deploy/postgres/init.sql creates it).
    database_url: str = "postgresql://postgres@127.0.0.1:5432/verzuim_reporting"
    # Larger fetches than the other services: the projector applies what arrives together in one transaction
    # (group commit), so the batch size is what sets its throughput.
    consumer_batch_size: int = Field(default=256, ge=1)
    # The rebuild reads the streams in this process and projects them in a worker process of its own (two cores);
    # false: all in this process (one core, or where starting a process is not wanted).
    rebuild_worker_process: bool = True
