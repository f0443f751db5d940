import type { JavaBridge } from './java-bridge.js';

/**
 * Default resolution of "#java": the runtime's global `Java` (Frida ≤ 16, the Frida REPL, and the
 * virtual device's runtime). Read when the script loads, not at build time.
 */
const Java = (globalThis as unknown as { Java: JavaBridge }).Java;
export default Java;
