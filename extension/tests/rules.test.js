// Unit tests of the extension's pure rules (extension/rules.js) and of its settings
// (extension/config.js), loaded as the browser loads them: classic scripts in one global scope.
// Run with `node --test extension/tests/rules.test.js` (`cargo xtask test` does).
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const test = require("node:test");
const vm = require("node:vm");

/** A fresh global scope with config.js and rules.js run in it, as the background has them. */
function load() {
  const context = vm.createContext({ URL });
  for (const file of ["config.js", "rules.js"]) {
    const source = fs.readFileSync(path.join(__dirname, "..", file), "utf8");
    vm.runInContext(source, context, { filename: file });
  }
  return { rules: context.MYNA_RULES, config: context.MYNA };
}

const { rules, config } = load();

test("the origin is the browser's, for a tab's top frame only", () => {
  const tab = { id: 1 };
  assert.equal(
    rules.senderOrigin({ tab, frameId: 0, origin: "https://myna.example" }),
    "https://myna.example",
  );
  // Without `origin` (older Firefox): from the URL, never from the page's word.
  assert.equal(
    rules.senderOrigin({ tab, frameId: 0, url: "https://myna.example/insurance/apply?x=1" }),
    "https://myna.example",
  );
  // A sandboxed frame's opaque origin falls back to the URL.
  assert.equal(
    rules.senderOrigin({ tab, frameId: 0, origin: "null", url: "http://127.0.0.1:8080/" }),
    "http://127.0.0.1:8080",
  );
  assert.equal(rules.senderOrigin({ tab, frameId: 3, origin: "https://myna.example" }), null);
  assert.equal(rules.senderOrigin({ frameId: 0, origin: "https://myna.example" }), null);
  assert.equal(rules.senderOrigin({ tab, frameId: 0, url: "not a url" }), null);
  assert.equal(rules.senderOrigin({ tab, frameId: 0 }), null);
});

test("card problems are known before the PIN window opens", () => {
  const code = (status) => rules.cardProblem(status)?.error.code ?? null;
  const reader = (card) => ({ name: `r-${card}`, card });
  assert.equal(code({ readers: [] }), "NO_READER");
  assert.equal(code({}), "NO_READER");
  assert.equal(code({ readers: [reader("absent")] }), "NO_CARD");
  // Another card beside a free reader: the My Number Card goes on the free one.
  assert.equal(code({ readers: [reader("other"), reader("absent")] }), "NO_CARD");
  assert.equal(code({ readers: [reader("other")] }), "NOT_MYNUMBER_CARD");
  assert.equal(code({ readers: [reader("other"), reader("inUse")] }), "READER_IN_USE");
  const blocked = rules.cardProblem({ readers: [reader("jpki")], authPinTriesLeft: 0 });
  // Through JSON: the object comes from the scripts' own realm.
  assert.deepEqual(JSON.parse(JSON.stringify(blocked)), {
    error: { code: "PIN_BLOCKED", message: "the PIN is blocked", triesLeft: 0 },
  });
  for (const tries of [1, 2, 3, null, undefined]) {
    assert.equal(code({ readers: [reader("jpki")], authPinTriesLeft: tries }), null, `${tries}`);
  }
  // A My Number Card anywhere is enough, whatever the other readers hold.
  assert.equal(code({ readers: [reader("inUse"), reader("jpki")], authPinTriesLeft: 3 }), null);
});

test("the older side is the one to update", () => {
  assert.equal(rules.versionProblem(2, 2), null);
  assert.equal(rules.versionProblem(1, 2), "bridge");
  assert.equal(rules.versionProblem(3, 2), "extension");
  // A bridge that names no version (before the handshake had one) is older.
  for (const missing of [undefined, null, "2", {}]) {
    assert.equal(rules.versionProblem(missing, 2), "bridge", String(missing));
  }
});

test("the PIN field keeps at most four ASCII digits", () => {
  assert.equal(rules.pinDigits("1234"), "1234");
  assert.equal(rules.pinDigits("１２３４"), "1234");
  assert.equal(rules.pinDigits("12a3-4"), "1234");
  assert.equal(rules.pinDigits("123456"), "1234");
  assert.equal(rules.pinDigits("٣"), "");
  assert.equal(rules.pinDigits(""), "");
});

test("OK needs four digits, and at the last try the confirmation", () => {
  assert.equal(rules.pinReady("1234", false, false), true);
  assert.equal(rules.pinReady("123", false, false), false);
  assert.equal(rules.pinReady("12345", false, false), false);
  assert.equal(rules.pinReady("１２３４", false, false), false);
  assert.equal(rules.pinReady("1234", true, false), false);
  assert.equal(rules.pinReady("1234", true, true), true);
});

test("the settings are frozen and well formed", () => {
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.PORTAL_ORIGINS));
  for (const origin of config.PORTAL_ORIGINS) {
    assert.equal(new URL(origin).origin, origin);
    assert.ok(origin.startsWith("https://"), origin);
  }
  // The PIN window gives up before the bridge lets the held card go (`CARD_HOLD_MS`, 130 s;
  // agreement with protocol's constants is checked by tests/tests/manifest.rs).
  assert.ok(config.PIN_TIMEOUT_MS < 130000);
});
