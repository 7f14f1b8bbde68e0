"""Messages on PostgreSQL: the log of routed source events with their messages, deliveries and routing gaps, and the
inbox read from it.

A message on the inbox channel *is* delivered once its row is committed. A message on the e-mail or webhook channel
writes its `aflevering` row in the same transaction; the dispatcher sends it from there with its own retries
(transactional outbox), so routing stays exactly-once whatever the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from verzuim_shared.auth import Principal

from verzuim_notifications.adapters.database import Database
from verzuim_notifications.application import Routeringsbesluit
from verzuim_notifications.domain.berichten import Bericht
from verzuim_notifications.domain.inbox import InboxItem, InboxStatus
from verzuim_notifications.domain.regiemodel import Soort
from verzuim_notifications.domain.routering import Bestemming, Kanaal, Ontvanger

_KOLOMMEN = (
    "id, werkgever_id, bron_event_id, signaal_id, ontvanger_rol, ontvanger_id, kanaal, type, soort, titel, tekst, "
    "dossier_id, werknemer_id, link, deadline, termijn_id, termijn_code, termijn_link, namens, digest, adres, status, "
    "aangemaakt_op, gelezen_op, afgehandeld_op, afgehandeld_door"
)

# The items a principal may see and mark: on the inbox channel of their own werkgever, addressed to them, or to
# their role without a person (a team inbox).
_ZICHTBAAR = (
    "werkgever_id = %(werkgever_id)s AND kanaal = 'inbox' "
    "AND (ontvanger_id = %(ontvanger_id)s OR (ontvanger_id IS NULL AND ontvanger_rol = %(rol)s))"
)


def _zichtbaar_voor(principal: Principal) -> dict[str, Any]:
    return {"werkgever_id": principal.werkgever_id, "ontvanger_id": principal.id, "rol": principal.rol.value}


def bericht_uit_rij(row: dict[str, Any]) -> Bericht:
    return Bericht(
        id=row["id"],
        werkgever_id=row["werkgever_id"],
        bron_event_id=row["bron_event_id"],
        signaal_id=row["signaal_id"],
        bestemming=Bestemming(Ontvanger(row["ontvanger_rol"], row["ontvanger_id"]), Kanaal(row["kanaal"])),
        type=row["type"],
        soort=Soort(row["soort"]),
        titel=row["titel"],
        tekst=row["tekst"],
        dossier_id=row["dossier_id"],
        werknemer_id=row["werknemer_id"],
        link=row["link"],
        deadline=row["deadline"],
        aangemaakt_op=row["aangemaakt_op"],
        termijn_id=row["termijn_id"],
        termijn_code=row["termijn_code"],
        termijn_link=row["termijn_link"],
        namens=row["namens"],
        digest=row["digest"],
        adres=row["adres"],
    )


def _inbox_item(row: dict[str, Any]) -> InboxItem:
    return InboxItem(
        bericht=bericht_uit_rij(row),
        status=InboxStatus(row["status"]),
        gelezen_op=row["gelezen_op"],
        afgehandeld_op=row["afgehandeld_op"],
        afgehandeld_door=row["afgehandeld_door"],
    )


_INSERT_BERICHT = """
    INSERT INTO bericht (id, werkgever_id, bron_event_id, signaal_id, ontvanger_rol, ontvanger_id, kanaal, type, soort,
                         titel, tekst, dossier_id, werknemer_id, link, deadline, termijn_id, termijn_code, termijn_link,
                         namens, digest, adres, aflevering_id, bron_volgnummer, status, aangemaakt_op, gelezen_op,
                         afgehandeld_op, afgehandeld_door)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
            %s)
    ON CONFLICT DO NOTHING
"""


def _bericht_params(
    b: Bericht, aflevering_id: UUID | None, bron_volgnummer: int | None, klaar: bool
) -> tuple[Any, ...]:
    """`klaar`: stored as done by the system (its termijn already ended)."""
    o = b.bestemming.ontvanger
    return (
        b.id,
        b.werkgever_id,
        b.bron_event_id,
        b.signaal_id,
        o.rol,
        o.id,
        b.bestemming.kanaal.value,
        b.type,
        b.soort.value,
        b.titel,
        b.tekst,
        b.dossier_id,
        b.werknemer_id,
        b.link,
        b.deadline,
        b.termijn_id,
        b.termijn_code,
        b.termijn_link,
        b.namens,
        b.digest,
        b.adres,
        aflevering_id,
        bron_volgnummer,
        "afgehandeld" if klaar else "open",
        b.aangemaakt_op,
        b.aangemaakt_op if klaar else None,
        b.aangemaakt_op if klaar else None,
        "systeem" if klaar else None,
    )


async def schrijf_aflevering(
    conn: AsyncConnection[Any],
    aflevering_id: UUID,
    werkgever_id: str,
    kanaal: str,
    ontvanger_id: str,
    adres: str,
    onderwerp: str,
    inhoud: str,
) -> bool:
    cur = await conn.execute(
        """
        INSERT INTO aflevering (id, werkgever_id, kanaal, ontvanger_id, adres, onderwerp, inhoud)
        VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id
        """,
        (aflevering_id, werkgever_id, kanaal, ontvanger_id, adres, onderwerp, inhoud),
    )
    return await cur.fetchone() is not None


async def _lock_termijn(conn: AsyncConnection[Any], werkgever_id: str, termijn_id: UUID) -> None:
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"termijn|{werkgever_id}|{termijn_id}",)
    )


class PostgresBerichtenlog:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def neem_aan(self, event_id: UUID, werkgever_id: str, subject: str) -> bool:
        async with self._db.transactie() as conn:
            cur = await conn.execute(
                """
                INSERT INTO verwerkt_event (event_id, werkgever_id, subject) VALUES (%s, %s, %s)
                ON CONFLICT (event_id) DO NOTHING RETURNING event_id
                """,
                (event_id, werkgever_id, subject),
            )
            return await cur.fetchone() is not None

    async def leg_vast(self, besluit: Routeringsbesluit) -> Routeringsbesluit:
        bron = besluit.bron
        async with self._db.transactie() as conn:
            if bron.termijn_id is not None:
                await _lock_termijn(conn, bron.werkgever_id, bron.termijn_id)
                cur = await conn.execute(
                    "SELECT volgnummer FROM termijn_einde WHERE werkgever_id = %s AND termijn_id = %s",
                    (bron.werkgever_id, bron.termijn_id),
                )
                einde = await cur.fetchone()
                if einde is not None and (bron.volgnummer is None or einde[0] > bron.volgnummer):
                    besluit = besluit.na_einde_termijn()
            aflevering_van = {bid: a.id for a in besluit.afleveringen for bid in a.bericht_ids}
            # Every write in one round trip.
            async with conn.pipeline(), conn.cursor() as cur2:
                await cur2.execute(
                    """
                    UPDATE verwerkt_event SET regiemodel_bron = %s, regiemodel_versie = %s, regiemodel_basis = %s
                    WHERE event_id = %s
                    """,
                    (bron.regiemodel_bron, bron.regiemodel_versie, bron.regiemodel_basis, bron.event_id),
                )
                if besluit.afleveringen:
                    await cur2.executemany(
                        """
                        INSERT INTO aflevering (id, werkgever_id, kanaal, ontvanger_id, adres, onderwerp, inhoud)
                        VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING
                        """,
                        [
                            (a.id, a.werkgever_id, a.kanaal.value, a.ontvanger_id, a.adres, a.onderwerp, a.inhoud)
                            for a in besluit.afleveringen
                        ],
                    )
                await cur2.executemany(
                    _INSERT_BERICHT,
                    [
                        _bericht_params(b, aflevering_van.get(b.id), bron.volgnummer, besluit.termijn_afgesloten)
                        for b in besluit.berichten
                    ],
                )
                if besluit.gaten:
                    await cur2.executemany(
                        """
                        INSERT INTO routeringsgat (werkgever_id, signaal_id, bron_event_id, signaal, dossier_id,
                                                   werknemer_id, rol, reden, soort, opgevangen_door, aangemaakt_op)
                        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
                        """,
                        [
                            (
                                g.werkgever_id,
                                g.signaal_id,
                                g.bron_event_id,
                                g.signaal,
                                g.dossier_id,
                                g.werknemer_id,
                                g.gat.rol.value,
                                g.gat.reden.value,
                                g.gat.soort.value,
                                g.gat.opgevangen_door,
                                g.aangemaakt_op,
                            )
                            for g in besluit.gaten
                        ],
                    )
        return besluit

    async def sluit_termijn_taken(self, werkgever_id: str, termijn_id: UUID, volgnummer: int, nu: datetime) -> int:
        async with self._db.transactie() as conn:
            # Under the termijn's lock: a signal of it being stored now either is closed here or sees this end.
            await _lock_termijn(conn, werkgever_id, termijn_id)
            await conn.execute(
                """
                INSERT INTO termijn_einde (werkgever_id, termijn_id, volgnummer, geregistreerd_op)
                VALUES (%s, %s, %s, %s)
                ON CONFLICT (werkgever_id, termijn_id) DO UPDATE
                    SET volgnummer = EXCLUDED.volgnummer, geregistreerd_op = EXCLUDED.geregistreerd_op
                    WHERE termijn_einde.volgnummer < EXCLUDED.volgnummer
                """,
                (werkgever_id, termijn_id, volgnummer, nu),
            )
            # Only the signals from before this end: a reopened termijn's later signals stay open.
            cur = await conn.execute(
                """
                UPDATE bericht SET status = 'afgehandeld', gelezen_op = coalesce(gelezen_op, %s), afgehandeld_op = %s,
                                   afgehandeld_door = 'systeem'
                WHERE werkgever_id = %s AND termijn_id = %s AND kanaal = 'inbox' AND status <> 'afgehandeld'
                  AND (bron_volgnummer IS NULL OR bron_volgnummer < %s)
                """,
                (nu, nu, werkgever_id, termijn_id, volgnummer),
            )
            return cur.rowcount


class PostgresInboxStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def items(self, principal: Principal, status: InboxStatus | None, limit: int) -> list[InboxItem]:
        params = {**_zichtbaar_voor(principal), "status": status.value if status else None, "limit": limit}
        async with self._db.verbinding() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"SELECT {_KOLOMMEN} FROM bericht WHERE {_ZICHTBAAR} "
                "AND (%(status)s::text IS NULL OR status = %(status)s) "
                "ORDER BY aangemaakt_op DESC, id LIMIT %(limit)s",
                params,
            )
            return [_inbox_item(row) for row in await cur.fetchall()]

    async def wijzig_item(
        self, principal: Principal, item_id: UUID, wijziging: Callable[[InboxItem], InboxItem]
    ) -> InboxItem | None:
        async with self._db.transactie() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"SELECT {_KOLOMMEN} FROM bericht WHERE id = %(id)s AND {_ZICHTBAAR} FOR UPDATE",
                {**_zichtbaar_voor(principal), "id": item_id},
            )
            row = await cur.fetchone()
            if row is None:
                return None
            huidig = _inbox_item(row)
            volgend = wijziging(huidig)
            if volgend != huidig:
                await conn.execute(
                    "UPDATE bericht SET status = %s, gelezen_op = %s, afgehandeld_op = %s, afgehandeld_door = %s "
                    "WHERE id = %s",
                    (
                        volgend.status.value,
                        volgend.gelezen_op,
                        volgend.afgehandeld_op,
                        volgend.afgehandeld_door,
                        item_id,
                    ),
                )
            return volgend
