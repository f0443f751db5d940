import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { VirtualPhoneOs } from '../../os/phone-os.js';
import { shellCommands } from '../commands/index.js';
import { ShellInterpreter } from '../interpreter.js';
import { CollectingSink } from '../io.js';

/** A phone and its shell for unit tests: run a line, get stdout, stderr and the status; dispose() when done. */
export function testShell(index = 0): {
  os: VirtualPhoneOs;
  run(line: string, options?: { stdin?: Buffer; signal?: AbortSignal }): Promise<{ out: string; err: string; status: number; stdout: Buffer }>;
  /** Disposes the phone and removes its storage folder from /tmp. */
  dispose(): Promise<void>;
} {
  const storageDir = mkdtempSync(join(tmpdir(), 'vd-shell-test-'));
  const os = new VirtualPhoneOs({ index, storageDir });
  const shell = new ShellInterpreter(os, shellCommands());
  return {
    os,
    async run(line, options = {}) {
      const out = new CollectingSink();
      const err = new CollectingSink();
      const stdin = Readable.from(options.stdin ? [options.stdin] : []);
      const status = await shell.runLine(line, { stdin, stdout: out, stderr: err }, options.signal ?? new AbortController().signal);
      return { out: out.text, err: err.text, status, stdout: out.buffer };
    },
    async dispose() {
      await os.dispose();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
