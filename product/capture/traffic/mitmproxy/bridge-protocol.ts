import { z } from 'zod';
import { CapturedExchange } from '../exchange.js';

/**
 * The mitmproxy→consentry bridge: one JSON object per line over a loopback TCP connection that
 * the addon (consentry_addon.py) opens to the harness. Every line is validated here: the addon
 * runs in another process and another language, so nothing it sends is trusted by shape.
 */
export const BridgeMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), mitmproxy: z.string() }),
  z.object({ type: z.literal('exchange'), exchange: CapturedExchange }),
]);
export type BridgeMessage = z.output<typeof BridgeMessage>;

// Size: the addon cuts every body to `consentry_max_body` (the harness's body cap) before it
// is sent, so one line stays bounded by a few times that cap.
