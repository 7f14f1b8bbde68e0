"""The rebuild's fast decoding accepts and rejects exactly what the pydantic contract models do, and gives the same
facts: generated messages, valid and mutated (a value of another type or form, a field missing or unknown, another
spelling of a UUID, date or timestamp, a duplicate key, a cut-off message), compared with the contract. So the
rebuild skips exactly the messages the live consumer dead-letters."""

from __future__ import annotations

import datetime as dt
import json
import types
import uuid
from enum import Enum
from typing import Any, Union, get_args, get_origin

import annotated_types
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, EmailStr, ValidationError
from pydantic.types import AwareDatetime
from pydantic_core import PydanticUndefined
from verzuim_reporting.adapters.ontleden import SOORTEN, OngeldigBericht, Soort, ontleed
from verzuim_reporting.application import PROJECTEERBAAR, projectiefeit
from verzuim_shared.events import Event

_TIJDZONES = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))


def _uuid_spelling(u: uuid.UUID, vorm: int) -> str:
    return (str(u), u.hex, str(u).upper(), "{" + str(u) + "}", "urn:uuid:" + str(u), str(u)[:-1], u.hex + "0")[vorm]


def _tijdstip_spelling(t: dt.datetime, vorm: int) -> str:
    iso = t.isoformat()
    return (
        iso,
        iso.replace("+00:00", "Z"),
        iso.replace("T", " "),
        iso.replace("T", "t"),
        t.replace(tzinfo=None).isoformat(),  # naive: not aware, refused
        t.strftime("%Y-%m-%dT%H:%M%z"),  # no seconds, offset without colon
        t.isoformat(timespec="microseconds").replace(".", ","),
        iso + "junk",
    )[vorm]


_DATUMS = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
_GEKKE_TEKSTEN = st.sampled_from(
    ["", " ", "2025-02-30", "2025-1-1", "20250101", "0000-00-00", "true", "1", "1.0", "null", "\u0000", "é", "x" * 101]
)
_WILDE_WAARDEN: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    _GEKKE_TEKSTEN,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _waarde(annotatie: Any, metadata: list[Any], geldig: bool) -> st.SearchStrategy[Any]:
    """JSON values for a field of a contract model: with `geldig` the values pydantic accepts, in the spellings it
    accepts; otherwise also values around the limits and in other forms."""
    if get_origin(annotatie) in (Union, types.UnionType):
        leden = [a for a in get_args(annotatie) if a is not type(None)]
        return st.one_of(st.none(), *(_waarde(a, metadata, geldig) for a in leden))
    grenzen = {type(m): m for m in metadata}
    laag = grenzen.get(annotated_types.Ge) or grenzen.get(annotated_types.Gt)
    hoog = grenzen.get(annotated_types.Le) or grenzen.get(annotated_types.Lt)
    if annotatie is str:
        minimum = getattr(grenzen.get(annotated_types.MinLen), "min_length", 0)
        maximum = getattr(grenzen.get(annotated_types.MaxLen), "max_length", 30)
        if geldig:
            return st.text(min_size=minimum, max_size=min(maximum, 30))
        return st.one_of(
            st.text(min_size=max(0, minimum - 1), max_size=min(maximum, 30)),
            st.text(min_size=max(0, maximum - 1), max_size=maximum + 1),  # around the maximum length
            st.text(st.characters(codec="utf-8"), max_size=5),
        )
    if annotatie is EmailStr:
        if geldig:
            return st.sampled_from(["x@example.org", "Jan.de.Vries@werkgever.nl", "a+b@c.example.com"])
        return st.one_of(st.emails(), st.sampled_from(["a@b", "nobody", "x@example.org", "@example.org", "a@-b.nl"]))
    if annotatie is bool:
        return st.one_of(st.booleans(), st.sampled_from(["true", 0, 1, "yes"]))
    if annotatie is int:
        onder = getattr(laag, "ge", getattr(laag, "gt", 0) + 1) if laag else -(2**64)
        boven = getattr(hoog, "le", getattr(hoog, "lt", 0) - 1) if hoog else 2**64
        if geldig:
            return st.integers(onder, boven)
        return st.one_of(
            st.integers(onder, boven),
            st.integers(onder - 2, onder + 2),
            st.integers(onder, boven).map(float),  # 3.0: pydantic takes a whole float for an int
            st.integers(onder, boven).map(str),
        )
    if annotatie is float:
        onder = getattr(laag, "ge", getattr(laag, "gt", None)) if laag else None
        boven = getattr(hoog, "le", getattr(hoog, "lt", None)) if hoog else None
        if geldig:
            return st.floats(onder, boven, allow_nan=False, allow_infinity=False, exclude_min=laag is not None)
        return st.one_of(
            st.floats(onder, boven, allow_nan=False),
            st.integers(int(onder or -5) - 1, int(boven or 5) + 1),
            st.sampled_from([0, 0.0, -0.0, 80, 80.0000001, 1e-320, 1e400]),
            st.floats(0, 80).map(repr),
        )
    if annotatie is dt.date:
        return _DATUMS.map(dt.date.isoformat) if geldig else st.one_of(_DATUMS.map(dt.date.isoformat), _GEKKE_TEKSTEN)
    if annotatie is uuid.UUID:
        return st.builds(_uuid_spelling, st.uuids(), st.sampled_from([0, 0, 0, 1, 2, 3, 4] + [5, 6] * (not geldig)))
    if annotatie is AwareDatetime:
        tijdstippen = st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30), timezones=_TIJDZONES)
        vormen = [0, 0, 1, 1, 2, 3] + [4, 5, 6, 7] * (not geldig)
        return st.builds(_tijdstip_spelling, tijdstippen, st.sampled_from(vormen))
    if isinstance(annotatie, type) and issubclass(annotatie, Enum):
        waarden = st.sampled_from([e.value for e in annotatie])
        return waarden if geldig else st.one_of(waarden, st.sampled_from(["", "HR", "onbekend"]))
    if isinstance(annotatie, type) and issubclass(annotatie, BaseModel):
        return _bericht(annotatie, geldig)
    if get_origin(annotatie) is list:
        (element,) = get_args(annotatie)
        minimum = getattr(grenzen.get(annotated_types.MinLen), "min_length", 0)
        return st.lists(_waarde(element, [], geldig), min_size=minimum if geldig else max(0, minimum - 1), max_size=3)
    raise AssertionError(f"no strategy for {annotatie!r}")


@st.composite
def _bericht(draw: st.DrawFn, model: type[BaseModel], geldig: bool) -> dict[str, Any]:
    """A message body for the model: a valid one (optional fields sometimes left out); unless `geldig`, with one
    change: a value around a limit or in another form, a value from the wild, a field dropped or an unknown one."""
    inhoud: dict[str, Any] = {}
    for naam, info in model.model_fields.items():
        if info.default is not PydanticUndefined and draw(st.booleans()):
            continue
        inhoud[naam] = draw(_waarde(info.annotation, info.metadata, True))
    if geldig:
        return inhoud
    mutatie = draw(st.integers(0, 4))
    if mutatie <= 1:
        naam = draw(st.sampled_from(list(model.model_fields)))
        info = model.model_fields[naam]
        inhoud[naam] = draw(_waarde(info.annotation, info.metadata, False) if mutatie == 0 else _WILDE_WAARDEN)
    elif mutatie == 2 and inhoud:
        del inhoud[draw(st.sampled_from(sorted(inhoud)))]
    elif mutatie == 3:
        inhoud[draw(st.sampled_from(["onbekend", "diagnose", "Event_id"]))] = draw(_WILDE_WAARDEN)
    return inhoud


@st.composite
def berichten(draw: st.DrawFn) -> tuple[Soort, bytes]:
    model = draw(st.sampled_from(PROJECTEERBAAR))
    soort = SOORTEN[model.subject()]
    tekst = json.dumps(draw(_bericht(model, geldig=False)), ensure_ascii=draw(st.booleans()))
    vorm = draw(st.integers(0, 9))
    if vorm == 0 and len(tekst) > 2:  # a duplicate key: the later value counts in both
        sleutel = draw(st.sampled_from(list(model.model_fields)))
        info = model.model_fields[sleutel]
        waarde = draw(st.one_of(_waarde(info.annotation, info.metadata, False), _WILDE_WAARDEN))
        tekst = tekst[:-1] + ("," if tekst != "{}" else "") + json.dumps({sleutel: waarde})[1:]
    elif vorm == 1:  # cut off
        tekst = tekst[: draw(st.integers(0, len(tekst)))]
    elif vorm == 2:
        tekst = " \n" + tekst + "\t"
    return soort, tekst.encode()


def _contract(model: type[Event], data: bytes) -> object:
    try:
        return projectiefeit(model.model_validate_json(data), 7)
    except ValidationError:
        return "ongeldig"


def _snel(soort: Soort, data: bytes) -> object:
    try:
        return soort.naar_feit(ontleed(soort, data), 7)
    except OngeldigBericht:
        return "ongeldig"


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(berichten())
def test_the_fast_decoding_accepts_and_rejects_what_the_contract_does_with_the_same_facts(
    bericht: tuple[Soort, bytes],
) -> None:
    soort, data = bericht
    contract = _contract(soort.model, data)
    event("valid" if contract != "ongeldig" else "invalid")
    assert _snel(soort, data) == contract, data


_VELDEN = [(model, naam) for model in PROJECTEERBAAR for naam in model.model_fields]


@pytest.mark.parametrize(("model", "veld"), _VELDEN, ids=[f"{m.__name__}.{v}" for m, v in _VELDEN])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_each_field_is_judged_as_the_contract_judges_it(model: type[Event], veld: str, data: st.DataObject) -> None:
    """A valid message with one field around its limits or in another form (an invalid timestamp, a too long text,
    a number as text, ...): the same verdict and fact."""
    inhoud = data.draw(_bericht(model, geldig=True))
    info = model.model_fields[veld]
    inhoud[veld] = data.draw(st.one_of(_waarde(info.annotation, info.metadata, False), _WILDE_WAARDEN))
    bericht = json.dumps(inhoud).encode()
    soort = SOORTEN[model.subject()]
    assert _snel(soort, bericht) == _contract(model, bericht), bericht


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_valid_messages_as_publishers_write_them_take_the_fast_path(data: st.DataObject) -> None:
    """What model_dump_json writes (every publisher of the contract) is decoded by the generated Struct itself,
    without pydantic: otherwise the rebuild would silently be as slow as before."""
    model = data.draw(st.sampled_from(PROJECTEERBAAR))
    inhoud = data.draw(_bericht(model, geldig=True))
    contract = model.model_validate_json(json.dumps(inhoud))
    soort = SOORTEN[model.subject()]
    assert soort.snel is not None, f"{model.__name__} has no fast decoder: the rebuild validates it with pydantic"
    snel = soort.snel.decode(contract.model_dump_json().encode())
    assert soort.naar_feit(snel, 7) == projectiefeit(contract, 7)


@pytest.mark.parametrize(
    ("spelling", "geldig"),
    [
        ("0b7e8e2a-6e83-4c7b-9d0a-4d1e2f3a4b5c", True),
        ("0B7E8E2A-6E83-4C7B-9D0A-4D1E2F3A4B5C", True),
        ("0b7e8e2a6e834c7b9d0a4d1e2f3a4b5c", True),
        ("{0b7e8e2a-6e83-4c7b-9d0a-4d1e2f3a4b5c}", True),  # pydantic's spelling, not msgspec's: the fallback
        ("urn:uuid:0b7e8e2a-6e83-4c7b-9d0a-4d1e2f3a4b5c", True),
        ("0b7e8e2a-6e834c7b-9d0a-4d1e2f3a4b5c", False),
    ],
)
def test_every_spelling_of_an_event_id_pydantic_takes_is_taken(spelling: str, geldig: bool) -> None:
    from verzuim_shared.events import TermijnGepland

    bericht = {
        "event_id": spelling,
        "werkgever_id": "wg",
        "geregistreerd_op": "2025-01-01T08:00:00Z",
        "actor": {"id": "deadlines", "rol": "systeem"},
        "termijn_id": str(uuid.uuid4()),
        "dossier_id": str(uuid.uuid4()),
        "werknemer_id": "wn",
        "code": "PROBLEEMANALYSE",
        "vervaldatum": "2025-02-01",
        "grondslag": "WvP",
        "afleiding": "test",
    }
    data = json.dumps(bericht).encode()
    soort = SOORTEN[TermijnGepland.subject()]
    assert (_snel(soort, data) != "ongeldig") is geldig
    assert _snel(soort, data) == _contract(TermijnGepland, data)
