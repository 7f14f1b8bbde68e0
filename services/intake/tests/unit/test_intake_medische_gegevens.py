"""Medical data is recognised in any key, at any depth, in any case, also inside a longer key (decisions D9)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from verzuim_intake.domain.commands import (
    AfdelingenSync,
    Herstelmelding,
    MedewerkersSync,
    MeldtijdInstellingen,
    Ziekmelding,
)
from verzuim_intake.domain.medische_gegevens import is_medische_sleutel, medische_velden, uitleg_medische_gegevens


@pytest.mark.parametrize(
    "key",
    [
        "diagnose",
        "diagnosis",
        "Diagnose_Code",
        "oorzaak",
        "oorzaken",
        "cause",
        "symptoom",
        "symptomen",
        "symptom",
        "Symptoms",
        "klacht",
        "PijnKlachten",
        "behandeling",
        "treatment",
        "medicatie",
        "medicijn",
        "medicijnen",
        "medication",
        "aandoening",
        "ziektebeeld",
        "ZIEKTE-BEELD",
        "ziekte_oorzaak",
        "medische_gegevens",
    ],
)
def test_medical_keys_are_recognised(key: str) -> None:
    assert is_medische_sleutel(key)
    assert medische_velden({key: "x"}) == [key]


@pytest.mark.parametrize(
    "key", ["telefoon", "eerste_ziektedag", "arbeidsongeval", "regres_derde", "vangnet_van_toepassing", "opmerking"]
)
def test_ordinary_keys_pass(key: str) -> None:
    assert not is_medische_sleutel(key)


def test_nested_keys_are_found_with_their_path() -> None:
    data = {
        "werknemer_id": "wn-1",
        "bereikbaarheid": {"telefoon": "0612345678", "verpleegadres": {"straat": "x", "Behandelaar": "dr. X"}},
        "medewerkers": [{"naam": "A"}, {"naam": "B", "extra": {"medicatie": ["a", "b"]}}],
        "diagnose": {"code": "J11"},
    }
    assert medische_velden(data) == [
        "bereikbaarheid.verpleegadres.Behandelaar",
        "medewerkers[1].extra.medicatie",
        "diagnose",
    ]


def test_values_are_not_keys() -> None:
    assert medische_velden({"naam": "diagnose", "lijst": ["klachten", {"x": "symptomen"}]}) == []
    assert medische_velden(["diagnose", 1, None, True]) == []


def test_the_explanation_names_the_fields_and_the_reason() -> None:
    uitleg = uitleg_medische_gegevens(["diagnose", "bereikbaarheid.klachten"])
    assert "'diagnose'" in uitleg and "'bereikbaarheid.klachten'" in uitleg
    assert "bedrijfsarts" in uitleg and "AVG" in uitleg and "werkgever" in uitleg


def _property_names(schema: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for definition in [schema, *schema.get("$defs", {}).values()]:
        names.update(definition.get("properties", {}))
    return names


@pytest.mark.parametrize("model", [Ziekmelding, Herstelmelding, MedewerkersSync, AfdelingenSync, MeldtijdInstellingen])
def test_no_field_of_the_api_is_mistaken_for_medical_data(model: type[BaseModel]) -> None:
    names = _property_names(model.model_json_schema())
    assert names
    assert [name for name in names if is_medische_sleutel(name)] == []
