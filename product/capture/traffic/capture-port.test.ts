import { describe, expect, it } from 'vitest';
import { CaptureAdapterRegistry } from './capture-port.js';
import { embeddedCapture } from './embedded/mockttp-capture.js';
import { BridgeMessage } from './mitmproxy/bridge-protocol.js';
import { mitmproxyCapture } from './mitmproxy/mitmproxy-capture.js';
import { defaultCaptureAdapters } from './traffic-session.js';

describe('capture adapter registry', () => {
  it('falls back to the embedded adapter when mitmproxy is missing (auto)', async () => {
    const registry = new CaptureAdapterRegistry().register(mitmproxyCapture('/nonexistent/mitmdump')).register(embeddedCapture);
    const availability = await registry.get('mitmproxy')!.isAvailable();
    expect(availability.available).toBe(false);
    expect((await registry.choose('auto')).id).toBe('embedded');
    await expect(registry.choose('mitmproxy')).rejects.toThrow(/mitmproxy is not available/);
  });

  it('prefers mitmproxy when it is installed', async () => {
    const registry = defaultCaptureAdapters();
    const mitm = await registry.get('mitmproxy')!.isAvailable();
    expect((await registry.choose('auto')).id).toBe(mitm.available ? 'mitmproxy' : 'embedded');
  });

  it('rejects duplicate ids and unknown adapters', async () => {
    const registry = new CaptureAdapterRegistry().register(embeddedCapture);
    expect(() => registry.register(embeddedCapture)).toThrow(/already registered/);
    await expect(registry.choose('charles')).rejects.toThrow(/unknown traffic adapter "charles"/);
  });
});

describe('mitmproxy bridge protocol', () => {
  it('turns a JSON line into an exchange with body bytes', () => {
    const line = JSON.stringify({
      type: 'exchange',
      exchange: {
        t: 1000,
        server: { host: 'a.test', port: 443 },
        scheme: 'https',
        request: { method: 'POST', url: 'https://a.test/x', headers: [['content-type', 'text/plain']], body: Buffer.from('hi').toString('base64') },
      },
    });
    const message = BridgeMessage.parse(JSON.parse(line));
    expect(message.type === 'exchange' && message.exchange.request!.body.toString()).toBe('hi');
  });

  it('refuses a line of the wrong shape', () => {
    expect(BridgeMessage.safeParse({ type: 'exchange', exchange: { t: 'soon' } }).success).toBe(false);
    expect(BridgeMessage.safeParse({ type: 'exchange', exchange: { t: 1, server: { host: 'a', port: 1 }, scheme: 'gopher' } }).success).toBe(false);
  });
});
