import type { Command } from 'commander';
import { builtIn } from '../../core/paths.js';
import { explainStep } from '../../capture/scenarios/explain.js';
import type { Step } from '../../capture/scenarios/index.js';
import { action } from '../action.js';
import type { CliContext } from '../cli-context.js';
import { table } from '../table.js';

/**
 * `consentry scenarios list` and `consentry scenarios validate FILE`. Built-in scenarios come
 * first; a scenarios folder from the config adds to them (or overrides one by id).
 */
function scenarioDirs(ctx: CliContext): string[] {
  const configured = ctx.loaded.config.scenariosDir;
  return configured === builtIn.scenarios ? [builtIn.scenarios] : [builtIn.scenarios, configured];
}

function explainLines(steps: Step[], indent = '  '): string[] {
  return steps.flatMap((s) => {
    const line = `${indent}- ${explainStep(s)}`;
    if (s.kind === 'repeat' || s.kind === 'part') return [line, ...explainLines(s.steps, `${indent}  `)];
    return [line];
  });
}

export function registerScenarios(program: Command): void {
  const cmd = program.command('scenarios').description('the scripted-user scenarios: list them, or validate a scenario file');
  cmd
    .command('list')
    .description('built-in and configured scenarios: id, description, steps, total observe time')
    .option('--observe-scale <factor>', 'show observation times multiplied by this factor (as runs with the same option use)', parseFloat)
    .action(
      action(async (ctx, opts: { observeScale?: number }) => {
        const { loadScenarioLibrary, scaleObservation, summariseScenario } = await import('../../capture/scenarios/index.js');
        const library = loadScenarioLibrary(scenarioDirs(ctx));
        const scale = opts.observeScale;
        const summaries = [...library.scenarios.values()].map((s) => summariseScenario(scale === undefined ? s : scaleObservation(s, scale)));
        if (ctx.json) {
          ctx.outJson({ scenarios: summaries });
          return;
        }
        ctx.out(table(['id', 'steps', 'observe', 'description'], summaries.map((s) => [s.id, s.steps, `${s.observeSeconds} s`, s.description])));
      }),
    );
  cmd
    .command('validate <file>')
    .description('check a scenario file; exits 2 with file:line and field when it is wrong')
    .action(
      action(async (ctx, file: string) => {
        const { loadScenarioLibrary, parseScenarioFile, resolveIncludes, summariseScenario } = await import('../../capture/scenarios/index.js');
        const library = loadScenarioLibrary(scenarioDirs(ctx));
        const scenario = resolveIncludes(parseScenarioFile(file), (id) => library.get(id));
        const summary = summariseScenario(scenario);
        if (ctx.json) {
          ctx.outJson({ valid: true, ...summary, explain: explainLines(scenario.steps, '').map((l) => l.replace(/^\s*- /, '')) });
          return;
        }
        ctx.out(`${file}: valid scenario "${summary.id}", ${summary.steps} steps, ${summary.observeSeconds} s of observation`);
        ctx.out(explainLines(scenario.steps).join('\n'));
      }),
    );
}
