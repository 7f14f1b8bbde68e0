"""The pytest plugin of the dev stack: the opt-in container path fails loudly without a Docker engine, never skips.

(Our CI machines have no Docker engine, so the containers themselves are not started here; the default, the
servers from the wheels, is what every other test in the suite runs on.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("fixture", ["nats_url", "postgres_admin_url"])
def test_containers_asked_for_without_a_docker_engine_fail_the_session_loudly(tmp_path: Path, fixture: str) -> None:
    (tmp_path / "test_probe.py").write_text(f"def test_probe({fixture}):\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERZUIM_", "DOCKER_"))}
    env |= {"VERZUIM_TEST_CONTAINERS": "1", "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "VERZUIM_TEST_CONTAINERS=1 is set but no Docker engine answers" in output
    assert "1 error" in output and "skipped" not in output
