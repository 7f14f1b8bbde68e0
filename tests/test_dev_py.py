"""dev.py on a Python without ensurepip (Debian/Ubuntu without python3-venv). There `venv` makes the folder and then
fails when it runs `python -m ensurepip` in it (CalledProcessError); the test makes that step fail the same way.
dev.py runs on a copy next to a tiny project of its own, so the real .venv is untouched."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).parent / "uv"


def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "dev.py", root / "dev.py")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "probe"\nversion = "0"\nrequires-python = ">=3.11"\ndependencies = []\n\n'
        "[tool.uv]\npackage = false\n"
    )
    subprocess.run([str(UV), "lock", "--quiet"], cwd=root, check=True)
    return root


WITHOUT_ENSUREPIP = """
import subprocess, venv
import dev

def no_ensurepip(self, context):  # what venv meets on Debian/Ubuntu without python3-venv
    raise subprocess.CalledProcessError(1, [context.env_exec_cmd, "-m", "ensurepip"])

venv.EnvBuilder._setup_pip = no_ensurepip
dev.ensure_environment()
"""


def ensure_environment(root: Path, path: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_ENSUREPIP],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_ensurepip_a_uv_on_the_path_makes_the_environment(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = ensure_environment(root, f"{UV.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no ensurepip" in output
    python = root / ".venv" / "bin" / "python"
    assert subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"], capture_output=True).returncode == 0
    pinned = re.search(r'^UV_VERSION = "(.+)"$', (REPO / "dev.py").read_text(), re.M)
    assert pinned is not None
    version = subprocess.run([str(root / ".venv" / "bin" / "uv"), "--version"], capture_output=True, text=True).stdout
    assert pinned.group(1) in version


def test_without_ensurepip_and_without_uv_it_says_what_to_install(tmp_path: Path) -> None:
    root = project(tmp_path)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    result = ensure_environment(root, str(empty))
    assert result.returncode != 0
    assert "sudo apt-get install python3-venv" in result.stderr and "uv" in result.stderr
    assert not (root / ".venv").exists(), "a half-made environment would make the next run fail obscurely"
