/* The gate page (/gate): checks passes in through POST /api/checkin while the network is up,
 * and on the device itself while it is down: the pass's Ed25519 signature with WebCrypto, the
 * fair, the day, the revocation list and the passes already scanned here. Offline scans wait in
 * localStorage and are sent when the network comes back; the server's answer has the last word.
 *
 * The QR text is base45 of 16 bytes of payload + 64 bytes of signature (tickets/codes.py):
 *   byte 0 version (high 4 bits) and kind (low 4 bits), byte 1 key id, bytes 2-5 pass id,
 *   bytes 6-8 fair id, bytes 9-12 stall code (ASCII, space-padded), bytes 13-14 first valid day
 *   (days since 2020-01-01), byte 15 number of valid days.
 * The signature covers DOMAIN + payload.
 */
(function () {
  "use strict";

  const T = JSON.parse(document.getElementById("gate-texts").textContent);
  const $ = (id) => document.getElementById(id);

  const DOMAIN = new TextEncoder().encode("phien-cho-hang-viet/pass/v1\u0000");
  const PAYLOAD_BYTES = 16;
  const CODE_BYTES = PAYLOAD_BYTES + 64;
  const VERSION = 1;
  const KINDS = [1, 2, 3];
  const EPOCH_MS = Date.UTC(2020, 0, 1);
  const DAY_MS = 86400000;
  const RESULTS = [
    "accepted", "duplicate", "revoked", "invalid", "wrong_fair", "not_today", "cannot_verify", "error",
  ];
  const SHORT_CODE = /^[0-9A-Z]{4}-[0-9A-Z]{4}$/i;
  const REFRESH_MS = 60000;
  const RETRY_MS = 15000;
  const REQUEST_TIMEOUT_MS = 8000;
  const SEEN_KEEP_DAYS = 14;
  const UPLOADED_KEEP = 30;

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
  }

  // ---- storage ----------------------------------------------------------------------------

  const STORE = {
    device: "gate.device_id",
    gate: "gate.name",
    fair: "gate.fair",
    fairs: "gate.fairs",
    keys: "gate.keys",
    revocations: "gate.revocations",
    seen: "gate.seen",
    queue: "gate.queue",
    uploaded: "gate.uploaded",
  };

  function load(name, fallback) {
    try {
      const raw = localStorage.getItem(name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (error) {
      return fallback;
    }
  }

  function save(name, value) {
    localStorage.setItem(name, JSON.stringify(value));
  }

  function deviceId() {
    let id = localStorage.getItem(STORE.device);
    if (!id) {
      if (window.crypto && crypto.randomUUID) {
        id = crypto.randomUUID();
      } else {
        const bytes = crypto.getRandomValues(new Uint8Array(16));
        id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      }
      localStorage.setItem(STORE.device, id);
    }
    return id;
  }

  // ---- Ho Chi Minh City time ----------------------------------------------------------------

  // Vietnam keeps no daylight saving time: a fixed +07:00 is right when Intl lacks the zone.
  function hcm(date) {
    try {
      const parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Asia/Ho_Chi_Minh",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      })
        .formatToParts(date)
        .forEach((p) => {
          parts[p.type] = p.value;
        });
      return {
        y: +parts.year, m: +parts.month, d: +parts.day,
        hh: parts.hour, mm: parts.minute, ss: parts.second,
      };
    } catch (error) {
      const shifted = new Date(date.getTime() + 7 * 3600000);
      const two = (n) => String(n).padStart(2, "0");
      return {
        y: shifted.getUTCFullYear(), m: shifted.getUTCMonth() + 1, d: shifted.getUTCDate(),
        hh: two(shifted.getUTCHours()), mm: two(shifted.getUTCMinutes()),
        ss: two(shifted.getUTCSeconds()),
      };
    }
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function isoDay(date) {
    const p = hcm(date);
    return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
  }

  function dayNumber(date) {
    const p = hcm(date);
    return Math.round((Date.UTC(p.y, p.m - 1, p.d) - EPOCH_MS) / DAY_MS);
  }

  function dayLabel(number) {
    const day = new Date(EPOCH_MS + number * DAY_MS);
    return `${pad(day.getUTCDate())}/${pad(day.getUTCMonth() + 1)}/${day.getUTCFullYear()}`;
  }

  // As the server writes it (tickets/checkin.py): "HH:MM:SS DD/MM/YYYY".
  function when(iso) {
    const p = hcm(new Date(iso));
    return `${p.hh}:${p.mm}:${p.ss} ${pad(p.d)}/${pad(p.m)}/${p.y}`;
  }

  // ---- the pass code ------------------------------------------------------------------------

  const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

  // RFC 9285; null for anything that is not base45.
  function base45Decode(text) {
    const values = [];
    for (const char of text) {
      const value = B45.indexOf(char);
      if (value < 0) return null;
      values.push(value);
    }
    if (values.length % 3 === 1) return null;
    const out = [];
    for (let i = 0; i < values.length; i += 3) {
      if (i + 2 < values.length) {
        const n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
        if (n > 0xffff) return null;
        out.push(n >> 8, n & 0xff);
      } else {
        const n = values[i] + values[i + 1] * 45;
        if (n > 0xff) return null;
        out.push(n);
      }
    }
    return new Uint8Array(out);
  }

  function unpack(raw) {
    const p = raw.subarray(0, PAYLOAD_BYTES);
    return {
      version: p[0] >> 4,
      kind: p[0] & 0x0f,
      kid: p[1],
      passId: ((p[2] << 24) >>> 0) + (p[3] << 16) + (p[4] << 8) + p[5],
      fairId: (p[6] << 16) + (p[7] << 8) + p[8],
      stall: String.fromCharCode(...p.subarray(9, 13)).trim(),
      firstDay: (p[13] << 8) + p[14],
      days: p[15],
      payload: p,
      signature: raw.subarray(PAYLOAD_BYTES),
    };
  }

  function base64Bytes(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  const importedKeys = new Map();

  // null when this browser cannot verify Ed25519 at all.
  async function cryptoKey(key) {
    if (importedKeys.has(key.kid)) return importedKeys.get(key.kid);
    let imported = null;
    try {
      imported = await crypto.subtle.importKey(
        "raw", base64Bytes(key.public_key), { name: "Ed25519" }, false, ["verify"],
      );
    } catch (error) {
      imported = null;
    }
    importedKeys.set(key.kid, imported);
    return imported;
  }

  function refusal(result, message, extra) {
    return { result, message, mode: "offline", ...(extra || {}) };
  }

  async function verifyOffline(text, fairId) {
    if (SHORT_CODE.test(text)) return refusal("cannot_verify", T.msg_short_offline);
    const raw = base45Decode(text.toUpperCase());
    if (!raw || raw.length !== CODE_BYTES) return refusal("invalid", T.msg_invalid);
    const pass = unpack(raw);
    if (pass.version !== VERSION || !KINDS.includes(pass.kind)) {
      return refusal("invalid", T.msg_invalid);
    }
    const keys = (load(STORE.keys, null) || {}).keys || [];
    if (!keys.length) return refusal("cannot_verify", T.msg_no_keys);
    if (!window.isSecureContext || !window.crypto || !crypto.subtle) {
      return refusal("cannot_verify", T.msg_insecure);
    }
    const key = keys.find((k) => k.kid === pass.kid);
    if (!key) return refusal("invalid", T.msg_unknown_key);
    const verifier = await cryptoKey(key);
    if (!verifier) return refusal("cannot_verify", T.msg_no_ed25519);
    const signed = new Uint8Array(DOMAIN.length + PAYLOAD_BYTES);
    signed.set(DOMAIN);
    signed.set(pass.payload, DOMAIN.length);
    let good = false;
    try {
      good = await crypto.subtle.verify({ name: "Ed25519" }, verifier, pass.signature, signed);
    } catch (error) {
      return refusal("cannot_verify", T.msg_no_ed25519);
    }
    if (!good) return refusal("invalid", T.msg_bad_signature);
    if (key.retired) return refusal("invalid", T.msg_retired_key);

    // From here on the pass is genuine: whatever the answer, the server should hear of the scan.
    const info = { id: pass.passId, fair_id: pass.fairId, stall: pass.stall, kind: pass.kind };
    const found = (result, message, extra) =>
      refusal(result, message, { pass: info, queue: true, ...(extra || {}) });
    if (pass.fairId !== fairId) return found("wrong_fair", format(T.msg_wrong_fair, { fair: pass.fairId }));
    const today = dayNumber(new Date());
    if (today < pass.firstDay || today >= pass.firstDay + pass.days) {
      const last = pass.firstDay + Math.max(pass.days, 1) - 1;
      return found("not_today", format(T.msg_not_today, {
        first: dayLabel(pass.firstDay), last: dayLabel(last),
      }));
    }
    const revoked = (load(STORE.revocations, null) || {}).passes || {};
    if (String(pass.passId) in revoked) return found("revoked", T.msg_revoked);
    const first = load(STORE.seen, {})[pass.passId];
    if (first) {
      return found("duplicate", format(T.msg_duplicate, { when: when(first.scanned_at), gate: first.gate }), {
        first_scan: first,
      });
    }
    return found("accepted", T.msg_accepted_offline);
  }

  // ---- the network ----------------------------------------------------------------------------

  async function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
        ...(options || {}),
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  function postScan(item) {
    return request("/api/checkin", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(item),
    });
  }

  async function problem(response) {
    try {
      const body = await response.json();
      if (body && body.detail) return body.detail;
    } catch (error) {
      /* not JSON: the status says enough */
    }
    return format(T.msg_server_error, { status: response.status });
  }

  function online() {
    return navigator.onLine !== false;
  }

  async function refreshKeys() {
    const response = await request("/api/checkin/keys");
    if (!response.ok) return;
    const keys = await response.json();
    if (Array.isArray(keys)) {
      importedKeys.clear();
      save(STORE.keys, { keys, fetched_at: new Date().toISOString() });
    }
  }

  async function refreshRevocations() {
    const stored = load(STORE.revocations, null) || { cursor: 0, passes: {} };
    // The server sends at most 5000 a time: ask again until a page comes back short.
    for (let page = 0; page < 50; page += 1) {
      const response = await request(`/api/checkin/revocations?since=${stored.cursor}`);
      if (response.status === 401) {
        showNotice(T.msg_signed_out);
        return;
      }
      if (!response.ok) return;
      const body = await response.json();
      for (const item of body.revoked) stored.passes[item.pass_id] = item.fair_id;
      const moved = body.cursor !== stored.cursor;
      stored.cursor = body.cursor;
      save(STORE.revocations, stored);
      if (!moved || body.revoked.length < 5000) return;
    }
  }

  async function refreshFairs() {
    const day = isoDay(new Date());
    // Only the fairs this account may check in at today: the server knows its assignments.
    const response = await request("/api/checkin/fairs");
    if (!response.ok) return;
    const fairs = (await response.json())
      .filter((f) => f.status === "published")
      .map((f) => ({
        id: f.id, title: f.title, site_name: f.site_name, start: f.start, end: f.end,
      }));
    save(STORE.fairs, { day, fairs });
    renderFairs();
  }

  let refreshing = false;

  async function refresh() {
    if (refreshing || !online()) return;
    refreshing = true;
    // Each on its own: one that fails (the network went away, a proxy refused it) leaves what
    // is stored for it, and the others still get their turn.
    for (const step of [flush, refreshKeys, refreshRevocations, refreshFairs]) {
      try {
        await step();
      } catch (error) {
        /* what is stored still holds */
      }
    }
    refreshing = false;
    renderStatus();
  }

  // ---- the offline queue ----------------------------------------------------------------------

  let flushing = null;

  function flush() {
    if (!flushing) {
      flushing = sendQueue().finally(() => {
        flushing = null;
        renderStatus();
      });
    }
    return flushing;
  }

  async function sendQueue() {
    while (online()) {
      const queue = load(STORE.queue, []);
      if (!queue.length) return;
      const item = queue[0];
      const { offline_result: offlineResult, ...body } = item;
      let response;
      try {
        response = await postScan(body);
      } catch (error) {
        return; // still no network: try again later
      }
      if (response.status === 401) {
        showNotice(T.msg_signed_out);
        return;
      }
      if (response.status === 429 || response.status >= 500) return;
      let answer;
      if (response.ok) {
        answer = await response.json();
        remember({ ...answer, scanned_at: item.scanned_at, gate: item.gate });
      } else {
        // The server will never take this one (e.g. 403): keep its answer, drop it from the queue.
        answer = { result: "error", message: await problem(response) };
      }
      const rest = load(STORE.queue, []).filter((q) => q.scanned_at !== item.scanned_at || q.code !== item.code);
      save(STORE.queue, rest);
      const uploaded = load(STORE.uploaded, []);
      uploaded.unshift({
        scanned_at: item.scanned_at,
        gate: item.gate,
        offline_result: offlineResult,
        result: answer.result,
        message: answer.message,
        stall: answer.pass ? answer.pass.stall : "",
        holder: answer.pass ? answer.pass.holder : "",
      });
      save(STORE.uploaded, uploaded.slice(0, UPLOADED_KEEP));
      renderUploaded();
      renderStatus();
    }
  }

  // Passes let in on this device, so that it knows them as duplicates once the network is gone.
  function remember(answer) {
    if (!answer.pass || !["accepted", "duplicate"].includes(answer.result)) return;
    const seen = load(STORE.seen, {});
    if (seen[answer.pass.id]) return;
    seen[answer.pass.id] = answer.first_scan
      ? { scanned_at: answer.first_scan.scanned_at, gate: answer.first_scan.gate }
      : { scanned_at: answer.scanned_at || new Date().toISOString(), gate: answer.gate || gateName() };
    save(STORE.seen, seen);
  }

  function forgetOldScans() {
    const seen = load(STORE.seen, {});
    const oldest = Date.now() - SEEN_KEEP_DAYS * DAY_MS;
    for (const [id, scan] of Object.entries(seen)) {
      if (new Date(scan.scanned_at).getTime() < oldest) delete seen[id];
    }
    save(STORE.seen, seen);
  }

  // ---- a scan ---------------------------------------------------------------------------------

  function gateName() {
    const input = $("gate-name");
    return input.value.trim() || input.placeholder;
  }

  function chosenFair() {
    const value = $("fair").value;
    return value ? Number(value) : null;
  }

  async function check(raw) {
    // Only line ends: a space is a base45 digit and may begin a signed code.
    const text = String(raw || "").replace(/^[\r\n\t]+|[\r\n\t]+$/g, "");
    if (!text.trim()) return null;
    const fairId = chosenFair();
    if (fairId === null) return show({ result: "error", message: T.msg_choose_fair, mode: "online" });
    const item = {
      code: text,
      gate: gateName(),
      device_id: deviceId(),
      scanned_at: new Date().toISOString(),
      fair_id: fairId,
    };
    if (online()) {
      if (load(STORE.queue, []).length) await flush(); // the server hears scans in their order
      let response = null;
      try {
        response = await postScan(item);
      } catch (error) {
        response = null; // no network after all: check on the device
      }
      if (response && response.ok) {
        const answer = await response.json();
        remember({ ...answer, scanned_at: item.scanned_at, gate: item.gate });
        return show({ ...answer, mode: "online" });
      }
      if (response && response.status === 401) showNotice(T.msg_signed_out);
      else if (response && response.status !== 429 && response.status < 500) {
        return show({ result: "error", message: await problem(response), mode: "online" });
      }
    }
    const outcome = await verifyOffline(text, fairId);
    if (outcome.queue) {
      const queue = load(STORE.queue, []);
      queue.push({ ...item, offline_result: outcome.result });
      save(STORE.queue, queue);
      if (outcome.result === "accepted") {
        const seen = load(STORE.seen, {});
        seen[outcome.pass.id] = { scanned_at: item.scanned_at, gate: item.gate };
        save(STORE.seen, seen);
      }
      renderStatus();
    }
    return show(outcome);
  }

  // One scan at a time, in the order they came: the camera and the keyboard share this line.
  let line = Promise.resolve();

  function gateScan(text) {
    const next = line.then(() => check(text));
    line = next.catch(() => null);
    return next;
  }

  // ---- what the page shows ----------------------------------------------------------------------

  function showNotice(text) {
    const notice = $("notice");
    notice.textContent = text;
    notice.hidden = !text;
  }

  function row(list, term, value, className) {
    if (value === undefined || value === null || value === "") return;
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (className) dd.className = className;
    list.append(dt, dd);
  }

  function show(outcome) {
    const result = RESULTS.includes(outcome.result) ? outcome.result : "error";
    const box = $("result");
    box.dataset.result = result;
    box.dataset.mode = outcome.mode || "online";
    $("verdict").textContent = T[result];
    const lines = [outcome.message || ""];
    if (result !== "accepted") lines.push(T.no_entry);
    $("message").textContent = lines.filter(Boolean).join(" ");
    const details = $("details");
    details.replaceChildren();
    const pass = outcome.pass || {};
    row(details, T.stall, pass.stall, "gate-stall");
    row(details, T.holder, pass.holder);
    const number = pass.short_code || pass.id;
    row(details, T.pass_no, pass.kind && number ? `${number} · ${T[`kind_${pass.kind}`]}` : number);
    $("note").hidden = !(outcome.mode === "offline" && outcome.queue);
    if (navigator.vibrate) navigator.vibrate(result === "accepted" ? 80 : [200, 100, 200]);
    return outcome;
  }

  function renderStatus() {
    const net = $("net");
    net.dataset.online = online() ? "1" : "0";
    net.textContent = online() ? T.online : T.offline;
    const keys = load(STORE.keys, null);
    const keysEl = $("keys");
    const count = keys && keys.keys ? keys.keys.length : 0;
    keysEl.dataset.count = String(count);
    const revoked = Object.keys((load(STORE.revocations, null) || {}).passes || {}).length;
    keysEl.textContent = count
      ? format(T.keys_ok, { count, when: when(keys.fetched_at).slice(0, 5), revoked })
      : T.keys_none;
    const queued = load(STORE.queue, []).length;
    $("queue").dataset.count = String(queued);
    $("queue").textContent = format(T.queue_count, { count: queued });
    $("queue-text").textContent = queued ? format(T.queue_text, { count: queued }) : T.queue_empty;
  }

  function renderUploaded() {
    const list = $("uploaded");
    list.replaceChildren();
    for (const entry of load(STORE.uploaded, [])) {
      const li = document.createElement("li");
      li.dataset.result = entry.result;
      // Let in offline but refused by the server (another gate, a late revocation): say so.
      li.dataset.mismatch = entry.offline_result === "accepted" && entry.result !== "accepted" ? "1" : "0";
      const who = [entry.stall, entry.holder].filter(Boolean).join(" · ");
      li.textContent = `${T.scanned_offline_at} ${when(entry.scanned_at)}${who ? ` — ${who}` : ""}: `
        + `${T[entry.offline_result] || entry.offline_result} → ${T.uploaded_as}: `
        + `${T[entry.result] || entry.result}. ${entry.message || ""}`;
      list.append(li);
    }
  }

  function renderFairs() {
    const select = $("fair");
    const day = isoDay(new Date());
    const stored = load(STORE.fairs, null);
    const fairs = stored && stored.day === day ? stored.fairs : [];
    const wanted = select.value || String(load(STORE.fair, ""));
    const placeholder = select.options[0];
    select.replaceChildren(placeholder);
    placeholder.textContent = fairs.length ? T.choose_fair : T.no_fairs;
    for (const fair of fairs) {
      const option = document.createElement("option");
      option.value = String(fair.id);
      option.textContent = `${fair.title} — ${fair.site_name} (${fair.start.slice(11, 16)}–${fair.end.slice(11, 16)})`;
      select.append(option);
    }
    if (fairs.some((f) => String(f.id) === wanted)) select.value = wanted;
    else if (fairs.length === 1) select.value = String(fairs[0].id);
    else select.value = "";
    save(STORE.fair, select.value);
  }

  // ---- the camera ---------------------------------------------------------------------------

  let stream = null;
  let detector = null;
  let lastText = "";
  let lastAt = 0;

  async function qrDetector() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const barcodes = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async (video) => {
            const found = await barcodes.detect(video);
            return found.length ? found[0].rawValue : null;
          };
        }
      } catch (error) {
        /* fall back to jsQR */
      }
    }
    if (typeof window.jsQR !== "function") return null;
    const canvas = $("frame");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async (video) => {
      const scale = Math.min(1, 800 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return found ? found.data : null;
    };
  }

  async function startCamera() {
    const video = $("video");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showNotice(format(T.camera_error, { error: T.msg_insecure }));
      return;
    }
    detector = detector || (await qrDetector());
    if (!detector) {
      showNotice(T.camera_no_decoder);
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" } },
        audio: false,
      });
    } catch (error) {
      showNotice(format(T.camera_error, { error: error.message || error.name }));
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play().catch(() => null);
    $("camera-toggle").textContent = T.camera_stop;
    showNotice("");
    scanFrames(stream);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    $("video").hidden = true;
    $("video").srcObject = null;
    $("camera-toggle").textContent = T.camera_start;
  }

  async function scanFrames(current) {
    const video = $("video");
    while (stream === current) {
      let text = null;
      if (video.readyState >= 2 && video.videoWidth) {
        try {
          text = await detector(video);
        } catch (error) {
          text = null;
        }
      }
      // A pass held in front of the camera is read many times a second: once is enough.
      if (text && (text !== lastText || Date.now() - lastAt > 4000)) {
        lastText = text;
        lastAt = Date.now();
        await gateScan(text);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  // ---- start ----------------------------------------------------------------------------------

  function start() {
    $("device").textContent = deviceId();
    const gateInput = $("gate-name");
    gateInput.value = localStorage.getItem(STORE.gate) || "";
    gateInput.addEventListener("change", () => localStorage.setItem(STORE.gate, gateInput.value.trim()));
    $("fair").addEventListener("change", () => save(STORE.fair, $("fair").value));
    $("typed").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("code");
      const text = input.value;
      input.value = "";
      gateScan(text);
      input.focus();
    });
    $("camera-toggle").addEventListener("click", () => (stream ? stopCamera() : startCamera()));
    window.addEventListener("pagehide", stopCamera);
    window.addEventListener("online", () => {
      renderStatus();
      refresh();
    });
    window.addEventListener("offline", renderStatus);
    setInterval(refresh, REFRESH_MS);
    setInterval(() => {
      if (online() && load(STORE.queue, []).length) flush();
    }, RETRY_MS);
    if (!window.isSecureContext) showNotice(T.msg_insecure);
    // Keeps the page itself for a reload with no network (the data is in localStorage).
    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("/gate-sw.js", { scope: "/gate" }).catch(() => {});
    }
    forgetOldScans();
    renderFairs();
    renderUploaded();
    renderStatus();
    $("gate").hidden = false;
    refresh();
  }

  // For the camera's decoder and for tests: both go through the same check.
  window.gateScan = gateScan;
  start();
})();
