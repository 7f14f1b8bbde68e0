"""The dossier facts routing needs, on PostgreSQL: who guides each dossier, every melding of a werknemer and the
frequent-verzuim signals given for them."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from verzuim_notifications.adapters.database import Database
from verzuim_notifications.application import GegevenFrequentSignaal
from verzuim_notifications.domain.frequent_verzuim import FrequentSignaal, FrequentVerzuimUitkomst, Melding
from verzuim_notifications.domain.regiemodel import Ontvangerrol
from verzuim_notifications.domain.routering import DossierBegeleiding

_VELD = {
    Ontvangerrol.CASEMANAGER.value: "casemanager_id",
    Ontvangerrol.VERZUIMCOACH.value: "verzuimcoach_id",
    Ontvangerrol.BEGELEIDER.value: "begeleider_id",
    Ontvangerrol.BEDRIJFSARTS.value: "bedrijfsarts_id",
}


class PostgresDossierStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def wijs_toe(
        self, werkgever_id: str, dossier_id: UUID, rol: Ontvangerrol, persoon_id: str, versie: int
    ) -> None:
        # The later dossier version wins; the same version again (a redelivery) changes nothing.
        async with self._db.pool.connection() as conn:
            await conn.execute(
                """
                INSERT INTO dossier_begeleiding (werkgever_id, dossier_id, rol, persoon_id, versie)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (werkgever_id, dossier_id, rol) DO UPDATE
                    SET persoon_id = EXCLUDED.persoon_id, versie = EXCLUDED.versie
                    WHERE dossier_begeleiding.versie < EXCLUDED.versie
                """,
                (werkgever_id, dossier_id, rol.value, persoon_id, versie),
            )

    async def begeleiding(self, werkgever_id: str, dossier_id: UUID) -> DossierBegeleiding:
        async with self._db.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT rol, persoon_id FROM dossier_begeleiding WHERE werkgever_id = %s AND dossier_id = %s",
                (werkgever_id, dossier_id),
            )
            velden = {_VELD[rol]: persoon for rol, persoon in await cur.fetchall() if rol in _VELD}
        return DossierBegeleiding(**velden)

    async def registreer_melding(
        self,
        werkgever_id: str,
        werknemer_id: str,
        dossier_id: UUID,
        melding: Melding,
        bron_event_id: UUID,
        bepaal: Callable[[list[Melding], set[tuple[UUID, FrequentSignaal]]], list[FrequentVerzuimUitkomst]],
    ) -> list[GegevenFrequentSignaal]:
        async with self._db.pool.connection() as conn, conn.transaction():
            # One melding of a werknemer at a time: the next one waits for this commit and then sees this melding.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"melding|{werkgever_id}|{werknemer_id}",)
            )
            await conn.execute(
                """
                INSERT INTO melding (melding_id, werkgever_id, werknemer_id, eerste_ziektedag, dossier_id)
                VALUES (%s, %s, %s, %s, %s) ON CONFLICT (melding_id) DO NOTHING
                """,
                (melding.melding_id, werkgever_id, werknemer_id, melding.eerste_ziektedag, dossier_id),
            )
            cur = await conn.execute(
                "SELECT melding_id, eerste_ziektedag, dossier_id FROM melding "
                "WHERE werkgever_id = %s AND werknemer_id = %s",
                (werkgever_id, werknemer_id),
            )
            rijen = await cur.fetchall()
            dossiers: dict[UUID, UUID] = {m: d for m, _, d in rijen}
            cur = await conn.execute(
                "SELECT melding_id, soort FROM frequent_signaal WHERE werkgever_id = %s AND werknemer_id = %s",
                (werkgever_id, werknemer_id),
            )
            gegeven = {(m, FrequentSignaal(soort)) for m, soort in await cur.fetchall()}
            nieuw = bepaal([Melding(m, e) for m, e, _ in rijen], gegeven)
            async with conn.cursor() as cur2:
                await cur2.executemany(
                    """
                    INSERT INTO frequent_signaal (werkgever_id, werknemer_id, melding_id, soort, dossier_id, aantal,
                                                  venster_begin, venster_eind, bron_event_id)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
                    """,
                    [
                        (
                            werkgever_id,
                            werknemer_id,
                            u.melding_id,
                            u.signaal.value,
                            dossiers[u.melding_id],
                            u.aantal,
                            u.venster_begin,
                            u.venster_eind,
                            bron_event_id,
                        )
                        for u in nieuw
                    ],
                )
            # What this source event raised, now or on an earlier attempt that was not routed (a redelivery).
            cur = await conn.execute(
                """
                SELECT melding_id, soort, dossier_id, aantal, venster_begin, venster_eind FROM frequent_signaal
                WHERE bron_event_id = %s ORDER BY venster_eind, melding_id, soort
                """,
                (bron_event_id,),
            )
            return [
                GegevenFrequentSignaal(FrequentVerzuimUitkomst(FrequentSignaal(soort), aantal, begin, eind, m), d)
                for m, soort, d, aantal, begin, eind in await cur.fetchall()
            ]
