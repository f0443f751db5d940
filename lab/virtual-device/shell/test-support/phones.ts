import { afterEach } from 'vitest';
import { testShell } from './test-shell.js';

/**
 * For shell command tests: `phone()` gives a fresh test phone (testShell) that is disposed, with
 * its storage folder, after each test. Call at the top level of a test file.
 */
export function testPhones(): { phone(): ReturnType<typeof testShell> } {
  let made: ReturnType<typeof testShell>[] = [];
  afterEach(async () => {
    for (const t of made) await t.dispose();
    made = [];
  });
  return {
    phone() {
      const t = testShell();
      made.push(t);
      return t;
    },
  };
}
