// What the runs of sweep, probe, demo, eval and gradcheck share: read the model (--model, else the bundled
// one) and the images (the split, or its seeded sample), and describe them. Loaded only by their run.ts.
import * as path from 'node:path';
import { sampleIndices } from '../../data/batch';
import { loadSplit, loadSplitSample, type LoadedSplit } from '../../data/mnist';
import { dataError, usageError } from '../../errors';
import { fileExists, packageRoot } from '../../io/files';
import { readModel, type LoadedModel, type ModelOptions } from '../../io/modelFile';
import { RECOGNISED_NAMES } from '../../nn/architecture';
import type { Network as MlpNetwork } from '../../nn/network';
import { layerChain } from '../../report/layers';
import { Mt19937 } from '../../rng/mt19937';
import type { Io } from '../io';
import { DEFAULT_SEED } from '../options';
import { BUNDLED_MODEL, isBundled, type ModelImagesSettings } from './spec';

/** The model file to read: --model, else the bundled one (which must exist); label: how reports name it. */
export function loadModelOption(model: string | undefined, options: ModelOptions): { file: string; label: string; model: LoadedModel } {
  const bundled = isBundled(model);
  const file = bundled ? path.join(packageRoot(), BUNDLED_MODEL) : model!;
  if (bundled && !fileExists(file))
    throw dataError(`the bundled model is missing: ${file}`, 'pass --model FILE, or reinstall mnist-loss (or regenerate the model: see data/README.md)');
  return { file, label: bundled ? `bundled ${BUNDLED_MODEL}` : model!, model: readModel(file, options) };
}

/**
 * The dense MLP a command's fast path needs (sweep, probe, demo, gradcheck run on fully connected sigmoid or
 * ReLU networks with x / 255 inputs); any other network is a usage error naming what it is and what runs on it.
 */
export function denseNetwork(model: LoadedModel, command: string, file: string): MlpNetwork {
  if (model.mlp !== null) return model.mlp;
  throw usageError(
    `${command} runs on fully connected sigmoid or ReLU networks with x/255 inputs; ${file} is ${RECOGNISED_NAMES[model.architecture.recognised]}: ${layerChain(model.network.describe(), model.network.endsInSoftmax)}${model.normalization ? ', with normalised inputs' : ''}`,
    `mnist-loss eval runs on every model; ${command} on convolutional, tanh or normalised networks is not implemented yet`,
  );
}

/** The split, and the seeded sample of it (np.random.seed(S); np.random.choice(n, N)) when --size is given. */
export function loadImages(raw: ModelImagesSettings, env: Io['env']): { split: LoadedSplit; indices: Uint32Array | null; seed: number | null } {
  const data = { data: raw.data, source: raw.source, env };
  const size = raw.size;
  if (size === undefined) return { split: loadSplit(data, raw.split), indices: null, seed: null };
  const seed = raw.seed ?? DEFAULT_SEED;
  // reads only the sampled images: every use of the split goes through the indices
  const { split, indices } = loadSplitSample(data, raw.split, (shape) => sampleIndices(new Mt19937(seed), shape.count, size, raw.replace));
  return { split, indices, seed };
}

/** "784-50-10 sigmoid" for an MLP; the layer chain for any other network. */
export function architecture(model: LoadedModel): string {
  const mlp = model.mlp;
  if (mlp !== null) return `${[mlp.layers[0].W.rows, ...mlp.layers.map((l) => l.W.cols)].join('-')} ${mlp.layers.length > 1 ? mlp.activation : '(no hidden layer)'}`;
  return layerChain(model.network.describe(), model.network.endsInSoftmax);
}

/** What --activation/--normalize a ModelRaw-style options object carries. */
export function modelOptions(raw: { activation?: ModelOptions['activation']; normalize?: ModelOptions['normalize'] }): ModelOptions {
  return { activation: raw.activation, normalize: raw.normalize };
}
