import { z } from 'zod';

/** What travels through Redis for one app run. Validated on both ends. */
export const FarmJobData = z.object({
  batchId: z.string(),
  jobRowId: z.number().int(),
  appPath: z.string(),
  policy: z.string().optional(),
  declared: z.string().optional(),
  scenario: z.string().optional(),
});
export type FarmJobData = z.infer<typeof FarmJobData>;

export const FarmJobResult = z.object({
  bundleDir: z.string(),
  verdict: z.string(),
  ruleIds: z.array(z.string()),
  worker: z.string(),
  device: z.string(),
});
export type FarmJobResult = z.infer<typeof FarmJobResult>;

export function bullJobId(batchId: string, rowId: number): string {
  // BullMQ forbids ':' in custom ids.
  return `${batchId.replace(/:/g, '_')}-${rowId}`;
}
