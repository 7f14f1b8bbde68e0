"""The routing configuration on PostgreSQL: the regiemodel versions (append-only), the rolbezetting and the routing
gaps."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from verzuim_notifications.adapters.database import Database
from verzuim_notifications.application import GeregistreerdGat, Rolhouder
from verzuim_notifications.domain.regiemodel import (
    Ontvangerrol,
    Regiemodel,
    RegiemodelVersie,
    Soort,
    model_naar_json,
    model_uit_json,
)
from verzuim_notifications.domain.routering import Leeg, Routeringsgat

WERKGEVER = ""  # the scope of the werkgever's own model and rolbezetting


def _scope(afdeling_id: str | None) -> str:
    return WERKGEVER if afdeling_id is None else afdeling_id


def _versie(row: dict[str, Any], model: Regiemodel | None) -> RegiemodelVersie:
    return RegiemodelVersie(
        werkgever_id=row["werkgever_id"],
        afdeling_id=row["scope"] or None,
        versie=row["versie"],
        geldig_vanaf=row["geldig_vanaf"],
        model=model,
        geregistreerd_op=row["geregistreerd_op"],
        actor_id=row["actor_id"],
        actor_rol=row["actor_rol"],
        reden=row["reden"],
    )


# Versions parsed before, by (werkgever, scope, versie). A version never changes once written (append-only), so an
# entry is never stale; the bound only limits memory.
_CACHE_GROOTTE = 4096


class PostgresConfiguratieStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._modellen: OrderedDict[tuple[str, str, int], Regiemodel | None] = OrderedDict()

    async def versies(self, werkgever_id: str, afdeling_id: str | None) -> list[RegiemodelVersie]:
        return (await self.versies_van(werkgever_id, [afdeling_id]))[afdeling_id]

    async def versies_van(
        self, werkgever_id: str, afdeling_ids: Sequence[str | None]
    ) -> dict[str | None, list[RegiemodelVersie]]:
        """Every version of each scope, in one query. Routing asks this for every event: the model itself (a JSON
        document of a few kilobytes) is read and parsed only for a version not seen before."""
        scopes = [_scope(a) for a in afdeling_ids]
        async with self._db.verbinding() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                """
                SELECT werkgever_id, scope, versie, geldig_vanaf, geregistreerd_op, actor_id, actor_rol, reden
                FROM regiemodel_versie WHERE werkgever_id = %s AND scope = ANY(%s) ORDER BY scope, versie
                """,
                (werkgever_id, scopes),
            )
            rijen = await cur.fetchall()
            ontbrekend = [
                (r["scope"], r["versie"])
                for r in rijen
                if (werkgever_id, r["scope"], r["versie"]) not in self._modellen
            ]
            if ontbrekend:
                cur2 = await conn.execute(
                    """
                    SELECT scope, versie, model FROM regiemodel_versie
                    WHERE werkgever_id = %s AND (scope, versie) IN (SELECT * FROM unnest(%s::text[], %s::int[]))
                    """,
                    (werkgever_id, [sc for sc, _ in ontbrekend], [v for _, v in ontbrekend]),
                )
                for scope, versie, model in await cur2.fetchall():
                    self._onthoud((werkgever_id, scope, versie), model_uit_json(model) if model is not None else None)
        per_scope: dict[str | None, list[RegiemodelVersie]] = {a: [] for a in afdeling_ids}
        for r in rijen:
            sleutel = (werkgever_id, r["scope"], r["versie"])
            self._modellen.move_to_end(sleutel)
            per_scope[r["scope"] or None].append(_versie(r, self._modellen[sleutel]))
        return per_scope

    def _onthoud(self, sleutel: tuple[str, str, int], model: Regiemodel | None) -> None:
        self._modellen[sleutel] = model
        while len(self._modellen) > _CACHE_GROOTTE:
            self._modellen.popitem(last=False)

    async def voeg_versie_toe(
        self, werkgever_id: str, afdeling_id: str | None, maak: Callable[[int], RegiemodelVersie]
    ) -> RegiemodelVersie:
        scope = _scope(afdeling_id)
        async with self._db.transactie() as conn:
            # One writer per scope at a time, so two changes cannot both become version n + 1.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"regiemodel|{werkgever_id}|{scope}",)
            )
            cur = await conn.execute(
                "SELECT coalesce(max(versie), 0) FROM regiemodel_versie WHERE werkgever_id = %s AND scope = %s",
                (werkgever_id, scope),
            )
            row = await cur.fetchone()
            versie = maak(int(row[0]) if row else 0)
            await conn.execute(
                """
                INSERT INTO regiemodel_versie (werkgever_id, scope, versie, geldig_vanaf, model, geregistreerd_op,
                                               actor_id, actor_rol, reden)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
                """,
                (
                    werkgever_id,
                    scope,
                    versie.versie,
                    versie.geldig_vanaf,
                    Jsonb(model_naar_json(versie.model)) if versie.model is not None else None,
                    versie.geregistreerd_op,
                    versie.actor_id,
                    versie.actor_rol,
                    versie.reden,
                ),
            )
            return versie

    async def rolbezetting(self, werkgever_id: str, afdeling_id: str | None) -> list[Rolhouder]:
        return (await self.rolbezetting_van(werkgever_id, [afdeling_id]))[afdeling_id]

    async def rolbezetting_van(
        self, werkgever_id: str, afdeling_ids: Sequence[str | None]
    ) -> dict[str | None, list[Rolhouder]]:
        """The entries of each scope (None: the werkgever's own), in one query."""
        async with self._db.verbinding() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT * FROM rolbezetting WHERE werkgever_id = %s AND afdeling_id = ANY(%s) "
                "ORDER BY afdeling_id, rol",
                (werkgever_id, [_scope(a) for a in afdeling_ids]),
            )
            per_scope: dict[str | None, list[Rolhouder]] = {a: [] for a in afdeling_ids}
            for row in await cur.fetchall():
                per_scope[row["afdeling_id"] or None].append(
                    Rolhouder(
                        rol=Ontvangerrol(row["rol"]),
                        persoon_id=row["persoon_id"],
                        afdeling_id=row["afdeling_id"] or None,
                        naam=row["naam"],
                        email=row["email"],
                        organisatie=row["organisatie"],
                        bijgewerkt_op=row["bijgewerkt_op"],
                        bijgewerkt_door=row["bijgewerkt_door"],
                    )
                )
            return per_scope

    async def zet_rolhouder(self, werkgever_id: str, rolhouder: Rolhouder) -> None:
        async with self._db.verbinding() as conn:
            await conn.execute(
                """
                INSERT INTO rolbezetting (werkgever_id, afdeling_id, rol, persoon_id, naam, email, organisatie,
                                          bijgewerkt_op, bijgewerkt_door)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (werkgever_id, afdeling_id, rol) DO UPDATE SET
                    persoon_id = EXCLUDED.persoon_id, naam = EXCLUDED.naam, email = EXCLUDED.email,
                    organisatie = EXCLUDED.organisatie, bijgewerkt_op = EXCLUDED.bijgewerkt_op,
                    bijgewerkt_door = EXCLUDED.bijgewerkt_door
                """,
                (
                    werkgever_id,
                    _scope(rolhouder.afdeling_id),
                    rolhouder.rol.value,
                    rolhouder.persoon_id,
                    rolhouder.naam,
                    rolhouder.email,
                    rolhouder.organisatie,
                    rolhouder.bijgewerkt_op,
                    rolhouder.bijgewerkt_door,
                ),
            )

    async def verwijder_rolhouder(self, werkgever_id: str, afdeling_id: str | None, rol: Ontvangerrol) -> bool:
        async with self._db.verbinding() as conn:
            cur = await conn.execute(
                "DELETE FROM rolbezetting WHERE werkgever_id = %s AND afdeling_id = %s AND rol = %s",
                (werkgever_id, _scope(afdeling_id), rol.value),
            )
            return cur.rowcount > 0

    async def gaten(self, werkgever_id: str, sinds: datetime | None, limit: int) -> list[GeregistreerdGat]:
        async with self._db.verbinding() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                """
                SELECT * FROM routeringsgat WHERE werkgever_id = %s AND (%s::timestamptz IS NULL OR aangemaakt_op >= %s)
                ORDER BY aangemaakt_op DESC, signaal_id, rol LIMIT %s
                """,
                (werkgever_id, sinds, sinds, limit),
            )
            return [
                GeregistreerdGat(
                    werkgever_id=row["werkgever_id"],
                    signaal_id=row["signaal_id"],
                    bron_event_id=row["bron_event_id"],
                    signaal=row["signaal"],
                    dossier_id=row["dossier_id"],
                    werknemer_id=row["werknemer_id"],
                    gat=Routeringsgat(
                        Ontvangerrol(row["rol"]), Leeg(row["reden"]), Soort(row["soort"]), row["opgevangen_door"]
                    ),
                    aangemaakt_op=row["aangemaakt_op"],
                )
                for row in await cur.fetchall()
            ]
