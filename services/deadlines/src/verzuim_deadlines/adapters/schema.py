"""The tables of the deadlines service (plain SQL, applied idempotently at start).

`dossier_feiten`, `dossier_episode` and `dossier_herstel` hold what the service knows of each dossier, so every
termijn can be recomputed from them; `termijn` holds the planned termijnen; `uitgaand_event` is the outbox of the
termijn events; `verwerkt_event` makes each consumed event take effect once. No names or other personal data beyond
the ids, and no medical data (decisions D9).
"""

from __future__ import annotations

# Advisory lock that keeps replicas from applying the DDL at the same time.
SCHEMA_LOCK_KEY = 0x7665727A75696D03  # "verzuim" + 3 (the deadlines service)

SCHEMA: tuple[str, ...] = (
    # Every consumed event once: its effect and this row commit together, so a redelivery changes nothing.
    """
    CREATE TABLE IF NOT EXISTS verwerkt_event (
        event_id uuid PRIMARY KEY,
        subject text NOT NULL,
        werkgever_id text NOT NULL,
        verwerkt_op timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS dossier_feiten (
        dossier_id uuid PRIMARY KEY,
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        eerste_ziektedag date NOT NULL,
        gemeld_op timestamptz,
        herstelafspraak date,
        vangnet_van_toepassing boolean NOT NULL,
        versie integer NOT NULL,
        geregistreerd_op timestamptz NOT NULL,
        bijgewerkt_op timestamptz NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS dossier_feiten_werkgever ON dossier_feiten (werkgever_id, werknemer_id)",
    # The episodes of the dossier's verzuim (samentelling, D4), numbered in order; hersteldatum null while running.
    """
    CREATE TABLE IF NOT EXISTS dossier_episode (
        dossier_id uuid NOT NULL REFERENCES dossier_feiten (dossier_id),
        volgnummer integer NOT NULL CHECK (volgnummer >= 1),
        eerste_ziektedag date NOT NULL,
        hersteldatum date CHECK (hersteldatum > eerste_ziektedag),
        PRIMARY KEY (dossier_id, volgnummer)
    )
    """,
    # Every (deel)herstel as it arrived; only volledig herstel changes termijnen (D5).
    """
    CREATE TABLE IF NOT EXISTS dossier_herstel (
        herstel_id uuid PRIMARY KEY,
        dossier_id uuid NOT NULL REFERENCES dossier_feiten (dossier_id),
        soort text NOT NULL CHECK (soort IN ('volledig', 'gedeeltelijk')),
        hersteldatum date NOT NULL,
        arbeidsongeschiktheidspercentage smallint NOT NULL,
        versie integer NOT NULL
    )
    """,
    # termijn_id = derived_id("termijn", dossier_id, code, volgnummer): planning twice gives the same row.
    """
    CREATE TABLE IF NOT EXISTS termijn (
        termijn_id uuid PRIMARY KEY,
        dossier_id uuid NOT NULL REFERENCES dossier_feiten (dossier_id),
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        code text NOT NULL,
        volgnummer integer NOT NULL CHECK (volgnummer >= 1),
        vervaldatum date NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'vervuld', 'vervallen', 'verstreken', 'afgeweken')),
        grondslag text NOT NULL,
        afleiding text NOT NULL,
        reden text,
        gepland_op timestamptz NOT NULL,
        bijgewerkt_op timestamptz NOT NULL,
        UNIQUE (dossier_id, code, volgnummer)
    )
    """,
    "CREATE INDEX IF NOT EXISTS termijn_werklijst ON termijn (werkgever_id, status, vervaldatum)",
    # The outbox: termijn events stored with the change that caused them, published by the relay afterwards.
    """
    CREATE TABLE IF NOT EXISTS uitgaand_event (
        volgnummer bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        subject text NOT NULL,
        body text NOT NULL,
        aangemaakt_op timestamptz NOT NULL,
        gepubliceerd_op timestamptz
    )
    """,
    "CREATE INDEX IF NOT EXISTS uitgaand_event_wachtend ON uitgaand_event (volgnummer) WHERE gepubliceerd_op IS NULL",
)
