/**
 * Identifier detection throughput (benchmarks issue, item 3).
 *
 * Generates a 200 MB+ corpus of realistic request lines (URL, headers, JSON/form bodies) with
 * 50+ device identifiers planted in all their forms, expands the same pattern list consentry
 * scans for, and compares consentry's Aho-Corasick matcher with GNU `grep -F -c -f patterns`
 * over the same bytes. Correctness first: both must count the same matching lines. Then speed.
 *
 * Some lines carry an identifier only inside an encoded payload (base64 / base64url of JSON,
 * base64 of gzip): grep cannot see those and neither can the raw matcher, so they are counted
 * apart: the full detector (scanRequest per line) must find every one in a decoded layer.
 *
 *   npx tsx tooling/bench/traffic-detect.ts [--mb 200] [--runs 3] [--quick] [--keep]
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runProcess } from '../../product/core/process.js';
import type { DeviceIdentifiers } from '../../product/contracts/bundle-schema.js';
import { IdentifierDetector, type RequestContent } from '../../product/capture/traffic/detect/identifier-detector.js';
import { cleanRequest, prng, randomHex, SAMPLE_IDENTIFIERS } from '../../product/capture/traffic/test-support/synthetic-traffic.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const QUICK = args.includes('--quick');
const TARGET_MB = flag('mb', QUICK ? 40 : 200);
const RUNS = flag('runs', QUICK ? 1 : 3);
const KEEP = args.includes('--keep');
const CHUNK = 1024 * 1024;

/** 50+ identifiers: the handset's own, a second SIM, contacts, installed apps. */
function benchIdentifiers(): DeviceIdentifiers {
  const rand = prng(2024);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  return {
    ...SAMPLE_IDENTIFIERS,
    'device-id': ['358240051111110', `86${digits(13)}`],
    'mac-address': ['02:00:00:4a:7b:1c', '3c:5a:b4:01:9e:77'],
    contacts: [...Array.from({ length: 20 }, () => `+86139${digits(8)}`), 'Zhang Wei', 'Li Na', 'Wang Fang', 'Liu Yang', '李小龙'],
    'installed-apps': [
      'com.tencent.mm', 'com.eg.android.AlipayGphone', 'com.sina.weibo', 'com.ss.android.ugc.aweme', 'com.taobao.taobao',
      'com.jingdong.app.mall', 'com.baidu.searchbox', 'com.netease.cloudmusic', 'com.xunmeng.pinduoduo', 'tv.danmaku.bili',
    ],
    accounts: [`user${digits(6)}@example.org`, `wx_${randomHex(rand, 12)}`, `qq_${digits(9)}`, `${randomHex(rand, 8)}@icloud.test`],
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'consentry-bench-detect-'));
  try {
    const identifiers = benchIdentifiers();
    const detector = IdentifierDetector.fromIdentifiers(identifiers);
    const values = Object.values(identifiers).reduce((n, v) => n + (v?.length ?? 0), 0);
    const patterns = detector.formsByPattern.map((forms) => forms[0]!.text);
    const patternFile = join(dir, 'patterns.txt');
    writeFileSync(patternFile, `${patterns.join('\n')}\n`);
    const corpus = join(dir, 'corpus.txt');
    const layeredFile = join(dir, 'layered.txt');
    // Values consentry searches at all (not a 3-character name), as the app would put them in a document.
    const plainValues = [...new Set(detector.forms.filter((f) => f.dataType !== 'location').map((f) => f.value))];
    const t0 = performance.now();
    const planted = await writeCorpus(corpus, layeredFile, patterns, plainValues, TARGET_MB * 1024 * 1024);
    const bytes = statSync(corpus).size;
    console.log(`corpus: ${(bytes / 1048576).toFixed(0)} MB, ${planted.lines} lines, ${planted.planted} planted, ${planted.layered} more only inside encoded payloads; ${values} identifiers → ${patterns.length} patterns (${detector.matcher.stateCount} DFA states); generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Correctness: the same lines match.
    const ours = await countMatchingLines(detector, corpus);
    const grep = await grepCount(patternFile, corpus);
    console.log(`matching lines: consentry ${ours}, grep -F ${grep}`);
    if (ours !== grep || ours < planted.planted) {
      console.error(`MISMATCH: consentry and grep disagree (or missed planted lines: ${planted.planted})`);
      process.exitCode = 1;
      return;
    }
    // Decoded layers, counted apart: grep only sees them where an encoding happens to align with a pattern.
    const layeredFound = await linesWithDecodedHits(detector, layeredFile);
    const layeredGrep = await grepCount(patternFile, layeredFile);
    console.log(`encoded payloads: ${planted.layered} lines; consentry finds ${layeredFound} in a decoded layer; grep -F matches ${layeredGrep} of them (a pattern aligned by chance, no boundary rule)`);
    if (layeredFound !== planted.layered) {
      console.error(`MISMATCH: consentry found ${layeredFound} of ${planted.layered} identifiers planted inside encoded payloads`);
      process.exitCode = 1;
      return;
    }

    // Wall time and CPU time (user+sys) per run: on a shared machine CPU time is the fair measure.
    const timings = { matcher: [] as Timing[], detector: [] as Timing[], requests: [] as Timing[], grep: [] as Timing[] };
    for (let run = 0; run < RUNS; run += 1) {
      timings.matcher.push(await timed(() => countMatchingLines(detector, corpus)));
      timings.detector.push(await timed(() => fullDetector(detector, corpus)));
      timings.requests.push(await timed(() => perRequestDetector(detector, corpus)));
      timings.grep.push(await grepTimed(patternFile, corpus));
    }
    const best = (ts: Timing[], k: keyof Timing) => Math.min(...ts.map((t) => t[k]));
    const mbps = (ms: number) => bytes / 1048576 / (ms / 1000);
    console.log(`\nmachine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}; best of ${RUNS}`);
    console.log('| scanner | wall (s) | CPU (s) | MB/s (wall) | MB/s (CPU) |\n|---|---:|---:|---:|---:|');
    for (const [name, ts] of [
      ['consentry Aho-Corasick (line count)', timings.matcher],
      ['consentry detector (boundaries, containers)', timings.detector],
      ['consentry scanRequest per line (leaves, decoded layers)', timings.requests],
      ['GNU grep -F -c -f patterns', timings.grep],
    ] as const) {
      const wall = best(ts, 'wallMs');
      const cpu = best(ts, 'cpuMs');
      console.log(`| ${name} | ${(wall / 1000).toFixed(2)} | ${(cpu / 1000).toFixed(2)} | ${mbps(wall).toFixed(0)} | ${mbps(cpu).toFixed(0)} |`);
    }
    const ratio = best(timings.grep, 'cpuMs') / best(timings.matcher, 'cpuMs');
    const wallRatio = best(timings.grep, 'wallMs') / best(timings.matcher, 'wallMs');
    const requestRatio = best(timings.grep, 'cpuMs') / best(timings.requests, 'cpuMs');
    console.log(`\nratio: consentry ${ratio.toFixed(2)}x grep -F by CPU time (${wallRatio.toFixed(2)}x by wall time); target ≥ 0.5x: ${ratio >= 0.5 ? 'PASS' : 'FAIL'}`);
    console.log(`per-request detector (parsing every request, decoding layers): ${requestRatio.toFixed(2)}x grep -F by CPU time`);
  } finally {
    if (KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Request lines: clean traffic, with one identifier form planted in about 1 line in 40, and a
 * plain identifier value inside an encoded payload in about 1 line in 400 (those lines are also
 * written to `layeredFile`).
 */
async function writeCorpus(file: string, layeredFile: string, patterns: string[], plainValues: string[], targetBytes: number): Promise<{ lines: number; planted: number; layered: number }> {
  const rand = prng(11);
  const out = createWriteStream(file);
  const layeredOut = createWriteStream(layeredFile);
  let written = 0;
  let lines = 0;
  let planted = 0;
  let layered = 0;
  while (written < targetBytes) {
    let batch = '';
    let layeredBatch = '';
    for (let i = 0; i < 2000; i += 1) {
      const req = cleanRequest(rand);
      let body = req.body ? Buffer.from(req.body.bytes).toString('utf8') : '';
      const headers = (req.headers ?? []).map(([k, v]) => `${k}: ${v}`).join('\t');
      if (rand() < 0.0025) {
        const line = `${req.url}\t${headers}\t${encodedPayload(rand, plainValues[Math.floor(rand() * plainValues.length)]!)}\n`;
        batch += line;
        layeredBatch += line;
        layered += 1;
        lines += 1;
        continue;
      }
      if (rand() < 0.025) {
        const p = patterns[Math.floor(rand() * patterns.length)]!;
        body = body.startsWith('{') ? `${body.slice(0, -1)},"x":"${p}"}` : `${body}&x=${p}`;
        planted += 1;
      }
      batch += `${req.url}\t${headers}\t${body}\n`;
      lines += 1;
    }
    written += Buffer.byteLength(batch);
    if (!out.write(batch)) await once(out, 'drain');
    if (layeredBatch && !layeredOut.write(layeredBatch)) await once(layeredOut, 'drain');
  }
  for (const stream of [out, layeredOut]) {
    stream.end();
    await once(stream, 'finish');
  }
  return { lines, planted, layered };
}

/** An SDK-style body whose only copy of `value` is inside base64 / base64url of JSON, or base64 of gzip of JSON. */
function encodedPayload(rand: () => number, value: string): string {
  const doc = JSON.stringify({ ts: 1_750_000_000_000 + Math.floor(rand() * 1e9), sdk: '9.6.3', dev: { id: value, os: 'Android 14' } });
  switch (Math.floor(rand() * 3)) {
    case 0:
      return JSON.stringify({ appkey: randomHex(rand, 24), data: Buffer.from(doc).toString('base64') });
    case 1:
      return `e=launch&p=${Buffer.from(doc).toString('base64url')}`;
    default:
      return JSON.stringify({ v: 2, payload: gzipSync(doc).toString('base64') });
  }
}

/** A corpus line back into a request: URL, tab-separated headers, body last. */
function parseLine(line: string): RequestContent {
  const fields = line.split('\t');
  const body = fields.length > 1 ? fields[fields.length - 1]! : '';
  const headers = fields.slice(1, -1).map((h): [string, string] => {
    const colon = h.indexOf(': ');
    return [h.slice(0, colon), h.slice(colon + 2)];
  });
  const contentType = body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded';
  return { url: fields[0]!, headers, ...(body ? { body: { bytes: Buffer.from(body), contentType } } : {}) };
}

/** Calls `onLine` for every line of a file, read in 1 MB chunks. */
async function forEachLine(file: string, onLine: (line: string) => void): Promise<void> {
  let rest = '';
  for await (const c of createReadStream(file, { highWaterMark: CHUNK, encoding: 'utf8' })) {
    const text = rest + (c as string);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      onLine(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) onLine(rest);
}

/** Lines where the per-request detector reports a hit inside a decoded layer. */
async function linesWithDecodedHits(detector: IdentifierDetector, file: string): Promise<number> {
  let found = 0;
  await forEachLine(file, (line) => {
    if (detector.scanRequest(parseLine(line)).some((h) => h.location.includes('|'))) found += 1;
  });
  return found;
}

/** The detector as capture uses it on each request: leaves, boundaries, decoded layers. */
async function perRequestDetector(detector: IdentifierDetector, file: string): Promise<number> {
  let hits = 0;
  await forEachLine(file, (line) => {
    hits += detector.scanRequest(parseLine(line)).length;
  });
  return hits;
}

/** Raw matcher over 1 MB chunks; counts lines with at least one match, as grep -c does. */
async function countMatchingLines(detector: IdentifierDetector, file: string): Promise<number> {
  let count = 0;
  let lastLineEnd = -1; // offset of the newline ending the last counted line
  let chunk: Buffer = Buffer.alloc(0);
  let base = 0;
  const stream = detector.matcher.stream((_pattern, end) => {
    if (end - 1 <= lastLineEnd) return;
    count += 1;
    const nl = chunk.indexOf(10, end - base - 1);
    lastLineEnd = nl >= 0 ? base + nl : Number.MAX_SAFE_INTEGER - 1;
  });
  for await (const c of createReadStream(file, { highWaterMark: CHUNK })) {
    chunk = c as Buffer;
    // A line whose newline was not in the previous chunk ends in this one.
    if (lastLineEnd === Number.MAX_SAFE_INTEGER - 1) {
      const nl = chunk.indexOf(10);
      lastLineEnd = nl >= 0 ? base + nl : lastLineEnd;
    }
    stream.write(chunk);
    base += chunk.length;
  }
  return count;
}

/** The whole detector as capture uses it: one container per 1 MB, boundary rules applied. */
async function fullDetector(detector: IdentifierDetector, file: string): Promise<number> {
  let hits = 0;
  for await (const c of createReadStream(file, { highWaterMark: CHUNK })) {
    const container = detector.container('body');
    container.write(c as Buffer);
    hits += container.finish().length;
  }
  return hits;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timed(fn: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * grep's own CPU time, from bash's `time` (TIMEFORMAT = user and sys seconds). Output goes to a
 * file, not /dev/null: GNU grep detects /dev/null and stops at the first match (like -q).
 */
async function grepTimed(patternFile: string, corpus: string): Promise<Timing> {
  const t = performance.now();
  const res = await runProcess('bash', ['-c', 'TIMEFORMAT="%U %S"; time grep -F -c -f "$0" "$1" >"$1.count"', patternFile, corpus], {
    okCodes: [0, 1],
    timeoutMs: 600_000,
    env: { ...process.env, LC_ALL: 'C' },
  });
  const wallMs = performance.now() - t;
  const [user, sys] = res.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wallMs, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000 };
}

async function grepCount(patternFile: string, corpus: string): Promise<number> {
  const res = await runProcess('grep', ['-F', '-c', '-f', patternFile, corpus], {
    okCodes: [0, 1],
    timeoutMs: 600_000,
    env: { ...process.env, LC_ALL: 'C' },
  });
  return Number(res.stdout.trim());
}

await main();
