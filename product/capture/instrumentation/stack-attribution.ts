import type { Attribution } from '../../contracts/bundle-schema.js';
import type { SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';

/**
 * Who made a call, from its Java stack (innermost frame first). Framework frames are skipped; the
 * first frame left decides: an SDK of the catalogue → that SDK; the app's own package → first
 * party. A frame of an unknown library defers to the next deciding frame below it (an app calling
 * through OkHttp is still the app), and with none it stays "unknown". A stack of framework frames
 * only is the system's doing.
 *
 * Why the innermost deciding frame and not "any SDK frame anywhere": app code often runs on an
 * SDK's callback or thread pool, and an SDK frame deep in the stack does not make the app's own
 * read the SDK's.
 */

const FRAMEWORK_PREFIXES = [
  'android.',
  'androidx.',
  'java.',
  'javax.',
  'kotlin.',
  'kotlinx.coroutines.',
  'dalvik.',
  'com.android.',
  'libcore.',
  'sun.',
  'org.apache.http.',
  'org.json.',
  'org.xml.',
  'org.w3c.',
  'com.google.android.collect.',
];

/** "com.a.B.method(File.java:12)" → "com.a.B" (lambda and inner-class names kept: "com.a.B$1"). */
export function frameClass(frame: string): string {
  const open = frame.indexOf('(');
  const qualified = (open >= 0 ? frame.slice(0, open) : frame).trim();
  const dot = qualified.lastIndexOf('.');
  return dot > 0 ? qualified.slice(0, dot) : qualified;
}

export function isFrameworkClass(className: string): boolean {
  return FRAMEWORK_PREFIXES.some((p) => className.startsWith(p));
}

function inPackage(className: string, packageName: string): boolean {
  return className === packageName || className.startsWith(`${packageName}.`) || className.startsWith(`${packageName}$`);
}

export function attribute(stack: readonly string[], appPackage: string, sdks: SdkCatalogue): Attribution {
  if (stack.length === 0) return { party: 'unknown', basis: 'no Java stack' };
  let firstUnknown: string | undefined;
  for (const frame of stack) {
    const cls = frameClass(frame);
    if (isFrameworkClass(cls)) continue;
    const sdk = sdks.sdkForClass(cls);
    if (sdk) return { party: 'sdk', sdk: sdk.id, vendor: sdk.vendor, basis: frame };
    if (inPackage(cls, appPackage)) return { party: 'first', basis: frame };
    firstUnknown ??= frame;
  }
  if (firstUnknown) return { party: 'unknown', basis: firstUnknown };
  return { party: 'system', basis: stack[0] };
}
