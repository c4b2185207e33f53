// The PIN window: the only place a PIN is typed. It shows who asks (the origin the browser
// reported) and the tries left, accepts exactly 4 digits (keyboard or the on-screen pad), asks
// for an explicit confirmation at 1 try left, and hands the PIN to the background once. Cancel,
// Escape or closing the window → USER_CANCELLED; the background's timer → TIMEOUT.
// @ts-check
"use strict";

(async () => {
  const api = globalThis.browser ?? globalThis.chrome;
  const token = location.hash.slice(1);
  /**
   * The element with `id`; the window's HTML has every one it asks for.
   * @param {string} id
   * @returns {HTMLElement}
   */
  const $ = (id) => {
    const element = document.getElementById(id);
    if (element === null) {
      throw new Error(`pin.html has no #${id}`);
    }
    return element;
  };
  const pin = /** @type {HTMLInputElement} */ ($("pin"));
  const ok = /** @type {HTMLButtonElement} */ ($("ok"));
  const error = $("pin-error");
  const confirm = /** @type {HTMLInputElement} */ ($("confirm"));

  const info = await api.runtime.sendMessage({ type: "pin-hello", token });
  const lang = info?.lang === "en" ? "en" : "ja";
  const texts = MYNA_TEXTS[lang];
  document.documentElement.lang = lang;
  document.title = texts.title;
  for (const element of document.querySelectorAll("[data-text]")) {
    element.textContent = texts[/** @type {HTMLElement} */ (element).dataset.text ?? ""];
  }
  if (!info || info.gone) {
    $("form").hidden = true;
    error.textContent = texts.gone;
    return;
  }
  $("origin").textContent = info.origin;
  $("tries").textContent = texts.tries(info.triesLeft);
  const lastTry = info.triesLeft === 1;
  $("last-try").hidden = !lastTry;
  $("confirm-row").hidden = !lastTry;

  const { pinDigits, pinReady } = MYNA_RULES;
  const valid = () => pinReady(pin.value, lastTry, confirm.checked);
  const refresh = () => {
    ok.disabled = !valid();
    if (pin.value !== "" && !/^[0-9]{0,4}$/.test(pin.value)) {
      error.textContent = texts.pinFormat;
    } else {
      error.textContent = "";
    }
  };
  pin.addEventListener("input", () => {
    // Digits only: full-width digits become ASCII, anything else is dropped.
    pin.value = pinDigits(pin.value);
    refresh();
  });
  confirm.addEventListener("change", refresh);
  // Digits typed (or filled in) while the window was still asking the background for its
  // request came before the listener: take them as if typed now, or OK would stay disabled
  // over four digits.
  pin.dispatchEvent(new Event("input"));
  $("show").addEventListener("change", (event) => {
    pin.type = /** @type {HTMLInputElement} */ (event.target).checked ? "text" : "password";
  });

  const pad = $("pad");
  pad.setAttribute("aria-label", texts.pinLabel);
  for (const key of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "delete"]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "key";
    button.textContent = texts[key] ?? key;
    button.addEventListener("click", () => {
      if (key === "clear") {
        pin.value = "";
      } else if (key === "delete") {
        pin.value = pin.value.slice(0, -1);
      } else if (pin.value.length < 4) {
        pin.value += key;
      }
      refresh();
      pin.focus();
    });
    pad.append(button);
  }

  const cancel = () => api.runtime.sendMessage({ type: "pin-cancel", token });
  $("cancel").addEventListener("click", cancel);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      cancel();
    }
  });
  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!pinReady(pin.value, false, false)) {
      error.textContent = texts.pinFormat;
      return;
    }
    if (lastTry && !confirm.checked) {
      error.textContent = texts.needConfirm;
      return;
    }
    const answer = { type: "pin-answer", token, pin: pin.value, confirmLastTry: confirm.checked };
    pin.value = "";
    for (const control of document.querySelectorAll("button, input")) {
      /** @type {HTMLButtonElement | HTMLInputElement} */ (control).disabled = true;
    }
    error.textContent = "";
    $("reading").hidden = false;
    await api.runtime.sendMessage(answer);
  });
  pin.focus();
})();
