"""The course of a verzuimdossier as reporting sees it, derived from its stored facts.

The facts are the dossier events that matter for the figures: the first ziekmelding (DossierGeopend), later
ziekmeldingen within four weeks (EpisodeToegevoegd, samentelling D4), (deel)herstel, the opbouwschema, corrections of
a date, and closing. The derivation looks only at the facts, never at the order in which they arrived, so a
redelivered or late event and a rebuild from the beginning of the streams give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import IntEnum, StrEnum
from uuid import UUID

from verzuim_shared.events import HerstelSoort

VOLLEDIG_ARBEIDSONGESCHIKT = 100


class DossierStatus(StrEnum):
    OPEN = "open"
    HERSTELD = "hersteld"
    GESLOTEN = "gesloten"


class DossierFeitSoort(StrEnum):
    GEOPEND = "geopend"
    EPISODE = "episode"
    HERSTEL = "herstel"
    OPBOUWSCHEMA = "opbouwschema"
    CORRECTIE = "correctie"
    GESLOTEN = "gesloten"


@dataclass(frozen=True)
class OpbouwStap:
    """From `vanaf` the werknemer works `uren_per_week` hours with `loonwaarde_pct` % of the value of their own work."""

    vanaf: date
    uren_per_week: float
    loonwaarde_pct: int


@dataclass(slots=True)  # not frozen: a rebuild makes millions (3x faster); never changed in place
class DossierFeit:
    """One dossier event as the read model keeps it. `datum` is the eerste ziektedag (geopend, episode), the
    hersteldatum (herstel) or the business date of the step (opbouwschema, correctie, gesloten)."""

    event_id: UUID
    dossier_id: UUID
    soort: DossierFeitSoort
    datum: date
    stream_sequence: int
    melding_id: UUID | None = None
    herstel_id: UUID | None = None
    herstel_soort: HerstelSoort | None = None
    percentage: int | None = None
    stappen: tuple[OpbouwStap, ...] = ()
    gecorrigeerd_feit: str | None = None
    oude_waarde: str | None = None
    nieuwe_waarde: str | None = None


@dataclass(frozen=True)
class EpisodeVerloop:
    """One ziekmelding within the dossier. For statistics every episode is a melding of its own (D8)."""

    melding_id: UUID
    eerste_ziektedag: date
    einde: date | None  # first day no longer counted as sick (hersteldatum, or the closing date); None while running
    hersteldatum: date | None  # first fully fit day, when volledig herstel ended the episode
    percentages: tuple[tuple[date, int], ...]  # arbeidsongeschiktheidspercentage from each date on, first at 100
    stream_sequence: int

    def laatste_ziektedag(self) -> date | None:
        return None if self.einde is None else date.fromordinal(self.einde.toordinal() - 1)

    def percentage_op(self, dag: date) -> int:
        geldend = VOLLEDIG_ARBEIDSONGESCHIKT
        for vanaf, percentage in self.percentages:
            if vanaf <= dag:
                geldend = percentage
        return geldend


@dataclass(frozen=True)
class DossierVerloop:
    dossier_id: UUID
    melding_id: UUID  # of the first ziekmelding
    eerste_ziektedag: date  # of the first episode (after corrections)
    status: DossierStatus
    hersteldatum: date | None  # of the last episode, when it ended by volledig herstel
    gesloten_op: date | None
    arbeidsongeschiktheidspercentage: int  # as of the latest fact; 0 once hersteld or gesloten
    episodes: tuple[EpisodeVerloop, ...]  # in date order
    opbouw: tuple[OpbouwStap, ...]  # the steps that apply, in date order (a later schema replaces from its start)
    stream_sequence: int  # of the DossierGeopend


class _Stap(IntEnum):
    """Order of facts on the same date: a herstel or closing ends the old episode before a new one starts that day;
    a deelherstel on the first sick day applies after the start."""

    EINDE = 0
    START = 1
    DEELHERSTEL = 2


def _datum(tekst: str | None) -> date | None:
    try:
        return date.fromisoformat(tekst) if tekst else None
    except ValueError:
        return None


def _eerste_per_sleutel(feiten: list[DossierFeit], sleutel: str) -> list[DossierFeit]:
    """A fact that appears under two event ids (the same melding or herstel published twice) counts once, as the
    one recorded first; in stream order."""
    gekozen: dict[object, DossierFeit] = {}
    for f in feiten:
        k = getattr(f, sleutel)
        eerder = gekozen.get(k)
        if eerder is None or f.stream_sequence < eerder.stream_sequence:
            gekozen[k] = f
    return sorted(gekozen.values(), key=_volgorde)


def _volgorde(f: DossierFeit) -> int:
    return f.stream_sequence


def _corrigeer(
    episodes: list[DossierFeit], herstellen: list[DossierFeit], correcties: list[DossierFeit], eerste: UUID
) -> tuple[list[DossierFeit], list[DossierFeit]]:
    """Apply FeitGecorrigeerd in stream order. A corrected eerste_ziektedag belongs to the episode that has the old
    date (without a match: the dossier's first ziekmelding); a corrected hersteldatum to the herstel with the old date.
    Other facts do not change the figures. Nothing is overwritten in the store: this is derived each time (D5)."""
    for c in sorted(correcties, key=lambda c: c.stream_sequence):
        oud, nieuw = _datum(c.oude_waarde), _datum(c.nieuwe_waarde)
        if nieuw is None:
            continue
        if c.gecorrigeerd_feit == "eerste_ziektedag":
            doel = next((e for e in episodes if e.datum == oud), None)
            doel = doel or next((e for e in episodes if e.melding_id == eerste), None)
            if doel is not None:
                episodes = [replace(e, datum=nieuw) if e is doel else e for e in episodes]
        elif c.gecorrigeerd_feit == "hersteldatum":
            kandidaten = sorted(
                (h for h in herstellen if h.datum == oud), key=lambda h: h.herstel_soort is not HerstelSoort.VOLLEDIG
            )
            if kandidaten:
                doel = kandidaten[0]
                herstellen = [replace(h, datum=nieuw) if h is doel else h for h in herstellen]
    return episodes, herstellen


def _opbouw(schemas: list[DossierFeit]) -> tuple[OpbouwStap, ...]:
    """Schemas in the order they were set (business date, then stream order); each replaces the steps of the earlier
    ones from its own first step on."""
    stappen: list[OpbouwStap] = []
    for schema in sorted(schemas, key=lambda s: (s.datum, s.stream_sequence)):
        nieuw = sorted(schema.stappen, key=lambda s: s.vanaf)
        if not nieuw:
            continue
        stappen = [s for s in stappen if s.vanaf < nieuw[0].vanaf] + nieuw
    return tuple(stappen)


def dossier_verloop(feiten: list[DossierFeit]) -> DossierVerloop | None:
    """The dossier's course from all its facts; None while its DossierGeopend has not arrived (the other facts wait).

    Walk the facts in date order. A ziekmelding starts at 100 % arbeidsongeschikt (the melding carries no
    percentage); a deelherstel sets the remaining percentage; a volledig herstel ends the running episode (its date
    is the first fully fit day); closing the dossier ends a running episode on the closing date, without herstel.
    A herstel while no episode runs is a repeat of one already applied and changes nothing.
    """
    per_soort: dict[DossierFeitSoort, list[DossierFeit]] = {}
    for f in feiten:
        lijst = per_soort.get(f.soort)
        if lijst is None:
            per_soort[f.soort] = [f]
        else:
            lijst.append(f)
    geopend = per_soort.get(DossierFeitSoort.GEOPEND)
    if not geopend:
        return None
    eerste = min(geopend, key=_volgorde)
    assert eerste.melding_id is not None
    episodes = _eerste_per_sleutel(
        [eerste] + [f for f in per_soort.get(DossierFeitSoort.EPISODE, ()) if f.melding_id != eerste.melding_id],
        "melding_id",
    )
    herstellen = _eerste_per_sleutel(per_soort.get(DossierFeitSoort.HERSTEL, []), "herstel_id")
    correcties = per_soort.get(DossierFeitSoort.CORRECTIE)
    if correcties:
        episodes, herstellen = _corrigeer(episodes, herstellen, correcties, eerste.melding_id)
    sluitingen = per_soort.get(DossierFeitSoort.GESLOTEN)
    gesloten = max(sluitingen, key=_volgorde) if sluitingen else None

    tijdlijn: list[tuple[date, _Stap, int, DossierFeit]] = [
        (e.datum, _Stap.START, e.stream_sequence, e) for e in episodes
    ]
    for h in herstellen:
        stap = _Stap.EINDE if h.herstel_soort is HerstelSoort.VOLLEDIG else _Stap.DEELHERSTEL
        tijdlijn.append((h.datum, stap, h.stream_sequence, h))
    if gesloten is not None:
        tijdlijn.append((gesloten.datum, _Stap.EINDE, gesloten.stream_sequence, gesloten))
    tijdlijn.sort(key=lambda item: item[:3])

    einde: dict[UUID, tuple[date, date | None]] = {}
    verloop: dict[UUID, list[tuple[date, int]]] = {}
    lopend: DossierFeit | None = None
    percentage = 0
    for datum, stap, _, feit in tijdlijn:
        if stap is _Stap.START:
            assert feit.melding_id is not None
            if lopend is not None and lopend.melding_id is not None and lopend.melding_id not in einde:
                einde[lopend.melding_id] = (datum, None)  # a new melding while one runs: the old one ends (no herstel)
            lopend = feit
            percentage = VOLLEDIG_ARBEIDSONGESCHIKT
            verloop[feit.melding_id] = [(datum, percentage)]
        elif lopend is None:
            continue
        elif stap is _Stap.DEELHERSTEL:
            assert feit.percentage is not None and lopend.melding_id is not None
            percentage = feit.percentage
            stappen = verloop[lopend.melding_id]
            stappen[:] = [s for s in stappen if s[0] != datum] + [(datum, percentage)]
        else:
            assert lopend.melding_id is not None
            hersteld = datum if feit.soort is DossierFeitSoort.HERSTEL else None
            einde[lopend.melding_id] = (datum, hersteld)
            lopend = None
            percentage = 0

    resultaat = tuple(
        EpisodeVerloop(
            melding_id=e.melding_id,
            eerste_ziektedag=e.datum,
            einde=einde[e.melding_id][0] if e.melding_id in einde else None,
            hersteldatum=einde[e.melding_id][1] if e.melding_id in einde else None,
            percentages=tuple(verloop.get(e.melding_id, [(e.datum, VOLLEDIG_ARBEIDSONGESCHIKT)])),
            stream_sequence=e.stream_sequence,
        )
        for e in sorted(episodes, key=lambda e: (e.datum, e.stream_sequence))
        if e.melding_id is not None
    )
    laatste = resultaat[-1]
    if laatste.einde is None:
        status = DossierStatus.OPEN
    elif laatste.hersteldatum is not None:
        status = DossierStatus.HERSTELD
    else:
        status = DossierStatus.GESLOTEN
    return DossierVerloop(
        dossier_id=eerste.dossier_id,
        melding_id=eerste.melding_id,
        eerste_ziektedag=resultaat[0].eerste_ziektedag,
        status=status,
        hersteldatum=laatste.hersteldatum,
        gesloten_op=gesloten.datum if gesloten is not None else None,
        arbeidsongeschiktheidspercentage=percentage if status is DossierStatus.OPEN else 0,
        episodes=resultaat,
        opbouw=_opbouw(per_soort.get(DossierFeitSoort.OPBOUWSCHEMA, [])),
        stream_sequence=eerste.stream_sequence,
    )
