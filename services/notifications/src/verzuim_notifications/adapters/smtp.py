"""E-mail over SMTP: stdlib smtplib on a few worker threads, each keeping its connection open between messages
(STARTTLS/TLS and login when configured). A 4xx answer or a network error is worth a retry; a 5xx answer (unknown
mailbox, refused recipient) will not get better and goes to the dead-letter list at once.

A connection is reused for the next message: setting one up (TCP, EHLO, TLS, login) costs more than sending a short
message. One that failed is closed, and one is renewed after `max_per_verbinding` messages (some servers limit them).
A server may have closed an idle connection: when a reused connection breaks before the message was handed over (no
DATA command sent yet), the message goes at once over a new connection; once DATA was sent the server may have it,
and the failure is reported (and retried later with the same Message-ID).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import formatdate
from uuid import UUID

from verzuim_notifications.domain.aflevering import Afleverfout


class _TeLaat(Exception):
    """The message waited too long for a connection and was not sent."""


class _Volg:
    """Remembers the last SMTP command sent on the connection (a mixin for smtplib's classes)."""

    laatste_commando: str | None = None

    def putcmd(self, cmd: str, args: str = "") -> None:
        self.laatste_commando = cmd.lower()
        super().putcmd(cmd, args)  # type: ignore[misc]


class _Smtp(_Volg, smtplib.SMTP):
    pass


class _SmtpSsl(_Volg, smtplib.SMTP_SSL):
    pass


class SmtpVerzender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        afzender: str,
        beveiliging: str = "geen",  # geen | starttls | tls
        gebruiker: str = "",
        wachtwoord: str = "",
        timeout_s: float = 10.0,
        verbindingen: int = 4,
        max_per_verbinding: int = 100,
    ) -> None:
        self._host = host
        self._port = port
        self._afzender = afzender
        self._beveiliging = beveiliging
        self._gebruiker = gebruiker
        self._wachtwoord = wachtwoord
        self._timeout_s = timeout_s
        self._max_per_verbinding = max_per_verbinding
        # Once, not per message: loading the CA certificates is slow.
        self._context = ssl.create_default_context() if beveiliging != "geen" else None
        # One connection per worker thread; the pool bounds how many the server sees.
        self._threads = ThreadPoolExecutor(max_workers=verbindingen, thread_name_prefix="smtp")
        self._lokaal = threading.local()
        self._open: set[smtplib.SMTP] = set()
        self._slot = threading.Lock()

    def bericht(self, *, aan: str, onderwerp: str, tekst: str, bericht_id: UUID) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self._afzender
        msg["To"] = aan
        msg["Subject"] = onderwerp
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        # The same delivery always has the same Message-ID, so a receiver can drop a re-sent copy.
        domein = self._afzender.rpartition("@")[2] or "verzuim.invalid"
        msg["Message-ID"] = f"<{bericht_id}@{domein}>"
        msg["X-Verzuim-Aflevering-Id"] = str(bericht_id)
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(tekst + "\n\n--\nDit bericht komt van het verzuimsysteem. Je taken staan in je inbox.\n")
        return msg

    def _nieuwe_verbinding(self) -> _Smtp | _SmtpSsl:
        smtp: _Smtp | _SmtpSsl
        if self._beveiliging == "tls":
            smtp = _SmtpSsl(self._host, self._port, timeout=self._timeout_s, context=self._context)
        else:
            smtp = _Smtp(self._host, self._port, timeout=self._timeout_s)
        try:
            if self._beveiliging == "starttls":
                smtp.starttls(context=self._context)
            if self._gebruiker:
                smtp.login(self._gebruiker, self._wachtwoord)
        except BaseException:
            smtp.close()
            raise
        with self._slot:
            self._open.add(smtp)
        return smtp

    def _sluit(self, smtp: smtplib.SMTP, *, netjes: bool = False) -> None:
        with self._slot:
            self._open.discard(smtp)
        try:
            if netjes:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()

    def _verbinding(self) -> tuple[_Smtp | _SmtpSsl, bool]:
        """This thread's open connection, or a new one; and whether it is reused."""
        smtp: _Smtp | _SmtpSsl | None = getattr(self._lokaal, "smtp", None)
        if smtp is not None and self._lokaal.verstuurd >= self._max_per_verbinding:
            self._sluit(smtp, netjes=True)
            smtp = None
        if smtp is not None:
            return smtp, True
        smtp = self._nieuwe_verbinding()
        self._lokaal.smtp, self._lokaal.verstuurd = smtp, 0
        return smtp, False

    def _stuur(self, msg: EmailMessage, begin_uiterlijk: float | None) -> None:
        if begin_uiterlijk is not None and time.monotonic() > begin_uiterlijk:
            raise _TeLaat
        while True:
            smtp, hergebruikt = self._verbinding()
            smtp.laatste_commando = None
            try:
                smtp.send_message(msg)
            except smtplib.SMTPResponseException as exc:
                # The server answered (and smtplib reset the transaction): the connection can take the next
                # message, unless the server is closing it (421).
                if exc.smtp_code == 421:
                    self._vergeet(smtp)
                raise
            except smtplib.SMTPRecipientsRefused:
                raise
            except (smtplib.SMTPServerDisconnected, OSError):
                self._vergeet(smtp)
                if hergebruikt and smtp.laatste_commando != "data":
                    continue  # closed while idle, before the message was handed over: a new connection
                raise
            except BaseException:
                self._vergeet(smtp)
                raise
            self._lokaal.verstuurd += 1
            return

    def _vergeet(self, smtp: smtplib.SMTP) -> None:
        self._sluit(smtp)
        self._lokaal.smtp = None

    async def verstuur(
        self, *, aan: str, onderwerp: str, tekst: str, bericht_id: UUID, begin_uiterlijk: float | None = None
    ) -> None:
        msg = self.bericht(aan=aan, onderwerp=onderwerp, tekst=tekst, bericht_id=bericht_id)
        try:
            await asyncio.get_running_loop().run_in_executor(self._threads, self._stuur, msg, begin_uiterlijk)
        except _TeLaat:
            raise Afleverfout("niet verstuurd: te lang gewacht op een vrije SMTP-verbinding") from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise Afleverfout(
                f"SMTP weigerde de ontvanger {aan}: {exc.recipients}", blijvend=min(codes) >= 500
            ) from exc
        except smtplib.SMTPResponseException as exc:
            reden = f"SMTP antwoordde {exc.smtp_code}: {exc.smtp_error!r}"
            raise Afleverfout(reden, blijvend=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise Afleverfout(f"SMTP-server {self._host}:{self._port} niet bereikbaar: {exc}") from exc

    async def close(self) -> None:
        """At shutdown: let the worker threads finish, and end every open session."""
        await asyncio.get_running_loop().run_in_executor(None, self._threads.shutdown)
        with self._slot:
            open_, self._open = list(self._open), set()
        for smtp in open_:
            self._sluit(smtp, netjes=True)
