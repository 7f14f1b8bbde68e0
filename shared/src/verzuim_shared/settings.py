"""Settings shared by every service. Every value can be overridden by an environment variable `VERZUIM_<NAME>`."""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from verzuim_shared.clock import Clock, clock_from_setting


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VERZUIM_", extra="ignore", frozen=True)

    service_name: str = "verzuim"
    nats_url: str = "nats://127.0.0.1:4222"
    # postgresql://user:password@host:port/dbname (each service owns its own database or schema)
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Where the other services can be reached by a client, used to build links in responses.
    public_url_cases: str = "http://127.0.0.1:8002"
    public_url_deadlines: str = "http://127.0.0.1:8003"

    # Auth: HS256 with a shared secret, or RS256/ES256 with a PEM public key of the identity provider.
    auth_jwt_secret: SecretStr = SecretStr("")
    auth_jwt_public_key: str = ""
    auth_issuer: str = "verzuim"
    auth_audience: str = "verzuim"

    clock: str = "system"

    # JetStream: production runs 3 replicas; the embedded and compose defaults run one.
    stream_replicas: int = Field(default=1, ge=1, le=5)
    stream_max_age_days: int = Field(default=0, ge=0, description="0 keeps history forever")
    stream_duplicate_window_s: float = Field(default=24 * 3600, gt=0)
    consumer_max_deliver: int = Field(default=8, ge=1)
    consumer_ack_wait_s: float = Field(default=30.0, gt=0)
    consumer_backoff_s: tuple[float, ...] = (0.2, 1.0, 5.0, 15.0, 30.0)
    consumer_batch_size: int = Field(default=64, ge=1)

    log_level: str = "INFO"

    @cached_property
    def clock_impl(self) -> Clock:
        return clock_from_setting(self.clock)

    def database_parts(self) -> dict[str, str]:
        """The database URL split into the pieces libraries such as eventsourcing want."""
        parts = urlsplit(self.database_url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ValueError(f"VERZUIM_DATABASE_URL must be a postgresql:// URL, got {self.database_url!r}")
        return {
            "host": parts.hostname or "127.0.0.1",
            "port": str(parts.port or 5432),
            "user": parts.username or "postgres",
            "password": parts.password or "",
            "dbname": (parts.path or "/postgres").lstrip("/") or "postgres",
        }
