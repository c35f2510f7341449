/* The reporter app's screens. Routes are #hashes, so the one cached shell serves them all offline:
     #/login  #/requests  #/sites  #/sites/new  #/visit/new?site=&followup=  #/visit/<id>/edit
     #/visits  #/visits/<id>  #/account
   Data comes from IndexedDB (FS.db); the network is only used to sync sites and requests, to
   send the outbox (FS.outbox) and to fetch what came of a visit. */
"use strict";
(function () {
  const { t, word } = FS.i18n;
  const main = () => document.getElementById("main");
  const STATUSES = ["planned", "not_started", "under_construction", "operating", "idle", "closed"];
  const SIGNS = ["gate_open", "gate_closed", "cars_parked", "trucks", "workers_seen", "machine_noise", "lights_on",
    "smoke_or_steam", "construction_work", "signboard", "weeds", "empty_guard_room", "empty_plots"];
  const METRICS = ["headcount", "enterprises", "capacity_energy", "output_mass", "output_units", "area", "investment",
    "output_value"];
  const UNITS = { headcount: "person", enterprises: "enterprise", capacity_energy: "GWh/yr", output_mass: "t/yr",
    output_units: "unit/yr", area: "m2", investment: "CNY", output_value: "CNY/yr" };
  const METHODS = ["counted", "estimated", "interview", "signage", "document", "photo"];
  const KINDS = ["factory", "park", "project", "other"];
  const state = { position: null, nearest: false, query: "", formDirty: false, objectUrls: [], newUrls: [] };

  // --- Little DOM helpers (textContent only: nothing the server or the reporter wrote is parsed as HTML) ---
  function h(tag, props, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else if (name === "class") element.className = value;
      else if (name === "text") element.textContent = value;
      else if (name in element && typeof value !== "string") element[name] = value;
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }
  function show(...nodes) {
    // The previous screen's photo previews go; this screen's (made while building it) stay.
    state.objectUrls.forEach((url) => URL.revokeObjectURL(url));
    state.objectUrls = state.newUrls;
    state.newUrls = [];
    const target = main();
    target.replaceChildren(...nodes.filter((node) => node !== null && node !== undefined && node !== false));
    window.scrollTo(0, 0);
  }
  function toast(text) {
    const box = document.getElementById("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 5000);
  }
  function hideToastSoon() {
    // A message outlives the navigation that follows it by a moment only.
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { document.getElementById("toast").hidden = true; }, 2500);
  }
  function blobUrl(blob) {
    const url = URL.createObjectURL(blob);
    state.newUrls.push(url);
    return url;
  }
  function when(value) {
    if (!value) return "";
    const date = new Date(value);
    return date.toLocaleString(FS.i18n.lang === "zh" ? "zh-CN" : "en-GB", {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
  }
  function localInput(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }
  function fromLocalInput(value) {
    if (!value) return null;
    const date = new Date(value);
    return isNaN(date) ? null : date.toISOString();
  }
  function number(value) {
    return new Intl.NumberFormat(FS.i18n.lang === "zh" ? "zh-CN" : "en-GB", { maximumFractionDigits: 2 }).format(value);
  }
  function range(low, high, unit) {
    const u = unit ? " " + word("unit", unit) : "";
    if (low !== null && high !== null && low !== undefined && high !== undefined) {
      return low === high ? number(low) + u : `${number(low)}–${number(high)}${u}`;
    }
    if (low !== null && low !== undefined) return `≥ ${number(low)}${u}`;
    if (high !== null && high !== undefined) return `≤ ${number(high)}${u}`;
    return "";
  }
  function distanceM(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b.latitude - a.latitude) * rad;
    const dLon = (b.longitude - a.longitude) * rad;
    const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * 6371000 * Math.asin(Math.sqrt(s));
  }
  function distanceText(metres) {
    return metres >= 1000 ? t("sites.km", { km: number(Math.round(metres / 100) / 10) }) : t("sites.m", { m: Math.round(metres) });
  }
  const FIELD_LABELS = { site: "visit.site", started_at: "visit.started", ended_at: "visit.ended", notes: "visit.notes",
    latitude: "visit.position", longitude: "visit.position", observed_status: "visit.status", activity_level: "visit.activity",
    activity_signs: "visit.signs", file: "visit.photos", metric: "visit.metric", low: "visit.low", high: "visit.high",
    method: "visit.method", source_role: "visit.source_role", quote: "visit.quote", name: "site.name", kind: "site.kind" };
  function fieldLabel(field) { return FIELD_LABELS[field] ? t(FIELD_LABELS[field]) : field; }
  function refusal(error) {
    return (error.body && FS.api.message(error.body, fieldLabel)) || error.message || String(error.status);
  }
  function badge(stateName) {
    return h("span", { class: "badge state-" + stateName, "data-state": stateName, text: t("state." + stateName) });
  }

  // --- Sign-in state ---
  async function auth() { return FS.db.get("meta", "auth"); }

  function deviceName() {
    const ua = navigator.userAgent || "";
    let os = "a browser";
    if (/iPhone/.test(ua)) os = "iPhone";
    else if (/iPad/.test(ua)) os = "iPad";
    else if (/Android/.test(ua)) os = (ua.match(/Android[^;)]*;\s*([^;)]+?)(\sBuild|\))/) || [])[1] || "Android";
    else if (/Mac OS X/.test(ua)) os = "Mac";
    else if (/Windows/.test(ua)) os = "Windows";
    else if (/Linux/.test(ua)) os = "Linux";
    let browser = "browser";
    if (/EdgA?\//.test(ua)) browser = "Edge";
    else if (/(Chrome|CriOS|Chromium)\//.test(ua)) browser = "Chrome";
    else if (/(Firefox|FxiOS)\//.test(ua)) browser = "Firefox";
    else if (/Safari\//.test(ua)) browser = "Safari";
    return `Web app · ${browser} on ${os}`;
  }
  /* The token's device name: the browser and phone, plus a tag of this installation, so that two
     phones of one model keep a token each, and signing in again on this one replaces its own. */
  async function deviceLabel() {
    let tag = await FS.db.get("meta", "device-tag");
    if (!tag) {
      tag = FS.api.uuid().slice(0, 6);
      await FS.db.put("meta", tag, "device-tag");
    }
    return `${deviceName()} · ${tag}`.slice(0, 200);
  }

  function renderLogin(message) {
    setTabs(false);
    const error = h("p", { class: "error", id: "login-error", role: "alert", hidden: !message, text: message || "" });
    const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true,
      autocapitalize: "none", spellcheck: "false" });
    const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
    const button = h("button", { type: "submit", class: "primary", text: t("login.submit") });
    const form = h("form", { id: "login-form", class: "card", onsubmit: async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        const answer = await FS.api.call("POST", "auth/token/", {
          token: null, json: { username: username.value.trim(), password: password.value, device: await deviceLabel() },
        });
        if (answer.status === 201) {
          const previous = await auth();
          await FS.db.put("meta", { token: answer.body.token, expires_at: answer.body.expires_at,
            device: answer.body.device, username: username.value.trim() }, "auth");
          if (previous && previous.username !== username.value.trim()) await FS.db.clear("requests");
          await afterSignIn();
          return;
        }
        error.textContent = answer.status === 401 ? t("login.wrong") : t("login.failed", { detail: FS.api.message(answer.body) || answer.status });
        error.hidden = false;
      } catch (e) {
        error.textContent = t("login.offline");
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    } },
    h("label", { for: "username", text: t("login.username") }), username,
    h("label", { for: "password", text: t("login.password") }), password,
    error, button);
    show(h("h1", { text: t("login.title") }), h("p", { class: "intro", text: t("login.intro") }), form);
  }

  async function afterSignIn() {
    location.hash = "#/requests";
    await syncAll();
    await FS.outbox.wake();
    pump();
  }

  async function signOut() {
    const mine = await myRecords();
    const pending = mine.filter((r) => ["draft", "queued", "sending", "failed"].includes(r.state)).length;
    if (pending && !window.confirm(t("account.signout.pending", { n: pending }))) return;
    const current = await auth();
    if (current) {
      try {
        const answer = await FS.api.call("DELETE", "auth/token/", { token: current.token });
        if (answer.status !== 204 && answer.status !== 401) throw new Error(String(answer.status));
      } catch (e) {
        // Revoked later, at the next chance (see revokeLeftovers).
        const leftovers = (await FS.db.get("meta", "revoke")) || [];
        leftovers.push(current.token);
        await FS.db.put("meta", leftovers, "revoke");
        toast(t("account.signout.offline"));
      }
    }
    await FS.db.del("meta", "auth");
    await FS.db.clear("requests");
    location.hash = "#/login";
    route();
  }

  async function revokeLeftovers() {
    const leftovers = (await FS.db.get("meta", "revoke")) || [];
    const kept = [];
    for (const token of leftovers) {
      try {
        const answer = await FS.api.call("DELETE", "auth/token/", { token });
        if (answer.status >= 500) kept.push(token);
      } catch (e) { kept.push(token); }
    }
    if (leftovers.length) await FS.db.put("meta", kept, "revoke");
  }

  async function myRecords() {
    const current = await auth();
    const all = await FS.db.all("outbox");
    return all.filter((r) => !current || !r.username || r.username === current.username);
  }

  // --- Sync of sites (updated_since, then the cursor) and follow-up requests ---
  async function syncSites() {
    const cursor = await FS.db.get("meta", "sites-cursor");
    const first = cursor ? `sites/?cursor=${encodeURIComponent(cursor)}&limit=200`
      : "sites/?updated_since=1970-01-01T00:00:00Z&limit=200";
    let lastCursor = cursor;
    const result = await FS.api.all(first, async (rows, page) => {
      const live = rows.filter((row) => !row.deleted);
      const gone = rows.filter((row) => row.deleted).map((row) => row.id);
      if (live.length) await FS.db.putMany("sites", live);
      if (gone.length) await FS.db.delMany("sites", gone);
      if (page.sync_cursor) lastCursor = page.sync_cursor;
    });
    if (!result.ok) return result.answer;
    if (lastCursor) await FS.db.put("meta", lastCursor, "sites-cursor");
    await FS.db.put("meta", Date.now(), "sites-synced-at");
    return null;
  }

  // The follow-up requests list (GET /api/v1/followups/); a server without it: the reporter's
  // discrepancies marked needs_followup, which carry the same facts.
  const REQUESTS_PATHS = ["followups/?limit=100", "discrepancies/?status=needs_followup&limit=100"];
  async function syncRequests() {
    for (const path of REQUESTS_PATHS) {
      const result = await FS.api.all(path);
      if (!result.ok && result.answer && result.answer.status === 404) continue;
      if (!result.ok) return result.answer;
      await FS.db.clear("requests");
      await FS.db.putMany("requests", result.rows.map(normaliseRequest));
      return null;
    }
    return null;
  }
  function normaliseRequest(row) {
    if (typeof row.discrepancy === "number") {  // a row of /api/v1/followups/
      return {
        id: row.discrepancy, site: row.site, siteName: row.site_name || "", note: row.note || "",
        requestedAt: row.requested_at, answeredAt: row.answered_at, metric: row.metric, claimText: row.claim_text || "",
        source: "", explanation: "", explanationZh: "",
      };
    }
    const claim = row.claim_source || {};  // a needs_followup discrepancy
    return {
      id: row.id, site: row.site, siteName: "", note: row.review_note || "", requestedAt: row.reviewed_at,
      answeredAt: null, metric: row.metric, claimText: claim.text || "", source: claim.source_name || "",
      explanation: row.explanation || "", explanationZh: row.explanation_zh || "",
    };
  }

  let syncing = null;
  function syncAll() {
    if (syncing) return syncing;
    syncing = (async () => {
      try {
        const current = await auth();
        if (!current || current.invalid) return;
        await revokeLeftovers();
        const refused = (await syncSites()) || (await syncRequests());
        if (refused && refused.status === 401) await markSignedOut();
      } catch (error) {
        if (!(error instanceof FS.api.NetworkError)) console.error(error);
      } finally {
        syncing = null;
      }
      rerender();
    })();
    return syncing;
  }

  async function markSignedOut() {
    const current = await auth();
    if (current) { current.invalid = true; await FS.db.put("meta", current, "auth"); }
  }

  // --- The outbox pump: now, on `online`, on a timer, and (in the worker) on Background Sync ---
  let pumpTimer = null;
  let pumping = false;
  async function pump(options) {
    if (pumping) return;
    pumping = true;
    clearTimeout(pumpTimer);
    try {
      const outcome = await FS.outbox.flush(options || {});
      if (outcome && outcome.stopped === "signed-out" && (await auth())) rerender();
    } catch (error) {
      console.error(error);
    } finally {
      pumping = false;
    }
    const due = await FS.outbox.nextDue();
    const pendingResults = (await myRecords()).some((r) => r.state === "sent");
    let delay = null;
    if (due !== null) delay = Math.max(1000, due - Date.now());
    if (pendingResults) delay = Math.min(delay === null ? Infinity : delay, 15000);
    if (delay !== null) pumpTimer = setTimeout(() => pump(), Math.min(delay, 300000));
  }

  // --- Tabs and the network line ---
  function setTabs(visible, current) {
    const nav = document.getElementById("tabs");
    nav.hidden = !visible;
    if (!visible) return;
    const tabs = [["requests", "tab.requests"], ["sites", "tab.sites"], ["visits", "tab.visits"], ["account", "tab.account"]];
    nav.replaceChildren(...tabs.map(([name, key]) => h("a", {
      href: "#/" + name, class: name === current ? "current" : "", "aria-current": name === current ? "page" : false,
      id: "tab-" + name, text: t(key),
    })));
  }
  function showNetwork() {
    const line = document.getElementById("net");
    line.textContent = navigator.onLine ? t("net.online") : t("net.offline");
    line.className = "net " + (navigator.onLine ? "online" : "offline");
  }
  function applyLanguage() {
    document.documentElement.lang = FS.i18n.htmlLang();
    document.title = t("app.name");
    document.querySelector(".brand").textContent = t("app.name");
    const button = document.getElementById("lang-switch");
    button.textContent = t("lang.switch");
    button.setAttribute("aria-label", t("lang.switch.label"));
    showNetwork();
  }

  // --- Follow-up requests ---
  async function renderRequests() {
    setTabs(true, "requests");
    const requests = await FS.db.all("requests");
    const records = await myRecords();
    const sites = new Map((await FS.db.all("sites")).map((s) => [String(s.id), s]));
    // Waiting ones first, longest waiting first; answered ones after them.
    const order = (r) => [r.answeredAt ? 1 : 0, String(r.requestedAt || "")];
    requests.sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1].localeCompare(order(b)[1]));
    const list = requests.map((request) => {
      const site = sites.get(String(request.site));
      const answered = records.filter((r) => r.kind === "visit" && r.visit.followup_of === request.id && r.state !== "draft")
        .map((r) => r.createdAt);
      if (request.answeredAt) answered.push(request.answeredAt);
      const explanation = FS.i18n.lang === "zh" && request.explanationZh ? request.explanationZh : request.explanation;
      return h("article", { class: "card request", "data-discrepancy": request.id },
        h("h2", { text: (site && site.name) || request.siteName || "#" + request.site }),
        h("h3", { text: t("requests.note") }),
        h("p", { class: "note", text: request.note || "—" }),
        h("h3", { text: t("requests.claim") }),
        request.claimText ? h("blockquote", { text: request.claimText }) : null,
        request.source ? h("p", { class: "muted", text: t("requests.source", { source: request.source }) }) : null,
        explanation ? h("p", { class: "muted", text: explanation }) : null,
        answered.length ? h("p", { class: "answered", text: t("requests.answered", { when: when(answered[0]) }) }) : null,
        h("a", { class: "button primary start-followup", href: `#/visit/new?site=${request.site}&followup=${request.id}`,
          text: t("requests.start") }));
    });
    show(h("h1", { text: t("requests.title") }),
      h("p", { class: "intro", text: list.length ? t("requests.intro") : t("requests.none") }), ...list);
  }

  // --- Sites ---
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s·・,，._\-]+/g, "");
  }
  function siteKeys(site) {
    if (site._keys) return site._keys;
    const names = [site.name, ...(site.aliases || [])];
    const spellings = site.pinyin || [];
    const keys = [...names, ...spellings].map(fold);
    spellings.forEach((spelling) => keys.push(spelling.split(/\s+/).map((p) => p[0] || "").join("").toLowerCase()));
    Object.defineProperty(site, "_keys", { value: keys, enumerable: false });
    return keys;
  }
  function matches(site, query) {
    const q = fold(query);
    return !q || siteKeys(site).some((key) => key.includes(q));
  }

  function locate() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve({ error: "unsupported" });
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy, at: p.timestamp }),
        (e) => resolve({ error: e.message || String(e.code) }),
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  async function renderSites() {
    setTabs(true, "sites");
    const sites = await FS.db.all("sites");
    const syncedAt = await FS.db.get("meta", "sites-synced-at");
    const list = h("ul", { class: "sites", id: "site-list" });
    const status = h("p", { class: "muted", id: "sites-status" });
    const draw = () => {
      let rows = sites.filter((site) => matches(site, state.query));
      if (state.nearest && state.position && !state.position.error) {
        rows = rows.map((site) => ({ site, d: site.latitude == null ? Infinity : distanceM(state.position, site) }))
          .sort((a, b) => a.d - b.d).map((row) => Object.assign(row.site, { _d: row.d }));
      } else {
        rows.sort((a, b) => a.name.localeCompare(b.name, FS.i18n.lang === "zh" ? "zh-CN" : "en"));
      }
      list.replaceChildren(...rows.slice(0, 200).map((site) => h("li", { class: "site", "data-site": site.id },
        h("div", { class: "site-text" },
          h("strong", { text: site.name }),
          (site.aliases || []).length ? h("span", { class: "muted", text: site.aliases.join(" · ") }) : null,
          h("span", { class: "muted" },
            t("kind." + site.kind),
            state.nearest && isFinite(site._d) ? " · " + distanceText(site._d) : "",
            site.pending ? " · " + t("sites.pending") : (!site.verified ? " · " + t("sites.unverified") : ""))),
        h("a", { class: "button visit-here", href: `#/visit/new?site=${site.id}`, text: t("sites.visit") }))));
      if (!rows.length) list.append(h("li", { class: "empty", text: t("sites.none") }));
      status.textContent = syncedAt ? `${t("sites.count", { n: sites.length })} · ${t("sites.synced", { when: when(syncedAt) })}`
        : t("sites.never");
      if (state.nearest && state.position && state.position.error) status.textContent += " · " + t("sites.nearest.denied");
    };
    const search = h("input", { type: "search", id: "site-search", value: state.query, placeholder: t("sites.search"),
      "aria-label": t("sites.search"), oninput: () => { state.query = search.value; draw(); } });
    const nearest = h("button", { type: "button", id: "nearest", "aria-pressed": String(state.nearest),
      class: "toggle", text: t("sites.nearest"), onclick: async () => {
        state.nearest = !state.nearest;
        nearest.setAttribute("aria-pressed", String(state.nearest));
        if (state.nearest) state.position = await locate();
        draw();
      } });
    draw();
    show(h("h1", { text: t("sites.title") }),
      h("div", { class: "searchbar" }, search, nearest), status,
      h("div", { class: "row" },
        h("a", { class: "button", href: "#/sites/new", id: "propose-site", text: t("sites.propose") }),
        h("button", { type: "button", id: "sync-sites", text: t("sites.refresh"), onclick: () => syncAll() })),
      list);
  }

  async function renderProposeSite() {
    setTabs(true, "sites");
    const name = h("input", { id: "site-name", required: true, maxlength: 300 });
    const kind = h("select", { id: "site-kind" }, ...KINDS.map((k) => h("option", { value: k, text: t("kind." + k) })));
    const where = h("p", { class: "muted", id: "site-position", text: t("visit.position.getting") });
    let position = null;
    locate().then((p) => {
      position = p;
      where.textContent = p.error ? t("visit.position.failed", { reason: p.error })
        : t("visit.position.value", { lat: p.latitude.toFixed(5), lon: p.longitude.toFixed(5), acc: Math.round(p.accuracy) });
    });
    const form = h("form", { class: "card", id: "site-form", onsubmit: async (event) => {
      event.preventDefault();
      const values = { name: name.value.trim(), kind: kind.value };
      if (position && !position.error) Object.assign(values, { latitude: position.latitude, longitude: position.longitude });
      const record = await FS.outbox.proposeSite(values, (await auth()).username);
      toast(t("site.saved"));
      location.hash = `#/visit/new?site=local-${record.id}`;
      pump();
    } },
    h("label", { for: "site-name", text: t("site.name") }), name,
    h("label", { for: "site-kind", text: t("site.kind") }), kind,
    h("span", { class: "label", text: t("site.position") }), where,
    h("button", { type: "submit", class: "primary", text: t("site.submit") }));
    show(h("a", { href: "#/sites", class: "back", text: "‹ " + t("common.back") }), h("h1", { text: t("site.title") }), form);
  }

  // --- The visit form ---
  async function renderVisitForm(params, existingId) {
    setTabs(true, "visits");
    const current = await auth();
    let record = existingId ? await FS.db.get("outbox", existingId) : null;
    if (existingId && !record) { location.hash = "#/visits"; return; }
    if (!record) {
      const followup = params.get("followup");
      const site = params.get("site");
      const request = followup ? await FS.db.get("requests", parseInt(followup, 10)) : null;
      record = {
        id: FS.api.uuid(), kind: "visit", username: current.username, state: "draft", createdAt: Date.now(),
        visit: {
          site: site && /^\d+$/.test(site) ? parseInt(site, 10) : site, started_at: new Date().toISOString(),
          ended_at: null, notes: "", observed_status: "", activity_level: null, activity_signs: [],
          followup_of: followup ? parseInt(followup, 10) : null,
        },
        followupNote: request ? request.note : "", observations: [], photos: [],
      };
    }
    const locked = !!record.sent; // the visit is on the server: only unsent parts change here
    const site = record.visit.site ? await FS.db.get("sites", record.visit.site) : null;
    let saveTimer = null;
    const persist = async (now) => {
      state.formDirty = true;
      clearTimeout(saveTimer);
      const write = async () => {
        collect();
        if (record.state === "draft" || record.state === "failed") {
          record.updatedAt = Date.now();
          await FS.db.put("outbox", record);
          if ((location.hash || "").startsWith("#/visit/new")) history.replaceState(null, "", `#/visit/${record.id}/edit`);
        }
      };
      if (now) await write(); else saveTimer = setTimeout(write, 400);
    };

    const started = h("input", { type: "datetime-local", id: "started", value: localInput(new Date(record.visit.started_at)),
      disabled: locked, oninput: () => persist() });
    const ended = h("input", { type: "datetime-local", id: "ended", disabled: locked,
      value: record.visit.ended_at ? localInput(new Date(record.visit.ended_at)) : "", oninput: () => persist() });
    const positionText = h("p", { class: "muted", id: "position-text" });
    const showPosition = () => {
      const v = record.visit;
      positionText.textContent = v.latitude != null ? t("visit.position.value", {
        lat: Number(v.latitude).toFixed(5), lon: Number(v.longitude).toFixed(5), acc: v.accuracy != null ? Math.round(v.accuracy) : "?",
      }) : t("visit.position.none");
    };
    const getPosition = async () => {
      positionText.textContent = t("visit.position.getting");
      const p = await locate();
      if (p.error) { positionText.textContent = t("visit.position.failed", { reason: p.error }); return; }
      Object.assign(record.visit, { latitude: Number(p.latitude.toFixed(6)), longitude: Number(p.longitude.toFixed(6)), accuracy: p.accuracy });
      showPosition();
      if (state.formDirty) persist();
    };
    showPosition();
    if (!existingId && !locked) getPosition();

    const notes = h("textarea", { id: "notes", rows: 8, disabled: locked, "aria-describedby": "notes-hint",
      oninput: () => persist() });
    notes.value = record.visit.notes || "";

    const statusChips = h("div", { class: "chips", role: "radiogroup", "aria-label": t("visit.status"), id: "status-chips" },
      ...["", ...STATUSES].map((value) => chip(value ? word("status", value) : t("visit.status.none"),
        (record.visit.observed_status || "") === value, () => {
          record.visit.observed_status = value;
          statusChips.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.value === value)));
          persist();
        }, value, locked)));
    const activity = h("div", { class: "chips levels", role: "radiogroup", "aria-label": t("visit.activity"), id: "activity" },
      ...[0, 1, 2, 3, 4].map((level) => chip(`${level} · ${t("visit.activity." + level)}`, record.visit.activity_level === level, () => {
        record.visit.activity_level = record.visit.activity_level === level ? null : level;
        activity.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.value) === record.visit.activity_level)));
        persist();
      }, String(level), locked)));
    const signs = h("div", { class: "chips", id: "signs" }, ...SIGNS.map((sign) => chip(word("sign", sign),
      record.visit.activity_signs.includes(sign), (button) => {
        const list = record.visit.activity_signs;
        if (list.includes(sign)) list.splice(list.indexOf(sign), 1); else list.push(sign);
        button.setAttribute("aria-pressed", String(list.includes(sign)));
        persist();
      }, sign, locked)));

    const observationList = h("div", { id: "observations" });
    const drawObservations = () => observationList.replaceChildren(...record.observations.map(observationFields));
    function observationFields(observation, index) {
      const data = observation.data;
      const disabled = observation.sent;
      const field = (label, input) => h("label", { class: "field" }, h("span", { text: label }), input);
      const metric = h("select", { disabled, onchange: () => { data.metric = metric.value; data.unit = UNITS[metric.value]; persist(); } },
        ...METRICS.map((m) => h("option", { value: m, selected: data.metric === m, text: word("metric", m) })));
      const num = (name) => h("input", { type: "number", inputmode: "decimal", step: "any", min: "0", disabled,
        value: data[name] ?? "", oninput: (e) => { data[name] = e.target.value === "" ? null : Number(e.target.value); persist(); } });
      const method = h("select", { disabled, onchange: () => { data.method = method.value; persist(); } },
        ...METHODS.map((m) => h("option", { value: m, selected: data.method === m, text: word("method", m) })));
      const text = (name, tag) => {
        const input = h(tag || "input", { disabled, oninput: (e) => { data[name] = e.target.value; persist(); } });
        input.value = data[name] || "";
        return input;
      };
      return h("fieldset", { class: "observation card" },
        field(t("visit.metric"), metric),
        h("div", { class: "row two" }, field(t("visit.low"), num("low")), field(t("visit.high"), num("high"))),
        field(t("visit.method"), method),
        field(t("visit.source_role"), text("source_role")),
        field(t("visit.quote"), text("quote", "textarea")),
        disabled ? null : h("button", { type: "button", class: "link", text: t("visit.observation.remove"), onclick: () => {
          record.observations.splice(index, 1); drawObservations(); persist();
        } }));
    }
    drawObservations();

    const photoList = h("ul", { class: "photos", id: "photo-list" });
    const drawPhotos = () => photoList.replaceChildren(...record.photos.map((photo, index) => h("li", { class: "photo", "data-photo": photo.id },
      h("img", { src: blobUrl(photo.file), alt: photo.name || "", loading: "lazy" }),
      h("div", { class: "photo-text" },
        h("span", { class: "muted", text: `${photo.name || ""} · ${Math.round((photo.size || photo.file.size) / 1024)} kB` }),
        photo.sent ? badge("sent") : h("button", { type: "button", class: "link remove-photo", text: t("visit.photo.remove"), onclick: () => {
          record.photos.splice(index, 1); drawPhotos(); persist();
        } })))));
    drawPhotos();
    const addFiles = async (files) => {
      for (const file of files) {
        // The File itself goes to IndexedDB and later to the server: no canvas, no resizing, no re-encoding.
        record.photos.push({ id: FS.api.uuid(), file, name: file.name, type: file.type, size: file.size, caption: "", sent: false });
      }
      drawPhotos();
      await persist(true);
    };
    const camera = h("input", { type: "file", accept: "image/*", capture: "environment", id: "photo-camera", class: "visually-hidden",
      onchange: (e) => { addFiles([...e.target.files]); e.target.value = ""; } });
    const gallery = h("input", { type: "file", accept: "image/*", multiple: true, id: "photo-gallery", class: "visually-hidden",
      onchange: (e) => { addFiles([...e.target.files]); e.target.value = ""; } });

    const error = h("div", { class: "error", id: "form-error", role: "alert", hidden: true });
    if (record.state === "failed" && record.error) {
      error.hidden = false;
      error.replaceChildren(h("strong", { text: t("result.server_said") + " " }), refusal(record.error));
    }
    function collect() {
      if (locked) return;
      record.visit.started_at = fromLocalInput(started.value) || record.visit.started_at;
      record.visit.ended_at = fromLocalInput(ended.value);
      record.visit.notes = notes.value;
    }
    const submit = async (send) => {
      collect();
      if (!record.visit.site) { error.hidden = false; error.textContent = t("visit.need_site"); return; }
      const v = record.visit;
      if (!v.notes.trim() && !v.observed_status && v.activity_level === null && !v.activity_signs.length &&
          !record.photos.length && !record.observations.length) {
        error.hidden = false; error.textContent = t("visit.need_something"); return;
      }
      if (send && !v.ended_at && !locked) v.ended_at = new Date().toISOString();
      clearTimeout(saveTimer);
      state.formDirty = false;
      await FS.outbox.saveVisit(record, { send });
      toast(send ? t("visit.queued") : t("visit.drafted"));
      location.hash = `#/visits/${record.id}`;
      if (send) pump({ force: true });
    };

    const siteLine = h("div", { class: "site-line" },
      h("strong", { id: "visit-site", text: site ? site.name : t("visit.site.choose") }),
      locked || record.visit.followup_of ? null : h("a", { href: "#/sites", class: "button small", text: t("visit.site.change") }));
    show(
      h("h1", { text: existingId ? t("visit.edit") : t("visit.title") }),
      record.visit.followup_of ? h("p", { class: "followup-banner", id: "followup-banner",
        text: t("visit.followup", { note: record.followupNote || "#" + record.visit.followup_of }) }) : null,
      locked ? h("p", { class: "muted", text: t("visit.sent_part") }) : null,
      error,
      h("form", { id: "visit-form", onsubmit: (e) => { e.preventDefault(); submit(true); } },
        h("section", { class: "card" }, h("span", { class: "label", text: t("visit.site") }), siteLine,
          h("div", { class: "times" },
            h("label", { class: "field" }, h("span", { text: t("visit.started") }), started),
            h("label", { class: "field" }, h("span", { text: t("visit.ended") }), ended)),
          h("span", { class: "label", text: t("visit.position") }), positionText,
          locked ? null : h("button", { type: "button", id: "get-position", text: t("visit.position.get"), onclick: getPosition })),
        h("section", { class: "card" },
          h("label", { for: "notes", class: "label", text: t("visit.notes") }),
          h("p", { class: "muted", id: "notes-hint", text: t("visit.notes.hint") }), notes),
        h("section", { class: "card" }, h("span", { class: "label", text: t("visit.status") }), statusChips),
        h("section", { class: "card" }, h("span", { class: "label", text: t("visit.activity") }), activity),
        h("section", { class: "card" }, h("span", { class: "label", text: t("visit.signs") }), signs),
        h("section", { class: "card" }, h("span", { class: "label", text: t("visit.photos") }),
          h("p", { class: "muted", text: t("visit.photos.kept") }),
          h("div", { class: "row two" },
            h("button", { type: "button", id: "add-camera", onclick: () => camera.click(), text: t("visit.photos.camera") }),
            h("button", { type: "button", id: "add-gallery", onclick: () => gallery.click(), text: t("visit.photos.gallery") })),
          camera, gallery, photoList),
        h("section", { class: "card" }, h("span", { class: "label", text: t("visit.observations") }), observationList,
          h("button", { type: "button", id: "add-observation", text: t("visit.observation.add"), onclick: () => {
            record.observations.push({ id: FS.api.uuid(), sent: false,
              data: { metric: "headcount", unit: "person", low: null, high: null, method: "estimated", source_role: "", quote: "" } });
            drawObservations(); persist();
          } })),
        h("div", { class: "actions" },
          h("button", { type: "button", id: "save-draft", text: t("visit.draft"), onclick: () => submit(false) }),
          h("button", { type: "submit", class: "primary", id: "send-visit", text: t("visit.send") }))));
    if (!site && record.visit.site) {
      document.getElementById("visit-site").textContent = "#" + record.visit.site;
    }
  }

  function chip(label, pressed, onclick, value, disabled) {
    const button = h("button", { type: "button", class: "chip", "aria-pressed": String(!!pressed), "data-value": value,
      disabled, text: label });
    button.addEventListener("click", () => onclick(button));
    return button;
  }

  // --- My visits and what came of them ---
  async function renderVisits() {
    setTabs(true, "visits");
    const records = (await myRecords()).filter((r) => r.kind === "visit").sort((a, b) => b.createdAt - a.createdAt);
    const sites = new Map((await FS.db.all("sites")).map((s) => [String(s.id), s]));
    const waiting = records.filter((r) => r.state === "queued" || r.state === "sending").length;
    const items = records.map((record) => {
      const site = sites.get(String(record.visit.site));
      return h("li", { class: "visit-item", "data-visit": record.id, "data-state": record.state },
        h("a", { href: `#/visits/${record.id}` },
          h("strong", { text: site ? site.name : "#" + record.visit.site }),
          h("span", { class: "muted", text: when(record.visit.started_at) }),
          h("span", { class: "muted snippet", text: (record.visit.notes || "").slice(0, 80) }),
          h("span", { class: "badges" }, badge(record.state),
            record.photos.length ? h("span", { class: "muted", text: `${t("visit.photos")} ${record.photos.filter((p) => p.sent).length}/${record.photos.length}` }) : null)));
    });
    show(h("h1", { text: t("visits.title") }),
      waiting ? h("p", { class: "waiting", id: "waiting", text: t("visits.waiting", { n: waiting }) }) : null,
      waiting ? h("button", { type: "button", id: "send-now", text: t("visits.retry"), onclick: async () => { await FS.outbox.wake(); pump({ force: true }); } }) : null,
      items.length ? h("ul", { class: "visits", id: "visit-list" }, ...items) : h("p", { class: "intro", text: t("visits.none") }));
  }

  function flagText(flag, photo) {
    if (flag === "far_from_site") {
      const metres = photo.distance_m ?? (photo.flag_details && photo.flag_details.far_from_site && photo.flag_details.far_from_site.distance_m);
      return metres != null ? t("flag.far_from_site", { km: number(Math.round(metres / 100) / 10) }) : t("flag.far_from_site.plain");
    }
    const key = "flag." + flag;
    const text = t(key);
    return text === key ? flag.replace(/_/g, " ") : text;
  }

  async function renderVisit(id) {
    setTabs(true, "visits");
    const record = await FS.db.get("outbox", id);
    if (!record) { location.hash = "#/visits"; return; }
    const site = await FS.db.get("sites", record.visit.site);
    const parts = [
      h("a", { href: "#/visits", class: "back", text: "‹ " + t("common.back") }),
      h("h1", { text: site ? site.name : "#" + record.visit.site }),
      h("p", { class: "muted", text: when(record.visit.started_at) }),
      h("p", { id: "visit-state" }, badge(record.state)),
    ];
    if (record.state === "queued" && record.nextAttemptAt) {
      parts.push(h("p", { class: "muted", text: (navigator.onLine ? "" : t("error.network") + " ") +
        t("visits.next", { when: when(record.nextAttemptAt) }) }));
    }
    if (record.state === "failed" && record.error) {
      parts.push(h("div", { class: "error", id: "visit-error", role: "alert" },
        h("strong", { text: t("result.server_said") + " " }), refusal(record.error)));
    }
    if (record.visit.followup_of) {
      parts.push(h("p", { class: "followup-banner", text: t("visit.followup", { note: record.followupNote || "#" + record.visit.followup_of }) }));
    }
    if (record.visit.notes) parts.push(h("section", { class: "card" }, h("p", { class: "notes", text: record.visit.notes })));
    const actions = h("div", { class: "actions" });
    if (["draft", "failed"].includes(record.state)) {
      actions.append(h("a", { class: "button primary", id: "edit-visit", href: `#/visit/${record.id}/edit`, text: t("visits.edit") }));
      if (!record.sent) {
        actions.append(h("button", { type: "button", id: "delete-visit", text: t("visits.delete"), onclick: async () => {
          if (!window.confirm(t("visits.delete.confirm"))) return;
          await FS.db.del("outbox", record.id);
          location.hash = "#/visits";
        } }));
      }
    }
    if (record.state === "queued") {
      actions.append(h("button", { type: "button", id: "send-now", text: t("visits.retry"), onclick: async () => {
        record.nextAttemptAt = 0; await FS.db.put("outbox", record); pump({ force: true });
      } }));
    }
    if (record.state === "sent" || record.state === "processed") {
      actions.append(h("button", { type: "button", id: "refresh-result", text: t("result.refresh"), onclick: async () => {
        await FS.outbox.refreshResults(record.id); rerender();
      } }));
    }
    parts.push(actions);
    parts.push(resultSection(record));
    show(...parts);
  }

  function resultSection(record) {
    const section = h("section", { class: "result", id: "result" }, h("h2", { text: t("result.title") }));
    const result = record.result;
    // The photos: the phone's own copy of each original, with what the server found.
    const serverPhotos = new Map(((result && result.photos) || []).map((p) => [p.id, p]));
    if (!result) {
      section.append(h("p", { class: "muted", text: record.state === "sent" ? t("result.pending") : t("result.offline") }));
    } else {
      if (!result.processed) section.append(h("p", { class: "muted", text: t("result.pending") }));
      const observations = result.observations || [];
      section.append(h("h3", { text: t("result.observations") }));
      section.append(observations.length ? h("ul", { class: "observations", id: "result-observations" }, ...observations.map((o) => h("li", {
        class: "card observation-result" + (o.rejected ? " rejected" : ""), "data-metric": o.metric },
        h("strong", { text: word("metric", o.metric) + ": " + (o.metric === "status" ? word("status", o.status_value) : range(o.low, o.high, o.unit)) }),
        h("span", { class: "muted", text: " " + (o.extracted ? t("result.extracted") : t("result.given")) + (o.rejected ? " · " + t("result.rejected") : "") }),
        o.quote ? h("blockquote", { text: SIGNS.includes(o.quote) ? word("sign", o.quote) : o.quote }) : null,
        o.source_role ? h("span", { class: "muted", text: "— " + o.source_role }) : null)))
        : h("p", { class: "muted", text: t("result.observations.none") }));
      const discrepancies = result.discrepancies || [];
      section.append(h("h3", { text: t("result.discrepancies") }));
      section.append(discrepancies.length ? h("ul", { class: "discrepancies", id: "result-discrepancies" }, ...discrepancies.map((d) => h("li", {
        class: "card discrepancy severity-" + d.severity, "data-discrepancy": d.id },
        h("strong", { text: t("disc.status." + d.status) + " · " + t("disc.severity." + d.severity) }),
        d.role ? h("p", { class: "muted role", "data-role": d.role, text: t("result.role." + d.role) }) : null,
        h("p", { text: FS.i18n.lang === "zh" && d.explanation_zh ? d.explanation_zh : d.explanation }),
        d.claim_source && d.claim_source.text ? h("blockquote", { text: d.claim_source.text }) : null)))
        : h("p", { class: "muted", text: t("result.discrepancies.none") }));
    }
    if (record.photos.length) {
      section.append(h("h3", { text: t("result.photos") }));
      section.append(h("ul", { class: "photos", id: "result-photos" }, ...record.photos.map((photo) => {
        const server = serverPhotos.get(photo.id);
        let lines;
        if (!server) lines = [badge(photo.sent ? "sent" : record.state === "failed" ? "failed" : "queued")];
        else if (server.status === "pending") lines = [h("span", { text: t("result.photo.pending") })];
        else if (server.status === "failed") lines = [h("span", { class: "flag", text: t("result.photo.failed", { error: server.error || "" }) })];
        else if (!server.flags.length) lines = [h("span", { class: "ok", text: t("result.photo.ok") })];
        else lines = server.flags.map((flag) => h("span", { class: "flag", "data-flag": flag, text: flagText(flag, server) }));
        return h("li", { class: "photo", "data-photo": photo.id },
          h("img", { src: blobUrl(photo.file), alt: photo.name || "" }), h("div", { class: "photo-text" }, ...lines));
      })));
    }
    return section;
  }

  // --- Account ---
  async function renderAccount() {
    setTabs(true, "account");
    const current = await auth();
    const version = document.querySelector("meta[name=app-version]").content;
    show(h("h1", { text: t("account.title") }),
      h("section", { class: "card" },
        h("p", { id: "account-user", text: t("account.user", { user: current.username }) }),
        h("p", { class: "muted", text: t("account.device", { device: current.device || deviceName() }) }),
        current.expires_at ? h("p", { class: "muted", text: t("account.expires", { when: when(current.expires_at) }) }) : null,
        h("p", { class: "muted", id: "storage", text: t("account.storage", {
          sites: await FS.db.count("sites"), visits: (await myRecords()).filter((r) => r.kind === "visit").length,
        }) }),
        h("p", { class: "muted", id: "app-version", text: t("account.version", { version }) })),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "lang-choice", text: t("lang.switch"), onclick: switchLanguage }),
        h("button", { type: "button", class: "danger", id: "sign-out", text: t("account.signout"), onclick: signOut })));
  }

  // --- Routing ---
  let currentRoute = "";
  async function route() {
    if (currentRoute && currentRoute !== location.hash) hideToastSoon();
    currentRoute = location.hash || "#/";
    const [path, query] = currentRoute.slice(1).split("?");
    const params = new URLSearchParams(query || "");
    const current = await auth();
    if (!current || current.invalid) {
      renderLogin(current && current.invalid ? t("login.again") : "");
      return;
    }
    const parts = path.split("/").filter(Boolean);
    if (!parts.length) {
      const requests = await FS.db.count("requests");
      location.replace(requests ? "#/requests" : "#/sites");
      return;
    }
    if (parts[0] === "login") { location.replace("#/requests"); return; }
    if (parts[0] === "requests") return renderRequests();
    if (parts[0] === "sites" && parts[1] === "new") return renderProposeSite();
    if (parts[0] === "sites") return renderSites();
    if (parts[0] === "visit" && parts[1] === "new") return renderVisitForm(params, null);
    if (parts[0] === "visit" && parts[2] === "edit") return renderVisitForm(params, parts[1]);
    if (parts[0] === "visits" && parts[1]) return renderVisit(parts[1]);
    if (parts[0] === "visits") return renderVisits();
    if (parts[0] === "account") return renderAccount();
    location.replace("#/requests");
  }
  // Lists and details follow the outbox as it changes; a form being filled is never redrawn.
  let rerenderTimer = null;
  function rerender() {
    clearTimeout(rerenderTimer);
    rerenderTimer = setTimeout(() => {
      const path = (location.hash || "").split("?")[0];
      if (path.startsWith("#/visit/") || path.startsWith("#/sites/new")) return;
      if (document.activeElement && document.activeElement.id === "site-search") return;
      route();
    }, 150);
  }

  function switchLanguage() {
    FS.i18n.set(FS.i18n.lang === "zh" ? "en" : "zh");
    applyLanguage();
    route(); // a visit form is saved as a draft as it is filled, and redrawn from there
  }

  // --- The service worker ---
  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    const hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch((error) => console.error(error));
    navigator.serviceWorker.ready.then((registration) => {
      if (!navigator.serviceWorker.controller && registration.active) registration.active.postMessage({ type: "claim" });
    });
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "outbox-changed") rerender();
    });
    let reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      // A new release took over: reload into its shell (forms are saved as drafts as they are filled).
      if (hadController && !reloading) { reloading = true; location.reload(); }
    });
  }

  async function start() {
    FS.i18n.load();
    applyLanguage();
    document.getElementById("lang-switch").addEventListener("click", switchLanguage);
    document.getElementById("toast").addEventListener("click", (event) => { event.currentTarget.hidden = true; });
    window.addEventListener("hashchange", route);
    window.addEventListener("online", async () => { showNetwork(); await FS.outbox.wake(); pump({ force: true }); syncAll(); });
    window.addEventListener("offline", showNetwork);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") { pump(); syncAll(); }
    });
    FS.outbox.onChange(rerender);
    registerWorker();
    await route();
    if (await auth()) { syncAll(); pump(); }
  }

  FS.app = { route, pump, syncAll, deviceName };
  document.addEventListener("DOMContentLoaded", start);
})();
