"""The read model in PostgreSQL: the writes of the projector, one transaction per event.

Where two different events carry the same natural key, the stream order decides, not the arrival order: snapshots
(afdeling, medewerker gegevens) keep the most recent fact (highest stream sequence), first facts (dossier, episode,
herstel) keep the earliest. That makes the tables independent of redelivery and equal after a rebuild.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from psycopg import AsyncConnection
from verzuim_shared.events import AfdelingVastgelegd, DossierGeopend, Event, HerstelSoort

from verzuim_reporting.adapters.database import Database
from verzuim_reporting.application import MedewerkerGegevens, Positie
from verzuim_reporting.domain.dienstverband import Dienstverband, DienstverbandMutatie, MutatieSoort
from verzuim_reporting.domain.dossier import DossierToestand, Episode, Herstel


class PostgresProjectiestore:
    def __init__(self, database: Database) -> None:
        self._database = database

    @asynccontextmanager
    async def transactie(self) -> AsyncIterator[PostgresProjectieTransactie]:
        async with self._database.pool.connection() as conn, conn.transaction():
            yield PostgresProjectieTransactie(conn)


class PostgresProjectieTransactie:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def vergrendel(self, *sleutel: str) -> None:
        await self._conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ("|".join(sleutel),))

    async def markeer_verwerkt(self, event: Event, positie: Positie) -> bool:
        cur = await self._conn.execute(
            """
            INSERT INTO verwerkt_event (event_id, stream, stream_sequence, subject, werkgever_id)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """,
            (event.event_id, positie.stream, positie.sequence, event.subject(), event.werkgever_id),
        )
        if await cur.fetchone() is not None:
            return True
        # A copy of an event already applied (published twice under two message ids). It changes nothing, but the
        # record keeps the earliest position, so that the order of (re)delivery never shows in the tables and a
        # rebuild gives the same rows.
        await self._conn.execute(
            "UPDATE verwerkt_event SET stream_sequence = %s"
            " WHERE event_id = %s AND stream = %s AND stream_sequence > %s",
            (positie.sequence, event.event_id, positie.stream, positie.sequence),
        )
        return False

    async def zet_positie(self, positie: Positie) -> None:
        await self._conn.execute(
            """
            INSERT INTO projectie_positie (stream, laatste_sequence) VALUES (%s, %s)
            ON CONFLICT (stream) DO UPDATE
            SET laatste_sequence = GREATEST(projectie_positie.laatste_sequence, EXCLUDED.laatste_sequence)
            """,
            (positie.stream, positie.sequence),
        )

    # ------------------------------------------------------------------------------------------------ personeel

    async def leg_afdeling_vast(self, event: AfdelingVastgelegd, positie: Positie) -> None:
        await self._conn.execute(
            """
            INSERT INTO afdeling (werkgever_id, afdeling_id, naam, leidinggevende_id, hr_adviseur_id,
                                  rayonmanager_id, rayon, stream_sequence)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (werkgever_id, afdeling_id) DO UPDATE
            SET naam = EXCLUDED.naam, leidinggevende_id = EXCLUDED.leidinggevende_id,
                hr_adviseur_id = EXCLUDED.hr_adviseur_id, rayonmanager_id = EXCLUDED.rayonmanager_id,
                rayon = EXCLUDED.rayon, stream_sequence = EXCLUDED.stream_sequence
            WHERE afdeling.stream_sequence < EXCLUDED.stream_sequence
            """,
            (
                event.werkgever_id,
                event.afdeling_id,
                event.naam,
                event.leidinggevende_id,
                event.hr_adviseur_id,
                event.rayonmanager_id,
                event.rayon,
                positie.sequence,
            ),
        )

    async def leg_medewerker_gegevens_vast(
        self, werkgever_id: str, gegevens: MedewerkerGegevens, positie: Positie
    ) -> None:
        await self._conn.execute(
            """
            INSERT INTO medewerker_gegevens (werkgever_id, werknemer_id, geldig_vanaf, afdeling_id, contracturen,
                                             voltijduren, leidinggevende_id, stream_sequence)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (werkgever_id, werknemer_id, geldig_vanaf) DO UPDATE
            SET afdeling_id = EXCLUDED.afdeling_id, contracturen = EXCLUDED.contracturen,
                voltijduren = EXCLUDED.voltijduren, leidinggevende_id = EXCLUDED.leidinggevende_id,
                stream_sequence = EXCLUDED.stream_sequence
            WHERE medewerker_gegevens.stream_sequence < EXCLUDED.stream_sequence
            """,
            (
                werkgever_id,
                gegevens.werknemer_id,
                gegevens.geldig_vanaf,
                gegevens.afdeling_id,
                gegevens.contracturen,
                gegevens.voltijduren,
                gegevens.leidinggevende_id,
                positie.sequence,
            ),
        )

    async def voeg_dienstverband_mutatie_toe(
        self, werkgever_id: str, werknemer_id: str, event_id: UUID, mutatie: DienstverbandMutatie
    ) -> None:
        await self._conn.execute(
            """
            INSERT INTO dienstverband_mutatie (werkgever_id, werknemer_id, event_id, soort, datum, stream_sequence)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT DO NOTHING
            """,
            (werkgever_id, werknemer_id, event_id, mutatie.soort.value, mutatie.datum, mutatie.stream_sequence),
        )

    async def dienstverband_mutaties(self, werkgever_id: str, werknemer_id: str) -> list[DienstverbandMutatie]:
        cur = await self._conn.execute(
            """
            SELECT soort, datum, stream_sequence FROM dienstverband_mutatie
            WHERE werkgever_id = %s AND werknemer_id = %s
            """,
            (werkgever_id, werknemer_id),
        )
        return [DienstverbandMutatie(MutatieSoort(soort), datum, seq) for soort, datum, seq in await cur.fetchall()]

    async def vervang_dienstverbanden(
        self, werkgever_id: str, werknemer_id: str, periodes: list[Dienstverband]
    ) -> None:
        await self._conn.execute(
            "DELETE FROM dienstverband WHERE werkgever_id = %s AND werknemer_id = %s", (werkgever_id, werknemer_id)
        )
        if not periodes:
            return
        async with self._conn.cursor() as cur:
            await cur.executemany(
                """
                INSERT INTO dienstverband (werkgever_id, werknemer_id, datum_in_dienst, datum_uit_dienst)
                VALUES (%s, %s, %s, %s)
                """,
                [(werkgever_id, werknemer_id, p.datum_in_dienst, p.datum_uit_dienst) for p in periodes],
            )

    # ------------------------------------------------------------------------------------------------ dossiers

    async def leg_dossier_vast(self, event: DossierGeopend, positie: Positie) -> None:
        # status and percentage are set right after by werk_dossier_bij, from all the dossier's facts
        await self._conn.execute(
            """
            INSERT INTO dossier (werkgever_id, dossier_id, werknemer_id, melding_id, eerste_ziektedag, status,
                                 hersteldatum, arbeidsongeschiktheidspercentage, stream_sequence)
            VALUES (%s, %s, %s, %s, %s, 'open', NULL, 100, %s)
            ON CONFLICT (werkgever_id, dossier_id) DO UPDATE
            SET werknemer_id = EXCLUDED.werknemer_id, melding_id = EXCLUDED.melding_id,
                eerste_ziektedag = EXCLUDED.eerste_ziektedag, stream_sequence = EXCLUDED.stream_sequence
            WHERE dossier.stream_sequence > EXCLUDED.stream_sequence
            """,
            (
                event.werkgever_id,
                event.dossier_id,
                event.werknemer_id,
                event.melding_id,
                event.eerste_ziektedag,
                positie.sequence,
            ),
        )

    async def voeg_episode_toe(self, werkgever_id: str, dossier_id: UUID, episode: Episode) -> None:
        await self._conn.execute(
            """
            INSERT INTO dossier_episode (werkgever_id, dossier_id, melding_id, eerste_ziektedag, stream_sequence)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (werkgever_id, dossier_id, melding_id) DO UPDATE
            SET eerste_ziektedag = EXCLUDED.eerste_ziektedag, stream_sequence = EXCLUDED.stream_sequence
            WHERE dossier_episode.stream_sequence > EXCLUDED.stream_sequence
            """,
            (werkgever_id, dossier_id, episode.melding_id, episode.eerste_ziektedag, episode.stream_sequence),
        )

    async def voeg_herstel_toe(self, werkgever_id: str, dossier_id: UUID, herstel: Herstel) -> None:
        await self._conn.execute(
            """
            INSERT INTO dossier_herstel (werkgever_id, dossier_id, herstel_id, soort, hersteldatum,
                                         arbeidsongeschiktheidspercentage, stream_sequence)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (werkgever_id, dossier_id, herstel_id) DO UPDATE
            SET soort = EXCLUDED.soort, hersteldatum = EXCLUDED.hersteldatum,
                arbeidsongeschiktheidspercentage = EXCLUDED.arbeidsongeschiktheidspercentage,
                stream_sequence = EXCLUDED.stream_sequence
            WHERE dossier_herstel.stream_sequence > EXCLUDED.stream_sequence
            """,
            (
                werkgever_id,
                dossier_id,
                herstel.herstel_id,
                herstel.soort.value,
                herstel.hersteldatum,
                herstel.arbeidsongeschiktheidspercentage,
                herstel.stream_sequence,
            ),
        )

    async def dossier_feiten(self, werkgever_id: str, dossier_id: UUID) -> tuple[list[Episode], list[Herstel]]:
        cur = await self._conn.execute(
            """
            SELECT melding_id, eerste_ziektedag, stream_sequence FROM dossier_episode
            WHERE werkgever_id = %s AND dossier_id = %s
            """,
            (werkgever_id, dossier_id),
        )
        episodes = [Episode(melding_id, eerste, seq) for melding_id, eerste, seq in await cur.fetchall()]
        cur = await self._conn.execute(
            """
            SELECT herstel_id, soort, hersteldatum, arbeidsongeschiktheidspercentage, stream_sequence
            FROM dossier_herstel WHERE werkgever_id = %s AND dossier_id = %s
            """,
            (werkgever_id, dossier_id),
        )
        herstellen = [
            Herstel(herstel_id, HerstelSoort(soort), datum, percentage, seq)
            for herstel_id, soort, datum, percentage, seq in await cur.fetchall()
        ]
        return episodes, herstellen

    async def werk_dossier_bij(self, werkgever_id: str, dossier_id: UUID, toestand: DossierToestand) -> None:
        await self._conn.execute(
            """
            UPDATE dossier SET status = %s, hersteldatum = %s, arbeidsongeschiktheidspercentage = %s
            WHERE werkgever_id = %s AND dossier_id = %s
            """,
            (
                toestand.status.value,
                toestand.hersteldatum,
                toestand.arbeidsongeschiktheidspercentage,
                werkgever_id,
                dossier_id,
            ),
        )
        async with self._conn.cursor() as cur:
            await cur.executemany(
                """
                UPDATE dossier_episode SET hersteldatum = %s
                WHERE werkgever_id = %s AND dossier_id = %s AND melding_id = %s
                """,
                [(e.hersteldatum, werkgever_id, dossier_id, e.melding_id) for e in toestand.episodes],
            )
