import type { DeviceIdentifiers, HookEvent } from '../contracts/bundle-schema.js';
import type { DataTypeId } from '../contracts/data-types.js';

/**
 * Identifier values the agent saw an API return: these are what to look for in the traffic.
 * Only kinds that are values (not lists or handles) are taken, and only whole values (the agent
 * marks a cut value with "…(N chars)").
 */
const VALUE_TYPES = new Set<DataTypeId>([
  'device-id',
  'subscriber-id',
  'sim-serial',
  'phone-number',
  'serial',
  'android-id',
  'mac-address',
  'wifi-network',
  'advertising-id',
]);

const LOCATION_RE = /(-?\d{1,3}\.\d{3,})\s*,\s*(-?\d{1,3}\.\d{3,})/;
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const USELESS = new Set(['null', '', 'unknown', '<unknown ssid>', '02:00:00:00:00:00', '00000000-0000-0000-0000-000000000000']);

export class ObservedIdentifiers {
  private readonly values = new Map<DataTypeId, Set<string>>();

  take(event: Pick<HookEvent, 'dataType' | 'ret' | 'outcome' | 'api'>): void {
    if (event.outcome.kind !== 'returned' || event.ret === undefined) return;
    const ret = event.ret.trim();
    if (ret.includes('…(') || USELESS.has(ret.toLowerCase())) return;
    const type = event.dataType as DataTypeId;
    if (type === 'location') {
      const m = LOCATION_RE.exec(ret);
      if (m) this.add('location', `${m[1]},${m[2]}`);
      return;
    }
    if (!VALUE_TYPES.has(type) || ret.length < 4 || ret.length > 256) return;
    if (type === 'mac-address' && !MAC_RE.test(ret)) return;
    // SSIDs come quoted from WifiInfo.getSSID(): the network name is inside.
    this.add(type, type === 'wifi-network' ? ret.replace(/^"(.*)"$/, '$1') : ret);
  }

  private add(type: DataTypeId, value: string): void {
    let set = this.values.get(type);
    if (!set) this.values.set(type, (set = new Set()));
    if (set.size < 1000) set.add(value);
  }

  snapshot(): DeviceIdentifiers {
    const out: DeviceIdentifiers = {};
    for (const [type, set] of this.values) out[type] = [...set].sort();
    return out;
  }
}
