import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspectApp } from '../../evidence/apps/index.js';
import type { Config } from '../../core/config.js';
import type { AppIntake } from '../stage-interfaces.js';

/**
 * App intake for a run: static facts (consentry inspect) plus the files to install. Parts of
 * split APKs / XAPKs are kept in a work folder under the state dir for the install step.
 */
export function intakeStage(config: Config, options: { reference?: string } = {}): AppIntake {
  return {
    async open(path) {
      const tempRoot = join(config.stateDir, 'intake');
      mkdirSync(tempRoot, { recursive: true });
      const { facts, pkg } = await inspectApp(path, { keepFiles: true, tempRoot, ...(options.reference ? { reference: options.reference } : {}) });
      return {
        packageName: pkg.packageName,
        ...(pkg.versionName ? { versionName: pkg.versionName } : {}),
        ...(pkg.versionCode !== undefined ? { versionCode: pkg.versionCode } : {}),
        ...(facts.manifest.label ? { label: facts.manifest.label } : {}),
        apkSha256: pkg.files[0]!.sha256,
        installFiles: pkg.files.map((f) => f.path),
        staticFacts: facts,
      };
    },
  };
}
