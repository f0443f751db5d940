// Builds each Frida agent (tooling/agents/src/<name>.agent.ts) into one self-contained JS bundle in
// tooling/agents/dist/ with esbuild. The build is pinned (exact esbuild version in the lockfile) and
// reproducible: no timestamps, no absolute paths, sorted inputs.
//
// The Java bridge: agents import "#java". The default bundle (<name>.js) reads the runtime's
// global `Java` (Frida ≤ 16, the Frida REPL, and the virtual device). Frida 17 no longer puts
// `Java` in the runtime; where the frida-java-bridge package is installed we also build
// <name>.frida17.js with the bridge bundled in. It is not a dependency of this project today.
import { build } from 'esbuild';
import { readdirSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcDir = join(root, 'tooling', 'agents', 'src');
const outDir = join(root, 'tooling', 'agents', 'dist');
if (!existsSync(srcDir)) process.exit(0);
mkdirSync(outDir, { recursive: true });

function bridgePackage() {
  try {
    return createRequire(join(root, 'package.json')).resolve('frida-java-bridge');
  } catch {
    return undefined;
  }
}

const javaImport = (target) => ({
  name: 'java-bridge',
  setup(b) {
    b.onResolve({ filter: /^#java$/ }, () => ({ path: target }));
  },
});

const variants = [{ suffix: '.js', java: join(srcDir, 'lib', 'java-global.ts') }];
const bridge = bridgePackage();
if (bridge) variants.push({ suffix: '.frida17.js', java: bridge });

const entries = readdirSync(srcDir).filter((f) => f.endsWith('.agent.ts')).sort();
for (const entry of entries) {
  for (const variant of variants) {
    const result = await build({
      entryPoints: [join(srcDir, entry)],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'neutral',
      target: 'es2020',
      legalComments: 'none',
      sourcemap: false,
      absWorkingDir: root,
      logLevel: 'warning',
      plugins: [javaImport(variant.java)],
    });
    // Written to a temp file and renamed: tests that load a bundle never see half of one.
    const outfile = join(outDir, entry.replace(/\.agent\.ts$/, variant.suffix));
    const tmp = `${outfile}.tmp-${process.pid}`;
    writeFileSync(tmp, result.outputFiles[0].contents);
    renameSync(tmp, outfile);
  }
}
console.log(`agents: built ${entries.length} bundle(s) into tooling/agents/dist/${bridge ? ' (with frida17 variants)' : ''}`);
