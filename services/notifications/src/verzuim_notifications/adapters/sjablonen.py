"""The Dutch message templates (Jinja2, in the package's `templates/` folder): one per signal kind.

Each template extends `_basis.txt.j2` and fills the blocks `titel`, `kern` (what happened), `taken` (what to do, for a
task) and optionally `info`. The base adds the note for a recipient who stands in for an empty role, the deadline
and the links to the dossier and the termijn. Messages are plain text (inbox, e-mail, webhook), so autoescaping is
off; StrictUndefined turns a missing value into an error instead of a silently empty sentence.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from verzuim_shared.clock import NL

from verzuim_notifications.domain.berichten import BerichtInhoud, Tekst
from verzuim_notifications.domain.regiemodel import Ontvangerrol

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

ROLNAMEN = {
    Ontvangerrol.WERKNEMER.value: "werknemer",
    Ontvangerrol.LEIDINGGEVENDE.value: "leidinggevende",
    Ontvangerrol.BEGELEIDER.value: "begeleider van het dossier",
    Ontvangerrol.CASEMANAGER.value: "casemanager",
    Ontvangerrol.VERZUIMCOACH.value: "verzuimcoach",
    Ontvangerrol.WERKCOACH.value: "werkcoach spoor 2",
    Ontvangerrol.HR_ADVISEUR.value: "HR-adviseur",
    Ontvangerrol.RAYONMANAGER.value: "rayonmanager",
    Ontvangerrol.BEDRIJFSARTS.value: "bedrijfsarts",
    Ontvangerrol.TAAKGEDELEGEERDE.value: "taakgedelegeerde",
    "hr": "HR",
    "beheerder": "beheerder",
    "arbeidsdeskundige": "arbeidsdeskundige",
}

TERMIJNNAMEN = {
    "ARBODIENST_MELDING": "ziekmelding bij de arbodienst",
    "BELAFSPRAAK": "belafspraak",
    "PROBLEEMANALYSE": "probleemanalyse",
    "PLAN_VAN_AANPAK": "plan van aanpak",
    "EVALUATIE": "evaluatie van het plan van aanpak",
    "UWV_42E_WEEK_MELDING": "42e-weeksmelding bij UWV",
    "EERSTEJAARSEVALUATIE": "eerstejaarsevaluatie",
    "SPOOR_2_START": "start van spoor 2",
    "WACHTTIJD_EINDE": "einde van de wachttijd",
    "RE_INTEGRATIEVERSLAG": "re-integratieverslag",
    "WIA_AANVRAAG": "WIA-aanvraag",
}


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


def rolnaam(value: str | None) -> str:
    return ROLNAMEN.get(value or "", value or "")


def termijnnaam(code: str) -> str:
    return TERMIJNNAMEN.get(code, code.replace("_", " ").lower())


class Sjablonen:
    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("verzuim_notifications", "templates"),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._env.filters["datum"] = datum
        self._env.filters["tijd"] = tijd
        self._env.filters["zinsbegin"] = zinsbegin
        self._env.filters["rolnaam"] = rolnaam
        self._env.filters["termijnnaam"] = termijnnaam
        # Fail at start, not at the first message, when a template is missing or broken.
        from verzuim_notifications.domain.signalen import SignaalSoort

        self._templates = {s.value: self._env.get_template(f"{s.value}.txt.j2") for s in SignaalSoort}

    def bericht(self, inhoud: BerichtInhoud) -> Tekst:
        template: Template = self._templates[inhoud.signaal.soort.value]
        context = self._context(inhoud)
        titel = "".join(template.blocks["titel"](template.new_context(context))).strip()
        tekst = "\n".join(regel.rstrip() for regel in template.render(context).strip().splitlines())
        while "\n\n\n" in tekst:
            tekst = tekst.replace("\n\n\n", "\n\n")
        return Tekst(titel=titel, tekst=tekst)

    @staticmethod
    def _context(inhoud: BerichtInhoud) -> dict[str, Any]:
        s = inhoud.signaal
        return {
            **s.feiten,
            "soort": inhoud.soort.value,
            "taak": inhoud.soort.value == "taak",
            "rol": inhoud.rol.value if inhoud.rol else None,
            "team": inhoud.team,
            "aan_werknemer": inhoud.aan_werknemer,
            "wie": inhoud.wie,
            "werknemer_id": s.werknemer_id,
            "datum_feit": s.datum,
            "deadline": inhoud.deadline,
            "dossier_link": inhoud.dossier_link,
            "termijn_link": inhoud.termijn_link,
            "namens": inhoud.namens.value if inhoud.namens else None,
            "reden": inhoud.reden.value if inhoud.reden else None,
            "namen": inhoud.namen,
        }
