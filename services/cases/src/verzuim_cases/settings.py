"""Settings of the cases service. Every value can be overridden by an environment variable `VERZUIM_<NAME>`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
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

    # Intake consumer: messages fetched (and stored in one transaction) per batch.
    intake_batch_size: int = Field(default=256, ge=1, le=1000)
    # A snapshot of a dossier every this many versions, so replay at any version reads at most this many events.
    snapshot_interval: int = Field(default=25, ge=2, le=10_000)

    # Documents: a local folder (default) or an S3-compatible object store.
    document_store: Literal["local", "s3"] = "local"
    document_dir: Path = Path(".verzuim/documents")
    document_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    s3_bucket: str = "verzuim-documenten"
    s3_endpoint_url: str = ""  # empty: AWS itself
    s3_region: str = "eu-west-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")
    s3_create_bucket: bool = False  # create the bucket at startup when it is missing (local setups)
