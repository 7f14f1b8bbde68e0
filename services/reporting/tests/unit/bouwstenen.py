"""Small builders of personeel and dossier facts for the pure-rule tests."""

from __future__ import annotations

from datetime import date
from itertools import count
from uuid import UUID, uuid4

from verzuim_reporting.domain.dossier import DossierFeit, DossierFeitSoort, DossierVerloop, OpbouwStap, dossier_verloop
from verzuim_reporting.domain.kerncijfers import WerknemerVerzuim
from verzuim_reporting.domain.personeel import MedewerkerFeit, PersoneelFeitSoort, personeelsbeeld
from verzuim_reporting.domain.verzuim import verzuim_van_werknemer
from verzuim_shared.events import HerstelSoort

_seq = count(1)


def volgnummer() -> int:
    return next(_seq)


def in_dienst(
    datum: date, *, afdeling: str = "afd", uren: float = 40, voltijd: float = 40, lg: str | None = None
) -> MedewerkerFeit:
    return MedewerkerFeit(uuid4(), PersoneelFeitSoort.IN_DIENST, datum, volgnummer(), afdeling, uren, voltijd, lg)


def gewijzigd(
    datum: date, *, afdeling: str = "afd", uren: float = 40, voltijd: float = 40, lg: str | None = None
) -> MedewerkerFeit:
    return MedewerkerFeit(uuid4(), PersoneelFeitSoort.GEGEVENS, datum, volgnummer(), afdeling, uren, voltijd, lg)


def uit_dienst(datum: date) -> MedewerkerFeit:
    return MedewerkerFeit(uuid4(), PersoneelFeitSoort.UIT_DIENST, datum, volgnummer())


class Dossier:
    """The facts of one dossier, built up step by step."""

    def __init__(self, eerste_ziektedag: date) -> None:
        self.dossier_id = uuid4()
        self.melding_id = uuid4()
        self.feiten: list[DossierFeit] = [
            DossierFeit(
                uuid4(),
                self.dossier_id,
                DossierFeitSoort.GEOPEND,
                eerste_ziektedag,
                volgnummer(),
                melding_id=self.melding_id,
            )
        ]

    def herstel(self, datum: date) -> Dossier:
        self.feiten.append(
            DossierFeit(
                uuid4(),
                self.dossier_id,
                DossierFeitSoort.HERSTEL,
                datum,
                volgnummer(),
                herstel_id=uuid4(),
                herstel_soort=HerstelSoort.VOLLEDIG,
                percentage=0,
            )
        )
        return self

    def deelherstel(self, datum: date, percentage: int) -> Dossier:
        self.feiten.append(
            DossierFeit(
                uuid4(),
                self.dossier_id,
                DossierFeitSoort.HERSTEL,
                datum,
                volgnummer(),
                herstel_id=uuid4(),
                herstel_soort=HerstelSoort.GEDEELTELIJK,
                percentage=percentage,
            )
        )
        return self

    def episode(self, eerste_ziektedag: date, melding_id: UUID | None = None) -> Dossier:
        self.feiten.append(
            DossierFeit(
                uuid4(),
                self.dossier_id,
                DossierFeitSoort.EPISODE,
                eerste_ziektedag,
                volgnummer(),
                melding_id=melding_id or uuid4(),
            )
        )
        return self

    def opbouwschema(self, datum: date, *stappen: tuple[date, float, int]) -> Dossier:
        self.feiten.append(
            DossierFeit(
                uuid4(),
                self.dossier_id,
                DossierFeitSoort.OPBOUWSCHEMA,
                datum,
                volgnummer(),
                stappen=tuple(OpbouwStap(v, u, lw) for v, u, lw in stappen),
            )
        )
        return self

    def correctie(self, feit: str, oud: date, nieuw: date) -> Dossier:
        self.feiten.append(
            DossierFeit(
                uuid4(),
                self.dossier_id,
                DossierFeitSoort.CORRECTIE,
                nieuw,
                volgnummer(),
                gecorrigeerd_feit=feit,
                oude_waarde=oud.isoformat(),
                nieuwe_waarde=nieuw.isoformat(),
            )
        )
        return self

    def gesloten(self, datum: date) -> Dossier:
        self.feiten.append(DossierFeit(uuid4(), self.dossier_id, DossierFeitSoort.GESLOTEN, datum, volgnummer()))
        return self

    def verloop(self) -> DossierVerloop:
        verloop = dossier_verloop(self.feiten)
        assert verloop is not None
        return verloop


def werknemer(werknemer_id: str, personeel: list[MedewerkerFeit], *dossiers: Dossier) -> WerknemerVerzuim:
    beeld = personeelsbeeld(personeel)
    gevallen, segmenten = verzuim_van_werknemer(beeld.bezetting, [d.verloop() for d in dossiers])
    return WerknemerVerzuim(werknemer_id, beeld.bezetting, tuple(gevallen), tuple(segmenten))
