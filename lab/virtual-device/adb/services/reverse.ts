import { randomInt } from 'node:crypto';
import type { VirtualPhoneOs } from '../../os/phone-os.js';
import { DeviceNetworkError, type HostTunnel } from '../../os/network.js';
import type { ServiceHandler } from '../connection.js';
import type { AdbStream } from '../stream.js';

/**
 * Replies as adbd's handle_forward_request writes them on the device side: "OKAY" (the host
 * adds its own first OKAY for the stream), then optionally a hex-length-prefixed string;
 * list-forward sends the length-prefixed listing alone; errors are "FAIL" + length + text.
 */
function protocolString(text: string): Buffer {
  return Buffer.from(`${Buffer.byteLength(text).toString(16).padStart(4, '0')}${text}`, 'utf8');
}
function okay(text?: string): Buffer {
  return text === undefined ? Buffer.from('OKAY', 'latin1') : Buffer.concat([Buffer.from('OKAY', 'latin1'), protocolString(text)]);
}
function failure(message: string): Buffer {
  return Buffer.from(`FAIL${Buffer.byteLength(message).toString(16).padStart(4, '0')}${message}`, 'utf8');
}

const TCP_SPEC = /^tcp:(\d{1,5})$/;

function reply(stream: AdbStream, data: Buffer): void {
  stream.end(data);
}

/**
 * `reverse:forward[:norebind]:DEVICE;HOST`, `reverse:killforward:DEVICE`,
 * `reverse:killforward-all`, `reverse:list-forward`. A mapping makes device connections to
 * 127.0.0.1:DEVICE open an ADB stream to the host (OPEN "tcp:HOST_PORT"), as adbd's
 * listener does.
 */
export function reverseService(os: VirtualPhoneOs, name: string, tunnel: HostTunnel): ServiceHandler | undefined {
  if (!name.startsWith('reverse:')) return undefined;
  const request = name.slice('reverse:'.length);
  os.recordCommand('reverse', request);
  return (stream) => {
    if (request === 'list-forward') {
      const lines = os.network
        .listReverses(tunnel)
        .map((m) => `(reverse) ${m.device} ${m.host}\n`)
        .join('');
      reply(stream, protocolString(lines));
      return;
    }
    if (request === 'killforward-all') {
      os.network.removeReversesOf(tunnel);
      reply(stream, okay());
      return;
    }
    if (request.startsWith('killforward:')) {
      const device = request.slice('killforward:'.length);
      reply(stream, os.network.removeReverse(device) ? okay() : failure(`listener '${device}' not found`));
      return;
    }
    if (request.startsWith('forward:')) {
      let spec = request.slice('forward:'.length);
      const noRebind = spec.startsWith('norebind:');
      if (noRebind) spec = spec.slice('norebind:'.length);
      const [device, host] = spec.split(';');
      const d = TCP_SPEC.exec(device ?? '');
      if (!d || !host || !TCP_SPEC.test(host)) {
        reply(stream, failure(`cannot bind listener: unsupported socket spec '${device ?? ''}'`));
        return;
      }
      // tcp:0 asks the device to choose a port and report it back.
      let port = Number(d[1]);
      if (port === 0) {
        do port = randomInt(20_000, 60_000);
        while (os.network.isListening(port));
      }
      try {
        os.network.addReverse({ device: `tcp:${port}`, host, tunnel }, { noRebind });
      } catch (err) {
        reply(stream, failure(err instanceof DeviceNetworkError ? err.message : String(err)));
        return;
      }
      stream.end(Number(d[1]) === 0 ? okay(String(port)) : okay());
      return;
    }
    reply(stream, failure(`unknown reverse request '${request}'`));
  };
}
