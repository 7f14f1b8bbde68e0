// The verzuim dashboard: fetches the /v1/rapportages figures with the user's bearer token and draws them as inline
// SVG. No libraries, nothing from another origin. Every drawn mark carries its value in a data- attribute, so what
// the page shows can be checked against the API (the browser test does).
"use strict";

(() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const TOKEN_SLEUTEL = "verzuim-token";
  const MAANDEN = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
  const TERMIJN_STATUSSEN = [
    ["vervuld_op_tijd", "op_tijd", "Op tijd"],
    ["vervuld_te_laat", "te_laat", "Te laat"],
    ["verstreken", "verstreken", "Verstreken"],
    ["afgeweken", "afgeweken", "Afgeweken (gemotiveerd)"],
    ["vervallen", "vervallen", "Vervallen"],
    ["open", "open", "Open"],
  ];
  const MAX_FREQUENT = 20; // the list on the page; the CSV has all
  const getal = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 3 });
  const $ = (id) => document.getElementById(id);

  const staat = { token: null, vandaag: null, laadNummer: 0, laatste: null };

  class AanmeldFout extends Error {}

  // ------------------------------------------------------------------------------------------- small helpers

  function el(tag, attrs = {}, ...kinderen) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v !== null && v !== undefined) e.setAttribute(k, v);
    }
    for (const k of kinderen) e.append(k);
    return e;
  }

  function svg(tag, attrs = {}, ...kinderen) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    }
    for (const k of kinderen) e.append(k);
    return e;
  }

  function titel(tekst) {
    return svg("title", {}, tekst);
  }

  function toon(waarde, eenheid) {
    if (waarde === null || waarde === undefined) return "–";
    return getal.format(waarde) + (eenheid ? ` ${eenheid}` : "");
  }

  function iso(d) {
    return d.toISOString().slice(0, 10);
  }

  function datum(tekst) {
    return new Date(`${tekst}T00:00:00Z`);
  }

  function dagen(d, n) {
    const x = new Date(d);
    x.setUTCDate(x.getUTCDate() + n);
    return x;
  }

  function maandBegin(jaar, maand) {
    return new Date(Date.UTC(jaar, maand, 1));
  }

  function maandLabel(periode) {
    const d = datum(periode.van);
    const m = MAANDEN[d.getUTCMonth()];
    return d.getUTCMonth() === 0 ? `${m} ${d.getUTCFullYear()}` : m;
  }

  function netjesMax(waarde) {
    if (!(waarde > 0)) return 1;
    const macht = Math.pow(10, Math.floor(Math.log10(waarde)));
    for (const stap of [1, 2, 2.5, 5, 10]) {
      if (waarde <= stap * macht) return stap * macht;
    }
    return 10 * macht;
  }

  function melding(tekst, fout = false) {
    const m = $("melding");
    m.textContent = tekst;
    m.classList.toggle("fout", fout);
  }

  // ------------------------------------------------------------------------------------------- the API

  async function api(pad, params = {}, formaat = "json") {
    const url = new URL(`/v1/rapportages/${pad}`, location.origin);
    for (const [k, v] of Object.entries(params)) {
      if (v !== null && v !== undefined && v !== "") url.searchParams.set(k, v);
    }
    if (formaat === "csv") url.searchParams.set("formaat", "csv");
    const antwoord = await fetch(url, {
      headers: { Authorization: `Bearer ${staat.token}`, Accept: formaat === "csv" ? "text/csv" : "application/json" },
    });
    if (antwoord.status === 401) {
      throw new AanmeldFout("Het token is niet (meer) geldig. Meld u opnieuw aan.");
    }
    if (!antwoord.ok) {
      let detail = antwoord.statusText;
      try {
        detail = (await antwoord.json()).detail || detail;
      } catch (_) {
        /* no problem+json body */
      }
      if (antwoord.status === 403) throw new AanmeldFout(detail);
      throw new Error(detail);
    }
    return formaat === "csv" ? antwoord.blob() : antwoord.json();
  }

  // ------------------------------------------------------------------------------------------- the period

  function gekozenPeriode() {
    const vandaag = datum(staat.vandaag);
    const jaar = vandaag.getUTCFullYear();
    const maand = vandaag.getUTCMonth();
    const kwartaal = Math.floor(maand / 3);
    switch ($("periode").value) {
      case "24m":
        return { van: maandBegin(jaar, maand - 23), tot: vandaag, label: "laatste 24 maanden" };
      case "dit-jaar":
        return { van: maandBegin(jaar, 0), tot: vandaag, label: `${jaar} tot en met vandaag` };
      case "vorig-jaar":
        return { van: maandBegin(jaar - 1, 0), tot: dagen(maandBegin(jaar, 0), -1), label: `${jaar - 1}` };
      case "dit-kwartaal":
        return {
          van: maandBegin(jaar, kwartaal * 3),
          tot: vandaag,
          label: `${jaar}-Q${kwartaal + 1} tot en met vandaag`,
        };
      case "vorig-kwartaal": {
        const van = maandBegin(jaar, (kwartaal - 1) * 3);
        const tot = dagen(maandBegin(jaar, kwartaal * 3), -1);
        return { van, tot, label: `${van.getUTCFullYear()}-Q${Math.floor(van.getUTCMonth() / 3) + 1}` };
      }
      case "eigen": {
        const [vj, vm] = ($("van").value || staat.vandaag.slice(0, 7)).split("-").map(Number);
        const [tj, tm] = ($("tot").value || staat.vandaag.slice(0, 7)).split("-").map(Number);
        let tot = dagen(maandBegin(tj, tm), -1);
        if (tot > vandaag) tot = vandaag;
        return { van: maandBegin(vj, vm - 1), tot, label: "eigen periode" };
      }
      default:
        return { van: maandBegin(jaar, maand - 11), tot: vandaag, label: "laatste 12 maanden" };
    }
  }

  // ------------------------------------------------------------------------------------------- charts

  function leeg(breedte, hoogte, tekst) {
    return svg("text", { x: breedte / 2, y: hoogte / 2, "text-anchor": "middle", class: "leeg" }, tekst);
  }

  // A line chart of one series: a point per period, the value in data-waarde.
  function lijnGrafiek(doel, reeks, punten, eenheid) {
    const B = 760, H = 250, L = 48, R = 16, T = 14, O = 30;
    const waarden = punten.map((p) => p.waarde).filter((w) => w !== null);
    const max = netjesMax(Math.max(0, ...waarden));
    const x = (i) => L + (punten.length === 1 ? (B - L - R) / 2 : (i * (B - L - R)) / (punten.length - 1));
    const y = (w) => T + (H - T - O) * (1 - w / max);
    const kaart = svg("svg", {
      viewBox: `0 0 ${B} ${H}`,
      role: "img",
      "aria-label": `${reeks}: ${punten.length} punten`,
      "data-reeks": reeks,
      "data-punten": punten.length,
      "data-max": max,
    });
    for (let i = 0; i <= 4; i++) {
      const w = (max * i) / 4;
      kaart.append(svg("line", { x1: L, x2: B - R, y1: y(w), y2: y(w), class: i ? "raster-lijn" : "as" }));
      kaart.append(svg("text", { x: L - 6, y: y(w) + 4, "text-anchor": "end" }, getal.format(w)));
    }
    if (!waarden.length) {
      kaart.append(leeg(B, H, "Geen gegevens in deze periode"));
    } else {
      const lijnpunten = punten.map((p, i) => (p.waarde === null ? null : [x(i), y(p.waarde)])).filter(Boolean);
      const pad = lijnpunten.map(([px, py], i) => `${i ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`).join(" ");
      const eerste = lijnpunten[0];
      const laatste = lijnpunten[lijnpunten.length - 1];
      kaart.append(svg("path", { d: `${pad} L${laatste[0]},${y(0)} L${eerste[0]},${y(0)} Z`, class: "vlak" }));
      kaart.append(svg("path", { d: pad, class: "lijn" }));
    }
    punten.forEach((p, i) => {
      const stap = Math.max(1, Math.ceil(punten.length / 12));
      if (i % stap === 0 || i === punten.length - 1) {
        kaart.append(svg("text", { x: x(i), y: H - 10, "text-anchor": "middle" }, maandLabel(p.periode)));
      }
      if (p.waarde === null) return;
      kaart.append(
        svg(
          "circle",
          {
            cx: x(i).toFixed(1),
            cy: y(p.waarde).toFixed(1),
            r: 4,
            class: "punt",
            "data-waarde": p.waarde,
            "data-periode": p.periode.label,
          },
          titel(`${p.periode.label}: ${toon(p.waarde, eenheid)}`),
        ),
      );
    });
    doel.replaceChildren(kaart);
  }

  // Vertical bars, one per period.
  function kolomGrafiek(doel, reeks, punten, eenheid) {
    const B = 760, H = 220, L = 48, R = 16, T = 14, O = 30;
    const max = netjesMax(Math.max(0, ...punten.map((p) => p.waarde || 0)));
    const vak = (B - L - R) / Math.max(1, punten.length);
    const y = (w) => T + (H - T - O) * (1 - w / max);
    const kaart = svg("svg", {
      viewBox: `0 0 ${B} ${H}`,
      role: "img",
      "aria-label": `${reeks}: ${punten.length} staven`,
      "data-reeks": reeks,
      "data-max": max,
    });
    for (let i = 0; i <= 4; i++) {
      const w = (max * i) / 4;
      kaart.append(svg("line", { x1: L, x2: B - R, y1: y(w), y2: y(w), class: i ? "raster-lijn" : "as" }));
      kaart.append(svg("text", { x: L - 6, y: y(w) + 4, "text-anchor": "end" }, getal.format(w)));
    }
    punten.forEach((p, i) => {
      const w = p.waarde || 0;
      const hoogte = y(0) - y(w);
      kaart.append(
        svg(
          "rect",
          {
            x: (L + i * vak + vak * 0.15).toFixed(1),
            y: y(w).toFixed(1),
            width: (vak * 0.7).toFixed(1),
            height: hoogte.toFixed(1),
            class: "staaf",
            "data-waarde": p.waarde === null ? "" : p.waarde,
            "data-periode": p.periode.label,
          },
          titel(`${p.periode.label}: ${toon(p.waarde, eenheid)}`),
        ),
      );
      const stap = Math.max(1, Math.ceil(punten.length / 12));
      if (i % stap === 0 || i === punten.length - 1) {
        kaart.append(svg("text", { x: L + i * vak + vak / 2, y: H - 10, "text-anchor": "middle" }, maandLabel(p.periode)));
      }
    });
    doel.replaceChildren(kaart);
  }

  // Horizontal bars with a label and the count (and share) next to each.
  function balkGrafiek(doel, reeks, rijen) {
    const B = 560, rij = 34, L = 150, R = 90, T = 6;
    const H = T * 2 + rij * rijen.length;
    const max = Math.max(1, ...rijen.map((r) => r.waarde));
    const kaart = svg("svg", { viewBox: `0 0 ${B} ${H}`, role: "img", "aria-label": reeks, "data-reeks": reeks });
    rijen.forEach((r, i) => {
      const y = T + i * rij;
      const breedte = ((B - L - R) * r.waarde) / max;
      kaart.append(svg("text", { x: L - 8, y: y + rij / 2 + 4, "text-anchor": "end" }, r.label));
      kaart.append(
        svg(
          "rect",
          {
            x: L,
            y: y + 6,
            width: breedte.toFixed(1),
            height: rij - 12,
            rx: 3,
            class: "staaf",
            "data-waarde": r.waarde,
            "data-label": r.code,
          },
          titel(`${r.label}: ${r.waarde}`),
        ),
      );
      kaart.append(
        svg("text", { x: L + breedte + 8, y: y + rij / 2 + 4, class: "label-waarde" }, r.toelichting || String(r.waarde)),
      );
    });
    doel.replaceChildren(kaart);
  }

  // Stacked horizontal bars: per termijn code, how its termijnen ended.
  function termijnGrafiek(doel, rapport) {
    const B = 760, rij = 34, L = 200, R = 110, T = 6;
    const codes = rapport.per_code;
    const legenda = el("ul", { class: "legenda" });
    for (const [, klasse, naam] of TERMIJN_STATUSSEN) legenda.append(el("li", {}, el("i", { class: klasse }), naam));
    if (!codes.length) {
      const kaart = svg("svg", { viewBox: `0 0 ${B} 60`, "data-reeks": "termijnbewaking" }, leeg(B, 60, "Geen termijnen in deze periode"));
      doel.replaceChildren(kaart);
      return;
    }
    const H = T * 2 + rij * codes.length;
    const max = Math.max(1, ...codes.map((c) => c.totaal));
    const kaart = svg("svg", { viewBox: `0 0 ${B} ${H}`, role: "img", "aria-label": "Termijnbewaking per code", "data-reeks": "termijnbewaking" });
    codes.forEach((c, i) => {
      const y = T + i * rij;
      const groep = svg("g", { "data-code": c.code, "data-totaal": c.totaal });
      groep.append(svg("text", { x: L - 8, y: y + rij / 2 + 4, "text-anchor": "end" }, c.code));
      let x = L;
      for (const [veld, klasse, naam] of TERMIJN_STATUSSEN) {
        const aantal = c[veld];
        const breedte = ((B - L - R) * aantal) / max;
        if (aantal > 0) {
          groep.append(
            svg(
              "rect",
              { x: x.toFixed(1), y: y + 6, width: breedte.toFixed(1), height: rij - 12, class: `segment ${klasse}`, "data-status": veld, "data-aantal": aantal },
              titel(`${c.code} · ${naam}: ${aantal}`),
            ),
          );
        }
        x += breedte;
      }
      const op_tijd = c.aandeel_op_tijd === null ? "–" : `${getal.format(c.aandeel_op_tijd)} % op tijd`;
      groep.append(svg("text", { x: x + 8, y: y + rij / 2 + 4, class: "label-waarde", "data-aandeel-op-tijd": c.aandeel_op_tijd ?? "" }, op_tijd));
      kaart.append(groep);
    });
    doel.replaceChildren(legenda, kaart);
  }

  // ------------------------------------------------------------------------------------------- the page

  function tegels(kern) {
    const cijfers = kern.totaal.cijfers;
    const doel = $("kerncijfers");
    doel.replaceChildren();
    const extra = {
      verzuimpercentage: (f) => `${getal.format(f.teller)} van ${getal.format(f.noemer)} fte-dagen verzuimd`,
      meldingsfrequentie: () => `${kern.totaal.aantallen.nieuwe_meldingen} nieuwe meldingen`,
      gemiddelde_verzuimduur: () => `${kern.totaal.aantallen.beeindigde_gevallen} beëindigde gevallen`,
      nulverzuim: (f) => `${getal.format(f.teller)} van ${getal.format(f.noemer)} werknemers`,
      activeringspercentage: () => "van de contracturen van zieke werknemers",
    };
    for (const [code, f] of Object.entries(cijfers)) {
      const eenheid = f.eenheid === "%" ? "%" : f.eenheid === "kalenderdagen" ? "dagen" : "";
      doel.append(
        el(
          "article",
          { class: "tegel", "data-cijfer": code, "data-waarde": f.waarde ?? "", title: f.definitie },
          el("div", { class: "naam" }, f.naam),
          el("div", { class: "waarde" }, f.waarde === null ? "–" : getal.format(f.waarde), el("span", { class: "eenheid" }, eenheid)),
          el("div", { class: "detail" }, extra[code] ? extra[code](f) : ""),
        ),
      );
    }
  }

  function definities(kern, overige) {
    const lijst = $("definities");
    lijst.replaceChildren();
    for (const f of Object.values(kern.totaal.cijfers)) lijst.append(el("dt", {}, f.naam), el("dd", {}, f.definitie));
    for (const [naam, tekst] of overige) lijst.append(el("dt", {}, naam), el("dd", {}, tekst));
  }

  function frequentTabel(rapport) {
    const body = $("frequent").querySelector("tbody");
    body.replaceChildren();
    if (!rapport.werknemers.length) {
      body.append(el("tr", { class: "leeg" }, el("td", { colspan: "4" }, "Geen frequent verzuimers in deze periode.")));
    }
    for (const w of rapport.werknemers.slice(0, MAX_FREQUENT)) {
      const rij = el(
        "tr",
        { "data-werknemer": w.werknemer_id, "data-aantal": w.aantal_meldingen, tabindex: "0" },
        el("td", {}, w.werknemer_id),
        el("td", {}, w.afdeling_naam || w.afdeling_id),
        el("td", {}, String(w.aantal_meldingen)),
        el("td", {}, w.eerste_ziektedagen.join(", ")),
      );
      rij.addEventListener("click", () => verleden(w.werknemer_id));
      rij.addEventListener("keydown", (e) => e.key === "Enter" && verleden(w.werknemer_id));
      body.append(rij);
    }
    if (rapport.werknemers.length > MAX_FREQUENT) {
      const meer = rapport.werknemers.length - MAX_FREQUENT;
      body.append(
        el("tr", { class: "leeg", "data-meer": meer }, el("td", { colspan: "4" }, `… en ${meer} meer: de CSV heeft de hele lijst.`)),
      );
    }
    $("toelichting-frequent").textContent = `${rapport.aantal} frequent verzuimers. ${rapport.definitie}`;
  }

  async function verleden(werknemer) {
    const doel = $("verleden");
    doel.hidden = false;
    doel.replaceChildren(el("p", {}, "Verzuimverleden laden…"));
    try {
      const v = await api(`werknemers/${encodeURIComponent(werknemer)}/verzuimverleden`);
      const lijst = el("table", { class: "tabel" });
      lijst.append(el("thead", {}, el("tr", {}, ...["Eerste ziektedag", "Hersteld", "Duur", "Percentages"].map((k) => el("th", {}, k)))));
      const body = el("tbody");
      for (const m of v.meldingen) {
        body.append(
          el(
            "tr",
            {},
            el("td", {}, m.eerste_ziektedag),
            el("td", {}, m.hersteldatum || (m.lopend ? "loopt nog" : "gesloten")),
            el("td", {}, `${m.duur_dagen} dagen`),
            el("td", {}, m.percentages.map((p) => `${p.vanaf}: ${p.arbeidsongeschiktheidspercentage} %`).join(" · ")),
          ),
        );
      }
      lijst.append(body);
      const c = v.cijfers;
      doel.replaceChildren(
        el("h3", {}, `Verzuimverleden van ${v.werknemer_id}`),
        el(
          "p",
          { class: "toelichting" },
          `${v.periode.van} t/m ${v.periode.tot}: ${v.meldingen_in_periode} meldingen, ${v.ziektedagen_in_periode} ziektedagen, ` +
            `verzuimpercentage ${toon(c.verzuimpercentage.waarde, "%")}`,
        ),
        lijst,
      );
    } catch (fout) {
      doel.replaceChildren(el("p", { class: "fout" }, fout.message));
    }
  }

  function filterParams() {
    const p = gekozenPeriode();
    return { van: iso(p.van), tot: iso(p.tot), afdeling_id: $("afdeling").value || null, label: p.label };
  }

  async function laad() {
    const nummer = ++staat.laadNummer;
    document.body.dataset.status = "laden";
    melding("Cijfers laden…");
    const f = filterParams();
    const basis = { van: f.van, tot: f.tot, afdeling_id: f.afdeling_id };
    const schema = $("schema").value;
    try {
      const [kern, trends, duur, termijnen, frequent, open] = await Promise.all([
        api("kerncijfers", basis),
        api("trends", { ...basis, interval: "maand" }),
        api("duurklassen", { ...basis, schema }),
        api("termijnbewaking", basis),
        api("frequent-verzuim", basis),
        api("open-dossiers/duur", { peildatum: f.tot, afdeling_id: f.afdeling_id, schema }),
      ]);
      if (nummer !== staat.laadNummer) return; // a newer choice of filters is on its way
      staat.laatste = { basis, schema, peildatum: f.tot };
      $("periode-label").textContent = `${kern.periode.van} t/m ${kern.periode.tot} (${f.label})`;
      const afdeling = $("afdeling");
      $("scope").textContent =
        (afdeling.value ? `· afdeling ${afdeling.options[afdeling.selectedIndex].text}` : "· alle afdelingen") +
        (kern.filter.leidinggevende_id ? ` · uw team (${kern.filter.leidinggevende_id})` : "");
      tegels(kern);
      const reeks = (code) => trends.reeksen.find((r) => r.code === code && r.groep === null);
      lijnGrafiek($("grafiek-verzuimpercentage"), "verzuimpercentage", reeks("verzuimpercentage").punten, "%");
      kolomGrafiek($("grafiek-meldingsfrequentie"), "meldingsfrequentie", reeks("meldingsfrequentie").punten, "");
      const totaalGevallen = duur.totaal.reduce((s, k) => s + k.aantal, 0);
      balkGrafiek(
        $("grafiek-duurklassen"),
        "duurklassen",
        duur.totaal.map((k) => ({
          code: k.code,
          label: `${k.naam} (${k.tot_dag === null ? `${k.van_dag}+` : `${k.van_dag}–${k.tot_dag}`} d)`,
          waarde: k.aantal,
          toelichting: totaalGevallen ? `${k.aantal} · ${getal.format(k.aandeel)} %` : "0",
        })),
      );
      $("toelichting-duurklassen").textContent = `${totaalGevallen} verzuimgevallen die in de periode liepen.`;
      balkGrafiek(
        $("grafiek-open-dossiers"),
        "open-dossiers",
        open.klassen.map((k) => ({
          code: k.code,
          label: `${k.naam} (${k.tot_dag === null ? `${k.van_dag}+` : `${k.van_dag}–${k.tot_dag}`} d)`,
          waarde: k.aantal,
        })),
      );
      $("toelichting-open-dossiers").textContent = `${open.totaal} open dossiers op ${open.peildatum}.`;
      termijnGrafiek($("grafiek-termijnen"), termijnen);
      const t = termijnen.totaal;
      $("toelichting-termijnen").textContent =
        `${t.totaal} termijnen met vervaldatum in de periode; ${t.aandeel_op_tijd === null ? "nog geen beslist" : `${getal.format(t.aandeel_op_tijd)} % op tijd`}.`;
      frequentTabel(frequent);
      definities(kern, [
        ["Duurklassen", duur.definitie],
        ["Open dossiers naar duur", open.definitie],
        ["Termijnbewaking", termijnen.definitie],
        ["Frequent verzuim", frequent.definitie],
      ]);
      $("inhoud").hidden = false;
      melding("");
      document.body.dataset.van = f.van;
      document.body.dataset.tot = f.tot;
      document.body.dataset.status = "klaar";
    } catch (fout) {
      if (nummer !== staat.laadNummer) return;
      fouten(fout);
    }
  }

  function fouten(fout) {
    document.body.dataset.status = "fout";
    if (fout instanceof AanmeldFout) {
      sessionStorage.removeItem(TOKEN_SLEUTEL);
      $("inhoud").hidden = true;
      $("aanmelden").hidden = false;
      const p = $("aanmelden-fout");
      p.textContent = fout.message;
      p.hidden = false;
      melding("");
    } else {
      melding(`De cijfers konden niet worden geladen: ${fout.message}`, true);
    }
  }

  async function csv(soort) {
    if (!staat.laatste) return;
    const { basis, schema, peildatum } = staat.laatste;
    const params =
      soort === "trends" ? { ...basis, interval: "maand" }
      : soort === "open-dossiers/duur" ? { peildatum, afdeling_id: basis.afdeling_id, schema }
      : soort === "duurklassen" ? { ...basis, schema }
      : basis;
    try {
      const blob = await api(soort, params, "csv");
      const a = el("a", { href: URL.createObjectURL(blob), download: `${soort.replace("/", "-")}-${basis.van}-${basis.tot}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (fout) {
      fouten(fout);
    }
  }

  async function start() {
    const hash = new URLSearchParams(location.hash.slice(1));
    if (hash.get("token")) {
      sessionStorage.setItem(TOKEN_SLEUTEL, hash.get("token"));
      history.replaceState(null, "", location.pathname + location.search); // the token leaves the address bar
    }
    staat.token = sessionStorage.getItem(TOKEN_SLEUTEL);
    if (!staat.token) {
      $("aanmelden").hidden = false;
      document.body.dataset.status = "aanmelden";
      return;
    }
    try {
      const afdelingen = await api("afdelingen");
      staat.vandaag = afdelingen.vandaag;
      $("ondertitel").textContent = `Werkgever ${afdelingen.werkgever_id} · cijfers tot en met ${afdelingen.vandaag}`;
      const keuze = $("afdeling");
      keuze.replaceChildren(el("option", { value: "" }, "Alle afdelingen"));
      for (const a of afdelingen.afdelingen) keuze.append(el("option", { value: a.afdeling_id }, a.naam || a.afdeling_id));
      $("van").value = staat.vandaag.slice(0, 4) + "-01";
      $("tot").value = staat.vandaag.slice(0, 7);
    } catch (fout) {
      fouten(fout);
      return;
    }
    await laad();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("token-formulier").addEventListener("submit", (e) => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_SLEUTEL, $("token").value.trim());
      $("aanmelden").hidden = true;
      start();
    });
    for (const id of ["afdeling", "schema", "van", "tot"]) $(id).addEventListener("change", laad);
    $("periode").addEventListener("change", () => {
      const eigen = $("periode").value === "eigen";
      for (const label of document.querySelectorAll(".filters .eigen")) label.hidden = !eigen;
      laad();
    });
    for (const knop of document.querySelectorAll("button.csv")) knop.addEventListener("click", () => csv(knop.dataset.csv));
    // a link with a (new) token opened in the same tab
    window.addEventListener("hashchange", () => new URLSearchParams(location.hash.slice(1)).get("token") && start());
    start();
  });
})();
