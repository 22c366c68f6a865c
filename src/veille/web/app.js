// veille's page: search, documents, questions, figures, uploads — over the JSON API of `veille serve`.
// Everything that comes from the knowledge base is set as text (textContent, createTextNode) or as an
// attribute built here (hash routes from encoded ids); no HTML from data is ever parsed.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const TOKEN_KEY = "veille-token";
const DOC_PAGE = 80; // units of a document shown at a time
const KINDS = { chat: "conversation", transcript: "transcription", article: "article", post: "post" };

// -- small DOM helpers -------------------------------------------------------------------------------

/** An element with a class (optional) and children: strings become text nodes, never markup. */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** A link to a route of this page: only ever a hash built from encoded parts. */
function routeLink(text, parts, className) {
  const a = el("a", className, text);
  a.href = "#/" + parts.map((p) => encodeURIComponent(String(p))).join("/");
  return a;
}

function docRoute(docId, unit) {
  return ["doc", docId, unit ?? 0];
}

/** A snippet whose **marked** words become <mark> elements (text nodes only). */
function highlighted(snippet) {
  const p = el("p", "snippet");
  const parts = String(snippet || "").split(/\*\*(.+?)\*\*/s);
  parts.forEach((part, i) => {
    if (!part) return;
    p.append(i % 2 ? el("mark", null, part) : document.createTextNode(part));
  });
  return p;
}

function clear(node) {
  node.replaceChildren();
  return node;
}

function show(node, visible) {
  node.hidden = !visible;
}

function say(text) {
  const box = document.getElementById("message");
  box.textContent = text || "";
  show(box, Boolean(text));
}

function mmss(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(r)}` : `${two(m)}:${two(r)}`;
}

function when(time) {
  if (!time) return "";
  return String(time).replace("T", " ").replace(/(\d\d:\d\d):\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?$/, "$1");
}

function period(p) {
  if (!p || !p[0]) return "";
  return p[0] === p[1] || !p[1] ? p[0] : `${p[0]} → ${p[1]}`;
}

const numberFormat = new Intl.NumberFormat("fr-FR", { maximumSignificantDigits: 6 });

// -- the API -----------------------------------------------------------------------------------------

let tokenAsked = null; // the pending token form, so that parallel calls ask once

function askToken() {
  if (tokenAsked) return tokenAsked;
  const form = document.getElementById("token-form");
  const input = document.getElementById("token");
  show(form, true);
  input.focus();
  tokenAsked = new Promise((resolve) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      input.value = "";
      show(form, false);
      tokenAsked = null;
      resolve();
    }, { once: true });
  });
  return tokenAsked;
}

function headers(extra = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { ...extra, "X-Veille-Token": token } : extra;
}

class ApiError extends Error {}

/** The JSON of an API call; a 401 asks for the token and tries again. */
async function api(path, params = {}, options = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined) query.set(name, value);
  }
  const url = query.toString() ? `${path}?${query}` : path;
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { ...options, headers: headers(options.headers) });
    if (response.status === 401 && attempt < 3) {
      await askToken();
      continue;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(body.error || `erreur ${response.status}`);
    return body;
  }
}

/** Run an async view action; its error is said in the message box. */
async function guarded(action) {
  try {
    say("");
    await action();
  } catch (error) {
    say(error instanceof ApiError ? `Le serveur répond : ${error.message}` : `Erreur : ${error.message}`);
  }
}

// -- routing -----------------------------------------------------------------------------------------

/** The route in the hash: its name, its path parts, its query. */
function currentRoute() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, search = ""] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
  return { name: parts[0] || "recherche", parts: parts.slice(1), params: new URLSearchParams(search) };
}

function go(name, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const hash = `#/${name}${query.toString() ? "?" + query : ""}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

const VIEWS = { recherche: showSearch, doc: showDocument, question: showQuestion, chiffres: showFigures,
  ajout: showUpload };

let lastListHash = "#/recherche"; // where the document view's back link goes

function render() {
  const route = currentRoute();
  if (route.name !== "doc") lastListHash = location.hash || "#/recherche";
  const view = VIEWS[route.name] ? route.name : "recherche";
  for (const section of document.querySelectorAll(".view")) show(section, section.id === `view-${view}`);
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  say("");
  guarded(() => VIEWS[view](route));
}

// -- the base: its size and participants ---------------------------------------------------------------

async function loadStats() {
  const stats = await api("/api/stats");
  document.getElementById("base").textContent =
    `${stats.documents} documents · ${stats.chunks} passages · ${stats.mode}`;
  const who = document.getElementById("who");
  const chosen = who.value;
  who.replaceChildren(el("option", null, "tous"));
  who.firstChild.value = "";
  for (const name of stats.participants || []) {
    const option = el("option", null, name);
    option.value = name;
    who.append(option);
  }
  who.value = chosen;
}

// -- search ------------------------------------------------------------------------------------------

const SEARCH_FIELDS = ["q", "kind", "who", "since", "until", "source", "mode"];

async function showSearch(route) {
  const form = document.getElementById("search-form");
  const params = route.params;
  for (const name of SEARCH_FIELDS) form.elements[name].value = params.get(name) || "";
  if (SEARCH_FIELDS.slice(1).some((name) => params.get(name))) form.querySelector("details").open = true;
  const results = clear(document.getElementById("results"));
  const summary = document.getElementById("search-summary");
  summary.textContent = "";
  const q = params.get("q");
  if (!q) return;
  const query = Object.fromEntries(SEARCH_FIELDS.map((name) => [name, params.get(name) || ""]));
  summary.textContent = "Recherche…";
  const found = await api("/api/search", { ...query, k: 10 });
  summary.textContent = found.hits.length
    ? `${found.hits.length} résultat${found.hits.length > 1 ? "s" : ""} · ${found.mode}`
    : "Aucun résultat.";
  if (found.undated_left_out) summary.textContent += ` · ${found.undated_left_out} passage(s) sans date écarté(s)`;
  for (const hit of found.hits) results.append(resultItem(hit));
}

function resultItem(hit) {
  const item = el("li", "result");
  const title = hit.title || hit.source.split(/[\\/]/).pop();
  const heading = el("h2", null, routeLink(title, docRoute(hit.document_id, hit.units[0]), "result-link"));
  item.append(heading, highlighted(hit.snippet));
  const meta = el("p", "meta");
  const add = (label, value) => { if (value) meta.append(el("span", null, el("span", "label", label + " "), value)); };
  add("Type", KINDS[hit.kind] || hit.kind);
  add("Période", period(hit.period));
  add("Participants", (hit.authors || []).join(", "));
  add("Mentions", (hit.mentions || []).join(", "));
  item.append(meta, el("p", "citation", hit.citation));
  return item;
}

document.getElementById("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  go("recherche", Object.fromEntries(SEARCH_FIELDS.map((name) => [name, form.elements[name].value.trim()])));
});

// -- a document ----------------------------------------------------------------------------------------

const docState = { id: null, start: 0, total: 0, cited: null };

async function showDocument(route) {
  const [docId, unitText] = route.parts;
  const cited = Number.parseInt(unitText ?? "", 10);
  docState.id = docId;
  docState.cited = Number.isNaN(cited) ? null : cited;
  clear(document.getElementById("doc-units")); // no unit of the last document stays on show
  document.getElementById("doc-title").textContent = "Chargement…";
  show(document.getElementById("timeline"), false);
  document.getElementById("doc-back").href = lastListHash;
  const page = await api(`/api/documents/${encodeURIComponent(docId)}`,
    docState.cited === null ? { start: 0, limit: DOC_PAGE } : { around: docState.cited, limit: DOC_PAGE });
  drawDocument(page);
  const doc = page.document;
  const timeline = document.getElementById("timeline");
  if (doc.kind === "chat") {
    const days = await api(`/api/documents/${encodeURIComponent(doc.id)}/timeline`);
    if (days.days.length) {
      drawTimeline(days);
      show(timeline, true);
    }
  }
  const target = document.querySelector("#doc-units .cited");
  if (target) target.scrollIntoView({ block: "center" });
}

async function pageDocument(start) {
  const page = await api(`/api/documents/${encodeURIComponent(docState.id)}`, { start, limit: DOC_PAGE });
  drawDocument(page);
  document.getElementById("doc-title").scrollIntoView({ block: "start" });
}

function drawDocument(page) {
  const doc = page.document;
  docState.start = page.start;
  docState.total = page.total;
  document.getElementById("doc-title").textContent = doc.title || doc.source.split(/[\\/]/).pop();
  const meta = clear(document.getElementById("doc-meta"));
  meta.append(el("span", null, KINDS[doc.kind] || doc.kind), el("span", null, `${doc.units} unités`),
    el("span", null, `${doc.chunks} passages`));
  if (doc.participants.length) meta.append(el("span", null, doc.participants.join(", ")));
  if (doc.period) meta.append(el("span", null, period(doc.period)));
  meta.append(el("span", "source", doc.source));

  const end = page.start + page.units.length;
  document.getElementById("doc-range").textContent =
    page.units.length ? `unités ${page.start}–${end - 1} sur ${page.total}` : "aucune unité";
  document.getElementById("doc-prev").disabled = page.start <= 0;
  document.getElementById("doc-next").disabled = end >= page.total;

  const starts = new Map(page.chunks.map((c) => [c.unit_start, c]));
  const box = clear(document.getElementById("doc-units"));
  let section = null;
  const list = el("ol", `unit-list doc-${doc.kind}`);
  box.append(list);
  for (const unit of page.units) {
    const chunk = starts.get(unit.idx);
    if (chunk) {
      list.append(el("li", "chunk-bound", `Passage ${chunk.idx + 1} · unités ${chunk.unit_start}–${chunk.unit_end - 1}`));
    }
    if (unit.section && unit.section !== section && unit.kind !== "heading") {
      list.append(el("li", "section", el("h2", null, unit.section)));
    }
    section = unit.section;
    list.append(unitItem(unit));
  }
}

function unitItem(unit) {
  const item = el("li", `unit kind-${unit.kind}`);
  item.id = `u-${unit.idx}`;
  item.dataset.unit = String(unit.idx);
  if (unit.idx === docState.cited) {
    item.classList.add("cited");
    item.setAttribute("aria-current", "true");
  }
  if (unit.kind === "heading") {
    item.append(el("h2", null, unit.text));
    return item;
  }
  const head = el("p", "unit-head");
  if (unit.author) head.append(el("span", "author", unit.author));
  if (unit.time) {
    const time = el("time", null, when(unit.time));
    time.dateTime = unit.time;
    head.append(time);
  }
  if (unit.offset !== null && unit.offset !== undefined) head.append(el("span", "offset", mmss(unit.offset)));
  if (head.childNodes.length) item.append(head);
  item.append(el("p", "text", unit.text));
  return item;
}

document.getElementById("doc-prev").addEventListener("click", () =>
  guarded(() => pageDocument(Math.max(0, docState.start - DOC_PAGE))));
document.getElementById("doc-next").addEventListener("click", () =>
  guarded(() => pageDocument(docState.start + DOC_PAGE)));

const DAY = 86400000;

/** Messages per day, stacked by participant, on a true time axis (days without messages stay empty). */
function drawTimeline(data) {
  const box = clear(document.getElementById("timeline-chart"));
  const legend = clear(document.getElementById("timeline-legend"));
  const people = Object.keys(data.participants);
  const first = Date.parse(data.days[0]), last = Date.parse(data.days[data.days.length - 1]);
  const span = Math.round((last - first) / DAY) + 1;
  const totals = data.days.map((day) => people.reduce((sum, p) => sum + (data.participants[p][day] || 0), 0));
  const top = Math.max(...totals, 1);
  const height = 160, left = 30, bottom = 20, plot = height - bottom;
  const barWidth = Math.min(24, Math.max(1, 570 / span));
  const axisEnd = left + span * barWidth;
  const width = Math.max(240, axisEnd + 10); // drawn at its own size (at most the page's width: CSS)
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "timeline-svg" });
  const title = svg("title");
  title.textContent = `Messages par jour, du ${data.days[0]} au ${data.days[data.days.length - 1]}`;
  chart.append(title);
  chart.append(svg("line", { x1: left, y1: plot, x2: axisEnd, y2: plot, class: "axis" }));
  const label = (text, x, y, anchor) => {
    const t = svg("text", { x, y, "text-anchor": anchor, class: "tick" });
    t.textContent = text;
    chart.append(t);
  };
  label(String(top), left - 4, 10, "end");
  label("0", left - 4, plot, "end");
  label(data.days[0], left, height - 4, "start");
  if (axisEnd - left > 150) label(data.days[data.days.length - 1], axisEnd, height - 4, "end");
  data.days.forEach((day) => {
    const x = left + Math.round((Date.parse(day) - first) / DAY) * barWidth;
    let y = plot;
    people.forEach((person, i) => {
      const count = data.participants[person][day] || 0;
      if (!count) return;
      const h = (count / top) * (plot - 6);
      y -= h;
      const bar = svg("rect", { x: x.toFixed(2), y: y.toFixed(2), width: Math.max(barWidth - 1, 1).toFixed(2),
        height: h.toFixed(2), class: `series s${i % 8}` });
      const tip = svg("title");
      tip.textContent = `${day} · ${person} : ${count} message${count > 1 ? "s" : ""}`;
      bar.append(tip);
      chart.append(bar);
    });
  });
  box.append(chart);
  people.forEach((person, i) => {
    const total = data.days.reduce((sum, day) => sum + (data.participants[person][day] || 0), 0);
    legend.append(el("li", null, el("span", `swatch s${i % 8}`), `${person} (${total})`));
  });
}

// -- questions -----------------------------------------------------------------------------------------

let lastQuestion = "";

async function showQuestion(route) {
  const q = route.params.get("q") || "";
  document.getElementById("ask-q").value = q;
  const box = clear(document.getElementById("answer"));
  clear(document.getElementById("generated"));
  show(document.getElementById("generate"), false);
  lastQuestion = q;
  if (!q) return;
  box.append(el("p", "summary", "Recherche d’une réponse…"));
  const answer = await api("/api/ask", { q });
  clear(box);
  if (!answer.answered) {
    box.append(el("p", "not-answered", "Rien dans la base ne répond."));
    if (answer.reason) box.append(el("p", "meta", answer.reason));
    if (answer.passages.length) {
      box.append(el("h2", null, "Passages les plus proches"));
      const list = el("ol", "results");
      for (const hit of answer.passages) list.append(resultItem(hit));
      box.append(list);
    }
    return;
  }
  const text = el("p", "answer-text");
  for (const sentence of answer.sentences) {
    text.append(document.createTextNode(sentence.text + " "));
    const cite = routeLink(`[${sentence.source}]`, docRoute(sentence.citation.document_id, sentence.citation.unit),
      "cite");
    cite.setAttribute("aria-label", `source ${sentence.source}`);
    text.append(el("sup", null, cite), document.createTextNode(" "));
  }
  box.append(text, el("h2", null, "Sources"));
  const sources = el("ol", "sources");
  for (const source of answer.sources) {
    const item = el("li", null, routeLink(source.label, docRoute(source.document_id, source.unit), "source-link"));
    item.value = source.n;
    sources.append(item);
  }
  box.append(sources, el("p", "meta", answer.mode));
  show(document.getElementById("generate"), true);
}

document.getElementById("ask-form").addEventListener("submit", (event) => {
  event.preventDefault();
  go("question", { q: event.target.elements.q.value.trim() });
});

/** The language model's answer, streamed (server-sent events read from fetch, which carries the token). */
async function generate() {
  const box = clear(document.getElementById("generated"));
  const text = el("p", "answer-text");
  box.append(el("h2", null, "Réponse générée"), text);
  const response = await fetch(`/api/ask/stream?${new URLSearchParams({ q: lastQuestion })}`, { headers: headers() });
  if (!response.ok) throw new ApiError(`erreur ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const name = (block.match(/^event: (.*)$/m) || [])[1];
      const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "null");
      if (name === "text") text.append(document.createTextNode(data));
      else if (name === "error") box.append(el("p", "not-answered", data.error));
      else if (name === "answer") {
        if (data.llm_error) box.append(el("p", "meta", `Pas de réponse générée : ${data.llm_error}`));
        else if (data.generated) {
          text.textContent = data.generated.text;
          box.append(el("p", "meta", data.generated.verified ? "Réponse vérifiée contre ses sources."
            : "Attention : une partie de la réponse n’est pas vérifiée dans ses sources."));
        }
      }
    }
  }
}

document.getElementById("generate").addEventListener("click", () => guarded(generate));

// -- figures -------------------------------------------------------------------------------------------

const FIGURE_FIELDS = ["q", "unit", "min", "max"];
const figureState = { rows: [], key: null, descending: false };

async function showFigures(route) {
  const form = document.getElementById("figures-form");
  const params = route.params;
  for (const name of FIGURE_FIELDS) form.elements[name].value = params.get(name) || "";
  const query = Object.fromEntries(FIGURE_FIELDS.map((name) => [name, params.get(name) || ""]));
  const found = await api("/api/figures", { ...query, limit: 500 });
  figureState.rows = found.figures;
  figureState.key = null;
  document.getElementById("figures-summary").textContent = found.total
    ? `${found.total} chiffre${found.total > 1 ? "s" : ""}${found.total > found.figures.length ? ` (${found.figures.length} affichés)` : ""}`
    : "Aucun chiffre.";
  drawFigures();
}

function compareFigures(key) {
  return (a, b) => {
    const x = a[key], y = b[key];
    if (x === y) return 0;
    if (x === null || x === undefined || x === "") return 1; // unknown last, either way
    if (y === null || y === undefined || y === "") return -1;
    const order = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "fr");
    return figureState.descending ? -order : order;
  };
}

function drawFigures() {
  const table = document.getElementById("figures");
  const rows = [...figureState.rows];
  if (figureState.key) rows.sort(compareFigures(figureState.key));
  for (const th of table.querySelectorAll("th[data-key]")) {
    if (th.dataset.key === figureState.key) th.setAttribute("aria-sort", figureState.descending ? "descending" : "ascending");
    else th.removeAttribute("aria-sort");
  }
  const body = clear(table.tBodies[0]);
  for (const f of rows) {
    const row = el("tr");
    const value = el("td", "value", routeLink(f.text, docRoute(f.document_id, f.unit_index)));
    value.dataset.value = String(f.value);
    value.title = numberFormat.format(f.value);
    row.append(value, el("td", null, f.unit || ""), el("td", null, f.author || ""), el("td", null, when(f.time)),
      el("td", "sentence", f.sentence));
    body.append(row);
  }
  show(table, rows.length > 0);
  drawFigureChart(rows);
}

/** Bars for the figures of the most common unit (values of different units do not compare). */
function drawFigureChart(rows) {
  const figure = document.getElementById("figures-chart");
  const box = clear(document.getElementById("figures-svg"));
  const byUnit = new Map();
  for (const f of rows) byUnit.set(f.unit, [...(byUnit.get(f.unit) || []), f]);
  const [unit, shown] = [...byUnit.entries()].sort((a, b) => b[1].length - a[1].length)[0] || [null, []];
  const bars = shown.slice(0, 30);
  show(figure, bars.length > 0);
  if (!bars.length) return;
  document.getElementById("figures-caption").textContent =
    `Unité « ${unit || "sans unité"} » : ${bars.length} chiffre${bars.length > 1 ? "s" : ""} sur ${shown.length}, dans l’ordre du tableau`;
  const top = Math.max(...bars.map((f) => Math.abs(f.value)), 1);
  const width = Math.max(280, box.clientWidth || 600); // drawn at the page's width: the text keeps its size
  const rowHeight = 18, labelWidth = Math.min(150, Math.round(width * 0.4)), height = bars.length * rowHeight + 4;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "bars-svg" });
  const title = svg("title");
  title.textContent = `Chiffres en ${unit || "sans unité"}`;
  chart.append(title);
  bars.forEach((f, i) => {
    const y = i * rowHeight + 2;
    const label = svg("text", { x: labelWidth - 6, y: y + 12, "text-anchor": "end", class: "tick" });
    const room = Math.floor(labelWidth / 6.5);
    label.textContent = f.text.length > room ? f.text.slice(0, room - 1) + "…" : f.text;
    const w = Math.max(1, (Math.abs(f.value) / top) * (width - labelWidth - 10));
    const bar = svg("rect", { x: labelWidth, y, width: w.toFixed(2), height: rowHeight - 4, class: "series s0" });
    const tip = svg("title");
    tip.textContent = `${f.text} · ${f.author || ""} · ${f.citation}`;
    bar.append(tip);
    chart.append(label, bar);
  });
  box.append(chart);
}

document.getElementById("figures-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  go("chiffres", Object.fromEntries(FIGURE_FIELDS.map((name) => [name, form.elements[name].value.trim()])));
});

for (const th of document.querySelectorAll("#figures th[data-key]")) {
  th.querySelector("button").addEventListener("click", () => {
    figureState.descending = figureState.key === th.dataset.key ? !figureState.descending : false;
    figureState.key = th.dataset.key;
    drawFigures();
  });
}

// -- uploads -------------------------------------------------------------------------------------------

async function showUpload() {
  // nothing to load: the form is static, a running job keeps its own display
}

async function upload(files) {
  if (!files.length) {
    say("Choisissez au moins un fichier.");
    return;
  }
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  const job = await api("/api/ingest", {}, { method: "POST", body: form, headers: { "X-Veille": "1" } });
  const box = document.getElementById("job");
  show(box, true);
  show(document.getElementById("job-report"), false);
  await followJob(job);
}

async function followJob(job) {
  const progress = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  for (;;) {
    progress.max = Math.max(job.files_total, 1);
    progress.value = job.files_done;
    status.textContent = {
      queued: "En attente…", running: `Ingestion : ${job.files_done} / ${job.files_total} fichiers`,
      done: "Terminé.", failed: `Échec : ${job.error || ""}`,
    }[job.status] || job.status;
    if (job.status === "done" || job.status === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 400));
    job = await api(`/api/jobs/${encodeURIComponent(job.id)}`);
  }
  if (job.status === "done") {
    const counts = job.report.counts;
    status.textContent = `Terminé : ${counts.added} ajouté(s), ${counts.replaced} remplacé(s), ` +
      `${counts.unchanged + counts.duplicate} déjà présent(s), ${counts.skipped} ignoré(s), ${counts.failed} en échec.`;
  }
  drawReport([...job.refused, ...(job.report ? job.report.files : [])]);
  await loadStats();
}

const STATUSES = { added: "ajouté", replaced: "remplacé", unchanged: "inchangé", duplicate: "doublon",
  skipped: "ignoré", failed: "échec" };

function drawReport(files) {
  const table = document.getElementById("job-report");
  const body = clear(table.tBodies[0]);
  for (const file of files) {
    const row = el("tr", `status-${file.status}`);
    const doc = el("td");
    if (file.document_id) doc.append(routeLink("ouvrir", docRoute(file.document_id, 0)));
    row.append(el("td", null, file.path), el("td", null, STATUSES[file.status] || file.status),
      el("td", null, file.reason || ""), doc);
    body.append(row);
  }
  show(table, files.length > 0);
}

document.getElementById("upload-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("files");
  guarded(async () => {
    await upload([...input.files]);
    input.value = "";
  });
});

const drop = document.getElementById("drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  guarded(() => upload([...event.dataTransfer.files]));
});

// -- start ---------------------------------------------------------------------------------------------

window.addEventListener("hashchange", render);
guarded(loadStats).then(render);
