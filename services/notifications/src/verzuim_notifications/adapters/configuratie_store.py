"""The routing configuration on PostgreSQL: the regiemodel versions (append-only), the rolbezetting and the routing
gaps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from verzuim_notifications.adapters.database import Database
from verzuim_notifications.application import GeregistreerdGat, Rolhouder
from verzuim_notifications.domain.regiemodel import (
    Ontvangerrol,
    RegiemodelVersie,
    Soort,
    model_naar_json,
    model_uit_json,
)
from verzuim_notifications.domain.routering import Leeg, Routeringsgat

WERKGEVER = ""  # the scope of the werkgever's own model and rolbezetting


def _scope(afdeling_id: str | None) -> str:
    return WERKGEVER if afdeling_id is None else afdeling_id


def _versie(row: dict[str, Any]) -> RegiemodelVersie:
    return RegiemodelVersie(
        werkgever_id=row["werkgever_id"],
        afdeling_id=row["scope"] or None,
        versie=row["versie"],
        geldig_vanaf=row["geldig_vanaf"],
        model=model_uit_json(row["model"]) if row["model"] is not None else None,
        geregistreerd_op=row["geregistreerd_op"],
        actor_id=row["actor_id"],
        actor_rol=row["actor_rol"],
        reden=row["reden"],
    )


class PostgresConfiguratieStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def versies(self, werkgever_id: str, afdeling_id: str | None) -> list[RegiemodelVersie]:
        async with self._db.pool.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT * FROM regiemodel_versie WHERE werkgever_id = %s AND scope = %s ORDER BY versie",
                (werkgever_id, _scope(afdeling_id)),
            )
            return [_versie(row) for row in await cur.fetchall()]

    async def voeg_versie_toe(
        self, werkgever_id: str, afdeling_id: str | None, maak: Callable[[int], RegiemodelVersie]
    ) -> RegiemodelVersie:
        scope = _scope(afdeling_id)
        async with self._db.pool.connection() as conn, conn.transaction():
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
        async with self._db.pool.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT * FROM rolbezetting WHERE werkgever_id = %s AND afdeling_id = %s ORDER BY rol",
                (werkgever_id, _scope(afdeling_id)),
            )
            return [
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
                for row in await cur.fetchall()
            ]

    async def zet_rolhouder(self, werkgever_id: str, rolhouder: Rolhouder) -> None:
        async with self._db.pool.connection() as conn:
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
        async with self._db.pool.connection() as conn:
            cur = await conn.execute(
                "DELETE FROM rolbezetting WHERE werkgever_id = %s AND afdeling_id = %s AND rol = %s",
                (werkgever_id, _scope(afdeling_id), rol.value),
            )
            return cur.rowcount > 0

    async def gaten(self, werkgever_id: str, sinds: datetime | None, limit: int) -> list[GeregistreerdGat]:
        async with self._db.pool.connection() as conn:
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
