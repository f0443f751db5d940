import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorManager, EMULATOR_PORT_MAX, EMULATOR_PORT_MIN } from './emulator.js';
import { EmulatorError } from './errors.js';

/**
 * The emulator cannot run here, so the test writes a fake `emulator` (records its arguments,
 * "boots" after a moment unless told not to, obeys signals) and a fake `adb` that answers
 * getprop from that state and implements `emu kill` by signalling the fake emulator.
 */
let state: string;
let manager: EmulatorManager | undefined;

function writeFakes(options: { boots?: boolean; emuKillWorks?: boolean } = {}): { emulator: string; adb: string } {
  const emulator = join(state, 'emulator');
  writeFileSync(
    emulator,
    `#!/bin/bash
echo "$@" > "${state}/args"
echo $$ > "${state}/pid"
trap 'echo console > "${state}/stopped-by"; exit 0' USR1
trap 'echo sigterm > "${state}/stopped-by"; exit 0' TERM
${options.boots === false ? '' : `( sleep 0.3; touch "${state}/booted" ) &`}
while true; do sleep 0.05; done
`,
  );
  const adb = join(state, 'adb');
  writeFileSync(
    adb,
    `#!/bin/bash
echo "$@" >> "${state}/adb-calls"
case "$*" in
  *"shell getprop sys.boot_completed"*) if [ -f "${state}/booted" ]; then echo 1; else echo "error: device not found" >&2; exit 1; fi ;;
  *"emu kill"*) ${options.emuKillWorks === false ? 'exit 1' : `kill -USR1 $(cat "${state}/pid"); echo OK`} ;;
esac
`,
  );
  chmodSync(emulator, 0o755);
  chmodSync(adb, 0o755);
  return { emulator, adb };
}

function makeManager(paths: { emulator: string; adb: string }, bootTimeoutMs = 10_000): EmulatorManager {
  manager = new EmulatorManager({
    emulatorPath: paths.emulator,
    adb: { path: paths.adb, host: '127.0.0.1', port: 5999 },
    bootTimeoutMs,
    pollMs: 100,
  });
  return manager;
}

beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'consentry-emu-'));
});

afterEach(async () => {
  await manager?.stopAll();
  manager = undefined;
  rmSync(state, { recursive: true, force: true });
});

describe('EmulatorManager', () => {
  it('starts an AVD headless on an even port, waits for boot, stops it through the console', async () => {
    const m = makeManager(writeFakes());
    const emu = await m.start({ avd: 'Pixel_API_34' });
    expect(emu.port % 2).toBe(0);
    expect(emu.port).toBeGreaterThanOrEqual(EMULATOR_PORT_MIN);
    expect(emu.port).toBeLessThanOrEqual(EMULATOR_PORT_MAX);
    expect(emu.serial).toBe(`emulator-${emu.port}`);
    const args = readFileSync(join(state, 'args'), 'utf8').trim();
    expect(args).toBe(`-avd Pixel_API_34 -no-window -no-snapshot-save -no-boot-anim -port ${emu.port}`);
    const calls = readFileSync(join(state, 'adb-calls'), 'utf8');
    expect(calls).toContain(`-P 5999 -s emulator-${emu.port} shell getprop sys.boot_completed`);

    await m.stop(emu);
    expect(readFileSync(join(state, 'stopped-by'), 'utf8').trim()).toBe('console');
    expect(emu.process.child.exitCode).toBe(0);
  });

  it('wipes with -wipe-data and uses the requested port', async () => {
    const m = makeManager(writeFakes());
    const emu = await m.start({ avd: 'Pixel_API_30', port: 5600, wipe: true });
    expect(readFileSync(join(state, 'args'), 'utf8')).toMatch(/-port 5600 -wipe-data/);
    await m.stop(emu);
  });

  it('fails with a boot timeout and leaves no emulator running', async () => {
    const m = makeManager(writeFakes({ boots: false }), 800);
    await expect(m.start({ avd: 'Slow_AVD' })).rejects.toThrow(/did not finish booting.*within 800 ms/);
    expect(existsSync(join(state, 'stopped-by'))).toBe(true);
  });

  it('signals the process when the console does not answer', async () => {
    const m = makeManager(writeFakes({ emuKillWorks: false }));
    const emu = await m.start({ avd: 'Pixel_API_29' });
    await m.stop(emu, 300);
    expect(readFileSync(join(state, 'stopped-by'), 'utf8').trim()).toBe('sigterm');
  });

  it('rejects bad AVD names and odd or out-of-range ports before starting anything', async () => {
    const m = makeManager(writeFakes());
    await expect(m.start({ avd: 'x; rm -rf /' })).rejects.toThrow(/not an AVD name/);
    await expect(m.start({ avd: 'ok', port: 5555 })).rejects.toThrow(/must be even/);
    await expect(m.start({ avd: 'ok', port: 5700 })).rejects.toThrow(/must be even, 5554-5682/);
    expect(existsSync(join(state, 'args'))).toBe(false);
  });

  it('skips ports in use', async () => {
    const m = makeManager(writeFakes());
    const port = await m.pickPort([5554, 5556]);
    expect(port).toBeGreaterThanOrEqual(5558);
  });

  it('reports an emulator that exits before booting', async () => {
    const paths = writeFakes();
    writeFileSync(paths.emulator, '#!/bin/bash\necho "PANIC: Missing emulator engine program" >&2\nexit 1\n');
    const m = makeManager(paths);
    const err = await m.start({ avd: 'Broken' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmulatorError);
    expect((err as Error).message).toMatch(/exited before booting/);
  });
});
