// The sweep's cache (mirrors a full float64 forward pass of nn/network.ts predict): every layer's
// pre-activations and activations on the swept images, and each image's SSE, CEE, correctness and
// top-two logit gap — what a one-element perturbation (perturb.ts) starts from.
import { CEE_DELTA } from '../../nn/losses';
import { createWasmKernel } from '../../nn/wasmKernel';
import type { Network } from '../../nn/network';
import { assertShape } from '../../tensor';
import type { MnistSplit } from '../../data/types';

/** x = f32(p / 255): the float32 value a gathered batch holds for byte p, kept as a float64. */
export const PIXEL_SCALE = Float64Array.from({ length: 256 }, (_, p) => Math.fround(p / 255));

/**
 * The network's activations on n images, computed once in float64, plus each image's SSE, CEE and
 * correctness: everything a one-element perturbation needs. Row b is image images[b] of the split.
 */
export interface SweepCache {
  readonly net: Network;
  readonly n: number;
  /** Split index of each row: [n]. */
  readonly images: Uint32Array;
  /** The split the rows come from, its raw pixels [count, D] and D. */
  readonly split: MnistSplit;
  readonly pixels: Uint8Array;
  readonly D: number;
  /** Labels of the rows: [n]. */
  readonly t: Uint8Array;
  /** Layer widths [D, H1, ..., K]. */
  readonly widths: readonly number[];
  /** a[l]: [n, widths[l+1]] pre-activations x·W + b of layer l+1 (a[L-1] are the logits). */
  readonly a: readonly Float64Array[];
  /** z[l]: [n, widths[l+1]] activations of hidden layer l+1 (l < L−1). */
  readonly z: readonly Float64Array[];
  /** Per-row base SSE ½Σ(y−t)², CEE −log(y_t+δ) and correctness (1/0). */
  readonly sse: Float64Array;
  readonly cee: Float64Array;
  readonly correct: Uint8Array;
  /** Per-row gap between the largest and the second-largest logit (how far the answer is from flipping). */
  readonly margin: Float64Array;
  /** Σ over rows of the above. */
  readonly sseSum: number;
  readonly ceeSum: number;
  readonly correctCount: number;
}

/** z = relu(a) or sigmoid(a), elementwise: a, z: [n, width]. */
function activateInto(relu: boolean, a: Float64Array, z: Float64Array): void {
  if (relu) for (let q = 0; q < a.length; q++) z[q] = a[q] > 0 ? a[q] : 0;
  else for (let q = 0; q < a.length; q++) z[q] = 1 / (1 + Math.exp(-a[q]));
}

/** relu(v) or sigmoid(v) of one float64. */
export function activate(relu: boolean, v: number): number {
  return relu ? (v > 0 ? v : 0) : 1 / (1 + Math.exp(-v));
}

/**
 * One image's losses from its logits a: [K] (float64): SSE ½Σ_k(y_k − t_k)², CEE −log(y_t + δ) and
 * whether argmax y = t (first maximum wins), with y = softmax(a) (max subtracted). Writes out[0..2].
 * One pass of exponentials: with e_k = exp(a_k − max) and S = Σ e_k, the SSE is
 * ½ (Σ_{k≠t} e_k² + (Σ_{k≠t} e_k)²) / S², since 1 − y_t = Σ_{k≠t} e_k / S (no cancellation near y_t = 1).
 */
export function imageLosses(a: Float64Array, off: number, K: number, t: number, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (a[off + k] > max) max = a[off + k];
  let rest = 0, restSquares = 0, et = 0, best = 0, eBest = -1;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(a[off + k] - max);
    if (e > eBest) { eBest = e; best = k; }
    if (k === t) et = e;
    else { rest += e; restSquares += e * e; }
  }
  const S = et + rest;
  out[0] = (0.5 * (restSquares + rest * rest)) / (S * S);
  out[1] = -Math.log(et / S + CEE_DELTA);
  out[2] = best === t ? 1 : 0;
}

/** Images copied into WebAssembly memory per call of the kernel. */
const CHUNK = 256;

/**
 * One row of the first layer finished while it is in cache: a1[dst + k] = s[from + k] + b1[k] (s = x·W1
 * without the bias) and, when the network has a hidden layer after it, z1[dst + k] = f(a1[dst + k]).
 */
function finishRow(s: Float64Array, from: number, b1: Float32Array, H: number, relu: boolean, a1: Float64Array, z1: Float64Array | null, dst: number): void {
  if (z1 === null) { for (let k = 0; k < H; k++) a1[dst + k] = s[from + k] + b1[k]; return; }
  if (relu) {
    for (let k = 0; k < H; k++) { const v = s[from + k] + b1[k]; a1[dst + k] = v; z1[dst + k] = v > 0 ? v : 0; }
  } else {
    for (let k = 0; k < H; k++) { const v = s[from + k] + b1[k]; a1[dst + k] = v; z1[dst + k] = 1 / (1 + Math.exp(-v)); }
  }
}

/**
 * a1 = x · W1 + b1 in float64: x: [n, D] (bytes of images[b], mostly 0) · W1: [D, H] -> a1: [n, H], and
 * z1 = f(a1) when z1 is given. Each x·W1 sum runs over its image's nonzero pixels in pixel order, the bias
 * is added last. Runs fastForward's WebAssembly SIMD kernel (gatherPixels + accumulateRow, same bits as
 * the JS loop below, ~3× faster) when the runtime has it.
 */
function firstLayer(W1f32: Float32Array, b1: Float32Array, relu: boolean, D: number, H: number, pixels: Uint8Array, images: Uint32Array, a1: Float64Array, z1: Float64Array | null): void {
  const n = images.length;
  let bytes = 0;
  const take = (count: number, size: number) => { const at = bytes; bytes += Math.ceil((count * size) / 8) * 8; return at; };
  const at = { W: take(D * H, 8), xs: take(D, 8), scale: take(256, 8), a: take(H, 8), rowOffsets: take(D, 4), images: take(CHUNK * D, 1) };
  const wasm = createWasmKernel(bytes);
  if (wasm !== null) {
    const buffer = wasm.memory.buffer;
    new Float64Array(buffer, at.W, D * H).set(W1f32);
    new Float64Array(buffer, at.scale, 256).set(PIXEL_SCALE);
    const chunk = new Uint8Array(buffer, at.images, CHUNK * D), a = new Float64Array(buffer, at.a, H);
    for (let c = 0; c < n; c += CHUNK) {
      const end = Math.min(n, c + CHUNK);
      for (let b = c; b < end; b++) chunk.set(pixels.subarray(images[b] * D, (images[b] + 1) * D), (b - c) * D);
      for (let b = c; b < end; b++) {
        const m = wasm.gatherPixels(at.images + (b - c) * D, D, H, at.scale, at.xs, at.rowOffsets);
        wasm.accumulateRow(at.W, H, at.xs, at.rowOffsets, m, at.a);
        finishRow(a, 0, b1, H, relu, a1, z1, b * H);
      }
    }
    return;
  }
  // Per image, gather the nonzero pixels (~20 % of MNIST) once; five sums at a time stay in registers.
  const W1 = Float64Array.from(W1f32);
  const xs = new Float64Array(D), offsets = new Int32Array(D);
  for (let b = 0; b < n; b++) {
    const src = images[b] * D;
    let m = 0;
    for (let i = 0; i < D; i++) {
      const p = pixels[src + i];
      if (p === 0) continue;
      xs[m] = PIXEL_SCALE[p];
      offsets[m++] = i * H;
    }
    let j = 0;
    for (; j + 5 <= H; j += 5) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
      for (let q = 0; q < m; q++) {
        const x = xs[q], o = offsets[q] + j;
        s0 += x * W1[o]; s1 += x * W1[o + 1]; s2 += x * W1[o + 2]; s3 += x * W1[o + 3]; s4 += x * W1[o + 4];
      }
      const dst = b * H + j;
      a1[dst] = s0; a1[dst + 1] = s1; a1[dst + 2] = s2; a1[dst + 3] = s3; a1[dst + 4] = s4;
    }
    for (; j < H; j++) {
      let acc = 0;
      for (let q = 0; q < m; q++) acc += xs[q] * W1[offsets[q] + j];
      a1[b * H + j] = acc;
    }
    finishRow(a1, b * H, b1, H, relu, a1, z1, b * H);
  }
}

/**
 * One later layer of the cache: zin: [n, in] · W: [in, out] + b -> a: [n, out], per row summing only the
 * nonzero inputs (most of a ReLU layer is 0) in i order; zs, rowOffsets: scratch of at least `in` entries.
 */
function nextLayer(zin: Float64Array, inWidth: number, Wl: Float64Array, bl: Float64Array, out: number, n: number, al: Float64Array, zs: Float64Array, rowOffsets: Int32Array): void {
  for (let b = 0; b < n; b++) {
    // z_l[b, :]: [in] (its nonzero entries) · W_{l+1}: [in, out] -> a_{l+1}[b, :]: [out], summed in i order.
    let m = 0;
    for (let i = 0; i < inWidth; i++) {
      const zi = zin[b * inWidth + i];
      if (zi === 0) continue;
      zs[m] = zi;
      rowOffsets[m++] = i * out;
    }
    const dst = b * out;
    let k = 0;
    for (; k + 5 <= out; k += 5) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
      for (let q = 0; q < m; q++) {
        const zi = zs[q], o = rowOffsets[q] + k;
        s0 += zi * Wl[o]; s1 += zi * Wl[o + 1]; s2 += zi * Wl[o + 2]; s3 += zi * Wl[o + 3]; s4 += zi * Wl[o + 4];
      }
      al[dst + k] = s0 + bl[k]; al[dst + k + 1] = s1 + bl[k + 1]; al[dst + k + 2] = s2 + bl[k + 2];
      al[dst + k + 3] = s3 + bl[k + 3]; al[dst + k + 4] = s4 + bl[k + 4];
    }
    for (; k < out; k++) {
      let acc = 0;
      for (let q = 0; q < m; q++) acc += zs[q] * Wl[rowOffsets[q] + k];
      al[dst + k] = acc + bl[k];
    }
  }
}

/**
 * Forward pass in float64 over the images `indices` of the split (all of it when null), keeping every
 * layer's activations. x = f32(p/255) as the book's float32 batches; weights are the model's float32
 * values; everything after that is float64, so a perturbed copy of any row is computed the same way.
 */
export function buildSweepCache(net: Network, split: MnistSplit, indices: ArrayLike<number> | null): SweepCache {
  const D = split.rows * split.cols;
  const widths = [net.layers[0].W.rows, ...net.layers.map((layer) => layer.W.cols)];
  assertShape(widths[0] === D, `buildSweepCache: W1 has ${widths[0]} rows, images have ${D} pixels`);
  net.layers.forEach((layer, l) =>
    assertShape(layer.W.rows === widths[l] && layer.b.length === layer.W.cols, `layer ${l + 1}: W [${layer.W.rows},${layer.W.cols}], b [${layer.b.length}]`),
  );
  const L = net.layers.length;
  const K = widths[L];
  const n = indices === null ? split.count : indices.length;
  const images = new Uint32Array(n);
  for (let b = 0; b < n; b++) {
    const image = indices === null ? b : indices[b];
    // the message is built only for a bad index (not 10,000 times)
    if (!(Number.isInteger(image) && image >= 0 && image < split.count)) assertShape(false, `buildSweepCache: index ${image} outside [0, ${split.count})`);
    images[b] = image;
  }
  const t = new Uint8Array(n);
  for (let b = 0; b < n; b++) t[b] = split.labels[images[b]];
  const relu = net.activation === 'relu';
  const a = widths.slice(1).map((w) => new Float64Array(n * w));
  const z = widths.slice(1, L).map((w) => new Float64Array(n * w));

  firstLayer(net.layers[0].W.data, net.layers[0].b, relu, D, widths[1], split.pixels, images, a[0], L > 1 ? z[0] : null);
  // Per row, the nonzero inputs z_{l}[b, i] (most of a ReLU layer is 0) and their row offsets in W.
  const zs = new Float64Array(Math.max(...widths)), rowOffsets = new Int32Array(Math.max(...widths));
  for (let l = 1; l < L; l++) {
    nextLayer(z[l - 1], widths[l], Float64Array.from(net.layers[l].W.data), Float64Array.from(net.layers[l].b), widths[l + 1], n, a[l], zs, rowOffsets);
    if (l < L - 1) activateInto(relu, a[l], z[l]);
  }

  const sse = new Float64Array(n), cee = new Float64Array(n), correct = new Uint8Array(n), margin = new Float64Array(n);
  const r = new Float64Array(3);
  const logits = a[L - 1];
  let sseSum = 0, ceeSum = 0, correctCount = 0;
  for (let b = 0; b < n; b++) {
    imageLosses(logits, b * K, K, t[b], r);
    sse[b] = r[0]; cee[b] = r[1]; correct[b] = r[2];
    sseSum += r[0]; ceeSum += r[1]; correctCount += r[2];
    let first = -Infinity, second = -Infinity;
    for (let k = 0; k < K; k++) {
      const v = logits[b * K + k];
      if (v > first) { second = first; first = v; } else if (v > second) second = v;
    }
    margin[b] = first - second;
  }
  return { net, n, images, split, pixels: split.pixels, D, t, widths, a, z, sse, cee, correct, margin, sseSum, ceeSum, correctCount };
}

