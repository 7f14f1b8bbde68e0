"""Settings of the notifications service; every value can be set with an environment variable `VERZUIM_<NAME>`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from verzuim_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    http_port: int = 8004
    # The notifications service owns its own database (deploy/postgres/init.sql creates it).
    database_url: str = "postgresql://postgres@127.0.0.1:5432/verzuim_notifications"
    # Connections to it. Each event being routed holds one for its whole unit of work (a few milliseconds), the
    # others wait for one: what the database can run at once limits throughput, not the messages in flight (on a
    # 2-core machine 8, 16 and 32 route equally fast, see the README).
    database_pool_max: int = Field(default=8, ge=2)
    # The preset that routes a werkgever that has not chosen a regiemodel (see GET /v1/routering/presets).
    standaard_regiemodel: str = "model-i"

    # E-mail: off while no SMTP host is set (messages then go to the inbox, and webhooks, only).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_beveiliging: Literal["geen", "starttls", "tls"] = "geen"
    smtp_gebruiker: str = ""
    smtp_wachtwoord: SecretStr = SecretStr("")
    smtp_afzender: str = "verzuim@localhost"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    # Connections kept open to the SMTP server (one per sending thread), each renewed after this many messages.
    smtp_verbindingen: int = Field(default=4, ge=1, le=64)
    smtp_max_per_verbinding: int = Field(default=100, ge=1)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    # A webhook URL must be https to a public address. Hosts listed here (as written in the URL, e.g. 127.0.0.1 or
    # localhost) may be called over http and at an internal address: a receiver on the same machine in development.
    webhook_toegestane_hosts: tuple[str, ...] = ()

    # Delivery of e-mail and webhooks: exponential back-off, then the dead-letter list.
    aflever_backoff_basis_s: float = Field(default=30.0, gt=0)
    aflever_backoff_factor: float = Field(default=2.0, ge=1)
    aflever_backoff_max_s: float = Field(default=3600.0, gt=0)
    aflever_max_pogingen: int = Field(default=8, ge=1)
    bezorger_interval_s: float = Field(default=1.0, gt=0, description="Poll for due deliveries this often")
    bezorger_batch: int = Field(default=50, ge=1)
    bezorger_lease_s: float = Field(default=120.0, gt=0, description="A claimed delivery is retried after this")
    # The daily digest (for people who chose `dagelijks`) goes out at this hour, Dutch time.
    digest_uur: int = Field(default=7, ge=0, le=23)
