import type { VirtualPhoneOs } from '../../os/phone-os.js';
import type { ServiceHandler } from '../connection.js';

/**
 * `reboot:[bootloader|recovery|...]`: app processes end and the host connection drops; files,
 * packages and settings survive, as on a phone. The host reconnects (adb reconnects TCP devices).
 */
export function rebootService(os: VirtualPhoneOs, name: string, onReboot: () => void): ServiceHandler | undefined {
  if (!name.startsWith('reboot:')) return undefined;
  os.recordCommand('reboot', name.slice('reboot:'.length));
  return async (stream) => {
    await os.reboot();
    stream.end();
    setTimeout(onReboot, 100).unref();
  };
}
