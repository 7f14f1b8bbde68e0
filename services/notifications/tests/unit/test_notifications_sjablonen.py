"""The Dutch messages: who, when, what to do and by when, the links, and never anything medical."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from verzuim_notifications.adapters.sjablonen import Sjablonen, datum, tijd
from verzuim_notifications.domain.berichten import inhoud_voor
from verzuim_notifications.domain.regiemodel import FrequentVerzuimInstelling, Ontvangerrol, Soort
from verzuim_notifications.domain.routering import Geadresseerde, Leeg, Ontvanger
from verzuim_notifications.domain.signalen import Signaal, SignaalSoort, signaal_uit
from verzuim_shared.events import Actor, DossierGeopend, Rol
from verzuim_shared.events.dossier import (
    BegeleiderRol,
    BegeleiderToegewezen,
    ContactmomentVastgelegd,
    ProbleemanalyseOntvangen,
    TriageUitgevoerd,
)
from verzuim_shared.events.termijn import TermijnNadert

DOSSIER = UUID("7b2f1c9e-3d4a-4b5c-8d6e-9f0a1b2c3d4e")
CASES, DEADLINES = "http://cases.example/", "http://deadlines.example"

# Words that would put medical content on the employer side (decisions D9).
MEDISCH = re.compile(
    r"diagnose|symptom|klacht|medic|medisch|behandel|aandoening|oorzaak|ziektebeeld|griep|burn-?out|pijn|therapie",
    re.IGNORECASE,
)


def basis() -> dict[str, Any]:
    return {
        "event_id": uuid4(),
        "werkgever_id": "wg-1",
        "geregistreerd_op": datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        "actor": Actor(id="hr-1", rol=Rol.HR),
    }


def geopend(**kwargs: Any) -> DossierGeopend:
    waarden: dict[str, Any] = {
        **basis(),
        "dossier_id": DOSSIER,
        "versie": 1,
        "werknemer_id": "wn-1",
        "melding_id": uuid4(),
        "eerste_ziektedag": date(2025, 1, 6),
        "gemeld_op": datetime(2025, 1, 6, 7, 30, tzinfo=UTC),  # 08:30 in the Netherlands
    }
    waarden.update(kwargs)
    return DossierGeopend(**waarden)


def nadert(code: str = "PROBLEEMANALYSE") -> TermijnNadert:
    return TermijnNadert(
        **basis(),
        termijn_id=UUID("00000000-0000-4000-8000-000000000001"),
        dossier_id=DOSSIER,
        werknemer_id="wn-1",
        code=code,
        vervaldatum=date(2025, 2, 17),
        grondslag="Regeling procesgang art. 2 lid 2",
        afleiding="ziektedag 43 = E + 42",
        dagen_resterend=7,
    )


def render(
    signaal: Signaal,
    rol: Ontvangerrol = Ontvangerrol.LEIDINGGEVENDE,
    *,
    soort: Soort = Soort.TAAK,
    persoon: str | None = "lg-1",
    namens: Ontvangerrol | None = None,
    reden: Leeg | None = None,
    naam: str | None = "Anouk de Vries",
) -> tuple[str, str]:
    ontvanger = Ontvanger(rol.value if persoon else "hr", persoon)
    inhoud = inhoud_voor(
        signaal,
        Geadresseerde(ontvanger, soort, rol, namens, reden),
        naam_werknemer=naam,
        frequent=FrequentVerzuimInstelling(),
        public_url_cases=CASES,
        public_url_deadlines=DEADLINES,
    )
    tekst = SJABLONEN.bericht(inhoud)
    return tekst.titel, tekst.tekst


SJABLONEN = Sjablonen()


def sig(event: Any) -> Signaal:
    s = signaal_uit(event)
    assert s is not None
    return s


def test_dates_and_times_are_dutch() -> None:
    assert datum(date(2025, 1, 6)) == "maandag 6 januari 2025"
    assert datum(date(2025, 12, 28)) == "zondag 28 december 2025"
    # 23:30 UTC on 5 May is already 6 May in the Netherlands
    assert datum(datetime(2025, 5, 5, 23, 30, tzinfo=UTC)) == "dinsdag 6 mei 2025"
    assert tijd(datetime(2025, 7, 1, 6, 5, tzinfo=UTC)) == "08:05"


def test_the_ziekmelding_says_who_when_what_to_do_by_when_and_where_the_dossier_is() -> None:
    titel, tekst = render(sig(geopend()))
    assert titel == "Ziekmelding van Anouk de Vries"
    assert tekst.startswith(
        "Anouk de Vries heeft zich ziek gemeld op maandag 6 januari 2025 om 08:30. "
        "De eerste ziektedag is maandag 6 januari 2025."
    )
    assert "Wat nu te doen (uiterlijk maandag 6 januari 2025):" in tekst
    assert "Neem dezelfde dag (maandag 6 januari 2025) contact op met Anouk de Vries." in tekst
    assert "maak dan een belafspraak binnen 10 werkdagen" in tekst
    assert tekst.endswith(f"Het verzuimdossier: http://cases.example/v1/dossiers/{DOSSIER}")
    assert "geen leidinggevende" not in tekst
    assert "{" not in tekst and "}" not in tekst


def test_a_herstelafspraak_already_made_is_shown_instead_of_asking_for_one() -> None:
    _, tekst = render(sig(geopend(herstelafspraak=date(2025, 1, 9))))
    assert (
        "Er is al een herstelafspraak: Anouk de Vries verwacht het werk te hervatten op donderdag 9 januari 2025."
        in (tekst)
    )
    assert "belafspraak" not in tekst


@pytest.mark.parametrize(
    ("reden", "uitleg"),
    [
        (Leeg.MEDEWERKER_ONBEKEND, "De personeelsgegevens van wn-1 zijn (nog) niet ontvangen."),
        (Leeg.AFDELING_ONBEKEND, "De afdeling van deze werknemer is (nog) niet vastgelegd."),
        (Leeg.NIET_BEZET, "Bij de werknemer en bij de afdeling is geen leidinggevende vastgelegd."),
        (Leeg.WERKNEMER_ZELF, "De werknemer is zelf de leidinggevende van de afdeling."),
    ],
)
def test_the_team_that_stands_in_for_a_missing_leidinggevende_is_told_so_and_why(reden: Leeg, uitleg: str) -> None:
    titel, tekst = render(sig(geopend()), persoon=None, namens=Ontvangerrol.LEIDINGGEVENDE, reden=reden)
    assert titel == "Ziekmelding van Anouk de Vries (geen leidinggevende bekend)"
    assert f"Let op: voor deze werknemer is geen leidinggevende bekend. {uitleg}" in tekst
    assert "leg de leidinggevende vast in de personeelsgegevens" in tekst


def test_a_person_standing_in_for_the_begeleider_is_told_so() -> None:
    titel, tekst = render(
        sig(nadert()),
        Ontvangerrol.VERZUIMCOACH,
        persoon="vs-desk",
        namens=Ontvangerrol.BEGELEIDER,
        reden=Leeg.NIET_BEZET,
    )
    assert titel.endswith("(geen begeleider van het dossier bekend)")
    assert "Er is (nog) geen casemanager of verzuimcoach aan het dossier toegewezen." in tekst


def test_the_werknemer_is_addressed_as_je() -> None:
    titel, tekst = render(sig(geopend()), Ontvangerrol.WERKNEMER, persoon="wn-1")
    assert titel == "Je ziekmelding van maandag 6 januari 2025"
    assert "Neem vandaag (maandag 6 januari 2025) contact op met je leidinggevende" in tekst


def test_an_unknown_name_falls_back_to_the_werknemer_id() -> None:
    titel, tekst = render(sig(geopend()), naam=None)
    assert titel == "Ziekmelding van werknemer wn-1"
    assert tekst.startswith("Werknemer wn-1 heeft zich ziek gemeld")


def test_a_termijn_message_names_the_step_the_date_the_legal_basis_and_links_to_the_termijn() -> None:
    titel, tekst = render(sig(nadert()), Ontvangerrol.BEDRIJFSARTS, persoon="ba-1")
    assert titel == "Probleemanalyse voor Anouk de Vries: uiterlijk maandag 17 februari 2025"
    assert "verloopt op maandag 17 februari 2025, over 7 dagen" in tekst
    assert "Grondslag: Regeling procesgang art. 2 lid 2." in tekst
    assert "Stel de probleemanalyse op na een persoonlijk gesprek met Anouk de Vries" in tekst
    assert f"De termijn: {DEADLINES}/v1/dossiers/{DOSSIER}/termijnen#00000000-0000-4000-8000-000000000001" in tekst
    # for the procesbewaker the same termijn asks something else
    _, tekst = render(sig(nadert()), Ontvangerrol.HR_ADVISEUR, persoon="hr-1")
    assert "zodat de probleemanalyse er uiterlijk maandag 17 februari 2025 is" in tekst


def test_a_message_for_information_says_nothing_is_asked_and_has_no_deadline() -> None:
    _, tekst = render(sig(nadert()), soort=Soort.BERICHT)
    assert "Ter informatie: je hoeft hiervoor nu niets te doen." in tekst
    assert "uiterlijk maandag 17 februari 2025)" not in tekst.split("Grondslag")[0].split("\n")[-1]


# Free text in the contract that may hold what a person said about their health: never in a message.
GEHEIM = "griep met koorts na behandeling"


def alle_signalen() -> list[Signaal]:
    b = basis()
    dossier = {"dossier_id": DOSSIER, "versie": 3, "werknemer_id": "wn-1", "datum": date(2025, 1, 8)}
    signalen = [
        sig(geopend()),
        sig(TriageUitgevoerd(**b, **dossier, route="complex", toelichting=GEHEIM)),
        sig(TriageUitgevoerd(**basis(), **dossier, route="regulier", toelichting=GEHEIM)),
        sig(BegeleiderToegewezen(**basis(), **dossier, begeleider_id="cm-1", begeleider_rol=BegeleiderRol.CASEMANAGER)),
        sig(
            ProbleemanalyseOntvangen(
                **basis(), **dossier, mogelijkheden=GEHEIM, beperkingen=GEHEIM, advies=GEHEIM, verwachte_duur=GEHEIM
            )
        ),
        *(sig(nadert(code)) for code in ("PROBLEEMANALYSE", "PLAN_VAN_AANPAK", "UWV_42E_WEEK_MELDING", "ONBEKEND")),
    ]
    assert signaal_uit(ContactmomentVastgelegd(**basis(), **dossier, met_rol="leidinggevende", verslag=GEHEIM)) is None
    for soort in SignaalSoort:  # every template renders from the facts its signal kind carries
        if soort not in {s.soort for s in signalen}:
            signalen.append(_voorbeeld(soort))
    return signalen


def _voorbeeld(soort: SignaalSoort) -> Signaal:
    feiten: dict[str, Any] = {
        "code": "EVALUATIE",
        "vervaldatum": date(2025, 4, 14),
        "grondslag": "Regeling procesgang art. 4 lid 2",
        "afleiding": "PvA + 42 dagen",
        "dagen_resterend": 7,
        "vorige_vervaldatum": date(2025, 4, 7),
        "spreekuur_op": datetime(2025, 2, 10, 9, 0, tzinfo=UTC),
        "casemanager_id": "cm-1",
        "evaluatiemomenten": [date(2025, 4, 14)],
        "vanaf": date(2025, 3, 1),
        "component": "arbeidsconflict",
        "herstel": "gedeeltelijk",
        "hersteldatum": date(2025, 3, 1),
        "percentage": 50,
        "aantal": 3,
        "drempel": 3,
        "venster_dagen": 365,
        "venster_begin": date(2024, 1, 8),
        "venster_eind": date(2025, 1, 6),
    }
    return Signaal(
        id=uuid4(),
        soort=soort,
        bron_event_id=uuid4(),
        werkgever_id="wg-1",
        werknemer_id="wn-1",
        dossier_id=DOSSIER,
        moment=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        datum=date(2025, 1, 6),
        termijn_id=uuid4() if soort.per_termijncode else None,
        termijncode="EVALUATIE" if soort.per_termijncode else None,
        feiten=feiten,
    )


@pytest.mark.parametrize("soort", list(Soort))
@pytest.mark.parametrize("rol", list(Ontvangerrol))
def test_no_message_of_any_kind_for_any_role_contains_medical_words(rol: Ontvangerrol, soort: Soort) -> None:
    for s in alle_signalen():
        persoon = "wn-1" if rol is Ontvangerrol.WERKNEMER else f"{rol.value}-1"
        for namens in (None, Ontvangerrol.CASEMANAGER):
            titel, tekst = render(s, rol, soort=soort, persoon=persoon, namens=namens, reden=Leeg.NIET_BEZET)
            assert titel and tekst
            assert GEHEIM not in tekst
            assert MEDISCH.search(titel) is None, (s.soort, titel)
            assert MEDISCH.search(tekst) is None, (s.soort, MEDISCH.search(tekst))
            assert "{" not in tekst and "}" not in tekst


def test_the_medical_word_check_itself_catches_medical_words() -> None:
    assert MEDISCH.search("Vraag naar de diagnose en de klachten")
    assert MEDISCH.search(GEHEIM)
