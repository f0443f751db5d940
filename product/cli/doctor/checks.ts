import { statfsSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Config } from '../../core/config.js';
import { errorMessage } from '../../core/errors.js';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { runProcess } from '../../core/process.js';
import { loadFrida } from '../../capture/instrumentation/frida-loader.js';

export interface CheckResult {
  id: string;
  /** Required checks fail the doctor; optional ones only warn. */
  required: boolean;
  ok: boolean;
  detail: string;
  /** What to do when it is not ok. */
  fix?: string;
}

type Check = (config: Config) => Promise<CheckResult>;

const MIN_FREE_BYTES = 5 * 1024 ** 3;

async function versionOf(file: string, args: string[], pattern: RegExp): Promise<string> {
  const { stdout, stderr } = await runProcess(file, args, { timeoutMs: 15_000 });
  const match = pattern.exec(`${stdout}\n${stderr}`);
  return match?.[1] ?? (stdout || stderr).trim().split('\n')[0] ?? 'unknown';
}

const node: Check = async () => {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 10);
  return { id: 'node', required: true, ok, detail: `Node.js ${process.versions.node}`, fix: 'install Node.js 20.10 or newer' };
};

const adb: Check = async (config) => {
  try {
    const out = await runProcess(config.adb.path, ['version'], { timeoutMs: 15_000 });
    const protocol = /Android Debug Bridge version ([\d.]+)/.exec(out.stdout)?.[1] ?? '?';
    const build = /Version ([^\s]+)/.exec(out.stdout)?.[1];
    return { id: 'adb', required: true, ok: true, detail: `adb ${protocol}${build ? ` (${build})` : ''} at ${config.adb.path}` };
  } catch (e) {
    return { id: 'adb', required: true, ok: false, detail: errorMessage(e), fix: 'sudo apt-get install adb (or set adb.path in the config)' };
  }
};

const androidHome: Check = async () => {
  const home = process.env.ANDROID_HOME ?? process.env.ANDROID_SDK_ROOT;
  // Without ANDROID_HOME, consentry hands Appium the project's own layout (made by setup).
  const projectSdk = join(PACKAGE_ROOT, '.android-sdk');
  if (!home && existsSync(join(projectSdk, 'platform-tools', 'adb'))) {
    return { id: 'android-home', required: false, ok: true, detail: `ANDROID_HOME not set; Appium gets ${projectSdk} (platform-tools/adb → adb)` };
  }
  if (!home) {
    return {
      id: 'android-home',
      required: false,
      ok: false,
      detail: 'ANDROID_HOME is not set (Appium\'s UiAutomator2 driver looks for adb there)',
      fix: 'run tooling/scripts/setup.sh, which lays out .android-sdk/ and consentry passes it to Appium; or export ANDROID_HOME',
    };
  }
  const adbPath = join(home, 'platform-tools', 'adb');
  const ok = existsSync(adbPath);
  return {
    id: 'android-home',
    required: false,
    ok,
    detail: ok ? `ANDROID_HOME=${home} (platform-tools/adb present)` : `ANDROID_HOME=${home} has no platform-tools/adb`,
    fix: `create ${adbPath} (a link to adb is enough)`,
  };
};

const appium: Check = async (config) => {
  const pkg = join(PACKAGE_ROOT, 'node_modules', 'appium', 'package.json');
  if (!existsSync(pkg)) {
    return { id: 'appium', required: true, ok: false, detail: 'appium is not installed', fix: 'npm install (appium is a dependency)' };
  }
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  const driverPkg = join(config.appium.home, 'node_modules', 'appium-uiautomator2-driver', 'package.json');
  if (!existsSync(driverPkg)) {
    return {
      id: 'appium',
      required: true,
      ok: false,
      detail: `appium ${version}; UiAutomator2 driver missing from APPIUM_HOME=${config.appium.home}`,
      fix: 'bash tooling/scripts/setup.sh (installs the driver into the project-local APPIUM_HOME)',
    };
  }
  const driver = (JSON.parse(readFileSync(driverPkg, 'utf8')) as { version: string }).version;
  return { id: 'appium', required: true, ok: true, detail: `appium ${version}, uiautomator2 driver ${driver}` };
};

const mitmproxy: Check = async (config) => {
  try {
    const version = await versionOf(config.traffic.mitmdump, ['--version'], /Mitmproxy:\s*([^\s]+)/);
    return { id: 'mitmproxy', required: config.traffic.adapter === 'mitmproxy', ok: true, detail: `mitmproxy ${version}` };
  } catch (e) {
    return {
      id: 'mitmproxy',
      required: config.traffic.adapter === 'mitmproxy',
      ok: false,
      detail: `mitmdump not usable (${errorMessage(e)}); the embedded proxy will be used`,
      fix: 'sudo apt-get install mitmproxy',
    };
  }
};

const redis: Check = async (config) => {
  const redisConfig = config.farm.redis;
  if (!redisConfig) return { id: 'redis', required: false, ok: true, detail: 'not configured (distributed mode off)' };
  const url = new URL(redisConfig.url);
  const port = Number(url.port || 6379);
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: url.hostname, port, timeout: 3000 }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
  return {
    id: 'redis',
    required: true,
    ok: reachable,
    detail: reachable ? `Redis reachable at ${url.host}` : `cannot connect to Redis at ${url.host}`,
    fix: 'start redis-server (sudo apt-get install redis-server) or fix farm.redis.url',
  };
};

const frida: Check = async () => {
  try {
    await loadFrida();
    return { id: 'frida', required: false, ok: true, detail: 'frida Node binding loads' };
  } catch (e) {
    return {
      id: 'frida',
      required: false,
      ok: false,
      detail: `frida binding unavailable (${errorMessage(e).split(':')[0]}); runs on real devices will have no hooks`,
      fix: 'npm install frida on a machine that can download its prebuilt binary',
    };
  }
};

const disk: Check = async (config) => {
  mkdirSync(config.capturesRoot, { recursive: true });
  const stats = statfsSync(config.capturesRoot);
  const free = stats.bavail * stats.bsize;
  const gib = (free / 1024 ** 3).toFixed(1);
  return {
    id: 'disk',
    required: true,
    ok: free >= MIN_FREE_BYTES,
    detail: `${gib} GiB free under ${config.capturesRoot}`,
    fix: 'free disk space or point capturesRoot elsewhere (a run can take several hundred MB)',
  };
};

export const CHECKS: Check[] = [node, adb, androidHome, appium, mitmproxy, redis, frida, disk];

export async function runChecks(config: Config): Promise<CheckResult[]> {
  return Promise.all(CHECKS.map((check) => check(config)));
}
