"""The base of every public event: an immutable fact with a stable id, its tenant, its actor and its recording time."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from verzuim_shared.subjects import Stream, kebab, subject


class ContractModel(BaseModel):
    """Every schema of the contract forbids unknown fields, so nothing unexpected (e.g. medical data) slips in."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rol(StrEnum):
    WERKNEMER = "werknemer"
    LEIDINGGEVENDE = "leidinggevende"
    CASEMANAGER = "casemanager"
    VERZUIMCOACH = "verzuimcoach"
    HR = "hr"
    BEDRIJFSARTS = "bedrijfsarts"
    TAAKGEDELEGEERDE = "taakgedelegeerde"
    ARBEIDSDESKUNDIGE = "arbeidsdeskundige"
    AUDITOR = "auditor"
    BEHEERDER = "beheerder"
    SYSTEEM = "systeem"


class Actor(ContractModel):
    """Who did it, in which role."""

    id: str = Field(min_length=1, max_length=200)
    rol: Rol


EVENT_TYPES: dict[str, type[Event]] = {}


class Event(ContractModel):
    stream: ClassVar[Stream]
    schema_version: ClassVar[int] = 1
    # The last part of the subject; defaults to the class name in kebab-case.
    event_type: ClassVar[str | None] = None

    event_id: UUID = Field(description="Stable id of this fact; also its Nats-Msg-Id and CloudEvents id")
    werkgever_id: str = Field(min_length=1, max_length=100, description="The tenant")
    geregistreerd_op: AwareDatetime = Field(description="When the system recorded the fact")
    actor: Actor

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "stream" in cls.__dict__:
            EVENT_TYPES[cls.subject()] = cls

    @classmethod
    def type_name(cls) -> str:
        return cls.event_type or kebab(cls.__name__)

    @classmethod
    def subject(cls) -> str:
        return subject(cls.stream, cls.type_name(), cls.schema_version)


def event_type_for_subject(subj: str) -> type[Event]:
    try:
        return EVENT_TYPES[subj]
    except KeyError:
        raise UnknownEventType(subj) from None


class UnknownEventType(LookupError):
    def __init__(self, subj: str) -> None:
        super().__init__(f"no event type is registered for subject {subj!r}")
        self.subject = subj


def parse_event(subj: str, body: bytes) -> Event:
    return event_type_for_subject(subj).model_validate_json(body)
