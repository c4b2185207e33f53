// The extension's background: the only part that talks to the bridge (the native-messaging host)
// and the only part that sees a PIN, on its way from the PIN window to the bridge.
//
// Page → content script → here (`page-request`): the origin is the browser's `sender`, never the
// page's word; it must be one of the portal's origins. `status` is relayed; `authenticate` first
// asks the bridge to `prepare` (the card's state, and the card held while the PIN is typed, its
// certificate read meanwhile), opens the PIN window (pin.html) with the requesting origin and the
// tries left, then sends origin + nonce + PIN to the bridge and forgets the PIN. Without a PIN
// (cancelled, timed out, a card problem) the hold is let go with `release`.
//
// The native port is native.js's, the PIN window pin_window.js's; this file holds the
// development settings and the page's requests.
// @ts-check
"use strict";

if (typeof importScripts === "function") {
  // Chromium's service worker; Firefox loads these first from the manifest.
  importScripts("config.js", "rules.js", "native.js", "pin_window.js");
}

const api = globalThis.browser ?? globalThis.chrome;

const { refusal, senderOrigin, cardProblem } = MYNA_RULES;
const { bridge } = MYNA_NATIVE;
const { askPin, showPinWindow, onPinMessage, closeAnswered } = MYNA_PIN_WINDOW;

// ---- development settings ----------------------------------------------------------------

/** @typedef {{ origins?: unknown, pinTimeoutMs?: number }} DevSettings */

/** @type {DevSettings | null} */
let devSettings = null;

/**
 * `dev.json` beside the manifest (development only): `{ "origins": [...], "pinTimeoutMs"? }`.
 * @returns {Promise<DevSettings>}
 */
async function development() {
  if (devSettings !== null) {
    return devSettings;
  }
  /** @type {DevSettings} */
  let loaded;
  try {
    const response = await fetch(api.runtime.getURL("dev.json"));
    loaded = response.ok ? await response.json() : {};
  } catch {
    loaded = {};
  }
  devSettings = loaded;
  return loaded;
}

/** @param {string} origin */
async function originAllowed(origin) {
  if (MYNA.PORTAL_ORIGINS.includes(origin)) {
    return true;
  }
  const origins = (await development()).origins;
  return Array.isArray(origins) && origins.includes(origin);
}

// ---- requests from pages -------------------------------------------------------------------

/**
 * `bridge` with its round trip added to `timing.bridgeMs`.
 * @param {BridgeRequest} body
 * @param {number} timeoutMs
 * @param {Timing} timing
 * @returns {Promise<BridgeReply>}
 */
async function timedBridge(body, timeoutMs, timing) {
  const started = performance.now();
  const reply = await bridge(body, timeoutMs);
  timing.bridgeMs += performance.now() - started;
  return reply;
}

/**
 * Lets the card held by `prepare` go. Not awaited: the page's answer does not wait for it, and
 * its answer does not matter (the hold also expires).
 * @param {Timing} timing
 */
function release(timing) {
  timedBridge({ command: "release" }, MYNA.STATUS_TIMEOUT_MS, timing).catch(() => {});
}

/**
 * The card step after the page's challenge: `prepare`, the card's problems, the PIN window, then
 * `authenticate` with the PIN (forgotten here once sent).
 * @param {{ nonce: string, lang: "ja" | "en" }} request
 * @param {string} origin
 * @param {Timing} timing
 * @returns {Promise<BridgeReply | Refusal>}
 */
async function authenticate(request, origin, timing) {
  const status = await timedBridge({ command: "prepare" }, MYNA.STATUS_TIMEOUT_MS, timing);
  if (status.error) {
    // A late answer may still have taken the card (a TIMEOUT here is not the bridge's):
    // nothing will use it.
    release(timing);
    return status;
  }
  const problem = cardProblem(status.result);
  if (problem) {
    release(timing);
    return problem;
  }
  const timeoutMs = (await development()).pinTimeoutMs ?? MYNA.PIN_TIMEOUT_MS;
  console.info("myna: PIN window for", origin);
  const asked = performance.now();
  const answer = await askPin(origin, status.result.authPinTriesLeft, request.lang, timeoutMs);
  const answered = performance.now();
  timing.userMs += answered - asked;
  if (answer.error) {
    release(timing);
    return answer;
  }
  const reply = await timedBridge(
    {
      command: "authenticate",
      origin,
      nonce: request.nonce,
      pin: answer.pin,
      confirmLastTry: answer.confirmLastTry,
    },
    MYNA.AUTHENTICATE_TIMEOUT_MS,
    timing,
  );
  answer.pin = "";
  timing.afterOkMs = performance.now() - answered;
  return reply;
}

/**
 * The page's self-diagnosis: this extension's version, and the bridge's `diagnose` (its version,
 * PC/SC, readers, the card's tries and certificate expiry, its registration with each browser)
 * or why the bridge could not be asked.
 * @param {Timing} timing
 */
async function diagnose(timing) {
  const extension = api.runtime.getManifest().version;
  const reply = await timedBridge({ command: "diagnose" }, MYNA.STATUS_TIMEOUT_MS, timing);
  return reply.error
    ? { result: { extension, bridge: null, bridgeError: reply.error } }
    : { result: { extension, bridge: reply.result, bridgeError: null } };
}

/**
 * @param {PageRequestMessage} message
 * @param {string} origin
 * @param {Timing} timing
 */
async function answerPage(message, origin, timing) {
  const lang = message.lang === "en" ? "en" : "ja";
  switch (message.action) {
    case "status":
      return timedBridge({ command: "status" }, MYNA.STATUS_TIMEOUT_MS, timing);
    case "authenticate":
      if (typeof message.nonce !== "string" || message.nonce.length > 128) {
        return refusal("INVALID_REQUEST", "authenticate needs the server's nonce");
      }
      return authenticate({ nonce: message.nonce, lang }, origin, timing);
    case "showPinWindow":
      return showPinWindow(origin);
    case "diagnose":
      return diagnose(timing);
    case "presence":
      // Is the card that logged in still on its reader (the page asks every second while a
      // card session is open): the reader's state only, no card access.
      if (
        typeof message.reader !== "string" ||
        message.reader.length === 0 ||
        message.reader.length > 256 ||
        !Number.isInteger(message.events) ||
        Number(message.events) < 0 ||
        Number(message.events) > 0xffffffff
      ) {
        return refusal("INVALID_REQUEST", "presence needs the reader and its card-event count");
      }
      return timedBridge(
        { command: "presence", reader: message.reader, events: message.events },
        MYNA.STATUS_TIMEOUT_MS,
        timing,
      );
    default:
      return refusal("INVALID_REQUEST", "unknown action");
  }
}

/**
 * A page's request. The answer carries `timing` (milliseconds: here in all, waiting for the
 * user in the PIN window, the bridge's round trips, and from the PIN window's answer to here
 * `afterOkMs`), which BENCHMARKS.md uses to split the end-to-end time; the page ignores it.
 * @param {PageRequestMessage} message
 * @param {Sender} sender
 */
async function onPageRequest(message, sender) {
  const started = performance.now();
  const origin = senderOrigin(sender);
  if (origin === null || !(await originAllowed(origin))) {
    return refusal("ORIGIN_NOT_ALLOWED", `this page (${origin}) may not use the card`);
  }
  const timing = { totalMs: 0, userMs: 0, bridgeMs: 0 };
  const answer = await answerPage(message, origin, timing);
  timing.totalMs = performance.now() - started;
  return { ...answer, timing };
}

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== api.runtime.id || typeof message !== "object" || message === null) {
    return false;
  }
  if (message.type === "page-request") {
    onPageRequest(message, sender)
      .then(sendResponse, (e) => sendResponse(refusal("INTERNAL", `extension fault: ${e.message}`)))
      .finally(closeAnswered);
    return true;
  }
  const answer = onPinMessage(message, sender);
  if (answer !== null) {
    sendResponse(answer);
  }
  return false;
});
