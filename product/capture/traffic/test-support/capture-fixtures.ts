import { join } from 'node:path';
import { BundleWriter } from '../../../evidence/bundle/writer.js';
import { runMeta } from '../../../evidence/bundle/test-support/factories.js';
import type { BodyLimits } from '../body-codec.js';
import type { CaptureAdapterRegistry, CaptureCaMaterial } from '../capture-port.js';
import { startTrafficSession, type TrafficSession } from '../traffic-session.js';
import { SAMPLE_IDENTIFIERS } from './synthetic-traffic.js';

/**
 * A capture session into a fresh bundle, as the traffic e2e suites start one: the named adapter
 * (which must be available here), the sample identifiers, and the test origin's certificate
 * trusted upstream.
 */
export async function startTestCapture(options: {
  adapter: string;
  registry: CaptureAdapterRegistry;
  ca: CaptureCaMaterial;
  capturesRoot: string;
  runId: string;
  originCertPem: string;
  nativeFlows?: boolean;
  limits?: BodyLimits;
}): Promise<{ writer: BundleWriter; session: TrafficSession }> {
  const { adapter, registry } = options;
  const available = await registry.get(adapter)!.isAvailable();
  if (!available.available) throw new Error(`${adapter} is not available here: ${available.reason}`);
  const writer = BundleWriter.create(options.capturesRoot, runMeta({ runId: options.runId, outcome: 'running', identifiers: SAMPLE_IDENTIFIERS }));
  const session = await startTrafficSession({
    adapter,
    registry,
    ca: options.ca,
    sink: writer,
    app: { package: 'com.example.shop' },
    identifiers: SAMPLE_IDENTIFIERS,
    upstream: { extraCaPems: [options.originCertPem] },
    ...(options.nativeFlows ? { nativeFlowFile: join(writer.dir, 'flows.mitm') } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return { writer, session };
}
