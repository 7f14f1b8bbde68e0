"""The hash chain over a dossier's events (tamper evidence).

Every event carries `keten_hash` = sha256(previous event's `keten_hash` ‖ canonical JSON of the event's own content,
as it was first recorded). Changing, removing or reordering a stored event therefore breaks the chain at that event
(or, when an attacker also rewrote the event's own hash, at the next one). Pure functions: no I/O.

Snapshots are a copy of the dossier's state at a version, outside the chain. They are checked by comparing each one
with the state the events give at that version (`vergelijk_toestand`): a snapshot must be derivable from the events.

The canonical form is JSON with sorted keys and no whitespace. Dates and times are ISO 8601 (times in UTC), UUIDs
their string form, an `Actor` its `{"id", "rol"}` pair. The content covers the event type (its stored topic), the
dossier id, the version, the recording timestamp and every attribute except the hash itself and eventsourcing's
`class_version` (upcasting changes how an old event is read, never what was sealed).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from verzuim_shared.events import Actor

# The "previous hash" of version 1.
GENESIS = "0" * 64
HASH_ATTRIBUTE = "keten_hash"
# Attributes that are not part of the sealed content.
NOT_SEALED = frozenset({HASH_ATTRIBUTE, "class_version"})


def _json_default(value: Any) -> Any:
    """The canonical form of what JSON has no type for (dicts, lists, str, int, float, bool and None it has)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Actor):
        return {"id": value.id, "rol": value.rol.value}
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"no canonical form for {type(value).__name__}")


# A str-valued enum (StrEnum) is written as its value by the encoder, like the str it is.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def inhoud(topic: str, originator_id: UUID, versie: int, attributen: Mapping[str, Any]) -> bytes:
    """The sealed content of one event, in canonical JSON."""
    body = {k: v for k, v in attributen.items() if k not in NOT_SEALED}
    body.update(originator_id=originator_id, originator_version=versie, _type=topic)
    return _ENCODER.encode(body).encode()


def schakel(vorige_hash: str, topic: str, originator_id: UUID, versie: int, attributen: Mapping[str, Any]) -> str:
    """The `keten_hash` of an event: sha256 over the previous hash and the event's own content."""
    digest = hashlib.sha256(vorige_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(inhoud(topic, originator_id, versie, attributen))
    return digest.hexdigest()


def onverzegelde_schakel(vorige_hash: str, topic: str, originator_id: UUID, versie: int) -> str:
    """The link for an event stored before the chain existed (no `keten_hash`): it covers its place in the chain, not
    its content, which nobody sealed when it was written."""
    digest = hashlib.sha256(vorige_hash.encode("ascii"))
    digest.update(f"\nonverzegeld|{topic}|{originator_id}|{versie}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class OpgeslagenGebeurtenis:
    """One stored event as the verifier reads it: straight from the store, before any upcasting."""

    versie: int
    topic: str
    attributen: Mapping[str, Any]


@dataclass(frozen=True)
class Breuk:
    versie: int
    reden: str


@dataclass(frozen=True)
class Ketencontrole:
    intact: bool
    versies: int
    kop_hash: str
    eerste_breuk: Breuk | None
    onverzegeld: tuple[int, ...]  # versions stored before the chain existed (their content is not covered)


@dataclass(frozen=True)
class Integriteit:
    """The whole integrity check of a dossier: its hash chain and its snapshots."""

    keten: Ketencontrole
    snapshots: tuple[int, ...]  # the versions of the stored snapshots
    snapshot_breuken: tuple[Breuk, ...]  # every snapshot that is not what the events give at its version

    @property
    def intact(self) -> bool:
        return self.keten.intact and not self.snapshot_breuken


def controleer_keten(
    dossier_id: UUID,
    gebeurtenissen: list[OpgeslagenGebeurtenis],
    *,
    verwachte_versie: int | None = None,
    verwachte_kop_hash: str | None = None,
) -> Ketencontrole:
    """Recompute the chain over the stored events (in version order) and name the first broken link.

    `verwachte_versie` / `verwachte_kop_hash` come from a second record of the dossier's head (the lookup row written
    in the same transaction): they reveal events removed from the end, which the chain alone cannot show.
    """
    vorige = GENESIS
    onverzegeld: list[int] = []
    breuk: Breuk | None = None
    for positie, gebeurtenis in enumerate(sorted(gebeurtenissen, key=lambda g: g.versie), start=1):
        if gebeurtenis.versie != positie:
            breuk = Breuk(
                positie, f"versie {positie} ontbreekt (de volgende opgeslagen versie is {gebeurtenis.versie})"
            )
            break
        opgeslagen = gebeurtenis.attributen.get(HASH_ATTRIBUTE)
        if opgeslagen is None:
            if positie > len(onverzegeld) + 1:
                # Only the first release stored events without a hash, and only at the start of a dossier: an
                # unsealed event after a sealed one had its hash removed (which would skip its content).
                breuk = Breuk(
                    positie,
                    f"versie {positie} heeft geen hash, terwijl eerdere versies die wel hebben: de hash is verwijderd",
                )
                break
            onverzegeld.append(positie)
            vorige = onverzegelde_schakel(vorige, gebeurtenis.topic, dossier_id, positie)
            continue
        berekend = schakel(vorige, gebeurtenis.topic, dossier_id, positie, gebeurtenis.attributen)
        if berekend != opgeslagen:
            breuk = Breuk(
                positie,
                f"de inhoud van versie {positie} of de hash van de vorige versie is gewijzigd na het vastleggen "
                f"(opgeslagen hash {opgeslagen[:12]}…, berekend {berekend[:12]}…)",
            )
            break
        vorige = opgeslagen
    aantal = len(gebeurtenissen)
    if breuk is None and verwachte_versie is not None and aantal != verwachte_versie:
        if aantal < verwachte_versie:
            breuk = Breuk(aantal + 1, f"versie {aantal + 1} tot en met {verwachte_versie} ontbreken in de opslag")
        else:
            breuk = Breuk(
                verwachte_versie + 1, f"versie {verwachte_versie + 1} en verder zijn buiten de applicatie om toegevoegd"
            )
    if breuk is None and verwachte_kop_hash is not None and vorige != verwachte_kop_hash:
        breuk = Breuk(aantal, f"de hash van de laatste versie ({aantal}) wijkt af van de vastgelegde kop van de keten")
    return Ketencontrole(
        intact=breuk is None, versies=aantal, kop_hash=vorige, eerste_breuk=breuk, onverzegeld=tuple(onverzegeld)
    )


# Attributes of an aggregate that are not its state: the events it has not saved yet.
NIET_IN_SNAPSHOT = frozenset({"_pending_events"})


def _vergelijkbaar(value: Any) -> Any:
    """A plain form of a state value: what JSON cannot tell apart (a tuple and a list, an enum and its value, two
    notations of one instant) compares equal; a dataclass keeps its type name, so different kinds never do."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return ("datetime", value.astimezone(UTC).isoformat())
    if isinstance(value, date):
        return ("date", value.isoformat())
    if isinstance(value, UUID):
        return ("uuid", str(value))
    if isinstance(value, Actor):
        return ("actor", value.id, value.rol.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            {f.name: _vergelijkbaar(getattr(value, f.name)) for f in dataclasses.fields(value)},
        )
    if isinstance(value, Mapping):
        return {str(k): _vergelijkbaar(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_vergelijkbaar(v) for v in value]
    return value


def _gelijk(a: Any, b: Any) -> bool:
    # Python's own equality first (fast, and right when both came back as the same types); the plain forms only when
    # it says no, e.g. for a tuple that JSON turned into a list.
    return bool(a == b) or _vergelijkbaar(a) == _vergelijkbaar(b)


def vergelijk_toestand(uit_gebeurtenissen: Mapping[str, Any], uit_snapshot: Mapping[str, Any]) -> str | None:
    """Compare a dossier's state replayed from its events with the state a snapshot gives at the same version.

    Returns None when they are equal, else which attributes differ (in Dutch, for the integrity report)."""
    namen = sorted((set(uit_gebeurtenissen) | set(uit_snapshot)) - NIET_IN_SNAPSHOT)
    anders = [
        naam
        for naam in namen
        if naam not in uit_gebeurtenissen
        or naam not in uit_snapshot
        or not _gelijk(uit_gebeurtenissen[naam], uit_snapshot[naam])
    ]
    if not anders:
        return None
    return f"wijkt af van de toestand die de gebeurtenissen geven, in: {', '.join(anders)}"
