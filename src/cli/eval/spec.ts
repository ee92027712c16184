// `mnist-loss eval`: SSE, CEE and accuracy of a model file on a whole MNIST split or a seeded sample of it
// (np.random.seed(S); np.random.choice(n, N)), per-class accuracy, confusion matrix, worst images, and CI
// gates (--min-accuracy, --max-cee, --max-sse: exit 4). Mirrors the book's ch03 neuralnet_mnist.py.
// Flags and their checks only; ./run.ts does the work and is loaded when eval runs.
import * as path from 'node:path';
import type { Command } from 'commander';
import type { SplitName } from '../../data/types';
import { usageError } from '../../errors';
import { packageRoot } from '../../io/files';
import type { HiddenActivation } from '../../nn/architecture';
import type { Threshold } from '../../report/evalReport';
import type { Io } from '../io';
import { addCommonOptions, addExample, commonOf, DEFAULT_SEED, intInRange, LIMITS, numberInRange, parseFraction, parseThreads, type CommonSettings } from '../options';
import { addModelSampleOptions, BUNDLED_MODEL, isBundled, EVAL_SIZE, type ModelSampleRaw } from '../shared/spec';

export interface EvalRaw extends ModelSampleRaw {
  confusion: boolean;
  worst?: number;
  minAccuracy?: number;
  maxCee?: number;
  maxSse?: number;
  threads: string;
  ascii: boolean;
}

export interface EvalOptions extends CommonSettings {
  readonly model: string;
  readonly modelIsDefault: boolean;
  readonly activation?: HiddenActivation;
  readonly normalize?: { readonly mean: number; readonly std: number };
  readonly split: SplitName;
  /** null: the whole split. */
  readonly size: number | null;
  /** null: the whole split. */
  readonly seed: number | null;
  readonly replace: boolean;
  readonly confusion: boolean;
  readonly worst: number;
  readonly gates: readonly Gate[];
  /** 'auto' or a count. */
  readonly threads: number | 'auto';
  /** --ascii: draw the worst images in ASCII. */
  readonly ascii: boolean;
}

export interface Gate {
  readonly name: Threshold['name'];
  readonly quantity: Threshold['quantity'];
  readonly kind: Threshold['kind'];
  readonly limit: number;
}

export function validateEval(raw: EvalRaw): EvalOptions {
  if (raw.size === undefined && raw.seed !== undefined)
    throw usageError(`--seed ${raw.seed} picks a sample, but no --size was given: without --size eval uses the whole split`, `add --size N to evaluate N seeded images, or drop --seed`);
  if (raw.size === undefined && !raw.replace)
    throw usageError('--no-replace applies to a sample, but no --size was given', 'add --size N, or drop --no-replace');
  if (raw.worst !== undefined && raw.size !== undefined && raw.worst > raw.size)
    throw usageError(`--worst ${raw.worst} asks for more images than the sample of --size ${raw.size}`, `use --worst ${raw.size} or less`);
  const gates: Gate[] = [];
  if (raw.minAccuracy !== undefined) gates.push({ name: 'min-accuracy', quantity: 'accuracy', kind: 'min', limit: raw.minAccuracy });
  if (raw.maxCee !== undefined) gates.push({ name: 'max-cee', quantity: 'cee', kind: 'max', limit: raw.maxCee });
  if (raw.maxSse !== undefined) gates.push({ name: 'max-sse', quantity: 'sse', kind: 'max', limit: raw.maxSse });
  return Object.freeze({
    ...commonOf(raw),
    model: isBundled(raw.model) ? path.join(packageRoot(), BUNDLED_MODEL) : raw.model!,
    modelIsDefault: isBundled(raw.model),
    activation: raw.activation,
    normalize: raw.normalize,
    split: raw.split,
    size: raw.size ?? null,
    seed: raw.size === undefined ? null : raw.seed ?? DEFAULT_SEED,
    replace: raw.replace,
    confusion: raw.confusion,
    worst: raw.worst ?? 0,
    gates,
    threads: raw.threads === 'auto' ? 'auto' : Number(raw.threads),
    ascii: raw.ascii,
  });
}

export function registerEval(program: Command, io: Io): void {
  const cmd = program
    .command('eval')
    .description('SSE, CEE (mean per image) and accuracy of a model on the test or train split, or a seeded sample of it; CI gates');
  const gate = numberInRange(0, LIMITS.gate, 'CEE (mean/img) is at most −ln 1e−7 ≈ 16.12 and SSE at most 1, so a larger limit never fails');
  addModelSampleOptions(cmd, `seed of the sample, as np.random.seed (default ${DEFAULT_SEED}; needs --size)`, EVAL_SIZE)
    .option('--confusion', 'show the confusion matrix (rows: label, columns: prediction)', false)
    .option('--worst <k>', 'draw the k images with the lowest probability of their true class (at most --size)', intInRange(1, LIMITS.worstImages, 'each is drawn as a digit'))
    .option('--min-accuracy <x>', 'exit 4 when accuracy < x', parseFraction)
    .option('--max-cee <x>', 'exit 4 when CEE (mean/img) > x', gate)
    .option('--max-sse <x>', 'exit 4 when SSE (mean/img) > x', gate)
    .option('--ascii', 'draw the --worst images in plain ASCII instead of Unicode blocks', false)
    .option('--threads <n>', "threads for the forward pass: 1, 2 or 'auto' (2 from 20000 images on, when 2 cores exist)", parseThreads, 'auto');
  addCommonOptions(cmd);
  addExample(
    cmd,
    'mnist-loss eval',
    'mnist-loss eval --model bundled --confusion --worst 3',
    'mnist-loss eval --size 100 --seed 7 --json',
    'mnist-loss eval --min-accuracy 0.97 --max-cee 0.1   (exit 4 when a gate fails: for CI)',
  );
  cmd.action(async (raw: EvalRaw) => {
    const opts = validateEval(raw);
    const { runEval } = await import('./run');
    await runEval(opts, io);
  });
}
