"""The SMTP sender against a real SMTP server (aiosmtpd): it keeps its connection for the next message, and a
connection the server closed while idle costs no message."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from verzuim_devstack.ports import free_port
from verzuim_devstack.testing import eventually
from verzuim_notifications.adapters.smtp import SmtpVerzender
from verzuim_notifications.domain.aflevering import Afleverfout


@dataclass
class Server:
    """Counts messages and the connections they came over; can close every open connection, as a server does with
    idle ones."""

    port: int
    berichten: list[str] = field(default_factory=list)
    verbindingen: list[Any] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by this name
        self.berichten.append(envelope.content.decode())
        if server not in self.verbindingen:
            self.verbindingen.append(server)
        return "250 OK"

    def sluit_alle_verbindingen(self) -> None:
        assert self.controller is not None and self.controller.loop is not None
        for s in self.verbindingen:
            self.controller.loop.call_soon_threadsafe(s.transport.close)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server(free_port())
    s.controller = Controller(s, hostname="127.0.0.1", port=s.port)
    s.controller.start()
    try:
        yield s
    finally:
        s.controller.stop()


def verzender(server: Server, **extra: Any) -> SmtpVerzender:
    return SmtpVerzender(host="127.0.0.1", port=server.port, afzender="verzuim@example.org", **extra)


async def stuur(smtp: SmtpVerzender, n: int) -> None:
    for i in range(n):
        await smtp.verstuur(aan="lg-1@example.org", onderwerp=f"Bericht {i}", tekst="Tekst", bericht_id=uuid4())


async def test_messages_share_a_connection(server: Server) -> None:
    smtp = verzender(server, verbindingen=1)
    try:
        await stuur(smtp, 10)
    finally:
        await smtp.close()
    assert len(server.berichten) == 10
    assert len(server.verbindingen) == 1


async def test_a_connection_is_renewed_after_its_maximum_of_messages(server: Server) -> None:
    smtp = verzender(server, verbindingen=1, max_per_verbinding=4)
    try:
        await stuur(smtp, 10)
    finally:
        await smtp.close()
    assert len(server.berichten) == 10
    assert len(server.verbindingen) == 3


async def test_a_connection_the_server_closed_while_idle_costs_no_message(server: Server) -> None:
    smtp = verzender(server, verbindingen=1)
    try:
        await stuur(smtp, 1)
        server.sluit_alle_verbindingen()

        await eventually(lambda: all(s.transport is None or s.transport.is_closing() for s in server.verbindingen))
        await stuur(smtp, 1)  # no error: the message went over a new connection
    finally:
        await smtp.close()
    assert len(server.berichten) == 2 and len(server.verbindingen) == 2


async def test_a_message_that_waited_past_its_claim_is_not_sent(server: Server) -> None:
    smtp = verzender(server)
    try:
        with pytest.raises(Afleverfout, match="te lang gewacht"):
            await smtp.verstuur(
                aan="lg-1@example.org",
                onderwerp="Bericht",
                tekst="Tekst",
                bericht_id=uuid4(),
                begin_uiterlijk=time.monotonic() - 1,
            )
        await stuur(smtp, 1)
    finally:
        await smtp.close()
    assert len(server.berichten) == 1
