// Builds each Frida agent (agents/src/<name>.agent.ts) into one self-contained JS bundle in
// agents/dist/ with esbuild. The build is pinned (exact esbuild version in the lockfile) and
// reproducible: no timestamps, no absolute paths, sorted inputs.
import { build } from 'esbuild';
import { readdirSync, existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'agents', 'src');
const outDir = join(root, 'agents', 'dist');
if (!existsSync(srcDir)) process.exit(0);
mkdirSync(outDir, { recursive: true });
const entries = readdirSync(srcDir).filter((f) => f.endsWith('.agent.ts')).sort();
for (const entry of entries) {
  await build({
    entryPoints: [join(srcDir, entry)],
    outfile: join(outDir, entry.replace(/\.agent\.ts$/, '.js')),
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2020',
    legalComments: 'none',
    sourcemap: false,
    absWorkingDir: root,
    logLevel: 'warning',
  });
}
console.log(`agents: built ${entries.length} bundle(s) into agents/dist/`);
