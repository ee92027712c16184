// The book's ch07 gradient_check.py on any network of the layer engine: backprop (Network.gradientOf) against
// central differences (h = 1e-4) of the mean CEE with δ = 1e-7 (SoftmaxWithLoss), both in float64, on a seeded
// sample of each parameter's elements; only the layers from the nudged one up are rerun for each difference.
import { Affine, Convolution, Network, Pooling, Relu, Sigmoid, sizeOf, toTensor64, type AnyTensor, type Layer, type Tensor64 } from '../nn/layers';
import type { Network as MlpNetwork } from '../nn/network';
import type { Mt19937 } from '../rng/mt19937';
import { choiceWithoutReplacement } from '../rng/sample';
import { GRADCHECK_H, type ParamDiff } from './gradcheck';

/** Elements checked per parameter tensor by default (a tensor with no more elements is checked in full). */
export const DEFAULT_GRADCHECK_ELEMENTS = 100;
/**
 * The smallest step a kink-crossing element is re-measured with (h/10 … h/10^4): the rounding noise of a float64
 * difference quotient, about ε·L/step ≈ 1e-17/1e-8, stays far below the tolerance.
 */
export const KINK_MIN_STEP = 1e-8;

/** One parameter's check: ParamDiff over its checked elements free of kinks, which elements, and both gradients there. */
export interface ParamCheck extends ParamDiff {
  readonly shape: readonly number[];
  /** Flat C-order indices checked, in the order drawn; null when every element was checked (in order). */
  readonly elements: Uint32Array | null;
  /** d loss / d θ at the checked elements (in the order of `elements`): backprop, then the central difference. */
  readonly backprop: Float64Array;
  readonly numerical: Float64Array;
  /** The step of each element's central difference: h, or h/10, h/100, … where θ_i ± h crossed a kink; NaN where every step did. */
  readonly step: Float64Array;
  /** Checked elements whose ±h crossed a kink (re-measured with a smaller step). */
  readonly kinks: number;
  /** Of those, the ones that crossed a kink down to the smallest step: left out of meanAbsDiff and maxAbsDiff. */
  readonly unresolved: number;
}

export interface NetworkGradcheckResult {
  /** Mean CEE (with δ) of the images, test-mode forward, float64 parameters. */
  readonly loss: number;
  readonly h: number;
  /** Elements asked for per tensor. */
  readonly elementsPerTensor: number;
  readonly diffs: readonly ParamCheck[];
}

export interface NetworkGradcheckOptions {
  /** K: check K elements of a tensor with more than K, drawn as np.random.choice(size, K, replace=False). */
  readonly elements: number;
  /** The stream the samples are drawn from, tensor after tensor in parameters() order (after the images). */
  readonly rng: Mt19937;
  readonly h?: number;
}

/**
 * For each parameter θ of `net` (copied to float64: withFloat64Parameters), backprop's ∂L/∂θ_i against
 * (L(θ_i + h) − L(θ_i − h)) / 2h at K sampled elements i, L the mean CEE with δ of the images pixels: [count, D].
 *
 * Deterministic mode: both sides use the test-time forward (train = false), so dropout scales by its test factor
 * (no mask is drawn) and batch normalization uses its running statistics — the function checked is the one
 * eval computes. Each L(θ_i ± h) reruns only the owning layer and those above it, from that layer's input cached
 * on the unperturbed pass (Network.layerInputs, lossFrom). Sampling: a tensor of more than K elements draws
 * np.random.choice(size, K, replace=False) from rng; one of at most K elements is checked in full, drawing nothing.
 *
 * Kinks: ReLU and max pooling are not differentiable everywhere. When θ_i ± h moves some ReLU input across 0 or
 * changes the winner of some max-pool window, the central difference straddles the kink and measures a blend of
 * two slopes (CS231n's "kinks in the objective"): the trained ch07 network has such elements in W1 and b1 at the
 * book's h = 1e-4. Such an element is re-measured with h/10, h/100, … down to KINK_MIN_STEP, the first step that
 * crosses no kink; one that crosses a kink even there is reported (NaN step) and left out of the mean and max.
 */
export function gradientCheckNetwork(net: Network, pixels: Uint8Array, t: Uint8Array, count: number, opts: NetworkGradcheckOptions): NetworkGradcheckResult {
  const h = opts.h ?? GRADCHECK_H;
  const net64 = net.withFloat64Parameters();
  const x = toTensor64(net64.input(pixels, count));
  const { loss, grads } = net64.gradientOf(x, t, false);
  const inputs = net64.layerInputs(x); // inputs[l]: what layers[l] saw on the unperturbed pass
  const winners = net64.layers.map((layer, l) => (layer instanceof Pooling && layer.mode === 'max' ? maxPoolWinners(layer, inputs[l]) : null));
  let crossed = false;
  const watchKinks = (l: number, z: Tensor64): void => {
    if (crossed) return;
    const layer = net64.layers[l], z0 = inputs[l];
    if (layer instanceof Relu) {
      for (let i = 0; i < z.data.length; i++) if ((z.data[i] > 0) !== (z0.data[i] > 0)) { crossed = true; return; }
    } else if (winners[l] !== null) {
      const now = maxPoolWinners(layer as Pooling, z), before = winners[l] as Int32Array;
      for (let i = 0; i < now.length; i++) if (now[i] !== before[i]) { crossed = true; return; }
    }
  };
  const diffs = net64.parameters().map((p): ParamCheck => {
    const size = p.value.length;
    const elements = size > opts.elements ? choiceWithoutReplacement(opts.rng, size, opts.elements) : null;
    const checked = elements?.length ?? size;
    const grad = grads.get(p.name) as Float64Array;
    const backprop = new Float64Array(checked), numerical = new Float64Array(checked), step = new Float64Array(checked);
    // (L(θ_i + s) − L(θ_i − s)) / 2s, and whether either side crossed a kink; as numericalGradientOf, the
    // denominator is the difference of the values stored (2s in float64)
    const difference = (i: number, s: number): { value: number; kink: boolean } => {
      const saved = p.value[i];
      crossed = false;
      p.value[i] = saved + s;
      const up = p.value[i], fxh1 = net64.lossFrom(p.layer, inputs[p.layer], t, false, watchKinks);
      p.value[i] = saved - s;
      const down = p.value[i], fxh2 = net64.lossFrom(p.layer, inputs[p.layer], t, false, watchKinks);
      p.value[i] = saved;
      return { value: (fxh1 - fxh2) / (up - down), kink: crossed };
    };
    let sumDiff = 0, maxDiff = 0, sumAbs = 0, kinks = 0, unresolved = 0;
    for (let k = 0; k < checked; k++) {
      const i = elements === null ? k : elements[k];
      backprop[k] = grad[i];
      sumAbs += Math.abs(grad[i]);
      let s = h, d = difference(i, s);
      if (d.kink) kinks++;
      for (let j = 1; d.kink && h / 10 ** j >= KINK_MIN_STEP * (1 - 1e-9); j++) d = difference(i, (s = Number((h / 10 ** j).toPrecision(12))));
      numerical[k] = d.value;
      step[k] = d.kink ? NaN : s;
      if (d.kink) { unresolved++; continue; }
      const diff = Math.abs(grad[i] - d.value);
      sumDiff += diff;
      if (diff > maxDiff) maxDiff = diff;
    }
    const judged = checked - unresolved;
    return {
      name: p.name, size, shape: [...p.shape], checked, elements, backprop, numerical, step, kinks, unresolved,
      meanAbsDiff: judged > 0 ? sumDiff / judged : 0, maxAbsDiff: maxDiff, meanAbsGrad: sumAbs / checked,
    };
  });
  return { loss, h, elementsPerTensor: opts.elements, diffs };
}

/** x: [N, C, H, W] -> for each window of `pool` (in output order), the flat index of its first maximum, padding −∞ (as Pooling.forward). */
export function maxPoolWinners(pool: Pooling, x: AnyTensor): Int32Array {
  const [N, C, H, W] = x.shape;
  const [, OH, OW] = pool.outputShape([C, H, W]);
  const out = new Int32Array(N * C * OH * OW);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, o++) {
        let best = -1, bestValue = -Infinity;
        for (let fy = 0; fy < pool.poolH; fy++) {
          const iy = oh * pool.stride + fy - pool.pad;
          if (iy < 0 || iy >= H) continue;
          for (let fx = 0; fx < pool.poolW; fx++) {
            const ix = ow * pool.stride + fx - pool.pad;
            if (ix < 0 || ix >= W) continue;
            const at = (plane * H + iy) * W + ix;
            if (best < 0 || x.data[at] > bestValue) { best = at; bestValue = x.data[at]; }
          }
        }
        out[o] = best;
      }
  return out;
}

/**
 * What gradientCheckNetwork costs in multiply-adds: images × Σ_θ checked_θ × 2 × (the layers from θ's up, per image),
 * counting in·out for an Affine, FN·C·FH·FW·OH·OW for a Convolution and one per output value for any other layer.
 */
export function gradcheckNetworkCost(net: Network, elements: number, images: number): number {
  const perLayer = net.layers.map((layer, l) => {
    if (layer instanceof Affine) return layer.inputSize * layer.outputSize;
    if (layer instanceof Convolution) return sizeOf(layer.filterShape) * sizeOf(net.shapes[l + 1].slice(1));
    return sizeOf(net.shapes[l + 1]);
  });
  const above = perLayer.map((_, l) => perLayer.slice(l).reduce((a, b) => a + b, 0));
  return images * net.parameters().reduce((sum, p) => sum + Math.min(elements, p.value.length) * 2 * above[p.layer], 0);
}

/** The largest K ≤ max whose gradcheckNetworkCost is within budget (1 when none is). */
export function elementsWithin(net: Network, budget: number, images: number, max = DEFAULT_GRADCHECK_ELEMENTS): number {
  let lo = 1, hi = max; // the cost grows with K: bisect for the last K within budget
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (gradcheckNetworkCost(net, mid, images) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A dense MLP (nn/network.ts) as engine layers: Affine, activation, …, Affine (sharing its weights; the final softmax is the Network's). */
export function layerNetworkOf(mlp: MlpNetwork): Network {
  const layers: Layer[] = [];
  mlp.layers.forEach((l, i) => {
    if (i > 0) layers.push(mlp.activation === 'relu' ? new Relu() : new Sigmoid());
    layers.push(new Affine({ shape: [l.W.rows, l.W.cols], data: l.W.data }, { shape: [l.W.cols], data: l.b }));
  });
  return new Network({ layers, inputShape: [mlp.layers[0].W.rows] });
}
