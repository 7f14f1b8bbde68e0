"""Per-person preferences and webhooks on PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from verzuim_notifications.adapters.database import Database
from verzuim_notifications.application import Webhook
from verzuim_notifications.domain.aflevering import STANDAARD_VOORKEUR, Bezorging, Voorkeur
from verzuim_notifications.domain.routering import Kanaal


class PostgresVoorkeurStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def voorkeur(self, werkgever_id: str, persoon_id: str) -> Voorkeur | None:
        async with self._db.verbinding() as conn:
            cur = await conn.execute(
                "SELECT kanalen, bezorging FROM voorkeur WHERE werkgever_id = %s AND persoon_id = %s",
                (werkgever_id, persoon_id),
            )
            row = await cur.fetchone()
        if row is None:
            return None
        return Voorkeur(kanalen=frozenset(Kanaal(k) for k in row[0]), bezorging=Bezorging(row[1]))

    async def voorkeuren(
        self, werkgever_id: str, persoon_ids: Collection[str]
    ) -> dict[str, tuple[Voorkeur, Webhook | None]]:
        if not persoon_ids:
            return {}
        async with self._db.verbinding() as conn:
            cur = await conn.execute(
                """
                SELECT persoon_id, kanalen, bezorging, webhook_url, webhook_secret FROM voorkeur
                WHERE werkgever_id = %s AND persoon_id = ANY(%s)
                """,
                (werkgever_id, list(persoon_ids)),
            )
            rows = await cur.fetchall()
        return {
            persoon: (
                Voorkeur(kanalen=frozenset(Kanaal(k) for k in kanalen), bezorging=Bezorging(bezorging)),
                Webhook(url=url, secret=secret) if url is not None else None,
            )
            for persoon, kanalen, bezorging, url, secret in rows
        }

    async def zet_voorkeur(self, werkgever_id: str, persoon_id: str, voorkeur: Voorkeur, nu: datetime) -> None:
        async with self._db.verbinding() as conn:
            await conn.execute(
                """
                INSERT INTO voorkeur (werkgever_id, persoon_id, kanalen, bezorging, bijgewerkt_op)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (werkgever_id, persoon_id) DO UPDATE SET
                    kanalen = EXCLUDED.kanalen, bezorging = EXCLUDED.bezorging, bijgewerkt_op = EXCLUDED.bijgewerkt_op
                """,
                (werkgever_id, persoon_id, sorted(k.value for k in voorkeur.kanalen), voorkeur.bezorging.value, nu),
            )

    async def webhook(self, werkgever_id: str, persoon_id: str) -> Webhook | None:
        async with self._db.verbinding() as conn:
            cur = await conn.execute(
                "SELECT webhook_url, webhook_secret FROM voorkeur WHERE werkgever_id = %s AND persoon_id = %s",
                (werkgever_id, persoon_id),
            )
            row = await cur.fetchone()
        if row is None or row[0] is None:
            return None
        return Webhook(url=row[0], secret=row[1])

    async def zet_webhook(self, werkgever_id: str, persoon_id: str, webhook: Webhook | None, nu: datetime) -> None:
        standaard = STANDAARD_VOORKEUR
        async with self._db.verbinding() as conn:
            await conn.execute(
                """
                INSERT INTO voorkeur (werkgever_id, persoon_id, kanalen, bezorging, webhook_url, webhook_secret,
                                      bijgewerkt_op)
                VALUES (%s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (werkgever_id, persoon_id) DO UPDATE SET
                    webhook_url = EXCLUDED.webhook_url, webhook_secret = EXCLUDED.webhook_secret,
                    bijgewerkt_op = EXCLUDED.bijgewerkt_op
                """,
                (
                    werkgever_id,
                    persoon_id,
                    sorted(k.value for k in standaard.kanalen),
                    standaard.bezorging.value,
                    webhook.url if webhook else None,
                    webhook.secret if webhook else None,
                    nu,
                ),
            )
