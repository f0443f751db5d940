import type { BundleWriter } from '../../evidence/bundle/writer.js';
import type { Marker, MarkerKind } from '../../contracts/bundle-schema.js';
import type { Logger } from '../../core/logger.js';
import { hostToDevice } from './clock.js';
import { dominantPackage, parseUiTree, type UiTree } from './ui-hierarchy.js';
import type { UiDriver } from './ui-session.js';

/**
 * Writes what the scripted user saw and did into the bundle: timeline markers (host time, the
 * bundle's clock, with the device time alongside) and UI snapshots (screenshot + UI tree).
 */

export type MarkerData = Record<string, string | number | boolean | null>;

export interface Snapshot {
  id: string;
  t: number;
  xml: string;
  tree: UiTree;
}

export class EvidenceRecorder {
  private seq = 0;

  constructor(
    private readonly writer: BundleWriter,
    private readonly driver: UiDriver,
    private readonly clockOffsetMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  time(): number {
    return this.now();
  }

  marker(kind: MarkerKind, label: string, extra: { step?: number; data?: MarkerData; ui?: string; t?: number; tEnd?: number } = {}): Marker {
    const t = extra.t ?? this.now();
    const data: MarkerData = { ...extra.data, tDevice: hostToDevice(t, this.clockOffsetMs) };
    const m = this.writer.addMarker({
      t,
      ...(extra.tEnd !== undefined ? { tEnd: extra.tEnd } : {}),
      kind,
      label: label.slice(0, 2000),
      ...(extra.step !== undefined ? { step: extra.step } : {}),
      data,
      ...(extra.ui ? { ui: extra.ui } : {}),
    });
    this.logger.debug({ kind, label, step: extra.step }, 'marker');
    return m;
  }

  /** Reads the UI tree only (no screenshot): for polling. */
  async readTree(): Promise<{ xml: string; tree: UiTree; t: number }> {
    const xml = await this.driver.pageSource();
    return { xml, tree: parseUiTree(xml), t: this.now() };
  }

  /**
   * Stores a screenshot and the UI tree. `known` reuses a tree just read, so the stored tree is
   * exactly the one a detector judged.
   */
  async snapshot(step: number | undefined, name: string, known?: { xml: string; tree: UiTree; t: number }): Promise<Snapshot> {
    const current = known ?? (await this.readTree());
    let png: Buffer | undefined;
    try {
      png = await this.driver.screenshotPng();
    } catch (e) {
      // A secure window (FLAG_SECURE) refuses screenshots; the tree is still evidence.
      this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'screenshot failed');
    }
    this.seq += 1;
    const base = `${String(this.seq).padStart(3, '0')}-${step ?? 'x'}-${name}`;
    const files = this.writer.storeScreen(base, { ...(png ? { png } : {}), xml: current.xml });
    const pkg = dominantPackage(current.tree);
    const ui = this.writer.addUi({
      t: current.t,
      ...(step !== undefined ? { step } : {}),
      ...files,
      ...(pkg ? { package: pkg } : {}),
    });
    return { id: ui.id, t: current.t, xml: current.xml, tree: current.tree };
  }
}
