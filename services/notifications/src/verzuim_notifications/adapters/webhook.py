"""Webhooks over HTTP, signed as the Standard Webhooks specification describes (so receivers can use its libraries):

    webhook-id:        the delivery id (the same on every retry: a receiver drops a copy it has seen)
    webhook-timestamp: Unix seconds of this attempt (a receiver refuses old ones, against replay)
    webhook-signature: v1,<base64 of HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>

The secret is `whsec_` + base64 of 32 random bytes, shown once when the webhook is set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from uuid import UUID

import httpx

from verzuim_notifications.domain.aflevering import Afleverfout, http_fout

SECRET_PREFIX = "whsec_"


def nieuw_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _sleutel(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def handtekening(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(_sleutel(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def koppen(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": handtekening(secret, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "verzuim-notifications",
    }


class OngeldigeHandtekening(ValueError):
    pass


def controleer(
    secret: str, headers: Mapping[str, str], body: bytes, *, tolerantie_s: int = 300, nu: int | None = None
) -> None:
    """What a receiver does: check the signature (constant time) and that the timestamp is recent."""
    try:
        msg_id = headers["webhook-id"]
        timestamp = int(headers["webhook-timestamp"])
        handtekeningen = headers["webhook-signature"].split()
    except (KeyError, ValueError) as exc:
        raise OngeldigeHandtekening(f"webhook-koppen ontbreken of zijn ongeldig: {exc}") from None
    nu = int(time.time()) if nu is None else nu
    if abs(nu - timestamp) > tolerantie_s:
        raise OngeldigeHandtekening("webhook-timestamp valt buiten de toegestane marge")
    verwacht = handtekening(secret, msg_id, timestamp, body)
    if not any(hmac.compare_digest(verwacht, h) for h in handtekeningen):
        raise OngeldigeHandtekening("webhook-signature klopt niet")


class HttpWebhookVerzender:
    def __init__(self, *, timeout_s: float = 10.0, klok: Callable[[], float] = time.time) -> None:
        self._timeout_s = timeout_s
        self._klok = klok
        self._client: httpx.AsyncClient | None = None

    async def open(self) -> None:
        self._client = httpx.AsyncClient(timeout=self._timeout_s, follow_redirects=False)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def verstuur(self, *, url: str, secret: str, inhoud: str, bericht_id: UUID) -> None:
        if self._client is None:
            raise Afleverfout("de webhook-verzender is niet gestart")
        body = inhoud.encode()
        try:
            r = await self._client.post(
                url, content=body, headers=koppen(secret, str(bericht_id), int(self._klok()), body)
            )
        except httpx.HTTPError as exc:
            raise Afleverfout(f"webhook {url} niet bereikbaar: {type(exc).__name__}: {exc}") from exc
        fout = http_fout(r.status_code)
        if fout is not None:
            raise fout
