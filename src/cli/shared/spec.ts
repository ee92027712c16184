// What several commands declare alike: the bundled model's path, and the --model / --split / --size flags
// that sweep, probe and demo share. Light on purpose: every register() imports it at start-up.
import * as path from 'node:path';
import type { Command } from 'commander';
import type { SplitName } from '../../data/types';
import type { HiddenActivation } from '../../nn/architecture';
import { addCommonOptions, commonOf, intInRange, LIMITS, parseNormalize, parsePath, parseSeed, type CommonOptions } from '../options';

/** The bundled model, relative to the package root: the default for --model. */
export const BUNDLED_MODEL = path.join('data', 'model.safetensors');

/** `--model bundled` names the bundled model from any folder (help examples use it: they must work installed). */
export const BUNDLED_WORD = 'bundled';

/** --model absent or the word 'bundled': the bundled model. */
export const isBundled = (model: string | undefined): boolean => model === undefined || model === BUNDLED_WORD;

/** Flags eval, sweep, probe and demo share: which model, which images. */
export interface ModelRaw {
  model?: string;
  activation?: HiddenActivation;
  normalize?: { mean: number; std: number };
}

/** --model, --activation and --normalize: which model, and what settles what its file leaves open. */
export function addModelOptions(cmd: Command, modelText = `model file (mnist-loss's .safetensors/.npz/.pkl, PyTorch, ONNX, Keras, TF.js), or '${BUNDLED_WORD}' (the default: ${BUNDLED_MODEL})`): Command {
  return cmd
    .option('--model <file>', modelText, parsePath)
    .addOption(cmd.createOption('--activation <name>', "hidden-layer activation: overrides the file; needed when the file names none and is not one of the book's networks").choices(['sigmoid', 'relu', 'tanh']))
    .option('--normalize <mean,std>', 'inputs as (x/255 - mean) / std, as the model was trained (overrides the file\'s metadata), e.g. 0.1307,0.3081', parseNormalize);
}

export interface ModelSampleRaw extends CommonOptions, ModelRaw {
  split: SplitName;
  size?: number;
  seed?: number;
  replace: boolean;
}

/** ModelSampleRaw plus the --ascii of the commands that draw charts (sweep, probe, demo). */
export interface ModelImagesRaw extends ModelSampleRaw {
  ascii: boolean;
}

/** The model, image and common flags as a validated options object carries them (sweep, probe). */
export type ModelImagesSettings = Readonly<ModelImagesRaw>;

/** The model, image and common flags of a parsed command line, copied into its options object. */
export function modelImagesOf(raw: ModelImagesRaw): ModelImagesSettings {
  return { ...commonOf(raw), model: raw.model, activation: raw.activation, normalize: raw.normalize, split: raw.split, size: raw.size, seed: raw.seed, replace: raw.replace, ascii: raw.ascii };
}

/** --size of eval (a sample may be larger than the split, drawn with replacement). */
export const EVAL_SIZE = intInRange(1, LIMITS.evalImages, 'a sample of more images only costs time, the metrics are means');
/** --size of sweep and probe, whose cache holds every layer's float64 activations of each image. */
export const CACHED_SIZE = intInRange(1, LIMITS.cachedImages, 'the sweep cache keeps every layer\'s activations of each image in memory');

/** Adds --model, --activation, --split, --size (parsed by `size`), --seed and --no-replace (not the common flags). */
export function addModelSampleOptions(cmd: Command, seedText: string, size: typeof EVAL_SIZE): Command {
  return addModelOptions(cmd)
    .addOption(cmd.createOption('--split <name>', 'which split').choices(['test', 'train']).default('test'))
    .option('--size <n>', 'use a seeded sample of n images instead of the whole split', size)
    .option('--seed <n>', seedText, parseSeed)
    .option('--no-replace', 'sample without replacement (np.random.choice(..., replace=False))');
}

/** addModelSampleOptions (with the sweep cache's --size bound), then --ascii and the common flags. */
export function addModelImagesOptions(cmd: Command, seedText: string): Command {
  addModelSampleOptions(cmd, seedText, CACHED_SIZE).option('--ascii', 'plain ASCII charts instead of Unicode braille and blocks', false);
  return addCommonOptions(cmd);
}
