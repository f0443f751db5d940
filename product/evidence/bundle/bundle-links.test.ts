import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flow, runMeta, T0, writeTestBundle } from './test-support/factories.js';
import { BundleDamagedError, bundleFileStatus, readBody, readBundle, readBundleFile } from './reader.js';
import { BundleWriter } from './writer.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

/**
 * A bundle is input from anywhere (`analyze` works on bundles from other machines): a crafted
 * one must not make the reader copy local files, such as the capture CA's private key, into
 * the reports built from it.
 */
const temp = tempDirs('bundle-links');
const SECRET = '-----BEGIN PRIVATE KEY-----\nnot-a-real-key-but-a-secret\n-----END PRIVATE KEY-----\n';

function secretFile(): string {
  const stateDir = temp.make();
  const file = join(stateDir, 'ca-key.pem');
  writeFileSync(file, SECRET);
  return file;
}

/** A finished bundle with one flow whose request body is then replaced by a link to `target`. */
async function bundleWithLinkedBody(target: string) {
  const writer = BundleWriter.create(temp.make(), { ...runMeta({ runId: 'crafted' }), outcome: 'running' });
  const sha = writer.storeBody(Buffer.from('innocent body'));
  writer.addFlow(flow('https://evil.example/up', T0 + 10, {
    request: { method: 'POST', url: 'https://evil.example/up', headers: [], body: { size: 13, sha256: sha } },
  }));
  await writer.finish('complete');
  const rel = `bodies/${sha.slice(0, 2)}/${sha}`;
  unlinkSync(join(writer.dir, rel));
  symlinkSync(target, join(writer.dir, rel));
  return { dir: writer.dir, sha, rel };
}

describe('bundle reader and links', () => {
  it('refuses a body that is a link to a file outside the bundle, naming it', async () => {
    const { dir, sha, rel } = await bundleWithLinkedBody(secretFile());
    const err = await readBundle(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleDamagedError);
    expect((err as Error).message).toContain(`${rel}: ${rel} is a symbolic link`);
    expect(readBody(dir, sha)).toBeUndefined();
    expect(bundleFileStatus(dir, rel)).toMatchObject({ state: 'refused' });
  });

  it('a lenient read keeps the flow but drops the refused body reference', async () => {
    const { dir } = await bundleWithLinkedBody(secretFile());
    const bundle = await readBundle(dir, { strict: false });
    expect(bundle.flows).toHaveLength(1);
    expect(bundle.flows[0]?.request?.body).toEqual({ size: 13 });
    expect(bundle.problems).toEqual([expect.objectContaining({ file: 'flows.jsonl', severity: 'damage', message: expect.stringContaining('symbolic link') })]);
    expect(JSON.stringify(bundle)).not.toContain('not-a-real-key');
  });

  it('refuses a link even when it points inside the bundle, and a linked folder on the way', async () => {
    const dir = await writeTestBundle(temp.make());
    writeFileSync(join(dir, 'inside.txt'), 'fine');
    symlinkSync(join(dir, 'inside.txt'), join(dir, 'alias.txt'));
    expect(readBundleFile(dir, 'inside.txt')?.toString()).toBe('fine');
    expect(readBundleFile(dir, 'alias.txt')).toBeUndefined();
    const keyDir = join(secretFile(), '..');
    mkdirSync(join(dir, 'screens'), { recursive: true });
    symlinkSync(keyDir, join(dir, 'screens', 'sub'));
    expect(readBundleFile(dir, 'screens/sub/ca-key.pem')).toBeUndefined();
    expect(bundleFileStatus(dir, 'screens/sub/ca-key.pem')).toEqual({ state: 'refused', reason: expect.stringContaining('screens/sub is a symbolic link') });
    expect(bundleFileStatus(dir, '../outside')).toMatchObject({ state: 'refused' });
    expect(bundleFileStatus(dir, '/etc/passwd')).toMatchObject({ state: 'refused' });
  });

  it('refuses a screenshot that is a link, and a stream file that is a FIFO (without hanging)', async () => {
    const writer = BundleWriter.create(temp.make(), { ...runMeta({ runId: 'crafted-ui' }), outcome: 'running' });
    writer.addUi({ t: T0 + 1, ...writer.storeScreen('u1', { png: Buffer.from('png') }) });
    await writer.finish('complete');
    const dir = writer.dir;
    unlinkSync(join(dir, 'screens', 'u1.png'));
    symlinkSync(secretFile(), join(dir, 'screens', 'u1.png'));
    await expect(readBundle(dir)).rejects.toThrow(/screens\/u1\.png is a symbolic link/);
    const lenient = await readBundle(dir, { strict: false });
    expect(lenient.ui[0]?.screenshot).toBeUndefined();

    const fifoBundle = await writeTestBundle(temp.make());
    rmSync(join(fifoBundle, 'markers.jsonl'), { force: true });
    execFileSync('mkfifo', [join(fifoBundle, 'markers.jsonl')]);
    await expect(readBundle(fifoBundle)).rejects.toThrow(/markers\.jsonl: not a regular file/);
  });

  it('refuses a run.json that is a link', async () => {
    const dir = await writeTestBundle(temp.make());
    const real = join(temp.make(), 'run.json');
    writeFileSync(real, '{}');
    unlinkSync(join(dir, 'run.json'));
    symlinkSync(real, join(dir, 'run.json'));
    await expect(readBundle(dir)).rejects.toThrow(/run\.json: run\.json is a symbolic link/);
  });
});
