import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../../product/core/errors.js';
import { detectConsentDialog } from '../../../product/capture/scenarios/consent-detector.js';
import { choosePromptButton, detectPermissionPrompt } from '../../../product/capture/scenarios/permission-detector.js';
import { detectPopup } from '../../../product/capture/scenarios/popup-detector.js';
import { parseBounds, parseUiTree, type Bounds, type UiTree } from '../../../product/capture/scenarios/ui-hierarchy.js';

/**
 * Scores the scenario-side detectors (consent dialog, permission prompt, pop-up) against a folder
 * of labelled UI dumps: the committed corpus beside this file, or the real dumps a research
 * helper gathered (local only, never committed). Shared by lab/corpora/ui-detection.test.ts and
 * tooling/bench/ui-detection.bench.ts so both count the same way.
 *
 * A labelled dialog counts as found when the detector reports it AND the control it would tap
 * has the labelled bounds (the node a tap lands on, not a word near it).
 */

const Control = z
  .object({
    text: z.string().optional(),
    resourceId: z.string().optional(),
    contentDesc: z.string().optional(),
    class: z.string().optional(),
    bounds: z.string().regex(/^\[-?\d+,-?\d+\]\[-?\d+,-?\d+\]$/, 'bounds as "[x1,y1][x2,y2]"'),
  })
  .loose();

export const DumpLabel = z
  .object({
    id: z.string().min(1),
    kind: z.enum(['consent-dialog', 'permission-prompt', 'popup', 'screen']),
    language: z.string(),
    format: z.enum(['uiautomator-dump', 'uiautomator2-source']),
    /** The real dump (research id) whose structure a committed dump reproduces. */
    models: z.string().optional(),
    accept: Control.nullable(),
    refuse: Control.nullable(),
    close: Control.nullable(),
    /** A control that must NOT be taken for the pop-up's close (an ANR dialog's "Close app"). */
    notClose: Control.nullable().optional(),
    notes: z.string().optional(),
  })
  .loose();
export type DumpLabel = z.infer<typeof DumpLabel>;

export interface LabelledDump {
  id: string;
  xml: string;
  label: DumpLabel;
}

/** Reads `<dumpsDir>/<id>.xml` with `<labelsDir>/<id>.yaml`; a label that does not parse is an InputError naming it. */
export function loadLabelledDumps(dumpsDir: string, labelsDir: string): LabelledDump[] {
  return readdirSync(labelsDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = join(labelsDir, f);
      const parsed = DumpLabel.safeParse(parseYaml(readFileSync(file, 'utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InputError('CORPUS_LABEL', `expected a dump label: ${issue.message}`, { file, field: issue.path.join('.') });
      }
      const id = basename(f, '.yaml');
      return { id, xml: readFileSync(join(dumpsDir, `${id}.xml`), 'utf8'), label: parsed.data };
    });
}

export interface DumpScore {
  id: string;
  kind: DumpLabel['kind'];
  /** For a labelled dialog: its controls were found with the right bounds. Undefined for negatives. */
  found: boolean | undefined;
  /** A consent dialog or permission prompt reported where the label has none. */
  falseDetection: string | undefined;
  /** For pop-ups and screens: the close control is right (labelled one found, none invented, none forbidden). */
  popupOk: boolean | undefined;
  detail: string;
}

const sameBounds = (a: Bounds | undefined, b: string | undefined) => {
  const want = parseBounds(b);
  return a !== undefined && want !== undefined && a.x1 === want.x1 && a.y1 === want.y1 && a.x2 === want.x2 && a.y2 === want.y2;
};
const fmt = (b: Bounds | undefined) => (b ? `[${b.x1},${b.y1}][${b.x2},${b.y2}]` : 'none');

/** What a detector reports, reduced to what is scored: the bounds a tap would hit. */
export interface DetectorFindings {
  consent: { accept: Bounds | undefined; refuse: Bounds | undefined; label: string } | undefined;
  permission: { allow: Bounds | undefined; deny: Bounds | undefined; label: string } | undefined;
  /** Undefined when the detector does not look for pop-ups. */
  popup?: { found: boolean; close: Bounds | undefined; label: string };
}

export type Detector = (tree: UiTree) => DetectorFindings;

/** consentry's own detectors, as the scenario steps call them (no app package, no screen size). */
export const consentryDetector: Detector = (tree) => {
  const consent = detectConsentDialog(tree);
  const prompt = detectPermissionPrompt(tree);
  const popup = detectPopup(tree);
  return {
    consent: consent && { accept: consent.accept?.node.bounds, refuse: consent.refuse?.node.bounds, label: `consent dialog (accept "${consent.accept?.label ?? ''}")` },
    permission: prompt && {
      allow: choosePromptButton(prompt, 'allow')?.button.bounds,
      deny: choosePromptButton(prompt, 'deny')?.button.bounds,
      label: `permission prompt (${prompt.source})`,
    },
    popup: { found: popup !== undefined, close: popup?.close?.node.bounds, label: popup ? `pop-up "${popup.name}" (${popup.cues.join(', ')})` : 'no pop-up' },
  };
};

export function scoreDump(dump: LabelledDump, detector: Detector = consentryDetector): DumpScore {
  const { label } = dump;
  const { consent, permission, popup } = detector(parseUiTree(dump.xml));
  const base = { id: dump.id, kind: label.kind };
  if (label.kind === 'consent-dialog') {
    const found = consent !== undefined && sameBounds(consent.accept, label.accept?.bounds) && (label.refuse ? sameBounds(consent.refuse, label.refuse.bounds) : true);
    return {
      ...base,
      found,
      falseDetection: permission ? 'permission prompt on a consent dialog' : undefined,
      popupOk: undefined,
      detail: consent ? `accept ${fmt(consent.accept)} refuse ${fmt(consent.refuse)}` : 'no consent dialog',
    };
  }
  if (label.kind === 'permission-prompt') {
    const found = permission !== undefined && sameBounds(permission.allow, label.accept?.bounds) && sameBounds(permission.deny, label.refuse?.bounds);
    return {
      ...base,
      found,
      falseDetection: consent ? 'consent dialog on a permission prompt' : undefined,
      popupOk: undefined,
      detail: permission ? `allow ${fmt(permission.allow)} deny ${fmt(permission.deny)}` : 'no permission prompt',
    };
  }
  const falseDetection = consent?.label ?? permission?.label;
  if (!popup) return { ...base, found: undefined, falseDetection, popupOk: undefined, detail: 'pop-ups not checked' };
  let popupOk: boolean;
  if (label.kind === 'screen') {
    popupOk = !popup.found;
  } else {
    const forbidden = label.notClose ? sameBounds(popup.close, label.notClose.bounds) : false;
    popupOk = !forbidden && (label.close ? sameBounds(popup.close, label.close.bounds) : true);
  }
  return { ...base, found: undefined, falseDetection, popupOk, detail: popup.found ? `${popup.label} close ${fmt(popup.close)}` : 'no pop-up' };
}

export interface CorpusScore {
  dumps: DumpScore[];
  /** Labelled consent dialogs and permission prompts. */
  dialogs: number;
  found: number;
  /** Pop-ups and screens. */
  negatives: number;
  falseDetections: number;
  popupChecks: number;
  popupOk: number;
}

export function scoreCorpus(dumps: LabelledDump[], detector: Detector = consentryDetector): CorpusScore {
  const scores = dumps.map((d) => scoreDump(d, detector));
  const dialogs = scores.filter((s) => s.found !== undefined);
  const negatives = scores.filter((s) => s.kind === 'popup' || s.kind === 'screen');
  const popupChecks = scores.filter((s) => s.popupOk !== undefined);
  return {
    dumps: scores,
    dialogs: dialogs.length,
    found: dialogs.filter((s) => s.found).length,
    negatives: negatives.length,
    falseDetections: scores.filter((s) => s.falseDetection !== undefined).length,
    popupChecks: popupChecks.length,
    popupOk: popupChecks.filter((s) => s.popupOk).length,
  };
}
