"""The read side of the read model: the queries behind the reports. Every query is scoped to one werkgever.

The sums are the tellers of `domain.kerncijfers`, computed in SQL over the derived rows with exact integer and numeric
arithmetic, so they equal the Python reference digit for digit (tested), whatever the order of the rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.projectiestore import werknemer_feiten
from verzuim_reporting.application import ZONDER, Filter, Groepering, GroepTellers, OpenDossier
from verzuim_reporting.domain.dossier import DossierFeit
from verzuim_reporting.domain.frequent import Melding
from verzuim_reporting.domain.kerncijfers import NUL, Tellers
from verzuim_reporting.domain.periode import Periode
from verzuim_reporting.domain.personeel import MedewerkerFeit
from verzuim_reporting.domain.rapportage import ONBEKEND
from verzuim_reporting.domain.termijnen import TermijnStatus, lege_aantallen

# The group of a row `r` (bezetting, verzuim_segment or verzuimgeval) with its afdeling `a`. A werknemer's own
# leidinggevende comes first; otherwise the afdeling's. The rayon and the afdeling's leidinggevende are the current
# ones (AfdelingVastgelegd has no history).
_GROEP = {
    Groepering.WERKGEVER: "r.werkgever_id",
    Groepering.AFDELING: "r.afdeling_id",
    Groepering.LEIDINGGEVENDE: f"COALESCE(r.leidinggevende_id, a.leidinggevende_id, '{ZONDER}')",
    Groepering.RAYON: f"COALESCE(a.rayon, '{ZONDER}')",
}
_LEIDINGGEVENDE = "COALESCE(r.leidinggevende_id, a.leidinggevende_id)"

_AFDELING_JOIN = "LEFT JOIN afdeling a ON a.werkgever_id = r.werkgever_id AND a.afdeling_id = r.afdeling_id"


def _filter(filter_: Filter, params: dict[str, Any]) -> str:
    voorwaarden = ["true"]
    if filter_.afdeling_id is not None:
        voorwaarden.append("r.afdeling_id = %(afdeling_id)s")
        params["afdeling_id"] = filter_.afdeling_id
    if filter_.leidinggevende_id is not None:
        voorwaarden.append(f"{_LEIDINGGEVENDE} = %(leidinggevende_id)s")
        params["leidinggevende_id"] = filter_.leidinggevende_id
    return " AND ".join(voorwaarden)


# The days of a row [r.van, r.tot] (r.tot null: still running) inside period p.
_DAGEN = "(LEAST(COALESCE(r.tot, p.tot), p.tot) - GREATEST(r.van, p.van) + 1)"

_PERIODES = "WITH p AS (SELECT * FROM unnest(%(idx)s::int[], %(van)s::date[], %(tot)s::date[]) AS p(idx, van, tot))"


def _tellers_sql(tabel: str, kolommen: str, join: str, groep: str, filter_sql: str) -> str:
    return f"""
    {_PERIODES}
    SELECT p.idx, {groep} AS groep, GROUPING({groep}) AS totaal, {kolommen}
    FROM p JOIN {tabel} r ON {join}
    {_AFDELING_JOIN}
    WHERE {filter_sql}
    GROUP BY GROUPING SETS ((p.idx, {groep}), (p.idx))
    """


def _eerste_in_periode(kolom: str) -> str:
    """Count each werknemer once: the row that overlaps the period while the werknemer's previous row (overall, or in
    the same afdeling) ended before it. Exact, because a werknemer's rows do not overlap."""
    return f"COUNT(*) FILTER (WHERE r.{kolom} IS NULL OR r.{kolom} < p.van)"


def _apart_tellen(groepering: Groepering, filter_: Filter) -> bool:
    """Per rayon or leidinggevende (groups formed through the afdeling) a werknemer may have rows in two afdelingen
    of one group: the predecessor columns cannot count them once per group. Those counts come from a query of their
    own (a hashed DISTINCT), while the total still uses the predecessor columns."""
    return filter_.leidinggevende_id is None and groepering in (Groepering.LEIDINGGEVENDE, Groepering.RAYON)


def _werknemers(groepering: Groepering, filter_: Filter) -> tuple[str | None, str]:
    """How to count distinct werknemers per group (None: by a query of its own) and in total. Per werkgever or
    afdeling the predecessor columns do it; within one team (a subset of each werknemer's rows) it takes a DISTINCT."""
    if filter_.leidinggevende_id is not None:
        return "COUNT(DISTINCT r.werknemer_id)", "COUNT(DISTINCT r.werknemer_id)"
    totaal = "vorige_tot" if filter_.afdeling_id is None else "vorige_tot_afdeling"
    if _apart_tellen(groepering, filter_):
        return None, _eerste_in_periode(totaal)
    groep = totaal if groepering is Groepering.WERKGEVER else "vorige_tot_afdeling"
    return _eerste_in_periode(groep), _eerste_in_periode(totaal)


def _bezetting(groepering: Groepering, filter_: Filter) -> str:
    per_groep, totaal = _werknemers(groepering, filter_)
    return f"""
    SUM({_DAGEN}) AS dienstdagen,
    SUM({_DAGEN} * r.deeltijdfactor_e10) AS capaciteit_e10,
    {f"{per_groep} AS werknemers_groep," if per_groep else ""}
    {totaal} AS werknemers_totaal
    """


def _segment(groepering: Groepering, filter_: Filter) -> str:
    per_groep, totaal = _werknemers(groepering, filter_)
    return f"""
    SUM({_DAGEN} * r.deeltijdfactor_e10 * r.percentage) AS verzuim_e12,
    SUM({_DAGEN} * r.contracturen_e6) AS contracturen_ziek_e6,
    SUM({_DAGEN} * r.inzet_e6) AS inzet_ziek_e6,
    {f"{per_groep} AS werknemers_met_verzuim_groep," if per_groep else ""}
    {totaal} AS werknemers_met_verzuim_totaal
    """


def _werknemers_per_groep_sql(tabel: str, groep: str, filter_sql: str) -> str:
    return f"""
    {_PERIODES}
    SELECT idx, groep, COUNT(*) FROM (
        SELECT DISTINCT p.idx, {groep} AS groep, r.werknemer_id
        FROM p JOIN {tabel} r ON {_OVERLAPT}
        {_AFDELING_JOIN}
        WHERE {filter_sql}
    ) werknemers
    GROUP BY idx, groep
    """


_OVERLAPT = "r.werkgever_id = %(werkgever_id)s AND r.van <= p.tot AND (r.tot IS NULL OR r.tot >= p.van)"
# Two index ranges rather than one OR: the meldingen that start in the period, and the gevallen that end in it.
_MELDINGEN = "COUNT(*) AS meldingen"
_MELDING_IN_PERIODE = (
    "r.werkgever_id = %(werkgever_id)s AND r.eerste_ziektedag BETWEEN p.van AND p.tot"
    " AND r.afdeling_id IS NOT NULL AND r.in_dienst_bij_melding"
)
_BEEINDIGD = "COUNT(*) AS beeindigd, SUM(r.hersteldatum - r.eerste_ziektedag) AS beeindigd_duur"
_BEEINDIGD_IN_PERIODE = (
    "r.werkgever_id = %(werkgever_id)s AND r.hersteldatum BETWEEN p.van AND p.tot AND r.afdeling_id IS NOT NULL"
)

# The werknemer's data that apply on a date: the latest geldig_vanaf on or before it, otherwise the earliest.
_GEGEVENS_OP = """
LEFT JOIN LATERAL (
    SELECT m.afdeling_id, m.leidinggevende_id FROM medewerker_gegevens m
    WHERE m.werkgever_id = {rij}.werkgever_id AND m.werknemer_id = {rij}.werknemer_id
    ORDER BY m.geldig_vanaf <= {dag} DESC, CASE WHEN m.geldig_vanaf <= {dag} THEN m.geldig_vanaf END DESC,
             m.geldig_vanaf
    LIMIT 1
) gegevens ON true
LEFT JOIN afdeling a ON a.werkgever_id = {rij}.werkgever_id AND a.afdeling_id = gegevens.afdeling_id
"""

# Open on the peildatum: the dossier's latest episode that began on or before the peildatum has not ended (by
# volledig herstel or closing) on or before it.
_OPEN_DOSSIERS = """
WITH open_dossier AS (
    SELECT d.werkgever_id, d.dossier_id, d.werknemer_id, d.eerste_ziektedag
    FROM dossier d
    JOIN LATERAL (
        SELECT g.einde FROM verzuimgeval g
        WHERE g.werkgever_id = d.werkgever_id AND g.dossier_id = d.dossier_id AND g.eerste_ziektedag <= %(peildatum)s
        ORDER BY g.eerste_ziektedag DESC, g.stream_sequence DESC
        LIMIT 1
    ) laatste ON true
    WHERE d.werkgever_id = %(werkgever_id)s AND (laatste.einde IS NULL OR laatste.einde > %(peildatum)s)
)
SELECT o.dossier_id, o.werknemer_id, gegevens.afdeling_id,
       COALESCE(gegevens.leidinggevende_id, a.leidinggevende_id), o.eerste_ziektedag,
       (SELECT COALESCE(SUM(LEAST(COALESCE(g.einde - 1, %(peildatum)s), %(peildatum)s) - g.eerste_ziektedag + 1), 0)
        FROM verzuimgeval g
        WHERE g.werkgever_id = o.werkgever_id AND g.dossier_id = o.dossier_id
          AND g.eerste_ziektedag <= %(peildatum)s)
FROM open_dossier o
""" + _GEGEVENS_OP.format(rij="o", dag="%(peildatum)s")


def _getal(waarde: Any) -> Decimal:
    return NUL if waarde is None else Decimal(waarde)


class PostgresLeesmodel:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def open_dossiers(self, werkgever_id: str, peildatum: date) -> tuple[dict[str | None, int], dict[str, str]]:
        aantallen: dict[str | None, int] = {}
        for dossier in await self.open_dossiers_met_duur(werkgever_id, peildatum):
            aantallen[dossier.afdeling_id] = aantallen.get(dossier.afdeling_id, 0) + 1
        return aantallen, await self._afdelingen(werkgever_id)

    async def open_dossiers_met_duur(self, werkgever_id: str, peildatum: date) -> list[OpenDossier]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(_OPEN_DOSSIERS, {"werkgever_id": werkgever_id, "peildatum": peildatum})
            return [OpenDossier(*row) for row in await cur.fetchall()]

    async def _afdelingen(self, werkgever_id: str) -> dict[str, str]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute("SELECT afdeling_id, naam FROM afdeling WHERE werkgever_id = %s", (werkgever_id,))
            return {afdeling_id: naam for afdeling_id, naam in await cur.fetchall()}

    async def tellers(
        self, werkgever_id: str, periodes: Sequence[Periode], groepering: Groepering, filter_: Filter
    ) -> list[GroepTellers]:
        params: dict[str, Any] = {
            "werkgever_id": werkgever_id,
            "idx": list(range(len(periodes))),
            "van": [p.van for p in periodes],
            "tot": [p.tot for p in periodes],
        }
        filter_sql = _filter(filter_, params)
        groep = _GROEP[groepering]
        velden: list[dict[str | None, dict[str, Any]]] = [{} for _ in periodes]

        async def lees(tabel: str, kolommen: str, join: str) -> None:
            async with self._database.pool.connection() as conn:
                cur = await conn.execute(_tellers_sql(tabel, kolommen, join, groep, filter_sql), params)
                rijen = await cur.fetchall()
            namen = [c.name for c in cur.description or ()][3:]
            for idx, sleutel, is_totaal, *waarden in rijen:
                doel = velden[idx].setdefault(None if is_totaal else sleutel, {})
                for naam, waarde in zip(namen, waarden, strict=True):
                    # per group the group's werknemer count, in the total row the total's
                    if naam.endswith("_groep"):
                        if not is_totaal:
                            doel[naam.removesuffix("_groep")] = waarde
                    elif naam.endswith("_totaal"):
                        if is_totaal:
                            doel[naam.removesuffix("_totaal")] = waarde
                    else:
                        doel[naam] = waarde

        async def tel_per_groep(tabel: str, veld: str) -> None:
            async with self._database.pool.connection() as conn:
                cur = await conn.execute(_werknemers_per_groep_sql(tabel, groep, filter_sql), params)
                for idx, sleutel, aantal in await cur.fetchall():
                    velden[idx].setdefault(sleutel, {})[veld] = aantal

        # independent aggregates, each on a connection of its own: PostgreSQL runs them side by side
        await asyncio.gather(
            lees("bezetting", _bezetting(groepering, filter_), _OVERLAPT),
            lees("verzuim_segment", _segment(groepering, filter_), _OVERLAPT),
            lees("verzuimgeval", _MELDINGEN, _MELDING_IN_PERIODE),
            lees("verzuimgeval", _BEEINDIGD, _BEEINDIGD_IN_PERIODE),
            *(
                (tel_per_groep("bezetting", "werknemers"), tel_per_groep("verzuim_segment", "werknemers_met_verzuim"))
                if _apart_tellen(groepering, filter_)
                else ()
            ),
        )

        resultaat = []
        for per_groep in velden:
            tellers = {sleutel: _tellers(v) for sleutel, v in per_groep.items()}
            totaal = tellers.pop(None, Tellers())
            groepen: dict[str, Tellers] = {k: v for k, v in tellers.items() if k is not None}
            if groepering is Groepering.WERKGEVER:
                groepen = {werkgever_id: totaal} if totaal != Tellers() else {}
            resultaat.append(GroepTellers(groepen, totaal))
        return resultaat

    async def groepnamen(self, werkgever_id: str, groepering: Groepering) -> dict[str, str | None]:
        if groepering is Groepering.AFDELING:
            return dict(await self._afdelingen(werkgever_id))
        if groepering is Groepering.LEIDINGGEVENDE:
            return {ZONDER: "Geen leidinggevende bekend"}
        if groepering is Groepering.RAYON:
            return {ZONDER: "Geen rayon"}
        return {}

    async def duurklassen(
        self, werkgever_id: str, periode: Periode, grenzen: Sequence[int], groepering: Groepering, filter_: Filter
    ) -> tuple[dict[str, list[int]], list[int]]:
        params: dict[str, Any] = {
            "werkgever_id": werkgever_id,
            "van": periode.van,
            "tot": periode.tot,
            "grenzen": list(grenzen),
        }
        filter_sql = _filter(filter_, params)
        groep = _GROEP[groepering]
        klasse = (
            "width_bucket(LEAST(COALESCE(r.einde - 1, %(tot)s::date), %(tot)s::date) - r.eerste_ziektedag + 1,"
            " %(grenzen)s::int[])"
        )
        query = f"""
            SELECT {groep} AS groep, GROUPING({groep}) AS totaal, {klasse} AS klasse, COUNT(*)
            FROM verzuimgeval r {_AFDELING_JOIN}
            WHERE r.werkgever_id = %(werkgever_id)s AND r.afdeling_id IS NOT NULL
              AND r.eerste_ziektedag <= %(tot)s AND (r.einde IS NULL OR r.einde > %(van)s) AND {filter_sql}
            GROUP BY GROUPING SETS (({groep}, {klasse}), ({klasse}))
        """
        per_groep: dict[str, list[int]] = {}
        totaal = [0] * (len(grenzen) + 1)
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(query, params)
            for sleutel, is_totaal, index, aantal in await cur.fetchall():
                doel = totaal if is_totaal else per_groep.setdefault(sleutel, [0] * (len(grenzen) + 1))
                doel[index] = aantal
        if groepering is Groepering.WERKGEVER:
            per_groep = {werkgever_id: totaal} if any(totaal) else {}
        return per_groep, totaal

    async def meldingen(self, werkgever_id: str, van: date, tot: date) -> list[Melding]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(
                """
                SELECT werknemer_id, eerste_ziektedag, afdeling_id, leidinggevende_id FROM verzuimgeval
                WHERE werkgever_id = %s AND in_dienst_bij_melding AND afdeling_id IS NOT NULL
                  AND eerste_ziektedag BETWEEN %s AND %s
                """,
                (werkgever_id, van, tot),
            )
            return [Melding(*row) for row in await cur.fetchall()]

    async def effectieve_leidinggevenden(self, werkgever_id: str) -> dict[str, str | None]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT afdeling_id, leidinggevende_id FROM afdeling WHERE werkgever_id = %s", (werkgever_id,)
            )
            return {afdeling_id: lg for afdeling_id, lg in await cur.fetchall()}

    async def termijnen(
        self, werkgever_id: str, periode: Periode, filter_: Filter, groepering: Groepering
    ) -> dict[str, dict[str, dict[TermijnStatus, int]]]:
        params: dict[str, Any] = {"werkgever_id": werkgever_id, "van": periode.van, "tot": periode.tot}
        voorwaarden = ""
        if filter_.afdeling_id is not None:
            voorwaarden += f" AND COALESCE(gegevens.afdeling_id, '{ONBEKEND}') = %(afdeling_id)s"
            params["afdeling_id"] = filter_.afdeling_id
        if filter_.leidinggevende_id is not None:
            voorwaarden += " AND COALESCE(gegevens.leidinggevende_id, a.leidinggevende_id) = %(leidinggevende_id)s"
            params["leidinggevende_id"] = filter_.leidinggevende_id
        # the werknemer's group on the due date, as the other figures group a row
        groep = {
            Groepering.WERKGEVER: "t.werkgever_id",
            Groepering.AFDELING: f"COALESCE(gegevens.afdeling_id, '{ONBEKEND}')",
            Groepering.LEIDINGGEVENDE: f"COALESCE(gegevens.leidinggevende_id, a.leidinggevende_id, '{ZONDER}')",
            Groepering.RAYON: f"COALESCE(a.rayon, '{ZONDER}')",
        }[groepering]
        query = (
            f"SELECT {groep}, t.code, t.status, COUNT(*) FROM termijn t"
            + _GEGEVENS_OP.format(rij="t", dag="t.vervaldatum")
            + " WHERE t.werkgever_id = %(werkgever_id)s AND t.vervaldatum BETWEEN %(van)s AND %(tot)s"
            + voorwaarden
            + " GROUP BY 1, 2, 3"
        )
        per_groep: dict[str, dict[str, dict[TermijnStatus, int]]] = {}
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(query, params)
            for sleutel, code, status, aantal in await cur.fetchall():
                per_groep.setdefault(sleutel, {}).setdefault(code, lege_aantallen())[TermijnStatus(status)] = aantal
        return per_groep

    async def afdelingskenmerken(self, werkgever_id: str) -> dict[str, tuple[str | None, str | None]]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT afdeling_id, leidinggevende_id, rayon FROM afdeling WHERE werkgever_id = %s", (werkgever_id,)
            )
            return {afdeling_id: (lg, rayon) for afdeling_id, lg, rayon in await cur.fetchall()}

    async def werknemer_feiten(
        self, werkgever_id: str, werknemer_id: str
    ) -> tuple[list[MedewerkerFeit], list[DossierFeit]]:
        async with self._database.pool.connection() as conn:
            return await werknemer_feiten(conn, werkgever_id, werknemer_id)

    async def afdelingen(self, werkgever_id: str) -> dict[str, str | None]:
        async with self._database.pool.connection() as conn:
            cur = await conn.execute(
                """
                SELECT afdeling_id, naam FROM afdeling WHERE werkgever_id = %(wg)s
                UNION
                SELECT DISTINCT afdeling_id, NULL FROM bezetting b WHERE werkgever_id = %(wg)s
                  AND NOT EXISTS (SELECT 1 FROM afdeling a
                                  WHERE a.werkgever_id = b.werkgever_id AND a.afdeling_id = b.afdeling_id)
                """,
                {"wg": werkgever_id},
            )
            return {afdeling_id: naam for afdeling_id, naam in await cur.fetchall()}


def _tellers(v: dict[str, Any]) -> Tellers:
    """The sums come as exact integers of scaled factors; scaleb turns them back into exact decimals."""
    return Tellers(
        capaciteit=_getal(v.get("capaciteit_e10")).scaleb(-10),
        verzuim=_getal(v.get("verzuim_e12")).scaleb(-12),
        dienstdagen=int(v.get("dienstdagen") or 0),
        meldingen=int(v.get("meldingen") or 0),
        beeindigd=int(v.get("beeindigd") or 0),
        beeindigd_duur=int(v.get("beeindigd_duur") or 0),
        werknemers=int(v.get("werknemers") or 0),
        werknemers_met_verzuim=int(v.get("werknemers_met_verzuim") or 0),
        contracturen_ziek=_getal(v.get("contracturen_ziek_e6")).scaleb(-6),
        inzet_ziek=_getal(v.get("inzet_ziek_e6")).scaleb(-6),
    )
