"""The messages: what a recipient is told about a signal, by when it is due, and the identity that makes each message
exist once per (signal, recipient, channel).

Only process facts go into a message (who, which dates, which step, what to do, where the dossier is); never
anything medical (decisions D9): a signal carries named fields only (see signalen.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from verzuim_shared.clock import NL
from verzuim_shared.ids import derived_id

from verzuim_notifications.domain.regiemodel import FrequentVerzuimInstelling, Ontvangerrol, Soort
from verzuim_notifications.domain.routering import Bestemming, Geadresseerde, Leeg
from verzuim_notifications.domain.signalen import Signaal, SignaalSoort

S = SignaalSoort

# Days a task has when the law sets no term (practice; the message shows the date). Everything else follows the
# fact itself: the termijn's vervaldatum, the spreekuur, the day of the melding.
WETTELIJK_PVA_NA_PA = 14  # Regeling procesgang art. 4 lid 1: plan van aanpak within two weeks after the PA
BEGELEIDER_CONTACT_DAGEN = 2
WERKGERELATEERD_DAGEN = 7
SPOOR_2_CONTACT_DAGEN = 7


@dataclass(frozen=True)
class Tekst:
    titel: str
    tekst: str


def deadline_voor(signaal: Signaal, soort: Soort, frequent: FrequentVerzuimInstelling) -> date | None:
    """By when the recipient has to act; None for a message for information."""
    if soort is Soort.BERICHT:
        return None
    f = signaal.feiten
    match signaal.soort:
        case S.ZIEKMELDING | S.TRIAGE_COMPLEX:
            return signaal.datum  # the same day: first contact, casemanagement "vanaf dag 1" (seed 004)
        case S.BEGELEIDER_TOEGEWEZEN:
            return signaal.datum + timedelta(days=BEGELEIDER_CONTACT_DAGEN)
        case S.SPREEKUUR_GEPLAND:
            spreekuur: datetime = f["spreekuur_op"]
            return spreekuur.astimezone(NL).date()
        case S.PROBLEEMANALYSE_ONTVANGEN:
            return signaal.datum + timedelta(days=WETTELIJK_PVA_NA_PA)
        case S.WERKGERELATEERDE_COMPONENT:
            return signaal.datum + timedelta(days=WERKGERELATEERD_DAGEN)
        case S.SPOOR_2_GESTART:
            return signaal.datum + timedelta(days=SPOOR_2_CONTACT_DAGEN)
        case S.TERMIJN_NADERT | S.TERMIJN_GEPLAND | S.TERMIJN_GEWIJZIGD:
            vervaldatum: date = f["vervaldatum"]
            return vervaldatum
        case S.TERMIJN_VERSTREKEN:
            return signaal.datum  # already late: today
        case S.FREQUENT_VERZUIM:
            return signaal.datum + timedelta(days=frequent.gesprek_binnen_dagen)
        case _:
            return signaal.datum


@dataclass(frozen=True)
class BerichtInhoud:
    """What one message says; rendered by a Dutch template per signal kind."""

    signaal: Signaal
    soort: Soort
    # The role the recipient fills (None for a team inbox) and whether the recipient is the werknemer.
    rol: Ontvangerrol | None
    team: str | None
    aan_werknemer: bool
    naam_werknemer: str | None
    deadline: date | None
    dossier_link: str | None
    termijn_link: str | None
    # Set when the recipient stands in for an empty role.
    namens: Ontvangerrol | None = None
    reden: Leeg | None = None
    # Names of other people the message mentions (e.g. the assigned begeleider), by role.
    namen: dict[str, str] = field(default_factory=dict)

    @property
    def wie(self) -> str:
        return self.naam_werknemer or f"werknemer {self.signaal.werknemer_id}"


def inhoud_voor(
    signaal: Signaal,
    geadresseerde: Geadresseerde,
    *,
    naam_werknemer: str | None,
    frequent: FrequentVerzuimInstelling,
    public_url_cases: str,
    public_url_deadlines: str,
    namen: dict[str, str] | None = None,
) -> BerichtInhoud:
    ontvanger = geadresseerde.ontvanger
    return BerichtInhoud(
        signaal=signaal,
        soort=geadresseerde.soort,
        rol=geadresseerde.rol if ontvanger.id is not None else None,
        team=ontvanger.rol if ontvanger.id is None else None,
        aan_werknemer=ontvanger.id == signaal.werknemer_id,
        naam_werknemer=naam_werknemer,
        deadline=deadline_voor(signaal, geadresseerde.soort, frequent),
        dossier_link=dossier_link(public_url_cases, signaal.dossier_id) if signaal.dossier_id else None,
        termijn_link=termijn_link(public_url_deadlines, signaal.dossier_id, signaal.termijn_id),
        namens=geadresseerde.namens,
        reden=geadresseerde.reden,
        namen=namen or {},
    )


def dossier_link(public_url_cases: str, dossier_id: UUID) -> str:
    return f"{public_url_cases.rstrip('/')}/v1/dossiers/{dossier_id}"


def termijn_link(public_url_deadlines: str, dossier_id: UUID | None, termijn_id: UUID | None) -> str | None:
    """The dossier's termijnen in the deadlines service, pointing at the one the message is about."""
    if dossier_id is None or termijn_id is None:
        return None
    return f"{public_url_deadlines.rstrip('/')}/v1/dossiers/{dossier_id}/termijnen#{termijn_id}"


def bericht_id(signaal_id: UUID, bestemming: Bestemming) -> UUID:
    """One message per (signal, recipient, channel): the same inputs always give the same id."""
    return derived_id("bericht", signaal_id, bestemming.ontvanger.sleutel, bestemming.kanaal.value)


@dataclass(frozen=True)
class Bericht:
    """One message to one recipient over one channel, caused by one signal of one source event."""

    id: UUID
    werkgever_id: str
    bron_event_id: UUID
    signaal_id: UUID
    bestemming: Bestemming
    type: str  # the signal kind, e.g. ziekmelding, termijn_nadert
    soort: Soort
    titel: str
    tekst: str
    dossier_id: UUID | None
    werknemer_id: str | None
    link: str | None
    deadline: date | None
    aangemaakt_op: datetime
    termijn_id: UUID | None = None
    termijn_code: str | None = None
    termijn_link: str | None = None
    namens: str | None = None  # the empty role the recipient stands in for
    # E-mail in the daily digest instead of at once.
    digest: bool = False
    # The e-mail address or webhook URL at the moment the message was made (None for the inbox).
    adres: str | None = None

    def als_json(self) -> dict[str, Any]:
        """The message as a webhook receiver gets it."""
        o = self.bestemming.ontvanger
        return {
            "id": str(self.id),
            "werkgever_id": self.werkgever_id,
            "type": self.type,
            "soort": self.soort.value,
            "titel": self.titel,
            "tekst": self.tekst,
            "ontvanger": {"rol": o.rol, "id": o.id},
            "dossier_id": str(self.dossier_id) if self.dossier_id else None,
            "werknemer_id": self.werknemer_id,
            "link": self.link,
            "termijn_id": str(self.termijn_id) if self.termijn_id else None,
            "termijn_code": self.termijn_code,
            "termijn_link": self.termijn_link,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "aangemaakt_op": self.aangemaakt_op.isoformat(),
            "bron_event_id": str(self.bron_event_id),
        }
