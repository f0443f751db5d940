import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../product/core/logger.js';
import { VirtualPhoneOs } from '../os/phone-os.js';
import { shellCommands } from '../shell/commands/index.js';
import { ShellInterpreter } from '../shell/interpreter.js';
import { A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_WRTE, encodePacket, PacketParser, type AdbPacket } from './packet.js';
import { AdbDeviceServer } from './server.js';
import { encodeShellPacket, SHELL_ID, ShellPacketParser } from './shell-protocol.js';

/** A raw ADB host: sends packets and waits for the device's, with a bounded wait. */
class RawHost {
  private readonly parser = new PacketParser();
  private readonly inbox: AdbPacket[] = [];
  private waiter: (() => void) | undefined;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.inbox.push(...this.parser.push(chunk));
      this.waiter?.();
    });
  }
  send(command: number, arg0: number, arg1: number, data: Buffer = Buffer.alloc(0)): void {
    this.socket.write(encodePacket({ command, arg0, arg1, data }));
  }
  async next(timeoutMs = 5000): Promise<AdbPacket> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (Date.now() > deadline) throw new Error('no packet from the device');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.inbox.shift()!;
  }
  /** Nothing arrives within ms (flow control holds the device back). */
  async quiet(ms: number): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.length === 0;
  }
}

let os: VirtualPhoneOs;
let server: AdbDeviceServer;
let storage: string;
let host: RawHost;

beforeEach(async () => {
  storage = await mkdtemp(join(tmpdir(), 'vd-adb-test-'));
  os = new VirtualPhoneOs({ index: 0, storageDir: storage });
  server = new AdbDeviceServer({ os, interpreter: new ShellInterpreter(os, shellCommands()), host: '127.0.0.1', port: 0, logger: silentLogger() });
  const port = await server.start();
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  host = new RawHost(socket);
  host.send(A_CNXN, 0x01000001, 1024 * 1024, Buffer.from('host::features=shell_v2\0'));
});

afterEach(async () => {
  host.socket.destroy();
  await server.stop();
  await os.dispose();
  await rm(storage, { recursive: true, force: true });
});

async function open(service: string, localId = 7): Promise<number> {
  const cnxnOrNot = await host.next();
  if (cnxnOrNot.command === A_CNXN) {
    expect(cnxnOrNot.data.toString()).toMatch(/^device::ro\.product\.name=consentry_virtual;ro\.product\.model=Consentry Virtual;ro\.product\.device=cvirtual;features=.*shell_v2/);
  }
  host.send(A_OPEN, localId, 0, Buffer.from(`${service}\0`));
  const ok = await host.next();
  expect(ok.command).toBe(A_OKAY);
  expect(ok.arg1).toBe(localId);
  return ok.arg0;
}

describe('ADB device transport', () => {
  it('answers CNXN with a banner and runs a v1 shell command, then closes the stream', async () => {
    const remote = await open('shell:echo hello');
    const wrte = await host.next();
    expect(wrte.command).toBe(A_WRTE);
    expect(wrte.data.toString()).toBe('hello\n');
    host.send(A_OKAY, 7, remote);
    const close = await host.next();
    expect(close.command).toBe(A_CLSE);
  });

  it('refuses an unknown service and a closed device port with CLSE', async () => {
    await host.next();
    host.send(A_OPEN, 9, 0, Buffer.from('jdwp:1234\0'));
    expect((await host.next()).command).toBe(A_CLSE);
    host.send(A_OPEN, 10, 0, Buffer.from('tcp:6790\0'));
    const refused = await host.next();
    expect(refused.command).toBe(A_CLSE);
    expect(refused.arg1).toBe(10);
  });

  it('waits for OKAY before the next WRTE (flow control)', async () => {
    const remote = await open('shell:echo a; sleep 0.05; echo b');
    const first = await host.next();
    expect(first.data.toString()).toBe('a\n');
    expect(await host.quiet(300)).toBe(true);
    host.send(A_OKAY, 7, remote);
    expect((await host.next()).data.toString()).toBe('b\n');
  });

  it('frames shell v2 output and sends the exit code last', async () => {
    const remote = await open('shell,v2,raw:echo out; echo err >&2; exit 3');
    const parser = new ShellPacketParser();
    const packets = [];
    for (let i = 0; i < 10; i += 1) {
      const p = await host.next();
      if (p.command === A_CLSE) break;
      packets.push(...parser.push(p.data));
      host.send(A_OKAY, 7, remote);
    }
    expect(packets.map((p) => [p.id, p.data.toString('latin1')])).toEqual([
      [SHELL_ID.stdout, 'out\n'],
      [SHELL_ID.stderr, 'err\n'],
      [SHELL_ID.exit, '\x03'],
    ]);
  });

  it('reads shell v2 stdin until close-stdin', async () => {
    const remote = await open('shell,v2,raw:cat');
    host.send(A_WRTE, 7, remote, Buffer.concat([encodeShellPacket(SHELL_ID.stdin, 'piped'), encodeShellPacket(SHELL_ID.closeStdin)]));
    expect((await host.next()).command).toBe(A_OKAY);
    const out = await host.next();
    expect(new ShellPacketParser().push(out.data)[0]?.data.toString()).toBe('piped');
  });
});

describe('sync service', () => {
  function req(id: string, payload: Buffer | string): Buffer {
    const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(data.length, 4);
    return Buffer.concat([head, data]);
  }

  it('stores a SEND, answers STAT and RECV, and FAILs a missing file', async () => {
    const remote = await open('sync:');
    const body = Buffer.from('file body');
    host.send(A_WRTE, 7, remote, Buffer.concat([req('SEND', '/data/local/tmp/x/y.txt,33188'), req('DATA', body)]));
    expect((await host.next()).command).toBe(A_OKAY);
    const done = Buffer.alloc(8);
    done.write('DONE', 0, 'latin1');
    done.writeUInt32LE(1_700_000_000, 4);
    host.send(A_WRTE, 7, remote, done);
    expect((await host.next()).command).toBe(A_OKAY);
    expect((await host.next()).data.toString('latin1', 0, 4)).toBe('OKAY');
    host.send(A_OKAY, 7, remote);
    expect(os.fs.readFile('/data/local/tmp/x/y.txt').toString()).toBe('file body');
    expect(os.fs.stat('/data/local/tmp/x/y.txt')?.mtime).toBe(1_700_000_000_000);

    host.send(A_WRTE, 7, remote, req('STAT', '/data/local/tmp/x/y.txt'));
    await host.next();
    const stat = await host.next();
    host.send(A_OKAY, 7, remote);
    expect(stat.data.toString('latin1', 0, 4)).toBe('STAT');
    expect(stat.data.readUInt32LE(4) & 0o170000).toBe(0o100000);
    expect(stat.data.readUInt32LE(8)).toBe(body.length);

    host.send(A_WRTE, 7, remote, req('RECV', '/data/local/tmp/x/y.txt'));
    await host.next();
    const recv = await host.next();
    host.send(A_OKAY, 7, remote);
    expect(recv.data.toString('latin1', 0, 4)).toBe('DATA');
    expect(recv.data.subarray(8, 8 + body.length).toString()).toBe('file body');
    expect(recv.data.toString('latin1', 8 + body.length, 12 + body.length)).toBe('DONE');

    host.send(A_WRTE, 7, remote, req('RECV', '/sdcard/missing'));
    await host.next();
    const fail = await host.next();
    expect(fail.data.toString('latin1', 0, 4)).toBe('FAIL');
    expect(fail.data.subarray(8).toString()).toBe('No such file or directory');
  });
});
