"""Which webhook URLs the service will call: https to a public address, or a host explicitly allowed (a receiver on
the same machine). Host names here are IP literals and `localhost` (resolved from the hosts file), so no DNS is
needed."""

from __future__ import annotations

import pytest
from verzuim_notifications.adapters.webhook import OngeldigeWebhook, controleer_url


@pytest.mark.parametrize(
    "url",
    [
        "https://93.184.215.14/hooks/verzuim",
        "https://93.184.215.14:8443/hooks",
        "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hooks",
    ],
)
async def test_https_to_a_public_address_is_allowed(url: str) -> None:
    await controleer_url(url)


@pytest.mark.parametrize(
    ("url", "reden"),
    [
        ("http://93.184.215.14/hooks", "https"),
        ("ftp://93.184.215.14/hooks", "https"),
        ("https://127.0.0.1/hooks", "binnen het netwerk"),
        ("https://localhost:8004/v1/routering/regiemodel", "binnen het netwerk"),
        ("https://[::1]/hooks", "binnen het netwerk"),
        ("https://[::ffff:127.0.0.1]/hooks", "binnen het netwerk"),
        ("https://10.0.0.5/hooks", "binnen het netwerk"),
        ("https://172.16.3.4/hooks", "binnen het netwerk"),
        ("https://192.168.1.20/hooks", "binnen het netwerk"),
        ("https://169.254.169.254/latest/meta-data/", "binnen het netwerk"),  # cloud metadata
        ("https://100.64.0.7/hooks", "binnen het netwerk"),  # shared address space (CGNAT)
        ("https://0.0.0.0/hooks", "binnen het netwerk"),
        ("https://[fd00::1]/hooks", "binnen het netwerk"),
        ("https://224.0.0.1/hooks", "binnen het netwerk"),
        ("https://user:geheim@93.184.215.14/hooks", "inloggegevens"),
    ],
)
async def test_other_urls_are_refused(url: str, reden: str) -> None:
    with pytest.raises(OngeldigeWebhook, match=reden):
        await controleer_url(url)


async def test_an_allowed_host_may_be_called_over_http_and_inside_the_network() -> None:
    await controleer_url("http://127.0.0.1:9000/hooks", toegestane_hosts=("127.0.0.1",))
    await controleer_url("http://LocalHost/hooks", toegestane_hosts=("localhost",))
    # only the hosts named: another internal address stays refused
    with pytest.raises(OngeldigeWebhook):
        await controleer_url("http://10.0.0.5/hooks", toegestane_hosts=("127.0.0.1",))
