"""A seeded generator of a werkgever's population and its verzuim: the personeel, dossier and termijn events that
intake, cases and deadlines would publish, for tests, the benchmark and demos.

The same settings and seed always give the same events (ids included). The population has what makes the figures
interesting: part-timers, contract changes and moves between afdelingen, joiners and leavers, short and long verzuim,
deelherstel, samentelling (a new melding within four weeks continues the dossier), opbouwschema's, a few corrections,
dossiers closed when someone leaves while sick, frequent verzuimers, and termijnen that are met on time, late, missed,
deviated from or lapse after herstel. A small share of events is also published a second time under another message
id, as a retried publish beyond JetStream's dedupe window would be.

`python -m verzuim_reporting.populatie --werknemers 2000 --nats-url nats://...` publishes one.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time as klok
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from verzuim_shared.clock import NL
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    HerstelGeregistreerd,
    HerstelSoort,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
    Rol,
    TermijnAfgeweken,
    TermijnGepland,
    TermijnVerstreken,
    TermijnVervallen,
    TermijnVervuld,
)
from verzuim_shared.events.dossier import (
    DossierGesloten,
    EpisodeToegevoegd,
    FeitGecorrigeerd,
    OpbouwschemaVastgesteld,
    OpbouwStap,
)
from verzuim_shared.ids import dossier_id_for_melding
from verzuim_shared.messaging import cloudevent_headers

_HR = Actor(id="hr-populatie", rol=Rol.HR)
_CASES = Actor(id="cases", rol=Rol.SYSTEEM)
_DEADLINES = Actor(id="deadlines", rol=Rol.SYSTEEM)

_CONTRACTUREN = (12, 16, 20, 24, 24, 28, 32, 32, 32, 36, 36, 38, 40, 40, 40)
_RAYONS = ("Noord", "Oost", "Zuid", "West")


@dataclass(frozen=True)
class Instellingen:
    werknemers: int = 2000
    van: date = date(2023, 1, 1)
    tot: date = date(2024, 12, 31)  # the last day events are about ("today" of the population)
    afdelingen: int = 20
    werkgever_id: str = "populatie-bv"
    seed: int = 1
    meldingen_per_jaar: float = 1.1  # the average; some werknemers report sick far more often
    kopie_kans: float = 0.003  # share of events published a second time under another message id
    termijnen: bool = True


@dataclass
class Populatie:
    instellingen: Instellingen
    events: list[Event] = field(default_factory=list)  # in publication order per stream
    kopieen: list[Event] = field(default_factory=list)  # published again, with another Nats-Msg-Id

    @property
    def werkgever_id(self) -> str:
        return self.instellingen.werkgever_id


class _Generator:
    def __init__(self, inst: Instellingen) -> None:
        self.inst = inst
        self.rng = random.Random(inst.seed)
        self.personeel: list[tuple[date, int, Event]] = []
        self.dossier: list[tuple[date, int, Event]] = []
        self.termijn: list[tuple[date, int, Event]] = []
        self._volgnummer = 0

    # ------------------------------------------------------------------------------------------------ plumbing

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def basis(self, dag: date, actor: Actor) -> dict[str, Any]:
        return {
            "event_id": self.uuid(),
            "werkgever_id": self.inst.werkgever_id,
            "geregistreerd_op": datetime.combine(dag, time(9, 0), tzinfo=NL).astimezone(UTC),
            "actor": actor,
        }

    def voeg_toe(self, lijst: list[tuple[date, int, Event]], dag: date, event: Event) -> None:
        self._volgnummer += 1
        lijst.append((dag, self._volgnummer, event))

    def dag_tussen(self, van: date, tot: date) -> date:
        return van + timedelta(days=self.rng.randrange((tot - van).days + 1))

    # ------------------------------------------------------------------------------------------------ organisation

    def organisatie(self) -> list[str]:
        afdelingen = [f"afd-{i:03d}" for i in range(1, self.inst.afdelingen + 1)]
        begin = self.inst.van - timedelta(days=3650)
        for i, afdeling_id in enumerate(afdelingen):
            self.voeg_toe(
                self.personeel,
                begin,
                AfdelingVastgelegd(
                    **self.basis(begin, _HR),
                    afdeling_id=afdeling_id,
                    naam=f"Afdeling {i + 1}",
                    leidinggevende_id=f"lg-{afdeling_id}",
                    hr_adviseur_id=f"hr-{i % 3 + 1}",
                    rayonmanager_id=f"rm-{i % len(_RAYONS) + 1}",
                    rayon=_RAYONS[i % len(_RAYONS)],
                ),
            )
        return afdelingen

    # ------------------------------------------------------------------------------------------------ a werknemer

    def werknemer(self, nummer: int, afdelingen: Sequence[str]) -> None:
        inst, rng = self.inst, self.rng
        wn = f"wn-{nummer:06d}"
        afdeling = rng.choice(afdelingen)
        uren = float(rng.choice(_CONTRACTUREN))
        voltijd = 38.0 if afdeling.endswith(("3", "7")) else 40.0
        eigen_lg = f"lg-eigen-{nummer % 17}" if rng.random() < 0.05 else None
        if rng.random() < 0.8:
            in_dienst = self.dag_tussen(inst.van - timedelta(days=3650), inst.van - timedelta(days=1))
        else:
            in_dienst = self.dag_tussen(inst.van, inst.tot - timedelta(days=30))
        vroegst_uit = max(in_dienst + timedelta(days=60), inst.van)
        uit_dienst = self.dag_tussen(vroegst_uit, inst.tot) if rng.random() < 0.1 and vroegst_uit < inst.tot else None
        self.voeg_toe(
            self.personeel,
            in_dienst,
            MedewerkerInDienst(
                **self.basis(in_dienst, _HR),
                werknemer_id=wn,
                datum_in_dienst=in_dienst,
                naam=f"Medewerker {nummer}",
                afdeling_id=afdeling,
                contracturen=uren,
                voltijduren=voltijd,
                leidinggevende_id=eigen_lg,
            ),
        )
        einde_dienst = uit_dienst or inst.tot
        if rng.random() < 0.15 and (einde_dienst - max(in_dienst, inst.van)).days > 40:
            wijziging = self.dag_tussen(
                max(in_dienst, inst.van) + timedelta(days=20), einde_dienst - timedelta(days=10)
            )
            if rng.random() < 0.4:
                afdeling = rng.choice(afdelingen)
            uren = float(rng.choice(_CONTRACTUREN))
            self.voeg_toe(
                self.personeel,
                wijziging,
                MedewerkerGegevensGewijzigd(
                    **self.basis(wijziging, _HR),
                    werknemer_id=wn,
                    geldig_vanaf=wijziging,
                    naam=f"Medewerker {nummer}",
                    afdeling_id=afdeling,
                    contracturen=uren,
                    voltijduren=voltijd,
                    leidinggevende_id=eigen_lg,
                ),
            )
        if uit_dienst is not None:
            self.voeg_toe(
                self.personeel,
                uit_dienst,
                MedewerkerUitDienst(**self.basis(uit_dienst, _HR), werknemer_id=wn, datum_uit_dienst=uit_dienst),
            )
        self.verzuim(wn, max(in_dienst, inst.van - timedelta(days=400)), einde_dienst, uit_dienst)

    def duur(self) -> int:
        """Mostly short verzuim, a long tail: with about 1.1 meldingen a year this gives a verzuimpercentage of
        about 6 %, near the Dutch average."""
        r = self.rng.random()
        if r < 0.65:
            return self.rng.randint(1, 7)
        if r < 0.92:
            return self.rng.randint(8, 42)
        if r < 0.99:
            return self.rng.randint(43, self.rng.choice((120, 240, 365)))
        return self.rng.randint(366, 800)

    def verzuim(self, wn: str, van: date, tot: date, uit_dienst: date | None) -> None:
        """Meldingen from `van` while employed until `tot`; the clock of the population stops at inst.tot."""
        rng = self.rng
        # heterogeneity: most report sick about once a year, a few much more often (frequent verzuim)
        tempo = self.inst.meldingen_per_jaar * (
            rng.choice((0.3, 0.6, 1.0, 1.0, 1.2, 1.5)) if rng.random() > 0.05 else 4
        )
        dag = van + timedelta(days=int(rng.expovariate(tempo / 365)))
        dossier: DossierGeopend | None = None
        versie = 0
        vorige_herstel: date | None = None
        while dag <= tot:
            lengte = self.duur()
            herstel = dag + timedelta(days=lengte)  # first fully fit day
            samen = dossier is not None and vorige_herstel is not None and (dag - vorige_herstel).days < 28
            melding_id = self.uuid()
            if samen and dossier is not None:
                versie += 1
                self.voeg_toe(
                    self.dossier,
                    dag,
                    EpisodeToegevoegd(
                        **self.basis(dag, _CASES),
                        dossier_id=dossier.dossier_id,
                        versie=versie,
                        werknemer_id=wn,
                        datum=dag,
                        melding_id=melding_id,
                        eerste_ziektedag=dag,
                        gemeld_op=datetime.combine(dag, time(8, 15), tzinfo=NL),
                        hersteld_dagen_tussen=(dag - vorige_herstel).days if vorige_herstel else 0,
                    ),
                )
            else:
                versie = 1
                dossier = DossierGeopend(
                    **self.basis(dag, _CASES),
                    dossier_id=dossier_id_for_melding(melding_id),
                    versie=versie,
                    werknemer_id=wn,
                    melding_id=melding_id,
                    eerste_ziektedag=dag,
                    gemeld_op=datetime.combine(dag, time(8, 15), tzinfo=NL),
                )
                self.voeg_toe(self.dossier, dag, dossier)
                if rng.random() < 0.01:
                    # the eerste ziektedag was a day earlier: corrected a few days later (D5: a new event)
                    versie += 1
                    eerder = dag - timedelta(days=1)
                    correctie_dag = min(dag + timedelta(days=3), self.inst.tot)
                    self.voeg_toe(
                        self.dossier,
                        correctie_dag,
                        FeitGecorrigeerd(
                            **self.basis(correctie_dag, _CASES),
                            dossier_id=dossier.dossier_id,
                            versie=versie,
                            werknemer_id=wn,
                            datum=correctie_dag,
                            feit="eerste_ziektedag",
                            oude_waarde=dag.isoformat(),
                            nieuwe_waarde=eerder.isoformat(),
                            reden="Melding een dag te laat ingevoerd",
                        ),
                    )
                if self.inst.termijnen:
                    self.termijnen(dossier, dag, herstel)
            assert dossier is not None
            versie = self.verloop(dossier, versie, dag, herstel, lengte, uit_dienst)
            if herstel > self.inst.tot or (uit_dienst is not None and herstel > uit_dienst):
                return  # still sick at the end, or left while sick
            vorige_herstel = herstel
            gat = int(rng.expovariate(tempo / 365))
            dag = herstel + timedelta(days=max(1, gat))

    def verloop(
        self, dossier: DossierGeopend, versie: int, dag: date, herstel: date, lengte: int, uit_dienst: date | None
    ) -> int:
        rng, wn, einde = self.rng, dossier.werknemer_id, self.inst.tot
        if lengte > 14 and rng.random() < 0.4:
            deel = dag + timedelta(days=rng.randint(7, lengte - 1))
            if deel <= einde:
                versie += 1
                self.voeg_toe(
                    self.dossier,
                    deel,
                    HerstelGeregistreerd(
                        **self.basis(deel, _CASES),
                        dossier_id=dossier.dossier_id,
                        versie=versie,
                        werknemer_id=wn,
                        herstel_id=self.uuid(),
                        soort=HerstelSoort.GEDEELTELIJK,
                        hersteldatum=deel,
                        arbeidsongeschiktheidspercentage=rng.choice((30, 50, 50, 70)),
                    ),
                )
        if lengte > 42 and rng.random() < 0.6:
            vastgesteld = dag + timedelta(days=rng.randint(30, 42))
            if vastgesteld <= einde:
                versie += 1
                stappen = [
                    OpbouwStap(vanaf=vastgesteld + timedelta(days=7 * (i + 1)), uren_per_week=u, loonwaarde_pct=lw)
                    for i, (u, lw) in enumerate(((4, 50), (8, 50), (16, 75), (24, 100))[: rng.randint(1, 4)])
                ]
                self.voeg_toe(
                    self.dossier,
                    vastgesteld,
                    OpbouwschemaVastgesteld(
                        **self.basis(vastgesteld, _CASES),
                        dossier_id=dossier.dossier_id,
                        versie=versie,
                        werknemer_id=wn,
                        datum=vastgesteld,
                        stappen=stappen,
                    ),
                )
        if uit_dienst is not None and herstel > uit_dienst:
            sluiting = uit_dienst + timedelta(days=1)
            if sluiting <= einde:
                versie += 1
                self.voeg_toe(
                    self.dossier,
                    sluiting,
                    DossierGesloten(
                        **self.basis(sluiting, _CASES),
                        dossier_id=dossier.dossier_id,
                        versie=versie,
                        werknemer_id=wn,
                        datum=sluiting,
                        reden="Uit dienst",
                    ),
                )
            return versie
        if herstel <= einde:
            versie += 1
            self.voeg_toe(
                self.dossier,
                herstel,
                HerstelGeregistreerd(
                    **self.basis(herstel, _CASES),
                    dossier_id=dossier.dossier_id,
                    versie=versie,
                    werknemer_id=wn,
                    herstel_id=self.uuid(),
                    soort=HerstelSoort.VOLLEDIG,
                    hersteldatum=herstel,
                    arbeidsongeschiktheidspercentage=0,
                ),
            )
        return versie

    def termijnen(self, dossier: DossierGeopend, e: date, herstel: date) -> None:
        """The termijnen the deadlines service would plan (D1/D2) and how they end."""
        for code, dagen in (("ARBODIENST_MELDING", 6), ("PROBLEEMANALYSE", 42), ("PLAN_VAN_AANPAK", 56)):
            vervaldatum = e + timedelta(days=dagen)
            gepland = TermijnGepland(
                **self.basis(e, _DEADLINES),
                termijn_id=self.uuid(),
                dossier_id=dossier.dossier_id,
                werknemer_id=dossier.werknemer_id,
                code=code,
                vervaldatum=vervaldatum,
                grondslag="Wet verbetering poortwachter",
                afleiding=f"eerste ziektedag + {dagen} dagen",
            )
            self.voeg_toe(self.termijn, e, gepland)
            vervolg: dict[str, Any] = {
                "termijn_id": gepland.termijn_id,
                "dossier_id": gepland.dossier_id,
                "werknemer_id": gepland.werknemer_id,
                "code": code,
                "vervaldatum": vervaldatum,
                "grondslag": gepland.grondslag,
                "afleiding": gepland.afleiding,
            }
            if herstel <= vervaldatum:
                if herstel <= self.inst.tot:  # volledig herstel closes the open termijnen (D5)
                    self.voeg_toe(
                        self.termijn,
                        herstel,
                        TermijnVervallen(**self.basis(herstel, _DEADLINES), **vervolg, reden="Volledig hersteld"),
                    )
                continue
            r = self.rng.random()
            if r < 0.8:
                op = vervaldatum - timedelta(days=self.rng.randint(0, min(dagen, 10)))
                soort: Event = TermijnVervuld(**self.basis(op, _DEADLINES), **vervolg, vervuld_op=op, op_tijd=True)
            elif r < 0.9:
                op = vervaldatum + timedelta(days=self.rng.randint(1, 14))
                soort = TermijnVervuld(**self.basis(op, _DEADLINES), **vervolg, vervuld_op=op, op_tijd=False)
            elif r < 0.96:
                op = vervaldatum + timedelta(days=1)
                soort = TermijnVerstreken(**self.basis(op, _DEADLINES), **vervolg)
            else:
                op = vervaldatum - timedelta(days=2)
                soort = TermijnAfgeweken(**self.basis(op, _DEADLINES), **vervolg, reden="Gemotiveerd afgeweken")
            if op <= self.inst.tot:
                self.voeg_toe(self.termijn, op, soort)

    def resultaat(self) -> Populatie:
        populatie = Populatie(self.inst)
        for stroom in (self.personeel, self.dossier, self.termijn):
            stroom.sort(key=lambda item: (item[0], item[1]))
            populatie.events.extend(e for _, _, e in stroom)
        populatie.kopieen = [e for e in populatie.events if self.rng.random() < self.inst.kopie_kans]
        return populatie


def genereer(instellingen: Instellingen) -> Populatie:
    g = _Generator(instellingen)
    afdelingen = g.organisatie()
    for nummer in range(1, instellingen.werknemers + 1):
        g.werknemer(nummer, afdelingen)
    return g.resultaat()


async def publiceer(nats_url: str, events: Iterable[Event], *, kopie: bool = False, venster: int = 2000) -> int:
    """Publish events with their CloudEvents headers, pipelined (at most `venster` awaiting their ack). With `kopie`,
    each under another Nats-Msg-Id, as a publish retried beyond the dedupe window."""
    import nats

    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        aantal = 0
        for event in events:
            msg_id = f"kopie-{event.event_id}" if kopie else None
            await js.publish_async(
                event.subject(),
                event.model_dump_json().encode(),
                headers=cloudevent_headers(event, source="populatie", msg_id=msg_id),
            )
            aantal += 1
            if aantal % venster == 0:
                await js.publish_async_completed()
        await js.publish_async_completed()
        return aantal
    finally:
        await nc.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Publish a generated population onto the streams")
    parser.add_argument("--nats-url", default="nats://127.0.0.1:4222")
    parser.add_argument("--werknemers", type=int, default=2000)
    parser.add_argument("--afdelingen", type=int, default=20)
    parser.add_argument("--van", type=date.fromisoformat, default=date(2023, 1, 1))
    parser.add_argument("--tot", type=date.fromisoformat, default=date(2024, 12, 31))
    parser.add_argument("--werkgever", default="populatie-bv")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    start = klok.perf_counter()
    populatie = genereer(
        Instellingen(
            werknemers=args.werknemers,
            afdelingen=args.afdelingen,
            van=args.van,
            tot=args.tot,
            werkgever_id=args.werkgever,
            seed=args.seed,
        )
    )

    async def alles() -> int:
        import nats
        from verzuim_shared.messaging import ensure_streams
        from verzuim_shared.settings import ServiceSettings

        nc = await nats.connect(args.nats_url)
        await ensure_streams(nc.jetstream(), ServiceSettings())
        await nc.close()
        return await publiceer(args.nats_url, populatie.events) + await publiceer(
            args.nats_url, populatie.kopieen, kopie=True
        )

    aantal = asyncio.run(alles())
    print(f"{aantal} events for {args.werknemers} werknemers of {args.werkgever} in {klok.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()
