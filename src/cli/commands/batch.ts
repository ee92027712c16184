// `mnist-loss batch`: the indices and labels of one seeded mini-batch, exactly those of
// np.random.seed(S); np.random.choice(N, size[, replace=False]); --show draws the digits.
import { Option, type Command } from 'commander';
import { sampleIndices } from '../../data/batch';
import { loadSplit } from '../../data/mnist';
import type { MnistSplit, SplitName } from '../../data/types';
import { usageError } from '../../errors';
import { Mt19937 } from '../../rng/mt19937';
import { renderDigits } from '../../report/digits';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import { addCommonOptions, addExample, DEFAULT_SEED, parsePositiveInt, parseSeed, type CommonOptions } from '../options';

/** Printing more indices than this is never what a user wants, and it bounds the allocation. */
export const MAX_BATCH_SIZE = 10_000_000;

interface BatchRaw extends CommonOptions {
  size: number;
  seed: number;
  split: SplitName;
  replace: boolean;
  show: boolean;
}

export interface BatchOptions {
  readonly size: number;
  readonly seed: number;
  readonly split: SplitName;
  readonly replace: boolean;
  readonly show: boolean;
  readonly json: boolean;
  readonly color: boolean;
}

export function validateBatch(raw: BatchRaw): BatchOptions {
  if (raw.size > MAX_BATCH_SIZE)
    throw usageError(`--size ${raw.size} is more than ${MAX_BATCH_SIZE} indices`, `use --size ${MAX_BATCH_SIZE} or less`);
  if (raw.show && raw.json) throw usageError('--show draws digits for people and --json prints data for programs: pick one', 'drop --show or --json');
  return Object.freeze({ size: raw.size, seed: raw.seed, split: raw.split, replace: raw.replace, show: raw.show, json: raw.json, color: raw.color });
}

/** The numpy call that draws the same indices. */
export function numpyEquivalent(seed: number, n: number, size: number, replace: boolean): string {
  return `np.random.seed(${seed}); np.random.choice(${n}, ${size}${replace ? '' : ', replace=False'})`;
}

/** Terminal width for --show: $COLUMNS when it is a sensible number, else 80. */
function terminalWidth(io: Io): number {
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns >= 20 ? columns : 80;
}

export function registerBatch(program: Command, io: Io): void {
  const cmd = program
    .command('batch')
    .description('indices and labels of one seeded mini-batch, the same as np.random.seed(S); np.random.choice(N, size)')
    .option('--size <n>', 'images in the batch, 1..10000000', parsePositiveInt, 10)
    .option('--seed <n>', 'numpy-compatible MT19937 seed, 0..4294967295', parseSeed, DEFAULT_SEED)
    .addOption(new Option('--split <name>', 'which split to sample from').choices(['train', 'test']).default('train'))
    .option('--no-replace', "sample without replacement (np.random.choice(..., replace=False))")
    .option('--show', 'draw each digit in the terminal with its label', false);
  addCommonOptions(cmd);
  addExample(cmd, 'mnist-loss batch --size 5 --seed 42', 'mnist-loss batch --size 3 --seed 7 --split test --no-replace --show');
  cmd.action((raw: BatchRaw) => {
    const opts = validateBatch(raw);
    const split = loadSplit({ data: raw.data, source: raw.source, env: io.env }, opts.split);
    const indices = sampleIndices(new Mt19937(opts.seed), split.count, opts.size, opts.replace);
    const labels = Array.from(indices, (i) => split.labels[i]);
    io.out(
      opts.json
        ? JSON.stringify({ split: opts.split, seed: opts.seed, size: opts.size, replace: opts.replace, indices: Array.from(indices), labels }) + '\n'
        : renderBatch(opts, split, indices, io.color && opts.color, terminalWidth(io)),
    );
  });
}

/** Header (echoing split, seed, size, replace and the numpy call), then an index/label table or the drawn digits. */
export function renderBatch(opts: BatchOptions, split: MnistSplit, indices: Uint32Array, color: boolean, width: number): string {
  const style = createStyle(color && !opts.json);
  const header =
    `batch of ${opts.size} from ${opts.split} (${split.count} images), seed ${opts.seed}, ${opts.replace ? 'with' : 'without'} replacement\n` +
    style.dim(`same as numpy: ${numpyEquivalent(opts.seed, split.count, opts.size, opts.replace)}`) + '\n\n';
  const D = split.rows * split.cols;
  if (opts.show) {
    const cells = Array.from(indices, (i) => ({ pixels: split.pixels.subarray(i * D, (i + 1) * D), rows: split.rows, cols: split.cols, caption: `#${i} label ${split.labels[i]}` }));
    return header + renderDigits(cells, width, style);
  }
  // Fixed column widths computed from n and size: renderTable measures every cell, and batches can be millions long.
  const wb = Math.max(1, String(Math.max(0, indices.length - 1)).length), wi = Math.max(5, String(split.count - 1).length);
  const lines = [style.bold(`${'#'.padStart(wb)}  ${'index'.padStart(wi)}  label`)];
  for (let b = 0; b < indices.length; b++)
    lines.push(`${String(b).padStart(wb)}  ${String(indices[b]).padStart(wi)}  ${String(split.labels[indices[b]]).padStart(5)}`);
  return header + lines.join('\n') + '\n';
}
