"""The Dutch ziekmelding message: who, when, what to do, the dossier link, and never anything medical."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from verzuim_notifications.adapters.sjablonen import Sjablonen, datum, tijd
from verzuim_notifications.domain.berichten import ZiekmeldingInhoud, dossier_link
from verzuim_notifications.domain.routering import OnbekendeLeidinggevende

DOSSIER = UUID("7b2f1c9e-3d4a-4b5c-8d6e-9f0a1b2c3d4e")
LINK = dossier_link("http://cases.example/", DOSSIER)

# Words that would put medical content on the employer side (decisions D9).
MEDISCH = re.compile(
    r"diagnose|symptom|klacht|medic|medisch|behandel|aandoening|oorzaak|ziektebeeld|griep|burn-?out|pijn|therapie",
    re.IGNORECASE,
)


def inhoud(**kwargs: object) -> ZiekmeldingInhoud:
    waarden: dict[str, object] = {
        "werknemer_id": "wn-1",
        "naam": "Anouk de Vries",
        "eerste_ziektedag": date(2025, 1, 6),
        "gemeld_op": datetime(2025, 1, 6, 7, 30, tzinfo=UTC),  # 08:30 in the Netherlands
        "herstelafspraak": None,
        "link": LINK,
    }
    waarden.update(kwargs)
    return ZiekmeldingInhoud(**waarden)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sjablonen() -> Sjablonen:
    return Sjablonen()


def test_dates_and_times_are_dutch() -> None:
    assert datum(date(2025, 1, 6)) == "maandag 6 januari 2025"
    assert datum(date(2025, 12, 28)) == "zondag 28 december 2025"
    # 23:30 UTC on 5 May is already 6 May in the Netherlands
    assert datum(datetime(2025, 5, 5, 23, 30, tzinfo=UTC)) == "dinsdag 6 mei 2025"
    assert tijd(datetime(2025, 7, 1, 6, 5, tzinfo=UTC)) == "08:05"


def test_the_message_says_who_when_what_to_do_and_where_the_dossier_is(sjablonen: Sjablonen) -> None:
    tekst = sjablonen.ziekmelding(inhoud())
    assert tekst.titel == "Ziekmelding van Anouk de Vries"
    assert tekst.tekst.startswith(
        "Anouk de Vries heeft zich ziek gemeld op maandag 6 januari 2025 om 08:30. "
        "De eerste ziektedag is maandag 6 januari 2025."
    )
    assert "Neem dezelfde dag (maandag 6 januari 2025) contact op met Anouk de Vries." in tekst.tekst
    assert "Maak een herstelafspraak" in tekst.tekst
    assert "maak dan een belafspraak binnen 10 werkdagen" in tekst.tekst
    assert tekst.tekst.endswith(f"Het verzuimdossier: http://cases.example/v1/dossiers/{DOSSIER}")
    assert "geen leidinggevende" not in tekst.tekst
    assert "{" not in tekst.tekst and "}" not in tekst.tekst


def test_a_herstelafspraak_already_made_is_shown_instead_of_asking_for_one(sjablonen: Sjablonen) -> None:
    tekst = sjablonen.ziekmelding(inhoud(herstelafspraak=date(2025, 1, 9)))
    assert (
        "Er is al een herstelafspraak: Anouk de Vries verwacht het werk te hervatten op donderdag 9 januari 2025."
        in (tekst.tekst)
    )
    assert "belafspraak" not in tekst.tekst


@pytest.mark.parametrize(
    ("reden", "uitleg"),
    [
        (OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND, "De personeelsgegevens van wn-1 zijn (nog) niet ontvangen."),
        (OnbekendeLeidinggevende.AFDELING_ONBEKEND, "De afdeling van deze werknemer is (nog) niet vastgelegd."),
        (
            OnbekendeLeidinggevende.GEEN_LEIDINGGEVENDE,
            "Bij de werknemer en bij de afdeling is geen leidinggevende vastgelegd.",
        ),
        (OnbekendeLeidinggevende.EIGEN_LEIDINGGEVENDE, "De werknemer is zelf de leidinggevende van de afdeling."),
    ],
)
def test_without_a_leidinggevende_the_message_says_so_and_why(
    sjablonen: Sjablonen, reden: OnbekendeLeidinggevende, uitleg: str
) -> None:
    tekst = sjablonen.ziekmelding(inhoud(zonder_leidinggevende=reden))
    assert tekst.titel == "Ziekmelding van Anouk de Vries (geen leidinggevende bekend)"
    assert f"Let op: voor deze werknemer is geen leidinggevende bekend. {uitleg}" in tekst.tekst
    assert "leg de leidinggevende vast in de personeelsgegevens" in tekst.tekst


def test_an_unknown_name_falls_back_to_the_werknemer_id(sjablonen: Sjablonen) -> None:
    tekst = sjablonen.ziekmelding(inhoud(naam=None, zonder_leidinggevende=OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND))
    assert tekst.titel == "Ziekmelding van werknemer wn-1 (geen leidinggevende bekend)"
    assert tekst.tekst.startswith("Werknemer wn-1 heeft zich ziek gemeld")
    assert "contact op met werknemer wn-1." in tekst.tekst


@pytest.mark.parametrize("herstelafspraak", [None, date(2025, 1, 9)])
@pytest.mark.parametrize("reden", [None, *OnbekendeLeidinggevende])
def test_no_variant_of_the_message_contains_medical_words(
    sjablonen: Sjablonen, herstelafspraak: date | None, reden: OnbekendeLeidinggevende | None
) -> None:
    tekst = sjablonen.ziekmelding(inhoud(herstelafspraak=herstelafspraak, zonder_leidinggevende=reden))
    assert MEDISCH.search(tekst.titel) is None
    assert MEDISCH.search(tekst.tekst) is None, MEDISCH.search(tekst.tekst)


def test_the_medical_word_check_itself_catches_medical_words() -> None:
    assert MEDISCH.search("Vraag naar de diagnose en de klachten")


def test_the_contact_day_is_the_dutch_date_of_the_melding() -> None:
    # reported at 00:30 Dutch time on 7 January = 23:30 UTC on 6 January
    assert inhoud(gemeld_op=datetime(2025, 1, 6, 23, 30, tzinfo=UTC)).contactdag == date(2025, 1, 7)
