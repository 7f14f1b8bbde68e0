"""Signals: what a dossier or termijn fact means for the people around the werknemer.

A signal is the routable meaning of one public event ("a ziekmelding", "the PROBLEEMANALYSE termijn nadert"). The
routing table (`regiemodel.py`) maps each signal to roles; the templates turn it into a Dutch message. Pure: from an
event to its signals, nothing else.

Only named process facts are carried over into a signal; free-text fields of the contract (verslag, toelichting,
advies, vraagstelling, ...) never are, so no message can repeat what somebody typed about a person's health
(decisions D9).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from verzuim_shared.events import DossierGeopend, Event, HerstelGeregistreerd
from verzuim_shared.events.dossier import (
    BegeleiderToegewezen,
    DossierGesloten,
    EpisodeToegevoegd,
    OpbouwschemaVastgesteld,
    PlanVanAanpakVastgesteld,
    ProbleemanalyseOntvangen,
    Route,
    Spoor2Gestart,
    SpreekuurGepland,
    TriageUitgevoerd,
    WerkgerelateerdeComponentGemeld,
)
from verzuim_shared.events.termijn import (
    TermijnAfgeweken,
    TermijnEvent,
    TermijnGepland,
    TermijnGewijzigd,
    TermijnNadert,
    TermijnVerstreken,
    TermijnVervallen,
    TermijnVervuld,
)


class SignaalSoort(StrEnum):
    """Every kind of signal the routing table can route. The value is the key in the table and the message type."""

    ZIEKMELDING = "ziekmelding"  # DossierGeopend, and EpisodeToegevoegd (a new melding in a samengesteld dossier)
    TRIAGE_COMPLEX = "triage_complex"
    TRIAGE_REGULIER = "triage_regulier"
    BEGELEIDER_TOEGEWEZEN = "begeleider_toegewezen"
    SPREEKUUR_GEPLAND = "spreekuur_gepland"
    PROBLEEMANALYSE_ONTVANGEN = "probleemanalyse_ontvangen"
    PLAN_VAN_AANPAK_VASTGESTELD = "plan_van_aanpak_vastgesteld"
    OPBOUWSCHEMA_VASTGESTELD = "opbouwschema_vastgesteld"
    WERKGERELATEERDE_COMPONENT = "werkgerelateerde_component"
    SPOOR_2_GESTART = "spoor_2_gestart"
    HERSTEL = "herstel"
    DOSSIER_GESLOTEN = "dossier_gesloten"
    TERMIJN_GEPLAND = "termijn_gepland"
    TERMIJN_GEWIJZIGD = "termijn_gewijzigd"
    TERMIJN_NADERT = "termijn_nadert"
    TERMIJN_VERSTREKEN = "termijn_verstreken"
    # Derived from the meldingen of one werknemer (decisions D8), not from a single event.
    FREQUENT_VERZUIM = "frequent_verzuim"
    FREQUENT_VERZUIM_VROEG = "frequent_verzuim_vroeg"

    @property
    def per_termijncode(self) -> bool:
        """Termijn signals can be routed per termijn code (`termijn_nadert:PROBLEEMANALYSE`)."""
        return self.value.startswith("termijn_")


_TERMIJNCODE = re.compile(r"^[A-Z0-9_]{1,60}$")


def sleutel(soort: SignaalSoort, termijncode: str | None = None) -> str:
    return f"{soort.value}:{termijncode}" if termijncode else soort.value


def lees_sleutel(tekst: str) -> tuple[SignaalSoort, str | None]:
    """`termijn_nadert:PROBLEEMANALYSE` -> (TERMIJN_NADERT, "PROBLEEMANALYSE"); ValueError for an unknown key."""
    soort_tekst, _, code = tekst.partition(":")
    try:
        soort = SignaalSoort(soort_tekst)
    except ValueError:
        namen = ", ".join(s.value for s in SignaalSoort)
        raise ValueError(f"onbekend signaal {soort_tekst!r}; bekend zijn: {namen}") from None
    if not code:
        return soort, None
    if not soort.per_termijncode:
        raise ValueError(f"signaal {soort.value!r} heeft geen termijncode (alleen termijn_... signalen)")
    if not _TERMIJNCODE.match(code):
        raise ValueError(f"termijncode {code!r} bestaat uit hoofdletters, cijfers en _ (bijv. PROBLEEMANALYSE)")
    return soort, code


@dataclass(frozen=True)
class Signaal:
    """One routable signal. `id` identifies it for exactly-once delivery: the event id for a direct signal, a derived
    id for a derived one (frequent verzuim), so one event can cause several signals without them colliding."""

    id: UUID
    soort: SignaalSoort
    bron_event_id: UUID
    werkgever_id: str
    werknemer_id: str
    dossier_id: UUID | None
    # The moment the fact was recorded: the regiemodel that applied then routes it (see regiemodel.geldend_op).
    moment: datetime
    # The business date of the fact (the Dutch date of gemeld_op for a ziekmelding, `datum` of a step).
    datum: date
    termijn_id: UUID | None = None
    termijncode: str | None = None
    # Named process facts for the message (dates, codes, enums, ids); never free text of the contract.
    feiten: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def sleutels(self) -> tuple[str, ...]:
        """Most specific first: a rule for `termijn_nadert:PROBLEEMANALYSE` wins over one for `termijn_nadert`."""
        if self.termijncode:
            return (sleutel(self.soort, self.termijncode), sleutel(self.soort))
        return (sleutel(self.soort),)


def _nl_datum(moment: datetime) -> date:
    from verzuim_shared.clock import NL

    return moment.astimezone(NL).date()


def _dossier_signaal(event: Any, soort: SignaalSoort, datum: date, **feiten: Any) -> Signaal:
    return Signaal(
        id=event.event_id,
        soort=soort,
        bron_event_id=event.event_id,
        werkgever_id=event.werkgever_id,
        werknemer_id=event.werknemer_id,
        dossier_id=event.dossier_id,
        moment=event.geregistreerd_op,
        datum=datum,
        feiten=feiten,
    )


def _termijn_signaal(event: TermijnEvent, soort: SignaalSoort, **feiten: Any) -> Signaal:
    return Signaal(
        id=event.event_id,
        soort=soort,
        bron_event_id=event.event_id,
        werkgever_id=event.werkgever_id,
        werknemer_id=event.werknemer_id,
        dossier_id=event.dossier_id,
        moment=event.geregistreerd_op,
        datum=_nl_datum(event.geregistreerd_op),
        termijn_id=event.termijn_id,
        termijncode=event.code,
        feiten={
            "code": event.code,
            "vervaldatum": event.vervaldatum,
            "grondslag": event.grondslag,
            "afleiding": event.afleiding,
            **feiten,
        },
    )


def signaal_uit(event: Event) -> Signaal | None:
    """The direct signal of an event, or None when the event asks nothing of anybody.

    Not signals: the administrative steps that are themselves the answer to an earlier task (contactmoment,
    herstel- en belafspraak, arbodienst gemeld, evaluatie, documents, VLD, corrections, motivated deviations, the
    later WvP steps): their termijn's vervuld/afgeweken signal closes the task in the inbox instead."""
    match event:
        case DossierGeopend():
            return _dossier_signaal(
                event,
                SignaalSoort.ZIEKMELDING,
                _nl_datum(event.gemeld_op),
                eerste_ziektedag=event.eerste_ziektedag,
                gemeld_op=event.gemeld_op,
                herstelafspraak=event.herstelafspraak,
                na_meldtijd=event.na_meldtijd,
                episode=False,
            )
        case EpisodeToegevoegd():
            return _dossier_signaal(
                event,
                SignaalSoort.ZIEKMELDING,
                _nl_datum(event.gemeld_op),
                eerste_ziektedag=event.eerste_ziektedag,
                gemeld_op=event.gemeld_op,
                herstelafspraak=None,
                na_meldtijd=False,
                episode=True,
                hersteld_dagen_tussen=event.hersteld_dagen_tussen,
            )
        case TriageUitgevoerd():
            soort = SignaalSoort.TRIAGE_COMPLEX if event.route is Route.COMPLEX else SignaalSoort.TRIAGE_REGULIER
            return _dossier_signaal(event, soort, event.datum, route=event.route.value)
        case BegeleiderToegewezen():
            return _dossier_signaal(
                event,
                SignaalSoort.BEGELEIDER_TOEGEWEZEN,
                event.datum,
                begeleider_id=event.begeleider_id,
                begeleider_rol=event.begeleider_rol.value,
            )
        case SpreekuurGepland():
            return _dossier_signaal(event, SignaalSoort.SPREEKUUR_GEPLAND, event.datum, spreekuur_op=event.spreekuur_op)
        case ProbleemanalyseOntvangen():
            return _dossier_signaal(event, SignaalSoort.PROBLEEMANALYSE_ONTVANGEN, event.datum)
        case PlanVanAanpakVastgesteld():
            return _dossier_signaal(
                event,
                SignaalSoort.PLAN_VAN_AANPAK_VASTGESTELD,
                event.datum,
                casemanager_id=event.casemanager_id,
                evaluatiemomenten=list(event.evaluatiemomenten),
            )
        case OpbouwschemaVastgesteld():
            eerste = min(stap.vanaf for stap in event.stappen)
            return _dossier_signaal(event, SignaalSoort.OPBOUWSCHEMA_VASTGESTELD, event.datum, vanaf=eerste)
        case WerkgerelateerdeComponentGemeld():
            return _dossier_signaal(
                event, SignaalSoort.WERKGERELATEERDE_COMPONENT, event.datum, component=event.soort.value
            )
        case Spoor2Gestart():
            return _dossier_signaal(event, SignaalSoort.SPOOR_2_GESTART, event.datum)
        case HerstelGeregistreerd():
            return _dossier_signaal(
                event,
                SignaalSoort.HERSTEL,
                event.hersteldatum,
                herstel=event.soort.value,
                hersteldatum=event.hersteldatum,
                percentage=event.arbeidsongeschiktheidspercentage,
            )
        case DossierGesloten():
            return _dossier_signaal(event, SignaalSoort.DOSSIER_GESLOTEN, event.datum)
        case TermijnGepland():
            return _termijn_signaal(event, SignaalSoort.TERMIJN_GEPLAND)
        case TermijnGewijzigd():
            return _termijn_signaal(event, SignaalSoort.TERMIJN_GEWIJZIGD, vorige_vervaldatum=event.vorige_vervaldatum)
        case TermijnNadert():
            return _termijn_signaal(event, SignaalSoort.TERMIJN_NADERT, dagen_resterend=event.dagen_resterend)
        case TermijnVerstreken():
            return _termijn_signaal(event, SignaalSoort.TERMIJN_VERSTREKEN)
        case _:
            return None


def beeindigt_termijn(event: Event) -> UUID | None:
    """The termijn whose open tasks are done now: fulfilled, no longer applicable, or deviated from with a
    motivation (decisions D5). Their inbox items are closed instead of a new message being sent."""
    if isinstance(event, TermijnVervuld | TermijnVervallen | TermijnAfgeweken):
        return event.termijn_id
    return None
