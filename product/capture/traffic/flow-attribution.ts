import type { Attribution, Flow } from '../../contracts/bundle-schema.js';
import type { SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';

/**
 * Who received a flow (destination: first party, an SDK's vendor, the platform) and whose
 * traffic it was (origin: the app under test, a system process, unknown). Host names match on
 * whole labels: "umeng.com" covers "alog.umeng.com", never "notumeng.com".
 */

/**
 * Hosts the Android platform and Google Play services talk to on their own (connectivity
 * checks, time, Play Store, GMS check-in, push). Traffic to them is not the app's unless the
 * device says which uid opened the connection.
 */
export const SYSTEM_HOSTS: readonly string[] = [
  'connectivitycheck.gstatic.com',
  'connectivitycheck.android.com',
  'clients3.google.com',
  'clients4.google.com',
  'time.android.com',
  'android.clients.google.com',
  'android.googleapis.com',
  'play.googleapis.com',
  'play-fe.googleapis.com',
  'play-lh.googleusercontent.com',
  'mtalk.google.com',
  'checkin.gstatic.com',
  'update.googleapis.com',
  'dl.google.com',
  'ota.googlezip.net',
  'safebrowsing.googleapis.com',
  'infinitedata-pa.googleapis.com',
  'mobilenetworkscoring-pa.googleapis.com',
  'connectivitycheck.platform.hicloud.com',
  'connect.rom.miui.com',
];

/** Two-label public suffixes common in app publishers' domains (enough for package inference). */
const TWO_LABEL_SUFFIXES = new Set([
  'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn', 'co.uk', 'org.uk', 'com.au', 'co.jp', 'com.hk', 'com.tw', 'co.kr', 'com.br', 'com.sg', 'co.in',
]);

/** Likely first-party domains from a package name: com.example.shop → example.com. */
export function domainsFromPackage(pkg: string): string[] {
  const labels = pkg.toLowerCase().split('.').reverse();
  if (labels.length < 2) return [];
  const tail2 = labels.slice(-2).join('.');
  const n = TWO_LABEL_SUFFIXES.has(tail2) ? 3 : 2;
  // reversed package: shop.example.com → registrable domain = last n labels
  const reversed = pkg.toLowerCase().split('.');
  const domain = reversed.slice(0, n).reverse().join('.');
  return domain.split('.').length === n ? [domain] : [];
}

export function hostUnder(host: string, domain: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/^\*?\./, '').replace(/\.$/, '');
  return h === d || h.endsWith(`.${d}`);
}

export interface AttributionContext {
  appPackage: string;
  appUid?: number;
  firstPartyDomains?: readonly string[];
  catalogue: SdkCatalogue;
  systemHosts?: readonly string[];
}

export class DestinationAttributor {
  private readonly firstParty: string[];
  private readonly systemHosts: readonly string[];

  constructor(private readonly context: AttributionContext) {
    this.firstParty = [...(context.firstPartyDomains ?? []), ...domainsFromPackage(context.appPackage)];
    this.systemHosts = context.systemHosts ?? SYSTEM_HOSTS;
  }

  destination(host: string): Attribution {
    const first = this.firstParty.find((d) => hostUnder(host, d));
    if (first) return { party: 'first', basis: `${host} is under the app's domain ${first}` };
    const system = this.systemHosts.find((d) => hostUnder(host, d));
    if (system) return { party: 'system', basis: `${host} is a platform host (${system})` };
    const sdk = this.context.catalogue.sdkForHost(host);
    if (sdk) return { party: 'sdk', sdk: sdk.id, vendor: sdk.vendor, basis: `${host} is a domain of ${sdk.name}` };
    return { party: 'unknown', basis: `${host} matches no first-party, platform or catalogued SDK domain` };
  }

  /**
   * Whose traffic: by uid/package when the device told us, otherwise by platform host list,
   * otherwise unknown (never guessed as the app's).
   */
  origin(host: string, known?: { uid?: number; package?: string }): Flow['origin'] {
    if (known?.package || known?.uid !== undefined) {
      const isApp =
        (known.package !== undefined && known.package === this.context.appPackage) ||
        (known.uid !== undefined && known.uid === this.context.appUid);
      return { tag: isApp ? 'app' : 'system', ...(known.package ? { package: known.package } : {}), ...(known.uid !== undefined ? { uid: known.uid } : {}) };
    }
    if (this.systemHosts.some((d) => hostUnder(host, d))) return { tag: 'system' };
    return { tag: 'unknown' };
  }
}
