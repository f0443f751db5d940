import type { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerDiff } from './diff.js';
import { registerDoctor } from './doctor.js';
import { registerReport } from './report.js';
import { registerStubs } from './stubs.js';

/** Every command, in help order. The stub registration comes last and skips built ones. */
export const COMMANDS: ((program: Command) => void)[] = [registerDoctor, registerAnalyze, registerReport, registerDiff, registerStubs];
