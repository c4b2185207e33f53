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

declare var MYNA_RULES: Readonly<{
  refusal(code: ErrorCode, message: string, triesLeft?: number): Refusal;
  senderOrigin(sender: Sender): string | null;
  cardProblem(status: StatusResult): Refusal | null;
  versionProblem(theirs: unknown, ours: number): "bridge" | "extension" | null;
  pinDigits(typed: string): string;
  pinReady(pin: string, lastTry: boolean, confirmed: boolean): boolean;
}>;

// The contract's error codes (`protocol::ErrorCode`; tests/tests/manifest.rs checks that this
// union and the enum name the same codes).
type ErrorCode =
  | "EXTENSION_UNAVAILABLE"
  | "BRIDGE_UNAVAILABLE"
  | "VERSION_MISMATCH"
  | "ORIGIN_NOT_ALLOWED"
  | "INVALID_REQUEST"
  | "NO_PCSC_SERVICE"
  | "NO_READER"
  | "NO_CARD"
  | "CARD_REMOVED"
  | "NOT_MYNUMBER_CARD"
  | "READER_IN_USE"
  | "PIN_FORMAT"
  | "PIN_INCORRECT"
  | "PIN_BLOCKED"
  | "PIN_LAST_TRY"
  | "USER_CANCELLED"
  | "TIMEOUT"
  | "INTERNAL";

/** `protocol::ErrorBody` as the page receives it. */
interface ErrorBody {
  code: ErrorCode;
  message: string;
  triesLeft?: number;
  update?: "bridge" | "extension";
}

interface Refusal {
  error: ErrorBody;
}

/** `protocol::bridge::ReaderStatus`. */
interface ReaderStatus {
  name: string;
  card: "absent" | "jpki" | "other" | "inUse";
}

/** `protocol::bridge::StatusResult`. */
interface StatusResult {
  readers?: ReaderStatus[];
  authPinTriesLeft?: number | null;
  reader?: string | null;
}

/** The fields of `runtime.MessageSender` the origin rule reads. */
interface Sender {
  id?: string;
  tab?: object;
  frameId?: number;
  origin?: string;
  url?: string;
}

/** A bridge request (`protocol::bridge::Request`): the command and its fields. */
interface BridgeRequest {
  command: "hello" | "status" | "prepare" | "release" | "diagnose" | "authenticate" | "presence";
  [field: string]: unknown;
}

/** A bridge reply: `{ id, result }` or `{ id, error }` (`protocol::bridge::Reply`). */
type BridgeReply = { id?: number | null; result: any; error?: undefined } | { id?: number | null; error: ErrorBody; result?: undefined };

/** The PIN window's answer: the PIN and the last-try confirmation, or why there is none. */
type PinAnswer = { pin: string; confirmLastTry: boolean; error?: undefined } | Refusal;

/** A message from the PIN window to the background. */
interface PinMessage {
  type: "pin-hello" | "pin-cancel" | "pin-answer";
  token: string;
  pin?: unknown;
  confirmLastTry?: unknown;
}

/** A page's request, as the content script relays it. */
interface PageRequestMessage {
  type: "page-request";
  action: string;
  nonce?: string;
  lang: "ja" | "en";
  reader?: string;
  events?: number;
}

/** The milliseconds an answer to the page reports (BENCHMARKS.md). */
interface Timing {
  totalMs: number;
  userMs: number;
  bridgeMs: number;
  afterOkMs?: number;
}

// native.js: the port to the bridge.
declare var MYNA_NATIVE: Readonly<{
  bridge(body: BridgeRequest, timeoutMs: number): Promise<BridgeReply>;
}>;

// pin_window.js: the PIN window.
declare var MYNA_PIN_WINDOW: Readonly<{
  askPin(origin: string, triesLeft: number, lang: "ja" | "en", timeoutMs: number): Promise<PinAnswer>;
  showPinWindow(origin: string): { result: { shown: true } } | Refusal;
  onPinMessage(message: PinMessage, sender: Sender): object | null;
  closeAnswered(): void;
}>;

declare var MYNA_TEXTS: Record<"ja" | "en", Record<string, any>>;
