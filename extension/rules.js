// The extension's pure rules, shared by the background and the PIN window and unit-tested with
// `node --test extension/tests/rules.test.js` (run by `cargo xtask test`): no browser API is used here, so the
// same file runs in a service worker, an event page, a window and Node.
// @ts-check
"use strict";

// The types (ErrorCode, ErrorBody, Refusal, ReaderStatus, StatusResult, Sender) are declared in
// tests/globals.d.ts, beside the `protocol` types they mirror.

globalThis.MYNA_RULES = Object.freeze({
  /**
   * A refusal with a contract code (`protocol::ErrorCode`).
   * @param {ErrorCode} code
   * @param {string} message
   * @param {number} [triesLeft]
   * @returns {Refusal}
   */
  refusal(code, message, triesLeft) {
    return triesLeft === undefined
      ? { error: { code, message } }
      : { error: { code, message, triesLeft } };
  },

  /**
   * The page's origin as the browser reports it: top-level frames of a tab only, never the
   * page's word.
   * @param {Sender} sender
   * @returns {string | null}
   */
  senderOrigin(sender) {
    if (!sender.tab || sender.frameId !== 0) {
      return null;
    }
    if (typeof sender.origin === "string" && sender.origin !== "null") {
      return sender.origin;
    }
    try {
      return new URL(sender.url ?? "").origin;
    } catch {
      return null;
    }
  },

  /**
   * What the card's state says before a PIN is asked, or null when it may be asked (the page's
   * verdict is the same: app/src/card.rs).
   * @param {StatusResult} status
   * @returns {Refusal | null}
   */
  cardProblem(status) {
    const { refusal } = globalThis.MYNA_RULES;
    const readers = status.readers ?? [];
    if (readers.length === 0) {
      return refusal("NO_READER", "no card reader is connected");
    }
    if (!readers.some((r) => r.card === "jpki")) {
      // Another card beside a free reader (a security key, a SIM slot): the My Number Card
      // goes on the free one.
      if (readers.some((r) => r.card === "absent")) {
        return refusal("NO_CARD", "no card is in the reader");
      }
      return readers.some((r) => r.card === "inUse")
        ? refusal("READER_IN_USE", "another program is using the card reader")
        : refusal("NOT_MYNUMBER_CARD", "the card in the reader is not a My Number Card");
    }
    if (status.authPinTriesLeft === 0) {
      return refusal("PIN_BLOCKED", "the PIN is blocked", 0);
    }
    return null;
  },

  /**
   * Which part to update when the bridge speaks protocol `theirs` and this extension `ours`, or
   * null when they agree (`protocol::ErrorBody::update`). A bridge that says no version is older.
   * @param {unknown} theirs
   * @param {number} ours
   * @returns {"bridge" | "extension" | null}
   */
  versionProblem(theirs, ours) {
    if (theirs === ours) {
      return null;
    }
    return typeof theirs === "number" && theirs > ours ? "extension" : "bridge";
  },

  /**
   * What the PIN field keeps of what was typed: full-width digits become ASCII, anything else is
   * dropped, at most 4 digits.
   * @param {string} typed
   * @returns {string}
   */
  pinDigits(typed) {
    return typed
      .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
      .replace(/[^0-9]/g, "")
      .slice(0, 4);
  },

  /**
   * Whether OK may be pressed: exactly 4 digits, and at one try left the explicit confirmation.
   * @param {string} pin
   * @param {boolean} lastTry
   * @param {boolean} confirmed
   * @returns {boolean}
   */
  pinReady(pin, lastTry, confirmed) {
    return /^[0-9]{4}$/.test(pin) && (!lastTry || confirmed);
  },
});
