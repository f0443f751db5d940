/** The app runtime: plays installed apps from their behaviour models (implements AppHost). */
export { VirtualAppHost, createVirtualAppHost, KEYCODE, type VirtualAppHostOptions } from './app-host.js';
export type { AppActivity, AppState } from './app-state.js';
export { readModelFromApk } from './apk-model.js';
export { sendAppRequest, parseProxySetting, spkiSha256, type AppRequest, type RequestOutcome, type CertificatePin } from './network.js';
export { toUiAutomatorDump, type UiNode, type ScreenSize } from './screen-layout.js';
export { JAVA_APIS, apiFor, JavaException } from './java-apis.js';
export { attachAppRuntime, appRuntimePlugin, type AppHostAttachable } from './attach.js';
