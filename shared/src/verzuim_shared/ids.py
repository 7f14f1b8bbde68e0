"""Identifiers. Ids are made at the edge; ids derived from other ids are deterministic (uuid5)."""

from __future__ import annotations

import hashlib
import uuid

# Fixed namespace for every derived id in this system. Never change it: stored ids depend on it.
VERZUIM_NAMESPACE = uuid.UUID("5b0c6d0e-4f1a-4c59-9d1e-7a9b3f3c2a10")


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def derived_id(kind: str, *parts: object) -> uuid.UUID:
    """A stable id for `kind` from its parts: the same parts always give the same id."""
    return uuid.uuid5(VERZUIM_NAMESPACE, "|".join([kind, *(str(p) for p in parts)]))


def melding_id_for_request(werkgever_id: str, key: str, fingerprint: str) -> uuid.UUID:
    """The melding id of a ziekmelding sent with an Idempotency-Key: from the werkgever, the key *and* the
    fingerprint of the request body. A retry of the same request maps to the same id however late it comes; another
    request under a key that was used long ago gets an id of its own instead of silently taking the old one.

    The key is hashed and the werkgever comes last, so no choice of key or werkgever id can make two different
    triples join into the same string."""
    return derived_id("melding-verzoek", hashlib.sha256(key.encode()).hexdigest(), fingerprint, werkgever_id)


def melding_id_for_idempotency_key(werkgever_id: str, key: str) -> uuid.UUID:
    """The derivation from werkgever and key alone, as intake used it at first. Intake no longer does (a key reused
    after its 24 hours would map a new melding to an old id); kept so existing imports keep working."""
    return derived_id("melding", werkgever_id, key)


def dossier_id_for_melding(melding_id: uuid.UUID) -> uuid.UUID:
    """A dossier opened by a melding has an id derived from it, so a redelivered ZiekGemeld cannot open two."""
    return derived_id("dossier", melding_id)
