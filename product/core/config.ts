import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from './errors.js';
import { FailOn, RULE_SET_IDS, Severity } from '../contracts/bundle-schema.js';
import { DataTypeId } from '../contracts/data-types.js';
import { builtIn } from './paths.js';
import { loadValidatedFile } from './validated-file.js';

/**
 * `consentry.config.yaml` (or .json). Every field has a default so that a fresh checkout runs
 * without one; relative paths are resolved against the config file's folder.
 */
export const RuleOverride = z
  .object({
    enabled: z.boolean().optional(),
    severity: Severity.optional(),
    thresholds: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  })
  .strict();

/**
 * Policies come from anywhere (saved pages, vendors' files, a path typed by hand): larger files are
 * refused before they are read, so /dev/zero or a multi-gigabyte dump cannot exhaust memory.
 * 16 MB holds the largest real policy pages many times over.
 */
export const DEFAULT_POLICY_MAX_BYTES = 16 * 1024 * 1024;

// Nested sections take `.prefault({})`: an absent section is parsed as {} through its own schema,
// so each default is written once, beside its field.
export const ConfigSchema = z
  .object({
    capturesRoot: z.string().default('captures'),
    /** Farm-wide state that must not live under captures/: the capture CA's private key. */
    stateDir: z.string().default(join(homedir(), '.consentry')),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    adb: z
      .object({
        path: z.string().default('adb'),
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(1).max(65535).default(5037),
      })
      .strict()
      .prefault({}),
    appium: z
      .object({
        /** An external Appium server or grid; when absent consentry starts its own. */
        url: z.string().url().optional(),
        /** APPIUM_HOME with the UiAutomator2 driver; the project-local one that setup installs by default. */
        home: z.string().default(builtIn.appiumHome),
        startTimeoutMs: z.number().int().positive().default(120_000),
        /**
         * Keep each device's Appium session between runs (checked before reuse). Off: a fresh
         * session per run, for labs that want nothing shared between two apps' runs.
         */
        keepSessions: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    traffic: z
      .object({
        adapter: z.enum(['auto', 'mitmproxy', 'embedded']).default('auto'),
        mitmdump: z.string().default('mitmdump'),
        maxBodyBytes: z.number().int().positive().default(16 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    instrumentation: z
      .object({ adapter: z.enum(['auto', 'frida', 'none']).default('auto') })
      .strict()
      .prefault({}),
    devices: z
      .object({
        profilesDir: z.string().default(builtIn.deviceProfiles),
        /**
         * Identifiers of each handset that adb cannot read (IMEI on newer Android, phone number,
         * advertising id...), keyed by serial: the traffic scanner looks for them in every run.
         */
        identifiers: z.record(z.string(), z.partialRecord(DataTypeId, z.array(z.string().min(1)))).default({}),
        /** Network (TCP) devices to `adb connect` before discovery, e.g. "192.168.1.20:5555". */
        network: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')).default([]),
        maxConsecutiveFailures: z.number().int().positive().default(3),
        leaseTimeoutMs: z.number().int().positive().default(30 * 60_000),
        heartbeatMs: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    scenariosDir: z.string().default(builtIn.scenarios),
    ruleSet: z.enum(RULE_SET_IDS).default('cn-miit'),
    rules: z.record(z.string(), RuleOverride).default({}),
    farm: z
      .object({
        redis: z
          .object({
            url: z.string().default('redis://127.0.0.1:6379'),
            password: z.string().optional(),
            tls: z.boolean().default(false),
          })
          .strict()
          .optional(),
        queue: z.string().default('consentry'),
        /** A dead worker's job returns to the queue after this long without a heartbeat. */
        jobLeaseMs: z.number().int().positive().default(60_000),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        /** Largest policy, SDK-table page or double list read (bytes); see DEFAULT_POLICY_MAX_BYTES. */
        maxBytes: z.number().int().positive().default(DEFAULT_POLICY_MAX_BYTES),
      })
      .strict()
      .prefault({}),
    reports: z
      .object({
        failOn: FailOn.default('high'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or undefined for defaults. */
  file: string | undefined;
  /** Folder relative paths are resolved against. */
  baseDir: string;
}

const CANDIDATES = ['consentry.config.yaml', 'consentry.config.yml', 'consentry.config.json'];

/** Loads an explicit config file, or the first candidate in `cwd`, or the defaults. */
export function loadConfig(explicit?: string, cwd = process.cwd()): LoadedConfig {
  let file: string | undefined;
  if (explicit) {
    file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new InputError('CONFIG_NOT_FOUND', 'config file not found', { file });
  } else {
    file = CANDIDATES.map((c) => join(cwd, c)).find((c) => existsSync(c));
  }
  const baseDir = file ? dirname(file) : cwd;
  // An empty (or comments-only) file parses to null: it means "all defaults", like no file.
  const config = file ? loadValidatedFile(file, z.preprocess((v) => v ?? {}, ConfigSchema), 'config') : ConfigSchema.parse({});
  return { config: resolvePaths(config, baseDir), file, baseDir };
}

function resolvePaths(config: Config, baseDir: string): Config {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...config,
    capturesRoot: abs(config.capturesRoot),
    stateDir: abs(config.stateDir),
    scenariosDir: abs(config.scenariosDir),
    appium: { ...config.appium, home: abs(config.appium.home) },
    devices: { ...config.devices, profilesDir: abs(config.devices.profilesDir) },
  };
}
