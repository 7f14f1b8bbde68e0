"""The routing matrix: for every preset, which role receives each example signal of the issue, as a task (!) or for
information (?). The signals are routed through the real resolver with every role filled by a different person, so
the table shows people reached, not just rules written. A change to a preset must change this table on purpose."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from verzuim_notifications.domain.personeel import Afdeling, Medewerker
from verzuim_notifications.domain.presets import PRESETS, preset
from verzuim_notifications.domain.regiemodel import Ontvangerrol
from verzuim_notifications.domain.routering import Betrokkenen, DossierBegeleiding, routeer
from verzuim_notifications.domain.signalen import Signaal, SignaalSoort

S = SignaalSoort
R = Ontvangerrol

# Every role filled, each by a person of its own: the person id names the role.
IEDEREEN = Betrokkenen(
    werknemer_id="werknemer",
    medewerker=Medewerker("wg", "werknemer", naam="Anouk", afdeling_id="magazijn", geldig_vanaf=date(2020, 1, 1)),
    afdeling=Afdeling("wg", "magazijn", "Magazijn", "leidinggevende", "hr_adviseur", "rayonmanager", "Zuid", 1),
    dossier=DossierBegeleiding(
        casemanager_id="casemanager",
        verzuimcoach_id="verzuimcoach",
        begeleider_id="begeleider",
        bedrijfsarts_id="bedrijfsarts",
    ),
    rolbezetting={R.TAAKGEDELEGEERDE: "taakgedelegeerde", R.WERKCOACH: "werkcoach"},
)

VOORBEELDEN: dict[str, tuple[S, str | None]] = {
    "ziekmelding": (S.ZIEKMELDING, None),
    "triage complex": (S.TRIAGE_COMPLEX, None),
    "PROBLEEMANALYSE nadert": (S.TERMIJN_NADERT, "PROBLEEMANALYSE"),
    "PLAN_VAN_AANPAK verstreken": (S.TERMIJN_VERSTREKEN, "PLAN_VAN_AANPAK"),
    "UWV_42E_WEEK_MELDING nadert": (S.TERMIJN_NADERT, "UWV_42E_WEEK_MELDING"),
    "werkgerelateerd component": (S.WERKGERELATEERDE_COMPONENT, None),
    "spoor 2": (S.SPOOR_2_GESTART, None),
    "frequent verzuim": (S.FREQUENT_VERZUIM, None),
}

# preset -> signal -> "role! role?" (! a task, ? for information)
MATRIX: dict[str, dict[str, str]] = {
    "model-i": {
        "ziekmelding": "leidinggevende!",
        "triage complex": "casemanager! leidinggevende?",
        "PROBLEEMANALYSE nadert": "bedrijfsarts! leidinggevende!",
        "PLAN_VAN_AANPAK verstreken": "leidinggevende! werknemer! hr_adviseur?",
        "UWV_42E_WEEK_MELDING nadert": "leidinggevende!",
        "werkgerelateerd component": "hr_adviseur! leidinggevende?",
        "spoor 2": "leidinggevende! werknemer?",
        "frequent verzuim": "leidinggevende!",
    },
    "model-ii": {
        "ziekmelding": "leidinggevende! verzuimcoach?",
        "triage complex": "verzuimcoach! leidinggevende?",
        "PROBLEEMANALYSE nadert": "bedrijfsarts! verzuimcoach! leidinggevende?",
        "PLAN_VAN_AANPAK verstreken": "leidinggevende! werknemer! verzuimcoach!",
        "UWV_42E_WEEK_MELDING nadert": "verzuimcoach! leidinggevende?",
        "werkgerelateerd component": "hr_adviseur! verzuimcoach! leidinggevende?",
        "spoor 2": "verzuimcoach! werknemer? leidinggevende?",
        "frequent verzuim": "leidinggevende!",
    },
    "model-iii": {
        "ziekmelding": "leidinggevende! hr_adviseur?",
        "triage complex": "hr_adviseur! leidinggevende?",
        "PROBLEEMANALYSE nadert": "bedrijfsarts! hr_adviseur! leidinggevende?",
        "PLAN_VAN_AANPAK verstreken": "leidinggevende! werknemer! hr_adviseur!",
        "UWV_42E_WEEK_MELDING nadert": "hr_adviseur! leidinggevende?",
        "werkgerelateerd component": "hr_adviseur! leidinggevende?",
        "spoor 2": "hr_adviseur! werknemer? leidinggevende?",
        "frequent verzuim": "leidinggevende!",
    },
    "model-iv": {
        "ziekmelding": "verzuimcoach! leidinggevende?",
        "triage complex": "verzuimcoach! leidinggevende?",
        "PROBLEEMANALYSE nadert": "bedrijfsarts! verzuimcoach!",
        "PLAN_VAN_AANPAK verstreken": "verzuimcoach! werknemer!",
        "UWV_42E_WEEK_MELDING nadert": "verzuimcoach!",
        "werkgerelateerd component": "verzuimcoach! hr_adviseur! leidinggevende!",
        "spoor 2": "verzuimcoach! werknemer?",
        "frequent verzuim": "leidinggevende! verzuimcoach?",
    },
    # seed 000: the leidinggevende is eindverantwoordelijk and acts; the casemanager advises (informed throughout)
    "samen-regie": {
        "ziekmelding": "leidinggevende! werknemer! casemanager? taakgedelegeerde?",
        "triage complex": "leidinggevende! casemanager? taakgedelegeerde?",
        "PROBLEEMANALYSE nadert": "bedrijfsarts! leidinggevende! casemanager? taakgedelegeerde?",
        "PLAN_VAN_AANPAK verstreken": "leidinggevende! werknemer! casemanager?",
        "UWV_42E_WEEK_MELDING nadert": "leidinggevende! casemanager?",
        "werkgerelateerd component": "leidinggevende! casemanager?",
        "spoor 2": "leidinggevende! werknemer? casemanager?",
        "frequent verzuim": "leidinggevende!",
    },
    "verzuim-support": {
        "ziekmelding": "verzuimcoach! leidinggevende!",
        "triage complex": "casemanager! leidinggevende?",
        "PROBLEEMANALYSE nadert": "bedrijfsarts! begeleider!",
        "PLAN_VAN_AANPAK verstreken": "begeleider! werknemer! leidinggevende? rayonmanager?",
        "UWV_42E_WEEK_MELDING nadert": "begeleider!",
        "werkgerelateerd component": "hr_adviseur! rayonmanager! begeleider?",
        "spoor 2": "werkcoach! werknemer? begeleider?",
        "frequent verzuim": "leidinggevende! rayonmanager?",
    },
}


def signaal(soort: S, code: str | None) -> Signaal:
    return Signaal(
        id=uuid4(),
        soort=soort,
        bron_event_id=uuid4(),
        werkgever_id="wg",
        werknemer_id="werknemer",
        dossier_id=uuid4(),
        moment=datetime(2025, 3, 1, 9, tzinfo=UTC),
        datum=date(2025, 3, 1),
        termijn_id=uuid4() if code else None,
        termijncode=code,
    )


def ontvangers(preset_id: str, voorbeeld: str) -> str:
    model = preset(preset_id)
    s = signaal(*VOORBEELDEN[voorbeeld])
    r = routeer(model.toewijzingen(s), model, IEDEREEN, werkgever_id="wg", laatste_poging=False)
    assert r.gaten == ()
    assert all(g.namens is None for g in r.geadresseerden)
    return " ".join(f"{g.ontvanger.id}{'!' if g.soort.value == 'taak' else '?'}" for g in r.geadresseerden)


def test_the_matrix_covers_every_preset_and_every_example_signal() -> None:
    assert set(MATRIX) == set(PRESETS)
    for rij in MATRIX.values():
        assert set(rij) == set(VOORBEELDEN)


@pytest.mark.parametrize("preset_id", list(MATRIX))
@pytest.mark.parametrize("voorbeeld", list(VOORBEELDEN))
def test_who_receives_each_example_signal(preset_id: str, voorbeeld: str) -> None:
    assert ontvangers(preset_id, voorbeeld) == MATRIX[preset_id][voorbeeld]


def test_the_presets_differ_where_the_seeds_do() -> None:
    regievoerders = {p: (preset(p).regievoerder.value, preset(p).procesbewaker.value) for p in PRESETS}
    assert regievoerders == {
        "model-i": ("leidinggevende", "leidinggevende"),
        "model-ii": ("leidinggevende", "verzuimcoach"),
        "model-iii": ("leidinggevende", "hr_adviseur"),
        "model-iv": ("verzuimcoach", "verzuimcoach"),
        "samen-regie": ("leidinggevende", "leidinggevende"),
        "verzuim-support": ("begeleider", "begeleider"),
    }


def test_the_law_is_the_same_in_every_preset() -> None:
    for p in PRESETS:
        m = preset(p)
        pa = m.toewijzingen(signaal(S.TERMIJN_NADERT, "PROBLEEMANALYSE"))
        # Regeling procesgang art. 2: the bedrijfsarts makes the probleemanalyse, in every model.
        assert (R.BEDRIJFSARTS, "taak") in {(t.rol, t.soort.value) for t in pa}, p
        wia = m.toewijzingen(signaal(S.TERMIJN_NADERT, "WIA_AANVRAAG"))
        # WIA art. 64 lid 3: the werknemer applies.
        assert (R.WERKNEMER, "taak") in {(t.rol, t.soort.value) for t in wia}, p
        pva = m.toewijzingen(signaal(S.PLAN_VAN_AANPAK_VASTGESTELD, None))
        # Regeling procesgang art. 4 lid 3: copies to werknemer, casemanager and bedrijfsarts.
        assert {R.WERKNEMER, R.CASEMANAGER, R.BEDRIJFSARTS} <= {t.rol for t in pva}, p


def test_a_termijn_code_without_its_own_rule_follows_the_general_termijn_rule() -> None:
    m = preset("model-iii")
    assert m.toewijzingen(signaal(S.TERMIJN_NADERT, "NIEUWE_TERMIJN")) == m.regels["termijn_nadert"]


def test_in_samen_regie_the_casemanager_advises_and_never_holds_a_task_the_leidinggevende_should() -> None:
    """Seed 000: the leidinggevende "eindverantwoordelijk voor verzuim en re-integratie"; the casemanager
    "ondersteunt proactief, adviseert". Wherever the leidinggevende acts, the casemanager hears of it; he has a task
    only as the dossier's begeleider (a stand-in), never one of the leidinggevende's."""
    m = preset("samen-regie")
    for sleutel, toewijzingen in m.regels.items():
        soorten = {t.rol: t.soort.value for t in toewijzingen}
        assert soorten.get(R.CASEMANAGER) != "taak", sleutel
        if soorten.get(R.LEIDINGGEVENDE) == "taak" and not sleutel.startswith("frequent_verzuim"):
            assert soorten.get(R.CASEMANAGER) == "bericht", sleutel


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_every_exception_of_a_preset_changes_who_gets_the_signal(preset_id: str) -> None:
    """An exception that hands the same roles the same kind of message as the shared rule is dead weight, and reads as
    a decision that was never made."""
    p = PRESETS[preset_id]
    met, zonder = p.regiemodel(), replace(p, uitzonderingen={}).regiemodel()
    for sleutel in p.uitzonderingen:
        assert set(met.regels[sleutel]) != set(zonder.regels[sleutel]), sleutel


def test_in_model_ii_the_verzuimcoach_supports_the_gesprekken() -> None:
    """Seed 002, model II: the verzuimcoach "ondersteunt bij de gesprekken"; the leidinggevende leads them."""
    m = preset("model-ii")
    for code in ("PLAN_VAN_AANPAK", "EVALUATIE", "EERSTEJAARSEVALUATIE"):
        soorten = {t.rol: t.soort.value for t in m.toewijzingen(signaal(S.TERMIJN_NADERT, code))}
        assert soorten[R.LEIDINGGEVENDE] == soorten[R.VERZUIMCOACH] == "taak", code
    # elsewhere he watches the process: the termijnen approaching are his task, the leidinggevende hears of them
    assert ontvangers("model-ii", "UWV_42E_WEEK_MELDING nadert") == "verzuimcoach! leidinggevende?"
