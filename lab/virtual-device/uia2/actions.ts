import type { AppHost } from '../contracts.js';

/**
 * W3C Actions (POST /actions), as the driver forwards them: pointer sources become taps or
 * swipes, key sources become text and key events. Pauses are honoured up to a bound so a
 * script cannot stall the server.
 */
export interface W3cActionSource {
  type: 'pointer' | 'key' | 'none' | string;
  id?: string;
  actions: {
    type: string;
    duration?: number;
    x?: number;
    y?: number;
    origin?: unknown;
    value?: string;
    button?: number;
  }[];
}

/** WebDriver's special keys (the Unicode private-use block) that map to Android key codes. */
const SPECIAL_KEYS: Record<string, number> = {
  '\uE003': 67, // Backspace → KEYCODE_DEL
  '\uE006': 66, // Return → KEYCODE_ENTER
  '\uE007': 66, // Enter → KEYCODE_ENTER
  '\uE00C': 111, // Escape
  '\uE017': 112, // Delete → KEYCODE_FORWARD_DEL
};

const W3C_ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

export async function performActions(
  sources: W3cActionSource[],
  app: AppHost,
  elementBounds: (id: string) => { x: number; y: number; width: number; height: number },
): Promise<void> {
  for (const source of sources) {
    if (source.type === 'pointer') {
      let x = 0;
      let y = 0;
      let down: { x: number; y: number; at: number } | undefined;
      for (const a of source.actions) {
        if (a.type === 'pointerMove') {
          const origin = a.origin as Record<string, string> | string | undefined;
          if (origin && typeof origin === 'object') {
            const b = elementBounds(origin[W3C_ELEMENT_KEY] ?? origin.ELEMENT ?? '');
            x = b.x + b.width / 2 + (a.x ?? 0);
            y = b.y + b.height / 2 + (a.y ?? 0);
          } else if (origin === 'pointer') {
            x += a.x ?? 0;
            y += a.y ?? 0;
          } else {
            x = a.x ?? 0;
            y = a.y ?? 0;
          }
        } else if (a.type === 'pointerDown') {
          down = { x, y, at: Date.now() };
        } else if (a.type === 'pointerUp' && down) {
          const moved = Math.hypot(x - down.x, y - down.y) > 10;
          if (moved) {
            await app.input({ kind: 'swipe', x1: Math.round(down.x), y1: Math.round(down.y), x2: Math.round(x), y2: Math.round(y), durationMs: Date.now() - down.at });
          } else {
            await app.input({ kind: 'tap', x: Math.round(x), y: Math.round(y) });
          }
          down = undefined;
        } else if (a.type === 'pause' && a.duration) {
          await new Promise((r) => setTimeout(r, Math.min(a.duration ?? 0, 5000)));
        }
      }
    } else if (source.type === 'key') {
      let text = '';
      const flush = async (): Promise<void> => {
        if (text) await app.input({ kind: 'text', text });
        text = '';
      };
      for (const a of source.actions) {
        if (a.type !== 'keyDown' || a.value === undefined) continue;
        const code = SPECIAL_KEYS[a.value];
        if (code !== undefined) {
          await flush();
          await app.input({ kind: 'key', keyCode: code });
        } else if (a.value < '\uE000' || a.value > '\uF8FF') {
          text += a.value;
        }
      }
      await flush();
    }
  }
}
