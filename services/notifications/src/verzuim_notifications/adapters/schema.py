"""The service's own tables (plain SQL, applied idempotently at start)."""

from __future__ import annotations

# Advisory lock that keeps replicas from applying the DDL at the same time.
SCHEMA_LOCK_KEY = 0x7665727A75696D04  # "verzuim" + 4 (the notifications service)

SCHEMA: tuple[str, ...] = (
    # ---------------------------------------------------------------- personeel projection
    # The data (naam .. leidinggevende_id) as they apply from geldig_vanaf; gegevens_sequence is the stream sequence
    # they came from. naam and afdeling_id stay empty while only an uit-dienst is known.
    """
    CREATE TABLE IF NOT EXISTS medewerker (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        naam text,
        email text,
        afdeling_id text,
        leidinggevende_id text,
        geldig_vanaf date,
        gegevens_sequence bigint NOT NULL DEFAULT 0,
        datum_in_dienst date,
        datum_uit_dienst date,
        PRIMARY KEY (werkgever_id, werknemer_id)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS afdeling (
        werkgever_id text NOT NULL,
        afdeling_id text NOT NULL,
        naam text NOT NULL,
        leidinggevende_id text,
        hr_adviseur_id text,
        rayonmanager_id text,
        rayon text,
        sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, afdeling_id)
    )
    """,
    # ---------------------------------------------------------------- messages
    # Every source event routed once: the first routing decision stands, a redelivery changes nothing.
    """
    CREATE TABLE IF NOT EXISTS verwerkt_event (
        event_id uuid PRIMARY KEY,
        werkgever_id text NOT NULL,
        subject text NOT NULL,
        verwerkt_op timestamptz NOT NULL DEFAULT now()
    )
    """,
    # One row per message per recipient per channel. ontvanger_id NULL: addressed to everybody with ontvanger_rol.
    # status is the inbox status (the inbox reads the rows of kanaal 'inbox').
    """
    CREATE TABLE IF NOT EXISTS bericht (
        id uuid PRIMARY KEY,
        werkgever_id text NOT NULL,
        bron_event_id uuid NOT NULL,
        ontvanger_rol text NOT NULL,
        ontvanger_id text,
        kanaal text NOT NULL,
        type text NOT NULL,
        titel text NOT NULL,
        tekst text NOT NULL,
        dossier_id uuid,
        werknemer_id text,
        link text,
        deadline date,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'gelezen', 'afgehandeld')),
        aangemaakt_op timestamptz NOT NULL,
        gelezen_op timestamptz,
        afgehandeld_op timestamptz
    )
    """,
    # Exactly once per (source event, recipient, channel), also if an id were ever derived differently.
    """
    CREATE UNIQUE INDEX IF NOT EXISTS bericht_eenmaal
        ON bericht (bron_event_id, ontvanger_rol, (coalesce(ontvanger_id, '')), kanaal)
    """,
    """
    CREATE INDEX IF NOT EXISTS bericht_inbox_persoon
        ON bericht (werkgever_id, ontvanger_id, aangemaakt_op DESC) WHERE kanaal = 'inbox'
    """,
    """
    CREATE INDEX IF NOT EXISTS bericht_inbox_rol
        ON bericht (werkgever_id, ontvanger_rol, aangemaakt_op DESC) WHERE kanaal = 'inbox' AND ontvanger_id IS NULL
    """,
)
