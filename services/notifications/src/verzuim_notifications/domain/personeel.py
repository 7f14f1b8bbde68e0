"""The personeel facts notifications needs to find a recipient: who a medewerker is, in which afdeling, and who
leads it. Pure functions from the current state and one event to the next state.

Every function is idempotent (applying the same event twice gives the same state) and tolerant of order: the
stream delivers in order, but a message that failed once is redelivered after later ones. Hence:
- a medewerker's data (naam, email, afdeling, leidinggevende) apply from a date (`geldig_vanaf`; for
  MedewerkerInDienst the datum_in_dienst). Data with an older date never overwrite newer data; with the same
  date the later message in the stream (higher stream sequence) wins, so a correction on the same day applies;
- an afdeling is a full snapshot without a date: the later message in the stream wins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from verzuim_shared.events import (
    AfdelingVastgelegd,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
)


@dataclass(frozen=True)
class Medewerker:
    werkgever_id: str
    werknemer_id: str
    # The data as they apply from `geldig_vanaf`; None while only an uit-dienst is known.
    naam: str | None = None
    email: str | None = None
    afdeling_id: str | None = None
    # Only set when it differs from the afdeling's leidinggevende.
    leidinggevende_id: str | None = None
    geldig_vanaf: date | None = None
    # Stream sequence of the message the data came from: breaks ties between data with the same geldig_vanaf.
    gegevens_sequence: int = 0
    datum_in_dienst: date | None = None
    # Last day of employment.
    datum_uit_dienst: date | None = None


@dataclass(frozen=True)
class Afdeling:
    werkgever_id: str
    afdeling_id: str
    naam: str
    leidinggevende_id: str | None
    hr_adviseur_id: str | None
    rayonmanager_id: str | None
    rayon: str | None
    sequence: int


def _is_nieuwer(huidig: Medewerker, geldig_vanaf: date, sequence: int) -> bool:
    if huidig.geldig_vanaf is None:
        return True
    return (geldig_vanaf, sequence) >= (huidig.geldig_vanaf, huidig.gegevens_sequence)


def _met_gegevens(
    huidig: Medewerker, event: MedewerkerInDienst | MedewerkerGegevensGewijzigd, geldig_vanaf: date, sequence: int
) -> Medewerker:
    if not _is_nieuwer(huidig, geldig_vanaf, sequence):
        return huidig
    return replace(
        huidig,
        naam=event.naam,
        email=event.email,
        afdeling_id=event.afdeling_id,
        leidinggevende_id=event.leidinggevende_id,
        geldig_vanaf=geldig_vanaf,
        gegevens_sequence=sequence,
    )


def na_in_dienst(huidig: Medewerker | None, event: MedewerkerInDienst, sequence: int) -> Medewerker:
    """A (new) employment: its data apply from datum_in_dienst; a later employment replaces an ended one."""
    huidig = huidig or Medewerker(werkgever_id=event.werkgever_id, werknemer_id=event.werknemer_id)
    volgende = _met_gegevens(huidig, event, event.datum_in_dienst, sequence)
    if huidig.datum_in_dienst is not None and event.datum_in_dienst < huidig.datum_in_dienst:
        return volgende  # an earlier employment, redelivered late: the current one stays
    uit_dienst = huidig.datum_uit_dienst
    if uit_dienst is not None and uit_dienst < event.datum_in_dienst:
        uit_dienst = None  # that employment ended before this one began
    return replace(volgende, datum_in_dienst=event.datum_in_dienst, datum_uit_dienst=uit_dienst)


def na_gegevens_gewijzigd(huidig: Medewerker | None, event: MedewerkerGegevensGewijzigd, sequence: int) -> Medewerker:
    huidig = huidig or Medewerker(werkgever_id=event.werkgever_id, werknemer_id=event.werknemer_id)
    return _met_gegevens(huidig, event, event.geldig_vanaf, sequence)


def na_uit_dienst(huidig: Medewerker | None, event: MedewerkerUitDienst) -> Medewerker:
    """The end of the current employment; an end before the current datum_in_dienst belongs to an earlier one."""
    huidig = huidig or Medewerker(werkgever_id=event.werkgever_id, werknemer_id=event.werknemer_id)
    if huidig.datum_in_dienst is not None and event.datum_uit_dienst < huidig.datum_in_dienst:
        return huidig
    return replace(huidig, datum_uit_dienst=event.datum_uit_dienst)


def na_afdeling_vastgelegd(huidig: Afdeling | None, event: AfdelingVastgelegd, sequence: int) -> Afdeling:
    if huidig is not None and sequence < huidig.sequence:
        return huidig
    return Afdeling(
        werkgever_id=event.werkgever_id,
        afdeling_id=event.afdeling_id,
        naam=event.naam,
        leidinggevende_id=event.leidinggevende_id,
        hr_adviseur_id=event.hr_adviseur_id,
        rayonmanager_id=event.rayonmanager_id,
        rayon=event.rayon,
        sequence=sequence,
    )
