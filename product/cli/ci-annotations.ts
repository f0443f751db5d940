import { createHash } from 'node:crypto';
import type { Finding, Severity, Verdict } from '../contracts/bundle-schema.js';

/** The CI systems consentry speaks to besides SARIF and JUnit files. */
export const CI_KINDS = ['github', 'gitlab', 'none'] as const;
export type CiKind = (typeof CI_KINDS)[number];

/** GitHub Actions sets GITHUB_ACTIONS=true, GitLab sets GITLAB_CI=true in every job. */
export function detectCi(env: NodeJS.ProcessEnv = process.env): CiKind {
  if (env.GITHUB_ACTIONS === 'true') return 'github';
  if (env.GITLAB_CI) return 'gitlab';
  return 'none';
}

export interface RunOutcomeForCi {
  /** The file the annotations point at (the APK, as the job named it). */
  file: string;
  verdict: Verdict | undefined;
  reasons: string[];
  findings: Finding[];
}

const GITHUB_LEVEL: Record<Severity, 'error' | 'warning' | 'notice'> = { high: 'error', medium: 'warning', low: 'notice', info: 'notice' };

/**
 * GitHub Actions workflow commands (`::error file=…,title=…::message`), one per finding, plus a
 * warning when the verdict is inconclusive; the runner turns them into annotations on the job.
 */
export function githubAnnotations(run: RunOutcomeForCi): string[] {
  const lines = run.findings.map(
    (f) => `::${GITHUB_LEVEL[f.severity]} file=${escapeProperty(run.file)},title=${escapeProperty(`${f.ruleId} (${f.severity})`)}::${escapeData(f.statement)}`,
  );
  if (run.verdict === 'inconclusive' || run.verdict === undefined) {
    lines.push(`::warning file=${escapeProperty(run.file)},title=${escapeProperty('consentry: inconclusive')}::${escapeData(run.reasons.join('; ') || 'the run was not analysed')}`);
  }
  return lines;
}

// The escaping GitHub's runner undoes (actions/toolkit, command.ts).
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITLAB_SEVERITY: Record<Severity, 'critical' | 'major' | 'minor' | 'info'> = { high: 'critical', medium: 'major', low: 'minor', info: 'info' };

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  location: { path: string; lines: { begin: number } };
}

/**
 * A GitLab code quality report (the JSON array `artifacts:reports:codequality` reads): one issue
 * per finding, with a fingerprint stable across runs so GitLab can tell new from fixed.
 */
export function gitlabCodeQuality(run: RunOutcomeForCi): CodeQualityIssue[] {
  const issue = (checkName: string, description: string, severity: CodeQualityIssue['severity']): CodeQualityIssue => ({
    description,
    check_name: checkName,
    fingerprint: createHash('sha256').update(`${run.file}\n${checkName}\n${description}`).digest('hex').slice(0, 32),
    severity,
    location: { path: run.file, lines: { begin: 1 } },
  });
  const issues = run.findings.map((f) => issue(f.ruleId, f.statement, GITLAB_SEVERITY[f.severity]));
  if (run.verdict === 'inconclusive' || run.verdict === undefined) {
    issues.push(issue('consentry-inconclusive', `consentry could not reach a verdict: ${run.reasons.join('; ') || 'the run was not analysed'}`, 'major'));
  }
  return issues;
}
