"""Domain errors of the intake. The HTTP layer turns each into a problem+json answer a person can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fout:
    """One thing wrong with the input: the field (dotted path) and what is wrong with it, in Dutch."""

    veld: str
    melding: str


class IntakeFout(Exception):
    """Base of the errors the intake raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class OngeldigeInvoer(IntakeFout):
    """The input is well-formed but breaks a rule (e.g. a date in the future)."""

    def __init__(self, fouten: list[Fout]) -> None:
        super().__init__("; ".join(f"{f.veld}: {f.melding}" for f in fouten))
        self.fouten = fouten


class MedischeGegevensNietToegestaan(IntakeFout):
    def __init__(self, velden: list[str], detail: str) -> None:
        super().__init__(detail)
        self.velden = velden


class IdempotencyKeyHergebruikt(IntakeFout):
    """The same Idempotency-Key was used before with a different request body."""


class GeenToegang(IntakeFout):
    """The caller may not do this for this werkgever or werknemer."""


class BerichtenbusNietBeschikbaar(IntakeFout):
    """NATS could not take the publish (timeout, no stream, not connected). The client can safely retry."""
