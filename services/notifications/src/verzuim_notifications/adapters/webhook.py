"""Webhooks over HTTP, signed as the Standard Webhooks specification describes (so receivers can use its libraries):

    webhook-id:        the delivery id (the same on every retry: a receiver drops a copy it has seen)
    webhook-timestamp: Unix seconds of this attempt (a receiver refuses old ones, against replay)
    webhook-signature: v1,<base64 of HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>

The secret is `whsec_` + base64 of 32 random bytes, shown once when the webhook is set.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
import time
from collections.abc import Callable, Collection, Mapping
from urllib.parse import urlsplit
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


# ------------------------------------------------------------------------------------- which URLs are allowed


class OngeldigeWebhook(ValueError):
    """A webhook URL the service will not call: not https, or pointing at an address inside the network."""


class HostOnbekend(OngeldigeWebhook):
    """The host name does not resolve (now): at registration that is refused, when sending it is worth a retry."""


IpAdres = ipaddress.IPv4Address | ipaddress.IPv6Address


def openbaar(adres: IpAdres) -> bool:
    """An address on the public internet: not loopback, private, link-local (cloud metadata), shared (CGNAT),
    multicast or reserved. An IPv4 address written as IPv6 is judged as IPv4."""
    if isinstance(adres, ipaddress.IPv6Address) and adres.ipv4_mapped is not None:
        adres = adres.ipv4_mapped
    return adres.is_global and not adres.is_multicast


async def _adressen(host: str, poort: int) -> list[IpAdres]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        info = await asyncio.get_running_loop().getaddrinfo(host, poort, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise HostOnbekend(f"de host {host} is niet te vinden ({exc})") from None
    return [ipaddress.ip_address(str(i[4][0]).split("%", 1)[0]) for i in info]


async def controleer_url(url: str, *, toegestane_hosts: Collection[str] = ()) -> None:
    """Raise OngeldigeWebhook unless the service may call `url`: https, without credentials in it, to a host whose
    every address is public. `toegestane_hosts` (VERZUIM_WEBHOOK_TOEGESTANE_HOSTS) are exempt, also from https: a
    receiver on the same machine in development and tests.

    Against a server-side request forgery: without this any user could have the service post to the cloud metadata
    address or an internal admin port. Checked when the URL is set and again before every call (the host's
    addresses can change). Not covered: a host that resolves differently between the check and the connect."""
    try:
        delen = urlsplit(url)
        host, poort = delen.hostname, delen.port
    except ValueError as exc:
        raise OngeldigeWebhook(f"de URL is ongeldig: {exc}") from None
    if delen.scheme not in ("https", "http") or not host:
        raise OngeldigeWebhook("de URL moet beginnen met https:// en een host noemen")
    if delen.username is not None or delen.password is not None:
        raise OngeldigeWebhook("zet geen inloggegevens in de URL; de ontvanger controleert de handtekening")
    if host.lower() in {h.lower() for h in toegestane_hosts}:
        return
    if delen.scheme != "https":
        raise OngeldigeWebhook("een webhook gaat alleen over https")
    for adres in await _adressen(host, poort or 443):
        if not openbaar(adres):
            raise OngeldigeWebhook(f"{host} wijst naar een adres binnen het netwerk ({adres}); kies een openbare host")


# ------------------------------------------------------------------------------------- sending


class HttpWebhookVerzender:
    def __init__(
        self,
        *,
        timeout_s: float = 10.0,
        klok: Callable[[], float] = time.time,
        toegestane_hosts: Collection[str] = (),
    ) -> None:
        self._timeout_s = timeout_s
        self._klok = klok
        self._toegestane_hosts = tuple(toegestane_hosts)
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
        try:
            await controleer_url(url, toegestane_hosts=self._toegestane_hosts)
        except HostOnbekend as exc:
            raise Afleverfout(f"webhook {url} niet bereikbaar: {exc}") from None
        except OngeldigeWebhook as exc:
            # stored before the rule, or the host moved inside the network: retrying cannot make it allowed
            raise Afleverfout(f"webhook {url} geweigerd: {exc}", blijvend=True) from None
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
