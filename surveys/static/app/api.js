/* Talking to /api/v1/ with the device token (page and service worker alike).

   FS.api.call() answers {status, ok, body, headers} for any HTTP answer and throws
   FS.api.NetworkError when no answer came (offline, cut, timed out), so the outbox can
   tell "try again later" from "the server refused". Cookies are never sent: the token is
   the only credential, so a desk session in the same browser changes nothing. */
"use strict";
(function (root) {
  const FS = (root.FS = root.FS || {});
  const BASE = "/api/v1/";
  const TIMEOUT_MS = 60000;

  class NetworkError extends Error {
    constructor(message) { super(message); this.name = "NetworkError"; }
  }

  async function auth() {
    return FS.db.get("meta", "auth");
  }

  function url(path) {
    if (/^https?:/.test(path)) return path;
    return BASE + path.replace(/^\//, "");
  }

  async function call(method, path, options) {
    const opts = options || {};
    const headers = { Accept: "application/json" };
    const token = opts.token !== undefined ? opts.token : ((await auth()) || {}).token;
    if (token) headers.Authorization = "Token " + token;
    if (opts.key) headers["Idempotency-Key"] = opts.key;
    let body;
    if (opts.form) {
      body = opts.form; // the browser writes the multipart boundary
    } else if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    const controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), opts.timeoutMs || TIMEOUT_MS) : null;
    let response;
    try {
      response = await fetch(url(path), {
        method, headers, body, credentials: "omit", cache: "no-store", signal: controller ? controller.signal : undefined,
      });
    } catch (error) {
      throw new NetworkError(String(error && error.message || error));
    } finally {
      if (timer) clearTimeout(timer);
    }
    let parsed = null;
    const type = response.headers.get("Content-Type") || "";
    try {
      parsed = type.includes("json") ? await response.json() : await response.text();
    } catch (error) {
      if (response.ok) throw new NetworkError("the answer was cut: " + error);
      parsed = null;
    }
    return { status: response.status, ok: response.ok, body: parsed, headers: response.headers };
  }

  /* Every page of a list (or of a sync feed), following `next`. */
  async function all(path, onPage) {
    let next = path;
    const rows = [];
    let last = null;
    while (next) {
      const answer = await call("GET", next);
      if (!answer.ok) return { ok: false, answer, rows };
      last = answer.body;
      if (onPage) await onPage(answer.body.results, answer.body);
      else rows.push(...answer.body.results);
      next = answer.body.next;
    }
    return { ok: true, rows, last };
  }

  /* The server's message for a refusal: each field's messages under the field's name (`label`
     turns an API field into the form's word for it), and the detail when it says more. */
  function message(body, label) {
    if (!body) return "";
    if (typeof body === "string") return body.slice(0, 300);
    const name = label || ((field) => field);
    const parts = [];
    const fieldTexts = [];
    if (body.errors && typeof body.errors === "object") {
      for (const [field, messages] of Object.entries(body.errors)) {
        const list = Array.isArray(messages) ? messages : [messages];
        const text = list.map((m) => (typeof m === "object" ? JSON.stringify(m) : String(m))).join(" ");
        fieldTexts.push(text);
        parts.push(`${name(field)}: ${text}`);
      }
    }
    if (body.detail && !fieldTexts.includes(String(body.detail))) parts.unshift(String(body.detail));
    return parts.join(" · ");
  }

  function uuid() {
    if (root.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  FS.api = { call, all, message, uuid, NetworkError, url };
})(typeof self !== "undefined" ? self : this);
