"""The public events of the verzuim contract. Importing this package registers every event type."""

from verzuim_shared.events.base import (
    EVENT_TYPES,
    Actor,
    ContractModel,
    Event,
    Rol,
    UnknownEventType,
    event_type_for_subject,
    parse_event,
)
from verzuim_shared.events.dossier import DossierEvent, DossierGeopend, HerstelGeregistreerd
from verzuim_shared.events.intake import (
    Adres,
    Bereikbaarheid,
    HerstelGemeld,
    HerstelSoort,
    MeldingOntvanger,
    ZiekGemeld,
)
from verzuim_shared.events.personeel import (
    AfdelingVastgelegd,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
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

__all__ = [
    "EVENT_TYPES",
    "Actor",
    "Adres",
    "AfdelingVastgelegd",
    "Bereikbaarheid",
    "ContractModel",
    "DossierEvent",
    "DossierGeopend",
    "Event",
    "HerstelGemeld",
    "HerstelGeregistreerd",
    "HerstelSoort",
    "MedewerkerGegevensGewijzigd",
    "MedewerkerInDienst",
    "MedewerkerUitDienst",
    "MeldingOntvanger",
    "Rol",
    "TermijnAfgeweken",
    "TermijnEvent",
    "TermijnGepland",
    "TermijnGewijzigd",
    "TermijnNadert",
    "TermijnVerstreken",
    "TermijnVervallen",
    "TermijnVervuld",
    "UnknownEventType",
    "ZiekGemeld",
    "event_type_for_subject",
    "parse_event",
]
