// Sweeps one parameter element over a range and records SSE, CEE and accuracy at each value: the
// chapter's argument (loss moves smoothly, accuracy jumps) in numbers. Gives what a naive numpy loop
// gives (set W[i,j], full forward pass, losses) but recomputes only what lies downstream of the
// element, from activations cached once, in float64.
import { CEE_DELTA } from '../nn/losses';
import { createWasmKernel } from '../nn/wasmKernel';
import type { Network } from '../nn/network';
import type { ParamElement } from '../nn/paramRef';
import { assertShape } from '../tensor';
import type { MnistSplit } from '../data/types';
import { usageError } from '../errors';

/** x = f32(p / 255): the float32 value a gathered batch holds for byte p, kept as a float64. */
const PIXEL_SCALE = Float64Array.from({ length: 256 }, (_, p) => Math.fround(p / 255));

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

function activate(relu: boolean, v: number): number {
  return relu ? (v > 0 ? v : 0) : 1 / (1 + Math.exp(-v));
}

/**
 * One image's losses from its logits a: [K] (float64): SSE ½Σ_k(y_k − t_k)², CEE −log(y_t + δ) and
 * whether argmax y = t (first maximum wins), with y = softmax(a) (max subtracted). Writes out[0..2].
 * One pass of exponentials: with e_k = exp(a_k − max) and S = Σ e_k, the SSE is
 * ½ (Σ_{k≠t} e_k² + (Σ_{k≠t} e_k)²) / S², since 1 − y_t = Σ_{k≠t} e_k / S (no cancellation near y_t = 1).
 */
function imageLosses(a: Float64Array, off: number, K: number, t: number, out: Float64Array): void {
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

/** Mean SSE and CEE over the n images and the number correct, one entry per weight value. */
export interface ElementLosses {
  readonly sse: Float64Array;
  readonly cee: Float64Array;
  readonly correct: Int32Array;
}

/**
 * SSE, CEE (means over the cached images) and the number correct with the element set to each of
 * `weights` in turn (all other parameters as in the model), without a full forward pass per value.
 *
 * For W_l[r, j] (or b_l[j]) changed by Δ = w − w0, only a_l[:, j] moves, by Δ·z_{l−1}[:, r] (by Δ for a
 * bias; z_0 = x), so only rows whose input z_{l−1}[b, r] is nonzero change (for W1: images where pixel r
 * is not blank). For such a row the change flows down: z_l[b, j] moves by dz, a_{l+1}[b, :] by
 * dz·W_{l+1}[j, :] (rank 1), and every later layer by its input change · W. Totals are the cached sums
 * plus Σ over changed rows of (new − cached), in float64.
 */
export function lossesAtWeights(cache: SweepCache, param: ParamElement, weights: ArrayLike<number>): ElementLosses {
  return perturbedLosses(cache, param, weights, false);
}

/**
 * Bound on how fast any logit can move per unit change of a_l[:, j]: |Δ logit_k| ≤ G · |Δ a_l[b, j]| for
 * every row, from the activations' Lipschitz constants (sigmoid 1/4, ReLU 1) and |W| along the paths.
 */
function logitSensitivity(net: Network, l: number, j: number): number {
  const L = net.layers.length;
  if (l === L - 1) return 1;
  const lipschitz = net.activation === 'relu' ? 1 : 0.25;
  // u: bound per unit of layer m on |Δa_m| for a unit change of a_l[j]
  let u = Float64Array.from(net.layers[l + 1].W.data.subarray(j * net.layers[l + 1].W.cols, (j + 1) * net.layers[l + 1].W.cols), (w) => lipschitz * Math.abs(w));
  for (let m = l + 2; m < L; m++) {
    const W = net.layers[m].W;
    const next = new Float64Array(W.cols);
    for (let i = 0; i < W.rows; i++) for (let k = 0; k < W.cols; k++) next[k] += lipschitz * u[i] * Math.abs(W.data[i * W.cols + k]);
    u = next;
  }
  return Math.max(...u);
}

/**
 * The number correct with the element set to each of `weights`, like lossesAtWeights(...).correct, but
 * skipping every image whose answer cannot flip: the gap between its top two logits exceeds twice the
 * most any logit can move (logitSensitivity · |Δa|), with a margin for rounding. Exact, and nearly free
 * for small changes (central differences), where almost no image is near a tie.
 */
export function correctAtWeights(cache: SweepCache, param: ParamElement, weights: ArrayLike<number>): Int32Array {
  return perturbedLosses(cache, param, weights, true).correct;
}

function perturbedLosses(cache: SweepCache, param: ParamElement, weights: ArrayLike<number>, correctOnly: boolean): ElementLosses {
  const { net, n, widths, a, z, t } = cache;
  const L = net.layers.length, K = widths[L], l = param.layer, j = param.col;
  const V = weights.length;
  const relu = net.activation === 'relu';
  const deltas = new Float64Array(V);
  for (let v = 0; v < V; v++) deltas[v] = weights[v] - param.value;
  const dSse = new Float64Array(V), dCee = new Float64Array(V), dCorrect = new Int32Array(V);
  let maxDelta = 0;
  for (let v = 0; v < V; v++) maxDelta = Math.max(maxDelta, Math.abs(deltas[v]));
  // correctOnly: a row whose top-two gap exceeds 2·G·|Δa| (plus slack for float64 rounding) keeps its answer.
  const flipScale = correctOnly ? 2 * logitSensitivity(net, l, j) * maxDelta * (1 + 1e-6) : -1;
  const margin = cache.margin;

  // Scratch: a perturbed row per layer below l, the softmax exponentials, one image's losses.
  const rowA = widths.map((w) => new Float64Array(w));
  const rowDz = widths.map((w) => new Float64Array(w));
  const r = new Float64Array(3);
  const outL = widths[l + 1], inL = widths[l];
  const al = a[l], logitsCached = a[L - 1], zl = l < L - 1 ? z[l] : al, zin = l > 0 ? z[l - 1] : al;
  const pixels = cache.pixels, images = cache.images, D = cache.D, row = param.row;
  const baseSse = cache.sse, baseCee = cache.cee, baseCorrect = cache.correct;
  // W_{l+1}[j, :] and a_{l+1}: where the change of z_l[:, j] goes next (when l is a hidden layer).
  const nextWidth = widths[Math.min(l + 2, L)];
  const nextW = l < L - 1 ? net.layers[l + 1].W.data.subarray(j * nextWidth, (j + 1) * nextWidth) : new Float32Array(0);
  const nextA = l < L - 1 ? a[l + 1] : al;
  const logits = rowA[L];
  const tableable = relu && !correctOnly && l === L - 2 && (param.kind === 'b' || l === 0);
  const done = tableable && reluLastHiddenDeltas(cache, param, deltas, dSse, dCee, dCorrect);

  for (let b = 0; b < n && !done; b++) {
    // c: how much a_l[b, j] moves per unit of Δ.
    let c: number;
    if (param.kind === 'b') c = 1;
    else if (l === 0) c = PIXEL_SCALE[pixels[images[b] * D + row]];
    else c = zin[b * inL + row];
    if (c === 0) continue;
    if (correctOnly && margin[b] > flipScale * Math.abs(c) + 1e-9) continue;
    const a0 = al[b * outL + j];
    const s0 = baseSse[b], c0 = baseCee[b], k0 = baseCorrect[b], tb = t[b];
    for (let v = 0; v < V; v++) {
      const aNew = a0 + deltas[v] * c;
      if (l === L - 1) {
        // The element feeds the logits directly: one logit moves.
        for (let k = 0; k < K; k++) logits[k] = logitsCached[b * K + k];
        logits[j] = aNew;
        imageLosses(logits, 0, K, tb, r);
      } else {
        const dzj = activate(relu, aNew) - zl[b * outL + j];
        if (dzj === 0) continue; // e.g. a ReLU unit that stays off: nothing downstream moves
        // a_{l+1}[b, :] += dz_j · W_{l+1}[j, :]: rank-1 change of the next layer's input.
        let m = l + 1;
        let width = nextWidth;
        let next = rowA[m + 1];
        for (let k = 0; k < width; k++) next[k] = nextA[b * width + k] + dzj * nextW[k];
        // Later layers: a_{m+1} = a_{m+1}(cached) + (z_m(new) − z_m(cached)) · W_{m+1}.
        while (m < L - 1) {
          const dz = rowDz[m + 1], zm = z[m];
          for (let k = 0; k < width; k++) dz[k] = activate(relu, next[k]) - zm[b * width + k];
          const inWidth = width;
          m++;
          width = widths[m + 1];
          next = rowA[m + 1];
          const Wm = net.layers[m].W.data, am = a[m];
          for (let k = 0; k < width; k++) next[k] = am[b * width + k];
          for (let i = 0; i < inWidth; i++) {
            const d = dz[i];
            if (d === 0) continue;
            const off = i * width;
            for (let k = 0; k < width; k++) next[k] += d * Wm[off + k];
          }
        }
        imageLosses(next, 0, K, tb, r);
      }
      dSse[v] += r[0] - s0;
      dCee[v] += r[1] - c0;
      dCorrect[v] += r[2] - k0;
    }
  }
  const sse = new Float64Array(V), cee = new Float64Array(V), correct = new Int32Array(V);
  for (let v = 0; v < V; v++) {
    sse[v] = (cache.sseSum + dSse[v]) / n;
    cee[v] = (cache.ceeSum + dCee[v]) / n;
    correct[v] = cache.correctCount + dCorrect[v];
  }
  return { sse, cee, correct };
}

/**
 * SSE, CEE and correctness of one image from its unnormalised exponentials e_k = base[k] · factor[at + k]
 * (any common scale), as imageLosses; the products are formed on the fly (no scratch row).
 */
function lossesFromProducts(base: Float64Array, factor: Float64Array, at: number, K: number, t: number, out: Float64Array): void {
  let rest = 0, restSquares = 0, best = 0, et = 0;
  let eBest = base[0] * factor[at];
  for (let k = 0; k < K; k++) {
    const e = base[k] * factor[at + k];
    if (e > eBest) { best = k; eBest = e; }
    if (k === t) et = e;
    else { rest += e; restSquares += e * e; }
  }
  const S = et + rest;
  out[0] = (0.5 * (restSquares + rest * rest)) / (S * S);
  out[1] = -Math.log(et / S + CEE_DELTA);
  out[2] = best === t ? 1 : 0;
}

/**
 * Fast path of perturbedLosses for a ReLU unit j of the last hidden layer moved through W_l[r, j] with
 * pixels as input (l = 0) or through its bias: the logits move by dz·w, w = W_L[j, :], and
 *   exp(logit_k + dz·w_k − max) = E_k · exp(dz·w_k),  E_k = exp(logit_k − max) once per image.
 * With the unit on before and after, dz = Δ·c and the input c takes one of 256 byte values (1 for a bias),
 * so exp(Δ_v·c·w_k) comes from a table of V × 256 × K exponentials instead of K per image and value;
 * switching on multiplies by exp(a0·w_k), switching off gives exp(−a0·w_k) (both once per image).
 * Same numbers as the direct path to ~1e-15 relative. Returns false (nothing done) when |Δ·w| is large
 * enough for the products to overflow.
 */
function reluLastHiddenDeltas(cache: SweepCache, param: ParamElement, deltas: Float64Array, dSse: Float64Array, dCee: Float64Array, dCorrect: Int32Array): boolean {
  const { net, n, widths, a, t, pixels, images, D } = cache;
  const L = net.layers.length, K = widths[L], l = param.layer, j = param.col, H = widths[l + 1];
  const V = deltas.length;
  const w = Float64Array.from(net.layers[L - 1].W.data.subarray(j * K, (j + 1) * K));
  let largest = 0;
  for (let v = 0; v < V; v++) for (let k = 0; k < K; k++) largest = Math.max(largest, Math.abs(deltas[v] * w[k]));
  if (!(largest < 300)) return false;
  const bias = param.kind === 'b';
  const levels = bias ? 1 : 256;
  let maxDelta = -Infinity;
  for (let v = 0; v < V; v++) if (deltas[v] > maxDelta) maxDelta = deltas[v];
  // T[(q·V + v)·K + k] = exp(Δ_v · c_q · w_k), filled for the levels q that occur.
  const table = new Float64Array(levels * V * K);
  const filled = new Uint8Array(levels);
  const al = a[l], logits = a[L - 1];
  const E = new Float64Array(K), on = new Float64Array(K), off = new Float64Array(K), r = new Float64Array(3), rOff = new Float64Array(3);
  for (let b = 0; b < n; b++) {
    const q = bias ? 0 : pixels[images[b] * D + param.row];
    if (!bias && q === 0) continue;
    const c = bias ? 1 : PIXEL_SCALE[q];
    if (!filled[q]) {
      for (let v = 0; v < V; v++) for (let k = 0; k < K; k++) table[(q * V + v) * K + k] = Math.exp(deltas[v] * c * w[k]);
      filled[q] = 1;
    }
    const a0 = al[b * H + j];
    // Off before and, as a0 + Δ·c grows with Δ (c > 0), off at the largest Δ too: the image never moves.
    if (!(a0 > 0) && !(a0 + maxDelta * c > 0)) continue;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (logits[b * K + k] > max) max = logits[b * K + k];
    for (let k = 0; k < K; k++) E[k] = Math.exp(logits[b * K + k] - max);
    let haveOn = false, haveOff = false;
    const s0 = cache.sse[b], c0 = cache.cee[b], k0 = cache.correct[b], tb = t[b];
    for (let v = 0; v < V; v++) {
      const aNew = a0 + deltas[v] * c;
      if (a0 > 0) {
        if (aNew > 0) lossesFromProducts(E, table, (q * V + v) * K, K, tb, r);
        else {
          // Switched off: the logits lose a0·w whatever Δ is, so every such value has the same losses.
          if (!haveOff) {
            for (let k = 0; k < K; k++) off[k] = Math.exp(-a0 * w[k]);
            lossesFromProducts(E, off, 0, K, tb, rOff);
            haveOff = true;
          }
          dSse[v] += rOff[0] - s0;
          dCee[v] += rOff[1] - c0;
          dCorrect[v] += rOff[2] - k0;
          continue;
        }
      } else {
        if (!(aNew > 0)) continue; // off before and after: nothing moves
        // on[k] = E_k · exp(a0·w_k), so on[k] · T[k] is (E_k · exp(a0·w_k)) · exp(Δ·c·w_k).
        if (!haveOn) { for (let k = 0; k < K; k++) on[k] = E[k] * Math.exp(a0 * w[k]); haveOn = true; }
        lossesFromProducts(on, table, (q * V + v) * K, K, tb, r);
      }
      dSse[v] += r[0] - s0;
      dCee[v] += r[1] - c0;
      dCorrect[v] += r[2] - k0;
    }
  }
  return true;
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
const FLOAT32_MAX_TEXT = '3.4028235e38';

/**
 * Refuses, as a usage error, values a float32 sweep cannot give honest rows for: every value finite, every
 * step between neighbours finite and non-zero (the slopes divide by it), and every swept weight
 * sweptWeight(base, value, mode) finite in float32. Called before any loss is computed, by sweepParameter
 * and by the CLI as soon as the values are known. `param.label` names the element in the message.
 */
export function checkSweepValues(param: Pick<ParamElement, 'label' | 'value'>, values: ArrayLike<number>, mode: SweepMode): void {
  const rangeHint = mode === 'add'
    ? `keep the weight plus every value (--from, --to) within ±${FLOAT32_MAX_TEXT}, the float32 range`
    : `keep --from and --to within ±${FLOAT32_MAX_TEXT}, the float32 range`;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) throw usageError(`sweep of ${param.label}: value ${value} is not a finite number`, rangeHint);
    const weight = sweptWeight(param.value, value, mode);
    if (!Number.isFinite(weight))
      throw usageError(`sweep of ${param.label}: ${mode === 'add' ? `${param.value} + ${value}` : `${value}`} is ${weight} in float32, which holds magnitudes up to ${FLOAT32_MAX_TEXT}`, rangeHint);
    if (i === 0) continue;
    const step = value - values[i - 1];
    if (!Number.isFinite(step) || step === 0)
      throw usageError(
        `sweep of ${param.label}: values ${values[i - 1]} and ${value} are ${step === 0 ? 'equal' : 'too far apart'} (step ${step}), so the slopes between them are not numbers`,
        'give --from and --to two different values, close enough for their difference to be finite',
      );
  }
}

/**
 * Sweeps `param` over `values` (at least 2): each row's losses are those of the model with that one
 * element replaced by sweptWeight(base, value, mode), on the cached images. Values checkSweepValues
 * refuses are a usage error.
 */
export function sweepParameter(cache: SweepCache, param: ParamElement, values: ArrayLike<number>, mode: SweepMode): SweepResult {
  if (values.length < 2) throw new RangeError(`sweepParameter: need at least 2 values, found ${values.length}`);
  checkSweepValues(param, values, mode);
  const weights = Array.from(values, (value) => sweptWeight(param.value, value, mode));
  const losses = lossesAtWeights(cache, param, weights);
  const accuracy = Array.from(losses.correct, (c) => c / cache.n);
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
  return { param: param.label, base: param.value, mode, n: cache.n, rows, summary: summarizeSweep(rows) };
}
