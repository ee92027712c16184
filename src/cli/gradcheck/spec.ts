// `mnist-loss gradcheck`: the book's gradient check (ch05 and ch07 gradient_check.py) on a few seeded train
// images: mean |backprop − numerical| per parameter, in float64; exit 4 when one exceeds 1e-6.
// Flags and their checks only; ./run.ts does the work and is loaded when gradcheck runs.
import type { Command } from 'commander';
import { usageError } from '../../errors';
import type { HiddenActivation } from '../../nn/architecture';
import type { Activation } from '../../nn/network';
import type { InitScheme } from '../../nn/init';
import type { Io } from '../io';
import { addCommonOptions, addExample, DEFAULT_SEED, intInRange, LIMITS, numberInRange, parseHiddenList, parseNormalize, parsePath, parseSeed, commonOf, type CommonOptions, type CommonSettings } from '../options';
import { checkNetworkSize, MNIST_INPUTS, parameterCountOf, TRAIN_DEFAULTS } from '../train/spec';

/** More images make the numerical gradient slower (two forward passes of the batch per parameter). */
const MAX_SIZE = LIMITS.gradcheckImages;
/** Why gradcheck bounds the parameter count (of --hidden here, of --model when it is read). */
const GRADCHECK_PARAMETERS_WHY = 'the numerical gradient takes two forward passes per parameter';

/**
 * The check's cost grows with parameters × images (two forward passes of every image per parameter): at most
 * LIMITS.gradcheckParameters parameters and LIMITS.gradcheckWork parameter-images (the default 784-50-10 net
 * with 100 images fits; 1,000,000 parameters with 3 images took 133 s here). `flag` names the network.
 */
export function checkGradcheckCost(sizes: readonly number[], images: number, flag: string): void {
  checkNetworkSize(sizes, LIMITS.gradcheckParameters, flag, GRADCHECK_PARAMETERS_WHY);
  const count = parameterCountOf(sizes);
  if (count * images > LIMITS.gradcheckWork)
    throw usageError(
      `${flag} with --size ${images}: ${count} parameters × ${images} images is more than ${LIMITS.gradcheckWork} (${GRADCHECK_PARAMETERS_WHY} and image)`,
      `use --size ${Math.max(1, Math.floor(LIMITS.gradcheckWork / count))} or less, or a smaller network`,
    );
}

/** --elements: at most every element of the largest network gradcheck reads. */
const MAX_ELEMENTS = LIMITS.gradcheckParameters;
/**
 * The layer engine's check, in multiply-adds (experiments/gradcheckNetwork.ts gradcheckNetworkCost): the default
 * --elements is the largest K ≤ 100 within DEFAULT_WORK (ch07 SimpleConvNet, 3 images: K = 100, 1.2e9, about
 * 10 s here; ch08 DeepConvNet: K = 4), and an explicit K must stay within MAX_WORK (a few minutes here).
 */
export const GRADCHECK_ENGINE_WORK = { default: 2e9, max: 2e10 } as const;

/** The engine check's cost within MAX_WORK, else a usage error naming the largest --elements that fits. */
export function checkEngineCost(cost: number, elements: number, images: number, fits: number, flag: string): void {
  if (cost > GRADCHECK_ENGINE_WORK.max)
    throw usageError(
      `${flag} with --elements ${elements} and --size ${images}: about ${cost.toExponential(1)} multiply-adds, more than ${GRADCHECK_ENGINE_WORK.max.toExponential(0)} (two passes of the layers above each checked element, per image)`,
      fits >= 1 ? `use --elements ${fits} or less, or fewer images (--size)` : 'use fewer images (--size)',
    );
}

export interface GradcheckRaw extends CommonOptions {
  model?: string;
  hidden?: number[];
  activation?: HiddenActivation;
  normalize?: { mean: number; std: number };
  elements?: number;
  initStd?: number;
  init?: 'xavier' | 'he';
  size: number;
  seed: number;
}

export interface GradcheckOptions extends CommonSettings {
  readonly model: string | null;
  readonly hidden: readonly number[];
  /** --activation as given: with --model it overrides the file. */
  readonly activation?: HiddenActivation;
  /** The fresh net's activation: --activation, else train's default. */
  readonly freshActivation: Activation;
  readonly normalize?: { readonly mean: number; readonly std: number };
  /** --elements: the engine's sampled check with K per tensor; null: MLPs in full on their fast path, other networks the default K. */
  readonly elements: number | null;
  readonly init: InitScheme;
  readonly size: number;
  readonly seed: number;
}

export function validateGradcheck(raw: GradcheckRaw): GradcheckOptions {
  if (raw.model !== undefined && raw.hidden !== undefined)
    throw usageError(`--model ${raw.model} and --hidden ${raw.hidden.join(',')} both choose the network`, 'give --model FILE to check a saved network, or --hidden H for a freshly initialised one');
  const initFlag = raw.init !== undefined ? `--init ${raw.init}` : raw.initStd !== undefined ? `--init-std ${raw.initStd}` : undefined;
  if (raw.model !== undefined && initFlag !== undefined)
    throw usageError(`--model ${raw.model} and ${initFlag}: a model file has its weights already`, `drop ${initFlag}, or drop --model to check a fresh net`);
  if (raw.init !== undefined && raw.initStd !== undefined)
    throw usageError(`--init-std ${raw.initStd} and --init ${raw.init} both set the initial weight scale`, 'give one of them');
  if (raw.model === undefined && raw.activation === 'tanh')
    throw usageError('--activation tanh: a fresh net is sigmoid or relu (tanh is for a --model file that names none)', 'use --activation sigmoid or relu, or give --model FILE');
  if (raw.model === undefined && raw.normalize !== undefined)
    throw usageError('--normalize: a fresh net takes x/255 inputs', 'drop --normalize, or give --model FILE of a network trained on normalised inputs');
  if (raw.model === undefined) {
    const hidden = raw.hidden ?? TRAIN_DEFAULTS.hidden;
    checkGradcheckCost([MNIST_INPUTS, ...hidden, 10], raw.size, `--hidden ${hidden.join(',')}`);
  }
  return Object.freeze({
    ...commonOf(raw),
    model: raw.model ?? null, hidden: raw.hidden ?? [...TRAIN_DEFAULTS.hidden], activation: raw.activation, normalize: raw.normalize, elements: raw.elements ?? null,
    freshActivation: (raw.activation ?? TRAIN_DEFAULTS.activation) as Activation,
    init: raw.init !== undefined ? { kind: raw.init } : { kind: 'std' as const, std: raw.initStd ?? TRAIN_DEFAULTS.initStd },
    size: raw.size, seed: raw.seed,
  });
}

export function registerGradcheck(program: Command, io: Io): void {
  const cmd = program
    .command('gradcheck')
    .description("the book's gradient check: backprop vs central differences (h = 1e-4) of the mean CEE, float64, on seeded train images, every layer of any network")
    .option('--model <file>', `check this network (.safetensors, .npz, .pkl: MLPs and the book's convolutional networks; at most ${LIMITS.gradcheckParameters} parameters); default: a fresh seeded net of the train defaults`, parsePath)
    .option('--hidden <widths>', `hidden widths of the fresh net, e.g. 50 or 50,100 (default ${TRAIN_DEFAULTS.hidden.join(',')}; at most ${LIMITS.gradcheckParameters} parameters in all)`, parseHiddenList)
    .addOption(program.createOption('--activation <name>', `hidden-layer activation (fresh net: sigmoid or relu, default ${TRAIN_DEFAULTS.activation}; --model: overrides the file)`).choices(['sigmoid', 'relu', 'tanh']))
    .option('--normalize <mean,std>', '--model: inputs as (x/255 - mean) / std, as the model was trained (overrides the file\'s metadata)', parseNormalize)
    .option('--elements <k>', "check K seeded elements of each parameter tensor on the layer engine (np.random.choice(size, K, replace=False); smaller tensors in full); default: MLPs in full, other networks up to 100, as the work allows", intInRange(1, MAX_ELEMENTS, 'a tensor has at most that many elements'))
    .option('--init-std <x>', `fresh net: W = x · randn(in, out) (default ${TRAIN_DEFAULTS.initStd}, as train)`, numberInRange(0, LIMITS.initStd, 'larger weights only saturate every unit', true))
    .addOption(program.createOption('--init <scheme>', "fresh net: 'xavier' = sqrt(1/in) · randn, 'he' = sqrt(2/in) · randn").choices(['xavier', 'he']))
    .option('--size <n>', 'number of train images, np.random.choice(60000, n)', intInRange(1, MAX_SIZE, `the check takes two forward passes of every image per parameter, so at most ${MAX_SIZE} images`), 3)
    .option('--seed <n>', 'np.random.seed: initialises the fresh net, then draws the images from the same stream', parseSeed, DEFAULT_SEED);
  addCommonOptions(cmd);
  addExample(cmd, 'mnist-loss gradcheck', 'mnist-loss gradcheck --hidden 100 --activation relu --json', 'mnist-loss gradcheck --model bundled --size 5', 'mnist-loss gradcheck --model bundled --elements 200   (200 seeded elements of each tensor; any model, convolutional too)');
  cmd.action(async (raw: GradcheckRaw) => {
    const opts = validateGradcheck(raw);
    const { runGradcheck } = await import('./run');
    runGradcheck(opts, io);
  });
}
