"""Benchmark of the deadlines service: termijn computations per second, and one scheduler pass over 1,000,000 open
termijnen in PostgreSQL.

    .venv/bin/python bench/deadlines.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
                                        [--termijnen 1000000] [--seconds 3]

1. Computations: `bereken_tijdlijn` over a mix of dossiers (continuous, samengesteld with a relapse, with the
   process steps done, recovered, with a VLD, with a werkgever's own rules), after a warm-up, reported in two units:
   complete dossier timelines per second (one call computes every termijn of one dossier) and the termijnen per
   second inside them. Baseline in the same
   run: the "E + fixed offsets" table most tools use (11 dates per dossier, no samentelling, no status, no
   derivation), so the ratio says what explainability and exactness cost.
2. Scheduler: a fresh database with the service's schema, N open termijnen (COPY), then `Signalering.ronde()` with
   nothing due, repeated; baseline in the same run: the same question asked the naive way (a scan over the open
   termijnen for `vervaldatum - 7 <= today`). Then a pass with 1,000 signals due, for the signalling rate.

Without --database-url (or VERZUIM_BENCH_DATABASE_URL) an embedded PostgreSQL is started in a temporary folder.
Numbers depend on the machine; run it on a quiet one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from verzuim_deadlines.adapters.database import Database
from verzuim_deadlines.adapters.opslag import PostgresOpslag
from verzuim_deadlines.application import Signalering
from verzuim_deadlines.domain import (
    DossierFeiten,
    Episode,
    Stap,
    Stapfeit,
    TermijnCode,
    Werkgeverregels,
    Ziekmelding,
    bereken_tijdlijn,
)
from verzuim_deadlines.settings import DeadlinesSettings
from verzuim_shared.clock import SimulatedClock
from verzuim_shared.db import ensure_database

# --------------------------------------------------------------------------------------------- computations


def dossiers(n: int) -> list[tuple[DossierFeiten, Werkgeverregels]]:
    """A mix of the cases a werkgever has."""
    eigen = Werkgeverregels(arbodienst_melding_ziektedag=4, evaluatie_interval_dagen=28, extra_vrije_dagen=frozenset())
    result = []
    for i in range(n):
        e = date(2023, 1, 2) + timedelta(days=i % 900)
        soort = i % 5
        episodes: tuple[Episode, ...] = (Episode(e),)
        stappen: tuple[Stapfeit, ...] = ()
        vld = None
        if soort == 1:  # samengesteld: recovered for 12 days after 60 sick days
            episodes = (Episode(e, e + timedelta(days=60)), Episode(e + timedelta(days=72)))
        elif soort == 2:  # the steps done, some evaluaties held
            stappen = (
                Stapfeit(Stap.ARBODIENST_GEMELD, e + timedelta(days=2)),
                Stapfeit(Stap.PROBLEEMANALYSE, e + timedelta(days=40)),
                Stapfeit(Stap.PLAN_VAN_AANPAK, e + timedelta(days=52)),
                *(Stapfeit(Stap.EVALUATIE, e + timedelta(days=52 + 42 * k)) for k in range(1, 6)),
                Stapfeit(Stap.UWV_42E_WEEK_MELDING, e + timedelta(days=290)),
            )
        elif soort == 3:  # recovered after three weeks
            episodes = (Episode(e, e + timedelta(days=21)),)
        elif soort == 4:  # a VLD
            vld = e + timedelta(days=727 + 91)
        feiten = DossierFeiten(
            uuid.uuid4(), "wg", f"wn-{i}", episodes, meldingen=(Ziekmelding(e),), stappen=stappen, vld_laatste_dag=vld
        )
        result.append((feiten, eigen if i % 7 == 0 else Werkgeverregels()))
    return result


NAIEF = {
    TermijnCode.ARBODIENST_MELDING: 6,
    TermijnCode.BELAFSPRAAK: 14,
    TermijnCode.PROBLEEMANALYSE: 42,
    TermijnCode.PLAN_VAN_AANPAK: 56,
    TermijnCode.EVALUATIE: 98,
    TermijnCode.UWV_42E_WEEK_MELDING: 294,
    TermijnCode.EERSTEJAARSEVALUATIE: 364,
    TermijnCode.SPOOR_2_START: 406,
    TermijnCode.RE_INTEGRATIEVERSLAG: 637,
    TermijnCode.WIA_AANVRAAG: 651,
    TermijnCode.WACHTTIJD_EINDE: 727,
}


def naief(feiten: DossierFeiten) -> dict[TermijnCode, date]:
    e = feiten.episodes[0].eerste_ziektedag
    return {code: e + timedelta(days=d) for code, d in NAIEF.items()}


def per_seconde(werk: list[tuple[DossierFeiten, Werkgeverregels]], seconden: float, echt: bool) -> tuple[float, float]:
    """(dossiers per second, termijnen per second) over at least `seconden`."""
    gedaan = termijnen = 0
    start = time.perf_counter()
    while True:
        for feiten, regels in werk:
            termijnen += len(bereken_tijdlijn(feiten, regels)) if echt else len(naief(feiten))
        gedaan += len(werk)
        verstreken = time.perf_counter() - start
        if verstreken >= seconden:
            return gedaan / verstreken, termijnen / verstreken


def bench_berekening(seconden: float) -> None:
    werk = dossiers(2000)
    for feiten, regels in werk:  # warm-up: the holiday calendars, caches, the bytecode
        bereken_tijdlijn(feiten, regels)
    basis_d, basis_t = per_seconde(werk, seconden, echt=False)
    echt_d, echt_t = per_seconde(werk, seconden, echt=True)
    # Two units, both printed: a complete dossier timeline (one bereken_tijdlijn call: every termijn of one dossier,
    # what a recalculation does per dossier event) and the single termijnen inside those timelines.
    print(f"termijn computations (bereken_tijdlijn, one process, one core, a mix of {len(werk):,} dossiers)")
    print(
        f"  complete dossier timelines: {echt_d:>10,.0f} timelines/s  {1e6 / echt_d:8.1f} µs per timeline"
        "   (one call = every termijn of one dossier)"
    )
    print(f"  termijnen within them:      {echt_t:>10,.0f} termijnen/s  {echt_t / echt_d:8.1f} termijnen per timeline")
    print(f"  baseline E + fixed offsets: {basis_d:>10,.0f} timelines/s  {basis_t:>10,.0f} dates/s")
    print(f"  ratio (baseline / full):    {basis_d / echt_d:10.1f} ×  per timeline")
    doel = 50_000
    print(
        f"  target {doel:,} computations/s: counted as termijnen {'met' if echt_t >= doel else 'NOT met'}"
        f" ({echt_t:,.0f}/s); counted as complete timelines {'met' if echt_d >= doel else 'NOT met'} ({echt_d:,.0f}/s)"
    )


# --------------------------------------------------------------------------------------------- the scheduler

TERMIJN_KOLOMMEN = (
    "termijn_id, dossier_id, werkgever_id, werknemer_id, code, volgnummer, vervaldatum, status, grondslag, afleiding,"
    " gepland_op, bijgewerkt_op, volgende_signaal_op"
)


async def laad(database_url: str, aantal: int, vandaag: date) -> None:
    import psycopg

    per_dossier = 25
    nu = datetime.now(UTC)
    codes = list(TermijnCode)
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        async with conn.cursor() as cur:
            async with cur.copy(
                "COPY dossier_feiten (dossier_id, werkgever_id, werknemer_id, eerste_ziektedag, vangnet_van_toepassing,"
                " versie, geregistreerd_op, bijgewerkt_op) FROM STDIN"
            ) as copy:
                dossier_ids = [uuid.uuid4() for _ in range((aantal + per_dossier - 1) // per_dossier)]
                for i, dossier_id in enumerate(dossier_ids):
                    await copy.write_row((dossier_id, f"wg-{i % 50}", f"wn-{i}", vandaag, False, 1, nu, nu))
            async with cur.copy(f"COPY termijn ({TERMIJN_KOLOMMEN}) FROM STDIN") as copy:
                for n in range(aantal):
                    dossier_id = dossier_ids[n // per_dossier]
                    # every open termijn's next signal lies in the future: nothing is due today
                    signaal = vandaag + timedelta(days=1 + n % 700)
                    await copy.write_row(
                        (
                            uuid.uuid4(),
                            dossier_id,
                            f"wg-{(n // per_dossier) % 50}",
                            f"wn-{n // per_dossier}",
                            codes[n % len(codes)].value,
                            1 + n // len(codes) % per_dossier,
                            signaal + timedelta(days=7),
                            "open",
                            "grondslag",
                            "afleiding",
                            nu,
                            nu,
                            signaal,
                        )
                    )
        await conn.commit()
        await conn.execute("ANALYZE termijn")
        await conn.execute("ANALYZE dossier_feiten")
        await conn.commit()


async def naieve_pas(database_url: str, vandaag: date) -> float:
    """The scheduler's question without the partial index on the next signal day."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        start = time.perf_counter()
        cur = await conn.execute(
            "SELECT termijn_id FROM termijn WHERE status = 'open' AND vervaldatum - 7 <= %s"
            " ORDER BY vervaldatum LIMIT 500 FOR UPDATE SKIP LOCKED",
            (vandaag,),
        )
        await cur.fetchall()
        await conn.rollback()
        return time.perf_counter() - start


async def bench_scheduler(database_url: str, aantal: int) -> None:
    vandaag = date(2026, 3, 2)
    settings = DeadlinesSettings(database_url=database_url, auth_jwt_secret=SecretStr("bench"))
    database = Database(settings)
    await database.open()  # the service's own schema
    try:
        start = time.perf_counter()
        await laad(database_url, aantal, vandaag)
        print(
            f"scheduler pass over {aantal:,} open termijnen in PostgreSQL"
            f" (loaded in {time.perf_counter() - start:.0f} s)"
        )
        clock = SimulatedClock(datetime.combine(vandaag, datetime.min.time(), UTC) + timedelta(hours=8))
        signalering = Signalering(PostgresOpslag(database), clock)
        await signalering.ronde()  # warm the pool and the plan cache
        duren = []
        for _ in range(20):
            start = time.perf_counter()
            verstuurd = await signalering.ronde()
            duren.append(time.perf_counter() - start)
            assert verstuurd == 0
        naief = [await naieve_pas(database_url, vandaag) for _ in range(5)]
        print(
            f"  nothing due:       median {statistics.median(duren) * 1000:8.2f} ms   max {max(duren) * 1000:8.2f} ms"
            "   (target < 1 s)"
        )
        print(f"  baseline scan:     median {statistics.median(naief) * 1000:8.2f} ms   (no partial index)")
        print(f"  ratio (scan / pass): {statistics.median(naief) / statistics.median(duren):10.0f} ×")
        # 1,000 termijnen due for their nadert today: the signalling rate, outbox writes included
        async with database.pool.connection() as conn:
            await conn.execute(
                "UPDATE termijn SET volgende_signaal_op = %s"
                " WHERE termijn_id IN (SELECT termijn_id FROM termijn LIMIT 1000)",
                (vandaag,),
            )
        start = time.perf_counter()
        verstuurd = await signalering.ronde()
        duur = time.perf_counter() - start
        print(
            f"  1,000 due:         {verstuurd:,} signals in {duur:.2f} s"
            f" = {verstuurd / duur:,.0f} signals/s (with the outbox)"
        )
    finally:
        await database.close()


async def met_database(url: str | None, aantal: int) -> None:
    if url:
        naam = f"bench_deadlines_{uuid.uuid4().hex[:8]}"
        await ensure_database(url, naam)
        base, _, _ = url.rpartition("/")
        try:
            await bench_scheduler(f"{base}/{naam}", aantal)
        finally:
            import psycopg

            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                await conn.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')
        return
    from verzuim_devstack.postgres import EmbeddedPostgres

    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pg").start()
        try:
            await met_database(server.admin_url, aantal)
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("VERZUIM_BENCH_DATABASE_URL"))
    parser.add_argument("--termijnen", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each computation measurement")
    parser.add_argument("--skip-scheduler", action="store_true")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s)")
    bench_berekening(args.seconds)
    if not args.skip_scheduler:
        asyncio.run(met_database(args.database_url, args.termijnen))


if __name__ == "__main__":
    main()
