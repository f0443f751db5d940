import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action } from '../action.js';
import { table } from '../table.js';

interface TrafficCliOptions {
  har?: string;
  rescan?: boolean;
  lenient?: boolean;
}

/**
 * What left the phone in one bundle: flows, identifiers per data type and destination, TLS
 * connections that could not be decrypted (pinning); optionally a HAR 1.2 export for browser
 * tools. Offline: reads the bundle only.
 */
export function registerTraffic(program: Command): void {
  program
    .command('traffic <bundle>')
    .description("summarise a bundle's traffic: identifiers sent per destination, TLS failures; --har exports HAR 1.2")
    .option('--har <file>', 'write the flows as HAR 1.2 to this file')
    .option('--rescan', "find identifiers again with today's forms and SDK catalogue (does not modify the bundle)")
    .option('--lenient', 'skip damaged records instead of failing')
    .action(
      action(async (ctx, dir: string, opts: TrafficCliOptions) => {
        const { readBundle } = await import('../../evidence/bundle/index.js');
        const { analyseFlows, exportHar, summariseTraffic } = await import('../../capture/traffic/index.js');
        const bundle = await readBundle(dir, { strict: !opts.lenient });
        const flows = opts.rescan ? await analyseFlows(bundle) : bundle.flows;
        if (opts.har) writeFileSync(opts.har, `${JSON.stringify(exportHar({ ...bundle, flows }), null, 2)}\n`);
        const summary = summariseTraffic(flows);
        const sent = new Map<string, { host: string; dataType: string; party: string; forms: Set<string>; flows: number }>();
        for (const flow of flows) {
          for (const hit of flow.hits) {
            const key = `${flow.server.host}\u0000${hit.dataType}`;
            const row = sent.get(key) ?? { host: flow.server.host, dataType: hit.dataType, party: flow.destination?.sdk ?? flow.destination?.party ?? '', forms: new Set<string>(), flows: 0 };
            row.forms.add(hit.form);
            row.flows += 1;
            sent.set(key, row);
          }
        }
        if (ctx.json) {
          ctx.outJson({ bundle: dir, ...summary, ...(opts.har ? { har: opts.har } : {}) });
          return;
        }
        const lines = [`${summary.flows} flows, ${summary.flowsWithHits} with identifiers, ${summary.tlsFailures} TLS failures`];
        if (sent.size > 0) {
          lines.push('', table(['host', 'receiver', 'data type', 'hits', 'forms'], [...sent.values()].map((r) => [r.host, r.party, r.dataType, r.flows, [...r.forms].join(', ')])));
        }
        if (summary.tlsFailureHosts.length > 0) lines.push('', `not decrypted (pinning or CA not trusted): ${summary.tlsFailureHosts.join(', ')}`);
        if (opts.har) lines.push('', `HAR written to ${opts.har}`);
        ctx.out(lines.join('\n'));
      }),
    );
}
