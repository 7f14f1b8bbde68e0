"""Settings of the notifications service; every value can be set with an environment variable `VERZUIM_<NAME>`."""

from __future__ import annotations

from verzuim_shared.events import Rol
from verzuim_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    http_port: int = 8004
    # The notifications service owns its own database (deploy/postgres/init.sql creates it).
    database_url: str = "postgresql://postgres@127.0.0.1:5432/verzuim_notifications"
    # The role whose inbox receives what cannot be routed to a person (e.g. no leidinggevende is known).
    fallback_rol: Rol = Rol.HR
