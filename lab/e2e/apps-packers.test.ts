import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppFacts } from '../../product/evidence/apps/index.js';
import { apktoolAvailable, buildTestApk } from '../../product/evidence/apps/test-support/index.js';
import { flow, hookEvent, marker, T0, writeTestBundle } from '../../product/evidence/bundle/test-support/factories.js';
import { BUNDLE_FILES, FindingsDoc } from '../../product/contracts/bundle-schema.js';
import { EXIT } from '../../product/core/errors.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';

/**
 * A packed app as a user meets it: `consentry inspect` says so before anything else and the
 * JSON carries it; a run bundle holding that JSON as static.json is analysed with the caveat
 * as a note, its verdict unchanged.
 */
const work = mkdtempSync(join(tmpdir(), 'consentry-packers-e2e-'));
const config = join(work, 'consentry.config.yaml');
writeFileSync(config, 'logLevel: silent\n');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function consentry(args: string[]) {
  return runProcess(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'product/cli/main.ts'), '-c', config, ...args], {
    cwd: PACKAGE_ROOT,
    timeoutMs: 120_000,
    okCodes: [0, 1, 2, 3, 4, 5, 70],
  });
}

const haveApktool = await apktoolAvailable();
if (!haveApktool) console.warn('apktool is not installed (tooling/scripts/setup.sh installs it): packed-app CLI tests are skipped');

const JIAGU_APP = {
  packageName: 'com.consentry.fixture.jiagucli',
  applicationClass: 'com.stub.StubApp',
  components: [{ kind: 'activity' as const, name: '.Main', launcher: true, exported: true }],
  permissions: ['android.permission.INTERNET'],
  nativeLibs: { 'arm64-v8a': ['libjiagu_a64.so'], 'armeabi-v7a': ['libjiagu.so'] },
};

describe.skipIf(!haveApktool)('consentry inspect / analyze on a packed app', () => {
  it('inspect prints the packer first, with its evidence and what it hides', async () => {
    const apk = await buildTestApk(JIAGU_APP);
    const res = await consentry(['inspect', apk]);
    expect(res.code).toBe(EXIT.ok);
    const out = res.stdout;
    const packed = out.indexOf('PACKED: 360 Jiagu (360加固保)');
    expect(packed).toBeGreaterThan(0);
    // Before the facts table, the permissions and the SDK list it qualifies.
    expect(packed).toBeLessThan(out.indexOf('min / target SDK'));
    expect(packed).toBeLessThan(out.indexOf('Permissions:'));
    expect(out).toContain("the DEX in this APK is a protector's shell; SDKs loaded from its encrypted payload are not listed");
    expect(out).toContain('lib/arm64-v8a/libjiagu_a64.so');
    expect(out).toContain('lib/armeabi-v7a/libjiagu.so');
    expect(out).toMatch(/application class\s+com\.stub\.StubApp/);
    expect(out).toMatch(/Third-party SDKs: 0 \(INCOMPLETE: the app is packed, see above\)/);
  });

  it('--json carries the packers and the caveat; analyze keeps the verdict and notes the caveat', async () => {
    const apk = await buildTestApk(JIAGU_APP);
    const res = await consentry(['inspect', apk, '--json']);
    expect(res.code).toBe(EXIT.ok);
    const facts = AppFacts.parse(JSON.parse(res.stdout));
    expect(facts.packers.map((p) => p.id)).toEqual(['qihoo-jiagu']);
    expect(facts.packers[0]!.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(['application-class', 'native-library', 'dex-class']));
    expect(facts.sdkCaveat).toMatch(/protector's shell/);

    const dir = await writeTestBundle(work, {
      markers: [marker('app.launch', T0), marker('consent.shown', T0 + 700), marker('consent.accepted', T0 + 4000)],
      events: [hookEvent('location', T0 + 6000, { stack: ['android.location.LocationManager.getLastKnownLocation(LocationManager.java:1)', 'com.example.app.Map.locate(Map.java:4)'] })],
      flows: [flow('https://api.example.com/weather?city=bj', T0 + 6500)],
    });
    writeFileSync(join(dir, BUNDLE_FILES.staticFacts), res.stdout);
    const policy = join(PACKAGE_ROOT, 'product', 'judge', 'policy', 'fixtures', 'double-list.yaml');
    const analysed = await consentry(['analyze', dir, '--declared', policy, '--json']);
    expect(analysed.code).toBe(EXIT.ok);
    const doc = FindingsDoc.parse(JSON.parse(analysed.stdout));
    expect(doc.verdict).toBe('pass');
    expect(doc.reasons).toEqual([expect.stringMatching(/^the app is packed by 360 Jiagu \(360加固保\): its static SDK list covers only the protector's shell/)]);

    const human = await consentry(['analyze', dir, '--declared', policy]);
    expect(human.stdout).toMatch(/note: the app is packed by 360 Jiagu/);
  });
});
