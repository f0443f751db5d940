import { loadHookCatalogue } from '../../product/contracts/hook-catalogue.js';
import { attachAppRuntime } from './app-runtime/attach.js';
import { JavaWorld } from './frida/java-world.js';
import { VirtualJavaRuntime } from './frida/runtime.js';
import { startFridaService } from './frida/service.js';
import type { DevicePlugin } from './launcher.js';

/**
 * What a virtual handset runs by default when started as `consentry virtual-device`: the app
 * runtime (behaviour models, screens, the UiAutomator2 server behind `am instrument`) and the
 * Frida-compatible service on device port 27042, both over one Java runtime so that the agent
 * the harness loads sees every sensitive call the apps make.
 */
export function defaultDevicePlugins(): DevicePlugin[] {
  const catalogue = loadHookCatalogue();
  return [
    (os, device) => {
      const runtime = new VirtualJavaRuntime({
        world: JavaWorld.fromCatalogue(catalogue),
        androidVersion: os.identity.release,
        processName: (pid) => os.processes().find((p) => p.pid === pid)?.name,
      });
      const { host, detach } = attachAppRuntime(os, { javaRuntime: runtime, logger: device.logger });
      const stopFrida = startFridaService({
        os,
        runtime,
        // Device.spawn(package): a launch whose process the runtime holds until resumed.
        launch: async (identifier) => {
          await os.launch(identifier.split(':')[0]!);
        },
        kill: (pid) => {
          const name = os.processes().find((p) => p.pid === pid)?.name;
          if (name) host.forceStop(name.split(':')[0]!);
          else os.killProcess(pid);
          runtime.processDied(pid, 'killed');
        },
        logger: device.logger,
      });
      return () => {
        stopFrida();
        detach();
      };
    },
  ];
}
