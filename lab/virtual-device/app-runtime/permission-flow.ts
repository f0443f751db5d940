import type { InputEvent, PhoneOs } from '../contracts.js';
import type { AppProcess } from './app-process.js';
import type { AppActivity } from './app-state.js';
import { permissionDialog, permissionGroup } from './system-ui.js';
import { hitTest, type ScreenSize, type UiNode } from './screen-layout.js';

const KEY_HOME = 3;
const KEY_BACK = 4;
const KEY_APP_SWITCH = 187;

interface PendingPermissions {
  proc: AppProcess;
  /** Groups still to ask, each with the permissions requested in it. */
  queue: { group: string; permissions: string[] }[];
  total: number;
  index: number;
  askedBefore: boolean;
  dontAsk: boolean;
  results: Map<string, boolean>;
}

export interface PermissionFlowDeps {
  os: PhoneOs;
  screen: ScreenSize;
  record(activity: Omit<AppActivity, 'time'>): void;
  isTop(packageName: string): boolean;
  moveToBack(packageName: string): void;
}

/**
 * Runtime permission requests as Android's permission controller handles them: one dialog per
 * permission group not yet granted, none for a group already granted or fixed by "don't ask
 * again", the answer written into the package's grants, and the results delivered to the app
 * (onRequestPermissionsResult) when the last dialog closes.
 */
export class PermissionFlow {
  private pending: PendingPermissions | undefined;

  constructor(private readonly deps: PermissionFlowDeps) {}

  /** The package whose request is showing, if any. */
  get packageName(): string | undefined {
    return this.pending?.proc.packageName;
  }

  /** Forgets a request without delivering results (the process died). */
  drop(packageName: string): void {
    if (this.pending?.proc.packageName === packageName) this.pending = undefined;
  }

  request(proc: AppProcess, permissions: string[]): void {
    if (this.pending) {
      // What Activity.requestPermissions logs when a request is already showing.
      proc.log('W', 'Activity', 'Can request only one set of permissions at a time');
      return;
    }
    const results = new Map<string, boolean>();
    const groups = new Map<string, string[]>();
    for (const p of permissions) {
      const g = permissionGroup(p).id;
      groups.set(g, [...(groups.get(g) ?? []), p]);
    }
    const queue: PendingPermissions['queue'] = [];
    for (const [group, perms] of groups) {
      if (perms.some((p) => proc.pkg.userFixed.has(p))) {
        for (const p of perms) results.set(p, false);
      } else if (perms.every((p) => proc.pkg.granted.has(p))) {
        for (const p of perms) results.set(p, true);
      } else {
        queue.push({ group, permissions: perms });
      }
    }
    this.pending = { proc, queue, total: queue.length, index: 1, askedBefore: false, dontAsk: false, results };
    this.next();
  }

  private next(): void {
    const d = this.pending;
    if (!d) return;
    const head = d.queue[0];
    if (!head || !d.proc.alive) {
      this.finish(false);
      return;
    }
    d.askedBefore = d.proc.state.askedGroups.has(head.group);
    d.proc.state.askedGroups.add(head.group);
    d.dontAsk = false;
    this.deps.record({
      packageName: d.proc.packageName,
      pid: d.proc.pid,
      kind: 'permission-dialog',
      detail: { permissions: head.permissions, group: head.group, askedBefore: d.askedBefore },
    });
  }

  tree(): UiNode | undefined {
    const d = this.pending;
    const head = d?.queue[0];
    if (!d || !head || !this.deps.isTop(d.proc.packageName)) return undefined;
    return permissionDialog({
      size: this.deps.screen,
      apiLevel: this.deps.os.identity.apiLevel,
      appLabel: d.proc.label,
      permission: head.permissions[0]!,
      askedBefore: d.askedBefore,
      index: d.index,
      total: d.total,
      dontAskChecked: d.dontAsk,
    });
  }

  input(event: InputEvent): void {
    const d = this.pending!;
    if (event.kind === 'key') {
      // Back or home on the grant dialog cancels it: Android reports the request as denied.
      if (event.keyCode === KEY_BACK || event.keyCode === KEY_HOME || event.keyCode === KEY_APP_SWITCH) this.answer('cancel');
      if (event.keyCode === KEY_HOME || event.keyCode === KEY_APP_SWITCH) this.deps.moveToBack(d.proc.packageName);
      return;
    }
    if (event.kind !== 'tap') return;
    const tree = this.tree();
    const hit = tree ? hitTest(tree, event.x, event.y) : undefined;
    const name = hit?.resourceId.split(':id/')[1];
    if (!name) return;
    if (name === 'do_not_ask_checkbox') {
      d.dontAsk = !d.dontAsk;
      return;
    }
    this.answer(name);
  }

  private answer(button: string): void {
    const d = this.pending;
    const head = d?.queue.shift();
    if (!d || !head) return;
    const pkg = d.proc.pkg;
    const allow = button.startsWith('permission_allow');
    const state = d.proc.state;
    for (const p of head.permissions) {
      d.results.set(p, allow);
      if (allow) {
        pkg.granted.add(p);
        pkg.userFixed.delete(p);
        state.denied.delete(p);
      } else {
        pkg.granted.delete(p);
        state.denied.add(p);
        const denials = (state.denials.get(p) ?? 0) + 1;
        state.denials.set(p, denials);
        const api = this.deps.os.identity.apiLevel;
        // Android 11+: the second denial is final; before, only the explicit "don't ask again".
        if (button === 'permission_deny_and_dont_ask_again_button' || d.dontAsk || (api >= 30 && denials >= 2 && button !== 'cancel')) {
          pkg.userFixed.add(p);
        }
      }
    }
    d.index += 1;
    this.next();
  }

  finish(cancelled: boolean): void {
    const d = this.pending;
    if (!d) return;
    this.pending = undefined;
    if (cancelled) for (const g of d.queue) for (const p of g.permissions) d.results.set(p, false);
    if (!d.proc.alive) return;
    for (const [permission, granted] of d.results) {
      this.deps.record({ packageName: d.proc.packageName, pid: d.proc.pid, kind: 'permission-result', detail: { permission, granted } });
      d.proc.fire({ type: granted ? 'permissionGranted' : 'permissionDenied', permission }, 'permission-result');
    }
  }
}
