"""The dossiers' event store on PostgreSQL (eventsourcing's postgres module), configured from the service settings.

`DossierRecorder` is eventsourcing's application recorder plus one thing: in the same transaction that inserts the
dossiers' events (and so their notification-log entries, the outbox), it writes the dossiers' lookup rows.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.persistence import JSONTranscoder, ProgrammingError, StoredEvent, Transcoding
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow
from verzuim_shared.events import Actor, Rol
from verzuim_shared.settings import ServiceSettings

from verzuim_cases.adapters.dossier_lookup import LookupUpdate, lookup_ddl, write_lookups
from verzuim_cases.domain import Arbeidsongeschiktheid, Document, Episode, Herstel, Stap

# The keyword argument of `Application.save()` that carries the lookup rows down to the recorder.
LOOKUP_UPDATE_KWARG = "dossier_lookup"


class DossierRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        if datastore.enable_db_functions:
            # The database-function insert path takes no extra statements, so the lookup would not be written.
            raise ProgrammingError("the cases event store needs POSTGRES_ENABLE_DB_FUNCTIONS off")
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.extend(lookup_ddl(datastore.schema))

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        updates: Sequence[LookupUpdate] | LookupUpdate | None = kwargs.get(LOOKUP_UPDATE_KWARG)
        if isinstance(updates, LookupUpdate):
            updates = [updates]
        if updates:
            write_lookups(curs, self.datastore.schema, updates)
        super()._insert_events(curs, stored_events, **kwargs)


def persistence_env(settings: ServiceSettings, *, snapshot_interval: int | None = None) -> dict[str, str]:
    """eventsourcing's configuration for the service's database."""
    db = settings.database_parts()
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": db["dbname"],
        "POSTGRES_HOST": db["host"],
        "POSTGRES_PORT": db["port"],
        "POSTGRES_USER": db["user"],
        "POSTGRES_PASSWORD": db["password"],
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        # eventsourcing 9.5 reads CREATE_TABLE: create the event table, the lookup tables and their indexes.
        "CREATE_TABLE": "y",
        "APPLICATION_RECORDER_TOPIC": get_topic(DossierRecorder),
        # Snapshots live in their own table (cases_snapshots).
        "IS_SNAPSHOTTING_ENABLED": "y",
    }
    return env


# ---------------------------------------------------------------------------------------- transcodings


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@functools.lru_cache(maxsize=4096)
def _actor(actor_id: str, rol: str) -> Actor:
    """Actors repeat on every line of a long dossier; they are immutable, so one instance serves them all. They
    were validated when they were recorded: no need to validate them again on every replay."""
    return Actor.model_construct(id=actor_id, rol=Rol(rol))


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return {"id": obj.id, "rol": obj.rol.value}

    def decode(self, data: dict[str, str]) -> Actor:
        return _actor(data["id"], data["rol"])


class DataclassAsDict(Transcoding):
    """A dataclass of the dossier's state (for snapshots), as a dict of its fields."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = f"cases_{cls.__name__.lower()}"
        self._fields = [f.name for f in dataclasses.fields(cls)]

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class StapAsList(Transcoding):
    """A history line in a snapshot as one flat list of plain values. A long dossier's snapshot holds one per
    version, so this keeps replay cheap: one decoded object per line instead of one per date, time and actor."""

    type = Stap
    name = "cases_stap_v1"

    def encode(self, obj: Stap) -> list[Any]:
        return [
            obj.versie,
            obj.soort,
            obj.gebeurtenis,
            obj.datum.isoformat(),
            obj.geregistreerd_op.isoformat(),
            obj.actor.id,
            obj.actor.rol.value,
            obj.omschrijving,
            obj.reden,
            obj.keten_hash,
        ]

    def decode(self, data: list[Any]) -> Stap:
        versie, soort, gebeurtenis, datum, geregistreerd_op, actor_id, rol, omschrijving, reden, keten_hash = data
        return Stap(
            versie=versie,
            soort=soort,
            gebeurtenis=gebeurtenis,
            datum=date.fromisoformat(datum),
            geregistreerd_op=datetime.fromisoformat(geregistreerd_op),
            actor=_actor(actor_id, rol),
            omschrijving=omschrijving,
            reden=reden,
            keten_hash=keten_hash,
        )


SNAPSHOT_TYPES: tuple[type[Any], ...] = (Episode, Arbeidsongeschiktheid, Herstel, Document)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """The types the dossier events and snapshots hold beyond eventsourcing's defaults (UUID, datetime, Decimal)."""
    transcoder.register(DateAsISO())
    transcoder.register(ActorAsDict())
    for cls in SNAPSHOT_TYPES:
        transcoder.register(DataclassAsDict(cls))
    transcoder.register(StapAsList())
