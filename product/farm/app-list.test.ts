import { writeFileSync } from 'node:fs';
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
    writeFileSync(csv, 'path,policy,scenario\napps/x.apk,x.txt,refuse-consent\n');
    expect(readAppList(csv)).toEqual([{ appPath: join(dir, 'apps/x.apk'), policy: join(dir, 'x.txt'), scenario: 'refuse-consent' }]);
    writeFileSync(csv, 'path,policy\napps/x.apk,\napps/readme.md,\n');
    expect(() => readAppList(csv)).toThrow(/list\.csv:3, field "path": "apps\/readme\.md" is not an \.apk/);
  });

  it('says what is wrong with an empty folder', () => {
    expect(() => readAppList(temp.make())).toThrow(/no \.apk, \.apks or \.xapk file/);
  });
});
