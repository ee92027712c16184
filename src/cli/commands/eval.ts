// `mnist-loss eval`: SSE, CEE and accuracy of a model file on a whole MNIST split or a seeded sample of it
// (np.random.seed(S); np.random.choice(n, N)), per-class accuracy, confusion matrix, worst images, and CI
// gates (--min-accuracy, --max-cee, --max-sse: exit 4). Mirrors the book's ch03 neuralnet_mnist.py.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { sampleIndices } from '../../data/batch';
import { describeSource, loadSplit, type LoadedSplit } from '../../data/mnist';
import type { DataOptions, SplitName } from '../../data/types';
import { checkError, dataError, usageError } from '../../errors';
import { evaluateParallel, startEvalWorker, type EvalResult, type EvalWorker } from '../../experiments/evaluate';
import { fileExists, packageRoot } from '../../io/files';
import { readModel, type LoadedModel } from '../../io/modelFile';
import type { Activation } from '../../nn/network';
import { Mt19937 } from '../../rng/mt19937';
import { evalJson, renderEvalReport, thresholdFailure, type EvalContext, type Threshold } from '../../report/evalReport';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import { addCommonOptions, addExample, DEFAULT_SEED, parseFiniteNumber, parseFraction, parsePositiveInt, parseSeed, type CommonOptions } from '../options';

/** The bundled model, relative to the package root: the default for --model. */
export const BUNDLED_MODEL = path.join('data', 'model.safetensors');

/**
 * From this many images on, `--threads auto` hands part of them to a second thread: below it the worker's
 * start-up (~50-80 ms here) costs more than it saves. Measured with `npm run bench` (bench/README.md).
 */
export const PARALLEL_MIN_IMAGES = 20000;

interface EvalRaw extends CommonOptions {
  model?: string;
  activation?: Activation;
  split: SplitName;
  size?: number;
  seed?: number;
  replace: boolean;
  confusion: boolean;
  worst?: number;
  minAccuracy?: number;
  maxCee?: number;
  maxSse?: number;
  threads: string;
}

export interface EvalOptions {
  readonly model: string;
  readonly modelIsDefault: boolean;
  readonly activation?: Activation;
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
  readonly json: boolean;
  readonly color: boolean;
}

interface Gate {
  readonly name: Threshold['name'];
  readonly quantity: Threshold['quantity'];
  readonly kind: Threshold['kind'];
  readonly limit: number;
}

function parseNonNegativeNumber(value: string): number {
  const n = parseFiniteNumber(value);
  if (n < 0) throw new InvalidArgumentError('expected a number >= 0.');
  return n;
}

function parseThreads(value: string): string {
  if (!['auto', '1', '2'].includes(value)) throw new InvalidArgumentError("expected 1, 2 or 'auto'.");
  return value;
}

export function validateEval(raw: EvalRaw): EvalOptions {
  if (raw.size === undefined && raw.seed !== undefined)
    throw usageError(`--seed ${raw.seed} picks a sample, but no --size was given: without --size eval uses the whole split`, `add --size N to evaluate N seeded images, or drop --seed`);
  if (raw.size === undefined && !raw.replace)
    throw usageError('--no-replace applies to a sample, but no --size was given', 'add --size N, or drop --no-replace');
  const gates: Gate[] = [];
  if (raw.minAccuracy !== undefined) gates.push({ name: 'min-accuracy', quantity: 'accuracy', kind: 'min', limit: raw.minAccuracy });
  if (raw.maxCee !== undefined) gates.push({ name: 'max-cee', quantity: 'cee', kind: 'max', limit: raw.maxCee });
  if (raw.maxSse !== undefined) gates.push({ name: 'max-sse', quantity: 'sse', kind: 'max', limit: raw.maxSse });
  return Object.freeze({
    model: raw.model ?? path.join(packageRoot(), BUNDLED_MODEL),
    modelIsDefault: raw.model === undefined,
    activation: raw.activation,
    split: raw.split,
    size: raw.size ?? null,
    seed: raw.size === undefined ? null : raw.seed ?? DEFAULT_SEED,
    replace: raw.replace,
    confusion: raw.confusion,
    worst: raw.worst ?? 0,
    gates,
    threads: raw.threads === 'auto' ? 'auto' : Number(raw.threads),
    json: raw.json,
    color: raw.color,
  });
}

/** Each gate against the result: accuracy >= min, cee/sse <= max (a NaN value fails). */
export function checkThresholds(r: EvalResult, gates: readonly Gate[]): Threshold[] {
  return gates.map((g) => {
    const value = r[g.quantity];
    return { ...g, value, passed: g.kind === 'min' ? value >= g.limit : value <= g.limit };
  });
}

/** 'auto': two threads from PARALLEL_MIN_IMAGES images on, when the machine has two cores. */
function threadsFor(opts: EvalOptions, n: number): number {
  if (opts.threads !== 'auto') return opts.threads;
  return n >= PARALLEL_MIN_IMAGES && availableParallelism() >= 2 ? 2 : 1;
}

/** Loads the model and the split, draws the sample, evaluates. */
async function runEval(opts: EvalOptions, data: DataOptions, worker: EvalWorker | undefined) {
  if (opts.modelIsDefault && !fileExists(opts.model))
    throw dataError(`no --model given and the bundled model is missing: ${opts.model}`, 'pass --model FILE (.safetensors, .npz or .pkl), or regenerate the bundled model (see data/README.md)');
  const model = readModel(opts.model, opts.activation);
  const split = loadSplit(data, opts.split);
  const inputs = model.net.layers[0].W.rows;
  if (split.rows * split.cols !== inputs)
    throw dataError(`${opts.model}: W1 takes ${inputs} inputs, but the ${opts.split} images are ${split.rows}x${split.cols} = ${split.rows * split.cols} pixels`, 'use a model trained on these images, or data whose images match the model');
  const indices = opts.seed === null || opts.size === null ? undefined : sampleIndices(new Mt19937(opts.seed), split.count, opts.size, opts.replace);
  const threads = threadsFor(opts, indices?.length ?? split.count);
  const result = await evaluateParallel(model.net, split, { indices, worst: opts.worst, threads, worker });
  return { model, split, indices, result };
}

function evalContext(opts: EvalOptions, model: LoadedModel, split: LoadedSplit): EvalContext {
  return {
    model: opts.model,
    format: model.format,
    activation: model.activation,
    activationFrom: model.activationFrom,
    widths: [model.net.layers[0].W.rows, ...model.net.layers.map((l) => l.W.cols)],
    split: opts.split,
    splitCount: split.count,
    source: `${describeSource(split.source)} (${split.source.path})`,
    seed: opts.seed,
    replace: opts.replace,
    rows: split.rows,
    cols: split.cols,
    pixels: split.pixels,
  };
}

/** Terminal width for --worst drawings: $COLUMNS when it is a sensible number, else 80. */
function terminalWidth(io: Io): number {
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns >= 20 ? columns : 80;
}

export function registerEval(program: Command, io: Io): void {
  const cmd = program
    .command('eval')
    .description('SSE, CEE (mean per image) and accuracy of a model on the test or train split, or a seeded sample of it; CI gates')
    .option('--model <file>', `model file: .safetensors, .npz or the book's .pkl (default: the bundled ${BUNDLED_MODEL})`)
    .addOption(new Option('--activation <name>', 'hidden-layer activation; overrides the file (npz and pkl default to sigmoid)').choices(['sigmoid', 'relu']))
    .addOption(new Option('--split <name>', 'which split to evaluate').choices(['test', 'train']).default('test'))
    .option('--size <n>', 'evaluate a seeded sample of n images instead of the whole split', parsePositiveInt)
    .option('--seed <n>', `seed of the sample, as np.random.seed (default ${DEFAULT_SEED}; needs --size)`, parseSeed)
    .option('--no-replace', 'sample without replacement (np.random.choice(..., replace=False))')
    .option('--confusion', 'show the confusion matrix (rows: label, columns: prediction)', false)
    .option('--worst <k>', 'draw the k images with the lowest probability of their true class', parsePositiveInt)
    .option('--min-accuracy <x>', 'exit 4 when accuracy < x (0..1)', parseFraction)
    .option('--max-cee <x>', 'exit 4 when CEE (mean/img) > x', parseNonNegativeNumber)
    .option('--max-sse <x>', 'exit 4 when SSE (mean/img) > x', parseNonNegativeNumber)
    .option('--threads <n>', "threads for the forward pass: 1, 2 or 'auto' (2 from 20000 images on, when 2 cores exist)", parseThreads, 'auto');
  addCommonOptions(cmd);
  addExample(
    cmd,
    'mnist-loss eval',
    'mnist-loss eval --model __tests__/fixtures/book-ch03-sample_weight.pkl --confusion --worst 3',
    'mnist-loss eval --size 100 --seed 7 --json',
    'mnist-loss eval --min-accuracy 0.97 --max-cee 0.1   (exit 4 when a gate fails: for CI)',
  );
  cmd.action(async (raw: EvalRaw) => {
    const opts = validateEval(raw);
    // start the second thread first: it boots while the model and the data load
    const expected = opts.size ?? (opts.split === 'train' ? 60000 : 10000);
    const worker = threadsFor(opts, expected) >= 2 ? startEvalWorker() : undefined;
    try {
      const { model, split, result } = await runEval(opts, { data: raw.data, source: raw.source, env: io.env }, worker);
      const thresholds = checkThresholds(result, opts.gates);
      const ctx = evalContext(opts, model, split);
      io.out(opts.json ? evalJson(result, ctx, thresholds, opts.confusion) : renderEvalReport(result, ctx, thresholds, opts.confusion, createStyle(io.color && opts.color), terminalWidth(io)));
      const failed = thresholds.filter((t) => !t.passed);
      // main() prints "mnist-loss: <message>"; joining with "\nmnist-loss: " gives one such line per failed gate.
      if (failed.length > 0) throw checkError(failed.map(thresholdFailure).join('\nmnist-loss: '));
    } finally {
      worker?.stop();
    }
  });
}
