"""CSV export of the reports: one row per figure (or class, werknemer, code, melding), each row with its period and
the definition it used. RFC 4180: comma-separated, `.` as the decimal mark, UTF-8, a header row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Response

from verzuim_reporting.entrypoints.modellen import (
    DuurklassenOut,
    FiguurOut,
    FrequentVerzuimOut,
    GroepKerncijfersOut,
    KerncijfersOut,
    OpenDossiersDuurOut,
    PeriodeOut,
    TermijnbewakingOut,
    TrendsOut,
    VerzuimverledenOut,
)


def csv_response(naam: str, kop: Sequence[str], rijen: Iterable[Sequence[Any]]) -> Response:
    buffer = io.StringIO()
    schrijver = csv.writer(buffer, lineterminator="\r\n")
    schrijver.writerow(kop)
    for rij in rijen:
        schrijver.writerow(["" if v is None else v for v in rij])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{naam}.csv"'},
    )


_FIGUUR_KOP = (
    "groepering",
    "groep_id",
    "groep_naam",
    "periode_van",
    "periode_tot",
    "cijfer",
    "waarde",
    "eenheid",
    "teller",
    "noemer",
    "definitie",
)


def _figuur_rij(groepering: str, groep_id: str, groep_naam: str | None, f: FiguurOut, p: PeriodeOut) -> list[Any]:
    return [
        groepering,
        groep_id,
        groep_naam,
        p.van,
        p.tot,
        f.code,
        f.waarde,
        f.eenheid,
        f.teller,
        f.noemer,
        f.definitie,
    ]


def kerncijfers_csv(k: KerncijfersOut) -> Response:
    def rijen() -> Iterable[list[Any]]:
        groepen: list[GroepKerncijfersOut] = [k.totaal, *k.groepen]
        for g in groepen:
            for f in g.cijfers.values():
                yield _figuur_rij(g.groep.soort.value, g.groep.id, g.groep.naam, f, f.periode)

    return csv_response(f"kerncijfers-{k.periode.label}", _FIGUUR_KOP, rijen())


def trends_csv(t: TrendsOut) -> Response:
    def rijen() -> Iterable[list[Any]]:
        for r in t.reeksen:
            soort, gid, gnaam = (r.groep.soort.value, r.groep.id, r.groep.naam) if r.groep else ("werkgever", "", None)
            for p in r.punten:
                yield [
                    soort,
                    gid,
                    gnaam,
                    p.periode.van,
                    p.periode.tot,
                    r.code,
                    p.waarde,
                    r.eenheid,
                    p.teller,
                    p.noemer,
                    r.definitie,
                ]

    return csv_response(f"trends-{t.periode.label}", _FIGUUR_KOP, rijen())


def duurklassen_csv(d: DuurklassenOut) -> Response:
    kop = (
        "groepering",
        "groep_id",
        "groep_naam",
        "periode_van",
        "periode_tot",
        "schema",
        "klasse",
        "van_dag",
        "tot_dag",
        "aantal",
        "aandeel",
        "definitie",
    )

    def rijen() -> Iterable[list[Any]]:
        delen = [("werkgever", d.werkgever_id, None, d.totaal)] + [
            (g.groep.soort.value, g.groep.id, g.groep.naam, g.klassen) for g in d.groepen
        ]
        for soort, gid, gnaam, klassen in delen:
            for k in klassen:
                yield [
                    soort,
                    gid,
                    gnaam,
                    d.periode.van,
                    d.periode.tot,
                    d.duurklassenschema,
                    k.code,
                    k.van_dag,
                    k.tot_dag,
                    k.aantal,
                    k.aandeel,
                    d.definitie,
                ]

    return csv_response(f"duurklassen-{d.periode.label}", kop, rijen())


def frequent_verzuim_csv(f: FrequentVerzuimOut) -> Response:
    kop = (
        "groepering",
        "groep_id",
        "groep_naam",
        "werknemer_id",
        "afdeling_id",
        "afdeling_naam",
        "aantal_meldingen",
        "eerste_ziektedagen",
        "laatste_melding",
        "periode_van",
        "periode_tot",
        "drempel",
        "venster_dagen",
        "definitie",
    )
    rijen = (
        [
            f.groepering.value,
            w.groep.id if w.groep else None,
            w.groep.naam if w.groep else None,
            w.werknemer_id,
            w.afdeling_id,
            w.afdeling_naam,
            w.aantal_meldingen,
            " ".join(d.isoformat() for d in w.eerste_ziektedagen),
            w.laatste_melding,
            f.periode.van,
            f.periode.tot,
            f.drempel,
            f.venster_dagen,
            f.definitie,
        ]
        for w in f.werknemers
    )
    return csv_response(f"frequent-verzuim-{f.periode.label}", kop, rijen)


def termijnbewaking_csv(t: TermijnbewakingOut) -> Response:
    kop = (
        "groepering",
        "groep_id",
        "groep_naam",
        "code",
        "open",
        "vervuld_op_tijd",
        "vervuld_te_laat",
        "verstreken",
        "afgeweken",
        "vervallen",
        "totaal",
        "aandeel_op_tijd",
        "periode_van",
        "periode_tot",
        "definitie",
    )
    delen = [("werkgever", t.werkgever_id, None, [*t.per_code, t.totaal])] + [
        (g.groep.soort.value, g.groep.id, g.groep.naam, [*g.per_code, g.totaal]) for g in t.groepen
    ]
    rijen = (
        [
            soort,
            gid,
            gnaam,
            c.code,
            c.open,
            c.vervuld_op_tijd,
            c.vervuld_te_laat,
            c.verstreken,
            c.afgeweken,
            c.vervallen,
            c.totaal,
            c.aandeel_op_tijd,
            t.periode.van,
            t.periode.tot,
            t.definitie,
        ]
        for soort, gid, gnaam, tellingen in delen
        for c in tellingen
    )
    return csv_response(f"termijnbewaking-{t.periode.label}", kop, rijen)


def open_dossiers_duur_csv(o: OpenDossiersDuurOut) -> Response:
    kop = (
        "groepering",
        "groep_id",
        "groep_naam",
        "dossier_id",
        "werknemer_id",
        "afdeling_id",
        "afdeling_naam",
        "eerste_ziektedag",
        "ziektedagen",
        "duurklasse",
        "peildatum",
        "schema",
        "definitie",
    )
    rijen = (
        [
            o.groepering.value,
            d.groep.id if d.groep else None,
            d.groep.naam if d.groep else None,
            d.dossier_id,
            d.werknemer_id,
            d.afdeling_id,
            d.afdeling_naam,
            d.eerste_ziektedag,
            d.ziektedagen,
            d.duurklasse,
            o.peildatum,
            o.duurklassenschema,
            o.definitie,
        ]
        for d in o.dossiers
    )
    return csv_response(f"open-dossiers-{o.peildatum.isoformat()}", kop, rijen)


def verzuimverleden_csv(v: VerzuimverledenOut) -> Response:
    kop = (
        "werknemer_id",
        "dossier_id",
        "melding_id",
        "eerste_ziektedag",
        "hersteldatum",
        "einde",
        "lopend",
        "duur_dagen",
        "percentages",
        "afdeling_id",
        "telt_mee",
        "definitie",
    )
    rijen = (
        [
            v.werknemer_id,
            m.dossier_id,
            m.melding_id,
            m.eerste_ziektedag,
            m.hersteldatum,
            m.einde,
            m.lopend,
            m.duur_dagen,
            " ".join(f"{p.vanaf.isoformat()}:{p.arbeidsongeschiktheidspercentage}" for p in m.percentages),
            m.afdeling_id,
            m.telt_mee,
            v.definitie,
        ]
        for m in v.meldingen
    )
    return csv_response(f"verzuimverleden-{v.werknemer_id}", kop, rijen)
