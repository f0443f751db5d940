import { z } from 'zod';

/** What one static-analysis run over all files reports: consentry's workers and androguard alike. */
export const ApkFileResult = z.object({
  file: z.string(),
  /** Time for this file, measured inside the process. */
  ms: z.number(),
  package: z.string(),
  permissions: z.array(z.string()),
  /** Distinct class names (dotted); absent when the mode does not list them (inspect). */
  classes: z.array(z.string()).optional(),
  /** class_defs across all DEX files, duplicates included. */
  classDefs: z.number().int(),
});
export type ApkFileResult = z.infer<typeof ApkFileResult>;

export const ApkRunResult = z.object({
  tool: z.string(),
  /** Interpreter-side set-up inside the process (module imports), before the first file. */
  importMs: z.number(),
  /** consentry: the SDK catalogue form the worker found (compiled by the build, or the YAML). */
  catalogue: z.enum(['compiled', 'yaml']).optional(),
  files: z.array(ApkFileResult),
});
export type ApkRunResult = z.infer<typeof ApkRunResult>;
