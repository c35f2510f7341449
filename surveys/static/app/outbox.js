/* The outbox: everything made on this phone waits in IndexedDB until the server has it.

   A visit, each of its observations and each photo get their client id (a UUID) when they are
   created, and each request its Idempotency-Key, kept with the item: a retry sends the same id
   and the same key, so the server creates nothing twice. A photo is sent as the File the
   reporter chose, byte for byte; a cut upload is sent again whole, with the same id.

   flush() sends what is due, oldest first: site proposals, then visits (the visit, its
   observations, its photos). No answer (offline, cut, timeout), a 5xx, a 429 or a key still in
   flight: the item stays queued and is tried again later, with a growing delay (5 s doubling up
   to 5 min, with jitter), at once on the `online` event, and by Background Sync. Any other 4xx:
   the item becomes "failed" with the server's message and waits for the reporter to edit it;
   it is never sent again as it was. A 401 stops everything until the reporter signs in again.

   The page and the service worker both run flush(); a Web Lock keeps it to one at a time. */
"use strict";
(function (root) {
  const FS = (root.FS = root.FS || {});
  const BASE_DELAY_S = 5;
  const MAX_DELAY_S = 300;
  const VISIT_FIELDS = ["site", "started_at", "ended_at", "latitude", "longitude", "notes", "observed_status",
    "activity_level", "activity_signs", "followup_of"];
  const OBSERVATION_FIELDS = ["metric", "low", "high", "unit", "qualifier", "status_value", "method", "source_role", "quote"];
  const listeners = new Set();

  class Refused extends Error {
    constructor(answer, part) {
      super(FS.api.message(answer.body) || "HTTP " + answer.status);
      this.status = answer.status;
      this.body = answer.body;
      this.part = part;
    }
  }
  class RetryLater extends Error {
    constructor(reason, retryAfter) { super(reason); this.retryAfter = retryAfter; }
  }
  class SignedOut extends Error {}

  function now() { return Date.now(); }

  function backoff(attempts, retryAfterS) {
    const base = Math.min(MAX_DELAY_S, BASE_DELAY_S * Math.pow(2, Math.max(0, attempts - 1)));
    const jitter = base * (0.75 + Math.random() * 0.5);
    return now() + 1000 * Math.max(jitter, retryAfterS || 0);
  }

  function changed() { listeners.forEach((fn) => { try { fn(); } catch (e) { /* a view gone */ } }); }

  function pick(values, names) {
    const out = {};
    names.forEach((name) => {
      if (values[name] !== undefined && values[name] !== "") out[name] = values[name];
    });
    return out;
  }

  /* One POST, sorted into: the answer (2xx), RetryLater, SignedOut or Refused. */
  async function post(path, options, part) {
    let answer;
    try {
      answer = await FS.api.call("POST", path, options);
    } catch (error) {
      if (error instanceof FS.api.NetworkError) throw new RetryLater("network");
      throw error;
    }
    if (answer.ok) return answer;
    const retryAfter = parseInt(answer.headers.get("Retry-After") || "0", 10) || 0;
    if (answer.status === 401) throw new SignedOut("401");
    if (answer.status >= 500 || answer.status === 429 || answer.status === 408) {
      throw new RetryLater("HTTP " + answer.status, retryAfter);
    }
    if (answer.status === 409 && /still being processed|retry later/i.test(FS.api.message(answer.body))) {
      throw new RetryLater("in flight", retryAfter || 2);
    }
    throw new Refused(answer, part);
  }

  async function save(record) {
    record.updatedAt = now();
    await FS.db.put("outbox", record);
    changed();
    return record;
  }

  async function serverSiteId(siteRef) {
    if (typeof siteRef === "number") return siteRef;
    if (typeof siteRef === "string" && siteRef.startsWith("local-")) {
      const proposal = await FS.db.get("outbox", siteRef.slice("local-".length));
      if (!proposal) return null;
      if (proposal.state === "failed") throw new Refused({ status: 400, body: proposal.error && proposal.error.body }, "site");
      return proposal.server ? proposal.server.id : null;
    }
    return parseInt(siteRef, 10) || null;
  }

  async function sendSite(record) {
    const answer = await post("sites/", { json: pick(record.site, ["name", "kind", "latitude", "longitude"]), key: record.key }, "site");
    record.server = answer.body;
    record.state = "sent";
    record.sentAt = now();
    await FS.db.del("sites", "local-" + record.id);
    await FS.db.put("sites", answer.body);
    await save(record);
  }

  async function sendVisit(record) {
    const site = await serverSiteId(record.visit.site);
    if (site === null) throw new RetryLater("site not yet sent");
    if (!record.sent) {
      const body = { id: record.id, ...pick(record.visit, VISIT_FIELDS), site };
      const answer = await post("visits/", { json: body, key: record.key }, "visit");
      record.sent = true;
      record.server = answer.body;
      await save(record);
    }
    for (const observation of record.observations || []) {
      if (observation.sent) continue;
      const body = { id: observation.id, visit: record.id, ...pick(observation.data, OBSERVATION_FIELDS) };
      const answer = await post("observations/", { json: body, key: observation.key }, "observation");
      observation.sent = true;
      observation.server = answer.body;
      await save(record);
    }
    for (const photo of record.photos || []) {
      if (photo.sent) continue;
      const form = new FormData();
      form.append("id", photo.id);
      if (photo.caption) form.append("caption", photo.caption);
      form.append("file", photo.file, photo.name || "photo.jpg"); // the chosen File itself: its bytes, untouched
      const answer = await post(`visits/${record.id}/photos/`, { form, key: photo.key, timeoutMs: 180000 }, "photo");
      photo.sent = true;
      photo.server = answer.body;
      await save(record);
    }
    record.state = "sent";
    record.sentAt = now();
    record.error = null;
    record.lastError = null;
    await save(record);
  }

  async function sendOne(record) {
    record.state = "sending";
    record.attempts = (record.attempts || 0) + 1;
    await save(record);
    try {
      if (record.kind === "site") await sendSite(record);
      else await sendVisit(record);
      return "sent";
    } catch (error) {
      if (error instanceof RetryLater) {
        record.state = "queued";
        record.nextAttemptAt = backoff(record.attempts, error.retryAfter);
        record.lastError = { reason: error.message, at: now() };
        await save(record);
        return error.message === "network" ? "offline" : "later";
      }
      if (error instanceof SignedOut) {
        record.state = "queued";
        record.attempts -= 1;
        await save(record);
        const auth = await FS.db.get("meta", "auth");
        if (auth) { auth.invalid = true; await FS.db.put("meta", auth, "auth"); }
        return "signed-out";
      }
      if (error instanceof Refused) {
        record.state = "failed";
        record.error = { status: error.status, message: error.message, body: error.body, part: error.part, at: now() };
        await save(record);
        return "failed";
      }
      record.state = "queued";
      record.nextAttemptAt = backoff(record.attempts);
      record.lastError = { reason: String(error), at: now() };
      await save(record);
      return "later";
    }
  }

  function due(record, force) {
    if (record.state !== "queued" && record.state !== "sending") return false;
    return force || !record.nextAttemptAt || record.nextAttemptAt <= now();
  }

  async function run(options) {
    const auth = await FS.db.get("meta", "auth");
    if (!auth || auth.invalid) return { sent: 0, stopped: "signed-out" };
    // Only the signed-in reporter's items: another reporter's, left on a shared phone, wait for them.
    const records = (await FS.db.all("outbox"))
      .filter((r) => due(r, options.force) && (!r.username || r.username === auth.username));
    records.sort((a, b) => (a.kind === b.kind ? a.createdAt - b.createdAt : a.kind === "site" ? -1 : 1));
    let sent = 0;
    for (const record of records) {
      const outcome = await sendOne(record);
      if (outcome === "sent") sent += 1;
      if (outcome === "offline" || outcome === "signed-out") return { sent, stopped: outcome };
    }
    await refreshResults();
    return { sent };
  }

  async function flush(options) {
    const opts = options || {};
    const nav = root.navigator;
    if (nav && nav.locks && nav.locks.request) {
      return nav.locks.request("fs-outbox", { ifAvailable: true }, (lock) => (lock ? run(opts) : { busy: true }));
    }
    return run(opts);
  }

  /* For sent visits not yet processed: what the server made of them. */
  async function refreshResults(only) {
    const records = (await FS.db.all("outbox")).filter((r) => r.kind === "visit" &&
      (r.state === "sent" || (only && r.id === only && r.state === "processed")));
    for (const record of records) {
      if (only && record.id !== only) continue;
      try {
        const result = await fetchResult(record);
        if (!result) continue;
        record.result = result;
        if (result.processed) record.state = "processed";
        await save(record);
      } catch (error) {
        if (error instanceof FS.api.NetworkError) return;
        throw error;
      }
    }
  }

  async function fetchResult(record) {
    const visit = await FS.api.call("GET", `visits/${record.id}/`);
    if (!visit.ok) return null;
    const observations = await FS.api.all(`observations/?visit=${record.id}&limit=200`);
    const photos = await FS.api.all(`visits/${record.id}/photos/?limit=200`);
    const discrepancies = await FS.api.all(`discrepancies/?site=${visit.body.site}&limit=100`);
    // The discrepancies this visit's observations count in, and how: against the claim, consistent
    // with it, or new evidence since an editor's decision; and the one a follow-up visit answers.
    const mine = [];
    for (const d of discrepancies.rows || []) {
      const evidence = d.evidence || {};
      const has = (list) => (list || []).some((o) => o.visit === record.id);
      let role = null;
      if (has(evidence.new_evidence)) role = "new";
      else if (has(evidence.observations)) role = "contradicts";
      else if (has(evidence.supporting)) role = "supports";
      else if (d.id === visit.body.followup_of || (d.followups || []).some((f) => f.visit === record.id)) role = "followup";
      if (role) mine.push({ ...d, role });
    }
    const processed = visit.body.processing !== "pending" && (photos.rows || []).every((p) => p.status !== "pending");
    return {
      visit: visit.body, observations: observations.rows || [], photos: photos.rows || [],
      discrepancies: mine, processed, fetchedAt: now(),
    };
  }

  /* A new or edited visit. Parts already on the server keep their ids and keys; everything
     not yet sent gets a fresh Idempotency-Key, so an edit after a refusal is a new request. */
  async function saveVisit(record, { send }) {
    const fresh = () => FS.api.uuid();
    record.kind = "visit";
    record.createdAt = record.createdAt || now();
    if (!record.sent) record.key = fresh();
    (record.observations || []).forEach((o) => { if (!o.sent) o.key = fresh(); });
    (record.photos || []).forEach((p) => { if (!p.sent) p.key = fresh(); });
    record.state = send ? "queued" : "draft";
    record.error = null;
    record.attempts = 0;
    record.nextAttemptAt = 0;
    await save(record);
    if (send) await requestSync();
    return record;
  }

  async function proposeSite(values, username) {
    const record = {
      id: FS.api.uuid(), kind: "site", username, site: values, key: FS.api.uuid(), state: "queued",
      createdAt: now(), attempts: 0, nextAttemptAt: 0,
    };
    await FS.db.put("sites", { id: "local-" + record.id, name: values.name, aliases: [], kind: values.kind,
      latitude: values.latitude, longitude: values.longitude, verified: false, pending: true });
    await save(record);
    await requestSync();
    return record;
  }

  async function requestSync() {
    try {
      const nav = root.navigator;
      if (nav && nav.serviceWorker && root.document) {
        const registration = await nav.serviceWorker.ready;
        if (registration.sync) await registration.sync.register("fs-outbox");
      }
    } catch (error) { /* no Background Sync here: the online event and the timer do it */ }
  }

  /* Everything due again now (the network came back). */
  async function wake() {
    const records = await FS.db.all("outbox");
    const waiting = records.filter((r) => r.state === "queued" && r.nextAttemptAt);
    for (const record of waiting) record.nextAttemptAt = 0;
    if (waiting.length) await FS.db.putMany("outbox", waiting);
  }

  async function nextDue() {
    const records = (await FS.db.all("outbox")).filter((r) => r.state === "queued" || r.state === "sending");
    if (!records.length) return null;
    return Math.min(...records.map((r) => r.nextAttemptAt || 0));
  }

  FS.outbox = {
    flush, saveVisit, proposeSite, refreshResults, wake, nextDue, requestSync,
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    VISIT_FIELDS, OBSERVATION_FIELDS,
  };
})(typeof self !== "undefined" ? self : this);
