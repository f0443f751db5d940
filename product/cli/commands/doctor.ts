import type { Command } from 'commander';
import { EXIT } from '../../core/errors.js';
import { action } from '../action.js';
import type { CliContext } from '../cli-context.js';

interface Line {
  id: string;
  required: boolean;
  ok: boolean;
  detail: string;
  fix?: string;
}

function print(ctx: CliContext, results: Line[], subject: string): number {
  const failed = results.filter((r) => !r.ok && r.required);
  if (ctx.json) {
    ctx.outJson({ ok: failed.length === 0, subject, checks: results });
  } else {
    for (const r of results) {
      const mark = r.ok ? 'ok  ' : r.required ? 'FAIL' : 'warn';
      ctx.out(`${mark}  ${r.id.padEnd(13)} ${r.detail}${!r.ok && r.fix ? `\n      ${''.padEnd(13)} fix: ${r.fix}` : ''}`);
    }
    ctx.out(failed.length === 0 ? `doctor: ${subject} ready` : `doctor: ${subject}: ${failed.length} required check(s) failed`);
  }
  return failed.length === 0 ? EXIT.ok : EXIT.environment;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check everything a lab needs: adb, Android SDK layout, Appium + UiAutomator2, mitmproxy, Redis, frida, disk; or one phone with --device')
    .option('--device <serial>', 'check one phone: adb authorisation, API and ABI, profile, root, SELinux, frida-server, capture CA route, proxy left set, UiAutomator2 server, storage, battery, thermal, clock, screen lock')
    .action(
      action(async (ctx, opts: { device?: string }) => {
        if (opts.device) return print(ctx, await deviceChecks(ctx, opts.device), opts.device);
        const { runChecks } = await import('../doctor/checks.js');
        return print(ctx, await runChecks(ctx.loaded.config), 'this host');
      }),
    );
}

async function deviceChecks(ctx: CliContext, serial: string): Promise<Line[]> {
  const { config } = ctx.loaded;
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { AdbKitDevice, createAdbClient, loadProfiles, matchProfile, DeviceError } = await import('../../capture/devices/index.js');
  const { diagnoseDevice } = await import('../../capture/devices/device-doctor.js');
  const server = { path: config.adb.path, host: config.adb.host, port: config.adb.port };
  const client = createAdbClient(server);
  const listed = await client.listDevices().catch((e: unknown) => {
    throw new DeviceError('ADB_UNREACHABLE', `cannot reach the adb server at ${server.host}:${server.port}: ${(e as Error).message} (start it with "adb start-server")`, { cause: e });
  });
  const entry = listed.find((d: { id: string }) => d.id === serial);
  if (!entry) {
    throw new DeviceError('DEVICE_NOT_FOUND', `adb does not list ${serial} (connected: ${listed.map((d: { id: string }) => d.id).join(', ') || 'none'}); for a TCP phone: adb connect ${serial}`);
  }
  const profiles = loadProfiles(config.devices.profilesDir);
  // Read-only: the capture CA is compared when it exists, never created here.
  let ca: { pem: string; fileName: string } | undefined;
  if (existsSync(join(config.stateDir, 'capture-ca', 'ca-key.pem'))) {
    const { loadOrCreateCaptureCa } = await import('../../capture/traffic/index.js');
    const loaded = loadOrCreateCaptureCa(config.stateDir, { capturesRoot: config.capturesRoot });
    ca = { pem: loaded.certPem, fileName: loaded.androidSystemFileName };
  }
  const fridaBindingVersion = await fridaVersion();
  const { checks } = await diagnoseDevice({
    device: new AdbKitDevice(client, serial, server, ctx.logger),
    adbState: entry.type,
    profileFor: (facts) => matchProfile(profiles, { serial, facts })?.profile,
    ...(ca ? { ca } : {}),
    ...(fridaBindingVersion ? { fridaBindingVersion } : {}),
  });
  return checks;
}

/** The optional frida binding's version, without loading its native part. */
async function fridaVersion(): Promise<string | undefined> {
  try {
    const { createRequire } = await import('node:module');
    return (createRequire(import.meta.url)('frida/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}
