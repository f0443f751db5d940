import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBundle } from '../../judge/analysis/analyze-bundle.js';
import { runMeta } from '../../evidence/bundle/test-support/factories.js';
import { readBundle, type Marker } from '../../evidence/bundle/index.js';
import { BundleWriter } from '../../evidence/bundle/writer.js';
import type { DeviceShell } from './device-shell.js';
import { loadScenario, parseScenarioText, scaleObservation } from './loader.js';
import { ScenarioRunner } from './runner.js';
import type { Locator } from './selector.js';
import { centre, parseUiTree, type UiNode } from './ui-hierarchy.js';
import type { UiDriver } from './ui-session.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

/**
 * The runner against a small in-test phone: one app (com.example.news) drawn from the
 * hand-written dumps in fixtures/, with a privacy dialog, an "are you sure?" after refusal that
 * quits the app, and a location prompt after consent that comes back on every launch until
 * granted. The phone is built fresh for each test.
 */

const PKG = 'com.example.news';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const HOME = `<?xml version='1.0' encoding='UTF-8'?><hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.android.launcher3" content-desc="" clickable="false" enabled="true" bounds="[0,0][1080,2340]"><node index="0" text="头条" resource-id="" class="android.widget.TextView" package="com.android.launcher3" content-desc="头条" clickable="true" enabled="true" bounds="[20,300][250,560]" /></node></hierarchy>`;
const MAIN = `<?xml version='1.0' encoding='UTF-8'?><hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="${PKG}" content-desc="" clickable="false" enabled="true" bounds="[0,0][1080,2340]"><node index="0" text="今日头条新闻" resource-id="${PKG}:id/feed" class="android.widget.TextView" package="${PKG}" content-desc="" clickable="false" enabled="true" bounds="[0,100][1080,400]" /><node index="1" text="为了推荐本地新闻，我们需要获取您的位置信息" resource-id="${PKG}:id/why_location" class="android.widget.TextView" package="${PKG}" content-desc="" clickable="false" enabled="true" bounds="[0,400][1080,520]" /><node index="2" text="我的" resource-id="${PKG}:id/tab_me" class="android.widget.TextView" package="${PKG}" content-desc="" clickable="true" enabled="true" bounds="[810,2200][1080,2340]" /></node></hierarchy>`;
const LOCATION_PROMPT = fixture('perm-api33-location.xml');
/** A full-screen launch ad after consent, with or without its "跳过" control. */
const AD = (skip: boolean) =>
  `<hierarchy rotation="0"><node class="android.widget.FrameLayout" package="${PKG}" bounds="[0,0][1080,2340]"><node class="android.widget.ImageView" resource-id="${PKG}:id/splash_ad_image" package="${PKG}" content-desc="广告" bounds="[0,0][1080,2000]" /><node class="android.widget.TextView" package="${PKG}" text="摇一摇 了解更多" bounds="[240,2050][840,2200]" />${skip ? `<node class="android.widget.TextView" resource-id="${PKG}:id/skip_view" package="${PKG}" text="跳过 3" clickable="true" enabled="true" bounds="[880,120][1040,200]" />` : ''}</node></hierarchy>`;
const POLICY = `<hierarchy rotation="0"><node class="android.widget.ScrollView" package="${PKG}" scrollable="true" bounds="[0,0][1080,2340]"><node class="android.widget.TextView" package="${PKG}" text="头条隐私政策" bounds="[0,100][1080,200]" /><node class="android.widget.TextView" package="${PKG}" text="一、我们如何收集和使用您的个人信息：位置信息用于推荐本地新闻。二、我们如何共享您的个人信息：第三方共享清单。三、您的权利。" bounds="[0,200][1080,1200]" /></node></hierarchy>`;
const BLOCKED = `<hierarchy rotation="0"><node class="android.widget.FrameLayout" package="${PKG}" bounds="[0,0][1080,2340]"><node class="android.widget.TextView" package="${PKG}" text="未获得位置权限，无法使用本应用。" bounds="[0,400][1080,520]" /><node class="android.widget.Button" resource-id="${PKG}:id/btn_settings" package="${PKG}" text="去设置" clickable="true" enabled="true" bounds="[0,600][1080,720]" /></node></hierarchy>`;

type Screen = 'home' | 'privacy' | 'confirm' | 'main' | 'prompt' | 'ad' | 'me' | 'policy' | 'blocked';

interface Options {
  /** The app shows no privacy dialog at all. */
  noDialog?: boolean;
  /** A launch ad right after consent and on every launch after it: with a skip control or without. */
  ad?: 'skippable' | 'unclosable';
  /** After location was denied, the next launch shows a screen that refuses service. */
  blockWhenDenied?: boolean;
}

class TestPhone {
  screen: Screen = 'home';
  consent: 'unknown' | 'accepted' | 'refused' = 'unknown';
  location: 'unasked' | 'granted' | 'denied' = 'unasked';
  readonly commands: string[] = [];
  private clock = 1_750_000_000_000 - 1234;

  constructor(private readonly options: Options = {}) {}

  xml(): string {
    switch (this.screen) {
      case 'home':
        return HOME;
      case 'privacy':
        return fixture('zh-native-dialog.xml');
      case 'confirm':
        return fixture('zh-refusal-confirm.xml');
      case 'main':
        return MAIN;
      case 'prompt':
        return LOCATION_PROMPT;
      case 'ad':
        return AD(this.options.ad === 'skippable');
      case 'me':
        return fixture('zh-settings-screen.xml');
      case 'policy':
        return POLICY;
      case 'blocked':
        return BLOCKED;
    }
  }

  /** Where Back goes from each screen (the app's back stack). */
  private readonly parent: Partial<Record<Screen, Screen>> = { policy: 'me', me: 'main' };

  launch(): void {
    if (this.options.blockWhenDenied && this.location === 'denied') this.screen = 'blocked';
    else if (this.options.noDialog || this.consent === 'accepted') this.afterConsent();
    else this.screen = 'privacy';
  }

  private mainReads = 0;

  private afterConsent(): void {
    // Shows the main screen (which explains why it wants location), then asks for location,
    // on every launch until it is granted: a re-prompt after denial.
    this.screen = this.options.ad ? 'ad' : 'main';
    this.mainReads = this.location === 'granted' ? -Infinity : 0;
  }

  tap(node: UiNode): void {
    const id = node.resourceId.replace(/^.*:id\//, '');
    if (this.screen === 'privacy' && id === 'btn_agree') {
      this.consent = 'accepted';
      this.afterConsent();
    } else if (this.screen === 'privacy' && id === 'btn_disagree') this.screen = 'confirm';
    else if (this.screen === 'confirm' && id === 'confirm_back') this.screen = 'privacy';
    else if (this.screen === 'confirm' && id === 'confirm_refuse') {
      this.consent = 'refused';
      this.screen = 'home'; // the app quits
    } else if (this.screen === 'ad' && id === 'skip_view') this.screen = 'main';
    else if (this.screen === 'main' && id === 'tab_me') this.screen = 'me';
    else if (this.screen === 'me' && node.text === '隐私政策') this.screen = 'policy';
    else if (this.screen === 'prompt' && id.startsWith('permission_')) {
      this.location = id.startsWith('permission_allow') ? 'granted' : 'denied';
      this.screen = 'main';
      this.mainReads = -Infinity; // asked once per launch
    }
  }

  nodes(): UiNode[] {
    return parseUiTree(this.xml()).nodes;
  }

  readonly shell: DeviceShell = {
    serial: 'test-phone',
    shell: async (command) => {
      this.commands.push(command);
      if (command.startsWith('am force-stop')) this.screen = 'home';
      else if (command.startsWith('monkey -p')) this.launch();
      else if (command.startsWith('pm clear')) {
        this.consent = 'unknown';
        this.location = 'unasked';
        return 'Success\n';
      } else if (command.startsWith('input keyevent 3')) this.screen = 'home';
      else if (command.startsWith('input tap')) {
        const [x, y] = command.split(' ').slice(2).map(Number) as [number, number];
        const hit = this.nodes()
          .filter((n) => n.clickable && n.bounds && n.bounds.x1 <= x && x <= n.bounds.x2 && n.bounds.y1 <= y && y <= n.bounds.y2)
          .pop();
        if (hit) this.tap(hit);
      } else if (command.includes('EPOCHREALTIME')) {
        this.clock += 10;
        return `\n${this.clock}\n`;
      }
      return '';
    },
    install: async () => {},
    uninstall: async () => {},
  };

  readonly driver: UiDriver = {
    pageSource: async () => {
      if (this.screen === 'main' && ++this.mainReads > 2) this.screen = 'prompt';
      return this.xml();
    },
    screenshotPng: async () => Buffer.from('\x89PNG test screen'),
    find: async (locator: Locator) => {
      const text = locator.using === '-android uiautomator' ? /text\("(.*)"\)/.exec(locator.value)?.[1] : undefined;
      return this.nodes()
        .filter((n) => (locator.using === 'id' ? n.resourceId === locator.value : text !== undefined && n.text === text))
        .map((n) => `${this.screen}#${n.order}`);
    },
    click: async (elementId) => {
      const [screen, order] = elementId.split('#');
      if (screen !== this.screen) throw new Error('stale element reference');
      const node = this.nodes()[Number(order)]!;
      // UiAutomator clicks at the centre: the clickable node under it gets the tap.
      const { x, y } = centre(node.bounds!);
      await this.shell.shell(`input tap ${x} ${y}`);
    },
    sendKeys: async () => {},
    back: async () => {
      this.screen = this.parent[this.screen] ?? 'home';
    },
    pressKeyCode: async (code) => {
      if (code === 3) this.screen = 'home';
    },
    windowSize: async () => ({ width: 1080, height: 2340 }),
    close: async () => {},
  };
}

/** The rules' reading of a bundle the runner wrote (ids of the rules that found something). */
async function ruleIds(dir: string): Promise<string[]> {
  const { doc } = await analyzeBundle(dir, { write: false, analysedAt: 1 });
  return [...new Set(doc.findings.map((f) => f.ruleId))].sort();
}

const temp = tempDirs('runner');

async function play(scenarioYamlOrId: string, phone: TestPhone) {
  const root = temp.make();
  const scenario = scenarioYamlOrId.includes('\n') ? parseScenarioText(scenarioYamlOrId, 'inline.yaml') : scaleObservation(loadScenario(scenarioYamlOrId), 0.02);
  const writer = BundleWriter.create(root, { ...runMeta({ runId: `run-${Date.now()}`, app: { package: PKG } }), outcome: 'running', endedAt: undefined });
  const runner = new ScenarioRunner({
    device: phone.shell,
    driver: phone.driver,
    writer,
    appPackage: PKG,
    clockOffsetMs: 1234,
    pollMs: 20,
    waitScale: 0.05,
    reinstall: async () => {
      phone.consent = 'unknown';
      phone.location = 'unasked';
    },
  });
  const result = await runner.run(scenario);
  await writer.finish(result.outcome === 'failed' ? 'failed' : 'complete', result.reason);
  const bundle = await readBundle(writer.dir);
  return { result, bundle, dir: writer.dir };
}

const kinds = (markers: Marker[]) => markers.map((m) => m.kind);
const only = (markers: Marker[], kind: Marker['kind']) => markers.filter((m) => m.kind === kind);

describe('ScenarioRunner', () => {
  it('refuse-consent: refuses, confirms the "are you sure?", and notes that the app quit', async () => {
    const phone = new TestPhone();
    const { result, bundle, dir } = await play('refuse-consent', phone);
    expect(result.outcome).toBe('complete');
    expect(result.failedSteps).toBe(0);
    expect(phone.consent).toBe('refused');
    const m = bundle.markers;
    const shown = only(m, 'consent.shown');
    expect(shown.map((x) => x.data?.dialog)).toEqual(['policy', 'confirmation']);
    const refused = only(m, 'consent.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.data).toMatchObject({ button: '不同意 | 仍然拒绝', confirmations: 1, refuseKind: 'refuse' });
    expect(only(m, 'app.exit')).toHaveLength(1);
    expect(kinds(m).indexOf('app.exit')).toBeGreaterThan(kinds(m).indexOf('consent.refused'));
    // Every step has a marker with start and end, and a UI snapshot whose files exist.
    const steps = only(m, 'step');
    expect(steps.map((s) => s.data?.kind)).toEqual(['launch', 'consent', 'observe']);
    for (const s of steps) {
      expect(s.tEnd).toBeGreaterThanOrEqual(s.t);
      const ui = bundle.ui.find((u) => u.id === s.ui)!;
      expect(existsSync(join(dir, ui.screenshot!))).toBe(true);
      expect(readFileSync(join(dir, ui.tree!), 'utf8')).toContain('<hierarchy');
    }
    // Device time rides along, shifted by the lease's clock offset.
    expect(steps[0]!.data?.tDevice).toBe(steps[0]!.t - 1234);
  });

  it('accept-deny-permissions: accepts, denies the location prompt, and records the purpose shown', async () => {
    const phone = new TestPhone();
    const { result, bundle } = await play('accept-deny-permissions', phone);
    expect(result.failedSteps).toBe(0);
    expect(phone.consent).toBe('accepted');
    expect(phone.location).toBe('denied');
    const m = bundle.markers;
    expect(only(m, 'consent.accepted')[0]!.data).toMatchObject({ button: '同意' });
    const requested = only(m, 'permission.requested');
    expect(requested).toHaveLength(1);
    expect(requested[0]!.data).toMatchObject({ group: 'location', reprompt: false, purposeShown: true });
    const purpose = only(m, 'permission.purpose-shown');
    expect(purpose).toHaveLength(1);
    expect(purpose[0]!.data).toMatchObject({ group: 'location', where: 'before-prompt' });
    expect(purpose[0]!.data?.text).toContain('为了推荐本地新闻');
    expect(purpose[0]!.t).toBeLessThanOrEqual(requested[0]!.t);
    expect(only(m, 'permission.denied')[0]!.data).toMatchObject({ group: 'location', button: 'deny' });
    expect(kinds(m).indexOf('consent.accepted')).toBeLessThan(kinds(m).indexOf('permission.requested'));
  });

  it('deny-then-relaunch: sees the denied permission asked again on each relaunch', async () => {
    const phone = new TestPhone();
    const { result, bundle } = await play('deny-then-relaunch', phone);
    expect(result.outcome).toBe('complete');
    const requested = only(bundle.markers, 'permission.requested');
    expect(requested.map((r) => r.data?.reprompt)).toEqual([false, true, true]);
    expect(only(bundle.markers, 'app.launch').map((l) => l.data?.relaunch)).toEqual([false, true, true]);
    expect(only(bundle.markers, 'step').filter((s) => s.data?.kind === 'part').map((s) => s.data?.part)).toEqual(['first relaunch', 'second relaunch']);
  });

  it('pre-consent-idle: notes the dialog while touching nothing', async () => {
    const phone = new TestPhone();
    const { bundle } = await play('pre-consent-idle', phone);
    expect(phone.consent).toBe('unknown');
    expect(only(bundle.markers, 'consent.shown')).toHaveLength(1);
    expect(phone.commands.filter((c) => c.startsWith('input tap'))).toEqual([]);
  });

  it('says consent.not-found when the app shows no privacy dialog, and fails a missing permission prompt', async () => {
    const phone = new TestPhone({ noDialog: true });
    phone.location = 'granted';
    const { result, bundle } = await play(
      'id: x\ndescription: d\nsteps:\n  - launch: { settle: 0.05 }\n  - consent: { action: accept, timeout: 0.3 }\n  - permission: { action: deny, timeout: 0.3 }\n  - expect: { id: feed }\n',
      phone,
    );
    expect(only(bundle.markers, 'consent.not-found')).toHaveLength(1);
    expect(only(bundle.markers, 'consent.accepted')).toHaveLength(0);
    expect(result.steps.map((s) => s.outcome)).toEqual(['ok', 'ok', 'failed', 'ok']);
    expect(result.steps[2]!.detail).toMatch(/no permission prompt appeared/);
    expect(result.outcome).toBe('complete');
  });

  it('standard: plays every part with a fresh install between them', async () => {
    const phone = new TestPhone();
    const { result, bundle } = await play('standard', phone);
    expect(result.outcome).toBe('complete');
    expect(result.failedSteps).toBe(0);
    const m = bundle.markers;
    expect(only(m, 'app.install')).toHaveLength(3);
    expect(only(m, 'consent.refused')).toHaveLength(1);
    expect(only(m, 'consent.accepted')).toHaveLength(2);
    expect(only(m, 'permission.granted')).toHaveLength(1);
    expect(only(m, 'app.background')).toHaveLength(1);
    // The fresh install forgets the earlier denial: the grant part's prompt is not a re-prompt.
    const requested = only(m, 'permission.requested');
    expect(requested[requested.length - 1]!.data?.reprompt).toBe(false);
  });

  it('records when consent was pressed (data.tPressed), between the step start and the marker', async () => {
    const phone = new TestPhone();
    const { bundle } = await play('accept-consent', phone);
    const accepted = only(bundle.markers, 'consent.accepted')[0]!;
    const step = only(bundle.markers, 'step').find((m) => m.data?.kind === 'consent')!;
    expect(typeof accepted.data?.tPressed).toBe('number');
    expect(accepted.data!.tPressed as number).toBeGreaterThanOrEqual(step.t);
    expect(accepted.data!.tPressed as number).toBeLessThanOrEqual(accepted.t);
    const refused = await play('refuse-consent', new TestPhone());
    const r = only(refused.bundle.markers, 'consent.refused')[0]!;
    // The refusal took effect at the second press ("仍然拒绝"), after the first dialog was shown.
    expect(r.data!.tPressed as number).toBeGreaterThanOrEqual(only(refused.bundle.markers, 'consent.shown')[1]!.t);
  });

  it('dismiss-popups: skips a launch ad with its own control, and the rules find nothing to report', async () => {
    const phone = new TestPhone({ ad: 'skippable' });
    phone.location = 'granted';
    const { result, bundle, dir } = await play('accept-consent', phone);
    expect(result.failedSteps).toBe(0);
    expect(phone.screen).toBe('main');
    const shown = only(bundle.markers, 'popup.shown');
    const handled = shown.find((m) => m.data?.closeAttempted === true)!;
    expect(handled.data).toMatchObject({ popup: 'ad', closable: true, control: '跳过 3', closed: true });
    expect(bundle.ui.find((u) => u.id === handled.ui)?.tree).toBeDefined();
    expect(only(bundle.markers, 'popup.closed')).toHaveLength(1);
    expect(await ruleIds(dir)).not.toContain('UI-UNCLOSABLE-POPUP');
  });

  it('dismiss-popups: notes a launch ad with no close control, which UI-UNCLOSABLE-POPUP reports once', async () => {
    const phone = new TestPhone({ ad: 'unclosable' });
    phone.location = 'granted';
    const { result, bundle, dir } = await play('accept-consent', phone);
    expect(result.failedSteps).toBe(0);
    const shown = only(bundle.markers, 'popup.shown');
    expect(shown.length).toBeGreaterThanOrEqual(1);
    expect(shown.every((m) => m.data?.closable === false && m.data?.name === '摇一摇 了解更多')).toBe(true);
    expect(only(bundle.markers, 'popup.closed')).toHaveLength(0);
    // Nothing was tapped on the ad: Back is not a close control, and the ad may open something.
    expect(phone.screen).toBe('ad');
    const { doc } = await analyzeBundle(dir, { write: false, analysedAt: 1 });
    const popup = doc.findings.filter((f) => f.ruleId === 'UI-UNCLOSABLE-POPUP');
    expect(popup.map((f) => f.statement)).toEqual(['A pop-up "摇一摇 了解更多" has no close or skip control.']);
  });

  it('find-policy: reaches the policy through 我的 in two taps and returns to the main screen', async () => {
    const phone = new TestPhone();
    phone.location = 'granted';
    const { result, bundle, dir } = await play('id: p\ndescription: d\nsteps:\n  - launch: { settle: 0.05 }\n  - consent: accept\n  - find-policy\n', phone);
    expect(result.failedSteps).toBe(0);
    const search = bundle.markers.find((m) => typeof m.data?.policySearch === 'string')!;
    expect(search.data).toMatchObject({ policySearch: 'found', policyTaps: 2, path: '我的 › 隐私政策', maxTaps: 4 });
    expect(readFileSync(join(dir, bundle.ui.find((u) => u.id === search.ui)!.tree!), 'utf8')).toContain('头条隐私政策');
    expect(phone.screen).toBe('main');
    expect(only(bundle.markers, 'user.action').filter((m) => m.data?.purpose === 'find-policy').map((m) => m.data?.target)).toEqual(['我的', '隐私政策']);
    const ids = await ruleIds(dir);
    expect(ids).not.toContain('POLICY-UNREACHABLE');
  });

  it('find-policy: a policy deeper than the search goes is not found, and POLICY-UNREACHABLE says so', async () => {
    const phone = new TestPhone();
    phone.location = 'granted';
    const { bundle, dir } = await play('id: p\ndescription: d\nsteps:\n  - launch: { settle: 0.05 }\n  - consent: accept\n  - find-policy: 1\n', phone);
    const search = bundle.markers.find((m) => typeof m.data?.policySearch === 'string')!;
    expect(search.data).toMatchObject({ policySearch: 'not-found', policyTaps: 1, explored: '我的' });
    expect(phone.screen).toBe('main');
    const { doc } = await analyzeBundle(dir, { write: false, analysedAt: 1 });
    expect(doc.findings.find((f) => f.ruleId === 'POLICY-UNREACHABLE')?.statement).toBe('The privacy policy could not be found from the main screen after 1 tap.');
  });

  it('find-policy: does not start on a screen covered by an ad, and the analysis says it could not judge', async () => {
    const phone = new TestPhone({ ad: 'unclosable' });
    phone.location = 'granted';
    const { bundle, dir } = await play('id: p\ndescription: d\nsteps:\n  - launch: { settle: 0.05 }\n  - consent: accept\n  - find-policy\n', phone);
    const search = bundle.markers.find((m) => typeof m.data?.policySearch === 'string')!;
    expect(search.data).toMatchObject({ policySearch: 'blocked', policyTaps: 0 });
    expect(String(search.data?.reason)).toMatch(/pop-up covers the main screen/);
    const { doc } = await analyzeBundle(dir, { write: false, analysedAt: 1 });
    expect(doc.reasons.some((r) => /privacy-policy search could not judge/.test(r))).toBe(true);
  });

  it('notes a screen that refuses service after a denial as blocking, which PERM-FORCED reports', async () => {
    const phone = new TestPhone({ blockWhenDenied: true });
    const { bundle, dir } = await play('deny-then-relaunch', phone);
    const blocking = bundle.markers.filter((m) => m.data?.blocking === true);
    expect(blocking).toHaveLength(1);
    expect(blocking[0]!.data).toMatchObject({ text: '未获得位置权限，无法使用本应用。', deniedGroups: 'location' });
    expect(blocking[0]!.t).toBeGreaterThan(only(bundle.markers, 'permission.denied')[0]!.t);
    const { doc } = await analyzeBundle(dir, { write: false, analysedAt: 1 });
    expect(doc.findings.find((f) => f.ruleId === 'PERM-FORCED')?.statement).toMatch(/^The app showed a screen that blocks further use .* after the user denied the location permission\.$/);
  });
});
