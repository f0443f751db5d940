import { describe, expect, it } from 'vitest';
import { declaredDataTypes, policyReaders, readProse, type ExplainEntry } from './index.js';
import { splitSentences } from './sentences.js';

const readers = policyReaders();
const read = (text: string, trace?: ExplainEntry[]) => readProse(text, { ...readers, source: 'policy-text', ...(trace ? { trace } : {}) });
const declared = (text: string) => [...declaredDataTypes(read(text))].sort();
const negated = (text: string) => [...new Set(read(text).negations.filter((n) => n.dataType).map((n) => n.dataType))].sort();

describe('negation scope', () => {
  it('a negating heading covers its whole list, with or without marks', () => {
    const en = '## What this app never collects\n- ❌ Your GPS position\n- ✗ Your address book\n\n## What it collects\n- Crash traces with the phone model';
    expect(negated(en)).toEqual(['contacts', 'location']);
    expect(declared(en)).toEqual(['device-model']);
    const zh = '我们不会收集的信息：\n- 通讯录\n- 短信\n我们收集的信息：\n- 手机型号';
    expect(negated(zh)).toEqual(['contacts', 'sms']);
    expect(declared(zh)).toEqual(['device-model']);
  });

  it('reads passive negations and verbs beyond "collect"', () => {
    expect(negated('Advertising identifiers are not collected by the game.')).toEqual(['advertising-id']);
    expect(negated('您的位置信息不会被收集。')).toEqual(['location']);
    expect(negated('The crash report does not contain your phone number.')).toEqual(['phone-number']);
    expect(negated('Your call history will not be sold to anyone.')).toEqual(['call-log']);
    expect(negated('本软件不会出售您的通讯录。')).toEqual(['contacts']);
    expect(negated('The widget requests no microphone permission.')).toEqual(['microphone']);
  });

  it('ends at the sentence, and lets a storage-only denial keep an accessed type declared', () => {
    const d = read('We never store or upload your photos, but the app reads them to build the collage. We collect your GPS location.');
    expect([...declaredDataTypes(d)].sort()).toEqual(['location', 'media']);
    expect(d.negations.find((n) => n.dataType === 'media')?.scope).toBe('storage');
  });

  it('does not read a qualifier as a negation of collection', () => {
    expect(negated('None of the listed data types are collected ephemerally; we collect your location.')).toEqual([]);
  });

  it('lets a list after a blanket denial win for the types it lists', () => {
    const text = 'The partner SDK collects no data.\nIt obtains the following:\n- Android ID\n- IP address';
    expect(declared(text)).toEqual(['android-id', 'ip-address']);
  });

  it('never reports a negated type as collected because a bare list names it', () => {
    const text = 'Data types:\n- Location\nWe do not collect your location.';
    expect(declared(text)).toEqual([]);
    expect(negated(text)).toEqual(['location']);
  });
});

describe('Traditional Chinese and annotations', () => {
  it('normalises Taiwan and Hong Kong wording, keeping the original sentence as evidence', () => {
    const d = read('我們會蒐集您的設備型號與網絡類型。');
    expect([...declaredDataTypes(d)].sort()).toEqual(['device-model', 'network-info']);
    expect(d.dataTypes[0]!.evidence.text).toBe('我們會蒐集您的設備型號與網絡類型。');
    expect(negated('我們**不**蒐集您的聯絡人。')).toEqual(['contacts']);
    expect(negated('本程式拿不到你的精確位置。')).toEqual(['location']);
  });

  it('strips pinyin glosses after characters', () => {
    expect(declared('我们会读取运(yùn)行(xíng)中的进(jìn)程列表。')).toEqual(['running-apps']);
  });
});

describe('sentences', () => {
  it('keeps URLs and e-mail addresses whole and gives offsets', () => {
    const s = splitSentences('See https://ex.example/p?id=1&qq=2 now. Mail help@ex.example!');
    expect(s.map((x) => x.text)).toEqual(['See https://ex.example/p?id=1&qq=2 now.', 'Mail help@ex.example!']);
    expect(s[1]!.offset).toBe(40);
    expect(read('Policy at https://ex.example/privacy?from=qq&x=1 for the SDK.').sdks).toEqual([]);
  });
});

describe('false friends', () => {
  it('drops terms inside phrases that do not name the data type', () => {
    expect(declared('We collect nothing about social media accounts you follow.')).toEqual([]);
    expect(declared('Our ad network partners use no data from us.')).toEqual([]);
    expect(declared('请提供您的联系方式以便我们回复。')).toEqual([]);
    expect(declared('We record USB serial numbers of the attached mixer.')).toEqual([]);
  });

  it('needs a collecting word or a list context', () => {
    expect(declared('Change the location of the language files in settings.')).toEqual([]);
    expect(declared('The gallery screen shows sample art.')).toEqual([]);
    expect(declared('- Photos you pick')).toEqual(['media']);
  });

  it('reads storage permissions and network status', () => {
    expect(declared('我们会申请读写外部存储权限，用于保存图片。')).toEqual(['media']);
    expect(declared('The app reads your network status to pause downloads.')).toEqual(['network-info']);
  });

  it('explains its decisions', () => {
    const trace: ExplainEntry[] = [];
    read('We log the USB serial number. We do not collect your contacts.', trace);
    expect(trace.map((t) => t.verdict).sort()).toEqual(['false-friend', 'negated']);
    expect(trace.find((t) => t.verdict === 'negated')).toMatchObject({ dataType: 'contacts', offset: 30 });
  });
});

describe('SDKs in prose', () => {
  it('ties an SDK to the data types of its sentence', () => {
    const d = read('We use the Adjust SDK, which collects the advertising ID and IP address.');
    expect(d.sdks.map((s) => [s.id, [...s.dataTypes].sort()])).toEqual([['adjust', ['advertising-id', 'ip-address']]]);
  });
});
