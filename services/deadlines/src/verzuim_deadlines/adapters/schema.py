"""The tables of the deadlines service (plain SQL, applied idempotently at start).

`dossier_event` holds every dossier event the rules use, so every termijn can be recomputed from them;
`dossier_feiten` and `dossier_episode` are the facts folded from them (for reading); `termijn` holds the termijnen
with their signalling state and `termijn_historie` every change of them; `termijnregels` the werkgevers' versioned
rules; `medewerker` and `afdeling` where each werknemer works (HR sync); `uitgaand_event` is the outbox of the
termijn events; `verwerkt_event` makes each consumed event take effect once. No names or other personal data beyond
the ids, and no medical data (decisions D9). `dossier_herstel` is left from the first version and no longer used.
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
    # Every dossier event the rules use, as received: the timeline is recomputed from these on every change.
    """
    CREATE TABLE IF NOT EXISTS dossier_event (
        event_id uuid PRIMARY KEY,
        dossier_id uuid NOT NULL,
        werkgever_id text NOT NULL,
        versie integer NOT NULL,
        subject text NOT NULL,
        body jsonb NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS dossier_event_dossier ON dossier_event (dossier_id, versie)",
    "ALTER TABLE dossier_feiten ADD COLUMN IF NOT EXISTS casemanager_id text",
    "ALTER TABLE dossier_feiten ADD COLUMN IF NOT EXISTS vld_laatste_dag date",
    "ALTER TABLE termijn ADD COLUMN IF NOT EXISTS vervuld_op date",
    "ALTER TABLE termijn ADD COLUMN IF NOT EXISTS op_tijd boolean",
    "ALTER TABLE termijn ADD COLUMN IF NOT EXISTS bron_event_id uuid",
    "ALTER TABLE termijn ADD COLUMN IF NOT EXISTS casemanager_id text",
    # Every due date for which `nadert` / `verstreken` was sent (a termijn moving A → B → A gets no second signal for
    # A). They replace the columns that held only the last one; a database of that version is converted once.
    "ALTER TABLE termijn ADD COLUMN IF NOT EXISTS nadert_verstuurd date[] NOT NULL DEFAULT '{}'",
    "ALTER TABLE termijn ADD COLUMN IF NOT EXISTS verstreken_verstuurd date[] NOT NULL DEFAULT '{}'",
    """
    DO $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'termijn' AND column_name = 'nadert_verstuurd_voor'
        ) THEN
            UPDATE termijn SET nadert_verstuurd = ARRAY[nadert_verstuurd_voor] WHERE nadert_verstuurd_voor IS NOT NULL;
            UPDATE termijn SET verstreken_verstuurd = ARRAY[verstreken_verstuurd_voor]
                WHERE verstreken_verstuurd_voor IS NOT NULL;
            ALTER TABLE termijn DROP COLUMN nadert_verstuurd_voor, DROP COLUMN verstreken_verstuurd_voor;
        END IF;
    END
    $$
    """,
    "ALTER TABLE termijn ADD COLUMN IF NOT EXISTS volgende_signaal_op date",
    # The scheduler's only question, "what is due by today?", reads this small partial index: a pass over a million
    # open termijnen with nothing due touches one index entry.
    "CREATE INDEX IF NOT EXISTS termijn_signaal ON termijn (volgende_signaal_op, termijn_id)"
    " WHERE volgende_signaal_op IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS termijn_casemanager ON termijn (werkgever_id, casemanager_id, vervaldatum)",
    # Every change of every termijn: the history of a deadline (planned, moved, fulfilled, signalled, ...).
    """
    CREATE TABLE IF NOT EXISTS termijn_historie (
        nr bigserial PRIMARY KEY,
        termijn_id uuid NOT NULL,
        dossier_id uuid NOT NULL,
        werkgever_id text NOT NULL,
        code text NOT NULL,
        volgnummer integer NOT NULL,
        op timestamptz NOT NULL,
        wat text NOT NULL,
        vervaldatum date NOT NULL,
        status text NOT NULL,
        reden text,
        oorzaak_event_id uuid
    )
    """,
    "CREATE INDEX IF NOT EXISTS termijn_historie_dossier ON termijn_historie (dossier_id, nr)",
    # The werkgever's termijnregels, versioned: the rules that applied at any moment stay known.
    """
    CREATE TABLE IF NOT EXISTS termijnregels (
        werkgever_id text NOT NULL,
        versie integer NOT NULL,
        geldig_vanaf timestamptz NOT NULL,
        vastgelegd_door text NOT NULL,
        regels jsonb NOT NULL,
        PRIMARY KEY (werkgever_id, versie)
    )
    """,
    # A rules change marks the werkgever's running dossiers; the recalculation clears the mark with its result, so it
    # resumes after a crash and replicas share it.
    "ALTER TABLE dossier_feiten ADD COLUMN IF NOT EXISTS herberekenen boolean NOT NULL DEFAULT false",
    "CREATE INDEX IF NOT EXISTS dossier_feiten_herberekenen ON dossier_feiten (werkgever_id, dossier_id)"
    " WHERE herberekenen",
    "ALTER TABLE dossier_feiten ADD COLUMN IF NOT EXISTS hersteldatum date",
    "ALTER TABLE dossier_feiten ADD COLUMN IF NOT EXISTS gesloten_op date",
    "ALTER TABLE dossier_feiten ADD COLUMN IF NOT EXISTS waarschuwingen jsonb NOT NULL DEFAULT '[]'",
    # Where each werknemer works and who leads them (HR sync), for work lists per afdeling and the leidinggevende's
    # own team. Ids only: no names or contact data (decisions D9).
    """
    CREATE TABLE IF NOT EXISTS medewerker (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        afdeling_id text NOT NULL,
        leidinggevende_id text,
        geldig_vanaf date NOT NULL,
        sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, werknemer_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS medewerker_afdeling ON medewerker (werkgever_id, afdeling_id)",
    """
    CREATE TABLE IF NOT EXISTS afdeling (
        werkgever_id text NOT NULL,
        afdeling_id text NOT NULL,
        leidinggevende_id text,
        sequence bigint NOT NULL,
        PRIMARY KEY (werkgever_id, afdeling_id)
    )
    """,
)
