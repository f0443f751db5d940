import type { AppHost, PhoneOs } from '../contracts.js';
import type { ElementNode } from './element-tree.js';

/** The server's own settings (GET/POST /appium/settings), with appium-uiautomator2-server's defaults. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  actionAcknowledgmentTimeout: 3000,
  allowInvisibleElements: false,
  ignoreUnimportantViews: false,
  elementResponseAttributes: '',
  enableMultiWindows: false,
  enableNotificationListener: true,
  keyInjectionDelay: 0,
  scrollAcknowledgmentTimeout: 200,
  shouldUseCompactResponses: true,
  waitForIdleTimeout: 10000,
  waitForSelectorTimeout: 10000,
  normalizeTagNames: false,
  shutdownOnPowerDisconnect: true,
  simpleBoundsCalculation: false,
  trackScrollEvents: true,
  wakeLockTimeout: 86400000,
  serverPort: 6790,
};

/** GET /appium/device/info, in the shape of the server's GetDeviceInfo handler. */
export function deviceInfo(os: PhoneOs, app: AppHost): Record<string, unknown> {
  const id = os.identity;
  const size = app.screenSize();
  return {
    androidId: os.getSetting('secure', 'android_id') ?? id.androidId,
    manufacturer: id.manufacturer,
    model: id.model,
    brand: os.getProp('ro.product.brand') ?? id.manufacturer,
    apiVersion: String(id.apiLevel),
    platformVersion: id.release,
    carrierName: os.getProp('gsm.operator.alpha') ?? 'CHINA MOBILE',
    realDisplaySize: `${size.width}x${size.height}`,
    displayDensity: size.density,
    networks: [
      {
        typeName: 'WIFI',
        type: 1,
        subtype: 0,
        subtypeName: '',
        connected: true,
        connectionState: 5,
        extraInfo: null,
        available: true,
        isFailover: false,
        isRoaming: false,
        capabilities: { transportTypes: '1', networkCapabilities: '12,13,14,15', linkUpstreamBandwidthKbps: 1048576, linkDownBandwidthKbps: 1048576, signalStrength: -50, networkSpecifier: null, ssid: null },
      },
    ],
    locale: os.getProp('persist.sys.locale') ?? 'en-US',
    timeZone: os.getProp('persist.sys.timezone') ?? 'Asia/Shanghai',
    bluetooth: { state: 'ON' },
  };
}

const ATTRIBUTE_ALIASES: Record<string, string> = {
  contentDescription: 'content-desc',
  'content-desc': 'content-desc',
  name: 'content-desc',
  resourceId: 'resource-id',
  'resource-id': 'resource-id',
  className: 'class',
  class: 'class',
  longClickable: 'long-clickable',
};

export function attributeOf(node: ElementNode, name: string): string | null {
  const key = ATTRIBUTE_ALIASES[name] ?? name;
  return node.attrs[key] ?? null;
}

