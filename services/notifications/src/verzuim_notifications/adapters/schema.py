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
    # The columns of the routing by regiemodel and the channels (added to the first slice's table).
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS signaal_id uuid",
    "UPDATE bericht SET signaal_id = bron_event_id WHERE signaal_id IS NULL",
    "ALTER TABLE bericht ALTER COLUMN signaal_id SET NOT NULL",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS soort text NOT NULL DEFAULT 'taak'",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS termijn_id uuid",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS termijn_code text",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS termijn_link text",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS namens text",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS digest boolean NOT NULL DEFAULT false",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS aflevering_id uuid",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS afgehandeld_door text",
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS adres text",
    # The source message's sequence in its stream: a termijn's end closes the tasks of the signals before it.
    "ALTER TABLE bericht ADD COLUMN IF NOT EXISTS bron_volgnummer bigint",
    # Exactly once per (signal, recipient, channel): a person is one recipient whatever roles they fill, a team inbox
    # is one recipient per login role. (The first slice keyed on the source event and the role.)
    "DROP INDEX IF EXISTS bericht_eenmaal",
    """
    CREATE UNIQUE INDEX IF NOT EXISTS bericht_eenmaal_per_ontvanger
        ON bericht (signaal_id, (coalesce('persoon:' || ontvanger_id, 'team:' || ontvanger_rol)), kanaal)
    """,
    "CREATE INDEX IF NOT EXISTS bericht_termijn ON bericht (termijn_id) WHERE termijn_id IS NOT NULL",
    """
    CREATE INDEX IF NOT EXISTS bericht_digest_wachtend
        ON bericht (werkgever_id, ontvanger_id, aangemaakt_op) WHERE digest AND aflevering_id IS NULL
    """,
    # Which regiemodel routed a source event (bron: afdeling, werkgever or standaard).
    "ALTER TABLE verwerkt_event ADD COLUMN IF NOT EXISTS regiemodel_bron text",
    "ALTER TABLE verwerkt_event ADD COLUMN IF NOT EXISTS regiemodel_versie integer",
    "ALTER TABLE verwerkt_event ADD COLUMN IF NOT EXISTS regiemodel_basis text",
    # The latest end (vervuld, vervallen, afgeweken) of each termijn, by its sequence in the termijn stream: a signal
    # of the termijn from before it that is handled later (the messages of a batch are handled side by side) creates
    # no open task. A termijn reopened later gets new signals, after the end.
    """
    CREATE TABLE IF NOT EXISTS termijn_einde (
        werkgever_id text NOT NULL,
        termijn_id uuid NOT NULL,
        volgnummer bigint NOT NULL,
        geregistreerd_op timestamptz NOT NULL,
        PRIMARY KEY (werkgever_id, termijn_id)
    )
    """,
    # ---------------------------------------------------------------- deliveries (transactional outbox)
    # One row per e-mail or webhook call to make, written in the transaction that routes the source event (or that
    # bundles a daily digest). The dispatcher claims due rows for `geclaimd_tot`, sends, and records the outcome.
    """
    CREATE TABLE IF NOT EXISTS aflevering (
        id uuid PRIMARY KEY,
        werkgever_id text NOT NULL,
        kanaal text NOT NULL CHECK (kanaal IN ('email', 'webhook')),
        ontvanger_id text NOT NULL,
        adres text NOT NULL,
        onderwerp text NOT NULL,
        inhoud text NOT NULL,
        status text NOT NULL DEFAULT 'wachtend' CHECK (status IN ('wachtend', 'verzonden', 'mislukt')),
        pogingen integer NOT NULL DEFAULT 0,
        volgende_poging_op timestamptz NOT NULL DEFAULT now(),
        geclaimd_tot timestamptz,
        laatste_fout text,
        aangemaakt_op timestamptz NOT NULL DEFAULT now(),
        verzonden_op timestamptz,
        mislukt_op timestamptz,
        opnieuw_aangeboden integer NOT NULL DEFAULT 0
    )
    """,
    # The dispatcher that holds the claim (its liveness lock key, see aflever_store.py); NULL for a claim of a version
    # that did not record it (only its lease counts).
    "ALTER TABLE aflevering ADD COLUMN IF NOT EXISTS geclaimd_door bigint",
    "CREATE INDEX IF NOT EXISTS aflevering_te_doen ON aflevering (volgende_poging_op) WHERE status = 'wachtend'",
    """
    CREATE INDEX IF NOT EXISTS aflevering_mislukt
        ON aflevering (werkgever_id, mislukt_op DESC) WHERE status = 'mislukt'
    """,
    """
    CREATE TABLE IF NOT EXISTS afleverpoging (
        aflevering_id uuid NOT NULL REFERENCES aflevering (id),
        ronde integer NOT NULL,
        poging integer NOT NULL,
        op timestamptz NOT NULL DEFAULT now(),
        gelukt boolean NOT NULL,
        fout text,
        PRIMARY KEY (aflevering_id, ronde, poging)
    )
    """,
    # ---------------------------------------------------------------- regiemodel (versioned), rolbezetting, gaps
    # Append-only: every change is a new version of its scope ('' = the werkgever, else the afdeling id). model NULL:
    # the afdeling follows the werkgever again.
    """
    CREATE TABLE IF NOT EXISTS regiemodel_versie (
        werkgever_id text NOT NULL,
        scope text NOT NULL,
        versie integer NOT NULL,
        geldig_vanaf timestamptz NOT NULL,
        model jsonb,
        geregistreerd_op timestamptz NOT NULL,
        actor_id text NOT NULL,
        actor_rol text NOT NULL,
        reden text,
        PRIMARY KEY (werkgever_id, scope, versie)
    )
    """,
    # Who fills a role for the whole werkgever (afdeling_id '') or one afdeling: the arbodienst's bedrijfsarts and
    # taakgedelegeerde, the Verzuim Support desk's verzuimcoach, the werkcoach, a default casemanager.
    """
    CREATE TABLE IF NOT EXISTS rolbezetting (
        werkgever_id text NOT NULL,
        afdeling_id text NOT NULL,
        rol text NOT NULL,
        persoon_id text NOT NULL,
        naam text,
        email text,
        organisatie text,
        bijgewerkt_op timestamptz NOT NULL,
        bijgewerkt_door text NOT NULL,
        PRIMARY KEY (werkgever_id, afdeling_id, rol)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS routeringsgat (
        werkgever_id text NOT NULL,
        signaal_id uuid NOT NULL,
        bron_event_id uuid NOT NULL,
        signaal text NOT NULL,
        dossier_id uuid,
        werknemer_id text NOT NULL,
        rol text NOT NULL,
        reden text NOT NULL,
        soort text NOT NULL,
        opgevangen_door text,
        aangemaakt_op timestamptz NOT NULL,
        PRIMARY KEY (signaal_id, rol)
    )
    """,
    "CREATE INDEX IF NOT EXISTS routeringsgat_recent ON routeringsgat (werkgever_id, aangemaakt_op DESC)",
    # ---------------------------------------------------------------- dossier facts the routing needs
    # Per dossier the assigned casemanager/verzuimcoach (and who was assigned last) and the bedrijfsarts of the last
    # planned spreekuur; each with the dossier version it came from, so a late redelivery never undoes a later fact.
    """
    CREATE TABLE IF NOT EXISTS dossier_begeleiding (
        werkgever_id text NOT NULL,
        dossier_id uuid NOT NULL,
        rol text NOT NULL,
        persoon_id text NOT NULL,
        versie integer NOT NULL,
        PRIMARY KEY (werkgever_id, dossier_id, rol)
    )
    """,
    # Every melding (DossierGeopend, EpisodeToegevoegd) for the frequent-verzuim rule (decisions D8).
    """
    CREATE TABLE IF NOT EXISTS melding (
        melding_id uuid PRIMARY KEY,
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        eerste_ziektedag date NOT NULL,
        dossier_id uuid NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS melding_per_werknemer ON melding (werkgever_id, werknemer_id, eerste_ziektedag)",
    # The frequent-verzuim signals given: one per melding that completes the threshold (or comes one short) and kind,
    # with the source event that raised it (a redelivery of that event routes the same signals again).
    """
    CREATE TABLE IF NOT EXISTS frequent_signaal (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        melding_id uuid NOT NULL,
        soort text NOT NULL CHECK (soort IN ('drempel', 'vroeg')),
        dossier_id uuid NOT NULL,
        aantal integer NOT NULL,
        venster_begin date NOT NULL,
        venster_eind date NOT NULL,
        bron_event_id uuid NOT NULL,
        PRIMARY KEY (werkgever_id, werknemer_id, melding_id, soort)
    )
    """,
    "CREATE INDEX IF NOT EXISTS frequent_signaal_bron ON frequent_signaal (bron_event_id)",
    # ---------------------------------------------------------------- per-person preferences
    """
    CREATE TABLE IF NOT EXISTS voorkeur (
        werkgever_id text NOT NULL,
        persoon_id text NOT NULL,
        kanalen text[] NOT NULL,
        bezorging text NOT NULL CHECK (bezorging IN ('direct', 'dagelijks')),
        webhook_url text,
        webhook_secret text,
        bijgewerkt_op timestamptz NOT NULL,
        PRIMARY KEY (werkgever_id, persoon_id)
    )
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
