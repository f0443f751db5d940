import type { Command } from 'commander';
import { EXIT } from '../../core/errors.js';
import { action } from '../action.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check everything a lab needs: adb, Android SDK layout, Appium + UiAutomator2, mitmproxy, Redis, frida, disk')
    .action(
      action(async (ctx) => {
        const { runChecks } = await import('../doctor/checks.js');
        const results = await runChecks(ctx.loaded.config);
        const failed = results.filter((r) => !r.ok && r.required);
        if (ctx.json) {
          ctx.outJson({ ok: failed.length === 0, checks: results });
        } else {
          for (const r of results) {
            const mark = r.ok ? 'ok  ' : r.required ? 'FAIL' : 'warn';
            ctx.out(`${mark}  ${r.id.padEnd(13)} ${r.detail}${!r.ok && r.fix ? `\n      ${''.padEnd(13)} fix: ${r.fix}` : ''}`);
          }
          ctx.out(failed.length === 0 ? 'doctor: ready' : `doctor: ${failed.length} required check(s) failed`);
        }
        return failed.length === 0 ? EXIT.ok : EXIT.environment;
      }),
    );
}
