"""The read side of the read model: the queries behind the reports. Every query is scoped to one werkgever."""

from __future__ import annotations

from datetime import date

from verzuim_reporting.adapters.database import Database

# Open on the peildatum: the dossier's latest episode that began on or before the peildatum has not ended by
# volledig herstel on or before it. The afdeling is the one in the werknemer's gegevens that apply on the
# peildatum (latest geldig_vanaf not after it); when all known gegevens start later, the earliest of them.
_OPEN_DOSSIERS_PER_AFDELING = """
SELECT gegevens.afdeling_id, count(*)
FROM dossier d
JOIN LATERAL (
    SELECT e.hersteldatum FROM dossier_episode e
    WHERE e.werkgever_id = d.werkgever_id AND e.dossier_id = d.dossier_id AND e.eerste_ziektedag <= %(peildatum)s
    ORDER BY e.eerste_ziektedag DESC, e.stream_sequence DESC
    LIMIT 1
) laatste_episode ON true
LEFT JOIN LATERAL (
    SELECT m.afdeling_id FROM medewerker_gegevens m
    WHERE m.werkgever_id = d.werkgever_id AND m.werknemer_id = d.werknemer_id
    ORDER BY m.geldig_vanaf <= %(peildatum)s DESC,
             CASE WHEN m.geldig_vanaf <= %(peildatum)s THEN m.geldig_vanaf END DESC,
             m.geldig_vanaf
    LIMIT 1
) gegevens ON true
WHERE d.werkgever_id = %(werkgever_id)s
  AND (laatste_episode.hersteldatum IS NULL OR laatste_episode.hersteldatum > %(peildatum)s)
GROUP BY gegevens.afdeling_id
"""


class PostgresLeesmodel:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def open_dossiers(self, werkgever_id: str, peildatum: date) -> tuple[dict[str | None, int], dict[str, str]]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(
                _OPEN_DOSSIERS_PER_AFDELING, {"werkgever_id": werkgever_id, "peildatum": peildatum}
            )
            aantallen: dict[str | None, int] = {afdeling_id: aantal for afdeling_id, aantal in await cur.fetchall()}
            cur = await conn.execute("SELECT afdeling_id, naam FROM afdeling WHERE werkgever_id = %s", (werkgever_id,))
            afdelingen: dict[str, str] = {afdeling_id: naam for afdeling_id, naam in await cur.fetchall()}
        return aantallen, afdelingen
