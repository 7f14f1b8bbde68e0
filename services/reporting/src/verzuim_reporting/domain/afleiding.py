"""Everything the read model derives from one werknemer's facts, in one pure function: the live projector and the
rebuild both call it, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from verzuim_reporting.domain.dossier import DossierFeit, DossierVerloop, dossier_verloop
from verzuim_reporting.domain.kerncijfers import WerknemerVerzuim
from verzuim_reporting.domain.personeel import MedewerkerFeit, Personeelsbeeld, personeelsbeeld
from verzuim_reporting.domain.verzuim import Verzuimgeval, Verzuimsegment, verzuim_van_werknemer


@dataclass(frozen=True)
class WerknemerAfleiding:
    werknemer_id: str
    personeel: Personeelsbeeld
    dossiers: tuple[DossierVerloop, ...]
    gevallen: tuple[Verzuimgeval, ...]
    segmenten: tuple[Verzuimsegment, ...]

    def verzuim(self) -> WerknemerVerzuim:
        return WerknemerVerzuim(self.werknemer_id, self.personeel.bezetting, self.gevallen, self.segmenten)


def leid_werknemer_af(
    werknemer_id: str, medewerker_feiten: Iterable[MedewerkerFeit], dossier_feiten: Iterable[DossierFeit]
) -> WerknemerAfleiding:
    beeld = personeelsbeeld(list(medewerker_feiten))
    per_dossier: dict[UUID, list[DossierFeit]] = {}
    for f in dossier_feiten:
        per_dossier.setdefault(f.dossier_id, []).append(f)
    dossiers = [v for feiten in per_dossier.values() if (v := dossier_verloop(feiten)) is not None]
    dossiers.sort(key=lambda d: (d.eerste_ziektedag, d.dossier_id.int))  # the int orders as the text does
    gevallen, segmenten = verzuim_van_werknemer(beeld.bezetting, dossiers)
    return WerknemerAfleiding(werknemer_id, beeld, tuple(dossiers), tuple(gevallen), tuple(segmenten))
