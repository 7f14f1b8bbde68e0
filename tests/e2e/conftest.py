"""The whole system as real processes: NATS (its own server), PostgreSQL (the session's), five services."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.stack import LocalStack


@pytest.fixture(scope="module")
def e2e_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path_factory.mktemp("e2e-nats")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack_env() -> dict[str, str]:
    """Extra environment for every service of the module's stack (a test module overrides this fixture)."""
    return {}


@pytest.fixture(scope="module")
def stack(
    e2e_nats: NatsServer,
    postgres_admin_url: str,
    jwt_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
    stack_env: dict[str, str],
) -> Iterator[LocalStack]:
    state: Path = tmp_path_factory.mktemp("e2e-stack")
    s = LocalStack(
        state_dir=state,
        database_admin_url=postgres_admin_url,
        nats_url=e2e_nats.url,
        jwt_secret=jwt_secret,
        database_prefix=f"e2e_{uuid.uuid4().hex[:8]}",
        extra_env=stack_env,
    )
    s.start_infrastructure()
    try:
        s.start_services()
        yield s
    finally:
        s.stop()


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def auth(token_factory: Callable[..., str], werkgever: str) -> Callable[[str, str], dict[str, str]]:
    def headers(rol: str, sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_factory(sub=sub, rol=rol, werkgever_id=werkgever)}"}

    return headers
