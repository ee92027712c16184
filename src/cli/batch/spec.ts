// `mnist-loss batch`: the indices and labels of one seeded mini-batch, exactly those of
// np.random.seed(S); np.random.choice(N, size[, replace=False]); --show draws the digits.
// Flags and their checks only; ./run.ts does the work and is loaded when batch runs.
import type { Command } from 'commander';
import type { SplitName } from '../../data/types';
import { usageError } from '../../errors';
import type { Io } from '../io';
import { addCommonOptions, addExample, commonOf, DEFAULT_SEED, intInRange, LIMITS, parseSeed, type CommonOptions, type CommonSettings } from '../options';

/** Printing more indices than this is never what a user wants, and it bounds the allocation. */
export const MAX_BATCH_SIZE = LIMITS.batchIndices;

export interface BatchRaw extends CommonOptions {
  size: number;
  seed: number;
  split: SplitName;
  replace: boolean;
  show: boolean;
  ascii: boolean;
}

export interface BatchOptions extends CommonSettings {
  readonly size: number;
  readonly seed: number;
  readonly split: SplitName;
  readonly replace: boolean;
  readonly show: boolean;
  /** --ascii: draw the digits in ASCII (also chosen for TERM=dumb and non-UTF-8 locales). */
  readonly ascii: boolean;
}

export function validateBatch(raw: BatchRaw): BatchOptions {
  if (raw.show && raw.size > LIMITS.shownDigits)
    throw usageError(`--show --size ${raw.size}: --show draws at most ${LIMITS.shownDigits} digits (each takes a dozen terminal lines)`, `use --size ${LIMITS.shownDigits} or less with --show, or drop --show for the index table`);
  if (raw.show && raw.json) throw usageError('--show draws digits for people and --json prints data for programs: pick one', 'drop --show or --json');
  return Object.freeze({ ...commonOf(raw), size: raw.size, seed: raw.seed, split: raw.split, replace: raw.replace, show: raw.show, ascii: raw.ascii });
}

export function registerBatch(program: Command, io: Io): void {
  const cmd = program
    .command('batch')
    .description('indices and labels of one seeded mini-batch, the same as np.random.seed(S); np.random.choice(N, size)')
    .option('--size <n>', 'images in the batch', intInRange(1, MAX_BATCH_SIZE, 'more indices than that are never read by a person and only fill memory'), 10)
    .option('--seed <n>', 'numpy-compatible MT19937 seed', parseSeed, DEFAULT_SEED)
    .addOption(program.createOption('--split <name>', 'which split to sample from').choices(['train', 'test']).default('train'))
    .option('--no-replace', "sample without replacement (np.random.choice(..., replace=False))")
    .option('--show', 'draw each digit in the terminal with its label', false)
    .option('--ascii', 'draw the digits in plain ASCII instead of Unicode blocks', false);
  addCommonOptions(cmd);
  addExample(cmd, 'mnist-loss batch --size 5 --seed 42', 'mnist-loss batch --size 3 --seed 7 --split test --no-replace --show');
  cmd.action(async (raw: BatchRaw) => {
    const opts = validateBatch(raw);
    const { runBatch } = await import('./run');
    runBatch(opts, io);
  });
}
