"""The facts of one verzuimdossier that the termijn rules use, folded from its dossier events.

Pure: the same events give the same facts, whatever order they arrived in (they are applied in dossier version
order). A correction (`FeitGecorrigeerd`) is applied where it stands in that order, so the facts after it are those
the dossier has now; nothing is overwritten in the store, the events stay as they were (decisions D5). An event that
cannot be applied to the facts before it (a herstel before the eerste ziektedag, a relapse while the previous episode
still runs) is left out and named in `waarschuwingen`, with its event id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from verzuim_shared.events import Event, HerstelSoort
from verzuim_shared.events.dossier import (
    ArbodienstGemeld,
    BegeleiderToegewezen,
    BelafspraakGemaakt,
    ContactmomentVastgelegd,
    DossierEvent,
    DossierGeopend,
    DossierGesloten,
    EerstejaarsevaluatieVastgelegd,
    EpisodeToegevoegd,
    EvaluatieVastgelegd,
    FeitGecorrigeerd,
    HerstelafspraakGemaakt,
    HerstelGeregistreerd,
    PlanVanAanpakVastgesteld,
    ProbleemanalyseOntvangen,
    ReIntegratieverslagCompleet,
    Spoor2Gestart,
    TermijnAfwijkingGemotiveerd,
    Uwv42eWeeksmeldingGedaan,
    VldToegekend,
    WiaAangevraagd,
)

from verzuim_deadlines.domain.samentelling import Episode, OngeldigeEpisodes, controleer_episodes, huidig_verzuimgeval
from verzuim_deadlines.domain.termijn import TermijnCode

NEDERLAND = ZoneInfo("Europe/Amsterdam")


class Stap(StrEnum):
    """A step of the WvP process, recorded in the dossier; most steps fulfil a termijn."""

    ARBODIENST_GEMELD = "arbodienst_gemeld"
    BELAFSPRAAK = "belafspraak"
    CONTACTMOMENT = "contactmoment"
    HERSTELAFSPRAAK = "herstelafspraak"
    PROBLEEMANALYSE = "probleemanalyse"
    PLAN_VAN_AANPAK = "plan_van_aanpak"
    EVALUATIE = "evaluatie"
    UWV_42E_WEEK_MELDING = "uwv_42e_week_melding"
    EERSTEJAARSEVALUATIE = "eerstejaarsevaluatie"
    SPOOR_2 = "spoor_2"
    RE_INTEGRATIEVERSLAG = "re_integratieverslag"
    WIA_AANVRAAG = "wia_aanvraag"


_STAPPEN: dict[type[Event], Stap] = {
    ArbodienstGemeld: Stap.ARBODIENST_GEMELD,
    BelafspraakGemaakt: Stap.BELAFSPRAAK,
    ContactmomentVastgelegd: Stap.CONTACTMOMENT,
    HerstelafspraakGemaakt: Stap.HERSTELAFSPRAAK,
    ProbleemanalyseOntvangen: Stap.PROBLEEMANALYSE,
    PlanVanAanpakVastgesteld: Stap.PLAN_VAN_AANPAK,
    EvaluatieVastgelegd: Stap.EVALUATIE,
    Uwv42eWeeksmeldingGedaan: Stap.UWV_42E_WEEK_MELDING,
    EerstejaarsevaluatieVastgelegd: Stap.EERSTEJAARSEVALUATIE,
    Spoor2Gestart: Stap.SPOOR_2,
    ReIntegratieverslagCompleet: Stap.RE_INTEGRATIEVERSLAG,
    WiaAangevraagd: Stap.WIA_AANVRAAG,
}

# The dossier event types that carry facts this service uses (the deadlines consumer's filter). BegeleiderToegewezen
# changes no date; it names the casemanager for the work lists.
RELEVANTE_EVENTS: tuple[type[Event], ...] = (
    DossierGeopend,
    EpisodeToegevoegd,
    HerstelGeregistreerd,
    VldToegekend,
    TermijnAfwijkingGemotiveerd,
    FeitGecorrigeerd,
    DossierGesloten,
    BegeleiderToegewezen,
    *_STAPPEN,
)

# FeitGecorrigeerd.feit values that correct a step's date: the step's name, optionally with `_datum`.
_STAP_CORRECTIES = {s.value: s for s in Stap} | {f"{s.value}_datum": s for s in Stap}


@dataclass(frozen=True)
class Stapfeit:
    stap: Stap
    datum: date  # the business date of the step (for a belafspraak: the day the call was agreed for)
    event_id: UUID | None = None
    structureel_spoor1_perspectief: bool = False  # eerstejaarsevaluatie only


@dataclass(frozen=True)
class Afwijking:
    """A termijn deliberately not met, with the reason (Regeling procesgang art. 5; decisions D5). `volgnummer` names
    the occurrence of the code it is about (EVALUATIE 3); without it the date says which one is meant."""

    code: TermijnCode
    datum: date
    reden: str
    event_id: UUID | None = None
    volgnummer: int | None = None


@dataclass(frozen=True)
class Deelherstel:
    datum: date
    arbeidsongeschiktheidspercentage: int


@dataclass(frozen=True)
class Ziekmelding:
    """The melding that started an episode: the day it was made, and the herstelafspraak made with it, if any. The
    seed process: a herstelafspraak is the starting point, otherwise a belafspraak within 10 werkdagen."""

    gemeld_op: date  # Dutch calendar date
    herstelafspraak: date | None = None  # the expected day of return agreed at the melding


@dataclass(frozen=True)
class Waarschuwing:
    """An event whose fact could not be applied, and why."""

    event_id: UUID | None
    tekst: str


@dataclass(frozen=True)
class DossierFeiten:
    """What the deadlines service knows of one verzuimdossier: enough to (re)compute its whole timeline."""

    dossier_id: UUID
    werkgever_id: str
    werknemer_id: str
    episodes: tuple[Episode, ...]  # chronological; the first starts on the eerste ziektedag of the dossier
    # One per episode, in the same order; an episode without one was reported on its eerste ziektedag.
    meldingen: tuple[Ziekmelding, ...] = ()
    vangnet_van_toepassing: bool = False
    stappen: tuple[Stapfeit, ...] = ()
    afwijkingen: tuple[Afwijking, ...] = ()
    deelherstel: tuple[Deelherstel, ...] = ()  # recorded for completeness: it never moves a termijn (D5)
    vld_laatste_dag: date | None = None
    gesloten_op: date | None = None
    gesloten_reden: str | None = None
    casemanager_id: str | None = None
    versie: int = 1
    waarschuwingen: tuple[Waarschuwing, ...] = ()

    def __post_init__(self) -> None:
        controleer_episodes(self.episodes)
        if len(self.meldingen) > len(self.episodes):
            raise OngeldigeEpisodes("er zijn meer ziekmeldingen dan episodes")

    @property
    def eerste_ziektedag(self) -> date:
        """E of the verzuim the dossier is in now (samentelling: the first episode of the current verzuimgeval)."""
        return huidig_verzuimgeval(self.episodes)[0].eerste_ziektedag

    @property
    def hersteldatum(self) -> date | None:
        """The first fully fit day when the werknemer is volledig hersteld now; None while the verzuim runs."""
        return self.episodes[-1].hersteldatum

    def melding(self, index: int) -> Ziekmelding:
        """The melding of episode `index` (0-based)."""
        if index < len(self.meldingen):
            return self.meldingen[index]
        return Ziekmelding(self.episodes[index].eerste_ziektedag)

    def met_episode(self, episode: Episode, melding: Ziekmelding) -> DossierFeiten:
        meldingen = tuple(self.melding(i) for i in range(len(self.episodes)))
        # A relapse reopens a dossier that was closed at the herstel.
        return replace(
            self,
            episodes=(*self.episodes, episode),
            meldingen=(*meldingen, melding),
            gesloten_op=None,
            gesloten_reden=None,
        )

    def volledig_hersteld(self, hersteldatum: date) -> DossierFeiten:
        laatste = self.episodes[-1]
        return replace(self, episodes=(*self.episodes[:-1], Episode(laatste.eerste_ziektedag, hersteldatum)))


def nl_datum(moment: datetime) -> date:
    return moment.astimezone(NEDERLAND).date()


class DossierNietGeopend(LookupError):
    """The dossier's DossierGeopend is not among the events."""


def feiten_uit_events(events: Iterable[Event]) -> DossierFeiten:
    """Fold the dossier's events (any order) into its facts. Raises DossierNietGeopend without its DossierGeopend."""
    dossier_events = sorted(
        (e for e in events if isinstance(e, DossierEvent)), key=lambda e: (e.versie, e.geregistreerd_op)
    )
    opening = next((e for e in dossier_events if isinstance(e, DossierGeopend)), None)
    if opening is None:
        raise DossierNietGeopend("het dossier is (nog) niet geopend")
    feiten = DossierFeiten(
        dossier_id=opening.dossier_id,
        werkgever_id=opening.werkgever_id,
        werknemer_id=opening.werknemer_id,
        episodes=(Episode(opening.eerste_ziektedag),),
        meldingen=(Ziekmelding(nl_datum(opening.gemeld_op), opening.herstelafspraak),),
        vangnet_van_toepassing=opening.vangnet_van_toepassing,
        versie=opening.versie,
    )
    for event in dossier_events:
        if event is opening or event.werkgever_id != feiten.werkgever_id:
            continue
        try:
            feiten = _pas_toe(feiten, event)
        except (OngeldigeEpisodes, ValueError) as exc:
            waarschuwing = Waarschuwing(event.event_id, f"{type(event).__name__} van {_datum(event)}: {exc}")
            feiten = replace(feiten, waarschuwingen=(*feiten.waarschuwingen, waarschuwing))
        feiten = replace(feiten, versie=max(feiten.versie, event.versie))
    return feiten


def _datum(event: DossierEvent) -> str:
    datum = getattr(event, "datum", None) or getattr(event, "hersteldatum", None)
    return datum.isoformat() if isinstance(datum, date) else f"versie {event.versie}"


def _pas_toe(feiten: DossierFeiten, event: Event) -> DossierFeiten:
    if isinstance(event, EpisodeToegevoegd):
        if any(e.eerste_ziektedag == event.eerste_ziektedag for e in feiten.episodes):
            return feiten  # the same relapse recorded twice
        if feiten.hersteldatum is None:
            raise OngeldigeEpisodes(
                f"een nieuwe episode vanaf {event.eerste_ziektedag.isoformat()} terwijl de vorige nog loopt"
            )
        return feiten.met_episode(Episode(event.eerste_ziektedag), Ziekmelding(nl_datum(event.gemeld_op)))
    if isinstance(event, HerstelGeregistreerd):
        if event.soort is HerstelSoort.GEDEELTELIJK:
            # decisions D5: a change of the percentage moves nothing; kept so the facts are complete.
            deel = Deelherstel(event.hersteldatum, event.arbeidsongeschiktheidspercentage)
            return replace(feiten, deelherstel=(*feiten.deelherstel, deel))
        if feiten.hersteldatum is not None:
            return feiten  # the running episode already ended; a second volledig herstel changes nothing
        return feiten.volledig_hersteld(event.hersteldatum)
    if isinstance(event, VldToegekend):
        return replace(feiten, vld_laatste_dag=event.laatste_dag_wachttijd)
    if isinstance(event, TermijnAfwijkingGemotiveerd):
        try:
            code = TermijnCode(event.termijn_code)
        except ValueError:
            raise ValueError(f"onbekende termijncode {event.termijn_code!r}") from None
        afwijking = Afwijking(code, event.datum, event.reden, event.event_id, event.volgnummer)
        return replace(feiten, afwijkingen=(*feiten.afwijkingen, afwijking))
    if isinstance(event, FeitGecorrigeerd):
        return _corrigeer(feiten, event)
    if isinstance(event, DossierGesloten):
        return replace(feiten, gesloten_op=event.datum, gesloten_reden=event.reden)
    if isinstance(event, BegeleiderToegewezen):
        return replace(feiten, casemanager_id=event.begeleider_id)
    stap = _STAPPEN.get(type(event))
    if stap is not None:
        datum: date = event.datum  # type: ignore[attr-defined]
        if isinstance(event, BelafspraakGemaakt):
            datum = nl_datum(event.bellen_op)  # the call within 10 werkdagen is judged on the agreed moment
        perspectief = isinstance(event, EerstejaarsevaluatieVastgelegd) and event.structureel_spoor1_perspectief
        feit = Stapfeit(stap, datum, event.event_id, structureel_spoor1_perspectief=perspectief)
        feiten = replace(feiten, stappen=(*feiten.stappen, feit))
        if isinstance(event, PlanVanAanpakVastgesteld):
            # Regeling procesgang art. 4 lid 2 sub c: the plan van aanpak names the casemanager; the latest naming
            # (this or a BegeleiderToegewezen) is who guides the dossier now.
            feiten = replace(feiten, casemanager_id=event.casemanager_id)
        return feiten
    return feiten


def _corrigeer(feiten: DossierFeiten, event: FeitGecorrigeerd) -> DossierFeiten:
    """A correction of a date the timeline depends on. Other corrections (e.g. a phone number) change nothing here.

    - `eerste_ziektedag`: the episode that starts on `oude_waarde` (the first one when none does);
    - `hersteldatum`: the episode that ends on `oude_waarde` (the last one when none does);
    - `gemeld_op`: the day of the ziekmelding of the episode it names (the first one when none matches);
    - `herstelafspraak` / `herstel_verwacht_op`: the herstelafspraak of the melding that has `oude_waarde`, else the
      recorded herstelafspraak (`HerstelafspraakGemaakt`) dated `oude_waarde`; without an old date (one not recorded
      before) that of the melding whose period holds the new date (from its melding up to the next); another old
      date names nothing the rules use (e.g. a recorded herstelafspraak's expected return) and changes nothing;
    - `laatste_dag_wachttijd` / `vld_laatste_dag`: the end of a granted VLD;
    - a step's name (`probleemanalyse`, `plan_van_aanpak_datum`, ...): that step whose date is `oude_waarde` (the
      latest of its kind when none is).
    """
    feit = event.feit.strip().lower()
    oud = _datum_of_none(event.oude_waarde)
    if feit in ("eerste_ziektedag", "hersteldatum", "gemeld_op", "herstelafspraak", "herstel_verwacht_op") or (
        feit in ("laatste_dag_wachttijd", "vld_laatste_dag") or feit in _STAP_CORRECTIES
    ):
        nieuw = _datum_uit(event.nieuwe_waarde)
    else:
        return feiten
    episodes = list(feiten.episodes)
    meldingen = [feiten.melding(i) for i in range(len(episodes))]
    if feit == "eerste_ziektedag":
        i = next((i for i, e in enumerate(episodes) if e.eerste_ziektedag == oud), 0)
        episodes[i] = Episode(nieuw, episodes[i].hersteldatum)
        return replace(feiten, episodes=tuple(episodes))
    if feit == "hersteldatum":
        i = next((i for i, e in enumerate(episodes) if e.hersteldatum == oud), len(episodes) - 1)
        if episodes[i].hersteldatum is None:
            raise ValueError("er is geen hersteldatum om te corrigeren: het verzuim loopt nog")
        episodes[i] = Episode(episodes[i].eerste_ziektedag, nieuw)
        return replace(feiten, episodes=tuple(episodes))
    if feit == "gemeld_op":
        i = next((i for i, m in enumerate(meldingen) if m.gemeld_op == oud), 0)
        meldingen[i] = replace(meldingen[i], gemeld_op=nieuw)
        return replace(feiten, meldingen=tuple(meldingen))
    if feit in ("herstelafspraak", "herstel_verwacht_op"):
        # Any melding can be meant, not only the first; and a herstelafspraak recorded as a step afterwards is
        # corrected as that step: giving the melding one instead would make its belafspraak disappear.
        gevonden = next((k for k, m in enumerate(meldingen) if oud is not None and m.herstelafspraak == oud), None)
        if gevonden is not None:
            i = gevonden
        else:
            stap_i = next(
                (j for j, s in enumerate(feiten.stappen) if s.stap is Stap.HERSTELAFSPRAAK and s.datum == oud), None
            )
            if stap_i is not None:
                stappen = list(feiten.stappen)
                stappen[stap_i] = replace(stappen[stap_i], datum=nieuw)
                return replace(feiten, stappen=tuple(stappen))
            if oud is not None:
                # a date no rule uses, e.g. the expected return of a recorded herstelafspraak: nothing moves
                return feiten
            begin = [min(m.gemeld_op, e.eerste_ziektedag) for m, e in zip(meldingen, episodes, strict=True)]
            i = max((k for k, b in enumerate(begin) if b <= nieuw), default=0)
        meldingen[i] = replace(meldingen[i], herstelafspraak=nieuw)
        return replace(feiten, meldingen=tuple(meldingen))
    if feit in ("laatste_dag_wachttijd", "vld_laatste_dag"):
        return replace(feiten, vld_laatste_dag=nieuw)
    stap = _STAP_CORRECTIES[feit]
    soort = [i for i, s in enumerate(feiten.stappen) if s.stap is stap]
    if not soort:
        raise ValueError(f"er is geen stap {stap.value} om te corrigeren")
    i = next((i for i in soort if feiten.stappen[i].datum == oud), soort[-1])
    stappen = list(feiten.stappen)
    stappen[i] = replace(stappen[i], datum=nieuw)
    return replace(feiten, stappen=tuple(stappen))


def _datum_uit(waarde: str) -> date:
    """A date, or the Dutch date of a timestamp (e.g. a corrected gemeld_op)."""
    tekst = waarde.strip()
    try:
        return date.fromisoformat(tekst)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(tekst)
    except ValueError:
        raise ValueError(f"{waarde!r} is geen datum (JJJJ-MM-DD)") from None
    return nl_datum(moment) if moment.tzinfo else moment.date()


def _datum_of_none(waarde: str) -> date | None:
    try:
        return _datum_uit(waarde)
    except ValueError:
        return None
