"""The Dutch message templates (Jinja2, in the package's `templates/` folder).

Each template has a `titel` and a `tekst` block. The inbox is plain text, so autoescaping is off here; an HTML
e-mail channel gets its own environment with autoescaping on. StrictUndefined turns a missing value into an error
instead of a silently empty sentence.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from verzuim_shared.clock import NL

from verzuim_notifications.domain.berichten import Tekst, ZiekmeldingInhoud

DAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def datum(value: date | datetime) -> str:
    """`maandag 6 januari 2025`; a moment is shown as its date in the Netherlands."""
    if isinstance(value, datetime):
        value = value.astimezone(NL).date()
    return f"{DAGEN[value.weekday()]} {value.day} {MAANDEN[value.month - 1]} {value.year}"


def tijd(value: datetime) -> str:
    """`08:30`, in Dutch time."""
    return value.astimezone(NL).strftime("%H:%M")


def zinsbegin(value: str) -> str:
    """The first letter upper case, the rest untouched (`werknemer wn-1` -> `Werknemer wn-1`)."""
    return value[:1].upper() + value[1:]


class Sjablonen:
    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("verzuim_notifications", "templates"),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["datum"] = datum
        self._env.filters["tijd"] = tijd
        self._env.filters["zinsbegin"] = zinsbegin

    def _render(self, naam: str, context: dict[str, Any]) -> Tekst:
        template: Template = self._env.get_template(naam)
        ctx = template.new_context(context)
        titel = "".join(template.blocks["titel"](ctx)).strip()
        tekst = "".join(template.blocks["tekst"](ctx)).strip()
        return Tekst(titel=titel, tekst=tekst)

    def ziekmelding(self, inhoud: ZiekmeldingInhoud) -> Tekst:
        return self._render(
            "ziekmelding.txt.j2",
            {
                "wie": inhoud.naam or f"werknemer {inhoud.werknemer_id}",
                "werknemer_id": inhoud.werknemer_id,
                "eerste_ziektedag": inhoud.eerste_ziektedag,
                "gemeld_op": inhoud.gemeld_op,
                "contactdag": inhoud.contactdag,
                "herstelafspraak": inhoud.herstelafspraak,
                "link": inhoud.link,
                "zonder_leidinggevende": inhoud.zonder_leidinggevende.value if inhoud.zonder_leidinggevende else None,
            },
        )
