import type { ShellCommand } from '../command-context.js';
import { am } from './am.js';
import { appops } from './appops.js';
import { cd, echo, execCommand, exit, exportCommand, falseCommand, getenforce, id, sh, sleep, trueCommand, whoami } from './builtins.js';
import { cmd } from './cmd.js';
import { date } from './date.js';
import { df } from './df.js';
import { dumpsys } from './dumpsys.js';
import { cat, chmod, ls, mkdir, rm, stat, touch } from './files.js';
import { grep, head, tail, wc } from './filters.js';
import { getprop, setprop } from './getprop.js';
import { input } from './input.js';
import { logcat } from './logcat.js';
import { monkey } from './monkey.js';
import { pm } from './pm.js';
import { kill, pidof, ps } from './ps.js';
import { screencap } from './screencap.js';
import { settings } from './settings.js';
import { content, ime, service, svc } from './system-services.js';
import { uiautomator } from './uiautomator.js';
import { makeWhich } from './which.js';
import { wm } from './wm.js';

/** Every command the virtual device's shell knows, by name. */
export function shellCommands(): Map<string, ShellCommand> {
  const table = new Map<string, ShellCommand>([
    ['am', am],
    ['appops', appops],
    ['cat', cat],
    ['cd', cd],
    ['chmod', chmod],
    ['cmd', cmd],
    ['content', content],
    ['date', date],
    ['df', df],
    ['dumpsys', dumpsys],
    ['echo', echo],
    ['exec', execCommand],
    ['exit', exit],
    ['export', exportCommand],
    ['false', falseCommand],
    ['getenforce', getenforce],
    ['getprop', getprop],
    ['grep', grep],
    ['head', head],
    ['id', id],
    ['ime', ime],
    ['input', input],
    ['kill', kill],
    ['logcat', logcat],
    ['ls', ls],
    ['mkdir', mkdir],
    ['monkey', monkey],
    ['pidof', pidof],
    ['pm', pm],
    ['ps', ps],
    ['rm', rm],
    ['screencap', screencap],
    ['service', service],
    ['setprop', setprop],
    ['settings', settings],
    ['sh', sh],
    ['sleep', sleep],
    ['stat', stat],
    ['svc', svc],
    ['tail', tail],
    ['touch', touch],
    ['true', trueCommand],
    ['uiautomator', uiautomator],
    ['wc', wc],
    ['whoami', whoami],
    ['wm', wm],
  ]);
  table.set('which', makeWhich((name) => table.has(name)));
  return table;
}
