import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found from this file whether it runs from source (product/core) or from the
 * build (dist/product/core). Built-in scenarios, device profiles and catalogues are read from
 * here, so consentry works from any working directory. (The lab's sample apps are the lab's to
 * find: lab/sample-apps/index.ts.)
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'product'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('consentry: cannot find the package root');
}

export const PACKAGE_ROOT = findPackageRoot();

export const builtIn = {
  scenarios: join(PACKAGE_ROOT, 'product', 'builtin', 'scenarios'),
  deviceProfiles: join(PACKAGE_ROOT, 'product', 'builtin', 'device-profiles'),
  agentsDist: join(PACKAGE_ROOT, 'tooling', 'agents', 'dist'),
  catalogue: join(PACKAGE_ROOT, 'product', 'evidence', 'catalogue'),
  contracts: join(PACKAGE_ROOT, 'product', 'contracts'),
  appiumHome: join(PACKAGE_ROOT, '.appium'),
} as const;

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
