import { z } from 'zod';

/** What one ingestion worker reports (tooling/bench/lib/ingestion-worker.ts → event-ingestion.bench.ts). */
export const IngestionResult = z.object({
  mode: z.enum(['consentry', 'peer']),
  /** The agent traffic: interned call-site stacks, or every stack distinct (inline). */
  stacks: z.enum(['realistic', 'distinct']),
  eventsIn: z.number().int(),
  /** What the consuming side says it wrote (recorder and writer counters, or lines written). */
  eventsRecorded: z.number().int(),
  problems: z.array(z.string()),
  /** Wall time from the first message to the last byte handed to the OS. */
  ms: z.number(),
  /** CPU time (user + system) of the process over the same span: on a busy machine, events per CPU-second is the steadier number. */
  cpuMs: z.number(),
  file: z.string(),
  bytes: z.number().int(),
  rss: z.object({ baselineBytes: z.number(), sampledPeakBytes: z.number(), kernelPeakBytes: z.number(), samples: z.number() }),
});
export type IngestionResult = z.infer<typeof IngestionResult>;
