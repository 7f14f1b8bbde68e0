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


# ---------------------------------------------------------------------------------------------- process steps


class DossierIsGesloten(DossierFout):
    def __init__(self, gesloten_op: date, reden: str) -> None:
        super().__init__(
            f"Het dossier is gesloten sinds {gesloten_op.isoformat()} ({reden}); er kan niets meer aan worden "
            "toegevoegd."
        )
        self.gesloten_op = gesloten_op


class DatumVoorEersteZiektedag(DossierFout):
    def __init__(self, stap: str, datum: date, eerste_ziektedag: date) -> None:
        super().__init__(
            f"De datum {datum.isoformat()} van '{stap}' ligt vóór de eerste ziektedag {eerste_ziektedag.isoformat()}: "
            "een stap in het dossier kan niet eerder zijn dan de ziekmelding."
        )
        self.datum = datum
        self.eerste_ziektedag = eerste_ziektedag


class DatumInDeToekomst(DossierFout):
    def __init__(self, stap: str, datum: date, vandaag: date) -> None:
        super().__init__(
            f"De datum {datum.isoformat()} van '{stap}' ligt in de toekomst (vandaag is {vandaag.isoformat()}): "
            "leg een stap vast als hij gedaan is."
        )
        self.datum = datum


class StapNaHerstel(DossierFout):
    def __init__(self, stap: str, datum: date, hersteldatum: date) -> None:
        super().__init__(
            f"De werknemer is volledig hersteld per {hersteldatum.isoformat()}; '{stap}' op {datum.isoformat()} "
            "past niet meer in dit dossier. Een stap van vóór het herstel kan wel (met die datum)."
        )
        self.datum = datum
        self.hersteldatum = hersteldatum


class StapVereistEerdereStap(DossierFout):
    def __init__(self, stap: str, vereist: str, uitleg: str) -> None:
        super().__init__(f"'{stap}' kan pas na '{vereist}': {uitleg}")
        self.stap = stap
        self.vereist = vereist


class StapAlGedaan(DossierFout):
    def __init__(self, stap: str, datum: date) -> None:
        super().__init__(f"'{stap}' staat al in het dossier (op {datum.isoformat()}); die stap gebeurt één keer.")
        self.stap = stap
        self.datum = datum


class OngeldigeStap(DossierFout):
    """The step's own data do not fit together or do not fit the dossier (the message says which)."""


class EpisodeOverlapt(DossierFout):
    def __init__(self, eerste_ziektedag: date, bestaand_begin: date, bestaand_einde: date | None) -> None:
        periode = (
            f"sinds {bestaand_begin.isoformat()} (nog niet hersteld)"
            if bestaand_einde is None
            else f"van {bestaand_begin.isoformat()} tot {bestaand_einde.isoformat()}"
        )
        super().__init__(
            f"De werknemer was op {eerste_ziektedag.isoformat()} al ziek: er loopt een episode {periode}. "
            "Een nieuwe ziekmelding kan pas na de hersteldatum."
        )


class EpisodeTussenvoegen(DossierFout):
    def __init__(self, eerste_ziektedag: date) -> None:
        super().__init__(
            f"Een ziekmelding met eerste ziektedag {eerste_ziektedag.isoformat()} valt tussen twee episodes van één "
            "dossier in; zo'n melding uit de historie kan niet achteraf worden tussengevoegd. Corrigeer het dossier."
        )


class SamentellingMetLaterDossier(DossierFout):
    def __init__(self, hersteldatum: date, later_begin: date) -> None:
        super().__init__(
            f"Met hersteldatum {hersteldatum.isoformat()} begint het latere dossier van deze werknemer "
            f"({later_begin.isoformat()}) binnen vier weken: volgens de samentellingsregel hoort dat bij dit dossier. "
            "De meldingen uit de historie kwamen in de verkeerde volgorde binnen; voeg ze in datumvolgorde toe."
        )


class DocumentOnbekend(DossierFout):
    def __init__(self, sha256: str) -> None:
        super().__init__(f"Het dossier heeft geen document met sha256 {sha256}.")
        self.sha256 = sha256


class DocumentAlOndertekend(DossierFout):
    def __init__(self, sha256: str, door: str) -> None:
        super().__init__(f"Het document {sha256[:12]}… is al ondertekend door {door}.")


class VersieConflict(DossierFout):
    def __init__(self, verwacht: int, huidig: int) -> None:
        super().__init__(
            f"Het dossier is intussen gewijzigd: u verwachtte versie {verwacht}, de huidige versie is {huidig}. "
            "Bekijk het dossier opnieuw en probeer het dan nog eens."
        )
        self.verwacht = verwacht
        self.huidig = huidig
