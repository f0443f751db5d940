import type { VirtualPhoneOs } from '../../os/phone-os.js';
import type { ShellInterpreter } from '../../shell/interpreter.js';
import type { AdbConnection, ServiceResolver } from '../connection.js';
import { rebootService } from './reboot.js';
import { reverseService } from './reverse.js';
import { shellService } from './shell.js';
import { syncService } from './sync.js';
import { tcpService } from './tcp.js';

/** Maps service names to their handlers, as adbd's daemon_service_to_fd does. */
export function serviceResolver(os: VirtualPhoneOs, interpreter: ShellInterpreter, onReboot: (connection: AdbConnection) => void): ServiceResolver {
  return async (name, connection) => {
    if (name.startsWith('shell') || name.startsWith('exec:')) return shellService(os, interpreter, name);
    if (name === 'sync:') return syncService(os);
    if (name.startsWith('tcp:')) return tcpService(os, name);
    if (name.startsWith('reverse:')) return reverseService(os, name, connection);
    if (name.startsWith('reboot:')) return rebootService(os, name, () => onReboot(connection));
    os.recordCommand('unknown', name);
    return undefined;
  };
}
