// `mnist-loss sweep`: move one weight over a range and watch SSE and CEE change smoothly while accuracy
// jumps — the chapter's reason to train on a loss. Flags and their checks; ./run.ts does the work.
import type { Command } from 'commander';
import { usageError } from '../../errors';
import { checkSweepValues, linspace, type SweepMode } from '../../experiments/sweep';
import type { Io } from '../io';
import { addExample, DEFAULT_SEED, float32Number, intInRange, LIMITS, parsePath, parseText } from '../options';
import { addModelImagesOptions, modelImagesOf, type ModelImagesRaw, type ModelImagesSettings } from '../shared/spec';

/** Without --from/--to: add −2 … +2 to the weight (set mode: the same weights, base − 2 … base + 2). */
export const DEFAULT_SWEEP_HALF_RANGE = 2;
export const DEFAULT_SWEEP_STEPS = 101;

export interface SweepRaw extends ModelImagesRaw {
  param?: string;
  from?: number;
  to?: number;
  steps: number;
  mode: SweepMode;
  csv: boolean;
  plot?: string;
}

export interface SweepOptions extends ModelImagesSettings {
  readonly param: string;
  /** null: the default range around the model's weight. */
  readonly range: { readonly from: number; readonly to: number } | null;
  readonly steps: number;
  readonly mode: SweepMode;
  readonly output: 'human' | 'json' | 'csv';
  readonly plot: string | null;
}

export function validateSweep(raw: SweepRaw): SweepOptions {
  if (raw.param === undefined || raw.param.trim() === '')
    throw usageError('sweep needs --param: the weight or bias element to move, e.g. W1[409,18] or b2[3]', "or --param auto for the first-layer weight CEE is steepest in; 'mnist-loss sweep --param x' lists the model's parameters");
  if ((raw.from === undefined) !== (raw.to === undefined))
    throw usageError(`--${raw.from === undefined ? 'to' : 'from'} was given without --${raw.from === undefined ? 'from' : 'to'}`, 'give both ends of the range, or neither for the default (add −2 … +2)');
  if (raw.size === undefined && raw.seed !== undefined)
    throw usageError(`--seed ${raw.seed} picks a sample, but no --size was given: without --size sweep uses the whole split`, 'add --size N to use N seeded images, or drop --seed');
  if (raw.size === undefined && !raw.replace) throw usageError('--no-replace applies to a sample, but no --size was given', 'add --size N, or drop --no-replace');
  if (raw.json && raw.csv) throw usageError('--json and --csv both ask for the whole output', 'pick one');
  if (raw.plot !== undefined && !/\.svg$/i.test(raw.plot)) throw usageError(`--plot ${raw.plot}: the plot is an SVG file, so its name must end in .svg`, `e.g. --plot ${raw.plot.replace(/\.[A-Za-z0-9]+$/, '')}.svg`);
  // the values alone (weight 0): equal ends, and set mode's float32 range; add mode is checked again once the weight is read
  if (raw.from !== undefined && raw.to !== undefined) checkSweepValues({ label: raw.param.trim() === 'auto' ? 'the chosen element' : raw.param.trim(), value: 0 }, linspace(raw.from, raw.to, raw.steps), raw.mode);
  return Object.freeze({
    ...modelImagesOf(raw),
    param: raw.param.trim(),
    range: raw.from === undefined || raw.to === undefined ? null : { from: raw.from, to: raw.to },
    steps: raw.steps,
    mode: raw.mode,
    output: raw.json ? 'json' : raw.csv ? 'csv' : 'human',
    plot: raw.plot ?? null,
  });
}

export function registerSweep(program: Command, io: Io): void {
  const cmd = program
    .command('sweep')
    .description('move one weight over a range: SSE and CEE change smoothly, accuracy in jumps (table, chart, verdict)')
    .option('--param <P>', "the element to move: W1[409,18] (row, column of W1: [in, out]), b2[3], ... or 'auto'", parseText)
    .option('--from <a>', `start of the range (default: −${DEFAULT_SWEEP_HALF_RANGE} added to the weight)`, float32Number('a weight of a float32 model'))
    .option('--to <b>', `end of the range (default: +${DEFAULT_SWEEP_HALF_RANGE})`, float32Number('a weight of a float32 model'))
    .option('--steps <k>', 'number of values, np.linspace(a, b, k)', intInRange(2, LIMITS.sweepSteps, `a sweep needs at least 2 values, and more than ${LIMITS.sweepSteps} rows only fill memory`), DEFAULT_SWEEP_STEPS)
    .addOption(program.createOption('--mode <how>', "'add': weight = model value + value; 'set': weight = value").choices(['add', 'set']).default('add'))
    .option('--csv', 'CSV on stdout: a header row, then one row per value', false)
    .option('--plot <file.svg>', 'also write an SVG chart (CEE and SSE curves, accuracy steps)', parsePath);
  addModelImagesOptions(cmd, `seed of the sample, as np.random.seed (default ${DEFAULT_SEED}; needs --size)`);
  addExample(
    cmd,
    "mnist-loss sweep --param 'W1[409,18]' --size 100",
    "mnist-loss sweep --param 'b2[3]' --from -3 --to 3 --steps 201 --plot sweep.svg",
    "mnist-loss sweep --param 'W1[409,18]' --json | jq .summary",
  );
  cmd.action(async (raw: SweepRaw) => {
    const opts = validateSweep(raw);
    const { runSweep } = await import('./run');
    runSweep(opts, io);
  });
}
