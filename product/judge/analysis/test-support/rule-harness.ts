import type { Bundle } from '../../../evidence/bundle/reader.js';
import type { Flow, HookEvent, Marker, RunMeta, UiSnapshot } from '../../../contracts/bundle-schema.js';
import { runMeta } from '../../../evidence/bundle/test-support/factories.js';
import { loadSdkCatalogue } from '../../../evidence/catalogue/sdk-catalogue.js';
import { emptyDeclarations, type Declarations } from '../../policy/declarations.js';
import { resolveRules, runRules } from '../engine.js';
import { observe } from '../observations.js';
import type { Rule, ThresholdValue, FindingDraft } from '../rule.js';
import { loadRuleSets, type RuleSetId } from '../rule-sets.js';
import { Timeline } from '../timeline.js';

/**
 * Test support shared by the rule tests (and by labs writing their own rules): build an
 * in-memory bundle from factory records and run one rule on it, the way the engine would.
 */
export interface InMemoryBundle {
  run?: Partial<RunMeta>;
  markers?: Marker[];
  events?: HookEvent[];
  flows?: Flow[];
  ui?: UiSnapshot[];
}

export function bundleOf(contents: InMemoryBundle = {}): Bundle {
  return {
    dir: '/nonexistent/in-memory-bundle',
    run: runMeta(contents.run),
    markers: contents.markers ?? [],
    events: contents.events ?? [],
    flows: contents.flows ?? [],
    ui: contents.ui ?? [],
    findings: undefined,
    incomplete: false,
    problems: [],
  };
}

export interface JudgeOptions {
  declarations?: Declarations | null;
  thresholds?: Record<string, ThresholdValue>;
  ruleSet?: RuleSetId;
  uiTrees?: Record<string, string>;
  staticFacts?: unknown;
}

/** Runs one rule's check on a bundle with the thresholds the engine would resolve. */
export function judge(rule: Rule, contents: InMemoryBundle, options: JudgeOptions = {}): FindingDraft[] {
  const bundle = bundleOf(contents);
  const catalogue = loadSdkCatalogue();
  const timeline = new Timeline(bundle.markers, bundle.run);
  const ruleSet = options.ruleSet ?? 'cn-miit';
  const [resolved] = resolveRules({
    ruleSet,
    rules: [rule],
    ...(options.thresholds ? { overrides: { [rule.meta.id]: { thresholds: options.thresholds } } } : {}),
  });
  return rule.check({
    bundle,
    declarations: options.declarations === null ? undefined : (options.declarations ?? emptyDeclarations()),
    observations: observe(bundle, timeline, catalogue),
    timeline,
    catalogue,
    thresholds: resolved!.thresholds,
    wording: loadRuleSets()[ruleSet].wording,
    uiTrees: new Map(Object.entries(options.uiTrees ?? {})),
    staticFacts: options.staticFacts,
  });
}

/** The engine's full run of every rule on an in-memory bundle (for cross-rule tests). */
export function judgeAll(contents: InMemoryBundle, declarations?: Declarations, ruleSet: RuleSetId = 'cn-miit') {
  const bundle = bundleOf(contents);
  const catalogue = loadSdkCatalogue();
  const timeline = new Timeline(bundle.markers, bundle.run);
  return runRules(
    { bundle, declarations, observations: observe(bundle, timeline, catalogue), timeline, catalogue, wording: loadRuleSets()[ruleSet].wording, uiTrees: new Map(), staticFacts: undefined },
    resolveRules({ ruleSet }),
  );
}

/** Umeng frames on top of an app's own, as a real stack reads (hooked API first). */
export const UMENG_STACK = [
  'android.provider.Settings$Secure.getString(Native Method)',
  'com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidID(DeviceConfig.java:201)',
  'com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:88)',
  'com.example.app.App.onCreate(App.java:20)',
  'android.app.ActivityThread.handleBindApplication(ActivityThread.java:6712)',
];

export const APP_STACK = ['android.location.LocationManager.getLastKnownLocation(LocationManager.java:1)', 'com.example.app.MapActivity.locate(MapActivity.java:42)', 'android.app.ActivityThread.main(ActivityThread.java:8)'];
