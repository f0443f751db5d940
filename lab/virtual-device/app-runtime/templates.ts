import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { DeviceIdentity } from '../contracts.js';
import type { HttpRequestSpec, TEMPLATE_FILTERS } from '../models/schema.js';

/**
 * Request templates: `{{name|filter|filter}}`. Names are data-type ids plus a few extras
 * (`location.latitude`, `package`, `timestamp`); filters hash or encode the value the way SDKs
 * do before they send it (md5 of the IMEI, base64 of a JSON blob...). Unknown names render
 * as "" so a model typo is visible in the traffic rather than crashing the app.
 */
export type TemplateFilter = (typeof TEMPLATE_FILTERS)[number];

export interface TemplateValues {
  identity: DeviceIdentity;
  androidId: string;
  packageName: string;
  versionName: string;
  now: number;
}

function valueOf(name: string, v: TemplateValues): string | undefined {
  const id = v.identity;
  switch (name) {
    case 'device-id':
      return id.imei;
    case 'subscriber-id':
      return id.imsi;
    case 'sim-serial':
      return id.iccid;
    case 'phone-number':
      return id.phoneNumber;
    case 'serial':
      return id.hardwareSerial;
    case 'android-id':
      return v.androidId;
    case 'mac-address':
      return id.wifiMac;
    case 'bluetooth-mac':
      return id.bluetoothMac;
    case 'wifi-network':
    case 'bssid':
      return id.bssid;
    case 'ssid':
      return id.ssid;
    case 'advertising-id':
      return id.advertisingId;
    case 'oaid':
      return id.oaid;
    case 'location':
      return `${id.location.latitude.toFixed(6)},${id.location.longitude.toFixed(6)}`;
    case 'location.latitude':
      return id.location.latitude.toFixed(6);
    case 'location.longitude':
      return id.location.longitude.toFixed(6);
    case 'device-model':
      return id.model;
    case 'os-info':
      return id.release;
    case 'network-info':
      return id.imsi.slice(0, 5);
    case 'package':
      return v.packageName;
    case 'version':
      return v.versionName;
    case 'timestamp':
      return String(v.now);
    default:
      return undefined;
  }
}

export function applyFilter(value: string, filter: string): string {
  switch (filter) {
    case 'md5':
    case 'sha1':
    case 'sha256':
      return createHash(filter).update(value, 'utf8').digest('hex');
    case 'base64':
      return Buffer.from(value, 'utf8').toString('base64');
    case 'base64url':
      return Buffer.from(value, 'utf8').toString('base64url');
    case 'hex':
      return Buffer.from(value, 'utf8').toString('hex');
    case 'urlencode':
      return encodeURIComponent(value);
    case 'upper':
      return value.toUpperCase();
    case 'lower':
      return value.toLowerCase();
    case 'nocolons':
      return value.replace(/:/g, '');
    default:
      throw new Error(`unknown template filter "${filter}"`);
  }
}

const PLACEHOLDER = /\{\{\s*([a-z0-9.-]+)((?:\s*\|\s*[a-z0-9]+)*)\s*\}\}/g;

export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_m, name: string, filters: string) => {
    let value = valueOf(name, values) ?? '';
    for (const f of filters.split('|').map((s) => s.trim()).filter(Boolean)) value = applyFilter(value, f);
    return value;
  });
}

/** A model's request with its placeholders filled, the body encoded and optionally gzipped. */
export function renderRequest(spec: HttpRequestSpec, values: TemplateValues): { url: string; headers: Record<string, string>; body?: Buffer } {
  const url = renderTemplate(spec.url, values);
  const headers = Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, renderTemplate(v, values)]));
  if (spec.body === undefined) return { url, headers };
  let text = renderTemplate(spec.body, values);
  if (spec.encode) text = applyFilter(text, spec.encode);
  let body = Buffer.from(text, 'utf8');
  if (spec.gzip) {
    body = gzipSync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  return { url, headers, body };
}
