import { readFileSync } from 'node:fs';
import { InputError } from '../../../product/core/errors.js';
import { lineOfPath, parseValidated } from '../../../product/core/validated-file.js';
import { AppModel, type Action, type UiElement } from './schema.js';

/**
 * Loads an app behaviour model: YAML syntax and shape (zod, via parseValidated), then the
 * cross-references zod cannot see (screens named by actions, callers named by behaviours,
 * permissions in the manifest). Every error names file:line:field. An SDK id is the model's own
 * label (the model states the SDK's package itself), so the simulator needs no SDK catalogue;
 * the lab's sample apps pass `knownSdk` to keep their ids in step with the product's catalogue.
 */
export interface ModelChecks {
  /** Whether an SDK id is known; unknown ids are refused when given. */
  knownSdk?: (id: string) => boolean;
}

export function loadModelFile(file: string, checks: ModelChecks = {}): AppModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError('FILE_UNREADABLE', `cannot read the app model: ${(cause as Error).message}`, { file, cause });
  }
  return parseModel(text, file, checks);
}

export function parseModel(text: string, file: string, checks: ModelChecks = {}): AppModel {
  const model = parseValidated(text, file, AppModel, 'app model');
  const problem = findCrossReferenceProblem(model, checks);
  if (problem) {
    const line = lineOfPath(text, problem.path);
    throw new InputError('MODEL_INVALID', `${problem.message} in the app model`, {
      file,
      field: problem.path.join('.'),
      ...(line ? { line } : {}),
    });
  }
  return model;
}

interface Problem {
  path: (string | number)[];
  message: string;
}

function findCrossReferenceProblem(model: AppModel, { knownSdk }: ModelChecks): Problem | undefined {
  const screenIds = new Set<string>();
  for (const [i, screen] of model.screens.entries()) {
    if (screenIds.has(screen.id)) return { path: ['screens', i, 'id'], message: `duplicate screen id "${screen.id}"` };
    screenIds.add(screen.id);
  }
  const activities = new Set(model.manifest.activities.map((a) => a.name));
  for (const [i, screen] of model.screens.entries()) {
    if (screen.activity && !activities.has(screen.activity)) {
      return { path: ['screens', i, 'activity'], message: `activity "${screen.activity}" is not in manifest.activities` };
    }
  }
  if (model.startScreen && !screenIds.has(model.startScreen)) {
    return { path: ['startScreen'], message: `no screen with id "${model.startScreen}"` };
  }
  const callers = new Set(['app']);
  for (const [i, sdk] of model.sdks.entries()) {
    if (knownSdk && !knownSdk(sdk.id)) {
      return { path: ['sdks', i, 'id'], message: `unknown SDK id "${sdk.id}" (expected an id from product/evidence/catalogue/sdks.yaml)` };
    }
    callers.add(sdk.id);
  }
  for (const [i, id] of (model.policy?.declared?.sdks ?? []).entries()) {
    if (knownSdk && !knownSdk(id)) {
      return { path: ['policy', 'declared', 'sdks', i], message: `unknown SDK id "${id}" (expected an id from product/evidence/catalogue/sdks.yaml)` };
    }
  }
  const elementIds = new Set<string>();
  for (const screen of model.screens) collectIds(screen.root, elementIds);
  const permissions = new Set(model.manifest.permissions);

  const checkActions = (actions: Action[], base: (string | number)[]): Problem | undefined => {
    for (const [j, action] of actions.entries()) {
      const path = [...base, j];
      if ('show' in action && !screenIds.has(action.show)) {
        return { path: [...path, 'show'], message: `no screen with id "${action.show}"` };
      }
      if ('by' in action && !callers.has(action.by)) {
        return { path: [...path, 'by'], message: `caller "${action.by}" is neither "app" nor an SDK listed in sdks` };
      }
      if ('send' in action && !callers.has(action.send.by)) {
        return { path: [...path, 'send', 'by'], message: `caller "${action.send.by}" is neither "app" nor an SDK listed in sdks` };
      }
      if ('download' in action && !callers.has(action.download.by)) {
        return { path: [...path, 'download', 'by'], message: `caller "${action.download.by}" is neither "app" nor an SDK listed in sdks` };
      }
      if ('requestPermissions' in action) {
        const missing = action.requestPermissions.find((p) => !permissions.has(p));
        if (missing) {
          return { path: [...path, 'requestPermissions'], message: `permission ${missing} is not declared in manifest.permissions` };
        }
      }
    }
    return undefined;
  };

  for (const [i, screen] of model.screens.entries()) {
    if (Array.isArray(screen.onBack)) {
      const p = checkActions(screen.onBack, ['screens', i, 'onBack']);
      if (p) return p;
    }
  }
  for (const [i, behaviour] of model.behaviours.entries()) {
    const on = behaviour.on;
    if (typeof on === 'object' && 'screenShown' in on && !screenIds.has(on.screenShown)) {
      return { path: ['behaviours', i, 'on', 'screenShown'], message: `no screen with id "${on.screenShown}"` };
    }
    if (typeof on === 'object' && 'tap' in on && !elementIds.has(on.tap)) {
      return { path: ['behaviours', i, 'on', 'tap'], message: `no element with id "${on.tap}" on any screen` };
    }
    const p = checkActions(behaviour.do, ['behaviours', i, 'do']);
    if (p) return p;
  }
  return undefined;
}

function collectIds(element: UiElement, into: Set<string>): void {
  if (element.id) into.add(element.id);
  for (const child of element.children) collectIds(child, into);
}

