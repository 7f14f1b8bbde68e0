"""Lookup tables next to the event store: melding → dossier, herstel → dossier, and one row per dossier with its
werknemer and status for list queries.

The rows are written by `DossierRecorder` in the same transaction as the dossier's events, so they never disagree
with the event store. Every write is an idempotent upsert: a row only moves forward to a higher dossier version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from verzuim_cases.domain import DossierStatus, Verzuimdossier

DOSSIER_TABLE = "dossier_lookup"
MELDING_TABLE = "melding_lookup"
HERSTEL_TABLE = "herstel_lookup"


@dataclass(frozen=True)
class DossierRegel:
    """One dossier as list queries show it."""

    dossier_id: UUID
    werkgever_id: str
    werknemer_id: str
    status: DossierStatus
    eerste_ziektedag: date
    hersteldatum: date | None
    versie: int


@dataclass(frozen=True)
class LookupUpdate:
    """Everything the lookup tables should know about one dossier at one version."""

    dossier: DossierRegel
    melding_ids: tuple[UUID, ...]
    herstel_ids: tuple[UUID, ...]

    @classmethod
    def of(cls, dossier: Verzuimdossier) -> LookupUpdate:
        return cls(
            dossier=DossierRegel(
                dossier_id=dossier.id,
                werkgever_id=dossier.werkgever_id,
                werknemer_id=dossier.werknemer_id,
                status=dossier.status,
                eerste_ziektedag=dossier.eerste_ziektedag,
                hersteldatum=dossier.hersteldatum,
                versie=dossier.version,
            ),
            melding_ids=tuple(e.melding_id for e in dossier.episodes),
            herstel_ids=tuple(h.herstel_id for h in dossier.herstellen),
        )


def _table(schema: str, name: str) -> Composed:
    return SQL("{}.{}").format(Identifier(schema), Identifier(name))


def lookup_ddl(schema: str) -> list[Composed]:
    dossiers, meldingen, herstellen = (_table(schema, t) for t in (DOSSIER_TABLE, MELDING_TABLE, HERSTEL_TABLE))
    return [
        SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " dossier_id uuid PRIMARY KEY,"
            " werkgever_id text NOT NULL,"
            " werknemer_id text NOT NULL,"
            " status text NOT NULL,"
            " eerste_ziektedag date NOT NULL,"
            " hersteldatum date,"
            " versie bigint NOT NULL)"
        ).format(dossiers),
        SQL("CREATE INDEX IF NOT EXISTS dossier_lookup_werknemer ON {} (werkgever_id, werknemer_id, status)").format(
            dossiers
        ),
        SQL("CREATE INDEX IF NOT EXISTS dossier_lookup_werkgever ON {} (werkgever_id, eerste_ziektedag DESC)").format(
            dossiers
        ),
        SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " melding_id uuid PRIMARY KEY, dossier_id uuid NOT NULL, werkgever_id text NOT NULL)"
        ).format(meldingen),
        SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " herstel_id uuid PRIMARY KEY, dossier_id uuid NOT NULL, werkgever_id text NOT NULL)"
        ).format(herstellen),
    ]


def write_lookup(curs: Cursor[DictRow], schema: str, update: LookupUpdate) -> None:
    """Upsert the rows of one dossier inside the caller's transaction."""
    row = update.dossier
    curs.execute(
        SQL(
            "INSERT INTO {t} AS d"
            " (dossier_id, werkgever_id, werknemer_id, status, eerste_ziektedag, hersteldatum, versie)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (dossier_id) DO UPDATE SET status = EXCLUDED.status,"
            " eerste_ziektedag = EXCLUDED.eerste_ziektedag, hersteldatum = EXCLUDED.hersteldatum,"
            " versie = EXCLUDED.versie"
            " WHERE d.versie < EXCLUDED.versie"
        ).format(t=_table(schema, DOSSIER_TABLE)),
        (
            row.dossier_id,
            row.werkgever_id,
            row.werknemer_id,
            row.status.value,
            row.eerste_ziektedag,
            row.hersteldatum,
            row.versie,
        ),
    )
    for table, ids in ((MELDING_TABLE, update.melding_ids), (HERSTEL_TABLE, update.herstel_ids)):
        for key in ids:
            curs.execute(
                SQL("INSERT INTO {t} VALUES (%s, %s, %s) ON CONFLICT DO NOTHING").format(t=_table(schema, table)),
                (key, row.dossier_id, row.werkgever_id),
            )


class DossierLookup:
    """Read side of the lookup tables. Every query is scoped to one werkgever."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._schema = datastore.schema

    def _fetch(self, query: Composed | SQL, params: tuple[Any, ...]) -> list[DictRow]:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, params)
            return curs.fetchall()

    def dossier_voor_melding(self, werkgever_id: str, melding_id: UUID) -> UUID | None:
        rows = self._fetch(
            SQL("SELECT dossier_id FROM {} WHERE melding_id = %s AND werkgever_id = %s").format(
                _table(self._schema, MELDING_TABLE)
            ),
            (melding_id, werkgever_id),
        )
        return rows[0]["dossier_id"] if rows else None

    def dossier_voor_herstel(self, werkgever_id: str, herstel_id: UUID) -> UUID | None:
        rows = self._fetch(
            SQL("SELECT dossier_id FROM {} WHERE herstel_id = %s AND werkgever_id = %s").format(
                _table(self._schema, HERSTEL_TABLE)
            ),
            (herstel_id, werkgever_id),
        )
        return rows[0]["dossier_id"] if rows else None

    def dossiers(
        self,
        werkgever_id: str,
        *,
        werknemer_id: str | None = None,
        status: DossierStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[DossierRegel]:
        """The werkgever's dossiers, newest eerste ziektedag first."""
        conditions = [SQL("werkgever_id = %s")]
        params: list[Any] = [werkgever_id]
        if werknemer_id is not None:
            conditions.append(SQL("werknemer_id = %s"))
            params.append(werknemer_id)
        if status is not None:
            conditions.append(SQL("status = %s"))
            params.append(status.value)
        rows = self._fetch(
            SQL(
                "SELECT dossier_id, werkgever_id, werknemer_id, status, eerste_ziektedag, hersteldatum, versie"
                " FROM {t} WHERE {where} ORDER BY eerste_ziektedag DESC, dossier_id LIMIT %s OFFSET %s"
            ).format(t=_table(self._schema, DOSSIER_TABLE), where=SQL(" AND ").join(conditions)),
            (*params, limit, offset),
        )
        return [
            DossierRegel(
                dossier_id=r["dossier_id"],
                werkgever_id=r["werkgever_id"],
                werknemer_id=r["werknemer_id"],
                status=DossierStatus(r["status"]),
                eerste_ziektedag=r["eerste_ziektedag"],
                hersteldatum=r["hersteldatum"],
                versie=r["versie"],
            )
            for r in rows
        ]

    def check(self) -> None:
        """Raise when the database cannot be reached."""
        self._fetch(SQL("SELECT 1"), ())
