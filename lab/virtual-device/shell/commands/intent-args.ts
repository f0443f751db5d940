/** The intent part of `am start/broadcast/startservice` arguments (Intent.parseCommandArgs). */
export interface IntentArgs {
  action?: string;
  data?: string;
  categories: string[];
  component?: string;
  flags?: string;
  extras: Record<string, string>;
  /** A bare trailing argument: a component or a URI. */
  target?: string;
  wait: boolean;
  forceStop: boolean;
  debug: boolean;
}

/** Options that take one value, and typed extras that take a key and a value. */
const ONE_VALUE = new Set(['-t', '-i', '--user', '--display', '--windowingMode', '--activityType', '--receiver-permission', '-p', '--start-profiler', '--sampling', '-P', '--attach-agent', '--attach-agent-bind', '--task', '--ei', '-R']);
const TWO_VALUES = new Set(['-e', '--es', '--esn', '--ez', '--ei', '--el', '--ef', '--ed', '--eu', '--ecn', '--eia', '--eial', '--ela', '--elal', '--efa', '--efal', '--esa', '--esal']);

export function parseIntentArgs(args: string[]): IntentArgs {
  const out: IntentArgs = { categories: [], extras: {}, wait: false, forceStop: false, debug: false };
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '-a') out.action = args[++i];
    else if (a === '-d') out.data = args[++i];
    else if (a === '-c') out.categories.push(args[++i] ?? '');
    else if (a === '-n') out.component = args[++i];
    else if (a === '-f') out.flags = args[++i];
    else if (a === '-W') out.wait = true;
    else if (a === '-S') out.forceStop = true;
    else if (a === '-D' || a === '-N') out.debug = true;
    else if (a === '--esn') out.extras[args[++i] ?? ''] = '';
    else if (TWO_VALUES.has(a)) {
      const key = args[++i] ?? '';
      out.extras[key] = args[++i] ?? '';
    } else if (ONE_VALUE.has(a)) i += 1;
    else if (a.startsWith('-')) continue;
    else out.target = a;
  }
  return out;
}

/** "Intent { act=... cat=[...] dat=... flg=... cmp=... (has extras) }" as Intent.toShortString prints it. */
export function describeIntent(intent: IntentArgs, component?: string): string {
  const parts: string[] = [];
  if (intent.action) parts.push(`act=${intent.action}`);
  if (intent.categories.length) parts.push(`cat=[${intent.categories.join(',')}]`);
  if (intent.data) parts.push(`dat=${intent.data.replace(/^(\w+:\/\/[^/]*).*/, '$1/...')}`);
  if (intent.flags) parts.push(`flg=${intent.flags}`);
  if (component) parts.push(`cmp=${component}`);
  if (Object.keys(intent.extras).length) parts.push('(has extras)');
  return `Intent { ${parts.join(' ')} }`;
}
