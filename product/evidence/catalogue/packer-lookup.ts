/**
 * The packer catalogue as lookups, without the YAML loader or zod: which protector signatures
 * an APK entry name or a class name matches. Patterns come from the catalogue (trusted); the
 * names come from the APK (not trusted), so every lookup is bounded: exact names through a map,
 * globs only after their literal prefix and suffix matched, and names past a real file name's
 * length are not looked at.
 */

export const PACKER_SIGNATURE_KINDS = ['application-class', 'component-class', 'native-library', 'asset', 'dex-class'] as const;
export type PackerSignatureKind = (typeof PACKER_SIGNATURE_KINDS)[number];

/** Kinds matched against file names in the APK; the others are class names. */
export type FileSignatureKind = 'native-library' | 'asset';
export type ClassSignatureKind = 'application-class' | 'component-class' | 'dex-class';

export interface PackerSignature {
  kind: PackerSignatureKind;
  /** A file name or glob (file kinds), a class name (application-class) or a package (the others). */
  match: string;
  weight: number;
}

export interface PackerEntry {
  id: string;
  name: string;
  vendor: string;
  sources: string[];
  /** Flattened, each with its weight resolved. */
  signatures: PackerSignature[];
}

/** The catalogue as validated: what the compiled form stores. */
export interface PackerRules {
  threshold: number;
  packers: PackerEntry[];
}

/** One signature of one protector, as a lookup answers it. */
export interface SignatureRef {
  packer: PackerEntry;
  signature: PackerSignature;
  /** Stable key: `${packer.id}#${index}`. */
  key: string;
}

/** Longer names are not real library or asset names; they are not worth a glob. */
export const MAX_MATCHED_NAME = 255;

interface Glob {
  prefix: string;
  suffix: string;
  re: RegExp;
  ref: SignatureRef;
}

export class PackerCatalogue {
  readonly threshold: number;
  readonly packers: readonly PackerEntry[];
  private readonly exact = new Map<string, SignatureRef[]>();
  private readonly globs: Record<FileSignatureKind, Glob[]> = { 'native-library': [], asset: [] };
  private readonly byClass = new Map<string, SignatureRef[]>();

  constructor(rules: PackerRules) {
    this.threshold = rules.threshold;
    this.packers = rules.packers;
    for (const packer of rules.packers) {
      packer.signatures.forEach((signature, i) => {
        const ref: SignatureRef = { packer, signature, key: `${packer.id}#${i}` };
        const { kind, match } = signature;
        if ((kind === 'native-library' || kind === 'asset') && match.includes('*')) this.globs[kind].push(compileGlob(match, ref));
        else push(kind === 'native-library' || kind === 'asset' ? this.exact : this.byClass, `${kind}:${match}`, ref);
      });
    }
  }

  /**
   * Signatures an archive entry matches: lib/<abi>/<file> against native-library patterns,
   * assets/<path> against asset patterns. Names with empty, `.` or `..` segments never match:
   * the zip reader refuses most of them, and none is a file the installer would place.
   */
  forEntry(entryName: string): SignatureRef[] {
    if (entryName.length > MAX_MATCHED_NAME + 'assets/'.length) return [];
    const target = fileTarget(entryName);
    if (!target) return [];
    const { kind, name } = target;
    const hits = [...(this.exact.get(`${kind}:${name}`) ?? [])];
    for (const g of this.globs[kind]) {
      if (name.length >= g.prefix.length + g.suffix.length && name.startsWith(g.prefix) && name.endsWith(g.suffix) && g.re.test(name)) hits.push(g.ref);
    }
    return hits;
  }

  /** application-class signatures for exactly this class name. */
  forApplicationClass(className: string): SignatureRef[] {
    return this.byClass.get(`application-class:${className}`) ?? [];
  }

  /**
   * component-class or dex-class signatures whose package holds `packageName` (the package
   * itself or one above it, on whole segments: com.stub holds com.stub.a, not com.stubx).
   */
  forPackage(kind: 'component-class' | 'dex-class', packageName: string): SignatureRef[] {
    if (packageName.length > 4 * MAX_MATCHED_NAME) return [];
    const hits: SignatureRef[] = [];
    let name = packageName;
    for (;;) {
      const found = this.byClass.get(`${kind}:${name}`);
      if (found) hits.push(...found);
      const dot = name.lastIndexOf('.');
      if (dot < 0) return hits;
      name = name.slice(0, dot);
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function fileTarget(entryName: string): { kind: FileSignatureKind; name: string } | undefined {
  const parts = entryName.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  if (parts[0] === 'lib' && parts.length === 3) return { kind: 'native-library', name: parts[2]! };
  if (parts[0] === 'assets' && parts.length >= 2) {
    const name = parts.slice(1).join('/');
    return name.length <= MAX_MATCHED_NAME ? { kind: 'asset', name } : undefined;
  }
  return undefined;
}

/** `*` is any run of characters but `/`; everything else is literal. */
function compileGlob(pattern: string, ref: SignatureRef): Glob {
  const star = pattern.indexOf('*');
  const last = pattern.lastIndexOf('*');
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return { prefix: pattern.slice(0, star), suffix: pattern.slice(last + 1), re: new RegExp(`^${body}$`), ref };
}
