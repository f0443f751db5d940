/**
 * Scenarios: the scripted user. Definitions (YAML + zod), the consent and permission
 * detectors, the Appium session and server, and the runner that plays a scenario on a leased
 * device into a bundle.
 */
export {
  CONSENT_ACTIONS,
  PERMISSION_ACTIONS,
  STEP_KINDS,
  ScenarioSchema,
  StepSchema,
  type ConsentAction,
  type PermissionAction,
  type Scenario,
  type Step,
  type StepKind,
} from './definitions.js';
export { Selector, toLocator, describeSelector, type Locator } from './selector.js';
export { explainStep } from './explain.js';
export {
  loadScenario,
  loadScenarioLibrary,
  parseScenarioFile,
  parseScenarioText,
  resolveIncludes,
  scaleObservation,
  summariseScenario,
  type ScenarioLibrary,
  type ScenarioSummary,
} from './loader.js';
export { parseUiTree, dominantPackage, type UiNode, type UiTree, type Bounds } from './ui-hierarchy.js';
export {
  classifyControl,
  detectConsentDialog,
  matchSelector,
  type ConsentDialog,
  type ConsentControl,
  type ConsentOverrides,
  type ControlKind,
} from './consent-detector.js';
export {
  choosePromptButton,
  detectPermissionPrompt,
  findPurposeText,
  groupFromMessage,
  permissionGroup,
  PERMISSION_PACKAGES,
  type PermissionPrompt,
  type PromptButton,
} from './permission-detector.js';
export {
  DEVICE_TIME_COMMAND,
  deviceToHost,
  hostToDevice,
  measureClockOffset,
  offsetFromSamples,
  parseDeviceMillis,
  parseDeviceTime,
  type ClockOffset,
  type ClockSample,
} from './clock.js';
export { adbkitShell, DeviceCommandError, type DeviceShell } from './device-shell.js';
export { AppiumServer, AppiumStartError, ensureAndroidHome, type AppiumStartOptions } from './appium-server.js';
export {
  buildCapabilities,
  openUiSession,
  SessionStartError,
  type SessionProfileOptions,
  type SessionTarget,
  type UiDriver,
  type UiSession,
} from './ui-session.js';
export { UiSessionKeeper } from './session-keeper.js';
export { ScenarioRunner, type ScenarioResult, type ScenarioRunOptions, type StepResult } from './runner.js';

import { DEVICE_TIME_COMMAND, measureClockOffset, type ClockOffset } from './clock.js';
import type { DeviceShell } from './device-shell.js';

/** Measures host - device clock offset over adb (for a lease that has none yet). */
export function measureDeviceClock(shell: DeviceShell, samples = 5): Promise<ClockOffset | undefined> {
  return measureClockOffset(() => shell.shell(DEVICE_TIME_COMMAND, 10_000), { samples });
}
export { automationSessionLost } from './session-lost.js';
