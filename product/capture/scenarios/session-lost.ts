/**
 * Whether a scenario stopped because the UI automation session died under it (the device's or
 * Appium's failure, which the farm retries on another device) rather than because of the app.
 * Decided from the error's structure, as webdriver reports it: a request that never got an
 * answer carries a socket error `code`; an answer carries the W3C error `name`. The one message
 * read is the UiAutomator2 server's own wording for its crashed instrumentation, which it sends
 * as a generic "unknown error" with no more specific name.
 */
const LOST_SESSION_NAMES = new Set(['invalid session id', 'session not created']);
const LOST_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT']);
const UIA2_SERVER_GONE = 'instrumentation process is not running';

export function automationSessionLost(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const e = current as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.name === 'string' && LOST_SESSION_NAMES.has(e.name)) return true;
    if (typeof e.code === 'string' && LOST_CONNECTION_CODES.has(e.code)) return true;
    if (e.name === 'unknown error' && typeof e.message === 'string' && e.message.includes(UIA2_SERVER_GONE)) return true;
    current = e.cause;
  }
  return false;
}
