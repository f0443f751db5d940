import { z } from 'zod';
import { parseValidated } from '../../core/validated-file.js';

/**
 * manifest.json of an XAPK (APKPure's container): the package, its APKs and its OBB expansion
 * files. Loose objects: the format has many more fields, none of which intake needs.
 */
export const XapkManifest = z.looseObject({
  package_name: z.string().optional(),
  split_apks: z.array(z.looseObject({ file: z.string(), id: z.string().optional() })).optional(),
  expansions: z
    .array(z.looseObject({ file: z.string(), install_path: z.string().optional(), install_location: z.string().optional() }))
    .optional(),
});
export type XapkManifest = z.infer<typeof XapkManifest>;

/** Parses and validates manifest.json; errors name `file` (the XAPK!manifest.json), line and field. */
export function parseXapkManifest(text: string, file: string): XapkManifest {
  return parseValidated(text, file, XapkManifest, 'XAPK manifest');
}
