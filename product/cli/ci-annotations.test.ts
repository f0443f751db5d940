import { describe, expect, it } from 'vitest';
import type { Finding } from '../contracts/bundle-schema.js';
import { detectCi, githubAnnotations, gitlabCodeQuality } from './ci-annotations.js';

const finding = (ruleId: string, severity: Finding['severity'], statement: string): Finding => ({ ruleId, severity, statement, sources: [], dataTypes: [], evidence: { events: [], flows: [], markers: [], ui: [] } });
const run = {
  file: 'apps/umeng,v2.apk',
  verdict: 'fail' as const,
  reasons: [],
  findings: [finding('CONSENT-PRE-COLLECT', 'high', 'Umeng read the Android ID at 100%\nbefore consent.'), finding('TRANSPORT-CLEARTEXT', 'medium', 'Sent over HTTP.')],
};

describe('CI annotations', () => {
  it('detects GitHub Actions and GitLab from their variables', () => {
    expect(detectCi({ GITHUB_ACTIONS: 'true' })).toBe('github');
    expect(detectCi({ GITLAB_CI: 'true' })).toBe('gitlab');
    expect(detectCi({ CI: 'true' })).toBe('none');
  });

  it('GitHub: one workflow command per finding, level from severity, escaped as the runner expects', () => {
    expect(githubAnnotations(run)).toEqual([
      '::error file=apps/umeng%2Cv2.apk,title=CONSENT-PRE-COLLECT (high)::Umeng read the Android ID at 100%25%0Abefore consent.',
      '::warning file=apps/umeng%2Cv2.apk,title=TRANSPORT-CLEARTEXT (medium)::Sent over HTTP.',
    ]);
    expect(githubAnnotations({ ...run, verdict: 'inconclusive', reasons: ['no consent dialog found'], findings: [] })).toEqual([
      '::warning file=apps/umeng%2Cv2.apk,title=consentry%3A inconclusive::no consent dialog found',
    ]);
  });

  it('GitLab: a code quality issue per finding with a fingerprint that is stable across runs', () => {
    const issues = gitlabCodeQuality(run);
    expect(issues.map((i) => [i.check_name, i.severity, i.location.path])).toEqual([
      ['CONSENT-PRE-COLLECT', 'critical', 'apps/umeng,v2.apk'],
      ['TRANSPORT-CLEARTEXT', 'major', 'apps/umeng,v2.apk'],
    ]);
    expect(gitlabCodeQuality(run)[0]!.fingerprint).toBe(issues[0]!.fingerprint);
    expect(issues[0]!.fingerprint).not.toBe(issues[1]!.fingerprint);
  });
});
