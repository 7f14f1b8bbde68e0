"""Cases' own copy of the personeel data it needs: each werknemer's afdeling (for the dossier list's afdeling filter)
and who leads them (the scope of a leidinggevende: their own team).

Fed by the `VERZUIM_PERSONEEL` stream. Idempotent and order-tolerant:
- a werknemer's row only moves to data that apply from the same or a later date, so a redelivered or late older
  event changes nothing;
- an afdeling has no date: the later message in the stream (higher stream sequence) wins.
"""

from __future__ import annotations

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier
from verzuim_shared.events import AfdelingVastgelegd, Event, MedewerkerGegevensGewijzigd, MedewerkerInDienst

from verzuim_cases.adapters.dossier_lookup import AFDELING_TABLE, MEDEWERKER_TABLE


class PersoneelProjectie:
    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._table = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(MEDEWERKER_TABLE))
        self._afdelingen = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(AFDELING_TABLE))

    def verwerk(self, event: Event, stream_sequence: int = 0) -> bool:
        """Apply one personeel fact; True when it changed a table. Other facts are not needed here."""
        if isinstance(event, AfdelingVastgelegd):
            return self._afdeling(event, stream_sequence)
        if isinstance(event, MedewerkerInDienst):
            geldig_vanaf = event.datum_in_dienst
        elif isinstance(event, MedewerkerGegevensGewijzigd):
            geldig_vanaf = event.geldig_vanaf
        else:
            return False
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "INSERT INTO {t} AS m (werkgever_id, werknemer_id, afdeling_id, leidinggevende_id, geldig_vanaf,"
                    " bron_event_id) VALUES (%s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (werkgever_id, werknemer_id) DO UPDATE SET afdeling_id = EXCLUDED.afdeling_id,"
                    " leidinggevende_id = EXCLUDED.leidinggevende_id, geldig_vanaf = EXCLUDED.geldig_vanaf,"
                    " bron_event_id = EXCLUDED.bron_event_id"
                    " WHERE m.geldig_vanaf <= EXCLUDED.geldig_vanaf AND m.bron_event_id <> EXCLUDED.bron_event_id"
                ).format(t=self._table),
                (
                    event.werkgever_id,
                    event.werknemer_id,
                    event.afdeling_id,
                    event.leidinggevende_id,
                    geldig_vanaf,
                    event.event_id,
                ),
            )
            changed = curs.rowcount > 0
            conn.commit()
        return changed

    def _afdeling(self, event: AfdelingVastgelegd, stream_sequence: int) -> bool:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "INSERT INTO {t} AS a (werkgever_id, afdeling_id, leidinggevende_id, stream_sequence)"
                    " VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (werkgever_id, afdeling_id) DO UPDATE SET"
                    " leidinggevende_id = EXCLUDED.leidinggevende_id, stream_sequence = EXCLUDED.stream_sequence"
                    " WHERE a.stream_sequence < EXCLUDED.stream_sequence"
                ).format(t=self._afdelingen),
                (event.werkgever_id, event.afdeling_id, event.leidinggevende_id, stream_sequence),
            )
            changed = curs.rowcount > 0
            conn.commit()
        return changed
