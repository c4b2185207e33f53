// ESLint's configuration for the extension (`cargo xtask test` copies it beside the pinned
// ESLint in the tools directory, where its imports resolve, and lints extension/ with it).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["**/node_modules/**"] },
  js.configs.recommended,
  {
    files: ["extension/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: {
        ...globals.browser,
        ...globals.webextensions,
        MYNA: "readonly",
        MYNA_RULES: "readonly",
        MYNA_NATIVE: "writable",
        MYNA_PIN_WINDOW: "writable",
        MYNA_TEXTS: "readonly",
        importScripts: "readonly",
      },
    },
    rules: {
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      strict: ["error", "global"],
    },
  },
  {
    files: ["extension/tests/**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
];
