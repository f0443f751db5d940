import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { builtIn } from '../../core/paths.js';
import { parseValidated } from '../../core/validated-file.js';
import { ScenarioSchema, type Scenario, type Step } from './definitions.js';

/**
 * Reads scenario files, checks that each file's id matches its name (so `include:` and
 * `--scenario` resolve predictably) and resolves `part: { include }` against the other
 * scenarios, refusing cycles.
 */

const SCENARIO_EXTS = new Set(['.yaml', '.yml', '.json']);

export interface ScenarioLibrary {
  /** Scenarios by id, includes resolved. */
  readonly scenarios: ReadonlyMap<string, Scenario>;
  get(id: string): Scenario | undefined;
}

/** Parses one file without resolving includes. */
export function parseScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError('FILE_UNREADABLE', `cannot read the scenario: ${(cause as Error).message}`, { file, cause });
  }
  return parseScenarioText(text, file);
}

export function parseScenarioText(text: string, file: string): Scenario {
  const parsed = parseValidated(text, file, ScenarioSchema, 'scenario');
  return { ...parsed, file, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Loads every scenario in `dirs` (later folders override earlier ones by id). */
export function loadScenarioLibrary(dirs: string[] = [builtIn.scenarios]): ScenarioLibrary {
  const raw = new Map<string, Scenario>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!SCENARIO_EXTS.has(extname(name))) continue;
      const file = join(dir, name);
      const scenario = parseScenarioFile(file);
      checkIdMatchesFile(scenario, file);
      raw.set(scenario.id, scenario);
    }
  }
  const resolved = new Map<string, Scenario>();
  for (const scenario of raw.values()) resolved.set(scenario.id, resolveIncludes(scenario, (id) => raw.get(id)));
  return { scenarios: resolved, get: (id) => resolved.get(id) };
}

/**
 * Loads one scenario by id (from the library) or by path (a file, whose includes resolve
 * against the library).
 */
export function loadScenario(idOrFile: string, dirs: string[] = [builtIn.scenarios]): Scenario {
  const library = loadScenarioLibrary(dirs);
  const byId = library.get(idOrFile);
  if (byId) return byId;
  const file = resolve(idOrFile);
  if (!existsSync(file)) {
    throw new InputError('SCENARIO_NOT_FOUND', `no scenario "${idOrFile}": expected a file or one of ${[...library.scenarios.keys()].join(', ')}`, {
      field: 'scenario',
    });
  }
  const scenario = parseScenarioFile(file);
  checkIdMatchesFile(scenario, file);
  return resolveIncludes(scenario, (id) => library.get(id));
}

/** The README's rule: a scenario's id is its file name, wherever the file is loaded from. */
function checkIdMatchesFile(scenario: Scenario, file: string): void {
  const stem = basename(file, extname(file));
  if (scenario.id !== stem) {
    throw new InputError('SCENARIO_ID_MISMATCH', `id "${scenario.id}" does not match the file name (expected "${stem}")`, {
      file,
      field: 'id',
      ...lineOfText(file, /^id:/),
    });
  }
}

export function resolveIncludes(scenario: Scenario, lookup: (id: string) => Scenario | undefined): Scenario {
  const visit = (steps: Step[], path: string, chain: string[]): Step[] =>
    steps.map((step, i): Step => {
      const here = `${path}.${i}`;
      if (step.kind === 'repeat') return { ...step, steps: visit(step.steps, `${here}.repeat.steps`, chain) };
      if (step.kind !== 'part') return step;
      if (step.include === undefined) return { ...step, steps: visit(step.steps, `${here}.part.steps`, chain) };
      const where = { file: scenario.file, field: `${here}.part.include`, ...lineOfText(scenario.file, new RegExp(`include:\\s*${step.include}\\b`)) };
      if (chain.includes(step.include)) {
        throw new InputError('SCENARIO_INCLUDE_CYCLE', `including "${step.include}" makes a cycle (${[...chain, step.include].join(' → ')})`, where);
      }
      const target = lookup(step.include);
      if (!target) throw new InputError('SCENARIO_INCLUDE_UNKNOWN', `no scenario with id "${step.include}" to include`, where);
      return { ...step, steps: visit(target.steps, here, [...chain, step.include]) };
    });
  return { ...scenario, steps: visit(scenario.steps, 'steps', [scenario.id]) };
}

/**
 * Multiplies every observation time, and the settle time after a launch (for tests and demos);
 * timeouts are left alone.
 */
export function scaleObservation(scenario: Scenario, scale: number): Scenario {
  if (!(scale > 0)) throw new InputError('INVALID_OBSERVE_SCALE', `observe scale must be a positive number, got ${scale}`, { field: 'observe-scale' });
  const scaleSteps = (steps: Step[]): Step[] =>
    steps.map((s) => {
      if (s.kind === 'observe') return { ...s, seconds: Math.max(0.05, s.seconds * scale) };
      if (s.kind === 'launch' || s.kind === 'relaunch' || s.kind === 'foreground') return { ...s, settle: Math.max(0.05, s.settle * scale) };
      if (s.kind === 'repeat' || s.kind === 'part') return { ...s, steps: scaleSteps(s.steps) };
      return s;
    });
  return { ...scenario, steps: scaleSteps(scenario.steps) };
}

export interface ScenarioSummary {
  id: string;
  description: string;
  /** Steps that will be played, with repeats expanded and parts flattened. */
  steps: number;
  /** Total time spent in `observe` steps, seconds. */
  observeSeconds: number;
  file?: string;
}

export function summariseScenario(scenario: Scenario): ScenarioSummary {
  const walk = (steps: Step[]): { steps: number; observe: number } =>
    steps.reduce(
      (acc, s) => {
        if (s.kind === 'repeat') {
          const inner = walk(s.steps);
          return { steps: acc.steps + inner.steps * s.times, observe: acc.observe + inner.observe * s.times };
        }
        if (s.kind === 'part') {
          const inner = walk(s.steps);
          return { steps: acc.steps + inner.steps, observe: acc.observe + inner.observe };
        }
        return { steps: acc.steps + 1, observe: acc.observe + (s.kind === 'observe' ? s.seconds : 0) };
      },
      { steps: 0, observe: 0 },
    );
  const totals = walk(scenario.steps);
  return {
    id: scenario.id,
    description: scenario.description,
    steps: totals.steps,
    observeSeconds: Number(totals.observe.toFixed(3)),
    ...(scenario.file ? { file: scenario.file } : {}),
  };
}

/** Finds the first line matching `re` in a file (for errors raised after zod parsing). */
function lineOfText(file: string | undefined, re: RegExp): { line?: number } {
  if (!file) return {};
  try {
    const idx = readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => re.test(l.trim()));
    return idx >= 0 ? { line: idx + 1 } : {};
  } catch {
    return {};
  }
}
