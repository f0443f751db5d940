import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface TempDirs {
  /** The one folder under os.tmpdir() this test file owns; removed with everything in it after the file's tests. */
  readonly root: string;
  /** A fresh, empty folder inside root (tests that need isolation from each other take one each). */
  make(name?: string): string;
}

/**
 * One temp root per test file, removed in afterAll, so a CI box that runs the suite many times a
 * day does not fill /tmp. Call it at the top level of a test file, not inside a test: vitest only
 * accepts afterAll hooks while it collects the file. The root is created on first use because
 * vitest runs no hooks for a file whose tests are all skipped (a missing tool), and an eager root
 * would then be left behind.
 */
export function tempDirs(prefix: string): TempDirs {
  let root: string | undefined;
  const ensureRoot = (): string => (root ??= mkdtempSync(join(tmpdir(), `${prefix}-`)));
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  return {
    get root() {
      return ensureRoot();
    },
    make: (name = 'd') => mkdtempSync(join(ensureRoot(), `${name}-`)),
  };
}
