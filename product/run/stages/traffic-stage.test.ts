import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMeta } from '../../evidence/bundle/test-support/factories.js';
import { BundleWriter } from '../../evidence/bundle/writer.js';
import { ConfigSchema } from '../../core/config.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';
import { trafficStage } from './traffic-stage.js';

const dirs = tempDirs('consentry-traffic-stage');

describe('traffic stage with standby proxies', () => {
  it('never hands the same standby proxy to two runs that start at once', async () => {
    const root = dirs.make();
    const config = ConfigSchema.parse({ capturesRoot: join(root, 'captures'), stateDir: join(root, 'state'), traffic: { adapter: 'embedded' } });
    const stage = trafficStage(config, { standby: true });
    const writer = (id: string) => BundleWriter.create(config.capturesRoot, runMeta({ runId: id, outcome: 'running' }));
    const start = (id: string) => stage.start({ writer: writer(id), appPackage: 'com.example.app', identifiers: () => ({}) });
    try {
      const first = await start('r1');
      const captures = [await first.ready];
      // The first run's proxy listens, so the next one is already starting on standby.
      const [a, b] = await Promise.all([start('r2'), start('r3')]);
      expect(a.port).not.toBe(b.port);
      captures.push(await a.ready, await b.ready);
      expect(new Set(captures.map((c) => c.port)).size).toBe(3);
      for (const c of captures) await c.stop();
    } finally {
      await stage.close();
    }
  });
});
