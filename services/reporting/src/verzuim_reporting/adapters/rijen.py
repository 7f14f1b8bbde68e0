"""Facts and derived state as table rows, and back. The live projector (INSERT) and the rebuild (COPY) write the
very same tuples, so the two cannot drift apart."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from psycopg.types.json import Jsonb
from verzuim_shared.events import HerstelSoort

from verzuim_reporting.domain.afleiding import WerknemerAfleiding
from verzuim_reporting.domain.dossier import DossierFeit, DossierFeitSoort, OpbouwStap
from verzuim_reporting.domain.personeel import (
    AfdelingFeit,
    MedewerkerFeit,
    PersoneelFeitSoort,
    deeltijdfactor,
    uren,
)
from verzuim_reporting.domain.termijnen import Termijn, TermijnFeit, TermijnFeitSoort

Rij = tuple[Any, ...]

# Per table its columns with the type each value is written as in COPY text (every column may be null).
_TABELLEN: dict[str, str] = {
    "afdeling_feit": (
        "event_id uuid, werkgever_id text, afdeling_id text, naam text, leidinggevende_id text, "
        "hr_adviseur_id text, rayonmanager_id text, rayon text, stream_sequence int"
    ),
    "medewerker_feit": (
        "event_id uuid, werkgever_id text, werknemer_id text, soort text, datum date, afdeling_id text, "
        "contracturen float, voltijduren float, leidinggevende_id text, stream_sequence int"
    ),
    "dossier_feit": (
        "event_id uuid, werkgever_id text, werknemer_id text, dossier_id uuid, soort text, datum date, "
        "melding_id uuid, herstel_id uuid, herstel_soort text, percentage int, stappen json, "
        "gecorrigeerd_feit text, oude_waarde text, nieuwe_waarde text, stream_sequence int"
    ),
    "termijn_feit": (
        "event_id uuid, werkgever_id text, termijn_id uuid, dossier_id uuid, werknemer_id text, soort text, "
        "code text, vervaldatum date, vervuld_op date, op_tijd bool, stream_sequence int"
    ),
    "afdeling": (
        "werkgever_id text, afdeling_id text, naam text, leidinggevende_id text, hr_adviseur_id text, "
        "rayonmanager_id text, rayon text, stream_sequence int"
    ),
    "medewerker_gegevens": (
        "werkgever_id text, werknemer_id text, geldig_vanaf date, afdeling_id text, contracturen float, "
        "voltijduren float, leidinggevende_id text, stream_sequence int"
    ),
    "dienstverband": ("werkgever_id text, werknemer_id text, datum_in_dienst date, datum_uit_dienst date"),
    "bezetting": (
        "werkgever_id text, werknemer_id text, van date, tot date, afdeling_id text, leidinggevende_id text, "
        "contracturen float, voltijduren float, deeltijdfactor_e10 int, vorige_tot date, "
        "vorige_tot_afdeling date"
    ),
    "dossier": (
        "werkgever_id text, dossier_id uuid, werknemer_id text, melding_id uuid, eerste_ziektedag date, "
        "status text, hersteldatum date, gesloten_op date, arbeidsongeschiktheidspercentage int, "
        "stream_sequence int"
    ),
    "verzuimgeval": (
        "werkgever_id text, werknemer_id text, dossier_id uuid, melding_id uuid, eerste_ziektedag date, "
        "einde date, hersteldatum date, afdeling_id text, leidinggevende_id text, "
        "in_dienst_bij_melding bool, stream_sequence int"
    ),
    "verzuim_segment": (
        "werkgever_id text, werknemer_id text, van date, tot date, dossier_id uuid, melding_id uuid, "
        "afdeling_id text, leidinggevende_id text, contracturen_e6 int, deeltijdfactor_e10 int, "
        "percentage int, inzet_e6 int, vorige_tot date, vorige_tot_afdeling date"
    ),
    "termijn": (
        "werkgever_id text, termijn_id uuid, dossier_id uuid, werknemer_id text, code text, "
        "vervaldatum date, status text, vervuld_op date"
    ),
}

KOLOMMEN: dict[str, tuple[str, ...]] = {
    t: tuple(k.split()[0] for k in kolommen.split(", ")) for t, kolommen in _TABELLEN.items()
}


def e10(waarde: Decimal) -> int:
    """A deeltijdfactor (ten decimals) as the exact integer the table keeps."""
    return int(waarde.scaleb(10))


def e6(waarde: Decimal) -> int:
    """Hours (six decimals) as the exact integer the table keeps."""
    return int(waarde.scaleb(6))


@lru_cache(maxsize=4096)
def _factor_e10(contracturen: float, voltijduren: float) -> int:
    return e10(deeltijdfactor(contracturen, voltijduren))


@lru_cache(maxsize=4096)
def _uren_e6(contracturen: float) -> int:
    return e6(uren(contracturen))


class _Stuk(Protocol):
    @property
    def tot(self) -> date | None: ...
    @property
    def afdeling_id(self) -> str: ...


def voorgangers(rijen: Sequence[_Stuk]) -> list[tuple[date | None, date | None]]:
    """Per row (in date order, not overlapping) where the previous row, and the previous row in the same afdeling,
    ended."""
    uit: list[tuple[date | None, date | None]] = []
    vorige: date | None = None
    per_afdeling: dict[str, date | None] = {}
    for r in rijen:
        uit.append((vorige, per_afdeling.get(r.afdeling_id)))
        vorige = r.tot
        per_afdeling[r.afdeling_id] = r.tot
    return uit


# ------------------------------------------------------------------------------------------------ COPY text
# Both the live projector and the rebuild hand rows to PostgreSQL as lines of COPY text built here: tab-separated,
# \N for null, backslash, tab, newline and carriage return escaped. One small function per table, generated from
# _TABELLEN (as namedtuple generates its class), so that a row costs one f-string instead of a type lookup per value.

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tekst(s: str) -> str:
    return s if s.isprintable() and "\\" not in s else s.translate(_ESCAPES)


def _json(waarde: Jsonb) -> str:
    return _tekst(json.dumps(waarde.obj, separators=(",", ":"), ensure_ascii=False))


# How a value of each column type becomes text; {v} is the value, known not to be None. Inlined in the generated
# function: a text needs escaping only in the rare case that it holds a backslash or a control character.
_ALS_TEKST = {
    "text": "({v} if {v}.isprintable() and _BACKSLASH not in {v} else _tekst({v}))",
    "uuid": "format({v}.int, '032x')",  # PostgreSQL reads 32 hex digits as a uuid
    "date": "{v}.isoformat()",
    "int": "int({v})",  # the f-string writes the digits
    "float": "repr(float({v}))",
    "bool": "('t' if {v} else 'f')",
    "json": "_json({v})",
}


def _regelfunctie(tabel: str) -> Callable[[Rij], str]:
    delen = []
    for i, kolom in enumerate(_TABELLEN[tabel].split(", ")):
        omzetting = _ALS_TEKST[kolom.split()[1]].format(v=f"r[{i}]")
        delen.append(f"{{_NULL if r[{i}] is None else {omzetting}}}")
    bron = 'def regel(r):\n    return f"' + "\\t".join(delen) + '\\n"\n'
    namen: dict[str, Any] = {"_tekst": _tekst, "_json": _json, "_NULL": "\\N", "_BACKSLASH": "\\"}
    exec(bron, namen)
    functie: Callable[[Rij], str] = namen["regel"]
    return functie


_REGEL: dict[str, Callable[[Rij], str]] = {tabel: _regelfunctie(tabel) for tabel in _TABELLEN}


def tekstregel(tabel: str, rij: Rij) -> str:
    """One row of `tabel` as a line of COPY text (with its newline)."""
    return _REGEL[tabel](rij)


def regelfunctie(tabel: str) -> Callable[[Rij], str]:
    return _REGEL[tabel]


def copytekst(tabel: str, rijen: Iterable[Rij]) -> str:
    regel = _REGEL[tabel]
    return "".join([regel(r) for r in rijen])


# The tables derived per werknemer, replaced as a whole when one of the werknemer's facts changes.
WERKNEMER_TABELLEN = ("medewerker_gegevens", "dienstverband", "bezetting", "dossier", "verzuimgeval", "verzuim_segment")


# ------------------------------------------------------------------------------------------------ facts


def afdeling_feit_rij(werkgever_id: str, f: AfdelingFeit) -> Rij:
    return (
        f.event_id,
        werkgever_id,
        f.afdeling_id,
        f.naam,
        f.leidinggevende_id,
        f.hr_adviseur_id,
        f.rayonmanager_id,
        f.rayon,
        f.stream_sequence,
    )


def afdeling_feit_uit(rij: Rij) -> AfdelingFeit:
    event_id, _, afdeling_id, naam, lg, hr, rm, rayon, seq = rij
    return AfdelingFeit(event_id, afdeling_id, naam, lg, hr, rm, rayon, seq)


def medewerker_feit_rij(werkgever_id: str, werknemer_id: str, f: MedewerkerFeit) -> Rij:
    return (
        f.event_id,
        werkgever_id,
        werknemer_id,
        f.soort.value,
        f.datum,
        f.afdeling_id,
        f.contracturen,
        f.voltijduren,
        f.leidinggevende_id,
        f.stream_sequence,
    )


def medewerker_feit_uit(rij: Rij) -> MedewerkerFeit:
    event_id, _, _, soort, datum, afdeling, uren, voltijd, lg, seq = rij
    return MedewerkerFeit(event_id, PersoneelFeitSoort(soort), datum, seq, afdeling, uren, voltijd, lg)


def _stappen_json(stappen: tuple[OpbouwStap, ...]) -> Jsonb | None:
    if not stappen:
        return None
    return Jsonb([[s.vanaf.isoformat(), s.uren_per_week, s.loonwaarde_pct] for s in stappen])


def dossier_feit_rij(werkgever_id: str, werknemer_id: str, f: DossierFeit) -> Rij:
    return (
        f.event_id,
        werkgever_id,
        werknemer_id,
        f.dossier_id,
        f.soort.value,
        f.datum,
        f.melding_id,
        f.herstel_id,
        f.herstel_soort.value if f.herstel_soort else None,
        f.percentage,
        _stappen_json(f.stappen),
        f.gecorrigeerd_feit,
        f.oude_waarde,
        f.nieuwe_waarde,
        f.stream_sequence,
    )


def dossier_feit_uit(rij: Rij) -> DossierFeit:
    (event_id, _, _, dossier_id, soort, datum, melding, herstel, hsoort, pct, stappen, feit, oud, nieuw, seq) = rij
    return DossierFeit(
        event_id=event_id,
        dossier_id=dossier_id,
        soort=DossierFeitSoort(soort),
        datum=datum,
        stream_sequence=seq,
        melding_id=melding,
        herstel_id=herstel,
        herstel_soort=HerstelSoort(hsoort) if hsoort else None,
        percentage=pct,
        stappen=tuple(OpbouwStap(date.fromisoformat(v), float(u), int(lw)) for v, u, lw in (stappen or ())),
        gecorrigeerd_feit=feit,
        oude_waarde=oud,
        nieuwe_waarde=nieuw,
    )


def termijn_feit_rij(werkgever_id: str, f: TermijnFeit) -> Rij:
    return (
        f.event_id,
        werkgever_id,
        f.termijn_id,
        f.dossier_id,
        f.werknemer_id,
        f.soort.value,
        f.code,
        f.vervaldatum,
        f.vervuld_op,
        f.op_tijd,
        f.stream_sequence,
    )


def termijn_feit_uit(rij: Rij) -> TermijnFeit:
    event_id, _, termijn_id, dossier_id, werknemer_id, soort, code, verval, vervuld_op, op_tijd, seq = rij
    return TermijnFeit(
        event_id, termijn_id, TermijnFeitSoort(soort), code, verval, seq, dossier_id, werknemer_id, vervuld_op, op_tijd
    )


# ------------------------------------------------------------------------------------------------ derived


def afdeling_rij(werkgever_id: str, f: AfdelingFeit) -> Rij:
    return (
        werkgever_id,
        f.afdeling_id,
        f.naam,
        f.leidinggevende_id,
        f.hr_adviseur_id,
        f.rayonmanager_id,
        f.rayon,
        f.stream_sequence,
    )


def termijn_rij(werkgever_id: str, t: Termijn) -> Rij:
    return (
        werkgever_id,
        t.termijn_id,
        t.dossier_id,
        t.werknemer_id,
        t.code,
        t.vervaldatum,
        t.status.value,
        t.vervuld_op,
    )


def werknemer_rijen(werkgever_id: str, a: WerknemerAfleiding) -> dict[str, list[Rij]]:
    wg, wn = werkgever_id, a.werknemer_id
    p = a.personeel
    volgorde = {e.melding_id: e.stream_sequence for d in a.dossiers for e in d.episodes}
    return {
        "medewerker_gegevens": [
            (
                wg,
                wn,
                g.geldig_vanaf,
                g.afdeling_id,
                g.contracturen,
                g.voltijduren,
                g.leidinggevende_id,
                g.stream_sequence,
            )
            for g in p.gegevens
        ],
        "dienstverband": [(wg, wn, d.datum_in_dienst, d.datum_uit_dienst) for d in p.dienstverbanden],
        "bezetting": [
            (
                wg,
                wn,
                b.van,
                b.tot,
                b.afdeling_id,
                b.leidinggevende_id,
                b.contracturen,
                b.voltijduren,
                _factor_e10(b.contracturen, b.voltijduren),
                vorige,
                vorige_afdeling,
            )
            for b, (vorige, vorige_afdeling) in zip(p.bezetting, voorgangers(p.bezetting), strict=True)
        ],
        "dossier": [
            (
                wg,
                d.dossier_id,
                wn,
                d.melding_id,
                d.eerste_ziektedag,
                d.status.value,
                d.hersteldatum,
                d.gesloten_op,
                d.arbeidsongeschiktheidspercentage,
                d.stream_sequence,
            )
            for d in a.dossiers
        ],
        "verzuimgeval": [
            (
                wg,
                wn,
                g.dossier_id,
                g.melding_id,
                g.eerste_ziektedag,
                g.einde,
                g.hersteldatum,
                g.afdeling_id,
                g.leidinggevende_id,
                g.in_dienst_bij_melding,
                volgorde[g.melding_id],
            )
            for g in a.gevallen
        ],
        "verzuim_segment": [
            (
                wg,
                wn,
                s.van,
                s.tot,
                s.dossier_id,
                s.melding_id,
                s.afdeling_id,
                s.leidinggevende_id,
                _uren_e6(s.contracturen),
                _factor_e10(s.contracturen, s.voltijduren),
                s.percentage,
                e6(s.inzet_uren),
                vorige,
                vorige_afdeling,
            )
            for s, (vorige, vorige_afdeling) in zip(a.segmenten, voorgangers(a.segmenten), strict=True)
        ],
    }
