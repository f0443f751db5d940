import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, T0, writeTestBundle } from '../../evidence/bundle/test-support/factories.js';
import { BUNDLE_FILES } from '../../contracts/bundle-schema.js';
import { readPolicyFile } from '../policy/index.js';
import { analyzeBundle } from './analyze-bundle.js';
import { APP_STACK } from './test-support/rule-harness.js';
import { staticCaveats } from './verdict.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

const temp = tempDirs('consentry-static-caveats');
const root = () => temp.make();
const declarations = () => readPolicyFile(join(import.meta.dirname, '..', 'policy', 'fixtures', 'double-list.yaml'));

/** The part of a packed app's static.json (consentry inspect --json) that matters here. */
const PACKED = {
  manifest: { packageName: 'com.example.packed' },
  sdks: [],
  packers: [{ id: 'qihoo-jiagu', name: '360 Jiagu (360加固保)', vendor: 'Qihoo 360', evidence: [{ kind: 'application-class', value: 'com.stub.StubApp' }] }],
  sdkCaveat: "the DEX in this APK is a protector's shell; SDKs loaded from its encrypted payload are not listed",
};

/** A run with nothing to find: prompt first, collection after acceptance, all declared. */
async function compliantBundle(staticFacts: unknown): Promise<string> {
  const dir = await writeTestBundle(root(), {
    markers: [marker('app.launch', T0), marker('consent.shown', T0 + 700), marker('consent.accepted', T0 + 4000)],
    events: [hookEvent('location', T0 + 6000, { stack: APP_STACK })],
    flows: [flow('https://api.example.com/weather?city=bj', T0 + 6500)],
  });
  if (staticFacts !== undefined) writeFileSync(join(dir, BUNDLE_FILES.staticFacts), JSON.stringify(staticFacts));
  return dir;
}

describe('static caveats', () => {
  it('a packed app gets a caveat naming the protector', () => {
    const [caveat, ...rest] = staticCaveats(PACKED);
    expect(rest).toEqual([]);
    expect(caveat).toMatch(/^the app is packed by 360 Jiagu \(360加固保\): its static SDK list covers only the protector's shell/);
    expect(caveat).toMatch(/runtime evidence \(API hooks, traffic\) still counts/);
  });

  it('no caveat without packers, for facts from before packers were detected, or for garbage', () => {
    expect(staticCaveats({ ...PACKED, packers: [] })).toEqual([]);
    expect(staticCaveats({ manifest: PACKED.manifest, sdks: [] })).toEqual([]);
    expect(staticCaveats(undefined)).toEqual([]);
    expect(staticCaveats({ packers: 'yes' })).toEqual([]);
  });

  it('analysis of a packed app carries the caveat as a note and keeps the verdict', async () => {
    const packed = await analyzeBundle(await compliantBundle(PACKED), { declarations: declarations(), analysedAt: 1, write: false });
    expect(packed.doc.verdict).toBe('pass');
    expect(packed.doc.reasons).toEqual(staticCaveats(PACKED));

    const plain = await analyzeBundle(await compliantBundle({ ...PACKED, packers: [] }), { declarations: declarations(), analysedAt: 1, write: false });
    expect(plain.doc.verdict).toBe('pass');
    expect(plain.doc.reasons).toEqual([]);
  });

  it('the caveat sits after the reasons that make a run inconclusive, which still decide', async () => {
    // The compliant run without its traffic, and nothing proving the capture path: nothing found, but traffic was not seen.
    const dir = await writeTestBundle(root(), {
      run: { coverage: { instrumentation: 'active' } },
      markers: [marker('app.launch', T0), marker('consent.shown', T0 + 700), marker('consent.accepted', T0 + 4000)],
      events: [hookEvent('location', T0 + 6000, { stack: APP_STACK })],
    });
    writeFileSync(join(dir, BUNDLE_FILES.staticFacts), JSON.stringify(PACKED));
    const { doc } = await analyzeBundle(dir, { declarations: declarations(), analysedAt: 1, write: false });
    expect(doc.verdict).toBe('inconclusive');
    expect(doc.reasons).toEqual(['no network traffic was captured', staticCaveats(PACKED)[0]]);
  });
});
