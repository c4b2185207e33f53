// The PIN window's texts, Japanese (the leaflets' wording) and English. The window follows the
// language of the page that asked, not the browser's.
// @ts-check
"use strict";

globalThis.MYNA_TEXTS = Object.freeze({
  ja: {
    title: "マイナンバーカードのパスワード",
    origin: "要求元",
    triesLeft: "パスワードの残り回数",
    tries: (/** @type {number} */ n) => `${n}回`,
    pinLabel: "利用者証明用電子証明書のパスワード（数字4桁）",
    show: "パスワードを表示する",
    lastTry:
      "パスワードの残り回数が1回です。次に間違えるとロックされ、住民票登録のある市区町村の窓口でしか解除できません。",
    confirmLastTry: "残り1回であることを確認しました",
    ok: "OK",
    cancel: "キャンセル",
    pinFormat: "パスワードは数字4桁で入力してください。",
    needConfirm: "残り1回であることを確認してください。",
    note: "パスワードは3回連続して間違えるとロックがかかります。パスワードはこの画面でだけ入力してください。",
    delete: "1文字消す",
    clear: "消去",
    gone: "この要求は終了しました。この画面を閉じてください。",
    reading: "マイナンバーカードを読み取っています。カードを動かさないでください。",
  },
  en: {
    title: "My Number Card PIN",
    origin: "Requested by",
    triesLeft: "PIN tries left",
    tries: (/** @type {number} */ n) => `${n}`,
    pinLabel: "PIN of the user-authentication certificate (4 digits)",
    show: "Show the PIN",
    lastTry:
      "Only 1 try is left. If this PIN is wrong, the card is locked and only the municipal office where you are registered can unlock it.",
    confirmLastTry: "I understand that only 1 try is left",
    ok: "OK",
    cancel: "Cancel",
    pinFormat: "The PIN is 4 digits.",
    needConfirm: "Please confirm that only 1 try is left.",
    note: "Three wrong PINs in a row lock the card. Type the PIN only in this window.",
    delete: "Delete",
    clear: "Clear",
    gone: "This request has ended. Please close this window.",
    reading: "Reading your My Number Card. Please do not move the card.",
  },
});
