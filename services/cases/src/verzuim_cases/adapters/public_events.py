"""Map the dossier's stored events to the public contract events (verzuim.dossier.v1.*).

The process steps carry their public fields under the public names, so one table maps them all.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from verzuim_shared.events import DossierEvent, DossierGeopend, HerstelGeregistreerd, HerstelSoort
from verzuim_shared.events import dossier as contract
from verzuim_shared.ids import derived_id

from verzuim_cases.domain import Verzuimdossier

V = Verzuimdossier

# Stored process-step event → its public event.
PUBLIC_STEPS: dict[type[Verzuimdossier.Processtap], type[contract.DossierStap]] = {
    V.EpisodeToegevoegd: contract.EpisodeToegevoegd,
    V.TriageUitgevoerd: contract.TriageUitgevoerd,
    V.BegeleiderToegewezen: contract.BegeleiderToegewezen,
    V.ContactmomentVastgelegd: contract.ContactmomentVastgelegd,
    V.HerstelafspraakGemaakt: contract.HerstelafspraakGemaakt,
    V.BelafspraakGemaakt: contract.BelafspraakGemaakt,
    V.ArbodienstGemeld: contract.ArbodienstGemeld,
    V.SpreekuurGepland: contract.SpreekuurGepland,
    V.ProbleemanalyseOntvangen: contract.ProbleemanalyseOntvangen,
    V.PlanVanAanpakVastgesteld: contract.PlanVanAanpakVastgesteld,
    V.EvaluatieVastgelegd: contract.EvaluatieVastgelegd,
    V.InterventieGestart: contract.InterventieGestart,
    V.OpbouwschemaVastgesteld: contract.OpbouwschemaVastgesteld,
    V.WerkgerelateerdeComponentGemeld: contract.WerkgerelateerdeComponentGemeld,
    V.Uwv42eWeeksmeldingGedaan: contract.Uwv42eWeeksmeldingGedaan,
    V.EerstejaarsevaluatieVastgelegd: contract.EerstejaarsevaluatieVastgelegd,
    V.Spoor2Gestart: contract.Spoor2Gestart,
    V.ActueelOordeelOntvangen: contract.ActueelOordeelOntvangen,
    V.EindevaluatieVastgelegd: contract.EindevaluatieVastgelegd,
    V.ReIntegratieverslagCompleet: contract.ReIntegratieverslagCompleet,
    V.WiaAangevraagd: contract.WiaAangevraagd,
    V.VldToegekend: contract.VldToegekend,
    V.TermijnAfwijkingGemotiveerd: contract.TermijnAfwijkingGemotiveerd,
    V.FeitGecorrigeerd: contract.FeitGecorrigeerd,
    V.DocumentToegevoegd: contract.DocumentToegevoegd,
    V.DocumentOndertekend: contract.DocumentOndertekend,
    V.DossierGesloten: contract.DossierGesloten,
}

_COMMON = frozenset({*DossierEvent.model_fields, "datum"})


def public_event_id(dossier_id: UUID, versie: int) -> UUID:
    """Stable: the same stored event always becomes the same public event id."""
    return derived_id("dossier-event", dossier_id, versie)


class UnmappedDossierEvent(LookupError):
    """A stored dossier event type has no public mapping yet. The relay stops rather than skip it (no gaps)."""


def public_type(event: Verzuimdossier.Processtap) -> type[contract.DossierStap]:
    try:
        return PUBLIC_STEPS[type(event)]
    except KeyError:
        raise UnmappedDossierEvent(f"no public event for stored event {type(event).__qualname__}") from None


def to_public_event(event: Any) -> DossierEvent | None:
    """The public event for a stored dossier event; None for something that is not a dossier event."""
    if not isinstance(event, Verzuimdossier.Gebeurtenis):
        return None
    common: dict[str, Any] = {
        "event_id": public_event_id(event.originator_id, event.originator_version),
        "werkgever_id": event.werkgever_id,
        "geregistreerd_op": event.geregistreerd_op,
        "actor": event.actor,
        "dossier_id": event.originator_id,
        "versie": event.originator_version,
        "werknemer_id": event.werknemer_id,
    }
    if isinstance(event, Verzuimdossier.Geopend):
        return DossierGeopend(
            **common,
            melding_id=event.melding_id,
            eerste_ziektedag=event.eerste_ziektedag,
            gemeld_op=event.gemeld_op,
            herstelafspraak=event.herstelafspraak,
            vangnet_van_toepassing=event.vangnet_van_toepassing,
            arbeidsongeval=event.arbeidsongeval,
            regres_derde=event.regres_derde,
            na_meldtijd=event.na_meldtijd,
        )
    if isinstance(event, Verzuimdossier.HerstelGeregistreerd):
        return HerstelGeregistreerd(
            **common,
            herstel_id=event.herstel_id,
            soort=HerstelSoort(event.soort),
            hersteldatum=event.hersteldatum,
            arbeidsongeschiktheidspercentage=event.arbeidsongeschiktheidspercentage,
        )
    if not isinstance(event, Verzuimdossier.Processtap):
        raise UnmappedDossierEvent(f"no public event for stored event {type(event).__qualname__}")
    cls = public_type(event)
    velden = {name: getattr(event, name) for name in cls.model_fields if name not in _COMMON}
    return cls(**common, datum=event.datum, **velden)
