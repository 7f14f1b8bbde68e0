"""Deliveries per second of the notifications service: to the inbox, and over SMTP.

    .venv/bin/python bench/notifications.py [--n 300] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Runs the real service in-process (its consumers, outbox dispatcher and PostgreSQL store) against a NATS server and an
SMTP server (aiosmtpd) started here, and an embedded PostgreSQL unless --database-url is given. Each measurement
starts once the personeel data are in, publishes n ziekmeldingen of 50 werknemers (six each, newest first, 50 days
apart: each werknemer's four newest complete the frequent-verzuim threshold) and stops when everything is stored,
or sent and recorded. For each channel it also measures a baseline in the same run, so the ratio (service rate /
baseline rate) says what routing and exactly-once bookkeeping cost:

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
from collections.abc import Awaitable, Callable
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
    """Counts the e-mails the SMTP server accepted."""

    def __init__(self) -> None:
        self.aantal = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by this name
        self.aantal += 1
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


class Peiling:
    """Counts in the service's database over one connection (opening one per probe would itself load the machine)."""

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self.conn = conn

    async def tel(self, sql: str, *params: Any) -> int:
        cur = await self.conn.execute(sql, params)
        row = await cur.fetchone()
        return int(row[0]) if row else 0


async def wacht_tot(probe: Callable[[], Awaitable[bool]], timeout: float = 600) -> float:
    """Seconds until `probe()` is true."""
    t0 = time.perf_counter()
    while not await probe():
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"not done after {timeout}s")
        await asyncio.sleep(0.02)
    return time.perf_counter() - t0


def organisatie(werkgever: str, *, met_email: bool) -> list[Event]:
    """Afdeling A (leidinggevende lg) with werknemers wn-0 .. wn-49 and lg; e-mail addresses only `met_email`."""
    events: list[Event] = [AfdelingVastgelegd(**basis(werkgever), afdeling_id="a", naam="A", leidinggevende_id="lg")]
    events += [
        MedewerkerInDienst(
            **basis(werkgever),
            werknemer_id=w,
            datum_in_dienst=date(2020, 1, 1),
            naam=w,
            email=f"{w}@example.org" if met_email else None,
            afdeling_id="a",
            contracturen=32,
            voltijduren=40,
        )
        for w in ["lg", *(f"wn-{i}" for i in range(50))]
    ]
    return events


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
            peiling = Peiling(await psycopg.AsyncConnection.connect(database_url, autocommit=True))
            with TestClient(create_app(settings)):

                async def personeel_binnen(werkgever: str) -> bool:
                    # the timer starts once the personeel data are in: a ziekmelding before them waits for a retry
                    aantal = await peiling.tel("SELECT count(*) FROM medewerker WHERE werkgever_id = %s", werkgever)
                    return aantal == 51

                # inbox only: nobody has an e-mail address
                wg = "bench-inbox"
                await publiceer(broker, organisatie(wg, met_email=False))
                await wacht_tot(lambda: personeel_binnen(wg))
                t0 = time.perf_counter()
                await publiceer(broker, ziekmeldingen(wg, n))

                async def inbox_klaar() -> bool:
                    # the frequent-verzuim items are stored with the ziekmelding that raised them
                    return n == await peiling.tel(
                        "SELECT count(*) FROM bericht WHERE werkgever_id = %s AND kanaal = 'inbox' "
                        "AND type = 'ziekmelding'",
                        wg,
                    )

                t_inbox = time.perf_counter() - t0 + await wacht_tot(inbox_klaar)
                inbox_items = await peiling.tel(
                    "SELECT count(*) FROM bericht WHERE werkgever_id = %s AND kanaal = 'inbox'", wg
                )

                # e-mail: everybody has an address; the leidinggevende gets an e-mail for each message
                wg2 = "bench-email"
                await publiceer(broker, organisatie(wg2, met_email=True))
                await wacht_tot(lambda: personeel_binnen(wg2))
                voor = teller.aantal
                t0 = time.perf_counter()
                await publiceer(broker, ziekmeldingen(wg2, n))

                async def email_klaar() -> bool:
                    if n > await peiling.tel(
                        "SELECT count(DISTINCT bron_event_id) FROM bericht WHERE werkgever_id = %s "
                        "AND type = 'ziekmelding'",
                        wg2,
                    ):
                        return False
                    return 0 == await peiling.tel(
                        "SELECT count(*) FROM aflevering WHERE werkgever_id = %s AND status <> 'verzonden'", wg2
                    )

                t_email = time.perf_counter() - t0 + await wacht_tot(email_klaar)
                emails = teller.aantal - voor
                afleveringen = await peiling.tel("SELECT count(*) FROM aflevering WHERE werkgever_id = %s", wg2)
                assert emails == afleveringen, f"{emails} e-mails received for {afleveringen} deliveries"
                # measured last, so the service's consuming them cannot slow the measurements above
                basislijn = await publiceer(broker, ziekmeldingen(wg, n))
            await peiling.conn.close()
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

    print(
        f"n = {n} ziekmeldingen per measurement; with the frequent-verzuim signals they raise, {inbox_items} inbox "
        f"items and {emails} e-mails"
    )
    print(f"baseline  publish to JetStream         {n / basislijn:8.1f} events/s")
    print(
        f"inbox     routed and stored             {inbox_items / t_inbox:8.1f} deliveries/s "
        f"({n / t_inbox:.1f} ziekmeldingen/s)   ratio {basislijn / t_inbox:.2f}"
    )
    print(f"baseline  smtplib straight to SMTP     {n / t_direct:8.1f} e-mails/s")
    print(
        f"smtp      routed, outbox, dispatched    {emails / t_email:8.1f} deliveries/s "
        f"({n / t_email:.1f} ziekmeldingen/s)   ratio {(emails / t_email) / (n / t_direct):.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
