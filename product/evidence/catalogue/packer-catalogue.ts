import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadValidatedFile, parseValidated } from '../../core/validated-file.js';
import {
  builtInPackerCatalogue,
  COMPILED_PACKER_CATALOGUE_FILE,
  PACKER_CATALOGUE_FILE,
  writeCompiledPackerCatalogue,
  type CompiledPackerCatalogue,
} from './compiled-packer-catalogue.js';
import { PACKER_SIGNATURE_KINDS, PackerCatalogue, type PackerRules, type PackerSignature, type PackerSignatureKind } from './packer-lookup.js';

export { PackerCatalogue } from './packer-lookup.js';
export { loadBuiltInPackerCatalogue, PACKER_CATALOGUE_FILE } from './compiled-packer-catalogue.js';

/**
 * packers.yaml: schema and loader. A broken catalogue is refused with the file, the line and
 * the field (validated-file.ts), before any APK is looked at.
 */

const MAX_STARS = 2;
// Real library and asset names: letters, digits and . _ + - (a `*` in a glob).
const FILE_PART = /^[A-Za-z0-9._+*-]+$/;
const CLASS_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

const filePattern = (slashes: boolean) =>
  z
    .string()
    .refine((s) => s.split('/').every((p) => FILE_PART.test(p) && p !== '.' && p !== '..') && (slashes || !s.includes('/')), {
      message: slashes
        ? 'expected a path under assets/: segments of letters, digits, . _ + - and the glob *'
        : 'expected a library file name: letters, digits, . _ + - and the glob * (no /)',
    })
    .refine((s) => s.split('*').length - 1 <= MAX_STARS, { message: `expected at most ${MAX_STARS} * in a pattern` });
const className = z.string().regex(CLASS_NAME, { message: 'expected a Java class or package name (a.b.C)' });
const Weight = z.number().int().min(1).max(10);

const item = <T extends z.ZodType<string>>(name: T) => z.union([name, z.object({ match: name, weight: Weight }).strict()]);

const PATTERN_OF_KIND = {
  'application-class': className,
  'component-class': className,
  'native-library': filePattern(false),
  asset: filePattern(true),
  'dex-class': className,
} satisfies Record<PackerSignatureKind, z.ZodType<string>>;

const Signatures = z
  .object({
    'application-class': z.array(item(PATTERN_OF_KIND['application-class'])).optional(),
    'component-class': z.array(item(PATTERN_OF_KIND['component-class'])).optional(),
    'native-library': z.array(item(PATTERN_OF_KIND['native-library'])).optional(),
    asset: z.array(item(PATTERN_OF_KIND.asset)).optional(),
    'dex-class': z.array(item(PATTERN_OF_KIND['dex-class'])).optional(),
  })
  .strict()
  .refine((s) => Object.values(s).some((list) => (list ?? []).length > 0), { message: 'expected at least one signature' });

export const PackerEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, { message: 'expected an id of a-z, 0-9 and -' }),
    name: z.string().min(1),
    vendor: z.string().min(1),
    /** Where the signatures are publicly documented. */
    sources: z.array(z.string().min(1)).min(1, { message: 'expected at least one source saying where the signatures are documented' }),
    signatures: Signatures,
  })
  .strict();

export const PackerCatalogueSchema = z
  .object({
    threshold: Weight,
    weights: z.object(Object.fromEntries(PACKER_SIGNATURE_KINDS.map((k) => [k, Weight])) as Record<PackerSignatureKind, typeof Weight>).strict(),
    packers: z.array(PackerEntrySchema).min(1),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.packers.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['packers', i, 'id'], message: `duplicate packer id "${p.id}"` });
      seen.add(p.id);
      const total = flatten(p.signatures, doc.weights).reduce((s, sig) => s + sig.weight, 0);
      if (total < doc.threshold) {
        ctx.addIssue({
          code: 'custom',
          path: ['packers', i, 'signatures'],
          message: `the signatures weigh ${total} in all, below the threshold ${doc.threshold}: this packer could never be reported`,
        });
      }
    });
  })
  .transform((doc): PackerRules => ({
    threshold: doc.threshold,
    packers: doc.packers.map((p) => ({ id: p.id, name: p.name, vendor: p.vendor, sources: p.sources, signatures: flatten(p.signatures, doc.weights) })),
  }));

type SignatureLists = z.infer<typeof Signatures>;

function flatten(signatures: SignatureLists, weights: Record<PackerSignatureKind, number>): PackerSignature[] {
  return PACKER_SIGNATURE_KINDS.flatMap((kind) =>
    (signatures[kind] ?? []).map((s) => (typeof s === 'string' ? { kind, match: s, weight: weights[kind] } : { kind, match: s.match, weight: s.weight })),
  );
}

const WHAT = 'packer catalogue';

/** The packer catalogue from a YAML file; the built-in one (the default) once per process. */
export function loadPackerCatalogue(file = PACKER_CATALOGUE_FILE): PackerCatalogue {
  const parse = () => loadValidatedFile(file, PackerCatalogueSchema, WHAT);
  return file === PACKER_CATALOGUE_FILE ? builtInPackerCatalogue(parse) : new PackerCatalogue(parse());
}

/** Validates the YAML and writes its compiled form (the build step), keyed by the text validated. */
export function compilePackerCatalogue(source = PACKER_CATALOGUE_FILE, out = COMPILED_PACKER_CATALOGUE_FILE): CompiledPackerCatalogue {
  const text = readFileSync(source, 'utf8');
  return writeCompiledPackerCatalogue(parseValidated(text, source, PackerCatalogueSchema, WHAT), text, source, out);
}
