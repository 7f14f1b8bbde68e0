"""The notifications service as a real process on real NATS JetStream and PostgreSQL: the same DossierGeopend is
delivered again (beyond JetStream's dedupe) before and after the service is killed and restarted, and every
recipient still has exactly one inbox item and one e-mail (real SMTP server).

The kill comes while the dispatcher is sending the first e-mails: the SMTP server holds their answer until the process
is gone. The restarted service must send them again at once (the dead dispatcher's claims do not wait for their
lease), and each recipient gets each e-mail once: the server counts every message it accepted, not distinct ids."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from aiosmtpd.controller import Controller
from faststream.nats import NatsBroker
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.ports import free_port
from verzuim_devstack.stack import LocalStack
from verzuim_devstack.testing import eventually_sync
from verzuim_notifications.entrypoints.worker import DOSSIER_CONSUMER
from verzuim_shared.events import Actor, AfdelingVastgelegd, DossierGeopend, Event, MedewerkerInDienst, Rol
from verzuim_shared.ids import dossier_id_for_melding
from verzuim_shared.messaging import ensure_streams, publish_event
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

Auth = Callable[[str, str], dict[str, str]]


@dataclass
class Smtp:
    """Accepts every message (250) and keeps it; while `vasthouden` is set it holds the answer to a message instead,
    until `loslaten` is set, and then refuses it for now (451): a sender that died meanwhile never got an answer."""

    port: int
    berichten: list[Message] = field(default_factory=list)
    vasthouden: bool = False
    vastgehouden: list[Message] = field(default_factory=list)
    loslaten: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by this name
        bericht = message_from_bytes(envelope.content)
        if self.vasthouden:
            self.vastgehouden.append(bericht)
            await asyncio.get_running_loop().run_in_executor(None, self.loslaten.wait)
            return "451 4.3.0 Probeer het later opnieuw"
        self.berichten.append(bericht)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[Smtp]:
    ontvanger = Smtp(free_port())
    controller = Controller(ontvanger, hostname="127.0.0.1", port=ontvanger.port)
    controller.start()
    try:
        yield ontvanger
    finally:
        ontvanger.loslaten.set()  # a held answer would keep the server's thread, and its stop, waiting for ever
        controller.stop()


@pytest.fixture(scope="module")
def notifications(
    e2e_nats: NatsServer, postgres_admin_url: str, jwt_secret: str, smtp: Smtp, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    state: Path = tmp_path_factory.mktemp("e2e-notifications")
    s = LocalStack(
        state_dir=state,
        database_admin_url=postgres_admin_url,
        nats_url=e2e_nats.url,
        jwt_secret=jwt_secret,
        database_prefix=f"e2e_{uuid.uuid4().hex[:8]}",
        extra_env={
            "VERZUIM_SMTP_HOST": "127.0.0.1",
            "VERZUIM_SMTP_PORT": str(smtp.port),
            # the held answer must not time out before the kill: the claim is still open when the process dies
            "VERZUIM_SMTP_TIMEOUT_S": "600",
        },
    )
    s.start_infrastructure()
    try:
        s.start_services(("notifications",))
        yield s
    finally:
        s.stop()


def basis(werkgever: str) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4(),
        "werkgever_id": werkgever,
        "geregistreerd_op": datetime.now(UTC),
        "actor": Actor(id="systeem", rol=Rol.SYSTEEM),
    }


async def publish(nats_url: str, *events: Event, msg_id: str | None = None) -> None:
    broker = NatsBroker(nats_url)
    await broker.connect()
    try:
        await ensure_streams(broker.connection.jetstream(), ServiceSettings())
        for event in events:
            await publish_event(broker, event, source="urn:verzuim:e2e", msg_id=msg_id)
    finally:
        await broker.stop()


def geopend(werkgever: str, werknemer: str) -> DossierGeopend:
    melding_id = uuid.uuid4()
    e = date.today()
    return DossierGeopend(
        **basis(werkgever),
        dossier_id=dossier_id_for_melding(melding_id),
        versie=1,
        werknemer_id=werknemer,
        melding_id=melding_id,
        eerste_ziektedag=e,
        gemeld_op=datetime.now(UTC) - timedelta(minutes=1),
    )


async def consumer_drained(nats_url: str, durable: str) -> bool:
    """Whether the service's consumer has handled (acked) everything in the dossier stream."""
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(Stream.DOSSIER.jetstream_name, durable)
        return info.num_pending == 0 and info.num_ack_pending == 0
    finally:
        await nc.close()


def inbox(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = httpx.get(f"{url}/v1/inbox", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


@pytest.mark.timeout(240)
def test_redelivery_and_a_restart_leave_one_item_and_one_email_per_recipient(
    notifications: LocalStack, werkgever: str, auth: Auth, smtp: Smtp
) -> None:
    svc = notifications.services["notifications"]
    nats_url = notifications.nats_url
    assert nats_url
    hr = auth("hr", "hr-beheer")
    # seed 004: the ziekmelding is a task for the verzuimcoach (Verzuim Support) and for the leidinggevende
    r = httpx.put(f"{svc.url}/v1/routering/regiemodel", json={"preset": "verzuim-support"}, headers=hr)
    assert r.status_code == 201, r.text
    r = httpx.put(
        f"{svc.url}/v1/routering/rolbezetting/verzuimcoach",
        json={"persoon_id": "vs-desk", "naam": "Verzuim Support", "email": "support@example.org"},
        headers=hr,
    )
    assert r.status_code == 200, r.text
    organisatie: list[Event] = [
        AfdelingVastgelegd(**basis(werkgever), afdeling_id="winkel", naam="Winkel", leidinggevende_id="lg-1"),
        *(
            MedewerkerInDienst(
                **basis(werkgever),
                werknemer_id=wie,
                datum_in_dienst=date(2020, 1, 1),
                naam=f"Naam {wie}",
                email=f"{wie}@example.org",
                afdeling_id="winkel",
                contracturen=32,
                voltijduren=40,
            )
            for wie in ("wn-1", "wn-2", "lg-1")
        ),
    ]
    dossier = geopend(werkgever, "wn-1")
    smtp.vasthouden = True
    asyncio.run(publish(nats_url, *organisatie, dossier))

    lg, vc = auth("leidinggevende", "lg-1"), auth("verzuimcoach", "vs-desk")
    for headers in (lg, vc):
        eventually_sync(lambda h=headers: inbox(svc.url, h), timeout=60)  # type: ignore[misc]
    # the dispatcher has claimed both e-mails and waits for the server's answer
    eventually_sync(lambda: len(smtp.vastgehouden) == 2, timeout=60)

    # the same fact again, beyond JetStream's dedupe; then kill -9 (mid-send) and restart; then once more
    asyncio.run(publish(nats_url, dossier, msg_id=f"redelivery-{uuid.uuid4()}"))
    smtp.vasthouden = False
    notifications.restart_service("notifications", kill=True)
    smtp.loslaten.set()
    asyncio.run(publish(nats_url, dossier, msg_id=f"redelivery-{uuid.uuid4()}"))
    # a later fact, and then every message of the stream acked: the copies have been handled (the messages of one
    # fetched batch are handled concurrently, so the later fact being routed alone would not say that)
    marker = geopend(werkgever, "wn-2")
    asyncio.run(publish(nats_url, marker))
    eventually_sync(lambda: any(i["dossier_id"] == str(marker.dossier_id) for i in inbox(svc.url, lg)), timeout=60)
    eventually_sync(lambda: asyncio.run(consumer_drained(nats_url, DOSSIER_CONSUMER)), timeout=60)

    for headers in (lg, vc):
        items = [i for i in inbox(svc.url, headers) if i["dossier_id"] == str(dossier.dossier_id)]
        assert len(items) == 1, items
        assert items[0]["type"] == "ziekmelding" and items[0]["soort"] == "taak"
    assert [i for i in inbox(svc.url, auth("hr", "iemand")) if i["dossier_id"] == str(dossier.dossier_id)] == []

    # every delivery recorded as sent: nothing more can go out
    def verzonden() -> bool:
        r = httpx.get(f"{svc.url}/v1/afleveringen", headers=hr, timeout=10)
        assert r.status_code == 200, r.text
        afleveringen = r.json()["afleveringen"]
        return len(afleveringen) == 4 and all(a["status"] == "verzonden" for a in afleveringen)

    eventually_sync(verzonden, timeout=60)
    # each e-mail accepted exactly once: one per recipient of each of the two dossiers, counting every message the
    # server accepted (a re-sent copy would count, even with the same Message-ID)
    ontvangen = sorted((m["To"], m["Subject"]) for m in smtp.berichten)
    assert ontvangen == sorted(
        (adres, f"Ziekmelding van Naam {wie}")
        for adres in ("support@example.org", "lg-1@example.org")
        for wie in ("wn-1", "wn-2")
    ), ontvangen
    assert len({m["Message-ID"] for m in smtp.berichten}) == 4
