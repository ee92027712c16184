// One element moved, its effect recomputed from the cache (cache.ts): only the rows whose input to the
// element is not 0, and from the element's layer up, in float64 — the numbers a full re-evaluation gives.
// The ReLU single-unit table (reluLastHiddenDeltas) is the fast path for the bundled 784-H-10 shape.
import { CEE_DELTA } from '../../nn/losses';
import type { Network } from '../../nn/network';
import type { ParamElement } from '../../nn/paramRef';
import { activate, imageLosses, PIXEL_SCALE, type SweepCache } from './cache';

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

  // Scratch: a perturbed row per layer above l, the nonzero input changes of one layer, one image's losses.
  const rowA = widths.map((w) => new Float64Array(w));
  const maxWidth = Math.max(...widths);
  const dz = new Float64Array(maxWidth), dzAt = new Int32Array(maxWidth);
  const r = new Float64Array(3);
  const outL = widths[l + 1], inL = widths[l];
  const al = a[l], logitsCached = a[L - 1], zl = l < L - 1 ? z[l] : al, zin = l > 0 ? z[l - 1] : al;
  const pixels = cache.pixels, images = cache.images, D = cache.D, row = param.row;
  const baseSse = cache.sse, baseCee = cache.cee, baseCorrect = cache.correct;
  // W_{l+1}[j, :] and a_{l+1}: where the change of z_l[:, j] goes next (when l is a hidden layer).
  const nextWidth = widths[Math.min(l + 2, L)];
  const nextW = l < L - 1 ? Float64Array.from(net.layers[l + 1].W.data.subarray(j * nextWidth, (j + 1) * nextWidth)) : new Float64Array(0);
  const nextA = l < L - 1 ? a[l + 1] : al;
  // The layers above l + 1 as float64 copies (exact), read in their [in, out] layout.
  const W64 = net.layers.map((layer, m) => (m > l + 1 ? Float64Array.from(layer.W.data) : new Float64Array(0)));
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
      let out: Float64Array;
      if (l === L - 1) {
        // The element feeds the logits directly: one logit moves.
        for (let k = 0; k < K; k++) logits[k] = logitsCached[b * K + k];
        logits[j] = aNew;
        out = logits;
      } else {
        const dzj = activate(relu, aNew) - zl[b * outL + j];
        if (dzj === 0) continue; // e.g. a ReLU unit that stays off: nothing downstream moves
        // a_{l+1}[b, :] += dz_j · W_{l+1}[j, :]: rank-1 change of the next layer's input.
        out = rowA[l + 2];
        for (let k = 0; k < nextWidth; k++) out[k] = nextA[b * nextWidth + k] + dzj * nextW[k];
        // Later layers: a_{m}[b, :] = a_m(cached) + (z_{m−1}(new) − z_{m−1}(cached)) · W_m, the changed inputs only.
        for (let m = l + 2; m < L; m++) {
          const inWidth = widths[m], width = widths[m + 1], zm = z[m - 1], from = b * inWidth;
          const changed = relu ? reluChanges(out, zm, from, inWidth, dz, dzAt) : sigmoidChanges(out, zm, from, inWidth, dz, dzAt);
          const next = rowA[m + 1];
          addChanges(a[m], b * width, W64[m], width, dz, dzAt, changed, next);
          out = next;
        }
      }
      imageLosses(out, 0, K, tb, r);
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
 * The changes of a ReLU layer's outputs, relu(a) − z(cached), for a row a: [width] of new pre-activations
 * against the cached z[from ..): the nonzero ones into dz[0..m) with their units in at[0..m); returns m.
 */
function reluChanges(a: Float64Array, z: Float64Array, from: number, width: number, dz: Float64Array, at: Int32Array): number {
  let m = 0;
  for (let k = 0; k < width; k++) {
    const v = a[k];
    const d = (v > 0 ? v : 0) - z[from + k];
    if (d !== 0) { dz[m] = d; at[m++] = k; }
  }
  return m;
}

const LN2_HI = 6.93147180369123816490e-1, LN2_LO = 1.90821492927058770002e-10, INV_LN2 = 1.44269504088896338700;
const P1 = 1.66666666666666019037e-1, P2 = -2.77777777770155933842e-3, P3 = 6.61375632143793436117e-5, P4 = -1.65339022054652515390e-6, P5 = 4.13813679705723846039e-8;
/** 2^k for k = −1050 … 1050, exact. */
const POW2 = Float64Array.from({ length: 2101 }, (_, i) => 2 ** (i - 1050));
/** Adding and subtracting 1.5·2^52 rounds a float64 of magnitude < 2^51 to the nearest integer. */
const ROUND = 6755399441055744;

/**
 * 1 / (1 + e^−v) with e^−v by fdlibm's e_exp.c (the algorithm of V8's Math.exp): x = −v = k·ln2 + r with
 * |r| ≤ ln2/2, e^r = 1 + r + r·c/(2 − c) from fdlibm's rational approximation c(r), times 2^k — folded into one
 * division, σ = (2 − c) / ((2 − c)(1 + 2^k·(1 + r)) + 2^k·r·c). Inlined by the JIT where Math.exp is a call and
 * 1/(1 + e) a second division: about twice as fast on the sweep's sigmoid layers, within a few ulps of
 * 1 / (1 + Math.exp(−v)) (the change it feeds, σ(new) − σ(cached), moves by ~1e-16).
 */
function sigmoid(v: number): number {
  const x = -v;
  if (!(x > -700 && x < 700)) return 1 / (1 + Math.exp(x)); // overflow, underflow, NaN: fdlibm's special cases
  const k = x * INV_LN2 + ROUND - ROUND; // nearest integer (half to even; fdlibm: half away from zero, both valid)
  const hi = x - k * LN2_HI, lo = k * LN2_LO, r = hi - lo, t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const scale = POW2[k + 1050], d = 2 - c;
  // e^x = (1 − (lo − r·c/d − hi))·2^k = ((1 + hi − lo)·d + r·c)/d · 2^k
  return d / (d + scale * ((1 + hi - lo) * d + r * c));
}

/** As reluChanges for a sigmoid layer, sigmoid(a) − z(cached); every unit moves, so every unit is listed. */
function sigmoidChanges(a: Float64Array, z: Float64Array, from: number, width: number, dz: Float64Array, at: Int32Array): number {
  for (let k = 0; k < width; k++) {
    dz[k] = sigmoid(a[k]) - z[from + k];
    at[k] = k;
  }
  return width;
}

/**
 * next[k] = aCached[from + k] + Σ_q dz[q] · W[at[q]·width + k] (q in unit order): the new pre-activations of a
 * layer W: [in, width] from its cached ones and the m changed inputs. Five outputs at a time in registers
 * (independent sums, so the additions overlap); each sum starts from the cached value, as a full pass adds to it.
 */
function addChanges(aCached: Float64Array, from: number, W: Float64Array, width: number, dz: Float64Array, at: Int32Array, m: number, next: Float64Array): void {
  let k = 0;
  for (; k + 5 <= width; k += 5) {
    let s0 = aCached[from + k], s1 = aCached[from + k + 1], s2 = aCached[from + k + 2], s3 = aCached[from + k + 3], s4 = aCached[from + k + 4];
    for (let q = 0; q < m; q++) {
      const d = dz[q], o = at[q] * width + k;
      s0 += d * W[o]; s1 += d * W[o + 1]; s2 += d * W[o + 2]; s3 += d * W[o + 3]; s4 += d * W[o + 4];
    }
    next[k] = s0; next[k + 1] = s1; next[k + 2] = s2; next[k + 3] = s3; next[k + 4] = s4;
  }
  for (; k < width; k++) {
    let s = aCached[from + k];
    for (let q = 0; q < m; q++) s += dz[q] * W[at[q] * width + k];
    next[k] = s;
  }
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

