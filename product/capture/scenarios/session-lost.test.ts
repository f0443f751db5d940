import { describe, expect, it } from 'vitest';
import { automationSessionLost } from './session-lost.js';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('automationSessionLost', () => {
  it('is true for a dead session or connection, by the error structure webdriver gives', () => {
    expect(automationSessionLost(named('invalid session id'))).toBe(true);
    expect(automationSessionLost(Object.assign(new Error('Request failed with error code ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(automationSessionLost(new Error('wrapped', { cause: Object.assign(new Error('socket'), { code: 'UND_ERR_SOCKET' }) }))).toBe(true);
    expect(automationSessionLost(named('unknown error', 'cannot be proxied to UiAutomator2 server because the instrumentation process is not running'))).toBe(true);
  });

  it('is false for the app\'s own failures, whatever their text says', () => {
    expect(automationSessionLost(named('no such element'))).toBe(false);
    expect(automationSessionLost(new Error('the privacy dialog stayed after pressing "同意" twice: session terminated? ECONNREFUSED'))).toBe(false);
    expect(automationSessionLost(named('unknown error', 'an ordinary server-side failure'))).toBe(false);
    expect(automationSessionLost(undefined)).toBe(false);
  });
});
