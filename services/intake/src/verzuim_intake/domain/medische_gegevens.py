"""Recognise medical data in raw input before anything else looks at it.

An employer may not record a diagnosis, the nature or cause of the illness, symptoms, treatment or medication
(AVG art. 9; Autoriteit Persoonsgegevens; decisions D9): only the bedrijfsarts may. The contract schemas have no
place for such data, but a client that sends it anyway gets a specific refusal that explains why, instead of a
generic "unknown field". The check looks at every key at every depth, case-insensitively, also inside longer keys
such as `diagnose_code` or `PijnKlachten`.
"""

from __future__ import annotations

import re
from typing import Any

# Word stems (lower case, letters only). A key is medical when its letters contain one of them.
MEDISCHE_STAMMEN: tuple[str, ...] = (
    "diagnos",  # diagnose, diagnoses, diagnosis, diagnosecode
    "oorzaak",
    "oorzaken",
    "cause",  # cause, causes
    "symptoom",
    "symptomen",
    "symptom",  # symptom, symptoms
    "klacht",  # klacht, klachten, pijnklachten
    "behandel",  # behandeling, behandelaar, behandelplan
    "treatment",
    "medicatie",
    "medicijn",  # medicijn, medicijnen
    "medication",
    "medicine",
    "medisch",  # medische_gegevens, medisch_dossier
    "medical",
    "aandoening",
    "ziektebeeld",
    "kwaal",
)

_NIET_LETTERS = re.compile(r"[^a-z]")


def is_medische_sleutel(key: str) -> bool:
    letters = _NIET_LETTERS.sub("", key.lower())
    return any(stam in letters for stam in MEDISCHE_STAMMEN)


def medische_velden(data: Any, pad: str = "") -> list[str]:
    """The paths (e.g. `bereikbaarheid.klachten`, `medewerkers[3].diagnose`) of every medical key in `data`."""
    gevonden: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            naam = str(key)
            veld = f"{pad}.{naam}" if pad else naam
            if is_medische_sleutel(naam):
                gevonden.append(veld)
            gevonden.extend(medische_velden(value, veld))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            gevonden.extend(medische_velden(value, f"{pad}[{index}]"))
    return gevonden


def uitleg_medische_gegevens(velden: list[str]) -> str:
    """The refusal in plain Dutch, naming the offending fields."""
    genoemd = ", ".join(f"'{veld}'" for veld in velden)
    meervoud = "de velden" if len(velden) > 1 else "het veld"
    return (
        f"De invoer bevat medische gegevens ({meervoud} {genoemd}). Een werkgever mag geen medische gegevens "
        "vastleggen, zoals de diagnose, de oorzaak of de aard van de ziekte, klachten, behandeling of medicatie "
        "(AVG): alleen de bedrijfsarts mag die gegevens kennen en registreren. Verwijder "
        f"{meervoud} en stuur het verzoek opnieuw; er is niets opgeslagen of doorgestuurd."
    )
