"""Deliveries per second of the notifications service: to the inbox, and over SMTP.

    .venv/bin/python bench/notifications.py [--n 300] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Runs the real service in-process (its consumers, outbox dispatcher and PostgreSQL store) against a NATS server and an
SMTP server (aiosmtpd) started here, and an embedded PostgreSQL unless --database-url is given. For each channel it
also measures a baseline in the same run, so the ratio says what routing and exactly-once bookkeeping cost:

- inbox: publishing the same number of DossierGeopend events to JetStream (the rate the facts can arrive at);
- SMTP: sending the same number of e-mails straight to the same SMTP server with smtplib, one connection each.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import smtplib
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from pydantic import SecretStr
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.ports import free_port
from verzuim_devstack.postgres import EmbeddedPostgres
from verzuim_notifications.bootstrap import create_app
from verzuim_notifications.settings import NotificationsSettings
from verzuim_shared.events import Actor, AfdelingVastgelegd, DossierGeopend, Event, MedewerkerInDienst, Rol
from verzuim_shared.ids import dossier_id_for_melding
from verzuim_shared.messaging import ensure_streams, publish_event


class Teller:
    """Counts the e-mails the SMTP server accepted: all of them, and the ziekmeldingen among them."""

    def __init__(self) -> None:
        self.aantal = 0
        self.ziekmeldingen = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by this name
        self.aantal += 1
        if b"Subject: Ziekmelding" in envelope.content:
            self.ziekmeldingen += 1
        return "250 OK"


def basis(werkgever: str) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4(),
        "werkgever_id": werkgever,
        "geregistreerd_op": datetime.now(UTC),
        "actor": Actor(id="bench", rol=Rol.SYSTEEM),
    }


def ziekmeldingen(werkgever: str, n: int) -> list[Event]:
    events: list[Event] = []
    for i in range(n):
        melding_id = uuid.uuid4()
        events.append(
            DossierGeopend(
                **basis(werkgever),
                dossier_id=dossier_id_for_melding(melding_id),
                versie=1,
                werknemer_id=f"wn-{i % 50}",
                melding_id=melding_id,
                eerste_ziektedag=date.today() - timedelta(days=i % 700),
                gemeld_op=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
    return events


async def publiceer(broker: NatsBroker, events: list[Event]) -> float:
    t0 = time.perf_counter()
    for e in events:
        await publish_event(broker, e, source="urn:verzuim:bench")
    return time.perf_counter() - t0


def tel(database_url: str, sql: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


async def wacht_tot(probe: Any, doel: int, timeout: float = 600) -> float:
    t0 = time.perf_counter()
    while probe() < doel:
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"only {probe()} of {doel} after {timeout}s")
        await asyncio.sleep(0.02)
    return time.perf_counter() - t0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="ziekmeldingen per measurement")
    parser.add_argument("--database-url", help="an admin URL of an existing PostgreSQL (default: embedded)")
    args = parser.parse_args()
    n: int = args.n

    with tempfile.TemporaryDirectory() as tmp:
        nats = NatsServer(Path(tmp) / "nats").start()
        pg = None if args.database_url else EmbeddedPostgres(Path(tmp) / "pg").start()
        admin = args.database_url or pg.admin_url  # type: ignore[union-attr]
        db = f"bench_notifications_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
        database_url = admin.rsplit("/", 1)[0] + f"/{db}"
        teller = Teller()
        smtp = Controller(teller, hostname="127.0.0.1", port=free_port())
        smtp.start()
        try:
            settings = NotificationsSettings(
                nats_url=nats.url,
                database_url=database_url,
                auth_jwt_secret=SecretStr(secrets.token_urlsafe(16)),
                smtp_host="127.0.0.1",
                smtp_port=smtp.port,
                bezorger_interval_s=0.05,
                log_level="WARNING",
            )
            broker = NatsBroker(nats.url)
            await broker.connect()
            await ensure_streams(broker.connection.jetstream(), settings)
            with TestClient(create_app(settings)):
                # inbox only: leidinggevenden without an e-mail address
                wg = "bench-inbox"
                org: list[Event] = [AfdelingVastgelegd(**basis(wg), afdeling_id="a", naam="A", leidinggevende_id="lg")]
                org += [
                    MedewerkerInDienst(
                        **basis(wg),
                        werknemer_id=f"wn-{i}",
                        datum_in_dienst=date(2020, 1, 1),
                        naam=f"Wn {i}",
                        afdeling_id="a",
                        contracturen=32,
                        voltijduren=40,
                    )
                    for i in range(50)
                ]
                await publiceer(broker, org)
                t0 = time.perf_counter()
                await publiceer(broker, ziekmeldingen(wg, n))
                t_inbox = (
                    time.perf_counter()
                    - t0
                    + await wacht_tot(
                        lambda: tel(
                            database_url,
                            "SELECT count(*) FROM bericht WHERE werkgever_id = 'bench-inbox' AND kanaal = 'inbox' "
                            "AND type = 'ziekmelding'",
                        ),
                        n,
                    )
                )

                # e-mail: the leidinggevende has an address
                wg2 = "bench-email"
                org2: list[Event] = [
                    AfdelingVastgelegd(**basis(wg2), afdeling_id="a", naam="A", leidinggevende_id="lg")
                ]
                org2 += [
                    MedewerkerInDienst(
                        **basis(wg2),
                        werknemer_id=w,
                        datum_in_dienst=date(2020, 1, 1),
                        naam=w,
                        email=f"{w}@example.org",
                        afdeling_id="a",
                        contracturen=32,
                        voltijduren=40,
                    )
                    for w in ["lg", *(f"wn-{i}" for i in range(50))]
                ]
                await publiceer(broker, org2)
                voor = teller.ziekmeldingen
                t0 = time.perf_counter()
                await publiceer(broker, ziekmeldingen(wg2, n))
                t_email = time.perf_counter() - t0 + await wacht_tot(lambda: teller.ziekmeldingen - voor, n)
                frequent = tel(
                    database_url,
                    "SELECT count(*) FROM bericht WHERE werkgever_id = 'bench-inbox' AND type = 'frequent_verzuim'",
                )
                # measured last, so the service's consuming them cannot slow the measurements above
                basislijn = await publiceer(broker, ziekmeldingen(wg, n))
            await broker.stop()

            def direct() -> float:
                t0 = time.perf_counter()
                for i in range(n):
                    msg = EmailMessage()
                    msg["From"], msg["To"], msg["Subject"] = "bench@example.org", "lg@example.org", f"direct {i}"
                    msg.set_content("bench")
                    with smtplib.SMTP("127.0.0.1", smtp.port) as s:
                        s.send_message(msg)
                return time.perf_counter() - t0

            t_direct = await asyncio.to_thread(direct)
        finally:
            smtp.stop()
            nats.stop()
            if pg is not None:
                pg.stop()

    print(f"n = {n} ziekmeldingen per measurement, plus the frequent-verzuim signals they raise ({frequent} per run)")
    print(f"baseline  publish to JetStream         {n / basislijn:8.1f} events/s")
    print(f"inbox     routed and stored             {n / t_inbox:8.1f} deliveries/s   ratio {basislijn / t_inbox:.2f}")
    print(f"baseline  smtplib straight to SMTP     {n / t_direct:8.1f} e-mails/s")
    print(f"smtp      routed, outbox, dispatched    {n / t_email:8.1f} deliveries/s   ratio {t_direct / t_email:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
