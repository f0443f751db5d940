import { describe, expect, it } from 'vitest';
import { loadPackerCatalogue } from '../catalogue/packer-catalogue.js';
import type { ManifestFacts } from './facts-schema.js';
import { PackerScan } from './packer-scan.js';

const catalogue = loadPackerCatalogue();

interface Input {
  applicationClass?: string;
  components?: string[];
  entries?: string[];
  classes?: string[];
}

function scan(input: Input) {
  const s = new PackerScan(catalogue);
  const components = (input.components ?? []).map(
    (name): ManifestFacts['components'][number] => ({ kind: 'activity', name, exported: false, exportedSource: 'default', intentFilters: 0, enabled: true }),
  );
  s.addManifest({ ...(input.applicationClass ? { applicationClass: input.applicationClass } : {}), components });
  s.addEntries((input.entries ?? []).map((name) => ({ name })));
  for (const c of input.classes ?? []) s.addClass(c);
  return s.result();
}

describe('PackerScan', () => {
  it('reports Jiagu from its application class alone, with the evidence', () => {
    expect(scan({ applicationClass: 'com.stub.StubApp' })).toEqual([
      { id: 'qihoo-jiagu', name: '360 Jiagu (360加固保)', vendor: expect.any(String), evidence: [{ kind: 'application-class', value: 'com.stub.StubApp' }] },
    ]);
  });

  it('reports Jiagu from one of its libraries, per ABI or shipped in assets', () => {
    for (const entry of ['lib/arm64-v8a/libjiagu_a64.so', 'lib/x86/libjiagu_x86.so', 'assets/libjiagu.so', 'assets/libjiagu_a64.so']) {
      const [hit] = scan({ entries: [entry] });
      expect(hit?.id, entry).toBe('qihoo-jiagu');
      expect(hit?.evidence).toEqual([{ kind: entry.startsWith('lib/') ? 'native-library' : 'asset', value: entry }]);
    }
  });

  it('needs two weak signatures: one asset or one stub package is not enough', () => {
    expect(scan({ entries: ['assets/ijiami.dat'] })).toEqual([]);
    expect(scan({ classes: ['com.shell.Helper'] })).toEqual([]);
    expect(scan({ entries: ['lib/armeabi-v7a/libexec.so'] })).toEqual([]);
    expect(scan({ entries: ['assets/ijiami.dat', 'lib/armeabi-v7a/libexec.so'] }).map((p) => p.id)).toEqual(['ijiami']);
    expect(scan({ entries: ['assets/ijiami.dat'], classes: ['com.shell.NativeApplication'] }).map((p) => p.id)).toEqual(['ijiami']);
  });

  it('counts a signature once however many names match it', () => {
    // Two Yidun libraries (two ABIs) are one signature of weight 1: still not the packer.
    expect(scan({ entries: ['lib/arm64-v8a/libnesec.so', 'lib/armeabi-v7a/libnesec.so'] })).toEqual([]);
    const [hit] = scan({ entries: ['lib/arm64-v8a/libnesec.so'], classes: ['com.netease.nis.wrapper.Entry', 'com.netease.nis.wrapper.MyJni'] });
    expect(hit?.id).toBe('netease-yidun');
    expect(hit?.evidence).toEqual([
      { kind: 'native-library', value: 'lib/arm64-v8a/libnesec.so' },
      // One class per package is shown (SdkScan hands packages over with their first class).
      { kind: 'dex-class', value: 'com.netease.nis.wrapper.Entry' },
    ]);
  });

  it('matches packages on whole segments, classes and components alike', () => {
    expect(scan({ applicationClass: 'com.stub.StubAppX' })).toEqual([]);
    expect(scan({ components: ['com.tencent.StubShellX.A'], classes: ['com.tencent.StubShellX.A'] })).toEqual([]);
    expect(scan({ components: ['com.tencent.StubShell.TxReceiver'], classes: ['com.tencent.StubShell.ZipUtil'] }).map((p) => p.id)).toEqual([
      'tencent-legu',
    ]);
  });

  it('never matches look-alike names', () => {
    const lookAlikes = [
      'lib/arm64-v8a/libjiagu_a64.so.bak',
      'lib/arm64-v8a/xlibjiagu.so',
      'lib/arm64-v8a/LIBJIAGU.SO',
      'lib/arm64-v8a/libjiagu.s',
      'lib/arm64-v8a/sub/libjiagu.so',
      'lib/libjiagu.so',
      'libjiagu.so',
      'res/raw/libjiagu.so',
      'assets/sub/libjiagu.so',
      'assets/libjiagu.so/inner',
      'assets/ijiami.dat.txt',
      'lib/arm64-v8a/lib\u200bjiagu.so',
      'lib/arm64-v8a/libDexHelper-x86.so.1',
      'lib/arm64-v8a/libddog.so~',
      'assets/ijm_lib/libexec.so',
      'assets/ijm_lib/a/b/libexec.so',
      'lib/arm64-v8a/libshella.so',
    ];
    expect(scan({ entries: lookAlikes, classes: ['com.stubx.StubApp', 'stub.StubApp', 'StubApp', 'com.Stub.StubApp'] })).toEqual([]);
  });

  it('ignores names with empty, . or .. segments (the zip reader refuses most of them anyway)', () => {
    const entries = ['lib/../libjiagu.so', 'lib/./libjiagu.so', 'lib//libjiagu.so', 'assets/../assets/ijiami.dat', 'assets/./libjiagu.so', 'assets//libjiagu.so', '../lib/x86/libjiagu.so'];
    expect(scan({ entries })).toEqual([]);
  });

  it('keeps the evidence bounded when ten thousand names match', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => `lib/arm64-v8a/libjiagu_${i}.so`);
    const [hit] = scan({ entries, classes: Array.from({ length: 10_000 }, (_, i) => `com.stub.p${i}.C`) });
    expect(hit?.id).toBe('qihoo-jiagu');
    expect(hit!.evidence.filter((e) => e.kind === 'native-library')).toHaveLength(3);
    expect(hit!.evidence.filter((e) => e.kind === 'dex-class')).toHaveLength(3);
  });

  it('keeps hostile names printable and short in the evidence', () => {
    const hostile = `assets/jiagu\u0007${'x'.repeat(180)}/../x`;
    expect(scan({ entries: [hostile] })).toEqual([]);
    const longLib = `lib/arm64-v8a/libjiagu${'\u0007'.repeat(3)}${'y'.repeat(300)}.so`;
    const [hit] = scan({ entries: [longLib], applicationClass: 'com.stub.StubApp' });
    const value = hit!.evidence.find((e) => e.kind === 'native-library')?.value;
    // 263 characters is past the longest name looked at: the library is not evidence.
    expect(value).toBeUndefined();
    const shortLib = 'lib/arm64-v8a/libjiagu\u0007\u001b.so';
    const [hit2] = scan({ entries: [shortLib] });
    expect(hit2?.evidence).toEqual([{ kind: 'native-library', value: 'lib/arm64-v8a/libjiagu??.so' }]);
  });

  it('reports every protector that reaches the threshold, strongest first', () => {
    const hits = scan({ applicationClass: 'com.secneo.apkwrapper.ApplicationWrapper', classes: ['com.secneo.apkwrapper.A'], entries: ['lib/x86/libddog.so'] });
    expect(hits.map((h) => h.id)).toEqual(['secneo-bangcle', 'naga']);
  });
});
