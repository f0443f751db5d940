import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLabelledDumps, scoreCorpus, type LabelledDump } from './ui-dumps/score.js';

/**
 * The UI-dump corpus (lab/corpora/ui-dumps, see its README): hand-written dumps that reproduce
 * the structures of real ones (both XML dialects, window layering, BOM, NAF, obfuscated or
 * missing ids, Flutter labels, vendor permission dialogs; zh-Hans, zh-Hant, en). The consent and
 * permission detectors must find the labelled controls (right bounds) and raise nothing on the
 * pop-ups and ordinary screens.
 */
const DIR = join(import.meta.dirname, 'ui-dumps');
const corpus = loadLabelledDumps(join(DIR, 'dumps'), join(DIR, 'labels'));

describe('ui-dumps corpus', () => {
  it('covers the kinds, languages and dialects it claims, each dump naming the real dump it models', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    const count = (f: (d: LabelledDump) => boolean) => corpus.filter(f).length;
    expect(count((d) => d.label.kind === 'consent-dialog')).toBeGreaterThanOrEqual(6);
    expect(count((d) => d.label.kind === 'permission-prompt')).toBeGreaterThanOrEqual(6);
    expect(count((d) => d.label.kind === 'popup' || d.label.kind === 'screen')).toBeGreaterThanOrEqual(10);
    for (const lang of ['zh-Hans', 'zh-Hant', 'en']) expect(count((d) => d.label.language === lang)).toBeGreaterThan(0);
    expect(count((d) => d.label.format === 'uiautomator2-source')).toBeGreaterThan(0);
    expect(count((d) => d.xml.startsWith('\ufeff'))).toBeGreaterThan(0);
    for (const d of corpus) expect(d.label.models, d.id).toMatch(/\b(cd|pp|pu|sc)-\d\d\b|PATTERNS\.md/);
  });

  const score = scoreCorpus(corpus);

  it('finds the accept and refuse controls of at least 95% of the labelled dialogs', () => {
    const missed = score.dumps.filter((s) => s.found === false).map((s) => `${s.id}: ${s.detail}`);
    expect(score.found / score.dialogs, missed.join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('raises no consent dialog or permission prompt on pop-ups and ordinary screens', () => {
    expect(score.dumps.filter((s) => s.falseDetection !== undefined).map((s) => `${s.id}: ${s.falseDetection}`)).toEqual([]);
  });

  it('closes pop-ups with the labelled control (never "Close app") and sees no pop-up on ordinary screens', () => {
    expect(score.dumps.filter((s) => s.popupOk === false).map((s) => `${s.id}: ${s.detail}`)).toEqual([]);
  });
});
