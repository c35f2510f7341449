/* IndexedDB for the reporter app, shared by the page and the service worker.

   Stores:
     meta    key/value: "auth" (token, username, device, expires_at), "sites-cursor", "sites-synced-at"
     sites   the site list copied from /api/v1/sites/ (keyPath id), plus proposals not yet sent
     outbox  every visit and site proposal made on this phone (keyPath id = the client id), with
             its observations and photos (the photo Files themselves), its state and the results
     requests  the follow-up requests last fetched (keyPath id), for reading offline
   Nothing here is deleted by an app update: only signing out and deleting an unsent draft remove data. */
"use strict";
(function (root) {
  const FS = (root.FS = root.FS || {});
  const NAME = "fs-app";
  const VERSION = 1;
  let opening = null;

  function promisify(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function open() {
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
        if (!db.objectStoreNames.contains("sites")) db.createObjectStore("sites", { keyPath: "id" });
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" });
        if (!db.objectStoreNames.contains("requests")) db.createObjectStore("requests", { keyPath: "id" });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
      request.onblocked = () => { /* another tab holds an older version; it closes on versionchange */ };
    });
    return opening;
  }

  async function run(storeName, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      const store = tx.objectStore(storeName);
      let result;
      Promise.resolve(work(store)).then((value) => { result = value; }, reject);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    });
  }

  const db = {
    open,
    get: (store, key) => run(store, "readonly", (s) => promisify(s.get(key))),
    all: (store) => run(store, "readonly", (s) => promisify(s.getAll())),
    count: (store) => run(store, "readonly", (s) => promisify(s.count())),
    put: (store, value, key) => run(store, "readwrite", (s) => promisify(key === undefined ? s.put(value) : s.put(value, key))),
    del: (store, key) => run(store, "readwrite", (s) => promisify(s.delete(key))),
    clear: (store) => run(store, "readwrite", (s) => promisify(s.clear())),
    putMany: (store, values) => run(store, "readwrite", (s) => { values.forEach((v) => s.put(v)); }),
    delMany: (store, keys) => run(store, "readwrite", (s) => { keys.forEach((k) => s.delete(k)); }),
    /* Read-modify-write of one record in one transaction (the page and the worker may both write). */
    update: (store, key, change) => run(store, "readwrite", (s) => promisify(s.get(key)).then((value) => {
      if (value === undefined) return undefined;
      const next = change(value) || value;
      s.put(next);
      return next;
    })),
  };

  FS.db = db;
})(typeof self !== "undefined" ? self : this);
