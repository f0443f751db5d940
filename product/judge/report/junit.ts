import { XMLBuilder } from 'fast-xml-parser';
import type { ReportModel } from './model.js';

export interface RuleInfo {
  id: string;
  title: string;
  severity: string;
}

/**
 * JUnit XML for CI: one test case per rule of the active rule set, a <failure> per finding of
 * that rule. An inconclusive verdict is an <error> on a synthetic "verdict" case, so CI does not
 * read "no failures" as "compliant" when the tool could not see.
 */
export function renderJunit(model: ReportModel, rules: RuleInfo[]): string {
  const ruleList = rules.length > 0 ? rules : [...new Set(model.findings.map((f) => f.ruleId))].map((id) => ({ id, title: id, severity: '' }));
  const cases = ruleList.map((rule) => {
    const hits = model.findings.filter((f) => f.ruleId === rule.id);
    return {
      '@_name': `${rule.id}: ${rule.title}`,
      '@_classname': `consentry.${model.app.package}.${model.scenario}`,
      '@_time': '0',
      ...(hits.length
        ? {
            failure: hits.map((f) => ({
              '@_type': f.severity,
              '@_message': f.statement,
              '#text': evidenceText(f),
            })),
          }
        : {}),
    };
  });
  if (model.verdict === 'inconclusive' || model.verdict === 'not-analysed') {
    cases.push({
      '@_name': 'verdict',
      '@_classname': `consentry.${model.app.package}.${model.scenario}`,
      '@_time': '0',
      error: [{ '@_type': model.verdict, '@_message': model.reasons.join('; ') || model.verdict, '#text': '' }],
    } as never);
  }
  const failures = model.findings.filter((f) => ruleList.some((r) => r.id === f.ruleId)).length;
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'consentry',
      '@_tests': String(cases.length),
      '@_failures': String(failures),
      testsuite: {
        '@_name': `${model.app.package} (${model.scenario})`,
        '@_tests': String(cases.length),
        '@_failures': String(failures),
        '@_errors': model.verdict === 'inconclusive' || model.verdict === 'not-analysed' ? '1' : '0',
        '@_timestamp': new Date(model.startedAt).toISOString(),
        testcase: cases,
      },
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true, processEntities: true }).build(doc);
}

function evidenceText(f: ReportModel['findings'][number]): string {
  const parts = [
    f.evidence.events.length ? `events: ${f.evidence.events.join(', ')}` : '',
    f.evidence.flows.length ? `flows: ${f.evidence.flows.join(', ')}` : '',
    f.evidence.markers.length ? `markers: ${f.evidence.markers.join(', ')}` : '',
    f.sources.length ? `grounds: ${f.sources.join('; ')}` : '',
  ];
  return parts.filter(Boolean).join('\n');
}
