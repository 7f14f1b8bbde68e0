"""The read model's tables (plain SQL), in a PostgreSQL schema of their own.

Two kinds of table:
- *facts* (`*_feit`): every projected event once, keyed by its event id, with the earliest stream position at which it
  appeared (a copy published under another Nats-Msg-Id changes nothing but may lower that position);
- *derived* tables: computed from the facts only, by the pure functions of `domain/`, per werknemer, afdeling or
  termijn. No column depends on when or in which order an event was processed.

So a rebuild from the beginning of the streams gives the same rows. The live read model is always the schema named
`leesmodel`; a rebuild fills `leesmodel_herbouw` and then swaps it in (adapters/herbouw.py). No names, e-mail
addresses or other personal data beyond the ids: management information does not need them.
"""

from __future__ import annotations

from collections.abc import Iterable

LEESMODEL = "leesmodel"
HERBOUW = "leesmodel_herbouw"
OUD = "leesmodel_oud"

# Raised whenever a table, column or derivation rule changes: a read model of another version is rebuilt from the
# streams when the service starts.
VERSIE = "5"

# Advisory lock that keeps replicas from creating, rebuilding or swapping the read model at the same time.
SCHEMA_LOCK_KEY = 0x7665727A75696D05  # "verzuim" + 5 (the reporting service)

TABELLEN: tuple[str, ...] = (
    # What the read model is: its version and when it was built from the streams.
    """
    CREATE TABLE leesmodel_info (
        sleutel text NOT NULL,
        waarde text NOT NULL
    )
    """,
    # How far each stream has been applied: the highest stream sequence handled, whether projected or ignored.
    # The consumers apply a batch of messages concurrently, so this is no watermark: a lower sequence may still be
    # on its way (or waiting for redelivery).
    """
    CREATE TABLE projectie_positie (
        stream text NOT NULL,
        laatste_sequence bigint NOT NULL
    )
    """,
    # ---------------------------------------------------------------- facts
    """
    CREATE TABLE afdeling_feit (
        event_id uuid NOT NULL,
        werkgever_id text NOT NULL,
        afdeling_id text NOT NULL,
        naam text NOT NULL,
        leidinggevende_id text,
        hr_adviseur_id text,
        rayonmanager_id text,
        rayon text,
        stream_sequence bigint NOT NULL
    )
    """,
    # MedewerkerInDienst (soort in_dienst, datum = first day), MedewerkerGegevensGewijzigd (gegevens, geldig_vanaf),
    # MedewerkerUitDienst (uit_dienst, last day).
    """
    CREATE TABLE medewerker_feit (
        event_id uuid NOT NULL,
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        soort text NOT NULL CHECK (soort IN ('in_dienst', 'gegevens', 'uit_dienst')),
        datum date NOT NULL,
        afdeling_id text,
        contracturen double precision,
        voltijduren double precision,
        leidinggevende_id text,
        stream_sequence bigint NOT NULL
    )
    """,
    # DossierGeopend, EpisodeToegevoegd, HerstelGeregistreerd, OpbouwschemaVastgesteld, FeitGecorrigeerd,
    # DossierGesloten: the dossier facts the figures depend on (domain.dossier.DossierFeit).
    """
    CREATE TABLE dossier_feit (
        event_id uuid NOT NULL,
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        dossier_id uuid NOT NULL,
        soort text NOT NULL,
        datum date NOT NULL,
        melding_id uuid,
        herstel_id uuid,
        herstel_soort text,
        percentage smallint,
        stappen jsonb,
        gecorrigeerd_feit text,
        oude_waarde text,
        nieuwe_waarde text,
        stream_sequence bigint NOT NULL
    )
    """,
    """
    CREATE TABLE termijn_feit (
        event_id uuid NOT NULL,
        werkgever_id text NOT NULL,
        termijn_id uuid NOT NULL,
        dossier_id uuid NOT NULL,
        werknemer_id text NOT NULL,
        soort text NOT NULL,
        code text NOT NULL,
        vervaldatum date NOT NULL,
        vervuld_op date,
        op_tijd boolean,
        stream_sequence bigint NOT NULL
    )
    """,
    # ---------------------------------------------------------------- derived: organisation and personeel
    # The latest AfdelingVastgelegd (highest stream sequence).
    """
    CREATE TABLE afdeling (
        werkgever_id text NOT NULL,
        afdeling_id text NOT NULL,
        naam text NOT NULL,
        leidinggevende_id text,
        hr_adviseur_id text,
        rayonmanager_id text,
        rayon text,
        stream_sequence bigint NOT NULL
    )
    """,
    # The werknemer's data as they apply from geldig_vanaf (MedewerkerInDienst: from datum_in_dienst).
    """
    CREATE TABLE medewerker_gegevens (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        geldig_vanaf date NOT NULL,
        afdeling_id text NOT NULL,
        contracturen double precision NOT NULL,
        voltijduren double precision NOT NULL,
        leidinggevende_id text,
        stream_sequence bigint NOT NULL
    )
    """,
    # Employment periods; datum_uit_dienst is the last day of employment.
    """
    CREATE TABLE dienstverband (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        datum_in_dienst date NOT NULL,
        datum_uit_dienst date
    )
    """,
    # Stretches of employment with the same afdeling, own leidinggevende and hours: the capacity (D8 denominators).
    # Factors are exact integers (deeltijdfactor × 10^10, hours × 10^6), so sums are exact and fast. vorige_tot /
    # vorige_tot_afdeling: where the werknemer's previous row (in the same afdeling) ended; a row that overlaps a
    # period while its predecessor does not is the werknemer's first in that period, which lets a query count
    # werknemers without a DISTINCT (verzuim_segment has the same two columns).
    """
    CREATE TABLE bezetting (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        van date NOT NULL,
        tot date,
        afdeling_id text NOT NULL,
        leidinggevende_id text,
        contracturen double precision NOT NULL,
        voltijduren double precision NOT NULL,
        deeltijdfactor_e10 bigint NOT NULL,
        vorige_tot date,
        vorige_tot_afdeling date
    )
    """,
    # ---------------------------------------------------------------- derived: verzuim
    """
    CREATE TABLE dossier (
        werkgever_id text NOT NULL,
        dossier_id uuid NOT NULL,
        werknemer_id text NOT NULL,
        melding_id uuid NOT NULL,
        eerste_ziektedag date NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'hersteld', 'gesloten')),
        hersteldatum date,
        gesloten_op date,
        arbeidsongeschiktheidspercentage smallint NOT NULL,
        stream_sequence bigint NOT NULL
    )
    """,
    # One row per ziekmelding (episode) of a dossier: a verzuimgeval of its own for statistics (D8). afdeling_id /
    # leidinggevende_id: the bezetting on its first sick day within employment (null: never employed while sick).
    """
    CREATE TABLE verzuimgeval (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        dossier_id uuid NOT NULL,
        melding_id uuid NOT NULL,
        eerste_ziektedag date NOT NULL,
        einde date,
        hersteldatum date,
        afdeling_id text,
        leidinggevende_id text,
        in_dienst_bij_melding boolean NOT NULL,
        stream_sequence bigint NOT NULL
    )
    """,
    # Sick days within employment with the same percentage, deployment and bezetting (D8 numerators).
    """
    CREATE TABLE verzuim_segment (
        werkgever_id text NOT NULL,
        werknemer_id text NOT NULL,
        van date NOT NULL,
        tot date,
        dossier_id uuid NOT NULL,
        melding_id uuid NOT NULL,
        afdeling_id text NOT NULL,
        leidinggevende_id text,
        contracturen_e6 bigint NOT NULL,
        deeltijdfactor_e10 bigint NOT NULL,
        percentage smallint NOT NULL,
        inzet_e6 bigint NOT NULL,
        vorige_tot date,
        vorige_tot_afdeling date
    )
    """,
    """
    CREATE TABLE termijn (
        werkgever_id text NOT NULL,
        termijn_id uuid NOT NULL,
        dossier_id uuid NOT NULL,
        werknemer_id text NOT NULL,
        code text NOT NULL,
        vervaldatum date NOT NULL,
        status text NOT NULL,
        vervuld_op date
    )
    """,
)

# The keys: a fact once per event id, a derived row once per natural key. Added after a bulk load (an index built
# by sorting is far faster than one maintained row by row while loading).
SLEUTELS: tuple[str, ...] = (
    "ALTER TABLE leesmodel_info ADD PRIMARY KEY (sleutel)",
    "ALTER TABLE projectie_positie ADD PRIMARY KEY (stream)",
    "ALTER TABLE afdeling_feit ADD PRIMARY KEY (event_id)",
    "ALTER TABLE medewerker_feit ADD PRIMARY KEY (event_id)",
    "ALTER TABLE dossier_feit ADD PRIMARY KEY (event_id)",
    "ALTER TABLE termijn_feit ADD PRIMARY KEY (event_id)",
    "ALTER TABLE afdeling ADD PRIMARY KEY (werkgever_id, afdeling_id)",
    "ALTER TABLE medewerker_gegevens ADD PRIMARY KEY (werkgever_id, werknemer_id, geldig_vanaf)",
    "ALTER TABLE dienstverband ADD PRIMARY KEY (werkgever_id, werknemer_id, datum_in_dienst)",
    "ALTER TABLE bezetting ADD PRIMARY KEY (werkgever_id, werknemer_id, van)",
    "ALTER TABLE dossier ADD PRIMARY KEY (werkgever_id, dossier_id)",
    "ALTER TABLE verzuimgeval ADD PRIMARY KEY (werkgever_id, dossier_id, melding_id)",
    "ALTER TABLE verzuim_segment ADD PRIMARY KEY (werkgever_id, werknemer_id, van)",
    "ALTER TABLE termijn ADD PRIMARY KEY (werkgever_id, termijn_id)",
)

# Created after a bulk load, like the keys.
INDEXEN: tuple[str, ...] = (
    "CREATE INDEX afdeling_feit_sleutel ON afdeling_feit (werkgever_id, afdeling_id)",
    "CREATE INDEX medewerker_feit_sleutel ON medewerker_feit (werkgever_id, werknemer_id)",
    "CREATE INDEX dossier_feit_sleutel ON dossier_feit (werkgever_id, werknemer_id)",
    "CREATE INDEX termijn_feit_sleutel ON termijn_feit (werkgever_id, termijn_id)",
    "CREATE INDEX bezetting_periode ON bezetting (werkgever_id, van)",
    "CREATE INDEX dossier_werknemer ON dossier (werkgever_id, werknemer_id)",
    "CREATE INDEX verzuimgeval_werknemer ON verzuimgeval (werkgever_id, werknemer_id)",
    "CREATE INDEX verzuimgeval_start ON verzuimgeval (werkgever_id, eerste_ziektedag)",
    "CREATE INDEX verzuimgeval_herstel ON verzuimgeval (werkgever_id, hersteldatum)",
    "CREATE INDEX verzuim_segment_periode ON verzuim_segment (werkgever_id, van)",
    "CREATE INDEX termijn_vervaldatum ON termijn (werkgever_id, vervaldatum)",
)

VIEWS: tuple[str, ...] = (
    # Every event id the read model applied, with its (earliest) stream position: for operators and tests.
    """
    CREATE VIEW verwerkt_event AS
        SELECT event_id, 'personeel' AS stream, stream_sequence, werkgever_id FROM afdeling_feit
        UNION ALL SELECT event_id, 'personeel', stream_sequence, werkgever_id FROM medewerker_feit
        UNION ALL SELECT event_id, 'dossier', stream_sequence, werkgever_id FROM dossier_feit
        UNION ALL SELECT event_id, 'termijn', stream_sequence, werkgever_id FROM termijn_feit
    """,
)

# The tables that hold a werkgever's data (everything but the bookkeeping), in a fixed order.
DATA_TABELLEN: tuple[str, ...] = (
    "afdeling_feit",
    "medewerker_feit",
    "dossier_feit",
    "termijn_feit",
    "afdeling",
    "medewerker_gegevens",
    "dienstverband",
    "bezetting",
    "dossier",
    "verzuimgeval",
    "verzuim_segment",
    "termijn",
)


def _tabel_van(statement: str) -> str:
    woorden = statement.split()
    return woorden[woorden.index("TABLE") + 1] if "TABLE" in woorden else woorden[woorden.index("ON") + 1]


def sleutels_en_indexen(tabellen: Iterable[str]) -> list[str]:
    """The keys, then the indexes, of these tables (a bulk load adds them after the rows)."""
    gevraagd = set(tabellen)
    return [s for s in (*SLEUTELS, *INDEXEN) if _tabel_van(s) in gevraagd]
