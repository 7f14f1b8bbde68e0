"""The regiemodellen the service ships: models I–IV of the Maatwerk Model "Eigen Regie" (seed 002) and the division
of work of the two organisations in seeds 000 and 004. A werkgever starts from one and changes what it needs.

Each preset is a `Rolverdeling` (who leads, who watches the WvP process, who takes complex cases, spoor 2 and
work-related components) applied to one WvP rule table (`_wvp_regels`), plus the preset's own exceptions. The
comments quote the seed the choice comes from. What the law fixes is the same in every preset: the bedrijfsarts
makes the probleemanalyse (Regeling procesgang art. 2), werkgever and werknemer draw up the plan van aanpak together
(art. 4 lid 1) and both get a copy (art. 4 lid 3), the werknemer applies for WIA (WIA art. 64 lid 3). The regiemodel
only changes *who* does the casemanagement tasks, never removes the bedrijfsarts' steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from verzuim_shared.events import Rol

from verzuim_notifications.domain.regiemodel import (
    Ontvangerrol,
    Regiemodel,
    Soort,
    Toewijzing,
    bericht,
    taak,
)
from verzuim_notifications.domain.signalen import SignaalSoort, sleutel

W = Ontvangerrol.WERKNEMER
LG = Ontvangerrol.LEIDINGGEVENDE
BEGELEIDER = Ontvangerrol.BEGELEIDER
CM = Ontvangerrol.CASEMANAGER
VC = Ontvangerrol.VERZUIMCOACH
WERKCOACH = Ontvangerrol.WERKCOACH
HR = Ontvangerrol.HR_ADVISEUR
RM = Ontvangerrol.RAYONMANAGER
BA = Ontvangerrol.BEDRIJFSARTS
TG = Ontvangerrol.TAAKGEDELEGEERDE

S = SignaalSoort

# The termijn codes of decisions D1–D3 (published by the deadlines service as TermijnEvent.code).
TERMIJNCODES = (
    "ARBODIENST_MELDING",
    "BELAFSPRAAK",
    "PROBLEEMANALYSE",
    "PLAN_VAN_AANPAK",
    "EVALUATIE",
    "UWV_42E_WEEK_MELDING",
    "EERSTEJAARSEVALUATIE",
    "SPOOR_2_START",
    "WACHTTIJD_EINDE",
    "RE_INTEGRATIEVERSLAG",
    "WIA_AANVRAAG",
)


@dataclass(frozen=True)
class Rolverdeling:
    regievoerder: Ontvangerrol  # leads the case: first contact, gesprekken, plan van aanpak, evaluaties
    procesbewaker: Ontvangerrol  # watches the WvP termijnen and the dossier, does the forms (42e week, RIV)
    complex: Ontvangerrol  # takes a case the triage found complex
    spoor_2: Ontvangerrol  # guides re-integration outside the own werkgever
    werkgerelateerd: tuple[Ontvangerrol, ...]  # step in on arbeidsconflict, overplaatsing, contractaanpassing
    escalatie: tuple[Ontvangerrol, ...] = ()  # hear of a missed termijn besides the procesbewaker and regievoerder
    # Informed of every step the regievoerder or procesbewaker has to take, to advise and nudge (seed 000's
    # casemanager); not of frequent verzuim, the leidinggevende's own gesprek about functioneren.
    adviseur: Ontvangerrol | None = None


Regels = dict[str, tuple[Toewijzing, ...]]


def _uniek(*groepen: tuple[Toewijzing, ...]) -> tuple[Toewijzing, ...]:
    """One assignment per role, in order of appearance; a task wins over a message for the same role."""
    per_rol: dict[Ontvangerrol, Toewijzing] = {}
    for toewijzing in (t for groep in groepen for t in groep):
        eerder = per_rol.get(toewijzing.rol)
        if eerder is None or (eerder.soort is Soort.BERICHT and toewijzing.soort is Soort.TAAK):
            per_rol[toewijzing.rol] = toewijzing if eerder is None else Toewijzing(toewijzing.rol, Soort.TAAK)
    return tuple(per_rol.values())


def _wvp_regels(rv: Rolverdeling) -> Regels:
    """The rule table every preset shares, in terms of the preset's rolverdeling."""
    r, p = rv.regievoerder, rv.procesbewaker
    nadert: dict[str, tuple[Toewijzing, ...]] = {
        # Regeling procesgang art. 2 lid 1: the werkgever informs the arbodienst/bedrijfsarts in time.
        "ARBODIENST_MELDING": taak(p),
        # Seed 004 (Proces – Ziekmelding): herstelafspraak, otherwise a belafspraak within 10 werkdagen (D2).
        "BELAFSPRAAK": _uniek(taak(r), bericht(p)),
        # Regeling procesgang art. 2 lid 2–3: the bedrijfsarts makes the probleemanalyse (not delegable, NVAB);
        # the procesbewaker sees to it that the spreekuur is planned.
        "PROBLEEMANALYSE": _uniek(taak(BA, p), bericht(r)),
        # Regeling procesgang art. 4 lid 1: werkgever and werknemer draw up the plan van aanpak together.
        "PLAN_VAN_AANPAK": _uniek(taak(r, W), bericht(p)),
        "EVALUATIE": _uniek(taak(r), bericht(W, p)),
        # Ziektewet art. 38 lid 1: the werkgever reports to UWV in week 42.
        "UWV_42E_WEEK_MELDING": _uniek(taak(p), bericht(r)),
        # Regeling procesgang art. 4 lid 2 sub b: evaluation at least at the end of the first year.
        "EERSTEJAARSEVALUATIE": _uniek(taak(r, W), bericht(p)),
        # BW 7:658a lid 1: spoor 2 at the latest 6 weeks after the eerstejaarsevaluatie without spoor-1 prospect.
        "SPOOR_2_START": _uniek(taak(p), bericht(rv.spoor_2, r)),
        "WACHTTIJD_EINDE": _uniek(bericht(p, r)),
        # WIA art. 25 lid 3: the werkgever draws up the re-integratieverslag with the werknemer.
        "RE_INTEGRATIEVERSLAG": _uniek(taak(p), bericht(W)),
        # WIA art. 64 lid 3: the werknemer applies for WIA; the werkgever watches that it happens.
        "WIA_AANVRAAG": _uniek(taak(W, p)),
    }
    regels: Regels = {
        # The regievoerder contacts the werknemer the same day; the leidinggevende always hears of it.
        sleutel(S.ZIEKMELDING): _uniek(taak(r), bericht(p, LG)),
        sleutel(S.TRIAGE_COMPLEX): _uniek(taak(rv.complex), bericht(r, LG)),
        sleutel(S.TRIAGE_REGULIER): _uniek(bericht(r, LG)),
        sleutel(S.BEGELEIDER_TOEGEWEZEN): _uniek(taak(BEGELEIDER), bericht(W, LG)),
        sleutel(S.SPREEKUUR_GEPLAND): _uniek(taak(W), bericht(r)),
        # Regeling procesgang art. 4 lid 1: the plan van aanpak within two weeks after the probleemanalyse.
        sleutel(S.PROBLEEMANALYSE_ONTVANGEN): _uniek(taak(r, W), bericht(p)),
        # Regeling procesgang art. 4 lid 3: a copy to the werknemer, the casemanager and the bedrijfsarts.
        sleutel(S.PLAN_VAN_AANPAK_VASTGESTELD): _uniek(bericht(W, CM, BA, p)),
        sleutel(S.OPBOUWSCHEMA_VASTGESTELD): _uniek(bericht(W, LG, r)),
        sleutel(S.WERKGERELATEERDE_COMPONENT): _uniek(taak(*rv.werkgerelateerd), bericht(r)),
        sleutel(S.SPOOR_2_GESTART): _uniek(taak(rv.spoor_2), bericht(W, r, p)),
        sleutel(S.HERSTEL): _uniek(bericht(r, p, LG)),
        sleutel(S.DOSSIER_GESLOTEN): _uniek(bericht(p, r)),
        # The task comes with `nadert` (7 days before, D7); planning a termijn asks nothing of anybody yet.
        sleutel(S.TERMIJN_GEPLAND): (),
        sleutel(S.TERMIJN_GEWIJZIGD): _uniek(bericht(p, r)),
        sleutel(S.TERMIJN_NADERT): taak(p),
        sleutel(S.TERMIJN_VERSTREKEN): _uniek(taak(p, r), bericht(*rv.escalatie)),
        # Decisions D8; the leidinggevende holds the frequent-verzuim gesprek (seed 004, "Leidinggevende op
        # locatie: voeren van frequent verzuim gesprekken"), in every model: it is about functioneren too.
        sleutel(S.FREQUENT_VERZUIM): _uniek(taak(LG), bericht(r)),
        sleutel(S.FREQUENT_VERZUIM_VROEG): bericht(LG),
    }
    for code, toewijzingen in nadert.items():
        regels[sleutel(S.TERMIJN_NADERT, code)] = toewijzingen
        regels[sleutel(S.TERMIJN_VERSTREKEN, code)] = _verstreken(code, toewijzingen, rv)
    return regels


def _verstreken(code: str, nadert: tuple[Toewijzing, ...], rv: Rolverdeling) -> tuple[Toewijzing, ...]:
    """A missed termijn: whoever had a task still has it, the procesbewaker and regievoerder must act now, whoever
    was informed is informed again, and the escalation roles hear of it."""
    if code == "WACHTTIJD_EINDE":
        return nadert  # the end of the wachttijd is not "missed"
    taken = tuple(t for t in nadert if t.soort is Soort.TAAK)
    overig = tuple(t for t in nadert if t.soort is Soort.BERICHT)
    return _uniek(taken, taak(rv.procesbewaker, rv.regievoerder), overig, bericht(*rv.escalatie))


def _met_adviseur(regels: Regels, rv: Rolverdeling) -> Regels:
    """The adviseur hears of every signal on which the regievoerder or procesbewaker has a task."""
    assert rv.adviseur is not None
    leidend = {rv.regievoerder, rv.procesbewaker}
    eigen = {sleutel(S.FREQUENT_VERZUIM), sleutel(S.FREQUENT_VERZUIM_VROEG)}
    return {
        k: _uniek(v, bericht(rv.adviseur))
        if k not in eigen and any(t.soort is Soort.TAAK and t.rol in leidend for t in v)
        else v
        for k, v in regels.items()
    }


@dataclass(frozen=True)
class Preset:
    id: str
    naam: str
    bron: str  # the seed it follows
    rolverdeling: Rolverdeling
    uitzonderingen: Mapping[str, tuple[Toewijzing, ...]] = field(default_factory=dict)
    terugval: Mapping[Ontvangerrol, Ontvangerrol] = field(default_factory=dict)

    def regiemodel(self) -> Regiemodel:
        regels = _wvp_regels(self.rolverdeling)
        regels.update(self.uitzonderingen)
        # A preset's own `nadert` rule also shapes its `verstreken` rule, unless it sets that one itself.
        for code in TERMIJNCODES:
            nadert, verstreken = sleutel(S.TERMIJN_NADERT, code), sleutel(S.TERMIJN_VERSTREKEN, code)
            if nadert in self.uitzonderingen and verstreken not in self.uitzonderingen:
                regels[verstreken] = _verstreken(code, regels[nadert], self.rolverdeling)
        if self.rolverdeling.adviseur is not None:
            regels = _met_adviseur(regels, self.rolverdeling)
        return Regiemodel(
            basis=self.id,
            omschrijving=f"{self.naam} ({self.bron})",
            regievoerder=self.rolverdeling.regievoerder,
            procesbewaker=self.rolverdeling.procesbewaker,
            regels=regels,
            terugval=dict(self.terugval),
            fallback_rol=Rol.HR,
        )


MODEL_I = Preset(
    id="model-i",
    naam="Model I: de leidinggevende is regievoerder en verzuimcoach",
    bron="seed 002, Maatwerk Model 'Eigen Regie', model I",
    # "Leidinggevende is regievoerder en volgt proces Wet verbetering Poortwachter en heeft ook de rol van
    # verzuimcoach en inzetbaarheidsspecialist. Leidinggevende 100% verantwoordelijk."
    # "Verzuimspecialist/inzetbaarheidsspecialist (intern/extern) voor de extreme situaties waar expertise vereist
    # is": the casemanager, for a complex case. "HR faciliterend en ondersteunend op beleid en bij functioneren":
    # the HR adviser on work-related components and when a termijn is missed.
    rolverdeling=Rolverdeling(
        regievoerder=LG, procesbewaker=LG, complex=CM, spoor_2=LG, werkgerelateerd=(HR,), escalatie=(HR,)
    ),
    # Without a specialist, a verzuimcoach or a bedrijfsarts in the system the leidinggevende, 100% responsible,
    # takes the task (and arranges the bedrijfsarts).
    terugval={CM: LG, VC: LG, BEGELEIDER: CM, BA: LG, TG: BA},
)

MODEL_II = Preset(
    id="model-ii",
    naam="Model II: de leidinggevende is regievoerder, een verzuimcoach bewaakt het proces",
    bron="seed 002, Maatwerk Model 'Eigen Regie', model II",
    # "Leidinggevenden is regievoerder en alleen verantwoordelijk voor inhoudelijke verzuimbegeleiding (proces WvP
    # en vormgeven en uitvoeren Plan van aanpak). Verzuimcoach/inzetbaarheidsspecialist intern/extern bewaakt
    # proces Wet Verbetering Poortwachter en stuurt bij op inhoud en compleetheid dossier en ondersteunt bij de
    # gesprekken" and "is de expert op het gebied van sociale zekerheid en arbeidsrecht": complex cases, spoor 2
    # and, with HR ("faciliterend en ondersteunend ... bij functioneren"), work-related components.
    rolverdeling=Rolverdeling(
        regievoerder=LG, procesbewaker=VC, complex=VC, spoor_2=VC, werkgerelateerd=(HR, VC), escalatie=()
    ),
    uitzonderingen={
        # The verzuimcoach "ondersteunt bij de gesprekken": the WvP moments that are a gesprek of leidinggevende and
        # werknemer (drawing up the plan van aanpak, evaluating it, the eerstejaarsevaluatie) are a task for him too,
        # not just news; the leidinggevende leads them ("vormgeven en uitvoeren Plan van aanpak").
        sleutel(S.TERMIJN_NADERT, "PLAN_VAN_AANPAK"): _uniek(taak(LG, W, VC)),
        sleutel(S.TERMIJN_NADERT, "EVALUATIE"): _uniek(taak(LG, VC), bericht(W)),
        sleutel(S.TERMIJN_NADERT, "EERSTEJAARSEVALUATIE"): _uniek(taak(LG, W, VC)),
    },
    terugval={BEGELEIDER: VC, CM: VC, BA: VC, TG: BA},
)

MODEL_III = Preset(
    id="model-iii",
    naam="Model III: de leidinggevende is regievoerder, HR bewaakt het proces",
    bron="seed 002, Maatwerk Model 'Eigen Regie', model III",
    # "Leidinggevenden is regievoerder en alleen verantwoordelijk voor inhoudelijke verzuimbegeleiding (proces WvP en
    # uitvoering plan van aanpak). HR adviseurs/HR medewerker verantwoordelijk voor het bewaken proces Wet
    # Verbetering Poortwachter en sturen bij op inhoud en compleetheid verzuimdossier. HR adviseur/P&O als de expert
    # op het gebied van sociale zekerheid en arbeidsrecht en het gedragsmodel."
    rolverdeling=Rolverdeling(
        regievoerder=LG, procesbewaker=HR, complex=HR, spoor_2=HR, werkgerelateerd=(HR,), escalatie=()
    ),
    terugval={BEGELEIDER: HR, CM: HR, VC: HR, BA: HR, TG: BA},
)

MODEL_IV = Preset(
    id="model-iv",
    naam="Model IV: een interne verzuimcoach begeleidt all-in",
    bron="seed 002, Maatwerk Model 'Eigen Regie', model IV",
    # "Leidinggevenden is geen regievoerder alleen verantwoordelijk functioneren. Interne verzuimcoach/
    # inzetbaarheidsspecialist is de expert ... en verantwoordelijk voor verzuimbegeleiding all-in. HR adviseur alleen
    # beleid en functioneren HR aangelegenheden. Verzuimcoach/inzetbaarheidsspecialist werken nauw samen met HR/P&O."
    # Work-related components touch functioneren: the verzuimcoach with the HR adviser and the leidinggevende.
    rolverdeling=Rolverdeling(
        regievoerder=VC, procesbewaker=VC, complex=VC, spoor_2=VC, werkgerelateerd=(VC, HR, LG), escalatie=()
    ),
    terugval={BEGELEIDER: VC, CM: VC, BA: VC, TG: BA},
)

SAMEN_REGIE = Preset(
    id="samen-regie",
    naam="Medewerker en leidinggevende samen aan zet, casemanager adviseert",
    bron="seed 000, visie op verzuim, vitaliteit en duurzame inzetbaarheid",
    # "Medewerker en leidinggevende voeren samen het regiegesprek. Casemanager, taakgedelegeerde en (bedrijfs)arts
    # ondersteunen adviserend en proactief, waarbij medische expertise extern is belegd." "Medewerker en
    # leidinggevende hebben de lead, expertises zijn adviserend en ondersteunend."
    # Leidinggevende: "Eindverantwoordelijk voor verzuim en re-integratie van medewerkers, voert gesprekken,
    # stimuleert inzetbaarheid en pakt signalen op": he has the tasks, a complex case and spoor 2 included, and
    # watches the termijnen ("de leidinggevende regie voert, de casemanager adviseert").
    # Casemanager: "Ondersteunt proactief, adviseert en stuurt bij voordat problemen escaleren, samenwerkend met de
    # leidinggevende": informed of every step the leidinggevende has to take, and of a missed termijn.
    rolverdeling=Rolverdeling(
        regievoerder=LG,
        procesbewaker=LG,
        complex=LG,
        spoor_2=LG,
        werkgerelateerd=(LG,),
        escalatie=(CM,),
        adviseur=CM,
    ),
    uitzonderingen={
        # "Medewerker en leidinggevende hebben de lead" and "leidinggevende, casemanager en taakgedelegeerde vanaf
        # week 1 actief betrokken om door vroeg contact en gerichte ondersteuning langdurig verzuim te voorkomen".
        sleutel(S.ZIEKMELDING): _uniek(taak(LG, W), bericht(CM, TG)),
        # "De taakgedelegeerde werkt als verlengde arm van de bedrijfsarts en is snel en laagdrempelig inzetbaar."
        sleutel(S.TRIAGE_COMPLEX): _uniek(taak(LG), bericht(CM, TG)),
        sleutel(S.TERMIJN_NADERT, "PROBLEEMANALYSE"): _uniek(taak(BA, LG), bericht(CM, TG)),
        # "Het goede gesprek staat centraal": the werknemer is asked to every evaluation too.
        sleutel(S.TERMIJN_NADERT, "EVALUATIE"): _uniek(taak(LG, W), bericht(CM)),
    },
    # Medical expertise is external: without a taakgedelegeerde the bedrijfsarts; without a bedrijfsarts the
    # leidinggevende, who is eindverantwoordelijk, arranges one; a casemanager's part falls to him too.
    terugval={TG: BA, BA: LG, BEGELEIDER: CM, VC: CM, CM: LG},
)

VERZUIM_SUPPORT = Preset(
    id="verzuim-support",
    naam="Afdeling Verzuim Support: verzuimcoach, casemanager en werkcoach",
    bron="seed 004, Training Verzuim deel 1",
    # "Verzuim Coach bepaalt vanaf eerste ziektedag route in een dossier ... en is verantwoordelijk voor een tijdige
    # en volledige uitvoering van de WvP." "Casemanager bepaalt de route in complexe dossiers ... en is
    # verantwoordelijk voor tijdige en volledige uitvoering WvP." So the dossier's begeleider (verzuimcoach, or the
    # casemanager after triage complex) leads and watches. "Werkcoach Spoor 2 begeleidt de medewerker ... naar ander
    # werk." "De HR adviseur en Rayonmanager: actief betrokken bij dossiers met een werkgerelateerd component:
    # arbeidsconflict, overplaatsing, contractaanpassing." "Rayonmanager overziet lopende verzuimdossiers in eigen
    # gebied": he hears of a missed termijn.
    rolverdeling=Rolverdeling(
        regievoerder=BEGELEIDER,
        procesbewaker=BEGELEIDER,
        complex=CM,
        spoor_2=WERKCOACH,
        werkgerelateerd=(HR, RM),
        escalatie=(RM,),
    ),
    # The rolverdeling already gives Verzuim Support "Inplannen Bedrijfsarts & formuleren vraagstelling" and "Alle WvP
    # momenten en formulieren" (the begeleider with the bedrijfsarts on the probleemanalyse, the begeleider on the
    # start of spoor 2 with the werkcoach informed), the werkcoach spoor 2 and "opbouwschema's via MijnEW naar LG".
    uitzonderingen={
        # "Vóór 9:00 uur bij de leidinggevende, vóór 10:00 uur bij de afdeling Verzuim Support"; "Verzuim Coach start
        # triage om direct maximale regie te pakken"; the leidinggevende "tijdens ziekte contact houden met
        # medewerker".
        sleutel(S.ZIEKMELDING): _uniek(taak(VC, LG)),
        # "Complex: inzet casemanagement vanaf dag 1 (ambulant)".
        sleutel(S.TRIAGE_COMPLEX): _uniek(taak(CM), bericht(LG)),
        sleutel(S.TRIAGE_REGULIER): _uniek(bericht(LG)),
        # "Afspraken met leidinggevende lopen parallel aan afspraken Verzuim Support".
        sleutel(S.TERMIJN_NADERT, "BELAFSPRAAK"): _uniek(taak(LG), bericht(BEGELEIDER)),
        sleutel(S.TERMIJN_NADERT, "PLAN_VAN_AANPAK"): _uniek(taak(BEGELEIDER, W), bericht(LG)),
        sleutel(S.TERMIJN_NADERT, "EVALUATIE"): _uniek(taak(BEGELEIDER), bericht(W, LG)),
        # "Leidinggevende op locatie: ... Voeren van frequent verzuim gesprekken".
        sleutel(S.FREQUENT_VERZUIM): _uniek(taak(LG), bericht(RM)),
    },
    # The Verzuim Support desk (the werkgever's verzuimcoach in the rolbezetting) takes what has no begeleider yet.
    terugval={BEGELEIDER: VC, CM: VC, WERKCOACH: BEGELEIDER, RM: HR, BA: BEGELEIDER, TG: BA},
)

PRESETS: dict[str, Preset] = {p.id: p for p in (MODEL_I, MODEL_II, MODEL_III, MODEL_IV, SAMEN_REGIE, VERZUIM_SUPPORT)}


def preset(preset_id: str) -> Regiemodel:
    try:
        return PRESETS[preset_id].regiemodel()
    except KeyError:
        raise ValueError(f"onbekend regiemodel {preset_id!r}; kies uit: {', '.join(PRESETS)}") from None
