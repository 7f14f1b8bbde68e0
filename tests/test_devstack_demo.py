"""The demo data the run command seeds: acceptable to the intake at any hour, and always with one late melding."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from verzuim_devstack.demo import DEMO_WERKGEVER, NL, ziekmeldingen
from verzuim_intake.domain.commands import Ziekmelding
from verzuim_intake.domain.meldtijd import Meldtijden, is_na_meldtijd, meldtijd_grens
from verzuim_intake.domain.regels import ziekmelding_fouten

STANDAARD = Meldtijden(leidinggevende=time(9, 0), verzuim_support=time(10, 0))
VANDAAG = date(2025, 3, 5)


def na_meldtijd(melding: dict[str, Any]) -> bool:
    m = Ziekmelding.model_validate({"werkgever_id": DEMO_WERKGEVER, **melding})
    return is_na_meldtijd(m.gemeld_op, meldtijd_grens(m.eerste_ziektedag, m.gemeld_bij, STANDAARD))


@pytest.mark.parametrize("uur", [time(0, 5), time(7, 30), time(8, 59), time(10, 41), time(23, 59)])
def test_the_demo_shows_a_late_and_an_on_time_melding_whenever_it_is_seeded(uur: time) -> None:
    nu = datetime.combine(VANDAAG, uur, tzinfo=NL)
    meldingen = ziekmeldingen(VANDAAG, nu)
    for melding in meldingen:
        m = Ziekmelding.model_validate({"werkgever_id": DEMO_WERKGEVER, **melding})
        assert ziekmelding_fouten(m, nu) == [], melding  # the intake accepts it at this hour
    laat = [m["werknemer_id"] for m in meldingen if na_meldtijd(m)]
    assert laat == ["wn-05"]
    assert any(m["eerste_ziektedag"] == VANDAAG.isoformat() and not na_meldtijd(m) for m in meldingen)
