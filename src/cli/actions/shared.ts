// What the sweep, probe and demo actions share: read the model (--model, else the bundled one) and the
// images (the split, or its seeded sample), and describe them. Loaded only when one of those commands runs.
import * as path from 'node:path';
import { sampleIndices } from '../../data/batch';
import { loadSplit, loadSplitSample, type LoadedSplit } from '../../data/mnist';
import { dataError } from '../../errors';
import { fileExists, packageRoot } from '../../io/files';
import { readModel, type LoadedModel } from '../../io/modelFile';
import type { Activation } from '../../nn/network';
import { Mt19937 } from '../../rng/mt19937';
import type { Io } from '../io';
import { DEFAULT_SEED } from '../options';
import { BUNDLED_MODEL, type ModelImagesRaw } from '../commands/shared';

/** The model file to read: --model, else the bundled one (which must exist); label: how reports name it. */
export function loadModelOption(model: string | undefined, activation: Activation | undefined): { file: string; label: string; model: LoadedModel } {
  const file = model ?? path.join(packageRoot(), BUNDLED_MODEL);
  if (model === undefined && !fileExists(file))
    throw dataError(`no --model given and the bundled model is missing: ${file}`, 'pass --model FILE (.safetensors, .npz or .pkl), or regenerate the bundled model (see data/README.md)');
  return { file, label: model ?? `bundled ${BUNDLED_MODEL}`, model: readModel(file, activation) };
}

/** The split, and the seeded sample of it (np.random.seed(S); np.random.choice(n, N)) when --size is given. */
export function loadImages(raw: ModelImagesRaw, env: Io['env']): { split: LoadedSplit; indices: Uint32Array | null; seed: number | null } {
  const data = { data: raw.data, source: raw.source, env };
  const size = raw.size;
  if (size === undefined) return { split: loadSplit(data, raw.split), indices: null, seed: null };
  const seed = raw.seed ?? DEFAULT_SEED;
  // reads only the sampled images: every use of the split goes through the indices
  const { split, indices } = loadSplitSample(data, raw.split, (shape) => sampleIndices(new Mt19937(seed), shape.count, size, raw.replace));
  return { split, indices, seed };
}

/** "784-50-10 sigmoid". */
export function architecture(model: LoadedModel): string {
  return `${[model.net.layers[0].W.rows, ...model.net.layers.map((l) => l.W.cols)].join('-')} ${model.activation}`;
}
