import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadSdkCatalogue } from '../../product/evidence/catalogue/sdk-catalogue.js';
import type { AppModel } from '../virtual-device/models/index.js';

/**
 * What a lab would be handed with each sample app: its privacy policy as text and its "double
 * list" as YAML. Written from the sample model so that the demo feeds the policy stage real
 * input files, the way `consentry run --policy --declared` is used.
 */
export function writeSampleInputs(model: AppModel, dir: string, id: string): { policy?: string; declared?: string } {
  mkdirSync(dir, { recursive: true });
  const out: { policy?: string; declared?: string } = {};
  if (!model.policy) return out;
  out.policy = join(dir, `${id}.policy.txt`);
  writeFileSync(out.policy, model.policy.text);
  const declared = model.policy.declared;
  if (declared) {
    const catalogue = loadSdkCatalogue();
    const sdkDomains = new Set<string>();
    const sharing = declared.sdks.map((sdkId) => {
      const sdk = catalogue.byId(sdkId);
      for (const d of sdk?.domains ?? []) sdkDomains.add(d);
      return {
        name: sdk?.name ?? sdkId,
        sdk: sdkId,
        ...(sdk ? { company: sdk.vendor } : {}),
        dataTypes: declared.dataTypes,
        domains: declared.recipients.filter((r) => sdk?.domains.some((d) => r === d || r.endsWith(`.${d}`) || d.endsWith(`.${r}`))),
      };
    });
    for (const recipient of declared.recipients) {
      if (!sharing.some((s) => s.domains.includes(recipient))) sharing.push({ name: recipient, sdk: undefined as never, dataTypes: [], domains: [recipient] });
    }
    const list = {
      collection: declared.dataTypes.map((dataType) => ({ dataType })),
      sharing: sharing.map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined))),
    };
    out.declared = join(dir, `${id}.declared.yaml`);
    writeFileSync(out.declared, stringify(list));
  }
  return out;
}
