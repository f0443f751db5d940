import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAppList } from './app-list.js';
import { tempDirs } from '../core/test-support/temp-dirs.js';

const temp = tempDirs('apps');

describe('readAppList', () => {
  it('collects apps from a folder with their policy and declared list beside them', () => {
    const dir = temp.make();
    for (const f of ['b.apk', 'a.xapk', 'a.policy.html', 'b.declared.yaml', 'notes.txt']) writeFileSync(join(dir, f), '');
    expect(readAppList(dir)).toEqual([
      { appPath: join(dir, 'a.xapk'), policy: join(dir, 'a.policy.html') },
      { appPath: join(dir, 'b.apk'), declared: join(dir, 'b.declared.yaml') },
    ]);
  });

  it('reads a CSV with paths relative to it and names the line of a bad row', () => {
    const dir = temp.make();
    const csv = join(dir, 'list.csv');
    mkdirSync(join(dir, 'apps'));
    for (const f of ['apps/x.apk', 'x.txt', 'apps/readme.md']) writeFileSync(join(dir, f), '');
    writeFileSync(csv, 'path,policy,scenario\napps/x.apk,x.txt,refuse-consent\n');
    expect(readAppList(csv)).toEqual([{ appPath: join(dir, 'apps/x.apk'), policy: join(dir, 'x.txt'), scenario: 'refuse-consent' }]);
    writeFileSync(csv, 'path,policy\napps/x.apk,\napps/readme.md,\n');
    expect(() => readAppList(csv)).toThrow(/list\.csv:3, field "path": "apps\/readme\.md" is not an \.apk/);
  });

  it('checks every row before the batch starts, naming the real line even after blank lines', () => {
    const dir = temp.make();
    const csv = join(dir, 'list.csv');
    writeFileSync(join(dir, 'a.apk'), '');
    // Line 4 after two blank lines: a row naming an APK that is not there.
    writeFileSync(csv, 'path,scenario\n\n\nmissing.apk,\na.apk,\n');
    expect(() => readAppList(csv)).toThrow(/list\.csv:4, field "path": "missing\.apk" does not exist/);
    writeFileSync(csv, 'path,declared\na.apk,\n\na.apk,gone.yaml\n');
    expect(() => readAppList(csv)).toThrow(/list\.csv:4, field "declared": "gone\.yaml" does not exist/);
    // An unknown scenario is refused with its line, each scenario checked once.
    const checked: string[] = [];
    const checkScenario = (id: string) => {
      checked.push(id);
      if (id !== 'standard') throw new Error(`no scenario "${id}"`);
    };
    writeFileSync(csv, 'path,scenario\na.apk,standard\na.apk,standard\n\na.apk,nosuch\n');
    expect(() => readAppList(csv, { checkScenario })).toThrow(/list\.csv:5, field "scenario": no scenario "nosuch"/);
    expect(checked).toEqual(['standard', 'nosuch']);
  });

  it('says what is wrong with an empty folder', () => {
    expect(() => readAppList(temp.make())).toThrow(/no \.apk, \.apks or \.xapk file/);
  });
});
