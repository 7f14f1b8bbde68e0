"""Decoding the projectable events of a rebuild quickly, with exactly the verdict of the contract models.

The rebuild handles every message of three streams; validating each with the pydantic contract models costs more
than the rest of its work on an event. So for each projectable event type a msgspec Struct is *generated from the
contract model* (the same fields, types, defaults and length/range constraints; unknown fields forbidden) and tried
first. It is at most as lenient as the contract: whatever it cannot decode — another spelling of a UUID or a
timestamp that pydantic also accepts, a number written as text, a field it does not know — goes to the contract
model, which gives the verdict. An e-mail address is checked with pydantic's own validator. So a message is skipped
by the rebuild exactly when the live consumer would dead-letter it; `tests/unit/test_reporting_ontleden.py` checks
that against the contract with generated and mutated messages.

Both kinds of result have the contract's attribute names and value types (UUID, date, float, enum), so the one rule
that turns an event into a fact (`application.projectiefeit`) handles either.
"""

from __future__ import annotations

import datetime as dt
import types
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import msgspec
from pydantic import BaseModel, EmailStr, TypeAdapter, ValidationError
from pydantic.types import AwareDatetime
from pydantic_core import PydanticUndefined
from verzuim_shared.events import Event

from verzuim_reporting.application import PROJECTEERBAAR, Projectiefeit, feitfunctie


class OngeldigBericht(ValueError):
    """The message is no valid event of its subject (the contract model rejects it)."""


class _NietOndersteund(Exception):
    """A field the generated Struct cannot mirror exactly: that event type is always validated by pydantic."""


_GRENZEN: dict[type, str] = {
    annotated_types.MinLen: "min_length",
    annotated_types.MaxLen: "max_length",
    annotated_types.Gt: "gt",
    annotated_types.Ge: "ge",
    annotated_types.Lt: "lt",
    annotated_types.Le: "le",
}
_EENVOUDIG = (str, int, float, bool, dt.date, uuid.UUID)


def _meta(metadata: list[Any]) -> dict[str, Any]:
    grenzen: dict[str, Any] = {}
    for m in metadata:
        naam = _GRENZEN.get(type(m))
        if naam is None:
            raise _NietOndersteund(repr(m))  # e.g. a pattern or a strict flag: pydantic decides
        grenzen[naam] = getattr(m, naam)
    return grenzen


def _type(annotatie: Any, metadata: list[Any], structs: dict[type, type[msgspec.Struct]]) -> Any:
    """The msgspec type that accepts at most what pydantic accepts for this annotation and these constraints."""
    if get_origin(annotatie) in (Union, types.UnionType):
        leden = [a for a in get_args(annotatie) if a is not type(None)]
        if len(leden) != 1 or len(leden) == len(get_args(annotatie)):
            raise _NietOndersteund(repr(annotatie))
        return _type(leden[0], metadata, structs) | None  # the constraints apply to the value, as in pydantic
    grenzen = _meta(metadata)
    basis: Any
    if get_origin(annotatie) is list:
        (element,) = get_args(annotatie)
        basis = list[_type(element, [], structs)]  # type: ignore[misc]
    elif annotatie is AwareDatetime:
        basis = Annotated[dt.datetime, msgspec.Meta(tz=True)]
    elif annotatie in _EENVOUDIG or (isinstance(annotatie, type) and issubclass(annotatie, Enum)):
        basis = annotatie
    elif isinstance(annotatie, type) and issubclass(annotatie, BaseModel):
        basis = _struct(annotatie, structs)
    else:
        raise _NietOndersteund(repr(annotatie))
    return Annotated[basis, msgspec.Meta(**grenzen)] if grenzen else basis


def _emailvelden(model: type[BaseModel]) -> tuple[str, ...]:
    """Top-level fields `EmailStr` or `EmailStr | None`: decoded as text, then checked with pydantic's validator."""
    velden = []
    for naam, info in model.model_fields.items():
        leden = get_args(info.annotation) if get_origin(info.annotation) in (Union, types.UnionType) else ()
        if info.annotation is EmailStr or EmailStr in leden:
            velden.append(naam)
    return tuple(velden)


def _struct(
    model: type[BaseModel], structs: dict[type, type[msgspec.Struct]], emailvelden: tuple[str, ...] = ()
) -> type[msgspec.Struct]:
    """The Struct of a contract model: the same fields, types, defaults and constraints, nothing unknown allowed.
    `emailvelden` are plain text here (they are checked separately)."""
    if model in structs:
        return structs[model]
    beslissers = model.__pydantic_decorators__
    if beslissers.model_validators or beslissers.field_validators or model.model_config.get("extra") != "forbid":
        raise _NietOndersteund(model.__name__)
    velden: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for naam, info in model.model_fields.items():
        if info.alias or info.validation_alias or info.default_factory is not None:
            raise _NietOndersteund(f"{model.__name__}.{naam}")
        if naam in emailvelden:
            veldtype: Any = str if info.annotation is EmailStr else str | None
        else:
            veldtype = _type(info.annotation, info.metadata, structs)
        velden.append((naam, veldtype) if info.default is PydanticUndefined else (naam, veldtype, info.default))
    struct = msgspec.defstruct(f"Snel{model.__name__}", velden, kw_only=True, forbid_unknown_fields=True)
    structs[model] = struct
    return struct


_EMAIL = TypeAdapter(EmailStr)


@lru_cache(maxsize=65_536)
def _email_geldig(adres: str) -> bool:
    try:
        _EMAIL.validate_python(adres)
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class Soort:
    """How to read one projectable subject."""

    model: type[Event]
    snel: msgspec.json.Decoder[Any] | None  # None: pydantic validates every message of this type
    emailvelden: tuple[str, ...]
    naar_feit: Callable[[Any, int], Projectiefeit]


def _soort(model: type[Event]) -> Soort:
    emailvelden = _emailvelden(model)
    try:
        snel: msgspec.json.Decoder[Any] | None = msgspec.json.Decoder(_struct(model, {}, emailvelden))
    except _NietOndersteund:
        snel = None
    return Soort(model, snel, emailvelden, feitfunctie(model))


SOORTEN: dict[str, Soort] = {t.subject(): _soort(t) for t in PROJECTEERBAAR}


def ontleed(soort: Soort, data: bytes) -> Any:
    """The event in the message, as the contract model validates it: a generated Struct or the model itself, with the
    same attributes. Raises OngeldigBericht when the contract model rejects the message."""
    if soort.snel is not None:
        try:
            event = soort.snel.decode(data)
        except msgspec.MsgspecError:
            pass  # not necessarily invalid: pydantic accepts more spellings; it decides below
        else:
            if all((adres := getattr(event, veld)) is None or _email_geldig(adres) for veld in soort.emailvelden):
                return event
    try:
        return soort.model.model_validate_json(data)
    except (ValidationError, ValueError) as exc:
        raise OngeldigBericht(str(exc)) from exc
