import { describe, expect, it } from 'vitest';
import { AxmlError, parseAxml } from './axml.js';
import { DexFormatError, dexClassNames, readDexHeader } from './dex.js';
import { manifestFacts } from './manifest.js';
import { withArchive } from './index.js';
import { apktoolAvailable, buildTestApk, patchBytes } from './test-support/index.js';

const haveApktool = await apktoolAvailable();

describe.skipIf(!haveApktool)('binary manifest reader', () => {
  it('names android: attributes by resource id, as Android does, when a packer blanks their strings', async () => {
    const apk = await buildTestApk({ packageName: 'com.consentry.fixture.packed', versionCode: 77, versionName: '7.7', minSdk: 26 });
    const manifest = await withArchive(apk, (a) => a.read('AndroidManifest.xml', 1 << 20));
    let packed = manifest;
    for (const name of ['versionCode', 'versionName', 'minSdkVersion']) {
      const enc = manifest.includes(Buffer.from(name, 'utf16le')) ? 'utf16le' : 'utf8';
      packed = patchBytes(packed, Buffer.from(name, enc), Buffer.from('x'.repeat(name.length), enc));
    }
    const facts = manifestFacts(packed, apk);
    expect(facts).toMatchObject({ packageName: 'com.consentry.fixture.packed', versionCode: 77, versionName: '7.7', minSdk: 26 });
  });
});

describe('binary XML bounds', () => {
  const doc = (body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(0x0003, 0);
    head.writeUInt16LE(8, 2);
    head.writeUInt32LE(8 + body.length, 4);
    return Buffer.concat([head, body]);
  };

  it('refuses a document that claims more bytes than it has', () => {
    const buf = doc(Buffer.alloc(0));
    buf.writeUInt32LE(1 << 30, 4);
    expect(() => parseAxml(buf)).toThrow(AxmlError);
  });

  it('refuses a chunk that runs past the document', () => {
    const chunk = Buffer.alloc(8);
    chunk.writeUInt16LE(0x0102, 0);
    chunk.writeUInt16LE(8, 2);
    chunk.writeUInt32LE(4096, 4);
    expect(() => parseAxml(doc(chunk))).toThrow(/bad chunk 0x102 \(header 8, size 4096\) at byte 8/);
  });

  it('refuses an element before any string pool', () => {
    const chunk = Buffer.alloc(36);
    chunk.writeUInt16LE(0x0102, 0);
    chunk.writeUInt16LE(16, 2);
    chunk.writeUInt32LE(36, 4);
    expect(() => parseAxml(doc(chunk))).toThrow(/element before the string pool/);
  });
});

describe('DEX header bounds', () => {
  const header = () => {
    const buf = Buffer.alloc(0x70);
    buf.write('dex\n035\0', 0, 'latin1');
    buf.writeUInt32LE(0x70, 0x20);
    buf.writeUInt32LE(0x70, 0x24);
    buf.writeUInt32LE(0x12345678, 0x28);
    return buf;
  };

  it('an empty DEX defines no classes', () => {
    expect(dexClassNames(header())).toEqual([]);
    expect(readDexHeader(header()).version).toBe('035');
  });

  it('refuses bad magic, short files and tables outside the file', () => {
    expect(() => dexClassNames(Buffer.from('PK\u0003\u0004 not a dex'))).toThrow(DexFormatError);
    const badMagic = header();
    badMagic.write('dey', 0, 'latin1');
    expect(() => dexClassNames(badMagic)).toThrow(/bad magic/);
    const classes = header();
    classes.writeUInt32LE(1_000_000, 0x60);
    classes.writeUInt32LE(0x70, 0x64);
    expect(() => dexClassNames(classes)).toThrow(/class_defs: 1000000 items at offset 112 do not fit in 112 bytes/);
  });

  it('refuses a class that names a type outside type_ids', () => {
    const buf = Buffer.concat([header(), Buffer.alloc(32)]);
    buf.writeUInt32LE(1, 0x60);
    buf.writeUInt32LE(0x70, 0x64);
    buf.writeUInt32LE(5, 0x70);
    expect(() => dexClassNames(buf)).toThrow(/class_defs\[0\] names type 5 of 0/);
  });
});
