import { errorMessage } from '../../../../product/core/errors.js';
import { parseComponent } from '../../os/instrumentation.js';
import type { CommandContext } from '../command-context.js';

/**
 * `am instrument [-w] [-r] [-e KEY VALUE]... COMPONENT`. The runner is started in a process
 * named after its target package (`ps` shows it while it runs). With -w the command stays
 * until the runner finishes or the adb stream closes (Appium keeps `am instrument -w` open for
 * the whole UiAutomator2 session); without -w it returns at once and the runner keeps going.
 */
export async function amInstrument(ctx: CommandContext, args: string[]): Promise<number> {
  const extras: Record<string, string> = {};
  let wait = false;
  let component: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '-w') wait = true;
    else if (a === '-e') {
      const key = args[++i] ?? '';
      extras[key] = args[++i] ?? '';
    } else if (a === '--user' || a === '-p' || a === '--abi') i += 1;
    else if (!a.startsWith('-')) component = a;
  }
  const parsed = component ? parseComponent(component) : undefined;
  const canonical = parsed ? `${parsed.packageName}/${parsed.className}` : component ?? '';
  const definition = parsed
    ? (ctx.os.instrumentation(component!) ?? ctx.os.instrumentation(canonical) ?? ctx.os.instrumentation(`${parsed.packageName}/${parsed.className.replace(parsed.packageName, '')}`))
    : undefined;
  if (!definition || !parsed) {
    await ctx.out(`INSTRUMENTATION_STATUS: id=ActivityManagerService\nINSTRUMENTATION_STATUS: Error=Unable to find instrumentation info for: ComponentInfo{${canonical}}\nINSTRUMENTATION_STATUS_CODE: -1\n`);
    await ctx.err(`android.util.AndroidException: INSTRUMENTATION_FAILED: ${canonical}\n\tat com.android.commands.am.Instrument.run(Instrument.java:519)\n`);
    return 1;
  }
  const key = component!;
  // A second `am instrument` of the same component replaces the first, as on a device.
  await ctx.os.finishInstrumentation(key);
  const target = ctx.os.getPackage(definition.targetPackage);
  const proc = target ? ctx.os.startAppProcess(target) : ctx.os.startProcess(definition.targetPackage, 10_000);
  const abort = new AbortController();
  const onShellGone = () => {
    if (wait) void ctx.os.finishInstrumentation(key);
  };
  ctx.signal.addEventListener('abort', onShellGone, { once: true });
  let run;
  try {
    run = await definition.start({
      component: canonical,
      args: extras,
      pid: proc.pid,
      signal: abort.signal,
      output: (line) => void ctx.out(`${line}\n`),
    });
  } catch (err) {
    ctx.os.killProcess(proc.pid);
    ctx.signal.removeEventListener('abort', onShellGone);
    await ctx.out(`INSTRUMENTATION_RESULT: shortMsg=${errorMessage(err)}\nINSTRUMENTATION_CODE: 0\n`);
    return 1;
  }
  ctx.os.trackInstrumentation(key, proc.pid, run, abort);
  if (!wait) return 0;
  const finished = run.finished ?? new Promise<void>(() => undefined);
  await Promise.race([finished, new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true })), new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }))]);
  ctx.signal.removeEventListener('abort', onShellGone);
  await ctx.os.finishInstrumentation(key);
  if (!ctx.signal.aborted) await ctx.out('\nTime: 0\n\nOK (1 test)\n\n\nINSTRUMENTATION_CODE: -1\n');
  return 0;
}
