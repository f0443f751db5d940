/**
 * Traffic stage: what left the phone, to whom, and which personal data was in it.
 * Public surface; everything else in product/capture/traffic is private to the stage.
 */
export { startTrafficSession, defaultCaptureAdapters, trafficOptionsFromConfig, type TrafficSession, type TrafficSessionOptions } from './traffic-session.js';
export {
  CaptureAdapterRegistry,
  CaptureStartError,
  type TrafficCaptureAdapter,
  type RunningCapture,
  type CaptureStartOptions,
  type CaptureCaMaterial,
  type AdapterAvailability,
} from './capture-port.js';
export { mitmproxyCapture } from './mitmproxy/mitmproxy-capture.js';
export { removeOrphanedStandbyFolders, startStandbyProxy, type StandbyProxy, type StandbyOptions } from './standby-proxy.js';
export { embeddedCapture } from './embedded/mockttp-capture.js';
export { loadOrCreateCaptureCa, subjectHashOld, CaptureCaError, type CaptureCa } from './capture-ca.js';
export { CapturedExchange, TLS_FAILURE_CAUSES, tlsErrorText, type TlsFailureCause, type CapturedExchangeInput } from './exchange.js';
export { FlowRecorder, type FlowSink, type FlowRecorderOptions, type RecorderStats } from './flow-recorder.js';
export { decodeBody, DEFAULT_BODY_LIMITS, type BodyLimits, type DecodedBody } from './body-codec.js';
export { IdentifierDetector, type RequestContent } from './detect/identifier-detector.js';
export { expandIdentifierForms, type IdentifierForm } from './detect/identifier-forms.js';
export { AhoCorasick } from './detect/aho-corasick.js';
export { DestinationAttributor, domainsFromPackage, SYSTEM_HOSTS, type AttributionContext } from './flow-attribution.js';
export { analyseFlows, summariseTraffic, type AnalyseFlowsOptions, type TrafficSummary } from './analyze-flows.js';
export { exportHar, type Har, type HarEntry } from './har.js';
