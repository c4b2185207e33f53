// The native port to the bridge (the native-messaging host): one port kept open, a `hello`
// handshake first (the protocol versions must agree: VERSION_MISMATCH names the part to update),
// then requests matched by `id`, each under a deadline. When the bridge goes away, the pending
// requests fail with BRIDGE_UNAVAILABLE and the next request connects again. Loaded by
// background.js; nothing else talks to the bridge.
// @ts-check
"use strict";

globalThis.MYNA_NATIVE = (() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const { refusal, versionProblem } = MYNA_RULES;

  /** @type {chrome.runtime.Port | null} */
  let port = null;
  /** @type {Promise<BridgeReply> | null} */
  let handshake = null;
  let nextId = 1;
  /** @type {Map<number, (reply: BridgeReply) => void>} */
  const waiting = new Map();

  /** @param {Refusal} body */
  function failAll(body) {
    for (const resolve of waiting.values()) {
      resolve(body);
    }
    waiting.clear();
  }

  /** @param {BridgeReply} message */
  function onHostMessage(message) {
    const id = message?.id;
    const resolve = typeof id === "number" ? waiting.get(id) : undefined;
    if (resolve && typeof id === "number") {
      waiting.delete(id);
      resolve(message);
    }
  }

  /**
   * Sends one request on the open port; resolves with `{ result }` or `{ error }`.
   * @param {BridgeRequest} body
   * @param {number} timeoutMs
   * @returns {Promise<BridgeReply>}
   */
  function exchange(body, timeoutMs) {
    return new Promise((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        if (waiting.delete(id)) {
          resolve(refusal("TIMEOUT", "the bridge did not answer in time"));
        }
      }, timeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      try {
        if (port === null) {
          throw new Error("no port");
        }
        port.postMessage({ id, ...body });
      } catch (e) {
        waiting.delete(id);
        clearTimeout(timer);
        resolve(refusal("BRIDGE_UNAVAILABLE", `the bridge cannot be reached: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  /**
   * The open, version-checked port: `{ result }` of `hello`, or `{ error }`.
   * @returns {Promise<BridgeReply>}
   */
  function connect() {
    if (handshake) {
      return handshake;
    }
    handshake = (async () => {
      try {
        port = api.runtime.connectNative(MYNA.HOST_NAME);
      } catch (e) {
        port = null;
        return refusal("BRIDGE_UNAVAILABLE", `the bridge is not installed: ${e instanceof Error ? e.message : String(e)}`);
      }
      const opened = port;
      opened.onMessage.addListener(onHostMessage);
      opened.onDisconnect.addListener((disconnected) => {
        const why =
          api.runtime.lastError?.message ??
          // Firefox names the reason on the port.
          /** @type {chrome.runtime.Port & { error?: Error }} */ (disconnected)?.error?.message ??
          "the bridge stopped";
        if (port === opened) {
          port = null;
          handshake = null;
        }
        failAll(refusal("BRIDGE_UNAVAILABLE", `the bridge is not available: ${why}`));
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
          `the bridge ${hello.result?.version ?? "?"} speaks protocol ${theirs}, ` +
            `this extension ${api.runtime.getManifest().version} speaks ${MYNA.PROTOCOL}: ` +
            `update ${bridgeIsOlder ? "the bridge" : "this extension"}`,
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

  /**
   * One request to the bridge, connecting first when needed.
   * @param {BridgeRequest} body
   * @param {number} timeoutMs
   * @returns {Promise<BridgeReply>}
   */
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

  return Object.freeze({ bridge });
})();
