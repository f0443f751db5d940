import { describe, expect, it } from 'vitest';
import { bodyKind, jsonLeaves, multipartLeaves, protobufLeaves } from './body-structure.js';
import { pbDoubleField, pbField, pbVarintField } from '../test-support/synthetic-traffic.js';

const text = (leaves: { label: string; bytes: Uint8Array }[]) => leaves.map((l) => `${l.label}=${Buffer.from(l.bytes).toString()}`);

describe('body structure', () => {
  it('labels JSON leaves with paths, including JSON nested in strings', () => {
    const leaves = text(jsonLeaves(JSON.stringify({ a: { 'b-c': [1, 'x'] }, env: JSON.stringify({ imei: '3582' }) })));
    expect(leaves).toEqual(expect.arrayContaining(['json:$.a["b-c"][0]=1', 'json:$.a["b-c"][1]=x', 'json:$.env.imei=3582']));
  });

  it('walks nested protobuf messages down to their strings and doubles', () => {
    const body = Buffer.concat([pbVarintField(1, 300), pbField(2, Buffer.concat([pbField(1, Buffer.from('android')), pbField(7, Buffer.from('did-123'))])), pbDoubleField(3, 39.9042)]);
    expect(text(protobufLeaves(body))).toEqual(['protobuf:2.1=android', 'protobuf:2.7=did-123', 'protobuf:3=39.9042']);
  });

  it('gives no protobuf leaves for bytes that are not protobuf', () => {
    expect(protobufLeaves(Buffer.from([0x0a, 0xff, 0xff, 0xff]))).toEqual([]);
  });

  it('splits multipart parts by name', () => {
    const body = Buffer.from('--B\r\nContent-Disposition: form-data; name="a"\r\n\r\none\r\n--B\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\n\r\ntwo\r\n--B--\r\n');
    expect(text(multipartLeaves(body, 'multipart/form-data; boundary=B'))).toEqual(['multipart:a=one', 'multipart:f=two']);
  });

  it('guesses the kind of a body without a content type', () => {
    expect(bodyKind(undefined, Buffer.from(' {"a":1}'))).toBe('json');
    expect(bodyKind(undefined, Buffer.from('a=1&b=2'))).toBe('form');
    expect(bodyKind('application/octet-stream', pbField(1, Buffer.from('x')))).toBe('protobuf');
    expect(bodyKind('text/plain', Buffer.from('hello'))).toBe('other');
  });
});
