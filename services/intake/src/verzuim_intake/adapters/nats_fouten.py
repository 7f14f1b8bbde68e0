"""One place that knows which exceptions mean "NATS cannot take this now"."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import nats.errors
from faststream.exceptions import FastStreamException

from verzuim_intake.domain.fouten import BerichtenbusNietBeschikbaar

log = logging.getLogger(__name__)

NATS_STORINGEN: tuple[type[BaseException], ...] = (nats.errors.Error, TimeoutError, FastStreamException, OSError)


@contextlib.contextmanager
def als_storing(wat: str) -> Iterator[None]:
    """Turn a NATS failure during `wat` into BerichtenbusNietBeschikbaar (answered with 503 + Retry-After)."""
    try:
        yield
    except NATS_STORINGEN as exc:
        log.warning("NATS could not %s: %s: %s", wat, type(exc).__name__, exc)
        raise BerichtenbusNietBeschikbaar(
            f"De berichtenbus (NATS) kon het verzoek nu niet aannemen ({wat}). Probeer het straks opnieuw: "
            "met dezelfde Idempotency-Key (of dezelfde synchronisatie) wordt niets dubbel verwerkt."
        ) from exc
