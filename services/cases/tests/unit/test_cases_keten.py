"""The hash chain: recomputed over what was stored, it names the first broken link. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

from verzuim_cases.domain import Episode, Stap
from verzuim_cases.domain.keten import (
    GENESIS,
    OpgeslagenGebeurtenis,
    controleer_keten,
    onverzegelde_schakel,
    schakel,
    vergelijk_toestand,
)
from verzuim_shared.events import Actor, Rol

DOSSIER = uuid4()
TOPIC = "verzuim_cases.domain.dossier:Verzuimdossier.Stap"


def keten(n: int) -> list[OpgeslagenGebeurtenis]:
    vorige, uit = GENESIS, []
    for versie in range(1, n + 1):
        attributen: dict[str, Any] = {
            "timestamp": datetime(2025, 1, versie, tzinfo=UTC),
            "datum": date(2025, 1, versie),
            "tekst": f"stap {versie}",
        }
        attributen["keten_hash"] = vorige = schakel(vorige, TOPIC, DOSSIER, versie, attributen)
        uit.append(OpgeslagenGebeurtenis(versie, TOPIC, attributen))
    return uit


def test_an_untouched_chain_is_intact() -> None:
    events = keten(5)
    controle = controleer_keten(
        DOSSIER, events, verwachte_versie=5, verwachte_kop_hash=events[-1].attributen["keten_hash"]
    )
    assert controle.intact and controle.eerste_breuk is None and controle.versies == 5


def test_changed_content_breaks_the_chain_at_that_event() -> None:
    events = keten(5)
    events[2] = OpgeslagenGebeurtenis(3, TOPIC, {**events[2].attributen, "tekst": "herschreven"})
    breuk = controleer_keten(DOSSIER, events).eerste_breuk
    assert breuk is not None and breuk.versie == 3


def test_a_rewritten_event_with_a_recomputed_own_hash_breaks_the_next_link() -> None:
    events = keten(5)
    attributen = {**events[1].attributen, "tekst": "herschreven"}
    attributen["keten_hash"] = schakel(events[0].attributen["keten_hash"], TOPIC, DOSSIER, 2, attributen)
    events[1] = OpgeslagenGebeurtenis(2, TOPIC, attributen)
    breuk = controleer_keten(DOSSIER, events).eerste_breuk
    assert breuk is not None and breuk.versie == 3


def test_a_removed_event_and_a_removed_tail_are_found() -> None:
    events = keten(5)
    breuk = controleer_keten(DOSSIER, events[:2] + events[3:]).eerste_breuk
    assert breuk is not None and breuk.versie == 3 and "ontbreekt" in breuk.reden
    kop = events[-1].attributen["keten_hash"]
    breuk = controleer_keten(DOSSIER, events[:4], verwachte_versie=5, verwachte_kop_hash=kop).eerste_breuk
    assert breuk is not None and breuk.versie == 5


def test_events_stored_before_the_chain_are_reported_as_unsealed() -> None:
    events = keten(2)
    oud = OpgeslagenGebeurtenis(1, TOPIC, {"tekst": "van vóór de keten"})
    controle = controleer_keten(DOSSIER, [oud])
    assert controle.intact and controle.onverzegeld == (1,)
    assert not controleer_keten(DOSSIER, [oud, events[1]]).intact  # the next link was sealed on another history


def test_a_snapshot_state_equals_the_replayed_state_whatever_json_made_of_it() -> None:
    moment = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    stap = Stap(1, "dossier_geopend", "Geopend", date(2025, 1, 6), moment, Actor(id="hr-1", rol=Rol.HR), "geopend")
    replay = {
        "episodes": [Episode(DOSSIER, date(2025, 1, 6), moment)],
        "stappen": [stap],
        "processtappen": {"triage": [{"route": "complex", "datum": date(2025, 1, 7)}]},
        "status": Rol.HR,  # an enum
        "_pending_events": [object()],
    }
    snapshot = {
        # The same instant in another zone, a list where the replay had a tuple, the enum as its value.
        "episodes": [Episode(DOSSIER, date(2025, 1, 6), moment.astimezone(timezone(timedelta(hours=1))))],
        "stappen": (stap,),
        "processtappen": {"triage": [{"route": "complex", "datum": date(2025, 1, 7)}]},
        "status": "hr",
        "_pending_events": [],
    }
    assert vergelijk_toestand(replay, snapshot) is None
    anders = {**snapshot, "processtappen": {"triage": [{"route": "regulier", "datum": date(2025, 1, 7)}]}}
    reden = vergelijk_toestand(replay, anders)
    assert reden is not None and "processtappen" in reden and "episodes" not in reden
    zonder = {k: v for k, v in snapshot.items() if k != "status"}
    assert "status" in (vergelijk_toestand(replay, zonder) or "")


def test_an_unsealed_event_after_a_sealed_one_is_a_break() -> None:
    """Removing an event's hash must not let its content go unchecked: only the start of a dossier (the first
    release's events) may be unsealed."""
    events = keten(5)
    zonder_hash = {k: v for k, v in events[2].attributen.items() if k != "keten_hash"}
    events[2] = OpgeslagenGebeurtenis(3, TOPIC, {**zonder_hash, "tekst": "herschreven"})
    controle = controleer_keten(DOSSIER, events)
    assert not controle.intact and controle.eerste_breuk is not None
    assert controle.eerste_breuk.versie == 3 and "geen hash" in controle.eerste_breuk.reden
    # Unsealed events at the start, then sealed ones, remain a valid first-release dossier.
    oud = [OpgeslagenGebeurtenis(v, TOPIC, {"tekst": f"oud {v}"}) for v in (1, 2)]
    vorige = onverzegelde_schakel(onverzegelde_schakel(GENESIS, TOPIC, DOSSIER, 1), TOPIC, DOSSIER, 2)
    attributen: dict[str, Any] = {"tekst": "nieuw"}
    attributen["keten_hash"] = schakel(vorige, TOPIC, DOSSIER, 3, attributen)
    controle = controleer_keten(DOSSIER, [*oud, OpgeslagenGebeurtenis(3, TOPIC, attributen)])
    assert controle.intact and controle.onverzegeld == (1, 2)


def test_hashes_removed_from_the_whole_dossier_are_caught_by_the_recorded_head() -> None:
    events = keten(3)
    kop = events[-1].attributen["keten_hash"]
    kaal = [OpgeslagenGebeurtenis(e.versie, TOPIC, {"tekst": "herschreven"}) for e in events]
    controle = controleer_keten(DOSSIER, kaal, verwachte_versie=3, verwachte_kop_hash=kop)
    assert not controle.intact and controle.eerste_breuk is not None and "kop" in controle.eerste_breuk.reden
