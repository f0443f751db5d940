import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found from this file whether it runs from source (harness/core) or from the
 * build (dist/harness/core). Built-in scenarios, device profiles, catalogues and sample apps
 * are read from here, so consentry works from any working directory.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'harness'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('consentry: cannot find the package root');
}

export const PACKAGE_ROOT = findPackageRoot();

export const builtIn = {
  scenarios: join(PACKAGE_ROOT, 'scenarios'),
  deviceProfiles: join(PACKAGE_ROOT, 'device-profiles'),
  agentsDist: join(PACKAGE_ROOT, 'agents', 'dist'),
  catalogue: join(PACKAGE_ROOT, 'harness', 'catalogue'),
  sampleApps: join(PACKAGE_ROOT, 'harness', 'virtual-device', 'sample-apps'),
  appiumHome: join(PACKAGE_ROOT, '.appium'),
} as const;

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
