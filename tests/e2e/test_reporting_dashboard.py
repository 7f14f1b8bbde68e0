"""The reporting dashboard in a real headless Chromium (Debian's `chromium`): the page loads from the reporting
service running as its own process, draws its charts from the API, and what the charts show is the API's data.
Filtering by afdeling and by period redraws them.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`): no browser download, no
websocket library. The data is a generated population published onto the streams before the service starts, so the
service builds its read model with the rebuild at start."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.stack import LocalStack
from verzuim_reporting.populatie import Instellingen, Populatie, genereer, publiceer
from verzuim_shared.messaging import ensure_streams
from verzuim_shared.settings import ServiceSettings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VANDAAG = "2025-01-15"
POPULATIE = Instellingen(werknemers=400, afdelingen=6, werkgever_id="dashboard-bv", seed=42)


class Chromium:
    """A headless Chromium and one page, spoken to with DevTools protocol messages over a pipe."""

    def __init__(self, profiel: Path) -> None:
        opdrachten_lees, self._opdrachten = os.pipe()  # we write commands, Chromium reads them on fd 3
        self._antwoorden, antwoorden_schrijf = os.pipe()  # Chromium writes on fd 4, we read

        def koppel_pipes() -> None:
            # via high numbers first, so that neither pipe end is overwritten while moving them to 3 and 4
            os.dup2(opdrachten_lees, 100)
            os.dup2(antwoorden_schrijf, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)

        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profiel}",
                "--remote-debugging-pipe",
                "--window-size=1280,2000",
                "about:blank",
            ],
            preexec_fn=koppel_pipes,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(opdrachten_lees)
        os.close(antwoorden_schrijf)
        self._nummers = itertools.count(1)
        self.navigaties: list[str] = []  # what the page navigated to, for the messages of failed waits
        self._berichten: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._lees, daemon=True).start()
        target = self.stuur("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.sessie = self.stuur("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.stuur("Page.enable", sessie=True)
        self.stuur("Runtime.enable", sessie=True)

    def _lees(self) -> None:
        buffer = b""
        while True:
            stuk = os.read(self._antwoorden, 65536)
            if not stuk:
                return
            buffer += stuk
            *berichten, buffer = buffer.split(b"\0")
            for bericht in berichten:
                self._berichten.put(json.loads(bericht))

    def stuur(self, methode: str, params: dict[str, Any] | None = None, *, sessie: bool = False) -> dict[str, Any]:
        nummer = next(self._nummers)
        bericht: dict[str, Any] = {"id": nummer, "method": methode, "params": params or {}}
        if sessie:
            bericht["sessionId"] = self.sessie
        os.write(self._opdrachten, json.dumps(bericht).encode() + b"\0")
        einde = time.monotonic() + 60
        while True:
            try:
                antwoord = self._berichten.get(timeout=max(0.1, einde - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"Chromium answered {methode} not within 60 s") from None
            if antwoord.get("method") == "Page.frameNavigated":
                self.navigaties.append(antwoord.get("params", {}).get("frame", {}).get("url", ""))
            if antwoord.get("id") == nummer:
                if "error" in antwoord:
                    raise AssertionError(f"{methode}: {antwoord['error']}")
                return dict(antwoord.get("result", {}))

    def js(self, expressie: str) -> Any:
        resultaat = self.stuur(
            "Runtime.evaluate", {"expression": expressie, "returnByValue": True, "awaitPromise": True}, sessie=True
        )
        if "exceptionDetails" in resultaat:
            raise AssertionError(f"JavaScript failed: {resultaat['exceptionDetails']}")
        return resultaat["result"].get("value")

    def ga_naar(self, url: str) -> None:
        self.stuur("Page.navigate", {"url": url}, sessie=True)

    def wacht_tot(self, expressie: str, *, timeout: float = 60.0) -> Any:
        einde = time.monotonic() + timeout
        laatste: Any = None
        while time.monotonic() < einde:
            try:
                waarde = self.js(expressie)
            except AssertionError as exc:  # the page may be between documents: not an answer, ask again
                laatste = exc
            else:
                if waarde:
                    return waarde
                laatste = waarde
            time.sleep(0.1)
        status = self.js(
            "document.body && document.body.dataset.status + ' ' + document.getElementById('melding').textContent"
        )
        raise AssertionError(
            f"not within {timeout}s: {expressie} (last {laatste!r}; page: {status}; navigations: {self.navigaties})"
        )

    def schermafbeelding(self, pad: Path) -> None:
        import base64

        data = self.stuur("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, sessie=True)
        pad.write_bytes(base64.b64decode(data["data"]))

    def sluit(self) -> None:
        try:
            self.stuur("Browser.close")
        except (AssertionError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._opdrachten, self._antwoorden):
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture(scope="module")
def populatie() -> Populatie:
    return genereer(POPULATIE)


@pytest.fixture(scope="module")
def reporting(
    tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str, jwt_secret: str, populatie: Populatie
) -> Iterator[str]:
    """NATS of its own with the population on its streams, then the reporting service as a process."""
    state = tmp_path_factory.mktemp("dashboard")
    nats_server = NatsServer(state / "nats").start()
    stack = LocalStack(
        state_dir=state / "stack",
        database_admin_url=postgres_admin_url,
        nats_url=nats_server.url,
        jwt_secret=jwt_secret,
        database_prefix=f"dash_{uuid.uuid4().hex[:8]}",
        extra_env={"VERZUIM_CLOCK": f"simulated:{VANDAAG}T12:00:00+01:00"},
    )
    try:
        stack.start_infrastructure()

        async def vul() -> None:
            import nats

            nc = await nats.connect(nats_server.url)
            await ensure_streams(nc.jetstream(), ServiceSettings())
            await nc.close()
            await publiceer(nats_server.url, populatie.events)

        asyncio.run(vul())
        stack.start_services(("reporting",))
        yield stack.services["reporting"].url
    finally:
        stack.stop()
        nats_server.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    chromium = Chromium(tmp_path / "profiel")
    try:
        yield chromium
    finally:
        chromium.sluit()


def api(url: str, token: str, pad: str, **params: str | None) -> Any:
    r = httpx.get(
        f"{url}/v1/rapportages/{pad}",
        params={k: v for k, v in params.items() if v},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()


GETEKEND = """(() => {
  const attr = (sel, naam) => [...document.querySelectorAll(sel)].map((e) => e.getAttribute(naam));
  const num = (sel, naam) => attr(sel, naam).map(Number);
  return {
    van: document.body.dataset.van, tot: document.body.dataset.tot,
    tegels: Object.fromEntries([...document.querySelectorAll('#kerncijfers .tegel')].map(
      (t) => [t.dataset.cijfer, t.dataset.waarde === '' ? null : Number(t.dataset.waarde)])),
    tegeltekst: document.getElementById('kerncijfers').innerText,
    zvp_periodes: attr('#grafiek-verzuimpercentage circle.punt', 'data-periode'),
    zvp_waarden: num('#grafiek-verzuimpercentage circle.punt', 'data-waarde'),
    zvp_cy: num('#grafiek-verzuimpercentage circle.punt', 'cy'),
    zmf_periodes: attr('#grafiek-meldingsfrequentie rect.staaf', 'data-periode'),
    zmf_waarden: attr('#grafiek-meldingsfrequentie rect.staaf', 'data-waarde').map((w) => w === '' ? null : Number(w)),
    zmf_hoogtes: num('#grafiek-meldingsfrequentie rect.staaf', 'height'),
    duur_codes: attr('#grafiek-duurklassen rect.staaf', 'data-label'),
    duur_waarden: num('#grafiek-duurklassen rect.staaf', 'data-waarde'),
    duur_breedtes: num('#grafiek-duurklassen rect.staaf', 'width'),
    open_waarden: num('#grafiek-open-dossiers rect.staaf', 'data-waarde'),
    termijnen: [...document.querySelectorAll('#grafiek-termijnen g[data-code]')].map((g) => ({
      code: g.dataset.code, totaal: Number(g.dataset.totaal),
      segmenten: Object.fromEntries([...g.querySelectorAll('rect.segment')].map(
        (r) => [r.dataset.status, Number(r.dataset.aantal)])),
      breedte: [...g.querySelectorAll('rect.segment')].reduce((s, r) => s + Number(r.getAttribute('width')), 0),
    })),
    frequent: attr('#frequent tbody tr[data-werknemer]', 'data-werknemer'),
    meer: Number(document.querySelector('#frequent tr[data-meer]')?.dataset.meer || 0),
    scope: document.getElementById('scope').textContent,
    bronnen: performance.getEntriesByType('resource').map((e) => e.name),
  };
})()"""


def klopt_met_api(getekend: dict[str, Any], url: str, token: str, afdeling_id: str | None) -> None:
    """What the page drew is the API's data for the same period and afdeling."""
    basis = {"van": getekend["van"], "tot": getekend["tot"], "afdeling_id": afdeling_id}
    kern = api(url, token, "kerncijfers", **basis)
    assert getekend["tegels"] == {c: f["waarde"] for c, f in kern["totaal"]["cijfers"].items()}
    trends = api(url, token, "trends", interval="maand", **basis)
    reeks = {r["code"]: r["punten"] for r in trends["reeksen"] if r["groep"] is None}
    zvp = [p for p in reeks["verzuimpercentage"] if p["waarde"] is not None]
    assert getekend["zvp_periodes"] == [p["periode"]["label"] for p in zvp]
    assert getekend["zvp_waarden"] == [p["waarde"] for p in zvp]
    assert len(zvp) >= 2 and len(set(getekend["zvp_waarden"])) > 1  # a line that actually goes somewhere
    # higher values are drawn higher (a smaller y)
    for (w1, y1), (w2, y2) in itertools.combinations(zip(getekend["zvp_waarden"], getekend["zvp_cy"], strict=True), 2):
        if w1 > w2:
            assert y1 < y2
    assert getekend["zmf_periodes"] == [p["periode"]["label"] for p in reeks["meldingsfrequentie"]]
    assert getekend["zmf_waarden"] == [p["waarde"] for p in reeks["meldingsfrequentie"]]
    schaal = {round(h / w, 3) for h, w in zip(getekend["zmf_hoogtes"], getekend["zmf_waarden"], strict=True) if w}
    assert max(schaal) - min(schaal) < 0.05 * max(schaal)  # bar heights proportional to the values
    duur = api(url, token, "duurklassen", **basis)
    assert getekend["duur_codes"] == [k["code"] for k in duur["totaal"]]
    assert getekend["duur_waarden"] == [k["aantal"] for k in duur["totaal"]]
    assert sum(getekend["duur_waarden"]) > 0
    grootste = max(getekend["duur_waarden"])
    for breedte, waarde in zip(getekend["duur_breedtes"], getekend["duur_waarden"], strict=True):
        assert breedte == pytest.approx(
            getekend["duur_breedtes"][getekend["duur_waarden"].index(grootste)] * waarde / grootste, abs=0.2
        )
    open_ = api(url, token, "open-dossiers/duur", peildatum=getekend["tot"], afdeling_id=afdeling_id)
    assert getekend["open_waarden"] == [k["aantal"] for k in open_["klassen"]]
    termijnen = api(url, token, "termijnbewaking", **basis)
    assert [t["code"] for t in getekend["termijnen"]] == [t["code"] for t in termijnen["per_code"]]
    for getekende, t in zip(getekend["termijnen"], termijnen["per_code"], strict=True):
        assert getekende["totaal"] == t["totaal"]
        statussen = ("vervuld_op_tijd", "vervuld_te_laat", "verstreken", "afgeweken", "vervallen", "open")
        assert getekende["segmenten"] == {s: t[s] for s in statussen if t[s]}
    frequent = api(url, token, "frequent-verzuim", **basis)
    assert getekend["frequent"] == [w["werknemer_id"] for w in frequent["werknemers"]][:20]  # the first 20 shown
    assert getekend["meer"] == max(0, frequent["aantal"] - 20)


def test_the_dashboard_shows_the_figures_of_the_api_and_follows_the_filters(
    reporting: str, browser: Chromium, token_factory: Callable[..., str], tmp_path: Path
) -> None:
    token = token_factory(rol="hr", sub="hr-1", werkgever_id=POPULATIE.werkgever_id)
    r = httpx.get(f"{reporting}/dashboard")
    assert r.status_code == 200
    assert "default-src 'none'" in r.headers["content-security-policy"]

    browser.ga_naar(f"{reporting}/dashboard#token={token}")
    browser.wacht_tot("document.body.dataset.status === 'klaar'")
    assert browser.js("location.hash") == ""  # the token left the address bar
    getekend = browser.js(GETEKEND)
    # the default period: the last 12 months up to the service's today
    assert (getekend["van"], getekend["tot"]) == ("2024-02-01", VANDAAG)
    assert len(getekend["zvp_periodes"]) == 12
    assert "Verzuimpercentage" in getekend["tegeltekst"]
    klopt_met_api(getekend, reporting, token, None)
    assert getekend["frequent"], "the population has frequent verzuimers"
    # nothing came from another origin: the charts are the page's own SVG
    assert all(bron.startswith(reporting) for bron in getekend["bronnen"]), getekend["bronnen"]
    browser.schermafbeelding(tmp_path / "dashboard.png")

    # one afdeling
    afdelingen = api(reporting, token, "afdelingen")["afdelingen"]
    gekozen = afdelingen[1]
    browser.js(
        f"""(() => {{ const s = document.getElementById('afdeling'); s.value = {json.dumps(gekozen["afdeling_id"])};
        document.body.dataset.status = 'laden'; s.dispatchEvent(new Event('change')); }})()"""
    )
    browser.wacht_tot("document.body.dataset.status === 'klaar'")
    per_afdeling = browser.js(GETEKEND)
    assert gekozen["naam"] in per_afdeling["scope"]
    klopt_met_api(per_afdeling, reporting, token, gekozen["afdeling_id"])
    assert per_afdeling["tegels"] != getekend["tegels"]

    # another period: last year, month by month
    browser.js(
        """(() => { const s = document.getElementById('periode'); s.value = 'vorig-jaar';
        document.body.dataset.status = 'laden'; s.dispatchEvent(new Event('change')); })()"""
    )
    browser.wacht_tot("document.body.dataset.status === 'klaar'")
    vorig_jaar = browser.js(GETEKEND)
    assert (vorig_jaar["van"], vorig_jaar["tot"]) == ("2024-01-01", "2024-12-31")
    assert vorig_jaar["zmf_periodes"] == [f"2024-{m:02d}" for m in range(1, 13)]
    klopt_met_api(vorig_jaar, reporting, token, gekozen["afdeling_id"])

    # a frequent verzuimer's verzuimverleden opens from the list
    if vorig_jaar["frequent"]:
        browser.js("document.querySelector('#frequent tbody tr[data-werknemer]').click()")
        browser.wacht_tot("document.querySelector('#verleden h3') !== null")
        assert vorig_jaar["frequent"][0] in browser.js("document.getElementById('verleden').innerText")


def test_without_a_valid_token_the_dashboard_asks_for_one(reporting: str, browser: Chromium) -> None:
    browser.ga_naar(f"{reporting}/dashboard")
    browser.wacht_tot("document.body.dataset.status === 'aanmelden'")
    assert browser.js("document.getElementById('aanmelden').hidden") is False
    assert browser.js("document.getElementById('inhoud').hidden") is True
    browser.ga_naar(f"{reporting}/dashboard#token=geen-geldig-token")
    browser.wacht_tot("document.body.dataset.status === 'fout'")
    assert browser.js("document.getElementById('aanmelden').hidden") is False
    assert "token" in browser.js("document.getElementById('aanmelden-fout').textContent").lower()


def test_the_dashboard_loads_nothing_from_another_origin() -> None:
    static = Path(__file__).resolve().parents[2] / "services/reporting/src/verzuim_reporting/entrypoints/static"
    for bestand in static.iterdir():
        tekst = bestand.read_text()
        for regel in tekst.splitlines():
            if "http://" in regel or "https://" in regel:
                assert "www.w3.org/2000/svg" in regel, f"{bestand.name}: {regel.strip()}"
