"""Deterministic ids. A retried request yields the same ids, so its publish carries the same Nats-Msg-Id and
JetStream stores it once; a re-sync of identical HR data is a no-op for the same reason."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from verzuim_shared.ids import derived_id, melding_id_for_idempotency_key

__all__ = [
    "afdeling_vastgelegd_id",
    "canonieke_json",
    "herstel_gemeld_id",
    "herstel_id_for_idempotency_key",
    "inhoud_hash",
    "medewerker_gegevens_gewijzigd_id",
    "medewerker_in_dienst_id",
    "medewerker_uit_dienst_id",
    "melding_id_for_idempotency_key",
    "vingerafdruk",
    "ziek_gemeld_id",
]


def canonieke_json(data: Any) -> bytes:
    """One byte string per value: sorted keys, no whitespace."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def inhoud_hash(data: Any) -> str:
    return hashlib.sha256(canonieke_json(data)).hexdigest()


def vingerafdruk(request: BaseModel) -> str:
    """sha256 of the canonical request body (after validation, so key order and defaults do not matter)."""
    return inhoud_hash(request.model_dump(mode="json"))


def ziek_gemeld_id(melding_id: UUID) -> UUID:
    return derived_id("ziek-gemeld", melding_id)


def herstel_id_for_idempotency_key(werkgever_id: str, key: str) -> UUID:
    return derived_id("herstel", werkgever_id, key)


def herstel_gemeld_id(herstel_id: UUID) -> UUID:
    return derived_id("herstel-gemeld", herstel_id)


def medewerker_in_dienst_id(werkgever_id: str, werknemer_id: str, datum_in_dienst: object) -> UUID:
    return derived_id("medewerker-in-dienst", werkgever_id, werknemer_id, datum_in_dienst)


def medewerker_gegevens_gewijzigd_id(werkgever_id: str, werknemer_id: str, inhoud: str) -> UUID:
    return derived_id("medewerker-gegevens-gewijzigd", werkgever_id, werknemer_id, inhoud)


def medewerker_uit_dienst_id(werkgever_id: str, werknemer_id: str, datum_uit_dienst: object) -> UUID:
    return derived_id("medewerker-uit-dienst", werkgever_id, werknemer_id, datum_uit_dienst)


def afdeling_vastgelegd_id(werkgever_id: str, inhoud: str) -> UUID:
    return derived_id("afdeling-vastgelegd", werkgever_id, inhoud)
