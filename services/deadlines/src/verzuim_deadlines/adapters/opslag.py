"""PostgreSQL implementation of the application's ports: the transactional Termijnboek and the TermijnLezer."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb
from verzuim_shared.events import Event, parse_event
from verzuim_shared.events.dossier import DossierEvent

from verzuim_deadlines.adapters.database import Database
from verzuim_deadlines.application import (
    Afdelingfeit,
    Dossierkop,
    DossierTermijn,
    Historieregel,
    Medewerkerfeit,
    Werklijstfilter,
)
from verzuim_deadlines.domain import (
    DossierFeiten,
    Termijn,
    TermijnCode,
    TermijnStatus,
    Waarschuwing,
    Werkgeverregels,
)

# The per-dossier advisory lock (namespace 7) that serialises every recalculation of one dossier.
_DOSSIER_LOCK = "hashtextextended(%s, 7)"

NEDERLAND = ZoneInfo("Europe/Amsterdam")

_TERMIJN_KOLOMMEN = (
    "termijn_id, dossier_id, werkgever_id, werknemer_id, code, volgnummer, vervaldatum, status, grondslag, "
    "afleiding, reden, gepland_op, bijgewerkt_op, vervuld_op, op_tijd, bron_event_id, casemanager_id, "
    "nadert_verstuurd, verstreken_verstuurd, volgende_signaal_op"
)


# --------------------------------------------------------------------------------------------- termijnregels


def regels_naar_json(regels: Werkgeverregels) -> dict[str, Any]:
    data = asdict(regels)
    data["extra_vrije_dagen"] = sorted(d.isoformat() for d in regels.extra_vrije_dagen)
    data["nadert_dagen"] = {code.value: dagen for code, dagen in regels.nadert_dagen.items()}
    return data


def regels_uit_json(data: dict[str, Any]) -> Werkgeverregels:
    return Werkgeverregels(
        arbodienst_melding_ziektedag=data["arbodienst_melding_ziektedag"],
        evaluatie_interval_dagen=data["evaluatie_interval_dagen"],
        belafspraak_werkdagen=data.get("belafspraak_werkdagen", 10),
        extra_vrije_dagen=frozenset(date.fromisoformat(d) for d in data["extra_vrije_dagen"]),
        nadert_dagen={TermijnCode(code): dagen for code, dagen in data["nadert_dagen"].items()},
    )


async def _regels(conn: AsyncConnection[Any], werkgever_id: str) -> Werkgeverregels:
    cur = await conn.execute(
        "SELECT regels FROM termijnregels WHERE werkgever_id = %s ORDER BY versie DESC LIMIT 1", (werkgever_id,)
    )
    row = await cur.fetchone()
    return regels_uit_json(row[0]) if row else Werkgeverregels()


class PostgresOpslag:
    def __init__(self, database: Database) -> None:
        self._database = database

    @contextlib.asynccontextmanager
    async def transactie(self) -> AsyncIterator[PostgresTermijnboek]:
        async with self._database.pool.connection() as conn, conn.transaction():
            yield PostgresTermijnboek(conn)


class PostgresTermijnboek:
    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._conn = conn

    async def _rows(self, query: str, params: tuple[Any, ...] | dict[str, Any]) -> list[DictRow]:
        async with self._conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query, params)
            return await cur.fetchall()

    async def markeer_verwerkt(self, event: Event) -> bool:
        rows = await self._rows(
            "INSERT INTO verwerkt_event (event_id, subject, werkgever_id, verwerkt_op) VALUES (%s, %s, %s, now())"
            " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            (event.event_id, event.subject(), event.werkgever_id),
        )
        return bool(rows)

    async def vergrendel_dossier(self, dossier_id: UUID) -> None:
        await self._conn.execute(f"SELECT pg_advisory_xact_lock({_DOSSIER_LOCK})", (str(dossier_id),))

    async def bewaar_event(self, event: DossierEvent) -> None:
        await self._conn.execute(
            "INSERT INTO dossier_event (event_id, dossier_id, werkgever_id, versie, subject, body)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING",
            (
                event.event_id,
                event.dossier_id,
                event.werkgever_id,
                event.versie,
                event.subject(),
                Jsonb(json.loads(event.model_dump_json())),
            ),
        )

    async def events(self, dossier_id: UUID) -> list[Event]:
        cur = await self._conn.execute(
            "SELECT subject, body FROM dossier_event WHERE dossier_id = %s ORDER BY versie", (dossier_id,)
        )
        return [parse_event(subject, json.dumps(body).encode()) for subject, body in await cur.fetchall()]

    async def bewaar_dossier(self, feiten: DossierFeiten, nu: datetime) -> None:
        eerste = feiten.melding(0)
        waarschuwingen = [
            {"event_id": str(w.event_id) if w.event_id else None, "tekst": w.tekst} for w in feiten.waarschuwingen
        ]
        await self._conn.execute(
            """
            INSERT INTO dossier_feiten (dossier_id, werkgever_id, werknemer_id, eerste_ziektedag, gemeld_op,
                                        herstelafspraak, vangnet_van_toepassing, versie, geregistreerd_op,
                                        bijgewerkt_op, casemanager_id, vld_laatste_dag, hersteldatum, gesloten_op,
                                        waarschuwingen, herberekenen)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, false)
            ON CONFLICT (dossier_id) DO UPDATE SET
                eerste_ziektedag = EXCLUDED.eerste_ziektedag, herstelafspraak = EXCLUDED.herstelafspraak,
                versie = EXCLUDED.versie, bijgewerkt_op = EXCLUDED.bijgewerkt_op,
                casemanager_id = EXCLUDED.casemanager_id, vld_laatste_dag = EXCLUDED.vld_laatste_dag,
                hersteldatum = EXCLUDED.hersteldatum, gesloten_op = EXCLUDED.gesloten_op,
                waarschuwingen = EXCLUDED.waarschuwingen, herberekenen = false
            """,
            (
                feiten.dossier_id,
                feiten.werkgever_id,
                feiten.werknemer_id,
                feiten.eerste_ziektedag,
                datetime.combine(eerste.gemeld_op, datetime.min.time(), NEDERLAND),
                eerste.herstelafspraak,
                feiten.vangnet_van_toepassing,
                feiten.versie,
                nu,
                nu,
                feiten.casemanager_id,
                feiten.vld_laatste_dag,
                feiten.hersteldatum,
                feiten.gesloten_op,
                Jsonb(waarschuwingen),
            ),
        )
        await self._conn.execute("DELETE FROM dossier_episode WHERE dossier_id = %s", (feiten.dossier_id,))
        async with self._conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO dossier_episode (dossier_id, volgnummer, eerste_ziektedag, hersteldatum)"
                " VALUES (%s, %s, %s, %s)",
                [
                    (feiten.dossier_id, nr, e.eerste_ziektedag, e.hersteldatum)
                    for nr, e in enumerate(feiten.episodes, start=1)
                ],
            )

    async def regels(self, werkgever_id: str) -> Werkgeverregels:
        return await _regels(self._conn, werkgever_id)

    async def termijnen(self, dossier_id: UUID) -> list[DossierTermijn]:
        rows = await self._rows(
            # FOR UPDATE: a scheduler round (SKIP LOCKED) leaves these rows alone until this recalculation commits, so
            # neither overwrites the other's change.
            f"SELECT {_TERMIJN_KOLOMMEN} FROM termijn WHERE dossier_id = %s ORDER BY vervaldatum, code, volgnummer"
            " FOR UPDATE",
            (dossier_id,),
        )
        return [_termijn(row) for row in rows]

    async def bewaar_termijn(self, termijn: DossierTermijn, historie: Historieregel | None) -> None:
        t = termijn.termijn
        await self._conn.execute(
            f"""
            INSERT INTO termijn ({_TERMIJN_KOLOMMEN})
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (termijn_id) DO UPDATE SET
                vervaldatum = EXCLUDED.vervaldatum, status = EXCLUDED.status, afleiding = EXCLUDED.afleiding,
                grondslag = EXCLUDED.grondslag, reden = EXCLUDED.reden, bijgewerkt_op = EXCLUDED.bijgewerkt_op,
                vervuld_op = EXCLUDED.vervuld_op, op_tijd = EXCLUDED.op_tijd, bron_event_id = EXCLUDED.bron_event_id,
                casemanager_id = EXCLUDED.casemanager_id, nadert_verstuurd = EXCLUDED.nadert_verstuurd,
                verstreken_verstuurd = EXCLUDED.verstreken_verstuurd,
                volgende_signaal_op = EXCLUDED.volgende_signaal_op
            """,
            (
                termijn.termijn_id,
                termijn.dossier_id,
                termijn.werkgever_id,
                termijn.werknemer_id,
                t.code.value,
                t.volgnummer,
                t.vervaldatum,
                t.status.value,
                t.grondslag,
                t.afleiding,
                t.reden,
                termijn.gepland_op,
                termijn.bijgewerkt_op,
                t.vervuld_op,
                t.op_tijd,
                t.bron_event_id,
                termijn.casemanager_id,
                sorted(termijn.nadert_verstuurd),
                sorted(termijn.verstreken_verstuurd),
                termijn.volgende_signaal_op,
            ),
        )
        if historie is None:
            return
        await self._conn.execute(
            "INSERT INTO termijn_historie (termijn_id, dossier_id, werkgever_id, code, volgnummer, op, wat,"
            " vervaldatum, status, reden, oorzaak_event_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                historie.termijn_id,
                termijn.dossier_id,
                termijn.werkgever_id,
                historie.code.value,
                historie.volgnummer,
                historie.op,
                historie.wat,
                historie.vervaldatum,
                historie.status.value,
                historie.reden,
                historie.oorzaak_event_id,
            ),
        )

    async def verstuur(self, event: Event) -> None:
        await self._conn.execute(
            "INSERT INTO uitgaand_event (event_id, subject, body, aangemaakt_op) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (event_id) DO NOTHING",
            (event.event_id, event.subject(), event.model_dump_json(), event.geregistreerd_op),
        )

    async def te_signaleren(self, tot_en_met: date, limit: int) -> list[DossierTermijn]:
        # The earliest signal day first, and only that day per round: signals leave in date order, also when the
        # service catches up after downtime. SKIP LOCKED: a second replica takes other rows, never the same.
        rows = await self._rows(
            f"""
            SELECT {_TERMIJN_KOLOMMEN} FROM termijn
            WHERE volgende_signaal_op = (
                SELECT min(volgende_signaal_op) FROM termijn
                WHERE volgende_signaal_op IS NOT NULL AND volgende_signaal_op <= %(dag)s
            )
            ORDER BY termijn_id
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
            """,
            {"dag": tot_en_met, "limit": limit},
        )
        return [_termijn(row) for row in rows]

    async def leg_regels_vast(self, werkgever_id: str, regels: Werkgeverregels, door: str, nu: datetime) -> int:
        await self._conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 8))", (werkgever_id,))
        cur = await self._conn.execute(
            "SELECT coalesce(max(versie), 0) + 1 FROM termijnregels WHERE werkgever_id = %s", (werkgever_id,)
        )
        row = await cur.fetchone()
        assert row is not None
        versie: int = row[0]
        await self._conn.execute(
            "INSERT INTO termijnregels (werkgever_id, versie, geldig_vanaf, vastgelegd_door, regels)"
            " VALUES (%s, %s, %s, %s, %s)",
            (werkgever_id, versie, nu, door, Jsonb(regels_naar_json(regels))),
        )
        return versie

    async def markeer_herberekenen(self, werkgever_id: str) -> int:
        # Only running dossiers: a closed or recovered one keeps the timeline it ended with (a relapse recomputes it).
        cur = await self._conn.execute(
            "UPDATE dossier_feiten SET herberekenen = true WHERE werkgever_id = %s AND hersteldatum IS NULL"
            " AND gesloten_op IS NULL",
            (werkgever_id,),
        )
        return cur.rowcount

    async def volgende_te_herberekenen(self, werkgever_id: str | None) -> UUID | None:
        # The dossier lock is taken with try: a dossier another transaction works on is skipped, never waited for.
        cur = await self._conn.execute(
            f"""
            SELECT dossier_id FROM dossier_feiten
            WHERE herberekenen AND (%(wg)s::text IS NULL OR werkgever_id = %(wg)s)
              AND pg_try_advisory_xact_lock({_DOSSIER_LOCK.replace("%s", "dossier_id::text")})
            LIMIT 1
            """,
            {"wg": werkgever_id},
        )
        row = await cur.fetchone()
        if row is None:
            return None
        # Read again under the lock: a transaction that held it may just have done this dossier.
        cur = await self._conn.execute("SELECT herberekenen FROM dossier_feiten WHERE dossier_id = %s", (row[0],))
        nog = await cur.fetchone()
        if nog is None or not nog[0]:
            return await self.volgende_te_herberekenen(werkgever_id)
        dossier_id: UUID = row[0]
        return dossier_id

    async def medewerker(self, werkgever_id: str, werknemer_id: str) -> Medewerkerfeit | None:
        rows = await self._rows(
            "SELECT * FROM medewerker WHERE werkgever_id = %s AND werknemer_id = %s FOR UPDATE",
            (werkgever_id, werknemer_id),
        )
        if not rows:
            return None
        r = rows[0]
        return Medewerkerfeit(
            r["werkgever_id"], r["werknemer_id"], r["afdeling_id"], r["leidinggevende_id"], r["geldig_vanaf"],
            r["sequence"],
        )  # fmt: skip

    async def bewaar_medewerker(self, medewerker: Medewerkerfeit) -> None:
        await self._conn.execute(
            """
            INSERT INTO medewerker (werkgever_id, werknemer_id, afdeling_id, leidinggevende_id, geldig_vanaf, sequence)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (werkgever_id, werknemer_id) DO UPDATE SET afdeling_id = EXCLUDED.afdeling_id,
                leidinggevende_id = EXCLUDED.leidinggevende_id, geldig_vanaf = EXCLUDED.geldig_vanaf,
                sequence = EXCLUDED.sequence
            """,
            (
                medewerker.werkgever_id,
                medewerker.werknemer_id,
                medewerker.afdeling_id,
                medewerker.leidinggevende_id,
                medewerker.geldig_vanaf,
                medewerker.sequence,
            ),
        )

    async def afdeling(self, werkgever_id: str, afdeling_id: str) -> Afdelingfeit | None:
        rows = await self._rows(
            "SELECT * FROM afdeling WHERE werkgever_id = %s AND afdeling_id = %s FOR UPDATE",
            (werkgever_id, afdeling_id),
        )
        if not rows:
            return None
        r = rows[0]
        return Afdelingfeit(r["werkgever_id"], r["afdeling_id"], r["leidinggevende_id"], r["sequence"])

    async def bewaar_afdeling(self, afdeling: Afdelingfeit) -> None:
        await self._conn.execute(
            """
            INSERT INTO afdeling (werkgever_id, afdeling_id, leidinggevende_id, sequence) VALUES (%s, %s, %s, %s)
            ON CONFLICT (werkgever_id, afdeling_id) DO UPDATE SET leidinggevende_id = EXCLUDED.leidinggevende_id,
                sequence = EXCLUDED.sequence
            """,
            (afdeling.werkgever_id, afdeling.afdeling_id, afdeling.leidinggevende_id, afdeling.sequence),
        )


# The werknemers a leidinggevende leads: their own leidinggevende, else their afdeling's (as notifications routes).
_LEIDT = """
    EXISTS (SELECT 1 FROM medewerker m LEFT JOIN afdeling a
                ON a.werkgever_id = m.werkgever_id AND a.afdeling_id = m.afdeling_id
            WHERE m.werkgever_id = termijn.werkgever_id AND m.werknemer_id = termijn.werknemer_id
              AND coalesce(m.leidinggevende_id, a.leidinggevende_id) = %(lg)s
              AND m.werknemer_id <> %(lg)s)
"""


class PostgresTermijnLezer:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def dossier(self, werkgever_id: str, dossier_id: UUID) -> Dossierkop | None:
        async with self._database.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                "SELECT * FROM dossier_feiten WHERE werkgever_id = %s AND dossier_id = %s", (werkgever_id, dossier_id)
            )
            row = await cur.fetchone()
            if row is None:
                return None
            await cur.execute(
                "SELECT eerste_ziektedag, hersteldatum FROM dossier_episode WHERE dossier_id = %s ORDER BY volgnummer",
                (dossier_id,),
            )
            episodes = tuple((r["eerste_ziektedag"], r["hersteldatum"]) for r in await cur.fetchall())
            return Dossierkop(
                dossier_id=row["dossier_id"],
                werkgever_id=row["werkgever_id"],
                werknemer_id=row["werknemer_id"],
                eerste_ziektedag=row["eerste_ziektedag"],
                hersteldatum=row["hersteldatum"],
                episodes=episodes,
                casemanager_id=row["casemanager_id"],
                vld_laatste_dag=row["vld_laatste_dag"],
                gesloten_op=row["gesloten_op"],
                versie=row["versie"],
                waarschuwingen=tuple(
                    Waarschuwing(UUID(w["event_id"]) if w["event_id"] else None, w["tekst"])
                    for w in row["waarschuwingen"]
                ),
            )

    async def termijnen_van_dossier(self, werkgever_id: str, dossier_id: UUID) -> list[DossierTermijn]:
        async with self._database.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                f"SELECT {_TERMIJN_KOLOMMEN} FROM termijn WHERE werkgever_id = %s AND dossier_id = %s"
                " ORDER BY vervaldatum, code, volgnummer",
                (werkgever_id, dossier_id),
            )
            return [_termijn(row) for row in await cur.fetchall()]

    async def termijn(self, werkgever_id: str, termijn_id: UUID) -> DossierTermijn | None:
        async with self._database.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                f"SELECT {_TERMIJN_KOLOMMEN} FROM termijn WHERE werkgever_id = %s AND termijn_id = %s",
                (werkgever_id, termijn_id),
            )
            row = await cur.fetchone()
            return _termijn(row) if row else None

    async def historie(
        self, werkgever_id: str, dossier_id: UUID, termijn_id: UUID | None = None
    ) -> list[Historieregel]:
        async with self._database.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                "SELECT * FROM termijn_historie WHERE werkgever_id = %s AND dossier_id = %s"
                " AND (%s::uuid IS NULL OR termijn_id = %s) ORDER BY nr",
                (werkgever_id, dossier_id, termijn_id, termijn_id),
            )
            return [
                Historieregel(
                    termijn_id=r["termijn_id"],
                    code=TermijnCode(r["code"]),
                    volgnummer=r["volgnummer"],
                    op=r["op"],
                    wat=r["wat"],
                    vervaldatum=r["vervaldatum"],
                    status=TermijnStatus(r["status"]),
                    reden=r["reden"],
                    oorzaak_event_id=r["oorzaak_event_id"],
                )
                for r in await cur.fetchall()
            ]

    async def werklijst(self, werkgever_id: str, filter: Werklijstfilter) -> list[DossierTermijn]:
        voorwaarden = ["werkgever_id = %(werkgever_id)s"]
        params: dict[str, Any] = {"werkgever_id": werkgever_id, "limit": filter.limit, "offset": filter.offset}
        for kolom, waarde, operator in (
            ("status", filter.status.value if filter.status else None, "="),
            ("vervaldatum", filter.voor, "<"),
            ("vervaldatum", filter.vanaf, ">="),
            ("code", filter.code.value if filter.code else None, "="),
            ("werknemer_id", filter.werknemer_id, "="),
            ("casemanager_id", filter.casemanager_id, "="),
        ):
            if waarde is not None:
                naam = f"p{len(params)}"
                voorwaarden.append(f"{kolom} {operator} %({naam})s")
                params[naam] = waarde
        if filter.afdeling_id is not None:
            voorwaarden.append(
                "EXISTS (SELECT 1 FROM medewerker m WHERE m.werkgever_id = termijn.werkgever_id"
                " AND m.werknemer_id = termijn.werknemer_id AND m.afdeling_id = %(afdeling)s)"
            )
            params["afdeling"] = filter.afdeling_id
        if filter.leidinggevende_id is not None:
            voorwaarden.append(_LEIDT)
            params["lg"] = filter.leidinggevende_id
        query = (
            f"SELECT {_TERMIJN_KOLOMMEN} FROM termijn WHERE {' AND '.join(voorwaarden)}"
            " ORDER BY vervaldatum, werknemer_id, code, volgnummer, termijn_id LIMIT %(limit)s OFFSET %(offset)s"
        )
        async with self._database.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query, params)
            return [_termijn(row) for row in await cur.fetchall()]

    async def leidt(self, werkgever_id: str, leidinggevende_id: str, werknemer_id: str) -> bool:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM medewerker m LEFT JOIN afdeling a"
                " ON a.werkgever_id = m.werkgever_id AND a.afdeling_id = m.afdeling_id"
                " WHERE m.werkgever_id = %(wg)s AND m.werknemer_id = %(wn)s AND m.werknemer_id <> %(lg)s"
                " AND coalesce(m.leidinggevende_id, a.leidinggevende_id) = %(lg)s",
                {"wg": werkgever_id, "wn": werknemer_id, "lg": leidinggevende_id},
            )
            return await cur.fetchone() is not None


class PostgresTermijnregels:
    """Reading the werkgevers' termijnregels: every change is a new version; the latest applies."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def huidige(self, werkgever_id: str) -> tuple[int, Werkgeverregels]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT versie, regels FROM termijnregels WHERE werkgever_id = %s ORDER BY versie DESC LIMIT 1",
                (werkgever_id,),
            )
            row = await cur.fetchone()
            return (row[0], regels_uit_json(row[1])) if row else (0, Werkgeverregels())

    async def geschiedenis(self, werkgever_id: str) -> list[tuple[int, datetime, str, Werkgeverregels]]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT versie, geldig_vanaf, vastgelegd_door, regels FROM termijnregels WHERE werkgever_id = %s"
                " ORDER BY versie",
                (werkgever_id,),
            )
            return [(v, g, d, regels_uit_json(r)) for v, g, d, r in await cur.fetchall()]


def _termijn(row: DictRow) -> DossierTermijn:
    return DossierTermijn(
        termijn_id=row["termijn_id"],
        dossier_id=row["dossier_id"],
        werkgever_id=row["werkgever_id"],
        werknemer_id=row["werknemer_id"],
        termijn=Termijn(
            code=TermijnCode(row["code"]),
            volgnummer=row["volgnummer"],
            vervaldatum=row["vervaldatum"],
            status=TermijnStatus(row["status"]),
            grondslag=row["grondslag"],
            afleiding=row["afleiding"],
            reden=row["reden"],
            vervuld_op=row["vervuld_op"],
            op_tijd=row["op_tijd"],
            bron_event_id=row["bron_event_id"],
        ),
        gepland_op=row["gepland_op"],
        bijgewerkt_op=row["bijgewerkt_op"],
        casemanager_id=row["casemanager_id"],
        nadert_verstuurd=frozenset(row["nadert_verstuurd"]),
        verstreken_verstuurd=frozenset(row["verstreken_verstuurd"]),
        volgende_signaal_op=row["volgende_signaal_op"],
    )
