"""Domain errors of the verzuimdossier. Each message is plain Dutch, for the person who sent the command."""

from __future__ import annotations

from datetime import date
from uuid import UUID


class DossierFout(Exception):
    """A command that the dossier refuses in its current state. Raised before any event is recorded."""

    def __init__(self, melding: str) -> None:
        super().__init__(melding)
        self.melding = melding


class DossierAlHersteld(DossierFout):
    def __init__(self, hersteldatum: date) -> None:
        super().__init__(
            f"Het dossier is al gesloten: de werknemer is volledig hersteld per {hersteldatum.isoformat()}. "
            "Een nieuwe herstelmelding kan pas na een nieuwe ziekmelding."
        )
        self.hersteldatum = hersteldatum


class HerstelVoorEersteZiektedag(DossierFout):
    def __init__(self, hersteldatum: date, eerste_ziektedag: date, *, volledig: bool) -> None:
        if volledig:
            uitleg = (
                f"De hersteldatum {hersteldatum.isoformat()} moet na de eerste ziektedag "
                f"{eerste_ziektedag.isoformat()} liggen: het is de eerste dag waarop de werknemer weer volledig "
                "kan werken."
            )
        else:
            uitleg = (
                f"Het gedeeltelijk herstel per {hersteldatum.isoformat()} ligt vóór de eerste ziektedag "
                f"{eerste_ziektedag.isoformat()}."
            )
        super().__init__(uitleg)
        self.hersteldatum = hersteldatum
        self.eerste_ziektedag = eerste_ziektedag


class HerstelNietNaVorigeWijziging(DossierFout):
    def __init__(self, hersteldatum: date, vorige: date) -> None:
        super().__init__(
            f"De hersteldatum {hersteldatum.isoformat()} moet na de vorige wijziging van de "
            f"arbeidsongeschiktheid ({vorige.isoformat()}) liggen. Een correctie van een eerdere melding is "
            "een aparte handeling."
        )
        self.hersteldatum = hersteldatum
        self.vorige = vorige


class OngeldigArbeidsongeschiktheidspercentage(DossierFout):
    def __init__(self, percentage: int, *, volledig: bool) -> None:
        if volledig:
            uitleg = f"Bij volledig herstel is de werknemer 0% arbeidsongeschikt, niet {percentage}%."
        else:
            uitleg = (
                f"Bij gedeeltelijk herstel ligt het arbeidsongeschiktheidspercentage tussen 1 en 99, "
                f"niet op {percentage}%."
            )
        super().__init__(uitleg)
        self.percentage = percentage


class HerstelAlGeregistreerd(DossierFout):
    def __init__(self, herstel_id: UUID) -> None:
        super().__init__(f"De herstelmelding {herstel_id} staat al in het dossier.")
        self.herstel_id = herstel_id
