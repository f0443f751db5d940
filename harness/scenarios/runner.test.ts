import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMeta } from '../bundle/factories.js';
import { readBundle, type Marker } from '../bundle/index.js';
import { BundleWriter } from '../bundle/writer.js';
import type { DeviceShell } from './device-shell.js';
import { loadScenario, parseScenarioText, scaleObservation } from './loader.js';
import { ScenarioRunner } from './runner.js';
import type { Locator } from './selector.js';
import { centre, parseUiTree, type UiNode } from './ui-tree.js';
import type { UiDriver } from './ui-session.js';

/**
 * The runner against a small in-test phone: one app (com.example.news) drawn from the
 * hand-written dumps in fixtures/, with a privacy dialog, an "are you sure?" after refusal that
 * quits the app, and a location prompt after consent that comes back on every launch until
 * granted. The phone is built fresh for each test.
 */

const PKG = 'com.example.news';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const HOME = `<?xml version='1.0' encoding='UTF-8'?><hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.android.launcher3" content-desc="" clickable="false" enabled="true" bounds="[0,0][1080,2340]"><node index="0" text="头条" resource-id="" class="android.widget.TextView" package="com.android.launcher3" content-desc="头条" clickable="true" enabled="true" bounds="[20,300][250,560]" /></node></hierarchy>`;
const MAIN = `<?xml version='1.0' encoding='UTF-8'?><hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="${PKG}" content-desc="" clickable="false" enabled="true" bounds="[0,0][1080,2340]"><node index="0" text="今日头条新闻" resource-id="${PKG}:id/feed" class="android.widget.TextView" package="${PKG}" content-desc="" clickable="false" enabled="true" bounds="[0,100][1080,400]" /><node index="1" text="为了推荐本地新闻，我们需要获取您的位置信息" resource-id="${PKG}:id/why_location" class="android.widget.TextView" package="${PKG}" content-desc="" clickable="false" enabled="true" bounds="[0,400][1080,520]" /></node></hierarchy>`;
const LOCATION_PROMPT = fixture('perm-api33-location.xml');

type Screen = 'home' | 'privacy' | 'confirm' | 'main' | 'prompt';

interface Options {
  /** The app shows no privacy dialog at all. */
  noDialog?: boolean;
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
    }
  }

  launch(): void {
    if (this.options.noDialog || this.consent === 'accepted') this.afterConsent();
    else this.screen = 'privacy';
  }

  private mainReads = 0;

  private afterConsent(): void {
    // Shows the main screen (which explains why it wants location), then asks for location,
    // on every launch until it is granted: a re-prompt after denial.
    this.screen = 'main';
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
    } else if (this.screen === 'prompt' && id.startsWith('permission_')) {
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
      this.screen = 'home';
    },
    pressKeyCode: async (code) => {
      if (code === 3) this.screen = 'home';
    },
    windowSize: async () => ({ width: 1080, height: 2340 }),
    close: async () => {},
  };
}

async function play(scenarioYamlOrId: string, phone: TestPhone) {
  const root = mkdtempSync(join(tmpdir(), 'runner-'));
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
});
