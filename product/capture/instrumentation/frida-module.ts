import type { FridaApi } from './frida-api.js';
import { loadFrida } from './frida-loader.js';
import { createVirtualFrida } from './virtual-frida-client.js';

/**
 * Which frida module a device gets: a phone needs the real binding (optional dependency, loaded
 * lazily, one clear error when missing); the virtual device is reached with the client of its
 * Frida-compatible service. The adapter receives the result and cannot tell them apart.
 */
export async function fridaModuleFor(device: { virtual: boolean }): Promise<FridaApi> {
  if (device.virtual) return createVirtualFrida();
  return loadFrida();
}
