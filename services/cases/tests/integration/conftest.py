"""Fixtures for the cases integration tests: real PostgreSQL (a fresh database per test) and the session's NATS."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from uuid import uuid4

import psycopg
import pytest
from pydantic import SecretStr
from verzuim_cases.application import DossierApplication
from verzuim_cases.settings import CasesSettings


@pytest.fixture
def cases_settings(nats_url: str, database_url: str, jwt_secret: str) -> CasesSettings:
    settings = CasesSettings(
        nats_url=nats_url,
        database_url=database_url,
        auth_jwt_secret=SecretStr(jwt_secret),
        consumer_backoff_s=(0.1, 0.3, 1.0),
        relay_poll_interval_s=0.1,
    )
    # Each test has a fresh database, so its notification ids would start at 1 every time, while the session's
    # NATS keeps remembering Nats-Msg-Id "cases:<n>" for the dedupe window. Start this database's notification ids
    # at a unique offset, so one test's events are not dropped as duplicates of another test's.
    DossierApplication.from_settings(settings).close()  # creates the tables
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('cases_events', 'notification_id'), %s)",
            (secrets.randbelow(10**12) * 1000 + 1,),
        )
    return settings


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid4().hex[:8]}"


@pytest.fixture
def auth(token_factory: Callable[..., str], werkgever: str) -> Callable[..., dict[str, str]]:
    def headers(rol: str = "hr", sub: str = "hr-1", werkgever_id: str | None = None) -> dict[str, str]:
        token = token_factory(sub=sub, rol=rol, werkgever_id=werkgever_id or werkgever)
        return {"Authorization": f"Bearer {token}"}

    return headers
