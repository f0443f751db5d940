import { detectConsentDialog } from '../consent-detector.js';
import type { Step } from '../definitions.js';
import { normaliseLabel } from '../lexicon.js';
import { detectPermissionPrompt } from '../permission-detector.js';
import { isPolicyPage, policyEntries, screenSignature, type PolicyEntry } from '../policy-search.js';
import { detectPopup } from '../popup-detector.js';
import type { MarkerData } from '../recorder.js';
import { dominantPackage, type UiTree } from '../ui-hierarchy.js';
import { pollTree, type StepContext } from './step-context.js';
import { clickNode, pressKey } from './ui-actions.js';
import { noteScreen, popupOptions } from './watch.js';

/**
 * `find-policy`: from the app's main screen, looks for the privacy policy the way an inspector
 * does (RD 一.3: reachable in at most four taps): a link to the policy first, then the privacy,
 * about, settings and me/我的 entries, depth first, at most `maxTaps` taps deep, with Back to
 * return. Writes one `note` marker whose data the POLICY-UNREACHABLE rule reads:
 *
 * - `policySearch: found`, `policyTaps`: taps from the main screen to the policy, `path`;
 * - `not-found`: entries were explored and none led to the policy (`policyTaps`: taps made);
 * - `no-entry`: the main screen shows no entry the search recognises (not judged: an icon with
 *   no label or id is invisible to it, so "no entry" is not proof that there is none);
 * - `blocked`: the main screen is not in front (a dialog, a pop-up, another app);
 * - `incomplete`: Back took the search off its way before it was done.
 */

type FindPolicyStep = Extract<Step, { kind: 'find-policy' }>;
type Read = { xml: string; tree: UiTree; t: number };

/** Entries tried per screen: the best few; the lexicon ranks them. */
const ENTRIES_PER_SCREEN = 3;
/** All taps of one search, Back excluded: keeps a maze of a settings screen bounded. */
const TAP_BUDGET = 20;
/** How long a tap may take to change the screen. */
const CHANGE_MS = 2500;

class LostWay extends Error {}

interface Found {
  taps: number;
  path: string[];
  read: Read;
}

class PolicySearch {
  taps = 0;
  explored: string[] = [];

  constructor(
    private readonly ctx: StepContext,
    private readonly maxTaps: number,
  ) {}

  async explore(read: Read, depth: number, path: string[]): Promise<Found | undefined> {
    if (isPolicyPage(read.tree, this.ctx.appPackage)) return { taps: depth, path, read };
    if (depth >= this.maxTaps || dominantPackage(read.tree) !== this.ctx.appPackage) return undefined;
    const visited = new Set(path.map(normaliseLabel));
    const entries = policyEntries(read.tree, this.ctx.appPackage)
      .filter((e) => !visited.has(normaliseLabel(e.label)))
      .slice(0, ENTRIES_PER_SCREEN);
    const here = screenSignature(read.tree);
    for (const entry of entries) {
      if (this.taps >= TAP_BUDGET) return undefined;
      const next = await this.tap(entry, read, here);
      if (!next) continue;
      const found = await this.explore(next, depth + 1, [...path, entry.label]);
      if (found) return found;
      await this.backTo(here);
    }
    return undefined;
  }

  /** Taps an entry; the screen it leads to, or undefined when nothing changed. */
  private async tap(entry: PolicyEntry, read: Read, here: string): Promise<Read | undefined> {
    const ctx = this.ctx;
    await clickNode(ctx, entry.node, read.tree);
    this.taps += 1;
    this.explored.push(entry.label);
    ctx.recorder.marker('user.action', `tap "${entry.label.slice(0, 60)}" (looking for the privacy policy)`, {
      step: ctx.step,
      data: { action: 'tap', purpose: 'find-policy', target: entry.label.slice(0, 100) },
    });
    const changed = await pollTree(
      ctx,
      CHANGE_MS * Math.max(ctx.waitScale, 0.2),
      (r) => (screenSignature(r.tree) === here ? undefined : r),
      async (r) => void (await noteScreen(ctx, r)),
    );
    return changed?.value;
  }

  /** Back to the screen `here`, pressing Back up to `maxBacks` times (a swallowed Back, or several screens deep). */
  async backTo(here: string, maxBacks = 2): Promise<void> {
    const ctx = this.ctx;
    let last: Read | undefined;
    for (let i = 0; i < maxBacks; i += 1) {
      await pressKey(ctx, 'back');
      const back = await pollTree(
        ctx,
        CHANGE_MS * Math.max(ctx.waitScale, 0.2),
        (r) => {
          last = r;
          return screenSignature(r.tree) === here ? r : undefined;
        },
        async (r) => void (await noteScreen(ctx, r)),
      );
      if (back) return;
    }
    throw new LostWay(last && dominantPackage(last.tree) !== ctx.appPackage ? 'the app left the foreground on Back' : 'Back did not return to the screen the search came from');
  }
}

/** Why the search cannot start from what is on screen, if it cannot. */
function blocker(ctx: StepContext, tree: UiTree): string | undefined {
  const fg = dominantPackage(tree);
  if (fg !== ctx.appPackage) return `the app is not in the foreground (${fg ?? 'nothing'} is)`;
  if (detectPermissionPrompt(tree, { appPackage: ctx.appPackage })) return 'a permission prompt covers the main screen';
  if (detectConsentDialog(tree, { appPackage: ctx.appPackage, ...(ctx.overrides ? { overrides: ctx.overrides } : {}) })) return 'the privacy dialog covers the main screen';
  const popup = detectPopup(tree, popupOptions(ctx));
  if (popup) return `a pop-up covers the main screen${popup.name ? ` ("${popup.name}")` : ''}`;
  return undefined;
}

export async function findPolicy(ctx: StepContext, step: FindPolicyStep): Promise<string> {
  const start = await ctx.recorder.readTree();
  await noteScreen(ctx, start);
  const startSnap = await ctx.recorder.snapshot(ctx.step, 'policy-search-start', start);
  const write = (label: string, data: MarkerData, ui = startSnap.id) =>
    ctx.recorder.marker('note', label, { step: ctx.step, ui, data: { maxTaps: step.maxTaps, ...data } });

  const why = blocker(ctx, start.tree);
  if (why) {
    write(`privacy-policy search not started: ${why}`, { policySearch: 'blocked', policyTaps: 0, reason: why });
    return `search not started: ${why}`;
  }
  if (policyEntries(start.tree, ctx.appPackage).length === 0 && !isPolicyPage(start.tree, ctx.appPackage)) {
    write('privacy-policy search: the main screen shows no privacy, about, settings or me entry the search recognises', { policySearch: 'no-entry', policyTaps: 0 });
    return 'no entry to explore on the main screen';
  }

  const search = new PolicySearch(ctx, step.maxTaps);
  let found: Found | undefined;
  try {
    found = await search.explore(start, 0, []);
  } catch (e) {
    if (!(e instanceof LostWay)) throw e;
    write(`privacy-policy search incomplete after ${search.taps} taps: ${e.message}`, { policySearch: 'incomplete', policyTaps: search.taps, reason: e.message, explored: search.explored.join(' | ').slice(0, 300) });
    return `search incomplete: ${e.message}`;
  }
  if (!found) {
    write(`privacy policy not found within ${step.maxTaps} taps of the main screen (tried ${search.explored.map((l) => `"${l}"`).join(', ')})`, {
      policySearch: 'not-found',
      policyTaps: search.taps,
      explored: search.explored.join(' | ').slice(0, 300),
    });
    return `not found (${search.taps} taps)`;
  }
  const page = await ctx.recorder.snapshot(ctx.step, 'privacy-policy', found.read);
  const path = found.path.join(' › ');
  write(`privacy policy found ${found.taps} tap${found.taps === 1 ? '' : 's'} from the main screen${path ? ` (${path})` : ''}`, { policySearch: 'found', policyTaps: found.taps, path }, page.id);
  // Leave the app where the search started, for the steps that follow.
  try {
    if (found.taps > 0) await search.backTo(screenSignature(start.tree), found.taps + 1);
  } catch (e) {
    if (!(e instanceof LostWay)) throw e;
    ctx.logger.info({ err: e.message }, 'could not return to the main screen after the policy search');
  }
  return `found in ${found.taps} taps${path ? `: ${path}` : ''}`;
}
