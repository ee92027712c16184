// `mnist-loss probe`: central-difference slopes of SSE, CEE and accuracy at randomly chosen weights of a
// trained model — accuracy's is exactly 0 almost everywhere, CEE's is not — and the two 28×28 maps of one
// hidden unit's input weights that show it. The book's numerical_gradient (ch04) turned on accuracy.
import { type Command } from 'commander';
import { usageError } from '../../errors';
import { DEFAULT_PROBE_H } from '../../experiments/probeDefaults';
import type { Io } from '../io';
import { addExample, DEFAULT_SEED, intInRange, LIMITS, numberInRange } from '../options';
import { addModelImagesOptions, modelImagesOf, type ModelImagesRaw, type ModelImagesSettings } from '../shared/spec';

export const DEFAULT_PROBE_WEIGHTS = 20;

export interface ProbeRaw extends ModelImagesRaw {
  weights: number;
  h: number;
  unit?: number;
}

export interface ProbeOptions extends ModelImagesSettings {
  readonly weights: number;
  readonly h: number;
  readonly unit?: number;
  /** The element choice's seed (and the --size sample's): --seed, else the default. */
  readonly seed: number;
}

export function validateProbe(raw: ProbeRaw): ProbeOptions {
  if (raw.size === undefined && !raw.replace) throw usageError('--no-replace applies to a sample, but no --size was given', 'add --size N, or drop --no-replace');
  return Object.freeze({ ...modelImagesOf(raw), weights: raw.weights, h: raw.h, unit: raw.unit, seed: raw.seed ?? DEFAULT_SEED });
}

export function registerProbe(program: Command, io: Io): void {
  const cmd = program
    .command('probe')
    .description("slopes of SSE, CEE and accuracy at random weights of the model: accuracy's is 0 almost everywhere, CEE's is not")
    .option('--weights <k>', 'how many parameter elements to probe (at most the model\'s parameter count)', intInRange(1, LIMITS.probeWeights, 'each takes two loss evaluations on every image'), DEFAULT_PROBE_WEIGHTS)
    .option('--h <h>', 'half step of the central difference (the book uses 1e-4); w ± h must be finite and distinct in float32', numberInRange(0, LIMITS.probeH, 'a central difference takes a small step', true), DEFAULT_PROBE_H)
    .option('--unit <j>', 'hidden unit of layer 1 for the maps (default: the one whose bias moves CEE most)', intInRange(0, LIMITS.probeUnit, 'units are numbered from 0, and the model\'s width is checked when it is read'));
  addModelImagesOptions(cmd, `seed of the element choice and of the --size sample, as np.random.seed (default ${DEFAULT_SEED})`);
  addExample(cmd, 'mnist-loss probe', 'mnist-loss probe --weights 100 --size 1000 --json | jq "{accuracyZero, ceeNonzero}"');
  cmd.action(async (raw: ProbeRaw) => {
    const opts = validateProbe(raw);
    const { runProbe } = await import('./run');
    runProbe(opts, io);
  });
}
