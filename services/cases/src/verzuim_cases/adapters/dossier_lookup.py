"""Lookup tables next to the event store.

- `dossier_lookup`: one row per dossier (werkgever, werknemer, status, dates, version and the head of its hash chain)
  for list queries and the integrity check;
- `episode_lookup`: every episode of every werknemer (melding → dossier), the input of samentelling. Its unique
  (werkgever, werknemer, volgnummer) makes two writers that both decided about the same werknemer's next episode
  collide, so one of them decides again with the other's result in view;
- `herstel_lookup`: herstel → dossier (idempotent herstel);
- `cases_medewerker`: each werknemer's afdeling and own leidinggevende, from the personeel stream (see `personeel.py`);
- `cases_afdeling`: each afdeling's leidinggevende, from the personeel stream: with `cases_medewerker` it says whose
  team a werknemer is in (the scope of a leidinggevende).

The rows are written by `DossierRecorder` in the same transaction as the dossier's events, so they never disagree
with the event store. Writing the same rows again changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from verzuim_cases.domain import DossierStatus, Verzuimdossier
from verzuim_cases.domain.samentelling import BekendeEpisode

DOSSIER_TABLE = "dossier_lookup"
EPISODE_TABLE = "episode_lookup"
HERSTEL_TABLE = "herstel_lookup"
MEDEWERKER_TABLE = "cases_medewerker"
AFDELING_TABLE = "cases_afdeling"
LEGACY_MELDING_TABLE = "melding_lookup"  # before samentelling: melding → dossier only


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
    afdeling_id: str | None = None


@dataclass(frozen=True)
class EpisodeRegel:
    melding_id: UUID
    eerste_ziektedag: date
    hersteldatum: date | None


@dataclass(frozen=True)
class LookupUpdate:
    """Everything the lookup tables should know about one dossier after a save."""

    dossier: DossierRegel
    keten_hash: str
    episodes: tuple[EpisodeRegel, ...]
    # Episodes this save adds, with their number among all the werknemer's episodes (1, 2, ...).
    nieuwe_episodes: tuple[tuple[UUID, int], ...]
    herstel_ids: tuple[UUID, ...]

    @classmethod
    def of(cls, dossier: Verzuimdossier, *, nieuwe_episodes: Iterable[tuple[UUID, int]] = ()) -> LookupUpdate:
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
            keten_hash=dossier.keten_hash,
            episodes=tuple(EpisodeRegel(e.melding_id, e.eerste_ziektedag, e.hersteldatum) for e in dossier.episodes),
            nieuwe_episodes=tuple(nieuwe_episodes),
            herstel_ids=tuple(h.herstel_id for h in dossier.herstellen),
        )


def _table(schema: str, name: str) -> Composed:
    return SQL("{}.{}").format(Identifier(schema), Identifier(name))


def lookup_ddl(schema: str) -> list[Composed]:
    dossiers, episodes, herstellen, medewerkers, afdelingen = (
        _table(schema, t) for t in (DOSSIER_TABLE, EPISODE_TABLE, HERSTEL_TABLE, MEDEWERKER_TABLE, AFDELING_TABLE)
    )
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
        # Added with the hash chain; NULL for a dossier last written before it.
        SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS keten_hash text").format(dossiers),
        SQL("CREATE INDEX IF NOT EXISTS dossier_lookup_werknemer ON {} (werkgever_id, werknemer_id, status)").format(
            dossiers
        ),
        SQL("CREATE INDEX IF NOT EXISTS dossier_lookup_werkgever ON {} (werkgever_id, eerste_ziektedag DESC)").format(
            dossiers
        ),
        SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " melding_id uuid PRIMARY KEY,"
            " dossier_id uuid NOT NULL,"
            " werkgever_id text NOT NULL,"
            " werknemer_id text NOT NULL,"
            " volgnummer integer NOT NULL,"
            " eerste_ziektedag date NOT NULL,"
            " hersteldatum date,"
            " UNIQUE (werkgever_id, werknemer_id, volgnummer))"
        ).format(episodes),
        SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " herstel_id uuid PRIMARY KEY, dossier_id uuid NOT NULL, werkgever_id text NOT NULL)"
        ).format(herstellen),
        SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " werkgever_id text NOT NULL, werknemer_id text NOT NULL, afdeling_id text NOT NULL,"
            " leidinggevende_id text, geldig_vanaf date NOT NULL, bron_event_id uuid NOT NULL,"
            " PRIMARY KEY (werkgever_id, werknemer_id))"
        ).format(medewerkers),
        # An afdeling has no date of its own: the later message in the personeel stream wins.
        SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " werkgever_id text NOT NULL, afdeling_id text NOT NULL, leidinggevende_id text,"
            " stream_sequence bigint NOT NULL, PRIMARY KEY (werkgever_id, afdeling_id))"
        ).format(afdelingen),
    ]


def _jsonb(rows: list[dict[str, Any]]) -> str:
    """Rows for `jsonb_to_recordset`: one parameter per statement instead of one per value (far cheaper to send)."""
    return json.dumps(rows, default=str, separators=(",", ":"))


def write_lookups(curs: Cursor[DictRow], schema: str, updates: Sequence[LookupUpdate]) -> None:
    """Write the rows of the saved dossiers inside the caller's transaction (one statement per table)."""
    if not updates:
        return
    dossier_rows = [
        {
            "dossier_id": u.dossier.dossier_id,
            "werkgever_id": u.dossier.werkgever_id,
            "werknemer_id": u.dossier.werknemer_id,
            "status": u.dossier.status.value,
            "eerste_ziektedag": u.dossier.eerste_ziektedag,
            "hersteldatum": u.dossier.hersteldatum,
            "versie": u.dossier.versie,
            "keten_hash": u.keten_hash,
        }
        for u in updates
    ]
    curs.execute(
        SQL(
            "INSERT INTO {t} AS d"
            " (dossier_id, werkgever_id, werknemer_id, status, eerste_ziektedag, hersteldatum, versie, keten_hash)"
            " SELECT * FROM jsonb_to_recordset(%s::jsonb) AS r(dossier_id uuid, werkgever_id text,"
            " werknemer_id text, status text, eerste_ziektedag date, hersteldatum date, versie bigint, keten_hash text)"
            " ON CONFLICT (dossier_id) DO UPDATE SET status = EXCLUDED.status,"
            " eerste_ziektedag = EXCLUDED.eerste_ziektedag, hersteldatum = EXCLUDED.hersteldatum,"
            " versie = EXCLUDED.versie, keten_hash = EXCLUDED.keten_hash"
            " WHERE d.versie < EXCLUDED.versie"
        ).format(t=_table(schema, DOSSIER_TABLE)),
        (_jsonb(dossier_rows),),
    )
    nieuw: list[dict[str, Any]] = []
    bestaand: list[dict[str, Any]] = []
    for u in updates:
        nummers = dict(u.nieuwe_episodes)
        for e in u.episodes:
            row = {"melding_id": e.melding_id, "eerste_ziektedag": e.eerste_ziektedag, "hersteldatum": e.hersteldatum}
            if e.melding_id in nummers:
                row.update(
                    dossier_id=u.dossier.dossier_id,
                    werkgever_id=u.dossier.werkgever_id,
                    werknemer_id=u.dossier.werknemer_id,
                    volgnummer=nummers[e.melding_id],
                )
                nieuw.append(row)
            else:
                bestaand.append(row)
    if nieuw:
        # A plain INSERT: a concurrent writer that took the same melding or the same volgnummer makes this
        # transaction fail with an IntegrityError, and the caller decides again.
        curs.execute(
            SQL(
                "INSERT INTO {t} (melding_id, dossier_id, werkgever_id, werknemer_id, volgnummer, eerste_ziektedag,"
                " hersteldatum) SELECT melding_id, dossier_id, werkgever_id, werknemer_id, volgnummer,"
                " eerste_ziektedag, hersteldatum FROM jsonb_to_recordset(%s::jsonb) AS r(melding_id uuid,"
                " dossier_id uuid, werkgever_id text, werknemer_id text, volgnummer integer, eerste_ziektedag date,"
                " hersteldatum date)"
            ).format(t=_table(schema, EPISODE_TABLE)),
            (_jsonb(nieuw),),
        )
    if bestaand:
        curs.execute(
            SQL(
                "UPDATE {t} e SET eerste_ziektedag = r.eerste_ziektedag, hersteldatum = r.hersteldatum"
                " FROM jsonb_to_recordset(%s::jsonb) AS r(melding_id uuid, eerste_ziektedag date, hersteldatum date)"
                " WHERE e.melding_id = r.melding_id"
                " AND (e.eerste_ziektedag, e.hersteldatum) IS DISTINCT FROM (r.eerste_ziektedag, r.hersteldatum)"
            ).format(t=_table(schema, EPISODE_TABLE)),
            (_jsonb(bestaand),),
        )
    herstellen = [
        {"herstel_id": h, "dossier_id": u.dossier.dossier_id, "werkgever_id": u.dossier.werkgever_id}
        for u in updates
        for h in u.herstel_ids
    ]
    if herstellen:
        curs.execute(
            SQL(
                "INSERT INTO {t} SELECT * FROM jsonb_to_recordset(%s::jsonb)"
                " AS r(herstel_id uuid, dossier_id uuid, werkgever_id text) ON CONFLICT DO NOTHING"
            ).format(t=_table(schema, HERSTEL_TABLE)),
            (_jsonb(herstellen),),
        )


def backfill_statements(schema: str) -> list[Composed]:
    """Fill `episode_lookup` from the first release's `melding_lookup` (one episode per dossier), once."""
    return [
        SQL(
            "INSERT INTO {episodes} (melding_id, dossier_id, werkgever_id, werknemer_id, volgnummer,"
            " eerste_ziektedag, hersteldatum)"
            " SELECT m.melding_id, m.dossier_id, m.werkgever_id, d.werknemer_id,"
            " row_number() OVER (PARTITION BY d.werkgever_id, d.werknemer_id"
            " ORDER BY d.eerste_ziektedag, d.dossier_id),"
            " d.eerste_ziektedag, d.hersteldatum"
            " FROM {meldingen} m JOIN {dossiers} d ON d.dossier_id = m.dossier_id"
            " WHERE NOT EXISTS (SELECT 1 FROM {episodes})"
            " ON CONFLICT DO NOTHING"
        ).format(
            episodes=_table(schema, EPISODE_TABLE),
            meldingen=_table(schema, LEGACY_MELDING_TABLE),
            dossiers=_table(schema, DOSSIER_TABLE),
        )
    ]


# A werknemer's leidinggevende (`m` = cases_medewerker, `a` = their afdeling in cases_afdeling): the personeel data
# name a werknemer's own leidinggevende only when it differs from the afdeling's.
_LEIDINGGEVENDE = SQL("COALESCE(m.leidinggevende_id, a.leidinggevende_id)")


@dataclass(frozen=True)
class BekendeMelding:
    """A melding that already has a dossier. `eerste_ziektedag` is the episode's current one (a correction moves it)."""

    werkgever_id: str
    dossier_id: UUID
    werknemer_id: str
    eerste_ziektedag: date


@dataclass(frozen=True)
class WerknemerEpisodes:
    """What samentelling needs to know about one werknemer: their episodes and how many there are."""

    episodes: list[BekendeEpisode]
    aantal: int


class DossierLookup:
    """Read side of the lookup tables. Every query is scoped to one werkgever."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._schema = datastore.schema

    def _t(self, name: str) -> Composed:
        return _table(self._schema, name)

    def _fetch(self, query: Composed | SQL, params: Sequence[Any]) -> list[DictRow]:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, params)
            return curs.fetchall()

    def backfill(self) -> None:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute("SELECT to_regclass(%s) AS t", (f"{self._schema}.{LEGACY_MELDING_TABLE}",))
            row = curs.fetchone()
            if row is None or row["t"] is None:
                return
            for statement in backfill_statements(self._schema):
                curs.execute(statement)

    def dossier_voor_melding(self, werkgever_id: str, melding_id: UUID) -> UUID | None:
        rows = self._fetch(
            SQL("SELECT dossier_id FROM {} WHERE melding_id = %s AND werkgever_id = %s").format(self._t(EPISODE_TABLE)),
            (melding_id, werkgever_id),
        )
        return rows[0]["dossier_id"] if rows else None

    def bekende_meldingen(self, melding_ids: Sequence[UUID]) -> dict[UUID, BekendeMelding]:
        """The meldingen that already have a dossier, with what they were recorded for."""
        if not melding_ids:
            return {}
        rows = self._fetch(
            SQL(
                "SELECT melding_id, werkgever_id, dossier_id, werknemer_id, eerste_ziektedag FROM {}"
                " WHERE melding_id IN (SELECT jsonb_array_elements_text(%s::jsonb)::uuid)"
            ).format(self._t(EPISODE_TABLE)),
            (json.dumps([str(m) for m in melding_ids]),),
        )
        return {
            r["melding_id"]: BekendeMelding(
                werkgever_id=r["werkgever_id"],
                dossier_id=r["dossier_id"],
                werknemer_id=r["werknemer_id"],
                eerste_ziektedag=r["eerste_ziektedag"],
            )
            for r in rows
        }

    def dossier_voor_herstel(self, werkgever_id: str, herstel_id: UUID) -> UUID | None:
        rows = self._fetch(
            SQL("SELECT dossier_id FROM {} WHERE herstel_id = %s AND werkgever_id = %s").format(self._t(HERSTEL_TABLE)),
            (herstel_id, werkgever_id),
        )
        return rows[0]["dossier_id"] if rows else None

    def episodes_van(self, werknemers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], WerknemerEpisodes]:
        """The known episodes of each (werkgever, werknemer), in one query."""
        paren = sorted(set(werknemers))
        result = {p: WerknemerEpisodes([], 0) for p in paren}
        if not paren:
            return result
        rows = self._fetch(
            SQL(
                "SELECT e.werkgever_id, e.werknemer_id, e.melding_id, e.dossier_id, e.volgnummer,"
                " e.eerste_ziektedag, e.hersteldatum, d.status"
                " FROM jsonb_to_recordset(%s::jsonb) AS p(wg text, wn text)"
                " JOIN {e} e ON e.werkgever_id = p.wg AND e.werknemer_id = p.wn"
                " JOIN {d} d ON d.dossier_id = e.dossier_id"
            ).format(e=self._t(EPISODE_TABLE), d=self._t(DOSSIER_TABLE)),
            (json.dumps([{"wg": p[0], "wn": p[1]} for p in paren]),),
        )
        for r in rows:
            key = (r["werkgever_id"], r["werknemer_id"])
            if key not in result:
                continue
            bekend = result[key]
            bekend.episodes.append(
                BekendeEpisode(
                    dossier_id=r["dossier_id"],
                    melding_id=r["melding_id"],
                    eerste_ziektedag=r["eerste_ziektedag"],
                    hersteldatum=r["hersteldatum"],
                    dossier_gesloten=r["status"] == DossierStatus.GESLOTEN.value,
                )
            )
            result[key] = WerknemerEpisodes(bekend.episodes, max(bekend.aantal, int(r["volgnummer"])))
        return result

    def dossiers(
        self,
        werkgever_id: str,
        *,
        werknemer_id: str | None = None,
        werknemer_ids: Sequence[str] | None = None,
        afdeling_id: str | None = None,
        team_van: str | None = None,
        status: DossierStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[DossierRegel]:
        """The werkgever's dossiers, newest eerste ziektedag first. `afdeling_id` and `team_van` (the dossiers of
        werknemers this leidinggevende leads, and their own) use the personeel data as cases knows it now."""
        conditions: list[SQL | Composed] = [SQL("d.werkgever_id = %s")]
        params: list[Any] = [werkgever_id]
        if team_van is not None:
            conditions.append(SQL("({} = %s OR d.werknemer_id = %s)").format(_LEIDINGGEVENDE))
            params.extend((team_van, team_van))
        if werknemer_id is not None:
            conditions.append(SQL("d.werknemer_id = %s"))
            params.append(werknemer_id)
        if werknemer_ids is not None:
            conditions.append(SQL("d.werknemer_id = ANY(%s)"))
            params.append(list(werknemer_ids))
        if afdeling_id is not None:
            conditions.append(SQL("m.afdeling_id = %s"))
            params.append(afdeling_id)
        if status is not None:
            conditions.append(SQL("d.status = %s"))
            params.append(status.value)
        rows = self._fetch(
            SQL(
                "SELECT d.dossier_id, d.werkgever_id, d.werknemer_id, d.status, d.eerste_ziektedag, d.hersteldatum,"
                " d.versie, m.afdeling_id"
                " FROM {d} d LEFT JOIN {m} m ON m.werkgever_id = d.werkgever_id AND m.werknemer_id = d.werknemer_id"
                " LEFT JOIN {a} a ON a.werkgever_id = m.werkgever_id AND a.afdeling_id = m.afdeling_id"
                " WHERE {where} ORDER BY d.eerste_ziektedag DESC, d.dossier_id LIMIT %s OFFSET %s"
            ).format(
                d=self._t(DOSSIER_TABLE),
                m=self._t(MEDEWERKER_TABLE),
                a=self._t(AFDELING_TABLE),
                where=SQL(" AND ").join(conditions),
            ),
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
                afdeling_id=r["afdeling_id"],
            )
            for r in rows
        ]

    def leidinggevende_van(self, werkgever_id: str, werknemer_id: str) -> str | None:
        """The werknemer's leidinggevende as cases knows it now: their own if the personeel data name one, else the
        leidinggevende of their afdeling; None when neither is known."""
        rows = self._fetch(
            SQL(
                "SELECT {lg} AS leidinggevende_id FROM {m} m"
                " LEFT JOIN {a} a ON a.werkgever_id = m.werkgever_id AND a.afdeling_id = m.afdeling_id"
                " WHERE m.werkgever_id = %s AND m.werknemer_id = %s"
            ).format(lg=_LEIDINGGEVENDE, m=self._t(MEDEWERKER_TABLE), a=self._t(AFDELING_TABLE)),
            (werkgever_id, werknemer_id),
        )
        return rows[0]["leidinggevende_id"] if rows else None

    def regel(self, dossier_id: UUID) -> DossierRegel | None:
        rows = self._fetch(
            SQL(
                "SELECT dossier_id, werkgever_id, werknemer_id, status, eerste_ziektedag, hersteldatum, versie"
                " FROM {} WHERE dossier_id = %s"
            ).format(self._t(DOSSIER_TABLE)),
            (dossier_id,),
        )
        if not rows:
            return None
        r = rows[0]
        return DossierRegel(
            dossier_id=r["dossier_id"],
            werkgever_id=r["werkgever_id"],
            werknemer_id=r["werknemer_id"],
            status=DossierStatus(r["status"]),
            eerste_ziektedag=r["eerste_ziektedag"],
            hersteldatum=r["hersteldatum"],
            versie=r["versie"],
        )

    def kop(self, dossier_id: UUID) -> tuple[int, str | None] | None:
        """The version and chain head the lookup row recorded with the last save."""
        rows = self._fetch(
            SQL("SELECT versie, keten_hash FROM {} WHERE dossier_id = %s").format(self._t(DOSSIER_TABLE)),
            (dossier_id,),
        )
        return (int(rows[0]["versie"]), rows[0]["keten_hash"]) if rows else None

    def check(self) -> None:
        """Raise when the database cannot be reached."""
        self._fetch(SQL("SELECT 1"), ())
