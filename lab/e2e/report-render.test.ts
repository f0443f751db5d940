import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, T0, writeTestBundle } from '../../product/evidence/bundle/test-support/factories.js';
import { readBundle } from '../../product/evidence/bundle/reader.js';
import type { FindingsDoc } from '../../product/contracts/bundle-schema.js';
import { buildReportModel, renderHtml } from '../../product/judge/report/index.js';
import { chromiumPath, dumpDom, screenshot } from '../../product/judge/report/test-support/chromium.js';
import { tempDirs } from '../../product/core/test-support/temp-dirs.js';

const temp = tempDirs('render');

const PAYLOAD = `<script>document.title='PWNED';document.body.setAttribute('data-pwned','1')</script><img src=x onerror="document.body.setAttribute('data-pwned','2')">`;

describe.skipIf(!existsSync(chromiumPath()))('HTML report in Chromium', () => {
  it('renders the timeline and the findings, and a hostile app cannot run script in it', async () => {
    const root = temp.make();
    const ev = hookEvent('device-id', T0 + 900, { api: 'android.telephony.TelephonyManager.getImei', ret: '861234567890123', attribution: { party: 'sdk', sdk: 'pangle' }, stack: [`com.bytedance.sdk.openadsdk.a(${PAYLOAD})`] });
    const fl = flow(`https://ads.example-tracker.com/log?x=${encodeURIComponent(PAYLOAD)}`, T0 + 1500, {
      hits: [{ dataType: 'device-id', form: 'md5', location: 'url', value: '861234567890123', match: 'c1d2' }],
      destination: { party: 'sdk', sdk: 'pangle' },
    });
    const dir = await writeTestBundle(root, {
      run: { app: { package: 'com.example.hostile', label: PAYLOAD } },
      markers: [marker('step', T0, { tEnd: T0 + 4000, label: PAYLOAD }), marker('consent.refused', T0 + 4200, { label: PAYLOAD })],
      events: [ev],
      flows: [fl],
    });
    const findings: FindingsDoc = {
      schemaVersion: 1, runId: 'r', analysedAt: T0, consentryVersion: '0', ruleSet: 'cn-miit', verdict: 'fail', reasons: [],
      findings: [{ ruleId: 'CONSENT-PRE-COLLECT', severity: 'high', statement: `Pangle read the IMEI ${PAYLOAD}`, sources: ['RD 三.1'], dataTypes: ['device-id'], sdk: 'pangle', t: T0 + 900, evidence: { events: [ev.id], flows: [fl.id], markers: [], ui: [] } }],
    };
    const html = renderHtml(buildReportModel(await readBundle(dir), findings));
    const file = join(root, 'report.html');
    writeFileSync(file, html);

    const dom = await dumpDom(file);
    expect(dom).not.toMatch(/<body[^>]*data-pwned/);
    expect(dom).toMatch(/<title>consentry report: com\.example\.hostile \(fail\)<\/title>/);
    expect(dom).toContain('aria-label="timeline"');
    expect((dom.match(/class="mark/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(dom).toContain('CONSENT-PRE-COLLECT');
    expect(dom).toContain('before consent');

    const png = join(root, 'report.png');
    await screenshot(file, png);
    const image = PNG.sync.read(readFileSync(png));
    expect(image.width).toBe(1280);
    // The page painted something: not a blank white screenshot.
    let nonWhite = 0;
    for (let i = 0; i < image.data.length; i += 4 * 97) if (image.data[i]! < 240) nonWhite += 1;
    expect(nonWhite).toBeGreaterThan(100);
  });
});
