import { describe, expect, it } from 'vitest';
import { InputError } from '../../../product/core/errors.js';
import { loadSampleApps, parseModel } from './index.js';
import type { ModelChecks } from './load-model.js';

const VALID = `schemaVersion: 1
manifest:
  package: com.example.notes
  versionName: "1.0"
  versionCode: 1
  label: Notes
  permissions: [android.permission.ACCESS_FINE_LOCATION]
  activities:
    - name: com.example.notes.MainActivity
      launcher: true
sdks:
  - id: umeng
    package: com.umeng.analytics
screens:
  - id: main
    kind: main
    root:
      class: android.widget.LinearLayout
      children:
        - id: btn_go
          class: android.widget.Button
          text: Go
          clickable: true
behaviours:
  - on: launch
    do:
      - call: android-id
        by: umeng
  - on: { tap: btn_go }
    do:
      - requestPermissions: [android.permission.ACCESS_FINE_LOCATION]
`;

function errorOf(text: string, checks: ModelChecks = {}): InputError {
  try {
    parseModel(text, 'notes.model.yaml', checks);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected the model to be rejected');
}

describe('app model loader', () => {
  it('accepts a valid model and fills defaults', () => {
    const model = parseModel(VALID, 'notes.model.yaml');
    expect(model.manifest.targetSdk).toBe(33);
    expect(model.screens[0]!.root.children[0]!.clickable).toBe(true);
    expect(model.behaviours[0]!.do[0]).toEqual({ call: 'android-id', by: 'umeng', times: 1 });
  });

  it('names file, line and field for a shape error', () => {
    const err = errorOf(VALID.replace('versionCode: 1', 'versionCode: -3'));
    expect(err.file).toBe('notes.model.yaml');
    expect(err.field).toBe('manifest.versionCode');
    expect(err.line).toBe(5);
    expect(err.message).toContain('notes.model.yaml:5');
  });

  it('rejects an unknown data type with its line', () => {
    const err = errorOf(VALID.replace('call: android-id', 'call: shoe-size'));
    expect(err.field).toBe('behaviours.0.do.0');
    expect(err.line).toBe(27);
  });

  it('rejects a caller that is not an SDK of the app', () => {
    const err = errorOf(VALID.replace('by: umeng', 'by: jpush'));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.field).toBe('behaviours.0.do.0.by');
    expect(err.line).toBe(28);
    expect(err.message).toContain('"jpush"');
  });

  it('rejects an SDK id the caller does not know, when asked to check ids', () => {
    const err = errorOf(VALID.replace('- id: umeng', '- id: not-an-sdk'), { knownSdk: (id) => id === 'umeng' });
    expect(err.field).toBe('sdks.0.id');
    expect(err.line).toBe(12);
  });

  it('rejects a tap trigger on an element no screen has', () => {
    const err = errorOf(VALID.replace('{ tap: btn_go }', '{ tap: btn_missing }'));
    expect(err.field).toBe('behaviours.1.on.tap');
  });

  it('rejects a permission request the manifest does not declare', () => {
    const err = errorOf(VALID.replace('permissions: [android.permission.ACCESS_FINE_LOCATION]', 'permissions: []'));
    expect(err.field).toBe('behaviours.1.do.0.requestPermissions');
    expect(err.message).toContain('ACCESS_FINE_LOCATION');
  });

  it('loads every shipped sample app, each with ground truth', () => {
    const samples = loadSampleApps();
    expect(samples.length).toBeGreaterThanOrEqual(7);
    const packages = new Set(samples.map((s) => s.model.manifest.package));
    expect(packages.size).toBe(samples.length);
    for (const { model, file } of samples) {
      expect(Object.keys(model.expectedFindings).length, file).toBeGreaterThan(0);
      expect(model.policy, file).toBeDefined();
    }
  });
});
