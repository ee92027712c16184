// The sweep and probe on any engine network (src/nn/layers: convolution, pooling, affine, …): one parameter
// element moved, the losses recomputed from what lies downstream of it. Per chunk of images the unperturbed
// pass runs the reference layers once, keeping every layer's output; then, per image and value, the moved
// layer recomputes only the outputs the element feeds (one Affine unit, or one filter's outputs whose input
// tap is not 0), and the change travels sparse through the element-wise layers, flatten and pooling up to the
// next Affine (cached float64 sums + the changed inputs times W) — from there on, the reference layers run on
// the V values at once. Any other layer the element sits in (batch norm) runs the reference layers from it.
import type { MnistSplit } from '../../data/types';
import { CEE_DELTA } from '../../nn/losses';
import type { NetworkParamElement } from '../../nn/paramRef';
import { sizeOf, type Affine, type Convolution, type Dropout, type Layer, type Network, type Pooling, type Tensor } from '../../nn/layers';
import { assertShape } from '../../tensor';
import type { ElementLosses } from './perturb';

/** Images per unperturbed reference pass (their layer outputs are kept while their values run). */
const CHUNK = 32;

/** The images a network sweep runs on: row b is image images[b] of the split. */
export interface NetworkSweepImages {
  readonly network: Network;
  readonly split: MnistSplit;
  readonly n: number;
  readonly images: Uint32Array;
  /** Labels of the rows: [n]. */
  readonly t: Uint8Array;
}

/** The rows of `split` to sweep on (all of it when indices is null). */
export function networkSweepImages(network: Network, split: MnistSplit, indices: ArrayLike<number> | null): NetworkSweepImages {
  const D = sizeOf(network.inputShape);
  assertShape(D === split.rows * split.cols, `networkSweepImages: the network takes ${D} values, images have ${split.rows * split.cols} pixels`);
  const n = indices === null ? split.count : indices.length;
  const images = new Uint32Array(n), t = new Uint8Array(n);
  for (let b = 0; b < n; b++) {
    const image = indices === null ? b : indices[b];
    if (!(Number.isInteger(image) && image >= 0 && image < split.count)) assertShape(false, `networkSweepImages: index ${image} outside [0, ${split.count})`);
    images[b] = image;
    t[b] = split.labels[image];
  }
  return { network, split, n, images, t };
}

/**
 * One image's SSE ½Σ(y − t)², CEE −log(y_t + δ) and correctness from the network's last output row
 * out[at .. at + K): y = softmax(out) in float64 (max subtracted), or out itself when the network ends in a softmax.
 */
function outputLosses(out: ArrayLike<number>, at: number, K: number, t: number, probabilities: boolean, e: Float64Array, r: Float64Array): void {
  let best = 0;
  for (let k = 1; k < K; k++) if (out[at + k] > out[at + best]) best = k;
  let S = 1;
  if (probabilities) for (let k = 0; k < K; k++) e[k] = out[at + k];
  else {
    const max = out[at + best];
    S = 0;
    for (let k = 0; k < K; k++) { e[k] = Math.exp(out[at + k] - max); S += e[k]; }
  }
  let squares = 0;
  for (let k = 0; k < K; k++) { const d = e[k] / S - (k === t ? 1 : 0); squares += d * d; }
  r[0] = 0.5 * squares;
  r[1] = -Math.log(e[t] / S + CEE_DELTA);
  r[2] = best === t ? 1 : 0;
}

/** What to compute: the losses with `param` set to each of `weights` in turn. */
export interface NetworkRequest {
  readonly param: NetworkParamElement;
  readonly weights: ArrayLike<number>;
}

/** The reference layers from `from` on, over x: [V, ...]: the network's last output. */
function runFrom(net: Network, from: number, x: Tensor): Tensor {
  let z = x;
  for (let l = from; l < net.layers.length; l++) z = net.layers[l].forward(z, false);
  return z;
}

/** Per request: dSse, dCee, dCorrect summed over images of (new − unperturbed), per value. */
interface Totals {
  readonly dSse: Float64Array;
  readonly dCee: Float64Array;
  readonly dCorrect: Int32Array;
  /** Images on which the element's layer output can move (its input is not 0 there). */
  moved: number;
}

/** ElementLosses, plus on how many images the element meets a nonzero input (0: it cannot move anything). */
export interface NetworkElementLosses extends ElementLosses {
  readonly moved: number;
}

/**
 * Mean SSE, CEE and the number correct over the images with each request's element set to each of its
 * weights (everything else as in the model), one ElementLosses per request. Equal to a full re-evaluation
 * (Network.predict with the element changed, the losses in float64) up to the last float32 bit of a sum.
 */
export function networkLossesAtWeights(images: NetworkSweepImages, requests: readonly NetworkRequest[]): NetworkElementLosses[] {
  const { network: net, split, n } = images;
  const D = sizeOf(net.inputShape), K = net.classes, probabilities = net.endsInSoftmax;
  const totals: Totals[] = requests.map((q) => ({ dSse: new Float64Array(q.weights.length), dCee: new Float64Array(q.weights.length), dCorrect: new Int32Array(q.weights.length), moved: 0 }));
  const plans = requests.map((q) => planFor(net, q.param));
  const basePass = net.layers.map((layer, l) => layerForward(layer, net.shapes[l]));
  let sseSum = 0, ceeSum = 0, correctSum = 0;
  const chunk = new Uint8Array(CHUNK * D), e = new Float64Array(K), r = new Float64Array(3);
  for (let start = 0; start < n; start += CHUNK) {
    const count = Math.min(n, start + CHUNK) - start;
    for (let i = 0; i < count; i++) chunk.set(split.pixels.subarray(images.images[start + i] * D, (images.images[start + i] + 1) * D), i * D);
    // outs[0]: the network's input; outs[l + 1]: layer l's output, [count, ...shapes[l + 1]]
    const outs: Tensor[] = [net.input(chunk, count)];
    net.layers.forEach((layer, l) => outs.push(basePass[l](outs[l])));
    const last = outs[outs.length - 1].data;
    const base = new Float64Array(count * 3);
    for (let i = 0; i < count; i++) {
      outputLosses(last, i * K, K, images.t[start + i], probabilities, e, r);
      base[i * 3] = r[0]; base[i * 3 + 1] = r[1]; base[i * 3 + 2] = r[2];
      sseSum += r[0]; ceeSum += r[1]; correctSum += r[2];
    }
    requests.forEach((q, at) => {
      for (let i = 0; i < count; i++) plans[at].image(outs, i, q.weights, images.t[start + i], base.subarray(i * 3, i * 3 + 3), totals[at]);
    });
  }
  return totals.map(({ dSse, dCee, dCorrect, moved }) => ({
    moved,
    sse: dSse.map((d) => (sseSum + d) / n),
    cee: dCee.map((d) => (ceeSum + d) / n),
    correct: dCorrect.map((d) => correctSum + d),
  }));
}

/** How one request runs on one image of a chunk: adds the image's (new − base) losses per value to `totals`. */
interface Plan {
  image(outs: readonly Tensor[], i: number, weights: ArrayLike<number>, t: number, base: Float64Array, totals: Totals): void;
}

/** The sample view of row i of a batched tensor. */
const rowOf = (x: Tensor, i: number): Float32Array => {
  const size = x.data.length / x.shape[0];
  return x.data.subarray(i * size, (i + 1) * size);
};

function planFor(net: Network, param: NetworkParamElement): Plan {
  const layer = net.layers[param.layer];
  if (layer.kind === 'affine' || layer.kind === 'convolution') return sparsePlan(net, param);
  return referencePlan(net, param);
}

/**
 * The general path: the element set in the layer's own array, the reference layers run from its layer on the
 * cached input of that layer (all values at once), the element put back.
 */
function referencePlan(net: Network, param: NetworkParamElement): Plan {
  const K = net.classes, l = param.layer, e = new Float64Array(K), r = new Float64Array(3);
  const inShape = net.shapes[l], size = sizeOf(inShape);
  return {
    image(outs, i, weights, t, base, totals) {
      const x = rowOf(outs[l], i);
      totals.moved++;
      for (let v = 0; v < weights.length; v++) {
        const batch = new Float32Array(size);
        batch.set(x);
        param.data[param.offset] = weights[v];
        let y: Tensor;
        try { y = runFrom(net, l, { shape: [1, ...inShape], data: batch }); }
        finally { param.data[param.offset] = param.value; }
        outputLosses(y.data, 0, K, t, net.endsInSoftmax, e, r);
        totals.dSse[v] += r[0] - base[0]; totals.dCee[v] += r[1] - base[1]; totals.dCorrect[v] += r[2] - base[2];
      }
    },
  };
}

/** A changed-element list of one layer output: indices into the sample, at most `size` of them. */
interface Changes {
  readonly at: Int32Array;
  count: number;
}

/**
 * The fast path for an element of an Affine or Convolution layer. One image at a time: copies of the cached
 * outputs of the moved layer and of every layer up to the next Affine/Convolution (the sparse stretch); per value,
 * the changed outputs are written into them and carried up, then put back from the cache.
 */
function sparsePlan(net: Network, param: NetworkParamElement): Plan {
  const l = param.layer, L = net.layers.length, K = net.classes;
  const moved = net.layers[l];
  // The sparse stretch: layers l+1 .. end-1 that carry a change element by element; `end` is where it turns dense.
  let end = l + 1;
  while (end < L && ['relu', 'sigmoid', 'tanh', 'dropout', 'flatten', 'pooling'].includes(net.layers[end].kind)) end++;
  const denseAffine = end < L && net.layers[end].kind === 'affine' ? (net.layers[end] as Affine) : null;
  const denseFrom = denseAffine !== null ? end + 1 : end; // the reference layers run from here, on all values at once
  const sizes = net.shapes.map(sizeOf);
  const scratch = net.shapes.map((_, k) => (k > l && k <= end ? new Float32Array(sizes[k]) : new Float32Array(0)));
  const changes: Changes[] = net.shapes.map((_, k) => ({ at: new Int32Array(k > l && k <= end ? sizes[k] : 0), count: 0 }));
  const mark = new Uint8Array(Math.max(...sizes));
  const e = new Float64Array(K), r = new Float64Array(3);
  const M = denseAffine?.outputSize ?? 0, acc = new Float64Array(M), accBase = new Float64Array(M);
  // float64 copies (exact) of the next Affine's W and b: one element type in the inner loops
  const denseW = Float64Array.from(denseAffine?.W ?? []), denseB = Float64Array.from(denseAffine?.b ?? []);
  const movedRows = moved.kind === 'affine' ? movedAffine(moved as Affine, param) : movedConvolution(moved as Convolution, param, net.shapes[l]);

  return {
    image(outs, i, weights, t, base, totals) {
      const V = weights.length;
      const x = rowOf(outs[l], i);
      const targets = movedRows.targets(x);
      if (targets.count === 0) return; // the element multiplies only zeros on this image: nothing moves
      totals.moved++;
      for (let k = l + 1; k <= end; k++) scratch[k].set(rowOf(outs[k], i));
      // the next Affine's float64 sums on the unperturbed input (the reference's order: ascending, zeros skipped)
      if (denseAffine !== null) {
        const zin = rowOf(outs[end], i), W = denseW;
        accBase.fill(0);
        for (let d = 0; d < denseAffine.inputSize; d++) {
          const v = zin[d];
          if (v === 0) continue;
          for (let j = 0; j < M; j++) accBase[j] += v * W[d * M + j];
        }
      }
      const denseSize = sizes[denseFrom];
      const dense = new Float32Array(V * denseSize);
      for (let v = 0; v < V; v++) {
        // the moved layer's changed outputs
        movedRows.write(targets, weights[v], scratch[l + 1], changes[l + 1]);
        for (let k = l + 1; k < end; k++) carry(net.layers[k], net.shapes[k], scratch[k], changes[k], scratch[k + 1], changes[k + 1], mark);
        const row = dense.subarray(v * denseSize, (v + 1) * denseSize);
        if (denseAffine !== null) {
          const zin = scratch[end], old = rowOf(outs[end], i), ch = changes[end], W = denseW;
          acc.set(accBase);
          for (let q = 0; q < ch.count; q++) {
            const d = ch.at[q], dz = zin[d] - old[d];
            if (dz === 0) continue;
            for (let j = 0; j < M; j++) acc[j] += dz * W[d * M + j];
          }
          for (let j = 0; j < M; j++) row[j] = Math.fround(acc[j]) + denseB[j];
        } else row.set(scratch[end]);
        // put the cached values back where they changed
        for (let k = l + 1; k <= end; k++) {
          const cached = rowOf(outs[k], i), ch = changes[k], s = scratch[k];
          for (let q = 0; q < ch.count; q++) s[ch.at[q]] = cached[ch.at[q]];
          ch.count = 0;
        }
      }
      const y = denseFrom < L ? runFrom(net, denseFrom, { shape: [V, ...net.shapes[denseFrom]], data: dense }).data : dense;
      for (let v = 0; v < V; v++) {
        outputLosses(y, v * K, K, t, net.endsInSoftmax, e, r);
        totals.dSse[v] += r[0] - base[0]; totals.dCee[v] += r[1] - base[1]; totals.dCorrect[v] += r[2] - base[2];
      }
    },
  };
}

/** The outputs of the moved layer that the element feeds on one image, with their float64 sums before the change. */
interface Targets {
  count: number;
  /** Output index in the sample. */
  readonly at: Int32Array;
  /** Σ of the output's products with the model's weights (float64, the reference's order). */
  readonly acc: Float64Array;
  /** The input the element multiplies (1 for a bias). */
  readonly input: Float64Array;
}

interface MovedLayer {
  targets(x: Float32Array): Targets;
  /** Writes the moved outputs for weight w into out, listing them in changes. */
  write(targets: Targets, w: number, out: Float32Array, changes: Changes): void;
}

/** y_j = f32(f32(Σ_d x_d·W[d, j]) + b_j) for the one output j of W[r, j] or b[j]; W[r, j] moves it by x_r·Δ. */
function movedAffine(layer: Affine, param: NetworkParamElement): MovedLayer {
  const D = layer.inputSize, M = layer.outputSize, isW = param.local === 'W';
  const j = isW ? param.index[1] : param.index[0], row = isW ? param.index[0] : -1;
  const targets: Targets = { count: 0, at: Int32Array.of(j), acc: new Float64Array(1), input: new Float64Array(1) };
  const Wj = Float64Array.from({ length: D }, (_, d) => layer.W[d * M + j]); // column j of W, exact
  return {
    targets(x) {
      targets.input[0] = isW ? x[row] : 1;
      targets.count = targets.input[0] === 0 ? 0 : 1;
      if (targets.count === 0) return targets;
      let s = 0;
      for (let d = 0; d < D; d++) { const v = x[d]; if (v !== 0) s += v * Wj[d]; }
      targets.acc[0] = s;
      return targets;
    },
    write(tg, w, out, changes) {
      const delta = w - param.value;
      out[j] = isW ? Math.fround(tg.acc[0] + tg.input[0] * delta) + layer.b[j] : Math.fround(tg.acc[0]) + w;
      changes.at[0] = j;
      changes.count = 1;
    },
  };
}

/**
 * The outputs (f, oh, ow) of filter f that W[f, c, fy, fx] reaches through a nonzero input tap (all of filter f's
 * outputs for b[f]), each f32(f32(Σ_k col·W) + b_f) as the reference computes it.
 */
function movedConvolution(layer: Convolution, param: NetworkParamElement, inShape: readonly number[]): MovedLayer {
  const [, C, FH, FW] = layer.filterShape, [, H, W] = inShape, { stride, pad } = layer;
  const OH = Math.floor((H + 2 * pad - FH) / stride) + 1, OW = Math.floor((W + 2 * pad - FW) / stride) + 1, P = OH * OW;
  const isW = param.local === 'W', f = param.index[0];
  const [, c0, fy0, fx0] = isW ? param.index : [0, 0, 0, 0];
  const targets: Targets = { count: 0, at: new Int32Array(P), acc: new Float64Array(P), input: new Float64Array(P) };
  const Kf = C * FH * FW, Wf = Float64Array.from(layer.W.subarray(f * Kf, (f + 1) * Kf)); // filter f, exact
  return {
    targets(x) {
      let m = 0;
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let input = 1;
          if (isW) {
            const iy = oh * stride + fy0 - pad, ix = ow * stride + fx0 - pad;
            input = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[(c0 * H + iy) * W + ix] : 0;
            if (input === 0) continue;
          }
          // Σ over k = (c, fy, fx) ascending, zero inputs skipped: the reference's sum for this output
          let s = 0;
          for (let c = 0; c < C; c++)
            for (let fy = 0; fy < FH; fy++) {
              const iy = oh * stride + fy - pad;
              if (iy < 0 || iy >= H) continue;
              for (let fx = 0; fx < FW; fx++) {
                const ix = ow * stride + fx - pad;
                if (ix < 0 || ix >= W) continue;
                const v = x[(c * H + iy) * W + ix];
                if (v !== 0) s += v * Wf[(c * FH + fy) * FW + fx];
              }
            }
          targets.at[m] = f * P + oh * OW + ow;
          targets.acc[m] = s;
          targets.input[m++] = input;
        }
      targets.count = m;
      return targets;
    },
    write(tg, w, out, changes) {
      const delta = w - param.value;
      for (let q = 0; q < tg.count; q++) {
        out[tg.at[q]] = isW ? Math.fround(tg.acc[q] + tg.input[q] * delta) + layer.b[f] : Math.fround(tg.acc[q]) + w;
        changes.at[q] = tg.at[q];
      }
      changes.count = tg.count;
    },
  };
}

/**
 * Carries a change through one element-wise layer, flatten or pooling: out (a copy of the layer's cached output)
 * gets new values at the outputs the changed inputs reach, listed in outChanges. The formulas are the
 * reference layers' (src/nn/layers), element by element.
 */
function carry(layer: Layer, inShape: readonly number[], x: Float32Array, inChanges: Changes, out: Float32Array, outChanges: Changes, mark: Uint8Array): void {
  const { at, count } = inChanges;
  switch (layer.kind) {
    case 'relu':
      for (let q = 0; q < count; q++) { const v = x[at[q]]; out[at[q]] = v <= 0 ? 0 : v; outChanges.at[q] = at[q]; }
      outChanges.count = count;
      return;
    case 'sigmoid':
      for (let q = 0; q < count; q++) { out[at[q]] = 1 / (1 + Math.exp(-x[at[q]])); outChanges.at[q] = at[q]; }
      outChanges.count = count;
      return;
    case 'tanh':
      for (let q = 0; q < count; q++) { out[at[q]] = Math.tanh(x[at[q]]); outChanges.at[q] = at[q]; }
      outChanges.count = count;
      return;
    case 'dropout': {
      const d = layer as Dropout, scale = d.convention === 'book' ? 1 - d.ratio : 1;
      for (let q = 0; q < count; q++) { out[at[q]] = x[at[q]] * scale; outChanges.at[q] = at[q]; }
      outChanges.count = count;
      return;
    }
    case 'flatten':
      for (let q = 0; q < count; q++) { out[at[q]] = x[at[q]]; outChanges.at[q] = at[q]; }
      outChanges.count = count;
      return;
    case 'pooling': {
      const pool = layer as Pooling, [, H, W] = inShape, { poolH, poolW, stride, pad } = pool;
      const OH = Math.floor((H + 2 * pad - poolH) / stride) + 1, OW = Math.floor((W + 2 * pad - poolW) / stride) + 1;
      let m = 0;
      for (let q = 0; q < count; q++) {
        const plane = Math.floor(at[q] / (H * W)), rest = at[q] - plane * H * W, iy = Math.floor(rest / W), ix = rest - iy * W;
        // the windows holding (iy, ix): oh·stride − pad ≤ iy < oh·stride − pad + poolH
        const ohFrom = Math.max(0, Math.ceil((iy + pad - poolH + 1) / stride)), ohTo = Math.min(OH - 1, Math.floor((iy + pad) / stride));
        const owFrom = Math.max(0, Math.ceil((ix + pad - poolW + 1) / stride)), owTo = Math.min(OW - 1, Math.floor((ix + pad) / stride));
        for (let oh = ohFrom; oh <= ohTo; oh++)
          for (let ow = owFrom; ow <= owTo; ow++) {
            const o = (plane * OH + oh) * OW + ow;
            if (mark[o] === 1) continue;
            mark[o] = 1;
            outChanges.at[m++] = o;
            out[o] = poolWindow(pool, x, plane, H, W, oh, ow);
          }
      }
      for (let q = 0; q < m; q++) mark[outChanges.at[q]] = 0;
      outChanges.count = m;
      return;
    }
    default:
      throw new Error(`carry: ${layer.kind} is not an element-wise layer`);
  }
}

/** One output of Pooling.forward: the window's first maximum (a NaN beats everything), or its mean. */
function poolWindow(pool: Pooling, x: Float32Array, plane: number, H: number, W: number, oh: number, ow: number): number {
  let best = -1, bestValue = -Infinity, sum = 0, inside = 0;
  for (let fy = 0; fy < pool.poolH; fy++) {
    const iy = oh * pool.stride + fy - pool.pad;
    if (iy < 0 || iy >= H) continue;
    for (let fx = 0; fx < pool.poolW; fx++) {
      const ix = ow * pool.stride + fx - pool.pad;
      if (ix < 0 || ix >= W) continue;
      const v = x[(plane * H + iy) * W + ix];
      inside++;
      sum += v;
      if (best < 0 || v > bestValue || (v !== v && bestValue === bestValue)) { best = 1; bestValue = v; }
    }
  }
  return pool.mode === 'max' ? bestValue : sum / (pool.countIncludePad ? pool.poolH * pool.poolW : inside);
}

/**
 * The unperturbed pass of one layer: Affine and Convolution with float64 copies of their weights (the reference's
 * sums in the reference's order — ascending inputs, zeros skipped, rounded once, then + b in float32 — so the
 * same bits, without its two-precision weight arrays in the inner loop); every other layer is its own forward.
 */
function layerForward(layer: Layer, inShape: readonly number[]): (x: Tensor) => Tensor {
  if (layer.kind === 'affine') {
    const affine = layer as Affine, D = affine.inputSize, M = affine.outputSize;
    const W = Float64Array.from(affine.W), b = affine.b, acc = new Float64Array(M);
    return (x) => {
      const N = x.shape[0], y = new Float32Array(N * M);
      for (let n = 0; n < N; n++) {
        acc.fill(0);
        for (let d = 0; d < D; d++) {
          const v = x.data[n * D + d];
          if (v === 0) continue;
          for (let j = 0; j < M; j++) acc[j] += v * W[d * M + j];
        }
        for (let j = 0; j < M; j++) y[n * M + j] = Math.fround(acc[j]) + b[j];
      }
      return { shape: [N, M], data: y };
    };
  }
  if (layer.kind === 'convolution') {
    const conv = layer as Convolution, [FN, C, FH, FW] = conv.filterShape, [, H, W] = inShape, { stride, pad } = conv;
    const [, OH, OW] = conv.outputShape(inShape), P = OH * OW, Kf = C * FH * FW;
    // colW[k·FN + f] = W[f, k]: the book's col_W, float64
    const colW = new Float64Array(Kf * FN);
    for (let f = 0; f < FN; f++) for (let k = 0; k < Kf; k++) colW[k * FN + f] = conv.W[f * Kf + k];
    const acc = new Float64Array(FN), b = conv.b;
    return (x) => {
      const N = x.shape[0], y = new Float32Array(N * FN * P);
      for (let n = 0; n < N; n++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            acc.fill(0);
            // k = (c, fy, fx) ascending, as im2col lays a row out; padding and zero inputs add nothing
            for (let c = 0; c < C; c++)
              for (let fy = 0; fy < FH; fy++) {
                const iy = oh * stride + fy - pad;
                if (iy < 0 || iy >= H) continue;
                for (let fx = 0; fx < FW; fx++) {
                  const ix = ow * stride + fx - pad;
                  if (ix < 0 || ix >= W) continue;
                  const v = x.data[((n * C + c) * H + iy) * W + ix];
                  if (v === 0) continue;
                  const row = ((c * FH + fy) * FW + fx) * FN;
                  for (let f = 0; f < FN; f++) acc[f] += v * colW[row + f];
                }
              }
            const p = oh * OW + ow;
            for (let f = 0; f < FN; f++) y[(n * FN + f) * P + p] = Math.fround(acc[f]) + b[f];
          }
      return { shape: [N, FN, OH, OW], data: y };
    };
  }
  return (x) => layer.forward(x, false);
}
