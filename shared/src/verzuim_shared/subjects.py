"""Subject and stream names of the public contract: `verzuim.<stream>.v1.<kebab-type>`."""

from __future__ import annotations

import re
from enum import StrEnum


class Stream(StrEnum):
    INTAKE = "intake"
    PERSONEEL = "personeel"
    DOSSIER = "dossier"
    TERMIJN = "termijn"
    DEADLETTER = "deadletter"

    @property
    def jetstream_name(self) -> str:
        return f"VERZUIM_{self.name}"

    @property
    def wildcard(self) -> str:
        return f"verzuim.{self.value}.>"


def kebab(name: str) -> str:
    """`ZiekGemeld` -> `ziek-gemeld`, `Uwv42eWeeksmeldingGedaan` -> `uwv-42e-weeksmelding-gedaan`."""
    return re.sub(r"(?<=[a-z])(?=[0-9])|(?<!^)(?<!-)(?=[A-Z])", "-", name).lower()


def subject(stream: Stream, type_name: str, version: int = 1) -> str:
    """`type_name` may be a class name (`ZiekGemeld`) or already kebab-case (`gepland`)."""
    return f"verzuim.{stream.value}.v{version}.{kebab(type_name)}"


def dead_letter_subject(consumer: str) -> str:
    return f"verzuim.deadletter.v1.{consumer}"
