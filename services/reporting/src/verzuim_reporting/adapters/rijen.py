"""Facts and derived state as table rows, and back. The live projector (INSERT) and the rebuild (COPY) write the
very same tuples, so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
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

KOLOMMEN: dict[str, tuple[str, ...]] = {
    "afdeling_feit": (
        "event_id",
        "werkgever_id",
        "afdeling_id",
        "naam",
        "leidinggevende_id",
        "hr_adviseur_id",
        "rayonmanager_id",
        "rayon",
        "stream_sequence",
    ),
    "medewerker_feit": (
        "event_id",
        "werkgever_id",
        "werknemer_id",
        "soort",
        "datum",
        "afdeling_id",
        "contracturen",
        "voltijduren",
        "leidinggevende_id",
        "stream_sequence",
    ),
    "dossier_feit": (
        "event_id",
        "werkgever_id",
        "werknemer_id",
        "dossier_id",
        "soort",
        "datum",
        "melding_id",
        "herstel_id",
        "herstel_soort",
        "percentage",
        "stappen",
        "gecorrigeerd_feit",
        "oude_waarde",
        "nieuwe_waarde",
        "stream_sequence",
    ),
    "termijn_feit": (
        "event_id",
        "werkgever_id",
        "termijn_id",
        "dossier_id",
        "werknemer_id",
        "soort",
        "code",
        "vervaldatum",
        "vervuld_op",
        "op_tijd",
        "stream_sequence",
    ),
    "afdeling": (
        "werkgever_id",
        "afdeling_id",
        "naam",
        "leidinggevende_id",
        "hr_adviseur_id",
        "rayonmanager_id",
        "rayon",
        "stream_sequence",
    ),
    "medewerker_gegevens": (
        "werkgever_id",
        "werknemer_id",
        "geldig_vanaf",
        "afdeling_id",
        "contracturen",
        "voltijduren",
        "leidinggevende_id",
        "stream_sequence",
    ),
    "dienstverband": ("werkgever_id", "werknemer_id", "datum_in_dienst", "datum_uit_dienst"),
    "bezetting": (
        "werkgever_id",
        "werknemer_id",
        "van",
        "tot",
        "afdeling_id",
        "leidinggevende_id",
        "contracturen",
        "voltijduren",
        "deeltijdfactor_e10",
        "vorige_tot",
        "vorige_tot_afdeling",
    ),
    "dossier": (
        "werkgever_id",
        "dossier_id",
        "werknemer_id",
        "melding_id",
        "eerste_ziektedag",
        "status",
        "hersteldatum",
        "gesloten_op",
        "arbeidsongeschiktheidspercentage",
        "stream_sequence",
    ),
    "verzuimgeval": (
        "werkgever_id",
        "werknemer_id",
        "dossier_id",
        "melding_id",
        "eerste_ziektedag",
        "einde",
        "hersteldatum",
        "afdeling_id",
        "leidinggevende_id",
        "in_dienst_bij_melding",
        "stream_sequence",
    ),
    "verzuim_segment": (
        "werkgever_id",
        "werknemer_id",
        "van",
        "tot",
        "dossier_id",
        "melding_id",
        "afdeling_id",
        "leidinggevende_id",
        "contracturen_e6",
        "deeltijdfactor_e10",
        "percentage",
        "inzet_e6",
        "vorige_tot",
        "vorige_tot_afdeling",
    ),
    "termijn": (
        "werkgever_id",
        "termijn_id",
        "dossier_id",
        "werknemer_id",
        "code",
        "vervaldatum",
        "status",
        "vervuld_op",
    ),
}


def e10(waarde: Decimal) -> int:
    """A deeltijdfactor (ten decimals) as the exact integer the table keeps."""
    return int(waarde.scaleb(10))


def e6(waarde: Decimal) -> int:
    """Hours (six decimals) as the exact integer the table keeps."""
    return int(waarde.scaleb(6))


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
                e10(deeltijdfactor(b.contracturen, b.voltijduren)),
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
                e6(uren(s.contracturen)),
                e10(s.deeltijdfactor),
                s.percentage,
                e6(s.inzet_uren),
                vorige,
                vorige_afdeling,
            )
            for s, (vorige, vorige_afdeling) in zip(a.segmenten, voorgangers(a.segmenten), strict=True)
        ],
    }
