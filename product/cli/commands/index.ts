import type { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerDevices } from './devices.js';
import { registerDiff } from './diff.js';
import { registerDoctor } from './doctor.js';
import { registerInspect } from './inspect.js';
import { registerPolicy } from './policy.js';
import { registerRules } from './rules.js';
import { registerReport } from './report.js';
import { registerScenarios } from './scenarios.js';
import { registerBatch } from './batch.js';
import { registerDemo } from './demo.js';
import { registerFarm } from './farm.js';
import { registerRun } from './run.js';
import { registerTraffic } from './traffic.js';
import { registerVirtualDevice } from './virtual-device.js';

/** Every command, in help order. */
export const COMMANDS: ((program: Command) => void)[] = [registerDoctor, registerAnalyze, registerPolicy, registerRules, registerReport, registerDiff, registerDevices, registerInspect, registerScenarios, registerVirtualDevice, registerTraffic, registerRun, registerDemo, registerBatch, registerFarm];
