from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError
from verzuim_shared.contract_export import write_contract
from verzuim_shared.events import (
    EVENT_TYPES,
    Actor,
    Bereikbaarheid,
    HerstelGemeld,
    Rol,
    TermijnGepland,
    ZiekGemeld,
    parse_event,
)
from verzuim_shared.events.dossier import TermijnAfwijkingGemotiveerd
from verzuim_shared.ids import dossier_id_for_melding, melding_id_for_idempotency_key, melding_id_for_request
from verzuim_shared.subjects import kebab


def ziek(**overrides: object) -> ZiekGemeld:
    data: dict[str, object] = dict(
        event_id=uuid4(),
        werkgever_id="wg",
        geregistreerd_op=datetime(2025, 1, 6, 8, 0, tzinfo=UTC),
        actor=Actor(id="lg-1", rol=Rol.LEIDINGGEVENDE),
        melding_id=uuid4(),
        werknemer_id="wn-1",
        eerste_ziektedag=date(2025, 1, 6),
        gemeld_op=datetime(2025, 1, 6, 7, 30, tzinfo=UTC),
        gemeld_door=Actor(id="wn-1", rol=Rol.WERKNEMER),
        bereikbaarheid=Bereikbaarheid(telefoon="0612345678"),
        meldtijd_grens=datetime(2025, 1, 6, 8, 0, tzinfo=UTC),
        na_meldtijd=False,
    )
    data.update(overrides)
    return ZiekGemeld.model_validate(data)


def test_subjects_follow_the_public_naming_scheme() -> None:
    assert ZiekGemeld.subject() == "verzuim.intake.v1.ziek-gemeld"
    assert HerstelGemeld.subject() == "verzuim.intake.v1.herstel-gemeld"
    assert TermijnGepland.subject() == "verzuim.termijn.v1.gepland"
    assert kebab("MedewerkerUitDienst") == "medewerker-uit-dienst"
    assert kebab("Uwv42eWeeksmeldingGedaan") == "uwv-42e-weeksmelding-gedaan"
    assert kebab("Spoor2Gestart") == "spoor-2-gestart"
    assert kebab("gepland") == "gepland"
    assert "verzuim.dossier.v1.plan-van-aanpak-vastgesteld" in EVENT_TYPES
    assert all(s.startswith("verzuim.") and ".v1." in s for s in EVENT_TYPES)


def test_schemas_forbid_unknown_fields_such_as_a_diagnosis() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ziek(diagnose="griep")


def test_event_round_trips_through_json() -> None:
    event = ziek()
    assert parse_event(event.subject(), event.model_dump_json().encode()) == event


def test_herstel_percentage_must_fit_its_kind() -> None:
    base = dict(
        event_id=uuid4(),
        werkgever_id="wg",
        geregistreerd_op=datetime.now(UTC),
        actor=Actor(id="x", rol=Rol.HR),
        herstel_id=uuid4(),
        werknemer_id="wn",
        hersteldatum=date(2025, 2, 1),
        gemeld_op=datetime.now(UTC),
        gemeld_door=Actor(id="x", rol=Rol.HR),
    )
    HerstelGemeld.model_validate({**base, "soort": "gedeeltelijk", "arbeidsongeschiktheidspercentage": 50})
    with pytest.raises(ValidationError):
        HerstelGemeld.model_validate({**base, "soort": "volledig", "arbeidsongeschiktheidspercentage": 50})
    with pytest.raises(ValidationError):
        HerstelGemeld.model_validate({**base, "soort": "gedeeltelijk", "arbeidsongeschiktheidspercentage": 0})


def test_derived_ids_are_deterministic() -> None:
    a = melding_id_for_idempotency_key("wg", "key-1")
    assert a == melding_id_for_idempotency_key("wg", "key-1")
    assert a != melding_id_for_idempotency_key("wg2", "key-1")
    assert dossier_id_for_melding(a) == dossier_id_for_melding(a)


def test_a_melding_id_depends_on_werkgever_key_and_request() -> None:
    a = melding_id_for_request("wg", "key-1", "f" * 64)
    assert a == melding_id_for_request("wg", "key-1", "f" * 64)
    assert a != melding_id_for_request("wg", "key-1", "e" * 64)  # another request under a reused key
    assert a != melding_id_for_request("wg2", "key-1", "f" * 64)
    assert a != melding_id_for_request("wg", "key-2", "f" * 64)
    # no key or werkgever id can be chosen so that two triples join into the same string
    assert melding_id_for_request("a|b", "c", "f" * 64) != melding_id_for_request("a", "b|c", "f" * 64)


def afwijking_json(**extra: object) -> dict[str, object]:
    """A `TermijnAfwijkingGemotiveerd` as a publisher writes it; without `extra` as the first v1 release wrote it."""
    return {
        "event_id": str(uuid4()),
        "werkgever_id": "wg",
        "geregistreerd_op": "2025-03-03T09:00:00+00:00",
        "actor": {"id": "cm-1", "rol": "casemanager"},
        "dossier_id": str(uuid4()),
        "versie": 7,
        "werknemer_id": "wn-1",
        "datum": "2025-03-03",
        "termijn_code": "EVALUATIE",
        "reden": "werknemer opgenomen",
        **extra,
    }


def test_a_termijnafwijking_may_name_the_occurrence_and_older_messages_without_it_stay_valid() -> None:
    subj = TermijnAfwijkingGemotiveerd.subject()
    assert subj == "verzuim.dossier.v1.termijn-afwijking-gemotiveerd"
    oud = parse_event(subj, json.dumps(afwijking_json()).encode())
    assert isinstance(oud, TermijnAfwijkingGemotiveerd) and oud.volgnummer is None
    nieuw = parse_event(subj, json.dumps(afwijking_json(volgnummer=3)).encode())
    assert isinstance(nieuw, TermijnAfwijkingGemotiveerd) and nieuw.volgnummer == 3
    assert parse_event(subj, nieuw.model_dump_json().encode()) == nieuw
    for fout in (0, -1, "drie"):
        with pytest.raises(ValidationError, match="volgnummer"):
            parse_event(subj, json.dumps(afwijking_json(volgnummer=fout)).encode())
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        parse_event(subj, json.dumps(afwijking_json(volgnummer=1, termijn_id=str(uuid4()))).encode())
    # the exported schema shows it as optional, at least 1
    schema = TermijnAfwijkingGemotiveerd.model_json_schema()
    assert "volgnummer" not in schema["required"] and schema["additionalProperties"] is False
    assert {"type": "integer", "minimum": 1} in schema["properties"]["volgnummer"]["anyOf"]


def test_the_committed_contract_in_docs_is_what_the_code_exports(tmp_path: Path) -> None:
    """docs/contract is what other systems read (JSON Schema per event type, one AsyncAPI 3 document): it must be the
    code's contract. After a change to an event, regenerate it with `verzuim-contract --out docs/contract`."""
    committed = Path(__file__).resolve().parents[2] / "docs" / "contract"
    written = write_contract(tmp_path)
    assert sorted(p.name for p in committed.iterdir()) == sorted(p.name for p in written)
    for path in written:
        assert (committed / path.name).read_text() == path.read_text(), (
            f"docs/contract/{path.name} is out of date: run verzuim-contract --out docs/contract"
        )
    asyncapi = json.loads((committed / "asyncapi.json").read_text())
    assert asyncapi["asyncapi"].startswith("3.") and len(asyncapi["channels"]) == len(written) - 1
