// Probes the derivatives of SSE, CEE and accuracy with respect to single weights at the trained point,
// by central differences (the book's numerical_gradient, ch04): CEE's is almost never 0, accuracy's
// almost always is — the chapter's reason for training on a loss. Uses the sweep's incremental evaluation.
import { usageError } from '../errors';
import type { NetworkParamElement, ParamElement } from '../nn/paramRef';
import { networkParameterAtFlatIndex, networkParameterCount, parameterAtFlatIndex, parameterCount, parameterElement } from '../nn/paramRef';
import type { Mt19937 } from '../rng/mt19937';
import { choiceWithoutReplacement } from '../rng/sample';
import { gatherBatch } from '../data/batch';
import { gradient } from '../nn/backprop';
import { correctAtWeights, lossesAtWeights, networkLossesAtWeights, type NetworkSweepImages, type SweepCache } from './sweep';

export { DEFAULT_PROBE_H } from './probeDefaults';

/** Central-difference slopes at one element: (f(w + h) − f(w − h)) / (w₊ − w₋). */
export interface ElementSlopes {
  readonly dSse: number;
  readonly dCee: number;
  readonly dAccuracy: number;
}

export interface ProbeRow extends ElementSlopes {
  /** e.g. "W1[409,18]". */
  readonly param: string;
  /** The element's value in the model. */
  readonly value: number;
  /** Its input (pixel for W1, z_{l−1} unit for deeper W) is 0 on every probed image, so nothing can move. */
  readonly inputAlwaysZero: boolean;
  /** It feeds a ReLU unit that is off (a ≤ 0) on every image whose input to it is not 0. */
  readonly unitAlwaysOff: boolean;
}

export interface ProbeResult {
  /** Number of elements probed. */
  readonly weights: number;
  readonly h: number;
  /** Images per evaluation. */
  readonly n: number;
  /** Elements whose accuracy slope is exactly 0. */
  readonly accuracyZero: number;
  /** Elements whose CEE / SSE slope is not 0. */
  readonly ceeNonzero: number;
  readonly sseNonzero: number;
  /** Elements whose CEE slope is exactly 0 and whose input is 0 on every image. */
  readonly ceeZeroInputBlank: number;
  /** Elements whose CEE slope is exactly 0 and which feed a ReLU unit that is off on every image (input not blank). */
  readonly ceeZeroUnitOff: number;
  readonly rows: readonly ProbeRow[];
}

/**
 * The two float32 weights of a central difference, w₋ = f32(w − h) and w₊ = f32(w + h). A usage error when
 * either is not finite (h overflows float32) or they are equal (h is lost in float32 at w): the slope would
 * be ±Infinity or NaN. Checked for every element before any slope is computed.
 */
export function centralWeights(param: Pick<ParamElement, 'label' | 'value'>, h: number): [number, number] {
  const lo = Math.fround(param.value - h), hi = Math.fround(param.value + h);
  if (!(h > 0) || !Number.isFinite(lo) || !Number.isFinite(hi))
    throw usageError(`h = ${h} at ${param.label} = ${param.value}: w − h and w + h are ${lo} and ${hi} in float32, not two finite numbers`, "use a small positive step h, e.g. 1e-4 (the book's)", { code: 'probe-step', problem: 'not-finite' });
  if (lo === hi)
    throw usageError(`h = ${h} at ${param.label} = ${param.value}: w − h and w + h are the same float32 number ${lo}, so the step is 0`, "use a larger step h, e.g. 1e-4 (the book's); float32 keeps about 7 significant digits", { code: 'probe-step', problem: 'lost' });
  return [lo, hi];
}

/**
 * Slopes of SSE, CEE and accuracy at `param` by central differences. The two weights are the float32
 * values w₋ = f32(w − h) and w₊ = f32(w + h) a float32 model can hold, and the step is w₊ − w₋ (≈ 2h).
 */
export function centralSlopes(cache: SweepCache, param: ParamElement, h: number): ElementSlopes {
  const [lo, hi] = centralWeights(param, h);
  const f = lossesAtWeights(cache, param, [lo, hi]);
  const step = hi - lo;
  return {
    dSse: (f.sse[1] - f.sse[0]) / step,
    dCee: (f.cee[1] - f.cee[0]) / step,
    dAccuracy: (f.correct[1] - f.correct[0]) / cache.n / step,
  };
}

/** True when the input of W_l[r, j] (pixel r for W1, unit r of z_{l−1} otherwise) is 0 on every cached image; biases have input 1. */
export function inputAlwaysZero(cache: SweepCache, param: ParamElement): boolean {
  if (param.kind === 'b') return false;
  if (param.layer === 0) {
    for (let b = 0; b < cache.n; b++) if (cache.pixels[cache.images[b] * cache.D + param.row] !== 0) return false;
    return true;
  }
  const width = cache.widths[param.layer], z = cache.z[param.layer - 1];
  for (let b = 0; b < cache.n; b++) if (z[b * width + param.row] !== 0) return false;
  return true;
}

/**
 * True when the element feeds a ReLU unit that is off (a_l[b, j] ≤ 0) on every cached image whose input to
 * the element is not 0: then nothing downstream sees it (unless ±h switches the unit on).
 */
export function unitAlwaysOff(cache: SweepCache, param: ParamElement): boolean {
  const L = cache.net.layers.length;
  if (cache.net.activation !== 'relu' || param.layer === L - 1) return false;
  const out = cache.widths[param.layer + 1], inWidth = cache.widths[param.layer], a = cache.a[param.layer];
  for (let b = 0; b < cache.n; b++) {
    let input = 1;
    if (param.kind === 'W') input = param.layer === 0 ? cache.pixels[cache.images[b] * cache.D + param.row] : cache.z[param.layer - 1][b * inWidth + param.row];
    if (input !== 0 && a[b * out + param.col] > 0) return false;
  }
  return true;
}

/**
 * Probes `k` elements drawn without replacement from all parameters laid end to end (W1, b1, W2, ...,
 * row-major): the flat indices are numpy's `np.random.choice(P, k, replace=False)` for the rng's state,
 * P = the number of parameters, so each element is equally likely.
 */
export function probeParameters(cache: SweepCache, rng: Mt19937, k: number, h: number): ProbeResult {
  const flat = choiceWithoutReplacement(rng, parameterCount(cache.net), k);
  const params = Array.from(flat, (index) => parameterAtFlatIndex(cache.net, index));
  for (const param of params) centralWeights(param, h);
  const rows: ProbeRow[] = params.map((param) => {
    return { param: param.label, value: param.value, ...centralSlopes(cache, param, h), inputAlwaysZero: inputAlwaysZero(cache, param), unitAlwaysOff: unitAlwaysOff(cache, param) };
  });
  return summarizeProbe(rows, h, cache.n);
}

/** The slopes of CEE and accuracy for one hidden unit's input weights W1[:, unit], as D-pixel maps. */
export interface UnitMaps {
  readonly unit: number;
  readonly h: number;
  /** ∂CEE/∂W1[i, unit] for pixel i = 0..D−1: the analytic gradient (backprop, the book's CEE without δ). */
  readonly cee: Float64Array;
  /** ∂accuracy/∂W1[i, unit] by central differences with step h: 0 wherever no image changes its answer. */
  readonly accuracy: Float64Array;
  /** Pixels whose accuracy slope is not 0, and whose CEE gradient is not 0. */
  readonly accuracyNonzero: number;
  readonly ceeNonzero: number;
}

/** Images per backprop chunk: bounds the dense float32 copy of x to CHUNK × D values. */
const CHUNK = 1000;

/**
 * The gradient of the mean CEE over the cached images (backprop.ts, chunk by chunk, each chunk's
 * mean weighted by its share of the images): dW1: [D, H] and db1: [H].
 */
export function firstLayerGradient(cache: SweepCache): { dW1: Float64Array; db1: Float64Array } {
  const D = cache.widths[0], H = cache.widths[1];
  const dW1 = new Float64Array(D * H), db1 = new Float64Array(H);
  for (let start = 0; start < cache.n; start += CHUNK) {
    const indices = cache.images.subarray(start, Math.min(cache.n, start + CHUNK));
    const { x, t } = gatherBatch(cache.split, indices);
    const g = gradient(cache.net, x, t);
    const share = indices.length / cache.n;
    for (let q = 0; q < dW1.length; q++) dW1[q] += share * g.dW[0][q];
    for (let j = 0; j < H; j++) db1[j] += share * g.db[0][j];
  }
  return { dW1, db1 };
}

/**
 * The first-layer weight CEE is steepest in on the cached images: argmax over W1[i, j] of |∂CEE/∂W1[i, j]|
 * (backprop; the first maximum in row-major order wins ties). A weight worth sweeping: moving it moves CEE most.
 */
export function steepestFirstLayerWeight(cache: SweepCache): { param: ParamElement; dCee: number } {
  const { dW1 } = firstLayerGradient(cache);
  let best = 0;
  for (let q = 1; q < dW1.length; q++) if (Math.abs(dW1[q]) > Math.abs(dW1[best])) best = q;
  const H = cache.widths[1];
  return { param: parameterElement(cache.net, 'W', 0, Math.floor(best / H), best % H), dCee: dW1[best] };
}

/**
 * Maps for hidden unit `unit` of layer 1 (default: the unit with the largest |∂CEE/∂b1[j]|, the one the
 * loss pulls hardest): the CEE gradient of each input weight W1[i, unit] and the central-difference
 * accuracy slope of each (exact, via correctAtWeights).
 */
export function hiddenUnitMaps(cache: SweepCache, h: number, unit?: number): UnitMaps {
  const D = cache.widths[0], H = cache.widths[1];
  const { dW1, db1 } = firstLayerGradient(cache);
  let j = unit ?? 0;
  if (unit === undefined) for (let k = 1; k < H; k++) if (Math.abs(db1[k]) > Math.abs(db1[j])) j = k;
  const cee = new Float64Array(D), accuracy = new Float64Array(D);
  const params = Array.from({ length: D }, (_, i) => parameterElement(cache.net, 'W', 0, i, j));
  const pairs = params.map((param) => centralWeights(param, h));
  for (let i = 0; i < D; i++) {
    cee[i] = dW1[i * H + j];
    const param = params[i];
    const [lo, hi] = pairs[i];
    const correct = correctAtWeights(cache, param, [lo, hi]);
    accuracy[i] = (correct[1] - correct[0]) / cache.n / (hi - lo);
  }
  return {
    unit: j, h, cee, accuracy,
    accuracyNonzero: accuracy.filter((v) => v !== 0).length,
    ceeNonzero: cee.filter((v) => v !== 0).length,
  };
}

// ---- Any engine network (sweep/network.ts): convolutions, pooling, batch norm, … ----

/**
 * probeParameters on an engine network: `k` elements drawn as np.random.choice(P, k, replace=False) over all
 * parameters laid end to end in Network.parameters() order (W1, b1, W2, …, each C order), central differences
 * at each, all in one pass over the images. inputAlwaysZero: the element met only zero inputs (a convolution
 * tap that is 0 on every image, an Affine input that is 0 everywhere); unitAlwaysOff is not tracked (false).
 */
export function probeNetworkParameters(images: NetworkSweepImages, rng: Mt19937, k: number, h: number): ProbeResult {
  const net = images.network;
  const flat = choiceWithoutReplacement(rng, networkParameterCount(net), k);
  const params = Array.from(flat, (index) => networkParameterAtFlatIndex(net, index));
  const pairs = params.map((param) => centralWeights(param, h));
  const losses = networkLossesAtWeights(images, params.map((param, i) => ({ param, weights: pairs[i] })));
  const rows: ProbeRow[] = params.map((param, i) => {
    const f = losses[i], step = pairs[i][1] - pairs[i][0];
    return {
      param: param.label, value: param.value,
      dSse: (f.sse[1] - f.sse[0]) / step, dCee: (f.cee[1] - f.cee[0]) / step, dAccuracy: (f.correct[1] - f.correct[0]) / images.n / step,
      inputAlwaysZero: f.moved === 0, unitAlwaysOff: false,
    };
  });
  return summarizeProbe(rows, h, images.n);
}

/** The counts of a probe from its rows. */
function summarizeProbe(rows: ProbeRow[], h: number, n: number): ProbeResult {
  return {
    weights: rows.length,
    h,
    n,
    accuracyZero: rows.filter((r) => r.dAccuracy === 0).length,
    ceeNonzero: rows.filter((r) => r.dCee !== 0).length,
    sseNonzero: rows.filter((r) => r.dSse !== 0).length,
    ceeZeroInputBlank: rows.filter((r) => r.dCee === 0 && r.inputAlwaysZero).length,
    ceeZeroUnitOff: rows.filter((r) => r.dCee === 0 && !r.inputAlwaysZero && r.unitAlwaysOff).length,
    rows,
  };
}

/** Images per backprop chunk of an engine network. */
const NETWORK_CHUNK = 100;

/**
 * The element of the network's first parameter tensor (W1: the first convolution's filters, or the first
 * Affine's weights) that the mean CEE over the images is steepest in: argmax |∂CEE/∂W1| by the reference
 * layers' backprop (test mode, chunk by chunk, each chunk's mean weighted by its share; first maximum wins).
 */
export function steepestNetworkElement(images: NetworkSweepImages): { param: NetworkParamElement; dCee: number } {
  const net = images.network, first = net.parameters()[0];
  const D = net.inputShape.reduce((p, d) => p * d, 1);
  const grad = new Float64Array(first.value.length);
  for (let start = 0; start < images.n; start += NETWORK_CHUNK) {
    const count = Math.min(images.n, start + NETWORK_CHUNK) - start;
    const pixels = new Uint8Array(count * D);
    for (let i = 0; i < count; i++) pixels.set(images.split.pixels.subarray(images.images[start + i] * D, (images.images[start + i] + 1) * D), i * D);
    const g = net.gradientOf(net.input(pixels, count), images.t.subarray(start, start + count), false).grads.get(first.name) as Float64Array;
    const share = count / images.n;
    for (let q = 0; q < grad.length; q++) grad[q] += share * g[q];
  }
  let best = 0;
  for (let q = 1; q < grad.length; q++) if (Math.abs(grad[q]) > Math.abs(grad[best])) best = q;
  return { param: networkParameterAtFlatIndex(net, best), dCee: grad[best] };
}
