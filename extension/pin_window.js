// The PIN window (pin.html): opened for one page request with the requesting origin and the
// tries left, brought to the front on the page's request, and the only place a PIN is typed.
// Its answer (the PIN, the last-try confirmation) goes back to background.js, which sends it to
// the bridge and forgets it. Closing the window, Cancel or the timeout refuse the request.
// @ts-check
"use strict";

globalThis.MYNA_PIN_WINDOW = (() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const { refusal } = MYNA_RULES;

  /**
   * @typedef {{ resolve: (answer: PinAnswer) => void, origin: string, triesLeft: number,
   *   lang: "ja" | "en", windowId: number | null, timer: ReturnType<typeof setTimeout> | undefined }} PinRequest
   */
  /** @type {Map<string, PinRequest>} */
  const pinRequests = new Map();

  /** PIN windows to close once the page has its answer. */
  /** @type {Set<number>} */
  const closeAfterAnswer = new Set();

  /** @param {number} windowId */
  function closeWindow(windowId) {
    api.windows.remove(windowId).catch(() => {});
  }

  /**
   * Ends a PIN request. A window with an answer stays open (saying that the card is being read)
   * until the page has its answer: closing a window keeps the browser busy for some 15 ms, which
   * would otherwise delay the bridge's reply (BENCHMARKS.md).
   * @param {string} token
   * @param {PinAnswer} outcome
   */
  function finishPin(token, outcome) {
    const entry = pinRequests.get(token);
    if (!entry) {
      return;
    }
    pinRequests.delete(token);
    clearTimeout(entry.timer);
    if (entry.windowId !== null) {
      if (!outcome.error) {
        closeAfterAnswer.add(entry.windowId);
      } else {
        closeWindow(entry.windowId);
      }
    }
    entry.resolve(outcome);
  }

  /**
   * Opens the PIN window; resolves with `{ pin, confirmLastTry }` or `{ error }` (TIMEOUT after
   * `timeoutMs`).
   * @param {string} origin
   * @param {number} triesLeft
   * @param {"ja" | "en"} lang
   * @param {number} timeoutMs
   * @returns {Promise<PinAnswer>}
   */
  function askPin(origin, triesLeft, lang, timeoutMs) {
    const token = crypto.randomUUID();
    return new Promise((resolve) => {
      /** @type {PinRequest} */
      const entry = { resolve, origin, triesLeft, lang, windowId: null, timer: undefined };
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
            if (created?.id === undefined) {
              finishPin(token, refusal("INTERNAL", "the PIN window has no id"));
            } else if (pinRequests.has(token)) {
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
            finishPin(
              token,
              refusal("INTERNAL", `the PIN window cannot open: ${e instanceof Error ? e.message : String(e)}`),
            );
          },
        );
    });
  }

  /** Brings a window to the front and focuses it (the platform may only flash it). */
  /** @param {number} windowId */
  function raise(windowId) {
    api.windows.update(windowId, { focused: true, drawAttention: true }).catch(() => {});
  }

  /** The page's 「パスワード入力画面を表示」: its own request's PIN window, to the front. */
  /**
   * @param {string} origin
   * @returns {{ result: { shown: true } } | Refusal}
   */
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

  /** @param {Sender} sender */
  function fromPinWindow(sender) {
    return sender.id === api.runtime.id && sender.url?.startsWith(api.runtime.getURL("pin.html"));
  }

  /**
   * The PIN window's messages; `null` for a message that is not the PIN window's.
   * @param {PinMessage} message
   * @param {Sender} sender
   * @returns {object | null}
   */
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

  /** Closes the windows whose answer the page now has. */
  function closeAnswered() {
    for (const windowId of closeAfterAnswer) {
      closeWindow(windowId);
    }
    closeAfterAnswer.clear();
  }

  return Object.freeze({ askPin, showPinWindow, onPinMessage, closeAnswered });
})();
