"""The README's run command on the embedded default: it comes up, the demo data is visible, Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from verzuim_devstack.testing import eventually_sync


@pytest.mark.timeout(300)
def test_run_command_brings_the_seeded_system_up_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    state = tmp_path / "state"
    exe = Path(sys.executable).parent / "verzuim-dev"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERZUIM_")}
    log = open(tmp_path / "up.log", "wb")
    proc = subprocess.Popen([str(exe), "--state-dir", str(state), "up"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        stack_file = state / "stack.json"

        def up() -> dict[str, Any] | None:
            assert proc.poll() is None, (tmp_path / "up.log").read_text()
            return json.loads(stack_file.read_text()) if stack_file.exists() else None

        info = eventually_sync(up, timeout=240, interval=0.5)
        urls = info["services"]
        hr = {"Authorization": f"Bearer {info['tokens']['hr']}"}
        lg = {"Authorization": f"Bearer {info['tokens']['leidinggevende']}"}

        def demo_visible() -> bool:
            dossiers = httpx.get(f"{urls['cases']}/v1/dossiers", headers=hr).json()
            report = httpx.get(f"{urls['reporting']}/v1/rapportages/open-dossiers", headers=hr).json()
            inbox = httpx.get(f"{urls['notifications']}/v1/inbox", headers=lg).json()
            listed = dossiers if isinstance(dossiers, list) else dossiers.get("items", [])
            inbox_items = inbox if isinstance(inbox, list) else inbox.get("items", [])
            return len(listed) == 4 and report["totaal"] == 4 and len(inbox_items) >= 1

        eventually_sync(demo_visible, timeout=60, interval=0.5)

        # the demo werkgever's personeel (3 afdelingen, 20 medewerkers) as reporting sees it, counted per afdeling
        def personeel_visible() -> bool:
            afdelingen = httpx.get(f"{urls['reporting']}/v1/rapportages/afdelingen", headers=hr).json()
            vandaag = afdelingen["vandaag"]
            cijfers = httpx.get(
                f"{urls['reporting']}/v1/rapportages/kerncijfers",
                params={"van": vandaag, "tot": vandaag, "groepering": "afdeling"},
                headers=hr,
            ).json()
            namen = {a["afdeling_id"]: a["naam"] for a in afdelingen["afdelingen"]}
            per_afdeling = {g["groep"]["id"]: g["aantallen"]["werknemers"] for g in cijfers["groepen"]}
            return (
                namen == {"magazijn": "Magazijn", "winkel": "Winkel Centrum", "kantoor": "Kantoor"}
                and cijfers["totaal"]["aantallen"]["werknemers"] == 20
                and per_afdeling == {"magazijn": 7, "winkel": 7, "kantoor": 6}
            )

        eventually_sync(personeel_visible, timeout=60, interval=0.5)
        output = (tmp_path / "up.log").read_text()
        assert "/docs" in output and "TOKEN_HR=" in output and "curl" in output

        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 6  # nats and the five services (PostgreSQL daemonizes under pg_ctl)
        assert (state / "pgdata" / "postmaster.pid").exists()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], f"still running after Ctrl-C: {[(p.pid, p.cmdline()) for p in alive]}"
        assert "stopped." in (tmp_path / "up.log").read_text()
        assert not (state / "pgdata" / "postmaster.pid").exists(), "PostgreSQL still running after Ctrl-C"
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()


@pytest.mark.timeout(180)
def test_ctrl_c_while_starting_stops_at_once_and_leaves_nothing_running(tmp_path: Path) -> None:
    """Ctrl-C as soon as the servers are up, while the services are still starting: it must not first finish the
    start-up (the services, the seed, up to 90 s of waiting for the demo data) but stop everything started so far."""
    state = tmp_path / "state"
    exe = Path(sys.executable).parent / "verzuim-dev"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERZUIM_")}
    log_path = tmp_path / "up.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(exe), "--state-dir", str(state), "up"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        eventually_sync(lambda: "  NATS " in log_path.read_text(), timeout=120, interval=0.05)
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 130
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], f"still running after Ctrl-C: {[(p.pid, p.cmdline()) for p in alive]}"
        output = log_path.read_text()
        assert "interrupted while starting" in output and "stopped." in output
        assert "verzuim is up" not in output and "seeding demo data" not in output
        assert not (state / "pgdata" / "postmaster.pid").exists(), "PostgreSQL still running after Ctrl-C"
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
