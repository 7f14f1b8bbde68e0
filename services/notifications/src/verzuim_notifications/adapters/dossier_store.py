"""The dossier facts routing needs, on PostgreSQL: who guides each dossier, and every melding of a werknemer."""

from __future__ import annotations

from uuid import UUID

from verzuim_notifications.adapters.database import Database
from verzuim_notifications.domain.frequent_verzuim import Melding
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

    async def voeg_melding_toe(self, werkgever_id: str, werknemer_id: str, dossier_id: UUID, melding: Melding) -> None:
        async with self._db.pool.connection() as conn:
            await conn.execute(
                """
                INSERT INTO melding (melding_id, werkgever_id, werknemer_id, eerste_ziektedag, dossier_id)
                VALUES (%s, %s, %s, %s, %s) ON CONFLICT (melding_id) DO NOTHING
                """,
                (melding.melding_id, werkgever_id, werknemer_id, melding.eerste_ziektedag, dossier_id),
            )

    async def meldingen(self, werkgever_id: str, werknemer_id: str) -> list[Melding]:
        async with self._db.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT melding_id, eerste_ziektedag FROM melding WHERE werkgever_id = %s AND werknemer_id = %s",
                (werkgever_id, werknemer_id),
            )
            return [Melding(melding_id, e) for melding_id, e in await cur.fetchall()]
