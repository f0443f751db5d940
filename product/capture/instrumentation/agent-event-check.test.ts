import { describe, expect, it } from 'vitest';
import { checkAgentEvent } from './agent-event-check.js';
import { AgentEvent } from '../../contracts/agent-messages.js';

/**
 * The hand-written check against the zod schema it replaces on the hot path: the same samples,
 * valid and invalid, must get the same verdict and, when valid, the same value.
 */

const VALID = {
  dataType: 'android-id',
  api: 'android.provider.Settings$Secure.getString',
  overload: '(android.content.ContentResolver, java.lang.String)',
  args: ['<ContentResolver>', 'android_id'],
  ret: '9774d56d682e549c',
  outcome: { kind: 'returned' },
  tWall: 1_750_000_000_123,
  monotonicNs: '123456789012345678901',
  thread: 'umeng-init',
  stack: ['com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidID(DeviceConfig.java:1)'],
  permissions: ['android.permission.READ_PHONE_STATE'],
  sampled: { count: 3, windowMs: 1000 },
  lifecycle: { state: 'foreground', component: 'com.example.MainActivity' },
};
const MINIMAL = { dataType: 'lifecycle', api: 'a', args: [], outcome: { kind: 'threw', error: 'java.lang.SecurityException: no' }, tWall: 0, stack: [] };

type Sample = [string, unknown];
const without = (key: string): Record<string, unknown> => Object.fromEntries(Object.entries(VALID).filter(([k]) => k !== key));
const withField = (key: string, value: unknown) => ({ ...VALID, [key]: value });

const samples: Sample[] = [
  ['every field', VALID],
  ['the minimal event', MINIMAL],
  ['every other data type', { ...MINIMAL, dataType: 'tls-bypass' }],
  ['permission-request', { ...MINIMAL, dataType: 'permission-request' }],
  ['unknown keys, top and nested', { ...VALID, extra: 1, outcome: { kind: 'returned', extra: true }, sampled: { count: 1, windowMs: 0.5, x: 1 }, lifecycle: { state: 'created', component: '', y: 2 } }],
  ['strings at their limits', { ...MINIMAL, api: 'x'.repeat(500), overload: 'o'.repeat(500), ret: 'r'.repeat(16_384), thread: 't'.repeat(200), args: Array.from({ length: 64 }, () => 'a'.repeat(4096)), stack: Array.from({ length: 200 }, () => 's'.repeat(1000)), permissions: Array.from({ length: 64 }, () => 'p'.repeat(300)) }],
  ['non-ASCII text', { ...MINIMAL, api: '同意.方法', args: ['日本語', '😀'.repeat(2048)] }],
  ['explicitly undefined optionals', { ...MINIMAL, overload: undefined, ret: undefined, thread: undefined, monotonicNs: undefined, sampled: undefined, lifecycle: undefined, permissions: undefined }],
  ['a fractional time', { ...MINIMAL, tWall: 1.5 }],
  ['an interned stack', { ...without('stack'), stackId: 0 }],
  ['an interned stack of a large id', { ...without('stack'), stackId: 2 ** 53 - 1 }],
  ['an interned stack, explicitly no inline stack', { ...without('stack'), stack: undefined, stackId: 3 }],
  // Invalid.
  ['null', null],
  ['a string', 'event'],
  ['an array', [VALID]],
  ['an unknown data type', withField('dataType', 'not-a-type')],
  ['a data type of the wrong case', withField('dataType', 'ANDROID-ID')],
  ['no data type', without('dataType')],
  ['an empty api', withField('api', '')],
  ['an api too long', withField('api', 'x'.repeat(501))],
  ['a numeric api', withField('api', 5)],
  ['an overload too long', withField('overload', 'o'.repeat(501))],
  ['a null overload', withField('overload', null)],
  ['no args', without('args')],
  ['args not an array', withField('args', 'a')],
  ['args of numbers', withField('args', [1])],
  ['an arg too long', withField('args', ['a'.repeat(4097)])],
  ['too many args', withField('args', Array.from({ length: 65 }, () => 'a'))],
  ['a ret too long', withField('ret', 'r'.repeat(16_385))],
  ['a numeric ret', withField('ret', 42)],
  ['no outcome', without('outcome')],
  ['an outcome of the wrong kind', withField('outcome', { kind: 'crashed' })],
  ['an outcome that is a string', withField('outcome', 'returned')],
  ['an outcome that is an array', withField('outcome', ['returned'])],
  ['an outcome error too long', withField('outcome', { kind: 'threw', error: 'e'.repeat(1001) })],
  ['an outcome error that is not text', withField('outcome', { kind: 'threw', error: {} })],
  ['no time', without('tWall')],
  ['a negative time', withField('tWall', -1)],
  ['a time that is text', withField('tWall', '1750000000000')],
  ['a NaN time', withField('tWall', Number.NaN)],
  ['an infinite time', withField('tWall', Number.POSITIVE_INFINITY)],
  ['a monotonic clock that is a number', withField('monotonicNs', 12)],
  ['a monotonic clock with a sign', withField('monotonicNs', '-12')],
  ['an empty monotonic clock', withField('monotonicNs', '')],
  ['a thread too long', withField('thread', 't'.repeat(201))],
  ['no stack', without('stack')],
  ['a stack frame too long', withField('stack', ['s'.repeat(1001)])],
  ['too many frames', withField('stack', Array.from({ length: 201 }, () => 's'))],
  ['a stack with null', withField('stack', [null])],
  ['both a stack and a stack id', withField('stackId', 1)],
  ['neither stack nor stack id', { ...without('stack'), stackId: undefined }],
  ['a negative stack id', { ...without('stack'), stackId: -1 }],
  ['a fractional stack id', { ...without('stack'), stackId: 1.5 }],
  ['an unsafe stack id', { ...without('stack'), stackId: 2 ** 53 }],
  ['a stack id that is text', { ...without('stack'), stackId: '1' }],
  ['a NaN stack id', { ...without('stack'), stackId: Number.NaN }],
  ['a null stack id', { ...without('stack'), stackId: null }],
  ['permissions not an array', withField('permissions', 'android.permission.CAMERA')],
  ['too many permissions', withField('permissions', Array.from({ length: 65 }, () => 'p'))],
  ['a permission too long', withField('permissions', ['p'.repeat(301)])],
  ['a sampled count of zero', withField('sampled', { count: 0, windowMs: 1 })],
  ['a fractional sampled count', withField('sampled', { count: 1.5, windowMs: 1 })],
  ['an unsafe sampled count', withField('sampled', { count: 2 ** 53, windowMs: 1 })],
  ['a sampled window of zero', withField('sampled', { count: 1, windowMs: 0 })],
  ['a sampled window that is infinite', withField('sampled', { count: 1, windowMs: Number.POSITIVE_INFINITY })],
  ['sampled without a window', withField('sampled', { count: 1 })],
  ['sampled as null', withField('sampled', null)],
  ['an unknown lifecycle state', withField('lifecycle', { state: 'paused', component: 'x' })],
  ['a lifecycle component too long', withField('lifecycle', { state: 'created', component: 'c'.repeat(501) })],
  ['a lifecycle without component', withField('lifecycle', { state: 'created' })],
];

describe('checkAgentEvent agrees with the AgentEvent schema', () => {
  it.each(samples)('%s', (_name, sample) => {
    const reference = AgentEvent.safeParse(sample);
    const ours = checkAgentEvent(sample);
    expect(ours.ok).toBe(reference.success);
    if (ours.ok && reference.success) {
      expect(ours.event).toEqual(reference.data);
      // Exactly the same keys, so nothing the agent made up reaches the bundle.
      expect(JSON.stringify(ours.event)).toBe(JSON.stringify(reference.data));
    }
  });

  it('says which field is wrong', () => {
    expect(checkAgentEvent(withField('args', ['a'.repeat(4097)]))).toMatchObject({ ok: false, field: 'args[0]' });
    expect(checkAgentEvent(withField('outcome', { kind: 'x' }))).toMatchObject({ ok: false, field: 'outcome.kind' });
    expect(checkAgentEvent(null)).toMatchObject({ ok: false, field: '(event)' });
  });

  it('agrees on randomly damaged copies of a valid event', () => {
    // Deterministic pseudo-random damage: each field replaced by a value of another shape.
    const replacements: unknown[] = [undefined, null, 0, -1, 1.5, '', 'x', '123', [], ['x'], {}, { kind: 'returned' }, true, 2 ** 53];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const keys = [...Object.keys(VALID), 'stackId'];
    const verdicts = { accepted: 0, rejected: 0 };
    for (let i = 0; i < 2000; i += 1) {
      const sample: Record<string, unknown> = { ...VALID };
      for (let k = 0; k < 1 + next(3); k += 1) sample[keys[next(keys.length)]!] = replacements[next(replacements.length)];
      const reference = AgentEvent.safeParse(sample);
      const ours = checkAgentEvent(sample);
      expect(ours.ok, JSON.stringify(sample)).toBe(reference.success);
      if (ours.ok && reference.success) expect(JSON.stringify(ours.event)).toBe(JSON.stringify(reference.data));
      verdicts[ours.ok ? 'accepted' : 'rejected'] += 1;
    }
    // Both verdicts occur, so the comparison means something either way.
    expect(verdicts.accepted).toBeGreaterThan(50);
    expect(verdicts.rejected).toBeGreaterThan(50);
  });
});
