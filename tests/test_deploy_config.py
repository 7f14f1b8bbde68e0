"""docker compose cannot run on CI machines, so its consistency with the services is checked here."""

from __future__ import annotations

import fnmatch
import importlib
import re
from pathlib import Path
from typing import Any

import httpx
import yaml
from verzuim_devstack.nats import NatsServer
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


def known_settings(service: str) -> set[str]:
    """The environment variables a service reads: the shared settings and its own settings class."""
    module = importlib.import_module(f"verzuim_{service}.settings")
    classes = [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, ServiceSettings)]
    return {f"VERZUIM_{name.upper()}" for cls in [ServiceSettings, *classes] for name in cls.model_fields}


def test_every_environment_variable_in_compose_is_a_known_setting() -> None:
    for name in SERVICES:
        known = known_settings(name)
        for key in compose()["services"][name]["environment"]:
            assert key in known, f"{name}: {key} is not a setting"


def test_nats_is_configured_to_fsync_every_write() -> None:
    conf = (ROOT / "deploy/nats/nats.conf").read_text()
    assert re.search(r"^\s*sync_interval:\s*always\s*$", conf, re.M)
    assert "/etc/nats/nats.conf" in compose()["services"]["nats"]["command"]


def test_the_docker_build_context_leaves_local_state_out_but_keeps_what_the_dockerfile_copies() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        # Docker's rules as far as this file uses them: a pattern matches the path or one of its parent folders
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(
            fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(prefix, pattern.removeprefix("**/"))
            for pattern in patterns
            for prefix in prefixes
        )

    for local in (".venv/bin/python", ".verzuim/pgdata/PG_VERSION", ".git/HEAD", "shared/src/x/__pycache__/a.pyc"):
        assert ignored(local), local
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", (ROOT / "deploy/Dockerfile").read_text(), re.M)
    sources = [src for line in copied for src in line.split()]
    assert sources == ["pyproject.toml", "uv.lock", "shared", "services", "deploy/local"]
    for source in sources:
        assert not ignored(source), source
        assert (ROOT / source).exists()
    assert not ignored("services/intake/src/verzuim_intake/__main__.py")


def test_the_embedded_nats_server_runs_with_fsync_on_every_write(tmp_path: Path) -> None:
    """What the running server reports, not what we wrote: /varz shows JetStream's sync_always. A server started
    without the setting reports false, so the probe tells the two apart."""

    def sync_always(server: NatsServer) -> bool:
        server.start()
        try:
            varz = httpx.get(f"{server.monitor_url}/varz", timeout=10).json()
        finally:
            server.stop()
        return bool(varz["jetstream"]["config"].get("sync_always", False))  # left out when false

    class DefaultSync(NatsServer):
        def config_text(self) -> str:
            return super().config_text().replace("  sync_interval: always\n", "")

    assert sync_always(NatsServer(tmp_path / "embedded")) is True
    assert sync_always(DefaultSync(tmp_path / "default")) is False


# --------------------------------------------------------------------------------------------- Kubernetes

K8S = ROOT / "deploy" / "k8s"
K8S_VERSION = "1.33.0"


def kustomization() -> dict[str, Any]:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def manifests() -> list[dict[str, Any]]:
    """The resources the kustomization applies, as kustomize would see them (no cluster or kubectl needed)."""
    docs: list[dict[str, Any]] = []
    for resource in kustomization()["resources"]:
        docs.extend(d for d in yaml.safe_load_all((K8S / resource).read_text()) if d)
    return docs


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in manifests() if d["kind"] == kind}


def test_every_manifest_is_valid_against_the_kubernetes_api_schema() -> None:
    import kubernetes_validate

    files = sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    assert "secret.example.yaml" in files
    for name in files:
        for doc in yaml.safe_load_all((K8S / name).read_text()):
            if doc and "apiVersion" in doc and doc.get("kind") != "Kustomization":
                kubernetes_validate.validate(doc, K8S_VERSION, strict=True)  # raises on any unknown or wrong field


def test_the_kustomization_deploys_every_service_with_probes_on_its_own_image() -> None:
    deployments = of_kind("Deployment")
    services = of_kind("Service")
    images = {i["name"] for i in kustomization()["images"]}
    assert set(deployments) == set(SERVICES) == set(services)
    for name in SERVICES:
        pod = deployments[name]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"] == f"verzuim-{name}" and container["image"] in images
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert pod["securityContext"]["runAsUser"] == 10001  # the user deploy/Dockerfile creates
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        env = {e["name"]: e for e in container["env"]}
        assert env["VERZUIM_SERVICE_NAME"]["value"] == name
        assert ("VERZUIM_DATABASE_URL" in env) == (name in SERVICES_WITH_DATABASE)
        selector = services[name]["spec"]["selector"]
        assert selector.items() <= deployments[name]["spec"]["template"]["metadata"]["labels"].items()


def test_every_environment_variable_in_the_manifests_is_a_known_setting_and_every_secret_key_exists() -> None:
    known = {f"VERZUIM_{name.upper()}" for name in ServiceSettings.model_fields}
    config = of_kind("ConfigMap")["verzuim-config"]["data"]
    assert set(config) <= known
    secret_keys = set(yaml.safe_load((K8S / "secret.example.yaml").read_text())["stringData"])
    for name, deployment in of_kind("Deployment").items():
        for env in deployment["spec"]["template"]["spec"]["containers"][0]["env"]:
            assert env["name"] in known | known_settings(name), f"{name}: {env['name']} is not a setting"
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["name"] == "verzuim-secrets" and ref["key"] in secret_keys


def test_replicated_services_have_a_disruption_budget_and_the_ordered_projection_runs_once() -> None:
    budgets = of_kind("PodDisruptionBudget")
    for name, deployment in of_kind("Deployment").items():
        assert (deployment["spec"]["replicas"] > 1) == (name in budgets)
    # reporting applies each stream in order through one durable consumer: two replicas would interleave it
    assert of_kind("Deployment")["reporting"]["spec"]["replicas"] == 1
