"""Who receives a signal. Three pure steps:

1. the *resolver* fills a role (`Ontvangerrol`) with a person from what is known about the werknemer: the personeel
   data (werknemer, leidinggevende, HR adviser and rayonmanager of the afdeling), the dossier (its casemanager,
   verzuimcoach and bedrijfsarts) and the werkgever's rolbezetting (arbodienst: bedrijfsarts and taakgedelegeerde;
   the default casemanager, verzuimcoach and werkcoach), per afdeling or for the whole werkgever;
2. the *routing step* takes the regiemodel's assignments for the signal, fills each role or the roles that stand in
   for it (the terugval chain), and sends a task nobody can take to the team inbox of the fallback role. Every role
   left empty is a `Routeringsgat`: reported, and named in the message of whoever stood in;
3. one destination per person: somebody in two roles gets one message (as a task if either role has one).

While the data to fill a role may still arrive (the personeel stream can lag behind the dossier stream) the routing
asks to be tried again (`PersoneelNogNietBekend`), until the last attempt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from verzuim_shared.events import Rol

from verzuim_notifications.domain.personeel import Afdeling, Medewerker
from verzuim_notifications.domain.regiemodel import Ontvangerrol, Regiemodel, Soort, Toewijzing


class Kanaal(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class Ontvanger:
    """A person in a role (`rol` is an Ontvangerrol value), or, with `id` None, the team inbox of a login role (`rol`
    is a `Rol` value): everybody with that role at the werkgever sees it."""

    rol: str
    id: str | None = None

    @property
    def sleutel(self) -> str:
        """What makes a recipient one recipient: the person, or the team."""
        return f"persoon:{self.id}" if self.id is not None else f"team:{self.rol}"


@dataclass(frozen=True)
class Bestemming:
    ontvanger: Ontvanger
    kanaal: Kanaal


class OnbekendeLeidinggevende(StrEnum):
    """Why no leidinggevende was found."""

    MEDEWERKER_ONBEKEND = "medewerker_onbekend"
    AFDELING_ONBEKEND = "afdeling_onbekend"
    GEEN_LEIDINGGEVENDE = "geen_leidinggevende"
    EIGEN_LEIDINGGEVENDE = "eigen_leidinggevende"

    @property
    def kan_nog_komen(self) -> bool:
        """The personeel stream may lag: missing data may still arrive, a known afdeling without one will not."""
        return self in (OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND, OnbekendeLeidinggevende.AFDELING_ONBEKEND)


class Leeg(StrEnum):
    """Why a role is not filled."""

    MEDEWERKER_ONBEKEND = "medewerker_onbekend"  # no personeel data for the werknemer (yet)
    AFDELING_ONBEKEND = "afdeling_onbekend"  # the werknemer's afdeling is not known (yet)
    NIET_BEZET = "niet_bezet"  # nobody has the role (not in the afdeling, the dossier or the rolbezetting)
    WERKNEMER_ZELF = "werknemer_zelf"  # the person in the role is the werknemer: nobody acts on their own case

    @property
    def kan_nog_komen(self) -> bool:
        return self in (Leeg.MEDEWERKER_ONBEKEND, Leeg.AFDELING_ONBEKEND)


@dataclass(frozen=True)
class Leidinggevende:
    id: str


def zoek_leidinggevende(
    medewerker: Medewerker | None, afdeling: Afdeling | None
) -> Leidinggevende | OnbekendeLeidinggevende:
    """The medewerker's own leidinggevende if set, else the leidinggevende of the medewerker's afdeling."""
    if medewerker is None or medewerker.afdeling_id is None:
        return OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND
    gevonden = medewerker.leidinggevende_id
    if gevonden is None:
        if afdeling is None or afdeling.afdeling_id != medewerker.afdeling_id:
            return OnbekendeLeidinggevende.AFDELING_ONBEKEND
        gevonden = afdeling.leidinggevende_id
    if gevonden is None:
        return OnbekendeLeidinggevende.GEEN_LEIDINGGEVENDE
    if gevonden == medewerker.werknemer_id:
        # The leidinggevende is the werknemer: nobody would act on a message to themselves.
        return OnbekendeLeidinggevende.EIGEN_LEIDINGGEVENDE
    return Leidinggevende(gevonden)


@dataclass(frozen=True)
class DossierBegeleiding:
    """Who the dossier names: the assigned casemanager and verzuimcoach (BegeleiderToegewezen; the plan van aanpak
    names the casemanager too, Regeling procesgang art. 4 lid 2 sub c), the last assigned of the two, and the
    bedrijfsarts of the last planned spreekuur."""

    casemanager_id: str | None = None
    verzuimcoach_id: str | None = None
    begeleider_id: str | None = None
    bedrijfsarts_id: str | None = None


@dataclass(frozen=True)
class Betrokkenen:
    """Everything known about the people around one werknemer's dossier."""

    werknemer_id: str
    medewerker: Medewerker | None
    afdeling: Afdeling | None
    dossier: DossierBegeleiding = field(default_factory=DossierBegeleiding)
    # The werkgever's rolbezetting, the afdeling's entries over the werkgever's: role -> person id.
    rolbezetting: Mapping[Ontvangerrol, str] = field(default_factory=dict)


_LEIDINGGEVENDE_LEEG = {
    OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND: Leeg.MEDEWERKER_ONBEKEND,
    OnbekendeLeidinggevende.AFDELING_ONBEKEND: Leeg.AFDELING_ONBEKEND,
    OnbekendeLeidinggevende.GEEN_LEIDINGGEVENDE: Leeg.NIET_BEZET,
    OnbekendeLeidinggevende.EIGEN_LEIDINGGEVENDE: Leeg.WERKNEMER_ZELF,
}


def _van_afdeling(b: Betrokkenen, persoon: str | None) -> str | Leeg:
    if b.medewerker is None or b.medewerker.afdeling_id is None:
        return Leeg.MEDEWERKER_ONBEKEND
    if b.afdeling is None or b.afdeling.afdeling_id != b.medewerker.afdeling_id:
        return Leeg.AFDELING_ONBEKEND
    return persoon if persoon is not None else Leeg.NIET_BEZET


def vul_rol(rol: Ontvangerrol, b: Betrokkenen) -> str | Leeg:
    """The person in `rol` for this werknemer, or why there is none."""
    gevonden: str | Leeg
    match rol:
        case Ontvangerrol.WERKNEMER:
            return b.werknemer_id
        case Ontvangerrol.LEIDINGGEVENDE:
            lg = zoek_leidinggevende(b.medewerker, b.afdeling)
            return lg.id if isinstance(lg, Leidinggevende) else _LEIDINGGEVENDE_LEEG[lg]
        case Ontvangerrol.HR_ADVISEUR:
            gevonden = _van_afdeling(b, b.afdeling.hr_adviseur_id if b.afdeling else None)
            if gevonden is Leeg.NIET_BEZET and rol in b.rolbezetting:
                gevonden = b.rolbezetting[rol]
        case Ontvangerrol.RAYONMANAGER:
            gevonden = _van_afdeling(b, b.afdeling.rayonmanager_id if b.afdeling else None)
            if gevonden is Leeg.NIET_BEZET and rol in b.rolbezetting:
                gevonden = b.rolbezetting[rol]
        case Ontvangerrol.BEGELEIDER:
            gevonden = b.dossier.begeleider_id or Leeg.NIET_BEZET
        case Ontvangerrol.CASEMANAGER:
            gevonden = b.dossier.casemanager_id or b.rolbezetting.get(rol) or Leeg.NIET_BEZET
        case Ontvangerrol.VERZUIMCOACH:
            gevonden = b.dossier.verzuimcoach_id or b.rolbezetting.get(rol) or Leeg.NIET_BEZET
        case Ontvangerrol.BEDRIJFSARTS:
            gevonden = b.dossier.bedrijfsarts_id or b.rolbezetting.get(rol) or Leeg.NIET_BEZET
        case Ontvangerrol.WERKCOACH | Ontvangerrol.TAAKGEDELEGEERDE:
            gevonden = b.rolbezetting.get(rol) or Leeg.NIET_BEZET
    if not isinstance(gevonden, Leeg) and gevonden == b.werknemer_id:
        return Leeg.WERKNEMER_ZELF
    return gevonden


class NogNietBekend(Exception):
    """Personeel data needed to route or deliver may still arrive (the personeel stream can lag): try again later."""


class PersoneelNogNietBekend(NogNietBekend):
    """Who fills a role is not known yet."""

    def __init__(self, werkgever_id: str, werknemer_id: str, rol: Ontvangerrol, reden: Leeg) -> None:
        super().__init__(f"geen {rol.value} voor werknemer {werknemer_id} van werkgever {werkgever_id}: {reden.value}")
        self.werkgever_id = werkgever_id
        self.werknemer_id = werknemer_id
        self.rol = rol
        self.reden = reden


class ContactNogNietBekend(NogNietBekend):
    """A recipient is known by id, but not yet as a medewerker or role holder: their e-mail address may still come."""

    def __init__(self, werkgever_id: str, persoon_ids: Iterable[str]) -> None:
        self.werkgever_id = werkgever_id
        self.persoon_ids = tuple(sorted(persoon_ids))
        super().__init__(
            f"nog geen personeelsgegevens (e-mailadres) van {', '.join(self.persoon_ids)} van werkgever {werkgever_id}"
        )


@dataclass(frozen=True)
class Routeringsgat:
    """A role of the regiemodel nobody filled for this signal; `opgevangen_door` took it over (a role that stands in,
    or the team inbox of the fallback role), or None when nobody did (a message for information is then dropped)."""

    rol: Ontvangerrol
    reden: Leeg
    soort: Soort
    opgevangen_door: str | None


@dataclass(frozen=True)
class Geadresseerde:
    ontvanger: Ontvanger
    soort: Soort
    # The role of the regiemodel this recipient fills (the first one, if they fill several).
    rol: Ontvangerrol
    # Set when the recipient stands in for a role nobody filled: which role, and why it was empty.
    namens: Ontvangerrol | None = None
    reden: Leeg | None = None


@dataclass(frozen=True)
class Routering:
    geadresseerden: tuple[Geadresseerde, ...]
    gaten: tuple[Routeringsgat, ...] = ()


def _een_per_ontvanger(geadresseerden: list[Geadresseerde]) -> tuple[Geadresseerde, ...]:
    """One per person (or team). A direct role beats standing in; a task beats a message."""
    per: dict[str, Geadresseerde] = {}
    for g in geadresseerden:
        eerder = per.get(g.ontvanger.sleutel)
        if eerder is None:
            per[g.ontvanger.sleutel] = g
            continue
        beste = eerder if (eerder.namens is None or g.namens is not None) else g
        soort = Soort.TAAK if Soort.TAAK in (eerder.soort, g.soort) else Soort.BERICHT
        per[g.ontvanger.sleutel] = Geadresseerde(beste.ontvanger, soort, beste.rol, beste.namens, beste.reden)
    return tuple(per.values())


def routeer(
    toewijzingen: tuple[Toewijzing, ...],
    model: Regiemodel,
    betrokkenen: Betrokkenen,
    *,
    werkgever_id: str,
    laatste_poging: bool,
) -> Routering:
    """The recipients of a signal under `model`. Raises PersoneelNogNietBekend while waiting can still help."""
    geadresseerden: list[Geadresseerde] = []
    gaten: list[Routeringsgat] = []
    for toewijzing in toewijzingen:
        eerste_leeg: Leeg | None = None
        lege: list[tuple[Ontvangerrol, Leeg]] = []
        gevonden: tuple[Ontvangerrol, str] | None = None
        for rol in model.terugvalketen(toewijzing.rol):
            persoon = vul_rol(rol, betrokkenen)
            if not isinstance(persoon, Leeg):  # (Leeg is a str too)
                gevonden = (rol, persoon)
                break
            if persoon.kan_nog_komen and not laatste_poging:
                raise PersoneelNogNietBekend(werkgever_id, betrokkenen.werknemer_id, rol, persoon)
            eerste_leeg = eerste_leeg or persoon
            lege.append((rol, persoon))
        if gevonden is not None:
            rol, persoon = gevonden
            namens = toewijzing.rol if rol is not toewijzing.rol else None
            ontvanger = Ontvanger(rol.value, persoon)
            geadresseerden.append(Geadresseerde(ontvanger, toewijzing.soort, rol, namens, eerste_leeg))
            gaten.extend(Routeringsgat(r, reden, toewijzing.soort, ontvanger.sleutel) for r, reden in lege)
            continue
        # Nobody in the chain: a task goes to the team inbox of the fallback role, a message for information lapses.
        opgevangen: str | None = None
        if toewijzing.soort is Soort.TAAK:
            team = Ontvanger(model.fallback_rol.value, None)
            opgevangen = team.sleutel
            geadresseerden.append(
                Geadresseerde(team, Soort.TAAK, toewijzing.rol, toewijzing.rol, eerste_leeg or Leeg.NIET_BEZET)
            )
        gaten.extend(Routeringsgat(r, reden, toewijzing.soort, opgevangen) for r, reden in lege)
    return Routering(_een_per_ontvanger(geadresseerden), tuple(dict.fromkeys(gaten)))


def team_rol(ontvanger: Ontvanger) -> Rol | None:
    return Rol(ontvanger.rol) if ontvanger.id is None else None
