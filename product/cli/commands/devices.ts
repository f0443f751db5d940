import type { Command } from 'commander';
import { EXIT, InputError, errorMessage } from '../../core/errors.js';
import type { DeviceStatus } from '../../capture/devices/index.js';
import { action } from '../action.js';
import type { CliContext } from '../cli-context.js';
import { table } from '../table.js';

interface DevicesOptions {
  unquarantine?: string;
  reset?: string;
}

function age(since: number): string {
  const s = Math.max(0, Math.round((Date.now() - since) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

function render(devices: DeviceStatus[]): string {
  if (devices.length === 0) return 'no devices: connect a phone with USB debugging on, start an emulator, or adb connect HOST:PORT';
  const rows = devices.map((d) => [
    d.serial,
    d.state,
    d.model,
    d.apiLevel,
    d.profile,
    d.lease ? `${d.lease.holder ?? 'leased'} (${age(d.lease.since)}, pid ${d.lease.pid ?? '?'})` : '-',
    d.healthOk === undefined ? d.health : d.healthOk ? 'ok' : 'FAIL',
    d.quarantine ? `yes, ${age(d.quarantine.since)}` : '-',
    d.dirty ? 'dirty' : 'clean',
  ]);
  const out = [table(['SERIAL', 'STATE', 'MODEL', 'API', 'PROFILE', 'LEASE', 'HEALTH', 'QUARANTINE', 'JOURNAL'], rows)];
  const notes: string[] = [];
  for (const d of devices) {
    if (d.hint !== 'ready') notes.push(`${d.serial}: ${d.hint}`);
    if (d.healthOk === false) notes.push(`${d.serial}: health: ${d.health}`);
    if (d.quarantine) notes.push(`${d.serial}: quarantined: ${d.quarantine.reason} (release: consentry devices --unquarantine ${d.serial})`);
    if (d.dirty) notes.push(`${d.serial}: dirty: ${d.dirty.pendingSteps} undo step(s) left by a run that did not finish its teardown (the next lease replays them; now: consentry devices --reset ${d.serial})`);
  }
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}

async function openPool(ctx: CliContext) {
  const { config } = ctx.loaded;
  const { DeviceError, openDevicePool } = await import('../../capture/devices/index.js');
  try {
    return await openDevicePool(config, { logger: ctx.logger, offlineGraceMs: 0 });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new DeviceError(
      'ADB_UNREACHABLE',
      `cannot reach the adb server at ${config.adb.host}:${config.adb.port}: ${errorMessage(e)} (start it with "adb start-server", or set adb.host/adb.port in the config)`,
      { cause: e },
    );
  }
}

/** Replays a device's leftover undo journal now, instead of at its next lease. */
async function reset(ctx: CliContext, serial: string): Promise<number> {
  const pool = await openPool(ctx);
  try {
    const result = await pool.reset(serial);
    if (ctx.json) ctx.outJson({ serial, ...result });
    else {
      ctx.out(`${serial}: ${result.undone} journal entr${result.undone === 1 ? 'y' : 'ies'} undone${result.failed.length ? `, ${result.failed.length} failed` : ''}; ${result.pendingSteps ? `still dirty (${result.pendingSteps} step(s) left)` : 'clean'}`);
      for (const f of result.failed) ctx.out(`  could not undo ${f.action}: ${f.error}`);
    }
    return result.pendingSteps > 0 ? EXIT.environment : EXIT.ok;
  } finally {
    await pool.close();
  }
}

async function list(ctx: CliContext): Promise<number> {
  const pool = await openPool(ctx);
  try {
    await pool.refresh();
    const devices = pool.snapshot();
    if (ctx.json) ctx.outJson({ devices });
    else ctx.out(render(devices));
    return EXIT.ok;
  } finally {
    await pool.close();
  }
}

export function registerDevices(program: Command): void {
  program
    .command('devices')
    .description('list attached devices: state (and what to do about it), model, API level, profile, lease, health, quarantine')
    .option('--unquarantine <serial>', 'return a quarantined device to the pool')
    .option('--reset <serial>', 'replay the undo journal a run left behind on this device (proxy, CA, frida-server...)')
    .action(
      action(async (ctx, options: DevicesOptions) => {
        if (options.unquarantine) {
          const { deviceQuarantine } = await import('../../capture/devices/open-pool.js');
          const store = deviceQuarantine(ctx.loaded.config);
          const released = store.release(options.unquarantine);
          if (!released) {
            throw new InputError('NOT_QUARANTINED', `${options.unquarantine} is not quarantined (see "consentry devices")`, {
              file: store.file,
            });
          }
          if (ctx.json) ctx.outJson({ released });
          else ctx.out(`${options.unquarantine} released from quarantine (was: ${released.reason})`);
          return EXIT.ok;
        }
        if (options.reset) return reset(ctx, options.reset);
        return list(ctx);
      }),
    );
}
