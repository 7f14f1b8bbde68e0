"""Deterministic ids. A retried request yields the same ids, so its publish carries the same Nats-Msg-Id and
JetStream stores it once, and a consumer that sees it again (after the dedupe window) recognises the same melding.

The id of a melding sent with an Idempotency-Key depends on the key *and* the request's fingerprint: the key alone
is only remembered for a while (the KV TTL), and a later, different request under the same key must not take the
id of the first one (consumers would drop it as a redelivery)."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from verzuim_shared.ids import derived_id, melding_id_for_request

__all__ = [
    "afdeling_vastgelegd_id",
    "canonieke_json",
    "herstel_gemeld_id",
    "herstel_id_for_request",
    "inhoud_hash",
    "medewerker_gegevens_gewijzigd_id",
    "medewerker_in_dienst_id",
    "medewerker_uit_dienst_id",
    "melding_id_for_request",
    "vingerafdruk",
    "ziek_gemeld_id",
]


def canonieke_json(data: Any) -> bytes:
    """One byte string per value: sorted keys, no whitespace."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def inhoud_hash(data: Any) -> str:
    return hashlib.sha256(canonieke_json(data)).hexdigest()


def vingerafdruk(request: BaseModel) -> str:
    """sha256 of the canonical request body: after validation (so key order and number spelling do not matter) and
    without the fields that have their default value (so leaving a field out is the same as sending its default, and
    a field added to the request model later does not change the fingerprint of a request sent before: a retry
    across an upgrade still maps to the same melding)."""
    return inhoud_hash(request.model_dump(mode="json", exclude_defaults=True))


def ziek_gemeld_id(melding_id: UUID) -> UUID:
    return derived_id("ziek-gemeld", melding_id)


def herstel_id_for_request(werkgever_id: str, key: str, vingerafdruk: str) -> UUID:
    """Like `melding_id_for_request`: key and fingerprint, so a key reused after its TTL never takes an old id."""
    return derived_id("herstel-verzoek", hashlib.sha256(key.encode()).hexdigest(), vingerafdruk, werkgever_id)


def herstel_gemeld_id(herstel_id: UUID) -> UUID:
    return derived_id("herstel-gemeld", herstel_id)


def medewerker_in_dienst_id(werkgever_id: str, werknemer_id: str, datum_in_dienst: object) -> UUID:
    return derived_id("medewerker-in-dienst", werkgever_id, werknemer_id, datum_in_dienst)


def medewerker_gegevens_gewijzigd_id(
    werkgever_id: str, werknemer_id: str, inhoud: str, vorige_event_id: str | None
) -> UUID:
    """From the snapshot (content and geldig_vanaf) and the snapshot it replaces (none for the first)."""
    return derived_id("medewerker-gegevens-gewijzigd", werkgever_id, werknemer_id, inhoud, vorige_event_id or "-")


def medewerker_uit_dienst_id(werkgever_id: str, werknemer_id: str, datum_uit_dienst: object) -> UUID:
    return derived_id("medewerker-uit-dienst", werkgever_id, werknemer_id, datum_uit_dienst)


def afdeling_vastgelegd_id(werkgever_id: str, inhoud: str, vorige_event_id: str | None) -> UUID:
    return derived_id("afdeling-vastgelegd", werkgever_id, inhoud, vorige_event_id or "-")
