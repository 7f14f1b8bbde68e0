"""E-mail over SMTP (stdlib smtplib in a worker thread: one connection per message, STARTTLS/TLS and login when
configured). A 4xx answer or a network error is worth a retry; a 5xx answer (unknown mailbox, refused recipient)
will not get better and goes to the dead-letter list at once."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from uuid import UUID

from verzuim_notifications.domain.aflevering import Afleverfout


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
    ) -> None:
        self._host = host
        self._port = port
        self._afzender = afzender
        self._beveiliging = beveiliging
        self._gebruiker = gebruiker
        self._wachtwoord = wachtwoord
        self._timeout_s = timeout_s

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

    def _stuur(self, msg: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self._beveiliging == "tls":
            smtp = smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout_s, context=context)
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout_s)
        with smtp:
            if self._beveiliging == "starttls":
                smtp.starttls(context=context)
            if self._gebruiker:
                smtp.login(self._gebruiker, self._wachtwoord)
            smtp.send_message(msg)

    async def verstuur(self, *, aan: str, onderwerp: str, tekst: str, bericht_id: UUID) -> None:
        msg = self.bericht(aan=aan, onderwerp=onderwerp, tekst=tekst, bericht_id=bericht_id)
        try:
            await asyncio.to_thread(self._stuur, msg)
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
