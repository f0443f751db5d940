import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsentryError } from '../../core/errors.js';
import { builtIn } from '../../core/paths.js';

export const PRIVACY_AGENT = 'privacy';

/**
 * The built agent bundle's source. Frida 17 runtimes have no global `Java`, so for them we need
 * the variant with frida-java-bridge bundled (<name>.frida17.js, built only where that package is
 * installed); older runtimes and the virtual device take <name>.js.
 */
export function readAgentBundle(name = PRIVACY_AGENT, options: { fridaMajor?: number; dir?: string } = {}): string {
  const dir = options.dir ?? builtIn.agentsDist;
  const candidates =
    options.fridaMajor !== undefined && options.fridaMajor >= 17 ? [`${name}.frida17.js`] : [`${name}.js`];
  for (const file of candidates) {
    const path = join(dir, file);
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  throw new ConsentryError(
    'AGENT_NOT_BUILT',
    options.fridaMajor !== undefined && options.fridaMajor >= 17
      ? `agent bundle ${candidates[0]} not found in ${dir}: Frida ${options.fridaMajor} needs frida-java-bridge bundled in; install it and run node tooling/scripts/build-agents.mjs`
      : `agent bundle ${candidates[0]} not found in ${dir}: run node tooling/scripts/build-agents.mjs (npm run build)`,
    { context: { dir, agent: name } },
  );
}
