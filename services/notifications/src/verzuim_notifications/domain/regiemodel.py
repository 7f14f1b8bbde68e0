"""The regiemodel: a werkgever's routing table (which role gets which signal, as a task or for information), the
roles that stand in when a role is not filled, and the frequent-verzuim rule. It is versioned: every change is a new
version with the moment from which it applies, so the model that routed any signal can always be looked up.

Pure: value objects, validation, the choice of the version in force, and the JSON form the store keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from verzuim_shared.events import Rol

from verzuim_notifications.domain.signalen import Signaal, lees_sleutel


class Ontvangerrol(StrEnum):
    """Who can receive a signal. Each is filled from the personeel data, the dossier or the rolbezetting
    (see ontvangers.py). Not the same as the login role (`Rol`): a rayonmanager logs in as leidinggevende."""

    WERKNEMER = "werknemer"
    LEIDINGGEVENDE = "leidinggevende"
    # The casemanager or verzuimcoach assigned to the dossier last (BegeleiderToegewezen), whichever it is.
    BEGELEIDER = "begeleider"
    CASEMANAGER = "casemanager"
    VERZUIMCOACH = "verzuimcoach"
    WERKCOACH = "werkcoach"  # spoor 2 (seed 004)
    HR_ADVISEUR = "hr_adviseur"
    RAYONMANAGER = "rayonmanager"
    BEDRIJFSARTS = "bedrijfsarts"
    TAAKGEDELEGEERDE = "taakgedelegeerde"


class Soort(StrEnum):
    TAAK = "taak"  # the recipient has to act, by the deadline in the message
    BERICHT = "bericht"  # for information; nobody waits for the recipient


@dataclass(frozen=True)
class Toewijzing:
    rol: Ontvangerrol
    soort: Soort = Soort.TAAK


def taak(*rollen: Ontvangerrol) -> tuple[Toewijzing, ...]:
    return tuple(Toewijzing(r, Soort.TAAK) for r in rollen)


def bericht(*rollen: Ontvangerrol) -> tuple[Toewijzing, ...]:
    return tuple(Toewijzing(r, Soort.BERICHT) for r in rollen)


@dataclass(frozen=True)
class FrequentVerzuimInstelling:
    """Decisions D8: frequent verzuim = `drempel` or more meldingen within a rolling `venster_dagen`, counting the new
    one. `vroeg_signaal`: also signal at the melding before the threshold (the 2nd with the defaults)."""

    drempel: int = 3
    venster_dagen: int = 365
    vroeg_signaal: bool = False
    # The frequent-verzuim gesprek is due this many days after the melding that triggered it.
    gesprek_binnen_dagen: int = 14

    def __post_init__(self) -> None:
        if self.drempel < 2:
            raise ValueError("de drempel voor frequent verzuim is minstens 2 meldingen")
        if not 1 <= self.venster_dagen <= 3660:
            raise ValueError("het venster voor frequent verzuim is 1 tot 3660 dagen")
        if not 0 <= self.gesprek_binnen_dagen <= 365:
            raise ValueError("gesprek_binnen_dagen is 0 tot 365 dagen")


# Login roles a team inbox can be addressed to (a task nobody fills goes there). Not auditor/systeem: they never act.
TEAM_ROLLEN = frozenset(Rol) - {Rol.AUDITOR, Rol.SYSTEEM}


@dataclass(frozen=True)
class Regiemodel:
    basis: str  # the preset it was built from
    omschrijving: str
    # Who leads the case and who watches the WvP process: what the seed says, shown next to the table.
    regievoerder: Ontvangerrol
    procesbewaker: Ontvangerrol
    regels: Mapping[str, tuple[Toewijzing, ...]]
    # Who stands in when a role is not filled (casemanager -> verzuimcoach -> ...); a task nobody can take goes to
    # the team inbox of `fallback_rol`.
    terugval: Mapping[Ontvangerrol, Ontvangerrol] = field(default_factory=dict)
    fallback_rol: Rol = Rol.HR
    frequent_verzuim: FrequentVerzuimInstelling = field(default_factory=FrequentVerzuimInstelling)
    # Which parts were changed relative to the preset (for people reading the history).
    aangepast: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for sleutel_tekst in self.regels:
            lees_sleutel(sleutel_tekst)
        for van, naar in self.terugval.items():
            if van is naar:
                raise ValueError(f"de terugval van {van.value} kan niet {van.value} zelf zijn")
        if self.fallback_rol not in TEAM_ROLLEN:
            raise ValueError(f"de fallback-rol {self.fallback_rol.value} kan geen taken oppakken")

    def toewijzingen(self, signaal: Signaal) -> tuple[Toewijzing, ...]:
        """The roles for a signal: the rule of its most specific key; no rule means nobody."""
        for s in signaal.sleutels:
            if s in self.regels:
                return self.regels[s]
        return ()

    def terugvalketen(self, rol: Ontvangerrol) -> list[Ontvangerrol]:
        """`rol` and the roles that stand in for it, in order, each once."""
        keten = [rol]
        while (volgende := self.terugval.get(keten[-1])) is not None and volgende not in keten:
            keten.append(volgende)
        return keten


def pas_aan(
    model: Regiemodel,
    *,
    regels: Mapping[str, Sequence[Toewijzing]] | None = None,
    terugval: Mapping[Ontvangerrol, Ontvangerrol | None] | None = None,
    fallback_rol: Rol | None = None,
    frequent_verzuim: FrequentVerzuimInstelling | None = None,
) -> Regiemodel:
    """A preset with changes: a rule given here replaces the preset's rule for that key (an empty list routes the
    signal to nobody); a terugval of None removes the preset's one."""
    aangepast = list(model.aangepast)
    nieuwe_regels = dict(model.regels)
    for s, toewijzingen in (regels or {}).items():
        nieuwe_regels[s] = tuple(toewijzingen)
        aangepast.append(f"regels.{s}")
    nieuwe_terugval = dict(model.terugval)
    for van, naar in (terugval or {}).items():
        if naar is None:
            nieuwe_terugval.pop(van, None)
        else:
            nieuwe_terugval[van] = naar
        aangepast.append(f"terugval.{van.value}")
    if fallback_rol is not None and fallback_rol is not model.fallback_rol:
        aangepast.append("fallback_rol")
    if frequent_verzuim is not None and frequent_verzuim != model.frequent_verzuim:
        aangepast.append("frequent_verzuim")
    return replace(
        model,
        regels=nieuwe_regels,
        terugval=nieuwe_terugval,
        fallback_rol=fallback_rol or model.fallback_rol,
        frequent_verzuim=frequent_verzuim or model.frequent_verzuim,
        aangepast=tuple(dict.fromkeys(aangepast)),
    )


# ------------------------------------------------------------------------------------------------- versions


@dataclass(frozen=True)
class RegiemodelVersie:
    """One change of the model of a werkgever (afdeling_id None) or of one afdeling. `model` None: the afdeling
    follows the werkgever's model again."""

    werkgever_id: str
    afdeling_id: str | None
    versie: int
    geldig_vanaf: datetime
    model: Regiemodel | None
    geregistreerd_op: datetime
    actor_id: str
    actor_rol: str
    reden: str | None = None


class TerugwerkendeKracht(ValueError):
    """A change cannot apply before the moment it is made: signals routed since then followed the model that was in
    force, and the history must keep saying so."""


class VersieConflict(Exception):
    def __init__(self, verwacht: int, huidig: int) -> None:
        super().__init__(f"verwachte versie {verwacht}, maar de huidige versie is {huidig}")
        self.verwacht = verwacht
        self.huidig = huidig


def controleer_nieuwe_versie(
    huidige_versie: int, *, verwachte_versie: int | None, geldig_vanaf: datetime, nu: datetime
) -> int:
    """The number of the next version; raises for a stale expected version or a change with retroactive effect."""
    if verwachte_versie is not None and verwachte_versie != huidige_versie:
        raise VersieConflict(verwachte_versie, huidige_versie)
    if geldig_vanaf < nu:
        raise TerugwerkendeKracht(
            f"een wijziging kan niet terugwerken: geldig_vanaf {geldig_vanaf.isoformat()} ligt voor nu "
            f"({nu.isoformat()}); signalen sinds dan zijn gerouteerd met het model dat toen gold"
        )
    return huidige_versie + 1


def geldend_op(versies: Iterable[RegiemodelVersie], moment: datetime) -> RegiemodelVersie | None:
    """The version in force at `moment`: the latest geldig_vanaf at or before it; of two with the same moment the
    later version (it replaced the other before it applied)."""
    kandidaten = [v for v in versies if v.geldig_vanaf <= moment]
    return max(kandidaten, key=lambda v: (v.geldig_vanaf, v.versie), default=None)


def geldig_tot(versies: Sequence[RegiemodelVersie]) -> dict[int, datetime | None]:
    """Per version the moment another version took over (None: still in force or planned). A version replaced
    before its geldig_vanaf never applied: it maps to its own geldig_vanaf."""
    volgorde = sorted(versies, key=lambda v: (v.geldig_vanaf, v.versie))
    tot: dict[int, datetime | None] = {}
    for i, v in enumerate(volgorde):
        tot[v.versie] = volgorde[i + 1].geldig_vanaf if i + 1 < len(volgorde) else None
    return tot


# ------------------------------------------------------------------------------------------------- JSON form


def toewijzingen_naar_json(toewijzingen: Iterable[Toewijzing]) -> list[dict[str, str]]:
    return [{"rol": t.rol.value, "soort": t.soort.value} for t in toewijzingen]


def model_naar_json(model: Regiemodel) -> dict[str, Any]:
    return {
        "basis": model.basis,
        "omschrijving": model.omschrijving,
        "regievoerder": model.regievoerder.value,
        "procesbewaker": model.procesbewaker.value,
        "regels": {s: toewijzingen_naar_json(t) for s, t in sorted(model.regels.items())},
        "terugval": {van.value: naar.value for van, naar in sorted(model.terugval.items())},
        "fallback_rol": model.fallback_rol.value,
        "frequent_verzuim": {
            "drempel": model.frequent_verzuim.drempel,
            "venster_dagen": model.frequent_verzuim.venster_dagen,
            "vroeg_signaal": model.frequent_verzuim.vroeg_signaal,
            "gesprek_binnen_dagen": model.frequent_verzuim.gesprek_binnen_dagen,
        },
        "aangepast": list(model.aangepast),
    }


def model_uit_json(data: Mapping[str, Any]) -> Regiemodel:
    return Regiemodel(
        basis=data["basis"],
        omschrijving=data["omschrijving"],
        regievoerder=Ontvangerrol(data["regievoerder"]),
        procesbewaker=Ontvangerrol(data["procesbewaker"]),
        regels={
            s: tuple(Toewijzing(Ontvangerrol(t["rol"]), Soort(t["soort"])) for t in toewijzingen)
            for s, toewijzingen in data["regels"].items()
        },
        terugval={Ontvangerrol(van): Ontvangerrol(naar) for van, naar in data["terugval"].items()},
        fallback_rol=Rol(data["fallback_rol"]),
        frequent_verzuim=FrequentVerzuimInstelling(**data["frequent_verzuim"]),
        aangepast=tuple(data.get("aangepast", ())),
    )
