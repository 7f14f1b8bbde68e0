#!/usr/bin/env python3
"""The two commands of verzuim. Needs nothing but Python 3.11+.

    python3 dev.py up      set up the environment and run the whole system (embedded PostgreSQL + NATS), seeded
    python3 dev.py test    set up the environment and run the checks: ruff, mypy and the whole test suite

Both create `.venv` on first use (a virtualenv with uv, then `uv sync` from the committed uv.lock).
Extra arguments are passed on: `python3 dev.py up --no-seed`, `python3 dev.py test -k intake -x`.

Debian and Ubuntu leave `ensurepip` out of their system Python (it comes with the python3-venv package). Without it
the virtualenv is made by a `uv` found on the PATH, if there is one; otherwise this says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
UV_VERSION = "0.13.9"
PACKAGES = [
    "verzuim_shared",
    "verzuim_devstack",
    "verzuim_intake",
    "verzuim_cases",
    "verzuim_deadlines",
    "verzuim_notifications",
    "verzuim_reporting",
]


def run(cmd: list[str], **kwargs: object) -> None:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def _version_of(exe: Path) -> str:
    """What `exe --version` prints; empty when it is missing or broken (e.g. an install that was interrupted)."""
    try:
        return subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout
    except OSError:
        return ""


NO_ENSUREPIP = f"""
This Python ({sys.executable}) cannot make a virtualenv with pip: its `ensurepip` is missing, as on Debian and
Ubuntu without the python3-venv package. Either
  - install it:   sudo apt-get install python3-venv   (or python{sys.version_info[0]}.{sys.version_info[1]}-venv)
  - or put uv on the PATH (https://docs.astral.sh/uv/, e.g. `pipx install uv`),
and run this command again.
"""


def _system_uv() -> str:
    found = shutil.which("uv")
    if found is None:
        sys.exit(NO_ENSUREPIP)
    return found


def create_environment() -> None:
    print(f"creating {VENV} ...", flush=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        return
    except subprocess.CalledProcessError:
        pass  # no ensurepip: the half-made folder goes, and uv makes the virtualenv instead
    shutil.rmtree(VENV, ignore_errors=True)
    uv = _system_uv()
    print(f"no ensurepip in {sys.executable}: making {VENV} with {uv}", flush=True)
    # --seed puts pip in it, so everything after this is the same as with a virtualenv from ensurepip
    run([uv, "venv", "--seed", "--quiet", "--python", sys.executable, str(VENV)])


def ensure_environment() -> None:
    python = BIN / "python"
    if not python.exists():
        create_environment()
    uv = BIN / "uv"
    if UV_VERSION not in _version_of(uv):
        run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--force-reinstall",
                f"uv=={UV_VERSION}",
            ]
        )
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV), UV_PYTHON=str(python))
    run([str(uv), "sync", "--all-packages", "--frozen", "--quiet"], env=env)


def cmd_up(args: list[str]) -> None:
    ensure_environment()
    exe = str(BIN / "verzuim-dev")
    os.chdir(ROOT)
    os.execv(exe, [exe, "up", *args])


def cmd_test(args: list[str]) -> None:
    ensure_environment()
    run([str(BIN / "ruff"), "check", "."])
    run([str(BIN / "ruff"), "format", "--check", "."])
    mypy = [str(BIN / "mypy")]
    for package in PACKAGES:
        mypy += ["-p", package]
    run(mypy)
    result = subprocess.run([str(BIN / "pytest"), *args], cwd=ROOT)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"up": cmd_up, "test": cmd_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    try:
        commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode or 1)


if __name__ == "__main__":
    main()
