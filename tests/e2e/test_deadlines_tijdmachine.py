"""One verzuimdossier played from sick day 1 to sick day 730 in seconds, over real NATS JetStream and PostgreSQL, with
the deadlines service as a real process whose clock the test moves (VERZUIM_CLOCK=simulated-file:<path>).

The dossier events are published onto the dossier stream as the cases service publishes them. Every `nadert` and
`verstreken` must arrive exactly once and in date order; half-way the service is killed (SIGKILL) right while it
catches up on a jump of three months, the clock moves on while it is down, a fact arrives meanwhile, and after the
restart nothing is lost and nothing is duplicated.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import nats
import psycopg
import pytest
from faststream.nats import NatsBroker
from nats.js.api import ConsumerConfig, DeliverPolicy
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.stack import LocalStack
from verzuim_devstack.testing import eventually
from verzuim_shared.clock import write_simulated_time
from verzuim_shared.events import Actor, DossierGeopend, Event, Rol
from verzuim_shared.events.dossier import (
    ArbodienstGemeld,
    BegeleiderRol,
    BegeleiderToegewezen,
    ContactmomentVastgelegd,
    EerstejaarsevaluatieVastgelegd,
    EvaluatieVastgelegd,
    PlanVanAanpakVastgesteld,
    ProbleemanalyseOntvangen,
    ReIntegratieverslagCompleet,
    Spoor2Gestart,
    TermijnAfwijkingGemotiveerd,
    Uwv42eWeeksmeldingGedaan,
)
from verzuim_shared.messaging import ensure_streams, publish_event
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

NL = ZoneInfo("Europe/Amsterdam")
E = date(2025, 1, 6)  # sick day 1 (Monday); sick day n = E + n - 1 in this continuous verzuim
DAG_730 = E + timedelta(days=729)  # 2027-01-05
PVA = date(2025, 3, 5)
EVALUATIES = [PVA + timedelta(days=42 * k) for k in range(1, 20) if PVA + timedelta(days=42 * k) <= date(2027, 1, 3)]
GEMIST = {3, 11, 12, 13}  # evaluaties nobody held: #3 while running, #11-#13 while the service is down
KILL_OP = date(2026, 4, 29)  # after evaluatie #10; the clock jumps to DOWN_TOT and the service is killed meanwhile
DOWN_TOT = date(2026, 9, 20)
IN_HET_GAT = 6  # signals due between KILL_OP and DOWN_TOT: nadert and verstreken of evaluaties 11, 12 and 13


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path_factory.mktemp("tijdmachine-nats")).start()
    yield server
    server.stop()


@pytest.fixture
def klokbestand(tmp_path: Path) -> Path:
    path = tmp_path / "klok"
    write_simulated_time(path, om(E))
    return path


@pytest.fixture
def deadlines_stack(
    nats_server: NatsServer, postgres_admin_url: str, jwt_secret: str, klokbestand: Path, tmp_path: Path
) -> Iterator[LocalStack]:
    stack = LocalStack(
        state_dir=tmp_path / "stack",
        database_admin_url=postgres_admin_url,
        nats_url=nats_server.url,
        jwt_secret=jwt_secret,
        database_prefix=f"tm_{uuid.uuid4().hex[:8]}",
        extra_env={
            "VERZUIM_CLOCK": f"simulated-file:{klokbestand}",
            "VERZUIM_SCHEDULER_INTERVAL_S": "0.1",
            # one signal per transaction and one event per relay round: a catch-up takes long enough to be killed in
            "VERZUIM_SCHEDULER_BATCH_SIZE": "1",
            "VERZUIM_OUTBOX_BATCH_SIZE": "1",
            "VERZUIM_OUTBOX_POLL_INTERVAL_S": "0.1",
            "VERZUIM_CONSUMER_BACKOFF_S": "[0.1,0.5,1]",
        },
    )
    stack.start_infrastructure()
    try:
        stack.start_services(("deadlines",))
        yield stack
    finally:
        stack.stop()


@pytest.fixture
async def publisher(nats_server: NatsServer) -> AsyncIterator[NatsBroker]:
    broker = NatsBroker(nats_server.url)
    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), ServiceSettings())
    try:
        yield broker
    finally:
        await broker.stop()


def om(dag: date) -> datetime:
    return datetime.combine(dag, time(9, 0), NL)


class Dossier:
    def __init__(self, werkgever: str) -> None:
        self.id = uuid.uuid4()
        self.werkgever = werkgever
        self.versie = 0

    def basis(self, dag: date, **extra: Any) -> dict[str, Any]:
        self.versie += 1
        return {
            "event_id": uuid.uuid4(),
            "werkgever_id": self.werkgever,
            "geregistreerd_op": om(dag),
            "actor": Actor(id="vc-1", rol=Rol.VERZUIMCOACH),
            "dossier_id": self.id,
            "versie": self.versie,
            "werknemer_id": "wn-1",
            **extra,
        }

    def stap(self, soort: type[Event], dag: date, **extra: Any) -> Event:
        return soort(**self.basis(dag, datum=dag, **extra))


def script(d: Dossier) -> dict[date, list[Event]]:
    """What happens in the dossier, on which (business) day; everything else is time passing."""
    s: dict[date, list[Event]] = {
        E: [
            DossierGeopend(
                **d.basis(
                    E, melding_id=uuid.uuid4(), eerste_ziektedag=E, gemeld_op=datetime.combine(E, time(8, 30), NL)
                )
            ),
            d.stap(BegeleiderToegewezen, E, begeleider_id="vc-1", begeleider_rol=BegeleiderRol.VERZUIMCOACH),
        ],
        date(2025, 1, 8): [d.stap(ArbodienstGemeld, date(2025, 1, 8), arbodienst="arbo-1")],
        date(2025, 1, 14): [d.stap(ContactmomentVastgelegd, date(2025, 1, 14), met_rol="verzuimcoach")],
        date(2025, 2, 20): [  # three days late
            d.stap(ProbleemanalyseOntvangen, date(2025, 2, 20), mogelijkheden="m", beperkingen="b", advies="a")
        ],
        PVA: [
            d.stap(
                PlanVanAanpakVastgesteld,
                PVA,
                doelen=["terug in eigen werk"],
                activiteiten=["opbouw uren"],
                casemanager_id="cm-1",
                evaluatiemomenten=[],
                akkoord_werknemer=True,
            )
        ],
        date(2025, 10, 20): [d.stap(Uwv42eWeeksmeldingGedaan, date(2025, 10, 20))],
        date(2026, 1, 5): [
            d.stap(EerstejaarsevaluatieVastgelegd, date(2026, 1, 5), structureel_spoor1_perspectief=False)
        ],
        date(2026, 3, 1): [d.stap(Spoor2Gestart, date(2026, 3, 1))],  # two weeks late
        date(2026, 9, 30): [d.stap(ReIntegratieverslagCompleet, date(2026, 9, 30))],
    }
    for k, dag in enumerate(EVALUATIES, start=1):
        if k not in GEMIST:
            s.setdefault(dag, []).append(d.stap(EvaluatieVastgelegd, dag, bijstelling=False))
    return s


def verwachte_signalen() -> list[tuple[str, str, int, date]]:
    """(kind, code, volgnummer, vervaldatum) of every signal, from decisions D1–D3/D7 and the script."""
    nadert = [
        ("ARBODIENST_MELDING", 1, date(2025, 1, 12)),
        ("BELAFSPRAAK", 1, date(2025, 1, 20)),
        ("PROBLEEMANALYSE", 1, date(2025, 2, 17)),
        ("PLAN_VAN_AANPAK", 1, date(2025, 3, 6)),  # PA on 2025-02-20 + 14, before its nadert day came
        ("UWV_42E_WEEK_MELDING", 1, date(2025, 10, 27)),
        ("EERSTEJAARSEVALUATIE", 1, date(2026, 1, 5)),
        ("SPOOR_2_START", 1, date(2026, 2, 16)),
        ("RE_INTEGRATIEVERSLAG", 1, date(2026, 10, 5)),
        # WIA_AANVRAAG: motivated away (while the service was down) before its nadert day
        ("WACHTTIJD_EINDE", 1, date(2027, 1, 3)),
        *(("EVALUATIE", k, dag) for k, dag in enumerate(EVALUATIES, start=1)),
    ]
    verstreken = [
        ("PROBLEEMANALYSE", 1, date(2025, 2, 17)),
        ("SPOOR_2_START", 1, date(2026, 2, 16)),
        ("WACHTTIJD_EINDE", 1, date(2027, 1, 3)),  # the wachttijd ended on sick day 728
        *(("EVALUATIE", k, EVALUATIES[k - 1]) for k in sorted(GEMIST)),
    ]
    return [("nadert", *n) for n in nadert] + [("verstreken", *v) for v in verstreken]


def signaaldag(kind: str, code: str, vervaldatum: date) -> date:
    lead = 14 if code == "UWV_42E_WEEK_MELDING" else 7  # the werkgever's rule set below; default 7 (D7)
    return vervaldatum - timedelta(days=lead) if kind == "nadert" else vervaldatum + timedelta(days=1)


async def signalen_op_de_stream(nats_url: str, werkgever: str) -> list[tuple[str, str, int, date]]:
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            "verzuim.termijn.v1.*",
            durable=None,
            stream=Stream.TERMIJN.jetstream_name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        found = []
        while True:
            try:
                batch = await sub.fetch(500, timeout=1)
            except TimeoutError:
                return found
            for msg in batch:
                soort = msg.subject.rsplit(".", 1)[1]
                data = json.loads(msg.data)
                if soort in ("nadert", "verstreken") and data["werkgever_id"] == werkgever:
                    found.append((soort, data["code"], data["volgnummer"], date.fromisoformat(data["vervaldatum"])))
                await msg.ack()
    finally:
        await nc.close()


async def dossier_consumer_bij(nats_url: str, seq: int) -> bool:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(Stream.DOSSIER.jetstream_name, "deadlines-dossier")
        return (info.ack_floor.stream_seq or 0) >= seq and not info.num_ack_pending
    finally:
        await nc.close()


@pytest.mark.timeout(600)
async def test_one_dossier_from_day_1_to_day_730_every_signal_once_in_order_across_a_kill(
    deadlines_stack: LocalStack,
    publisher: NatsBroker,
    klokbestand: Path,
    werkgever: str,
    auth: Any,
) -> None:
    service = deadlines_stack.services["deadlines"]
    assert deadlines_stack.nats_url is not None
    nats_url = deadlines_stack.nats_url
    client = httpx.AsyncClient(base_url=service.url, headers=auth("hr", "hr-1"), timeout=10)
    r = await client.put("/v1/termijnregels", json={"nadert_dagen": {"UWV_42E_WEEK_MELDING": 14}})
    assert r.status_code == 200, r.text

    d = Dossier(werkgever)
    gebeurt = script(d)
    stops = sorted({*gebeurt, *(E + timedelta(days=n) for n in range(0, 730, 30)), DAG_730} - {DOWN_TOT})

    async def termijnen() -> list[dict[str, Any]]:
        r = await client.get(f"/v1/dossiers/{d.id}/termijnen")
        assert r.status_code == 200, r.text
        return list(r.json()["termijnen"])

    async def rustig(dag: date) -> None:
        """The scheduler has signalled everything due by `dag`."""

        async def klaar() -> bool:
            termijnen_ = await termijnen()
            return all(
                t["volgende_signaal_op"] is None or t["volgende_signaal_op"] > dag.isoformat() for t in termijnen_
            )

        await eventually(klaar, timeout=60, interval=0.02)

    async def speel(dag: date) -> None:
        write_simulated_time(klokbestand, om(dag))
        if dag > E:  # the dossier exists
            await rustig(dag)
        seq = 0
        for event in gebeurt.get(dag, []):
            seq = (await publish_event(publisher, event, source="urn:verzuim:cases")).sequence
        if seq:
            await eventually(lambda: dossier_consumer_bij(nats_url, seq), timeout=60)
            await rustig(dag)

    async def kill_tijdens_het_inhalen() -> None:
        """Jump ahead five months and kill the service (SIGKILL) the moment its first catch-up signal is committed;
        a fact arrives while it is down; then restart it."""
        db = await psycopg.AsyncConnection.connect(deadlines_stack.database_url("deadlines"), autocommit=True)
        cur = await db.execute("SELECT coalesce(max(volgnummer), 0) FROM uitgaand_event")
        (tot_nu,) = await cur.fetchone() or (0,)
        nieuw = (
            "SELECT count(*), count(gepubliceerd_op) FROM uitgaand_event WHERE volgnummer > %s"
            " AND subject IN ('verzuim.termijn.v1.nadert', 'verzuim.termijn.v1.verstreken')"
        )
        write_simulated_time(klokbestand, om(DOWN_TOT))

        async def begonnen() -> bool:
            cur = await db.execute(nieuw, (tot_nu,))
            row = await cur.fetchone()
            return row is not None and row[0] > 0

        await eventually(begonnen, timeout=60, interval=0.001)
        service.kill()
        cur = await db.execute(nieuw, (tot_nu,))
        vastgelegd, gepubliceerd = await cur.fetchone() or (0, 0)
        await db.close()
        # How far it got is up to timing (typically 1 of 6 committed, none published); the assertions hold either way.
        print(f"killed with {vastgelegd} of {IN_HET_GAT} catch-up signals committed, {gepubliceerd} published")
        # While it is down: the werknemer will not apply for WIA (motivated)
        afwijking = d.stap(
            TermijnAfwijkingGemotiveerd,
            date(2026, 7, 15),
            termijn_code="WIA_AANVRAAG",
            reden="werknemer vraagt vervroegd een IVA-uitkering aan",
        )
        await publish_event(publisher, afwijking, source="urn:verzuim:cases")
        service.start()
        service.wait_ready()
        await rustig(DOWN_TOT)

    for dag in stops:
        await speel(dag)
        if dag == KILL_OP:
            await kill_tijdens_het_inhalen()

    # Everything published: the outbox is empty, and what is on the stream is exactly what D7 promises.
    async def outbox_leeg() -> bool:
        async with await psycopg.AsyncConnection.connect(deadlines_stack.database_url("deadlines")) as conn:
            cur = await conn.execute("SELECT count(*) FROM uitgaand_event WHERE gepubliceerd_op IS NULL")
            row = await cur.fetchone()
            return row == (0,)

    await eventually(outbox_leeg, timeout=60)
    signalen = await signalen_op_de_stream(nats_url, werkgever)
    verwacht = verwachte_signalen()
    dubbel = [s for s, n in Counter(signalen).items() if n > 1]
    assert dubbel == [], f"twice on the stream: {dubbel}"
    assert sorted(signalen) == sorted(verwacht), {
        "missing": sorted(set(verwacht) - set(signalen)),
        "unexpected": sorted(set(signalen) - set(verwacht)),
    }
    dagen = [signaaldag(kind, code, vervaldatum) for kind, code, _, vervaldatum in signalen]
    assert dagen == sorted(dagen), "signals out of date order"

    # And the dossier's termijnen say how each one ended.
    eind = {(t["code"], t["volgnummer"]): t for t in await termijnen()}
    await client.aclose()
    assert (eind[("PROBLEEMANALYSE", 1)]["status"], eind[("PROBLEEMANALYSE", 1)]["op_tijd"]) == ("vervuld", False)
    assert (eind[("SPOOR_2_START", 1)]["status"], eind[("SPOOR_2_START", 1)]["op_tijd"]) == ("vervuld", False)
    assert eind[("WIA_AANVRAAG", 1)]["status"] == "afgeweken"
    assert eind[("WACHTTIJD_EINDE", 1)]["status"] == "verstreken"
    assert eind[("UWV_42E_WEEK_MELDING", 1)]["vervaldatum"] == "2025-10-27"
    assert {k for (c, k), t in eind.items() if c == "EVALUATIE" and t["status"] == "verstreken"} == GEMIST
    assert all(t["status"] != "open" for t in eind.values())
    assert {t["casemanager_id"] for t in eind.values()} == {"cm-1"}  # named by the plan van aanpak, after vc-1
