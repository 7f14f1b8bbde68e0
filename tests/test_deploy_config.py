"""docker compose cannot run on CI machines, so its consistency with the services is checked here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from verzuim_devstack.stack import SERVICES, SERVICES_WITH_DATABASE
from verzuim_shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_every_service_from_its_own_image() -> None:
    services = compose()["services"]
    for name in SERVICES:
        svc = services[name]
        assert svc["build"]["args"]["SERVICE"] == name
        assert svc["environment"]["VERZUIM_SERVICE_NAME"] == name
        assert svc["environment"]["VERZUIM_NATS_URL"] == "nats://nats:4222"
        assert (ROOT / "services" / name / "src" / f"verzuim_{name}" / "__main__.py").exists()


def test_every_database_the_services_use_is_created() -> None:
    services = compose()["services"]
    created = set(re.findall(r"CREATE DATABASE (\w+);", (ROOT / "deploy/postgres/init.sql").read_text()))
    for name in SERVICES_WITH_DATABASE:
        url = services[name]["environment"]["VERZUIM_DATABASE_URL"]
        assert url.rsplit("/", 1)[1] in created
        assert ServiceSettings(database_url=url).database_parts()["host"] == "postgres"


def test_every_environment_variable_in_compose_is_a_known_setting() -> None:
    known = {f"VERZUIM_{name.upper()}" for name in ServiceSettings.model_fields}
    for name in SERVICES:
        for key in compose()["services"][name]["environment"]:
            assert key in known, f"{name}: {key} is not a setting"


def test_nats_is_configured_to_fsync_every_write() -> None:
    conf = (ROOT / "deploy/nats/nats.conf").read_text()
    assert re.search(r"^\s*sync_interval:\s*always\s*$", conf, re.M)
    assert "/etc/nats/nats.conf" in compose()["services"]["nats"]["command"]
