import type { Duplex } from 'node:stream';
import type { VirtualPhoneOs } from '../../os/phone-os.js';
import type { ServiceHandler } from '../connection.js';

/** Joins two duplexes both ways; when either side ends or fails, both are torn down. */
export function splice(a: Duplex, b: Duplex): void {
  let done = false;
  const close = () => {
    if (done) return;
    done = true;
    a.destroy();
    b.destroy();
  };
  a.pipe(b);
  b.pipe(a);
  for (const s of [a, b]) {
    s.once('close', close);
    s.once('error', close);
    s.once('end', () => setImmediate(close));
  }
}

/**
 * `tcp:PORT` / `tcp:HOST:PORT`: what `adb forward` opens. The connection is made before the
 * stream is accepted, so a closed port is refused with CLSE as adbd does.
 */
export async function tcpService(os: VirtualPhoneOs, name: string): Promise<ServiceHandler | undefined> {
  const m = /^tcp:(?:([^:]+):)?(\d{1,5})$/.exec(name);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  os.recordCommand('tcp', name);
  const socket = await os.connect(m[1] ?? '127.0.0.1', port);
  return (stream) => splice(stream, socket);
}
