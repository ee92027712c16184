// Sweeps one parameter element over a range and records SSE, CEE and accuracy at each value: the
// chapter's argument (loss moves smoothly, accuracy jumps) in numbers. Gives what a naive numpy loop
// gives (set W[i,j], full forward pass, losses) but recomputes only what lies downstream of the
// element, from activations cached once (cache.ts), in float64 (perturb.ts). This file: the values,
// the rows, their slopes and summary.
import type { NetworkParamElement, ParamElement } from '../../nn/paramRef';
import { usageError, type ErrorDetail } from '../../errors';
import { lossesAtWeights, type ElementLosses } from './perturb';
import type { SweepCache } from './cache';
import { networkLossesAtWeights, type NetworkSweepImages } from './network';

export { buildSweepCache, type SweepCache } from './cache';
export { correctAtWeights, lossesAtWeights, type ElementLosses } from './perturb';
export { networkLossesAtWeights, networkSweepImages, type NetworkRequest, type NetworkSweepImages } from './network';

/**
 * np.linspace(start, stop, num): y_i = start + i·step with step = (stop − start)/(num − 1), the last
 * value set to stop exactly (numpy's formula, so the values match numpy's bit for bit).
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  if (!Number.isSafeInteger(num) || num < 0) throw new RangeError(`linspace: num ${num} must be a whole number >= 0`);
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    // numpy divides first when the step underflows to 0 (denormal ranges, gh-5437).
    for (let i = 0; i < num; i++) out[i] = (step === 0 ? (i / div) * delta : i * step) + start;
    out[num - 1] = stop;
  } else if (num === 1) {
    out[0] = start;
  }
  return out;
}

export type SweepMode = 'add' | 'set';

/** One value of the sweep: losses at that weight and the slopes there. */
export interface SweepRow {
  /** The swept value: added to the model's weight (mode add) or the weight itself (mode set). */
  readonly value: number;
  /** The weight actually used: float32(base + value) or float32(value), as a float32 model holds it. */
  readonly weight: number;
  /** Mean over the images of ½Σ_k(y_k − t_k)². */
  readonly sse: number;
  /** Mean over the images of −log(y_t + 1e-7). */
  readonly cee: number;
  /** correct / n. */
  readonly accuracy: number;
  readonly correct: number;
  /** Slopes d/dvalue by finite differences of neighbouring rows (see slopes()). */
  readonly dSse: number;
  readonly dCee: number;
  readonly dAccuracy: number;
}

/** What the rows show, counted over the steps between consecutive rows. */
export interface SweepSummary {
  /** Number of steps: rows − 1. */
  readonly steps: number;
  /** Distinct accuracy values among the rows. */
  readonly distinctAccuracies: number;
  /** A step is flat for a quantity when its value in the two rows is exactly equal (===). */
  readonly accuracyFlatSteps: number;
  readonly accuracyChangedSteps: number;
  readonly ceeFlatSteps: number;
  readonly ceeChangedSteps: number;
  readonly sseFlatSteps: number;
  readonly sseChangedSteps: number;
  /** Rows whose accuracy slope is exactly 0, and whose CEE slope is not. */
  readonly accuracySlopeZeroRows: number;
  readonly ceeSlopeNonzeroRows: number;
  readonly minAccuracy: number;
  readonly maxAccuracy: number;
  readonly minCee: number;
  readonly maxCee: number;
  /** The value with the lowest CEE (first if several). */
  readonly argminCee: number;
}

export interface SweepResult {
  /** e.g. "W1[409,18]". */
  readonly param: string;
  /** The element's value in the model. */
  readonly base: number;
  readonly mode: SweepMode;
  /** Images evaluated per row. */
  readonly n: number;
  readonly rows: readonly SweepRow[];
  readonly summary: SweepSummary;
}

/**
 * Finite-difference slope dy/dx at each row: central (y[i+1] − y[i−1]) / (x[i+1] − x[i−1]) inside,
 * one-sided at the ends ((y[1] − y[0]) / (x[1] − x[0]) first, the mirror image last); numpy's
 * np.gradient(y, x) with edge_order=1 on evenly spaced x. Needs at least 2 rows.
 */
export function slopes(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const K = x.length;
  if (K < 2) throw new RangeError(`slopes: need at least 2 points, found ${K}`);
  const out = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    const lo = Math.max(0, i - 1), hi = Math.min(K - 1, i + 1);
    out[i] = (y[hi] - y[lo]) / (x[hi] - x[lo]);
  }
  return out;
}

/** Counts flat and changed steps (consecutive rows with exactly equal / unequal values) and ranges. */
export function summarizeSweep(rows: readonly SweepRow[]): SweepSummary {
  const steps = rows.length - 1;
  let accuracyChanged = 0, ceeChanged = 0, sseChanged = 0;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].accuracy !== rows[i - 1].accuracy) accuracyChanged++;
    if (rows[i].cee !== rows[i - 1].cee) ceeChanged++;
    if (rows[i].sse !== rows[i - 1].sse) sseChanged++;
  }
  let argmin = 0;
  rows.forEach((row, i) => { if (row.cee < rows[argmin].cee) argmin = i; });
  const accuracies = rows.map((row) => row.accuracy);
  const cees = rows.map((row) => row.cee);
  return {
    steps,
    distinctAccuracies: new Set(accuracies).size,
    accuracyFlatSteps: steps - accuracyChanged,
    accuracyChangedSteps: accuracyChanged,
    ceeFlatSteps: steps - ceeChanged,
    ceeChangedSteps: ceeChanged,
    sseFlatSteps: steps - sseChanged,
    sseChangedSteps: sseChanged,
    accuracySlopeZeroRows: rows.filter((row) => row.dAccuracy === 0).length,
    ceeSlopeNonzeroRows: rows.filter((row) => row.dCee !== 0).length,
    minAccuracy: Math.min(...accuracies),
    maxAccuracy: Math.max(...accuracies),
    minCee: Math.min(...cees),
    maxCee: Math.max(...cees),
    argminCee: rows[argmin].value,
  };
}

/** The float32 weight a value stands for: base + value (add) or the value itself (set). */
export function sweptWeight(base: number, value: number, mode: SweepMode): number {
  return Math.fround(mode === 'add' ? base + value : value);
}

/** The largest finite float32 (2^128 − 2^104), for messages. */
export const FLOAT32_MAX_TEXT = '3.4028235e38';

/**
 * Refuses, as a usage error, values a float32 sweep cannot give honest rows for: every value finite, every
 * step between neighbours finite and non-zero (the slopes divide by it), and every swept weight
 * sweptWeight(base, value, mode) finite in float32. Called before any loss is computed, by sweepParameter
 * and by the CLI as soon as the values are known. `param.label` names the element in the message.
 */
export function checkSweepValues(param: Pick<ParamElement, 'label' | 'value'>, values: ArrayLike<number>, mode: SweepMode): void {
  const rangeHint = mode === 'add'
    ? `keep the weight plus every value of the range within ±${FLOAT32_MAX_TEXT}, the float32 range`
    : `keep both ends of the range within ±${FLOAT32_MAX_TEXT}, the float32 range`;
  const range: ErrorDetail = { code: 'sweep-values', mode, problem: 'range' };
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) throw usageError(`sweep of ${param.label}: value ${value} is not a finite number`, rangeHint, range);
    const weight = sweptWeight(param.value, value, mode);
    if (!Number.isFinite(weight))
      throw usageError(`sweep of ${param.label}: ${mode === 'add' ? `${param.value} + ${value}` : `${value}`} is ${weight} in float32, which holds magnitudes up to ${FLOAT32_MAX_TEXT}`, rangeHint, range);
    if (i === 0) continue;
    const step = value - values[i - 1];
    if (!Number.isFinite(step) || step === 0)
      throw usageError(
        `sweep of ${param.label}: values ${values[i - 1]} and ${value} are ${step === 0 ? 'equal' : 'too far apart'} (step ${step}), so the slopes between them are not numbers`,
        'give the range two different ends, close enough for their difference to be finite',
        { code: 'sweep-values', mode, problem: 'step' },
      );
  }
}

/**
 * Sweeps `param` over `values` (at least 2): each row's losses are those of the model with that one
 * element replaced by sweptWeight(base, value, mode), on the cached images. Values checkSweepValues
 * refuses are a usage error.
 */
export function sweepParameter(cache: SweepCache, param: ParamElement, values: ArrayLike<number>, mode: SweepMode): SweepResult {
  return sweepRows(param, values, mode, cache.n, (weights) => lossesAtWeights(cache, param, weights));
}

/** sweepParameter on any engine network (network.ts): a convolution weight, a bias, a batch norm's gamma, … */
export function sweepNetworkParameter(images: NetworkSweepImages, param: NetworkParamElement, values: ArrayLike<number>, mode: SweepMode): SweepResult {
  return sweepRows(param, values, mode, images.n, (weights) => networkLossesAtWeights(images, [{ param, weights }])[0]);
}

/** The rows of a sweep from the losses at the swept weights (lossesAt), their slopes and summary. */
function sweepRows(param: Pick<ParamElement, 'label' | 'value'>, values: ArrayLike<number>, mode: SweepMode, n: number, lossesAt: (weights: number[]) => ElementLosses): SweepResult {
  if (values.length < 2) throw new RangeError(`sweepParameter: need at least 2 values, found ${values.length}`);
  checkSweepValues(param, values, mode);
  const weights = Array.from(values, (value) => sweptWeight(param.value, value, mode));
  const losses = lossesAt(weights);
  const accuracy = Array.from(losses.correct, (c) => c / n);
  const dSse = slopes(values, losses.sse), dCee = slopes(values, losses.cee), dAccuracy = slopes(values, accuracy);
  const rows: SweepRow[] = Array.from(values, (value, i) => ({
    value,
    weight: weights[i],
    sse: losses.sse[i],
    cee: losses.cee[i],
    accuracy: accuracy[i],
    correct: losses.correct[i],
    dSse: dSse[i],
    dCee: dCee[i],
    dAccuracy: dAccuracy[i],
  }));
  return { param: param.label, base: param.value, mode, n, rows, summary: summarizeSweep(rows) };
}
