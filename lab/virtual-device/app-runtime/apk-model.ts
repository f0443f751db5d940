import yauzl from 'yauzl';
import { InputError } from '../../../product/core/errors.js';
import { parseModel } from '../models/load-model.js';
import { MODEL_ASSET_PATH, type AppModel } from '../models/schema.js';

const MAX_MODEL_BYTES = 2 * 1024 * 1024;

/**
 * Reads the behaviour model embedded in an APK (`assets/consentry-model.yaml`). Returns
 * undefined when the APK has none: such an app is inert (one blank screen). A model that does
 * not parse is an InputError naming `<apk>!/assets/consentry-model.yaml`, line and field.
 */
export async function readModelFromApk(apkPath: string): Promise<AppModel | undefined> {
  const text = await readZipEntry(apkPath, MODEL_ASSET_PATH);
  if (text === undefined) return undefined;
  return parseModel(text, `${apkPath}!/${MODEL_ASSET_PATH}`);
}

function readZipEntry(zipPath: string, name: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) {
        reject(new InputError('APK_UNREADABLE', `not a readable APK (zip): ${err?.message ?? 'unknown error'}`, { file: zipPath, cause: err }));
        return;
      }
      let found = false;
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) {
          zip.readEntry();
          return;
        }
        found = true;
        if (entry.uncompressedSize > MAX_MODEL_BYTES) {
          zip.close();
          reject(new InputError('MODEL_TOO_LARGE', `the embedded model is larger than ${MAX_MODEL_BYTES} bytes`, { file: `${zipPath}!/${name}` }));
          return;
        }
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) {
            reject(streamErr ?? new Error('no stream'));
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('utf8'));
          });
        });
      });
      zip.on('end', () => {
        if (!found) resolve(undefined);
      });
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
