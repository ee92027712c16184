// `mnist-loss probe`: central-difference slopes of SSE, CEE and accuracy at randomly chosen weights of a
// trained model — accuracy's is exactly 0 almost everywhere, CEE's is not — and the two 28×28 maps of one
// hidden unit's input weights that show it. The book's numerical_gradient (ch04) turned on accuracy.
import { type Command } from 'commander';
import { usageError } from '../../errors';
import { DEFAULT_PROBE_H, hiddenUnitMaps, probeParameters } from '../../experiments/probe';
import { buildSweepCache } from '../../experiments/sweep';
import { parameterCount } from '../../nn/paramRef';
import { Mt19937 } from '../../rng/mt19937';
import { createStyle } from '../../report/style';
import { probeJson, renderProbeReport, type ProbeContext } from '../../report/sweepReport';
import type { Io } from '../io';
import { addExample, DEFAULT_SEED, parseNonNegativeInt, parsePositiveInt, parsePositiveNumber } from '../options';
import { addModelImagesOptions, architecture, charsetFor, loadImages, loadModelOption, type ModelImagesRaw } from './sweep';

export const DEFAULT_PROBE_WEIGHTS = 20;

interface ProbeRaw extends ModelImagesRaw {
  weights: number;
  h: number;
  unit?: number;
}

export function validateProbe(raw: ProbeRaw): ProbeRaw & { seed: number } {
  if (raw.size === undefined && !raw.replace) throw usageError('--no-replace applies to a sample, but no --size was given', 'add --size N, or drop --no-replace');
  return Object.freeze({ ...raw, seed: raw.seed ?? DEFAULT_SEED });
}

export function registerProbe(program: Command, io: Io): void {
  const cmd = program
    .command('probe')
    .description("slopes of SSE, CEE and accuracy at random weights of the model: accuracy's is 0 almost everywhere, CEE's is not")
    .option('--weights <k>', 'how many parameter elements to probe', parsePositiveInt, DEFAULT_PROBE_WEIGHTS)
    .option('--h <h>', 'half step of the central difference (the book uses 1e-4)', parsePositiveNumber, DEFAULT_PROBE_H)
    .option('--unit <j>', 'hidden unit of layer 1 for the maps (default: the one whose bias moves CEE most)', parseNonNegativeInt);
  addModelImagesOptions(cmd, `seed of the element choice and of the --size sample, as np.random.seed (default ${DEFAULT_SEED})`);
  addExample(cmd, 'mnist-loss probe', 'mnist-loss probe --weights 100 --size 1000 --json | jq "{accuracyZero, ceeNonzero}"');
  cmd.action((rawOptions: ProbeRaw) => {
    const raw = validateProbe(rawOptions);
    const { file, label, model } = loadModelOption(raw.model, raw.activation);
    const P = parameterCount(model.net), H = model.net.layers[0].W.cols;
    if (raw.weights > P) throw usageError(`--weights ${raw.weights}: the model has only ${P} parameters`, `use at most --weights ${P}`);
    if (raw.unit !== undefined && raw.unit >= H) throw usageError(`--unit ${raw.unit}: layer 1 has ${H} hidden units (0 to ${H - 1})`, `use --unit 0 … ${H - 1}`);
    const images = loadImages(raw, io.env);
    const cache = buildSweepCache(model.net, images.split, images.indices);
    const result = probeParameters(cache, new Mt19937(raw.seed), raw.weights, raw.h);
    const maps = hiddenUnitMaps(cache, raw.h, raw.unit);
    const ctx: ProbeContext = {
      model: file, modelLabel: label, architecture: architecture(model), split: raw.split, splitCount: images.split.count, size: raw.size ?? null,
      seed: raw.seed, parameterCount: P, rows: images.split.rows, cols: images.split.cols, unitGiven: raw.unit !== undefined,
    };
    io.out(raw.json ? probeJson(result, maps, ctx) : renderProbeReport(result, maps, ctx, { style: createStyle(io.color && raw.color), charset: charsetFor(raw.ascii, io.env) }));
  });
}
