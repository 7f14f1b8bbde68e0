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
        async with self._db.verbinding() as conn:
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
        async with self._db.verbinding() as conn:
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
        async with self._db.transactie() as conn:
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
            # Every melding of the werknemer with the signals given for it, in one query.
            cur = await conn.execute(
                """
                SELECT m.melding_id, m.eerste_ziektedag, m.dossier_id,
                       f.soort, f.aantal, f.venster_begin, f.venster_eind, f.bron_event_id
                FROM melding m
                LEFT JOIN frequent_signaal f
                    ON f.werkgever_id = m.werkgever_id AND f.werknemer_id = m.werknemer_id
                   AND f.melding_id = m.melding_id
                WHERE m.werkgever_id = %s AND m.werknemer_id = %s
                """,
                (werkgever_id, werknemer_id),
            )
            meldingen: dict[UUID, Melding] = {}
            dossiers: dict[UUID, UUID] = {}
            gegeven: set[tuple[UUID, FrequentSignaal]] = set()
            # What this source event raised on an earlier attempt that was not routed (a redelivery).
            van_deze: list[GegevenFrequentSignaal] = []
            for m, e, d, soort, aantal, begin, eind, bron in await cur.fetchall():
                meldingen[m], dossiers[m] = Melding(m, e), d
                if soort is not None:
                    gegeven.add((m, FrequentSignaal(soort)))
                    if bron == bron_event_id:
                        van_deze.append(
                            GegevenFrequentSignaal(
                                FrequentVerzuimUitkomst(FrequentSignaal(soort), aantal, begin, eind, m), d
                            )
                        )
            nieuw = bepaal(list(meldingen.values()), gegeven)
            if nieuw:
                async with conn.cursor() as cur2:
                    await cur2.executemany(
                        """
                        INSERT INTO frequent_signaal (werkgever_id, werknemer_id, melding_id, soort, dossier_id,
                                                      aantal, venster_begin, venster_eind, bron_event_id)
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
            van_deze += [GegevenFrequentSignaal(u, dossiers[u.melding_id]) for u in nieuw]
            return sorted(
                van_deze, key=lambda g: (g.uitkomst.venster_eind, str(g.uitkomst.melding_id), g.uitkomst.signaal)
            )
