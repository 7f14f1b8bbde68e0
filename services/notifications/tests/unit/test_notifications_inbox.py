"""Inbox status transitions and the identity of a message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from verzuim_notifications.domain.berichten import Bericht, bericht_id
from verzuim_notifications.domain.inbox import InboxItem, InboxStatus, markeer
from verzuim_notifications.domain.regiemodel import Soort
from verzuim_notifications.domain.routering import Bestemming, Kanaal, Ontvanger
from verzuim_shared.events import Rol

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
LG = Bestemming(Ontvanger(Rol.LEIDINGGEVENDE.value, "lg-1"), Kanaal.INBOX)


def item() -> InboxItem:
    bron = uuid4()
    bericht = Bericht(
        id=bericht_id(bron, LG),
        werkgever_id="wg-1",
        bron_event_id=bron,
        signaal_id=bron,
        bestemming=LG,
        type="ziekmelding",
        soort=Soort.TAAK,
        titel="Ziekmelding van Anouk",
        tekst="...",
        dossier_id=uuid4(),
        werknemer_id="wn-1",
        link="http://cases/v1/dossiers/x",
        deadline=T0.date(),
        aangemaakt_op=T0,
    )
    return InboxItem(bericht=bericht, status=InboxStatus.OPEN)


def test_gelezen_then_afgehandeld() -> None:
    gelezen = markeer(item(), InboxStatus.GELEZEN, T0 + timedelta(hours=1))
    assert (gelezen.status, gelezen.gelezen_op, gelezen.afgehandeld_op) == (
        InboxStatus.GELEZEN,
        T0 + timedelta(hours=1),
        None,
    )
    klaar = markeer(gelezen, InboxStatus.AFGEHANDELD, T0 + timedelta(hours=2))
    assert (klaar.status, klaar.gelezen_op, klaar.afgehandeld_op) == (
        InboxStatus.AFGEHANDELD,
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=2),
    )


def test_afgehandeld_straight_from_open_counts_as_read() -> None:
    klaar = markeer(item(), InboxStatus.AFGEHANDELD, T0)
    assert (klaar.status, klaar.gelezen_op, klaar.afgehandeld_op) == (InboxStatus.AFGEHANDELD, T0, T0)


def test_marking_again_or_backwards_changes_nothing() -> None:
    gelezen = markeer(item(), InboxStatus.GELEZEN, T0)
    assert markeer(gelezen, InboxStatus.GELEZEN, T0 + timedelta(days=1)) == gelezen
    klaar = markeer(gelezen, InboxStatus.AFGEHANDELD, T0 + timedelta(hours=1))
    assert markeer(klaar, InboxStatus.GELEZEN, T0 + timedelta(days=1)) == klaar
    assert markeer(klaar, InboxStatus.AFGEHANDELD, T0 + timedelta(days=1)) == klaar


def test_an_item_cannot_be_reopened() -> None:
    with pytest.raises(ValueError, match="open"):
        markeer(item(), InboxStatus.OPEN, T0)


def test_one_message_id_per_signal_recipient_and_channel() -> None:
    bron = uuid4()
    assert bericht_id(bron, LG) == bericht_id(bron, LG)
    # the same person is one recipient, whichever role they fill
    assert bericht_id(bron, LG) == bericht_id(bron, Bestemming(Ontvanger("hr_adviseur", "lg-1"), Kanaal.INBOX))
    anderen = {
        bericht_id(uuid4(), LG),
        bericht_id(bron, Bestemming(Ontvanger("leidinggevende", "lg-2"), Kanaal.INBOX)),
        bericht_id(bron, Bestemming(Ontvanger("hr", None), Kanaal.INBOX)),
        bericht_id(bron, Bestemming(Ontvanger("leidinggevende", "lg-1"), Kanaal.EMAIL)),
    }
    assert bericht_id(bron, LG) not in anderen
    assert len(anderen) == 4
