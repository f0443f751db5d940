import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { declarationsFromText, declaredDataTypes, detectFormat, readPolicyFile, readPolicyFiles } from './index.js';
import { splitSentences } from './sentences.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

const temp = tempDirs('policy');

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const types = (d: { dataTypes: { dataType: string }[] }) => [...new Set(d.dataTypes.map((x) => x.dataType))].sort();

describe('sentences', () => {
  it('splits at Chinese and English punctuation and list items, keeping numbers and domains whole', () => {
    const s = splitSentences('我们收集位置信息。我们使用v2.0版本！\n1. 访问 www.umeng.com 查看；详情见下\nWe collect 1.5 MB. Then stop');
    expect(s.map((x) => x.text)).toEqual(['我们收集位置信息。', '我们使用v2.0版本！', '访问 www.umeng.com 查看；', '详情见下', 'We collect 1.5 MB.', 'Then stop']);
    expect(s[2]!.line).toBe(2);
  });
});

describe('policy text (zh)', () => {
  const d = readPolicyFile(fixture('policy-zh.txt'));

  it('extracts data types with the sentence that declared them', () => {
    expect(types(d)).toEqual(expect.arrayContaining(['location', 'device-model', 'os-info', 'android-id', 'advertising-id']));
    const loc = d.dataTypes.find((x) => x.dataType === 'location')!;
    expect(loc.evidence).toMatchObject({ source: 'policy-text', file: 'policy-zh.txt', line: 4 });
    expect(loc.evidence.text).toContain('获取您的位置信息');
  });

  it('records negations as negations, not declarations', () => {
    expect(d.negations.map((n) => n.dataType).sort()).toEqual(['call-log', 'contacts', 'device-id', 'sms']);
    expect(declaredDataTypes(d).has('contacts')).toBe(false);
    expect(d.negations.find((n) => n.dataType === 'contacts')!.cue).toBe('不会收集');
  });

  it('keeps a choice offered to the user ("您可以选择不提供") as a declaration', () => {
    expect(d.dataTypes.some((x) => x.dataType === 'location' && x.evidence.text.startsWith('您可以选择不提供'))).toBe(true);
  });

  it('marks umbrella terms as not specific', () => {
    const umbrella = d.dataTypes.find((x) => x.term === '设备信息');
    expect(umbrella?.specific).toBe(false);
    expect(declaredDataTypes(d, { acceptUmbrella: false }).has('serial')).toBe(false);
    expect(declaredDataTypes(d).has('serial')).toBe(true);
  });

  it('finds SDKs, recipients, purposes and the double-list mentions', () => {
    expect(d.sdks.map((s) => s.id)).toContain('umeng');
    // The vendor ships two catalogued products (analytics and share): naming it names both.
    expect(d.recipients.find((r) => r.name === '友盟同欣（北京）科技有限公司')?.sdkIds).toEqual(['umeng', 'umeng-share']);
    expect(d.purposes.map((p) => p.purpose)).toEqual(expect.arrayContaining(['analytics', 'security']));
    expect(d.lists.collection.present && d.lists.sharing.present).toBe(true);
  });
});

describe('policy text (en)', () => {
  it('handles negations scoped to their clause', () => {
    const d = declarationsFromText('We do not collect your contacts, SMS or call log, but we collect your location. You may choose not to share your location.', 'policy-text');
    expect(d.negations.map((n) => n.dataType).sort()).toEqual(['call-log', 'contacts', 'sms']);
    expect(types(d)).toEqual(['location']);
  });

  it('ignores ambiguous SDK aliases outside an SDK context', () => {
    expect(declarationsFromText('You can adjust your settings at any time. Adjust your notifications.').sdks).toEqual([]);
    expect(declarationsFromText('We use the Adjust SDK for attribution.').sdks.map((s) => s.id)).toEqual(['adjust']);
  });
});

describe('HTML', () => {
  it('reads prose and SDK tables, drops scripts, and resolves SDK names', () => {
    const d = readPolicyFile(fixture('policy-en.html'));
    expect(d.negations.map((n) => n.dataType).sort()).toEqual(['call-log', 'contacts', 'device-id', 'sms']);
    expect(d.sdks.filter((s) => s.evidence.source === 'sdk-table').map((s) => s.id)).toEqual(['firebase-analytics', 'appsflyer']);
    expect(d.sdks.find((s) => s.id === 'appsflyer')!.dataTypes.sort()).toEqual(['advertising-id', 'ip-address']);
    expect(d.lists.sharing.present).toBe(true);
    expect(types(d)).not.toContain('contacts');
  });

  it('reads Chinese SDK tables in both layouts, with negations inside cells', () => {
    const d = readPolicyFile(fixture('sdk-table-zh.html'));
    const byId = Object.fromEntries(d.sdks.map((s) => [s.id, s]));
    expect(Object.keys(byId).sort()).toEqual(['amap', 'jpush', 'pangle', 'tencent-bugly']);
    expect(byId.jpush!.vendor).toBe('深圳市和讯华谷信息技术有限公司');
    expect(byId.jpush!.dataTypes).toEqual(expect.arrayContaining(['device-id', 'android-id', 'installed-apps']));
    expect(byId.amap!.dataTypes).toEqual(expect.arrayContaining(['location', 'wifi-network', 'motion-sensors']));
    expect(byId['tencent-bugly']!.dataTypes).not.toContain('location');
    expect(byId.pangle!.dataTypes.sort()).toEqual(['advertising-id', 'device-model']);
    expect(byId.amap!.policyUrl).toBe('https://lbs.amap.com/pages/privacy/');
  });
});

describe('double list', () => {
  it('reads YAML with data-type ids and lexicon terms', () => {
    const d = readPolicyFile(fixture('double-list.yaml'));
    expect(types(d)).toEqual(['advertising-id', 'android-id', 'clipboard', 'device-id', 'location']);
    expect(d.sdks.map((s) => s.id ?? s.name)).toEqual(['umeng', '数据合作伙伴']);
    expect(d.recipients.find((r) => r.name === '示例数据科技有限公司')!.domains).toEqual(['partner-data.example']);
    expect(d.lists).toMatchObject({ collection: { present: true }, sharing: { present: true } });
  });

  it('names file, line and field of an unknown data type', () => {
    const file = fixture('double-list-broken.yaml');
    expect(() => readPolicyFile(file)).toThrow(InputError);
    expect(() => readPolicyFile(file)).toThrow(`${file}:4, field "collection.1.dataType": unknown data type`);
  });

  it('reads CSV and names the line and column of a bad row', () => {
    const d = readPolicyFile(fixture('double-list.csv'));
    expect(types(d)).toEqual(['android-id', 'device-id', 'location']);
    expect(d.sdks.map((s) => s.id)).toEqual(['jpush']);
    const file = fixture('double-list-broken.csv');
    expect(() => readPolicyFile(file)).toThrow(`${file}:3, field "list": expected "collection" or "sharing"`);
  });

  it('rejects an unknown key with its line', () => {
    const dir = temp.make('dl');
    const file = join(dir, 'list.json');
    writeFileSync(file, '{\n  "sharing": [\n    { "name": "友盟", "dataTypez": ["android-id"] }\n  ]\n}\n');
    expect(() => readPolicyFile(file)).toThrow(/list\.json:3, field "sharing\.0": Unrecognized key/);
  });
});

describe('formats and merging', () => {
  it('detects formats by extension and content', () => {
    expect(detectFormat('a.yaml', '')).toBe('double-list');
    expect(detectFormat('saved-url', '<!DOCTYPE html><html>')).toBe('html');
    expect(detectFormat('p.txt', '隐私政策')).toBe('text');
    expect(detectFormat('declarations.json', '{"version": 1, "dataTypes": []}')).toBe('declarations');
  });

  it('merges several inputs and round-trips through declarations.json', () => {
    const merged = readPolicyFiles([fixture('policy-zh.txt'), fixture('double-list.yaml'), fixture('sdk-table-zh.html')]);
    expect(merged.sources.map((s) => s.kind)).toEqual(['policy-text', 'double-list', 'policy-html', 'sdk-table']);
    expect(declaredDataTypes(merged).has('clipboard')).toBe(true);
    const dir = temp.make('decl');
    const file = join(dir, 'declarations.json');
    writeFileSync(file, JSON.stringify(merged));
    expect(readPolicyFile(file)).toEqual(merged);
  });
});

describe('declared summary', () => {
  it('turns a model-style summary into declarations', async () => {
    const { declarationsFromSummary } = await import('./summary.js');
    const d = declarationsFromSummary({ dataTypes: ['android-id', '位置信息'], sdks: ['umeng', '极光推送'], recipients: ['umeng.com', '示例有限公司'] });
    expect(types(d)).toEqual(['android-id', 'location']);
    expect(d.sdks.map((s) => s.id)).toEqual(['umeng', 'jpush']);
    expect(d.recipients.map((r) => r.domains)).toEqual([['umeng.com'], []]);
    expect(() => declarationsFromSummary({ dataTypes: ['心情'] }, { file: 'app.model.yaml' })).toThrow('app.model.yaml, field "dataTypes.0": unknown data type "心情"');
  });
});
