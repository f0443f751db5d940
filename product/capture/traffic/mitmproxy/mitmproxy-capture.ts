import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PACKAGE_ROOT } from '../../../core/paths.js';
import { errorMessage, TimeoutError } from '../../../core/errors.js';
import { silentLogger, type Logger } from '../../../core/logger.js';
import { freePort } from '../../../core/free-port.js';
import { runProcess, startProcess, type ManagedProcess } from '../../../core/process.js';
import { CaptureStartError, type AdapterAvailability, type CaptureStartOptions, type RunningCapture, type TrafficCaptureAdapter } from '../capture-port.js';
import { withoutDefaultPort, httpVersionLabel, type CapturedExchange } from '../exchange.js';
import { BridgeMessage } from './bridge-protocol.js';

/**
 * The mitmproxy adapter: Debian's `mitmdump` with consentry's addon, which streams each
 * completed flow and TLS failure back over a loopback socket (the bridge). mitmdump also keeps
 * its native flow file (`-w`) in the bundle, so investigators can open it in mitmweb.
 */

/** The addon ships as source beside this module (the package includes harness/). */
export const ADDON_PATH = join(PACKAGE_ROOT, 'product', 'capture', 'traffic', 'mitmproxy', 'consentry_addon.py');

const availability = new Map<string, Promise<AdapterAvailability>>();

export function mitmproxyCapture(mitmdump = 'mitmdump'): TrafficCaptureAdapter {
  return {
    id: 'mitmproxy',
    description: `mitmproxy (${mitmdump}) with the consentry bridge addon`,
    isAvailable() {
      let check = availability.get(mitmdump);
      if (!check) {
        check = probe(mitmdump);
        availability.set(mitmdump, check);
      }
      return check;
    },
    start: (options) => startMitmdump(mitmdump, options),
  };
}

async function probe(mitmdump: string): Promise<AdapterAvailability> {
  try {
    const out = await runProcess(mitmdump, ['--version'], { timeoutMs: 20_000 });
    const version = /Mitmproxy:\s*([\w.-]+)/.exec(out.stdout)?.[1];
    if (!version) return { available: false, reason: `${mitmdump} --version printed no mitmproxy version` };
    const major = Number(version.split('.')[0]);
    if (major < 8) return { available: false, version, reason: `mitmproxy ${version} is too old (the addon needs 8 or later)` };
    return { available: true, version };
  } catch (e) {
    return { available: false, reason: errorMessage(e) };
  }
}

interface Bridge {
  server: Server;
  port: number;
  hello: Promise<string>;
  closed: Promise<void>;
}

function openBridge(onExchange: (ex: CapturedExchange) => void, logger: Logger): Promise<Bridge> {
  let helloResolve!: (v: string) => void;
  let helloReject!: (e: Error) => void;
  const hello = new Promise<string>((resolve, reject) => {
    helloResolve = resolve;
    helloReject = reject;
  });
  hello.catch(() => undefined);
  let closedResolve!: () => void;
  const closed = new Promise<void>((resolve) => (closedResolve = resolve));
  let connected: Socket | undefined;
  const server = createServer((socket) => {
    if (connected) {
      socket.destroy(); // one mitmdump, one bridge connection
      return;
    }
    connected = socket;
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let message: BridgeMessage;
      try {
        message = BridgeMessage.parse(JSON.parse(line));
      } catch (err) {
        logger.error({ err: errorMessage(err), line: line.slice(0, 200) }, 'bridge: invalid line from the mitmproxy addon');
        return;
      }
      if (message.type === 'hello') {
        helloResolve(message.mitmproxy);
        return;
      }
      const ex = message.exchange;
      try {
        onExchange({
          ...ex,
          ...(ex.request
            ? {
                request: {
                  ...ex.request,
                  url: withoutDefaultPort(ex.request.url),
                  ...(ex.request.httpVersion ? { httpVersion: httpVersionLabel(ex.request.httpVersion)! } : {}),
                },
              }
            : {}),
        });
      } catch (err) {
        logger.error({ err }, 'flow handler failed');
      }
    });
    socket.on('error', (err) => logger.warn({ err: err.message }, 'bridge socket error'));
    socket.on('close', () => {
      helloReject(new Error('the addon closed the bridge before saying hello'));
      closedResolve();
    });
  });
  return new Promise<Bridge>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, port, hello, closed });
    });
  });
}

async function startMitmdump(mitmdump: string, options: CaptureStartOptions): Promise<RunningCapture> {
  const logger = (options.logger ?? silentLogger()).child({ capture: 'mitmproxy' });
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const bridge = await openBridge(options.onExchange, logger);
  // Only for an upstream trust file (tests with their own origin CA): a run needs no scratch
  // folder, so a run killed with SIGKILL leaves none behind.
  let scratch: string | undefined;
  const removeScratch = () => scratch && rmSync(scratch, { recursive: true, force: true });
  const args = [
    '--listen-host', host,
    '--set', `confdir=${options.ca.mitmproxyConfDir}`,
    '-s', ADDON_PATH,
    '--set', `consentry_bridge=127.0.0.1:${bridge.port}`,
    '--set', 'flow_detail=0',
    '--set', `consentry_max_body=${options.maxBodyBytes ?? 0}`,
    '--set', 'termlog_verbosity=info',
    // Complete the client's TLS handshake before connecting upstream, so that a request is
    // captured even when its server cannot be reached (an offline lab, a dead tracker host):
    // what the app tried to send is the evidence, whether or not it arrived.
    '--set', 'connection_strategy=lazy',
  ];
  if (options.nativeFlowFile) args.push('-w', options.nativeFlowFile);
  if (options.upstream?.insecure) args.push('--ssl-insecure');
  if (options.upstream?.extraCaPems?.length) {
    // mitmproxy replaces its trust store with this file: keep the public roots in it.
    scratch = mkdtempSync(join(tmpdir(), 'consentry-mitm-'));
    const bundle = join(scratch, 'upstream-cas.pem');
    writeFileSync(bundle, [...rootCertificates, ...options.upstream.extraCaPems].join('\n'));
    args.push('--set', `ssl_verify_upstream_trusted_ca=${bundle}`);
  }

  let proc: ManagedProcess | undefined;
  const cleanup = async () => {
    await proc?.stop(5000);
    bridge.server.close();
    removeScratch();
  };
  try {
    // The port is chosen here and handed over; if something grabs it in between, try again.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = options.port ?? (await freePort(host));
      let bindError = false;
      proc = startProcess(mitmdump, [...args, '--listen-port', String(port)], {
        name: 'mitmdump',
        logger,
        onLine: (line) => {
          if (/Address already in use|Errno 98/.test(line)) bindError = true;
        },
      });
      const exited = proc.exited.then((code) =>
        Promise.reject(new CaptureStartError('mitmproxy', `mitmdump exited (${code}) during start-up${bindError ? ': port in use' : ''}`)),
      );
      exited.catch(() => undefined); // it also rejects at a normal stop, long after start-up
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError('mitmdump start-up', timeoutMs)), timeoutMs);
      });
      try {
        const version = await Promise.race([bridge.hello, exited, timeout]).finally(() => clearTimeout(timer));
        logger.info({ host, port, version }, 'mitmproxy capture listening');
        const proxy = proc;
        let gone = false;
        void proxy.exited.then(() => (gone = true));
        let stopping: Promise<void> | undefined;
        return {
          adapter: 'mitmproxy',
          host,
          port,
          proxyUrl: `http://${host}:${port}`,
          versions: { mitmproxy: version },
          alive: () => !gone,
          stop() {
            stopping ??= (async () => {
              await proxy.stop(5000);
              // The addon closes the bridge in done(): every completed flow has been sent.
              await Promise.race([bridge.closed, delay(5000)]);
              bridge.server.close();
              removeScratch();
            })();
            return stopping;
          },
        };
      } catch (err) {
        await proc.stop(2000);
        if (!bindError || options.port !== undefined || attempt === 2) throw err;
      }
    }
    throw new CaptureStartError('mitmproxy', 'no free port');
  } catch (err) {
    await cleanup();
    throw err instanceof CaptureStartError ? err : new CaptureStartError('mitmproxy', errorMessage(err), err);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
