// The globals the extension's classic scripts share (config.js, rules.js, messages.js), and
// Firefox's `browser` namespace, for `tsc -p extension` (type checking only; never shipped).

declare var importScripts: ((...urls: string[]) => void) | undefined;

declare var MYNA: Readonly<{
  PORTAL_ORIGINS: readonly string[];
  HOST_NAME: string;
  PROTOCOL: number;
  STATUS_TIMEOUT_MS: number;
  AUTHENTICATE_TIMEOUT_MS: number;
  PIN_TIMEOUT_MS: number;
}>;

// ErrorBody, Refusal, ReaderStatus, StatusResult and Sender are rules.js's JSDoc typedefs.
declare var MYNA_RULES: Readonly<{
  refusal(code: string, message: string, triesLeft?: number): Refusal;
  senderOrigin(sender: Sender): string | null;
  cardProblem(status: StatusResult): Refusal | null;
  versionProblem(theirs: unknown, ours: number): "bridge" | "extension" | null;
  pinDigits(typed: string): string;
  pinReady(pin: string, lastTry: boolean, confirmed: boolean): boolean;
}>;

// native.js: the port to the bridge. A reply is `{ result }` or `{ error }`.
declare var MYNA_NATIVE: Readonly<{
  bridge(body: { command: string } & Record<string, unknown>, timeoutMs: number): Promise<any>;
}>;

// pin_window.js: the PIN window.
declare var MYNA_PIN_WINDOW: Readonly<{
  askPin(origin: string, triesLeft: number, lang: string, timeoutMs: number): Promise<any>;
  showPinWindow(origin: string): any;
  onPinMessage(message: any, sender: Sender): any;
  closeAnswered(): void;
}>;

declare var MYNA_TEXTS: Record<"ja" | "en", Record<string, any>>;
