"""The whole system as local processes: PostgreSQL, NATS and the five services (each its own process)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from verzuim_devstack.nats import NatsServer
from verzuim_devstack.ports import free_port
from verzuim_devstack.postgres import EmbeddedPostgres

SERVICES: tuple[str, ...] = ("intake", "cases", "deadlines", "notifications", "reporting")
DEFAULT_PORTS = {"intake": 8001, "cases": 8002, "deadlines": 8003, "notifications": 8004, "reporting": 8005}
SERVICES_WITH_DATABASE = ("cases", "deadlines", "notifications", "reporting")


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # A Ctrl-C that lands inside Popen (after the fork, before `self.proc` is set) would leave a process nobody
        # stops: note it while Popen runs and raise it once the process is recorded. (A handler, not a blocked signal
        # mask: exec resets a handler in the child, but the child would inherit a mask.)
        onderbroken: list[int] = []
        vorige = signal.getsignal(signal.SIGINT)
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread:
            signal.signal(signal.SIGINT, lambda signum, frame: onderbroken.append(signum))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", f"verzuim_{self.name}"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        finally:
            if in_main_thread:
                signal.signal(signal.SIGINT, vorige)
        if onderbroken:
            raise KeyboardInterrupt

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; log:\n{self.tail_log()}")
            try:
                r = httpx.get(f"{self.url}/readyz", timeout=2)
                if r.status_code == 200:
                    return
                last = r.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready after {timeout}s ({last}); log:\n{self.tail_log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def tail_log(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class LocalStack:
    """Starts what is not given from outside. `database_admin_url`/`nats_url` point at external servers."""

    state_dir: Path
    database_admin_url: str | None = None
    nats_url: str | None = None
    jwt_secret: str | None = None
    fixed_ports: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict)
    database_prefix: str = "verzuim"
    postgres: EmbeddedPostgres | None = None
    nats: NatsServer | None = None
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def start_infrastructure(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # Each server is known to the stack before it starts, so stop() also stops one whose start was interrupted.
        if self.database_admin_url is None:
            self.postgres = EmbeddedPostgres(self.state_dir / "pgdata")
            self.postgres.start()
            self.database_admin_url = self.postgres.admin_url
        if self.nats_url is None:
            self.nats = NatsServer(self.state_dir / "nats")
            self.nats.start()
            self.nats_url = self.nats.url
        if self.jwt_secret is None:
            secret_file = self.state_dir / "jwt-secret"
            if not secret_file.exists():
                secret_file.write_text(secrets.token_urlsafe(48))
                secret_file.chmod(0o600)
            self.jwt_secret = secret_file.read_text().strip()
        asyncio.run(self._create_databases())

    def database_url(self, service: str) -> str:
        assert self.database_admin_url is not None
        base, _, _ = self.database_admin_url.rpartition("/")
        return f"{base}/{self.database_prefix}_{service}"

    async def _create_databases(self) -> None:
        from verzuim_shared.db import ensure_database

        assert self.database_admin_url is not None
        for service in SERVICES_WITH_DATABASE:
            await ensure_database(self.database_admin_url, f"{self.database_prefix}_{service}")

    def service_env(self, name: str, ports: Mapping[str, int]) -> dict[str, str]:
        assert self.nats_url and self.jwt_secret
        env = dict(os.environ)
        env.update(
            {
                "VERZUIM_SERVICE_NAME": name,
                "VERZUIM_NATS_URL": self.nats_url,
                "VERZUIM_HTTP_HOST": "127.0.0.1",
                "VERZUIM_HTTP_PORT": str(ports[name]),
                "VERZUIM_AUTH_JWT_SECRET": self.jwt_secret,
                "VERZUIM_PUBLIC_URL_CASES": f"http://127.0.0.1:{ports['cases']}",
                "VERZUIM_PUBLIC_URL_DEADLINES": f"http://127.0.0.1:{ports['deadlines']}",
            }
        )
        if name in SERVICES_WITH_DATABASE:
            env["VERZUIM_DATABASE_URL"] = self.database_url(name)
        if name == "cases":
            env["VERZUIM_DOCUMENT_DIR"] = str(self.state_dir / "documents")
        env.update(self.extra_env)
        return env

    def start_services(self, names: tuple[str, ...] = SERVICES) -> None:
        ports = {n: (DEFAULT_PORTS[n] if self.fixed_ports else free_port()) for n in SERVICES}
        for name in SERVICES:
            if name in self.services:
                ports[name] = self.services[name].port
        for name in names:
            svc = ServiceProcess(
                name, ports[name], self.service_env(name, ports), self.state_dir / "logs" / f"{name}.log"
            )
            self.services[name] = svc
            svc.start()
        for name in names:
            self.services[name].wait_ready()

    def restart_service(self, name: str, *, kill: bool = False) -> None:
        svc = self.services[name]
        svc.kill() if kill else svc.stop()
        svc.start()
        svc.wait_ready()

    def stop(self) -> None:
        for svc in reversed(list(self.services.values())):
            svc.stop()
        if self.nats is not None:
            self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()
