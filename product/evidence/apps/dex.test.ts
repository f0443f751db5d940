import { describe, expect, it } from 'vitest';
import { dexClassNames } from './dex.js';

/**
 * A DEX with just what class listing reads: header, string_ids, type_ids, class_defs and the
 * string data (uleb128 UTF-16 length, MUTF-8 bytes, NUL), one class per descriptor.
 */
function dexWithClasses(descriptors: string[]): Buffer {
  const n = descriptors.length;
  const stringIdsOff = 0x70;
  const typeIdsOff = stringIdsOff + 4 * n;
  const classDefsOff = typeIdsOff + 4 * n;
  let dataOff = classDefsOff + 32 * n;
  const data: Buffer[] = [];
  const head = Buffer.alloc(dataOff);
  head.write('dex\n035\0', 0, 'latin1');
  head.writeUInt32LE(0x12345678, 0x28);
  head.writeUInt32LE(n, 0x38);
  head.writeUInt32LE(stringIdsOff, 0x3c);
  head.writeUInt32LE(n, 0x40);
  head.writeUInt32LE(typeIdsOff, 0x44);
  head.writeUInt32LE(n, 0x60);
  head.writeUInt32LE(classDefsOff, 0x64);
  descriptors.forEach((d, i) => {
    const bytes = Buffer.from(d, 'utf8');
    const item = Buffer.concat([uleb128(d.length), bytes, Buffer.from([0])]);
    head.writeUInt32LE(dataOff, stringIdsOff + 4 * i);
    head.writeUInt32LE(i, typeIdsOff + 4 * i);
    // class_defs in reverse order: names come out in class_defs order, not string order.
    head.writeUInt32LE(n - 1 - i, classDefsOff + 32 * i);
    data.push(item);
    dataOff += item.length;
  });
  const buf = Buffer.concat([head, ...data]);
  buf.writeUInt32LE(buf.length, 0x20);
  return buf;
}

function uleb128(value: number): Buffer {
  const out: number[] = [];
  for (let v = value; ; v >>>= 7) {
    if (v < 0x80) return Buffer.from([...out, v]);
    out.push((v & 0x7f) | 0x80);
  }
}

describe('DEX class names', () => {
  it('turns descriptors into dotted names, inner classes and non-ASCII names included', () => {
    const descriptors = ['Lcom/umeng/analytics/MobclickAgent;', 'Lcom/example/Outer$Inner$1;', 'Lcn/例子/Ünïcode类;', 'LTopLevel;', 'La;'];
    expect(dexClassNames(dexWithClasses(descriptors))).toEqual(
      ['a', 'TopLevel', 'cn.例子.Ünïcode类', 'com.example.Outer$Inner$1', 'com.umeng.analytics.MobclickAgent'],
    );
  });

  it('keeps a descriptor that is not a class type as it is', () => {
    expect(dexClassNames(dexWithClasses(['[Lcom/example/Foo;', 'I']))).toEqual(['I', '[Lcom/example/Foo;']);
  });

  it('decodes a long name after a short one without leftovers from the previous name', () => {
    const long = `Lcom/${'x'.repeat(300)}/Long;`;
    expect(dexClassNames(dexWithClasses(['La/B;', long, 'Lc/D;']))).toEqual(['c.D', `com.${'x'.repeat(300)}.Long`, 'a.B']);
  });
});
