import type { DeviceIdentifiers, Flow } from '../../contracts/bundle-schema.js';
import { loadSdkCatalogue, type SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { DestinationAttributor } from './flow-attribution.js';
import { DEFAULT_BODY_LIMITS, type BodyLimits } from './body-codec.js';
import { CaptureAdapterRegistry, type CaptureCaMaterial, type CaptureStartOptions, type RunningCapture } from './capture-port.js';
import { IdentifierDetector } from './detect/identifier-detector.js';
import { embeddedCapture } from './embedded/mockttp-capture.js';
import { FlowRecorder, type FlowRecorderOptions, type FlowSink, type RecorderStats } from './flow-recorder.js';
import { mitmproxyCapture } from './mitmproxy/mitmproxy-capture.js';
import type { StandbyProxy } from './standby-proxy.js';

/** The adapters consentry ships, in `auto` preference order: the lab standard first. */
export function defaultCaptureAdapters(options: { mitmdump?: string } = {}): CaptureAdapterRegistry {
  return new CaptureAdapterRegistry().register(mitmproxyCapture(options.mitmdump)).register(embeddedCapture);
}

/** The session options that come from consentry's config (`traffic.*`). */
export function trafficOptionsFromConfig(traffic: Config['traffic']): Pick<TrafficSessionOptions, 'adapter' | 'registry' | 'limits'> {
  return {
    adapter: traffic.adapter,
    registry: defaultCaptureAdapters({ mitmdump: traffic.mitmdump }),
    limits: { ...DEFAULT_BODY_LIMITS, maxBytes: traffic.maxBodyBytes },
  };
}

export interface TrafficSessionOptions {
  /** Config `traffic.adapter`. */
  adapter?: string;
  registry?: CaptureAdapterRegistry;
  ca: CaptureCaMaterial;
  sink: FlowSink;
  /** What the run knows: identifiers to detect, the app for attribution. */
  app: { package: string; uid?: number; firstPartyDomains?: readonly string[] };
  identifiers?: DeviceIdentifiers;
  catalogue?: SdkCatalogue;
  limits?: BodyLimits;
  host?: string;
  port?: number;
  nativeFlowFile?: string;
  upstream?: CaptureStartOptions['upstream'];
  logger?: Logger;
  onFlow?: (flow: Flow) => void;
  resolveOrigin?: FlowRecorderOptions['resolveOrigin'];
  /**
   * A proxy already started for this run (a farm's standby): used instead of starting one; its
   * native flow file is moved to `nativeFlowFile` when the session stops.
   */
  standby?: StandbyProxy;
}

export interface TrafficSession {
  readonly capture: RunningCapture;
  readonly recorder: FlowRecorder;
  /** Stops the proxy, waits until every flow is written, returns the counts for RunMeta.coverage. */
  stop(): Promise<RecorderStats>;
}

/** Starts capture for one run: proxy + recorder + detector + attribution, writing to `sink`. */
export async function startTrafficSession(options: TrafficSessionOptions): Promise<TrafficSession> {
  const logger = options.logger ?? silentLogger();
  const registry = options.registry ?? defaultCaptureAdapters();
  const adapter = await registry.choose(options.adapter ?? 'auto');
  const recorder = new FlowRecorder({
    sink: options.sink,
    detector: IdentifierDetector.fromIdentifiers(options.identifiers ?? {}),
    attributor: new DestinationAttributor({
      appPackage: options.app.package,
      ...(options.app.uid !== undefined ? { appUid: options.app.uid } : {}),
      ...(options.app.firstPartyDomains ? { firstPartyDomains: options.app.firstPartyDomains } : {}),
      catalogue: options.catalogue ?? loadSdkCatalogue(),
    }),
    ...(options.limits ? { limits: options.limits } : {}),
    logger,
    ...(options.onFlow ? { onFlow: options.onFlow } : {}),
    ...(options.resolveOrigin ? { resolveOrigin: options.resolveOrigin } : {}),
  });
  const standby = options.standby;
  standby?.bind(recorder.accept);
  const capture =
    (await standby?.ready) ??
    (await adapter.start({
      ca: options.ca,
      onExchange: recorder.accept,
      logger,
      maxBodyBytes: (options.limits ?? DEFAULT_BODY_LIMITS).maxBytes,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port ? { port: options.port } : {}),
      ...(options.nativeFlowFile ? { nativeFlowFile: options.nativeFlowFile } : {}),
      ...(options.upstream ? { upstream: options.upstream } : {}),
    }));
  let stopping: Promise<RecorderStats> | undefined;
  return {
    capture,
    recorder,
    stop() {
      stopping ??= (async () => {
        await capture.stop();
        standby?.handOverNativeFlowFile(options.nativeFlowFile);
        await recorder.drain();
        return { ...recorder.stats };
      })();
      return stopping;
    },
  };
}
