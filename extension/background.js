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
// One native port is kept open (a `hello` handshake first, then requests matched by `id`); when
// the bridge goes away, the pending requests fail with BRIDGE_UNAVAILABLE and the next request
// connects again.
// @ts-check
"use strict";

if (typeof importScripts === "function") {
  // Chromium's service worker; Firefox loads these first from the manifest.
  importScripts("config.js", "rules.js");
}

const api = globalThis.browser ?? globalThis.chrome;

const { refusal, senderOrigin, cardProblem, versionProblem } = MYNA_RULES;

// ---- development settings ----------------------------------------------------------------

let devSettings = null;

/** `dev.json` beside the manifest (development only): `{ "origins": [...], "pinTimeoutMs"? }`. */
async function development() {
  if (devSettings === null) {
    try {
      const response = await fetch(api.runtime.getURL("dev.json"));
      devSettings = response.ok ? await response.json() : {};
    } catch {
      devSettings = {};
    }
  }
  return devSettings;
}

async function originAllowed(origin) {
  if (MYNA.PORTAL_ORIGINS.includes(origin)) {
    return true;
  }
  const origins = (await development()).origins;
  return Array.isArray(origins) && origins.includes(origin);
}

// ---- the bridge ----------------------------------------------------------------------------

let port = null;
let handshake = null;
let nextId = 1;
const waiting = new Map();

function failAll(body) {
  for (const resolve of waiting.values()) {
    resolve(body);
  }
  waiting.clear();
}

function onHostMessage(message) {
  const resolve = waiting.get(message?.id);
  if (resolve) {
    waiting.delete(message.id);
    resolve(message);
  }
}

/** Sends one request on the open port; resolves with `{ result }` or `{ error }`. */
function exchange(body, timeoutMs) {
  return new Promise((resolve) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      if (waiting.delete(id)) {
        resolve(refusal("TIMEOUT", "the helper program did not answer in time"));
      }
    }, timeoutMs);
    waiting.set(id, (reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    try {
      port.postMessage({ id, ...body });
    } catch (e) {
      waiting.delete(id);
      clearTimeout(timer);
      resolve(refusal("BRIDGE_UNAVAILABLE", `the helper program cannot be reached: ${e.message}`));
    }
  });
}

/** The open, version-checked port: `{ result }` of `hello`, or `{ error }`. */
function connect() {
  if (handshake) {
    return handshake;
  }
  handshake = (async () => {
    try {
      port = api.runtime.connectNative(MYNA.HOST_NAME);
    } catch (e) {
      port = null;
      return refusal("BRIDGE_UNAVAILABLE", `the helper program is not installed: ${e.message}`);
    }
    const opened = port;
    opened.onMessage.addListener(onHostMessage);
    opened.onDisconnect.addListener((disconnected) => {
      const why =
        api.runtime.lastError?.message ??
        // Firefox names the reason on the port.
        /** @type {chrome.runtime.Port & { error?: Error }} */ (disconnected)?.error?.message ??
        "the helper program stopped";
      if (port === opened) {
        port = null;
        handshake = null;
      }
      failAll(refusal("BRIDGE_UNAVAILABLE", `the helper program is not available: ${why}`));
    });
    const hello = await exchange({ command: "hello" }, MYNA.STATUS_TIMEOUT_MS);
    if (hello.error) {
      return hello;
    }
    const theirs = hello.result?.protocol;
    const outdated = versionProblem(theirs, MYNA.PROTOCOL);
    if (outdated) {
      const bridgeIsOlder = outdated === "bridge";
      const mismatch = refusal(
        "VERSION_MISMATCH",
        `the helper program ${hello.result?.version ?? "?"} speaks protocol ${theirs}, ` +
          `this extension ${api.runtime.getManifest().version} speaks ${MYNA.PROTOCOL}: ` +
          `update ${bridgeIsOlder ? "the helper program" : "this extension"}`,
      );
      // Which part to update, for the page's message (`protocol::ErrorBody::update`).
      mismatch.error.update = outdated;
      return mismatch;
    }
    return hello;
  })();
  // A failed handshake is not kept: the next request tries again (the user may have installed
  // the bridge meanwhile).
  handshake.then((outcome) => {
    if (outcome.error && port === null) {
      handshake = null;
    }
  });
  return handshake;
}

async function bridge(body, timeoutMs) {
  const ready = await connect();
  if (ready.error) {
    if (ready.error.code === "VERSION_MISMATCH") {
      handshake = null;
      try {
        port?.disconnect();
      } catch {
        // already gone
      }
      port = null;
    }
    return ready;
  }
  const reply = await exchange(body, timeoutMs);
  return reply.error ? { error: reply.error } : { result: reply.result };
}

// ---- the PIN window ------------------------------------------------------------------------

const pinRequests = new Map();

/** PIN windows to close once the page has its answer. */
const closeAfterAnswer = new Set();

function closeWindow(windowId) {
  api.windows.remove(windowId).catch(() => {});
}

/**
 * Ends a PIN request. A window with an answer stays open (saying that the card is being read)
 * until the page has its answer: closing a window keeps the browser busy for some 15 ms, which
 * would otherwise delay the bridge's reply (BENCHMARKS.md).
 */
function finishPin(token, outcome) {
  const entry = pinRequests.get(token);
  if (!entry) {
    return;
  }
  pinRequests.delete(token);
  clearTimeout(entry.timer);
  if (entry.windowId !== null) {
    if (outcome.pin !== undefined) {
      closeAfterAnswer.add(entry.windowId);
    } else {
      closeWindow(entry.windowId);
    }
  }
  entry.resolve(outcome);
}

/** Opens the PIN window; resolves with `{ pin, confirmLastTry }` or `{ error }`. */
async function askPin(origin, triesLeft, lang) {
  const token = crypto.randomUUID();
  const timeoutMs = (await development()).pinTimeoutMs ?? MYNA.PIN_TIMEOUT_MS;
  return new Promise((resolve) => {
    const entry = { resolve, origin, triesLeft, lang, windowId: null, timer: null };
    pinRequests.set(token, entry);
    entry.timer = setTimeout(
      () => finishPin(token, refusal("TIMEOUT", "no PIN was entered in time")),
      timeoutMs,
    );
    api.windows
      .create({
        url: api.runtime.getURL(`pin.html#${token}`),
        type: "popup",
        width: 440,
        height: 640,
        focused: true,
      })
      .then(
        (created) => {
          if (pinRequests.has(token)) {
            entry.windowId = created.id;
            // In front even over a full-screen browser window, where `focused` at creation
            // is not always honoured.
            raise(created.id);
          } else {
            api.windows.remove(created.id).catch(() => {});
          }
        },
        (e) => {
          console.error("myna: PIN window", e);
          finishPin(token, refusal("INTERNAL", `the PIN window cannot open: ${e.message}`));
        },
      );
  });
}

/** Brings a window to the front and focuses it (the platform may only flash it). */
function raise(windowId) {
  api.windows.update(windowId, { focused: true, drawAttention: true }).catch(() => {});
}

/** The page's 「パスワード入力画面を表示」: its own request's PIN window, to the front. */
function showPinWindow(origin) {
  for (const entry of pinRequests.values()) {
    if (entry.origin === origin && entry.windowId !== null) {
      raise(entry.windowId);
      return { result: { shown: true } };
    }
  }
  return refusal("INVALID_REQUEST", "no PIN window is open for this page");
}

api.windows.onRemoved.addListener((windowId) => {
  for (const [token, entry] of pinRequests) {
    if (entry.windowId === windowId) {
      entry.windowId = null;
      finishPin(token, refusal("USER_CANCELLED", "the PIN window was closed"));
    }
  }
});

function fromPinWindow(sender) {
  return sender.id === api.runtime.id && sender.url?.startsWith(api.runtime.getURL("pin.html"));
}

function onPinMessage(message, sender) {
  if (!fromPinWindow(sender)) {
    return null;
  }
  const entry = pinRequests.get(message.token);
  if (!entry) {
    return { gone: true };
  }
  switch (message.type) {
    case "pin-hello":
      return { origin: entry.origin, triesLeft: entry.triesLeft, lang: entry.lang };
    case "pin-cancel":
      finishPin(message.token, refusal("USER_CANCELLED", "the user cancelled the PIN window"));
      return { done: true };
    case "pin-answer": {
      if (typeof message.pin !== "string" || !/^[0-9]{4}$/.test(message.pin)) {
        return { done: false };
      }
      const confirmLastTry = message.confirmLastTry === true;
      if (entry.triesLeft === 1 && !confirmLastTry) {
        return { done: false };
      }
      finishPin(message.token, { pin: message.pin, confirmLastTry });
      return { done: true };
    }
    default:
      return null;
  }
}

// ---- requests from pages -------------------------------------------------------------------

/** `bridge` with its round trip added to `timing.bridgeMs`. */
async function timedBridge(body, timeoutMs, timing) {
  const started = performance.now();
  const reply = await bridge(body, timeoutMs);
  timing.bridgeMs += performance.now() - started;
  return reply;
}

/**
 * Lets the card held by `prepare` go. Not awaited: the page's answer does not wait for it, and
 * its answer does not matter (the hold also expires).
 */
function release(timing) {
  timedBridge({ command: "release" }, MYNA.STATUS_TIMEOUT_MS, timing).catch(() => {});
}

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
  console.info("myna: PIN window for", origin);
  const asked = performance.now();
  const answer = await askPin(origin, status.result.authPinTriesLeft, request.lang);
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
 */
async function diagnose(timing) {
  const extension = api.runtime.getManifest().version;
  const reply = await timedBridge({ command: "diagnose" }, MYNA.STATUS_TIMEOUT_MS, timing);
  return reply.error
    ? { result: { extension, bridge: null, bridgeError: reply.error } }
    : { result: { extension, bridge: reply.result, bridgeError: null } };
}

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
    default:
      return refusal("INVALID_REQUEST", "unknown action");
  }
}

/**
 * A page's request. The answer carries `timing` (milliseconds: here in all, waiting for the
 * user in the PIN window, the bridge's round trips, and from the PIN window's answer to here
 * `afterOkMs`), which BENCHMARKS.md uses to split the end-to-end time; the page ignores it.
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
      .finally(() => {
        for (const windowId of closeAfterAnswer) {
          closeWindow(windowId);
        }
        closeAfterAnswer.clear();
      });
    return true;
  }
  const answer = onPinMessage(message, sender);
  if (answer !== null) {
    sendResponse(answer);
  }
  return false;
});
