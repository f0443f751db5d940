import type { Command } from 'commander';
import { notBuilt } from '../action.js';

/**
 * Commands whose stage has not landed yet. Each moves to its own file under commands/ when its
 * stage is built; until then it says so plainly and exits 5.
 */
export function registerStubs(program: Command): void {
  const pending: [name: string, args: string, description: string, stage: string, issue: string][] = [
    ['devices', '', 'list attached devices with state, profile and lease (table; --json)', 'device pool', 'issue #4'],
    ['inspect', '<apk>', 'static facts about an APK, split APKs or XAPK', 'app intake', 'issue #4'],
    ['policy', '<file>', 'declarations extracted from a privacy policy or a declared-data list', 'policy', 'issue #8'],
    ['rules', '', 'the rule catalogue: ids, severities, sources and thresholds', 'rules engine', 'issue #8'],
    ['report', '<bundle>', 'render a report from a bundle (html, json, junit, sarif, csv)', 'reports', 'issue #9'],
    ['diff', '<bundleA> <bundleB>', 'findings fixed, new and unchanged between two runs of an app', 'reports', 'issue #9'],
    ['run', '<apk>', 'run one app end to end on a device and report', 'pipeline', 'issue #9'],
    ['batch', '<dirOrList>', 'run many apps on every free device', 'farm', 'issue #10'],
    ['demo', '', 'start a virtual farm and run the sample apps end to end', 'pipeline', 'issue #9'],
    ['farm', '<role>', 'distributed farm: coordinator or worker', 'farm', 'issue #10'],
  ];
  for (const [name, args, description, stage, issue] of pending) {
    if (program.commands.some((c) => c.name() === name)) continue;
    const cmd = program.command(`${name}${args ? ` ${args}` : ''}`).description(`${description} [not built yet]`);
    cmd.allowUnknownOption(true).action(notBuilt(stage, issue));
  }
}
