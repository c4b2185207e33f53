// The content script: the page's door to the extension (docs/contract.md, "page ⇄ extension").
//
// It marks the page (`data-myna-helper` on <html>), and relays only `{ myna: "request" }`
// messages that this very window posted: an acknowledgement at once, then the background's
// answer, both to the page's origin. It forwards the action, the nonce, the language and
// `presence`'s reader and card-event count —
// never an origin (the background takes it from the browser) and never a PIN (the page has none).
// @ts-check
"use strict";

(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  document.documentElement.dataset.mynaHelper = api.runtime.getManifest().version;

  window.addEventListener("message", (event) => {
    if (event.source !== window) {
      return;
    }
    const message = event.data;
    if (typeof message !== "object" || message === null || message.myna !== "request") {
      return;
    }
    const id = message.id;
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      return;
    }
    const origin = event.origin;
    const post = (/** @type {object} */ body) => window.postMessage({ myna: "response", id, ...body }, origin);
    window.postMessage({ myna: "ack", id }, origin);
    const request = {
      type: "page-request",
      action: typeof message.action === "string" ? message.action : "",
      nonce: typeof message.nonce === "string" ? message.nonce : undefined,
      lang: message.lang === "en" ? "en" : "ja",
      reader: typeof message.reader === "string" ? message.reader : undefined,
      events: typeof message.events === "number" ? message.events : undefined,
    };
    let sent;
    try {
      sent = api.runtime.sendMessage(request);
    } catch {
      // The extension was updated or reloaded under this page.
      post({
        ok: false,
        error: { code: "EXTENSION_UNAVAILABLE", message: "reload the page: the extension changed" },
      });
      return;
    }
    Promise.resolve(sent).then(
      (answer) => {
        const timing = answer?.timing;
        if (answer && answer.error) {
          post({ ok: false, error: answer.error, timing });
        } else if (answer && "result" in answer) {
          post({ ok: true, result: answer.result, timing });
        } else {
          post({ ok: false, error: { code: "INTERNAL", message: "no answer from the extension" } });
        }
      },
      (e) =>
        post({
          ok: false,
          error: { code: "EXTENSION_UNAVAILABLE", message: `the extension cannot answer: ${e.message}` },
        }),
    );
  });
})();
