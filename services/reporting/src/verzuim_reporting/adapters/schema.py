"""The read model's tables (plain SQL, applied idempotently at start).

Every table holds facts as the streams gave them plus state derived from those facts only; no column depends on
when or in which order an event was processed, so a rebuild from the beginning of the streams gives the same
rows. No names, e-mail addresses or other personal data beyond the ids: management information does not need them.
"""

from __future__ import annotations

# Advisory lock that keeps replicas from applying the DDL at the same time.
SCHEMA_LOCK_KEY = 0x7665727A75696D05  # "verzuim" + 5 (the reporting service)

SCHEMA: tuple[str, ...] = (
    # How far each stream has been applied (highest stream sequence handled, whether projected or ignored).
    """
    CREATE TABLE IF NOT EXISTS projectie_positie (
        stream text PRIMARY KEY,
        laatste_sequence bigint NOT NULL
    )
    """,
    # Every event applied once: a redelivery with the same event id changes nothing.
    """
    CREATE TABLE IF NOT EXISTS verwerkt_event (
        event_id uuid PRIMARY KEY,
        stream text NOT NULL,
        stream_sequence bigint NOT NULL,
        subject text NOT NULL,
        werkgever_id text NOT NULL
    )
    """,
    # ---------------------------------------------------------------- personeel
    """
    CREATE TABLE IF NOT EXISTS afdeling (
        werkgever_id text NOT NULL,
        afdeling_id text NOT NULL,
        naam text NOT NULL,
        leidinggevende_id text,
        hr_adviseur_id text,
        rayonmanager_id text,
        rayon text,
        stream_sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, afdeling_id)
    )
    """,
    # The werknemer's data as they apply from geldig_vanaf (MedewerkerInDienst: from datum_in_dienst).
    """
    CREATE TABLE IF NOT EXISTS medewerker_gegevens (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        geldig_vanaf date NOT NULL,
        afdeling_id text NOT NULL,
        contracturen double precision NOT NULL,
        voltijduren double precision NOT NULL,
        leidinggevende_id text,
        stream_sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, werknemer_id, geldig_vanaf)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS dienstverband_mutatie (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        event_id uuid NOT NULL,
        soort text NOT NULL CHECK (soort IN ('in_dienst', 'uit_dienst')),
        datum date NOT NULL,
        stream_sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, werknemer_id, event_id)
    )
    """,
    # Derived from dienstverband_mutatie (domain.dienstverband); datum_uit_dienst is the last day of employment.
    """
    CREATE TABLE IF NOT EXISTS dienstverband (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        datum_in_dienst date NOT NULL,
        datum_uit_dienst date,
        PRIMARY KEY (werkgever_id, werknemer_id, datum_in_dienst)
    )
    """,
    # ---------------------------------------------------------------- dossiers
    # status, hersteldatum and arbeidsongeschiktheidspercentage are derived (domain.dossier) from the episodes and
    # herstellen below.
    """
    CREATE TABLE IF NOT EXISTS dossier (
        werkgever_id text NOT NULL,
        dossier_id uuid NOT NULL,
        werknemer_id text NOT NULL,
        melding_id uuid NOT NULL,
        eerste_ziektedag date NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'hersteld')),
        hersteldatum date,
        arbeidsongeschiktheidspercentage smallint NOT NULL,
        stream_sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, dossier_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS dossier_werknemer ON dossier (werkgever_id, werknemer_id)",
    # One row per ziekmelding in the dossier (samentelling, D4); hersteldatum is derived.
    """
    CREATE TABLE IF NOT EXISTS dossier_episode (
        werkgever_id text NOT NULL,
        dossier_id uuid NOT NULL,
        melding_id uuid NOT NULL,
        eerste_ziektedag date NOT NULL,
        hersteldatum date,
        stream_sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, dossier_id, melding_id)
    )
    """,
    # Every (deel)herstel: the history of the arbeidsongeschiktheidspercentage.
    """
    CREATE TABLE IF NOT EXISTS dossier_herstel (
        werkgever_id text NOT NULL,
        dossier_id uuid NOT NULL,
        herstel_id uuid NOT NULL,
        soort text NOT NULL CHECK (soort IN ('volledig', 'gedeeltelijk')),
        hersteldatum date NOT NULL,
        arbeidsongeschiktheidspercentage smallint NOT NULL,
        stream_sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, dossier_id, herstel_id)
    )
    """,
)
