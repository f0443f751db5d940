import type { Command } from 'commander';
import type { AppFacts, PackerEvidence } from '../../evidence/apps/index.js';
import { EXIT } from '../../core/errors.js';
import { action } from '../action.js';
import { table } from '../table.js';

/**
 * `consentry inspect APP`: static facts about an APK, split APKs (.apks) or XAPK, without a
 * device. With --reference, compares the signer with the official one and exits 1 when they
 * differ (INTEGRITY-REPACKAGED).
 */
export function registerInspect(program: Command): void {
  program
    .command('inspect <app>')
    .description('static facts about an APK, split APKs (.apks) or XAPK: manifest, permissions, components, SDKs, packers, signing')
    .option('--reference <certOrApkOrDigest>', 'official signer: a SHA-256 digest, a certificate file or the official APK (exit 1 if different)')
    .action(
      action(async (ctx, app: string, opts: { reference?: string }) => {
        const { inspectApp } = await import('../../evidence/apps/index.js');
        const { facts } = await inspectApp(app, {
          logger: ctx.logger,
          ...(opts.reference !== undefined ? { reference: opts.reference } : {}),
        });
        if (ctx.json) ctx.outJson(facts);
        else ctx.out(render(facts));
        return facts.reference && !facts.reference.matches ? EXIT.findings : EXIT.ok;
      }),
    );
}

const yes = (b: boolean) => (b ? 'yes' : 'no');

const EVIDENCE_KIND: Record<PackerEvidence['kind'], string> = {
  'application-class': 'application class',
  'component-class': 'component',
  'native-library': 'native library',
  asset: 'asset',
  'dex-class': 'stub class in DEX',
};

function renderPackers(f: AppFacts): string[] {
  const lines = [`PACKED: ${f.packers.map((p) => `${p.name}, ${p.vendor}`).join('; ')}`];
  if (f.sdkCaveat) lines.push(`  ${f.sdkCaveat}`);
  lines.push(
    table(
      ['packer', 'evidence', 'name in the APK'],
      f.packers.flatMap((p) => p.evidence.map((e) => [p.id, EVIDENCE_KIND[e.kind], e.value])),
    ),
  );
  return lines;
}

export function render(f: AppFacts): string {
  const m = f.manifest;
  const out: string[] = [];
  const version = `${m.versionName ?? '?'} (${m.versionCode ?? '?'})`;
  out.push(`${m.packageName} ${version}  [${f.kind}]  ${f.source}`, '');
  // First, before any list: a packed app's lists below describe the protector's shell.
  if (f.packers.length) out.push(...renderPackers(f), '');

  const exported = m.components.filter((c) => c.exported);
  const cleartext = m.usesCleartextTraffic === undefined ? `${yes(m.cleartextPermitted)} (default for targetSdk ${m.targetSdk})` : `${yes(m.usesCleartextTraffic)} (declared)`;
  out.push(
    table(
      ['fact', 'value'],
      [
        ['package', m.packageName],
        ['version', version],
        ['min / target SDK', `${m.minSdk} / ${m.targetSdk}`],
        ['label', m.label ?? '(none)'],
        ['application class', m.applicationClass ?? '(none)'],
        ['launcher activity', m.launcherActivity ?? '(none)'],
        ['debuggable', yes(m.debuggable)],
        ['allowBackup', yes(m.allowBackup)],
        ['cleartext traffic', cleartext],
        ['network security config', yes(m.networkSecurityConfig)],
        ['native ABIs', f.nativeAbis.join(', ') || '(none)'],
        ['DEX', `${f.dex.files} files, ${f.dex.classes} classes`],
        ['components', `${m.components.length} (${exported.length} exported)`],
        ...f.files.map((file) => [`file: ${file.splitName ?? file.role}`, `${file.size} bytes  sha256 ${file.sha256}`]),
      ],
    ),
    '',
  );

  const dangerous = m.permissions.filter((p) => p.dangerous).length;
  out.push(`Permissions: ${m.permissions.length} requested, ${dangerous} dangerous`);
  if (m.permissions.length) {
    const sorted = [...m.permissions].sort((a, b) => Number(b.dangerous) - Number(a.dangerous) || a.name.localeCompare(b.name));
    out.push(
      table(
        ['permission', 'dangerous', 'group', 'maxSdk'],
        sorted.map((p) => [p.name, p.dangerous ? 'DANGEROUS' : '', p.group, p.maxSdkVersion]),
      ),
    );
  }
  out.push('');

  out.push(`Exported components: ${exported.length}`);
  if (exported.length) {
    out.push(table(['kind', 'name', 'exported because', 'permission'], exported.map((c) => [c.kind, c.name, c.exportedSource, c.permission])));
  }
  out.push('');

  out.push(`Third-party SDKs: ${f.sdks.length}${f.sdkCaveat ? ' (INCOMPLETE: the app is packed, see above)' : ''}`);
  if (f.sdks.length) {
    out.push(
      table(
        ['sdk', 'vendor', 'category', 'packages (classes)'],
        f.sdks.map((s) => [s.name, s.vendor, s.category, s.packages.map((p) => `${p.prefix} (${p.classes})`).join(', ')]),
      ),
    );
  }
  out.push('');

  const s = f.signing.schemes;
  out.push(`Signing: v1 ${yes(s.v1)}, v2 ${yes(s.v2)}, v3 ${yes(s.v3)}, v3.1 ${yes(s.v31)}`);
  if (f.signing.certificates.length) {
    out.push(table(['certificate sha256', 'schemes', 'subject'], f.signing.certificates.map((c) => [c.sha256, c.schemes.join(','), c.subject])));
  } else {
    out.push('(unsigned: Android will refuse to install it)');
  }
  if (f.reference) {
    out.push(
      '',
      f.reference.matches
        ? `Reference (${f.reference.source}): signer matches ${f.reference.reference}`
        : `Reference (${f.reference.source}): SIGNER DIFFERS from ${f.reference.reference}: repackaged or re-signed ` +
            `(expected ${f.reference.expectedSha256.join(', ')})`,
    );
  }
  if (m.warnings.length) out.push('', ...m.warnings.map((w) => `warning: ${w}`));
  return out.join('\n');
}
