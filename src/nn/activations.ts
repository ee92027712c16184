// Activation functions of the book's common/functions.py: sigmoid, relu, softmax (row-wise, max-subtracted).
import { type Matrix } from '../tensor';
import { pairwiseSum } from './numpySum';

/** sigmoid(x) = 1 / (1 + exp(-x)), element-wise, in place. */
export function sigmoidInPlace(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = 1 / (1 + Math.exp(-a[i]));
  return a;
}

/** relu(x) = max(0, x), element-wise, in place. */
export function reluInPlace(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) if (!(a[i] > 0)) a[i] = a[i] !== a[i] ? a[i] : 0;
  return a;
}

/**
 * softmax over each row of a: [B, K] -> y: [B, K], y_k = exp(a_k - max a) / Σ_j exp(a_j - max a).
 * Subtracting the row max keeps exp from overflowing (the book's stable form); sums in float64.
 */
export function softmaxRows(a: Matrix): Matrix {
  const { rows: B, cols: K } = a;
  const y = new Float32Array(B * K);
  const e = new Float64Array(K);
  for (let b = 0; b < B; b++) {
    const off = b * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (a.data[off + k] > max) max = a.data[off + k];
    let sum = 0;
    for (let k = 0; k < K; k++) { e[k] = Math.exp(a.data[off + k] - max); sum += e[k]; }
    for (let k = 0; k < K; k++) y[off + k] = e[k] / sum;
  }
  return { rows: B, cols: K, data: y };
}

/**
 * softmax over each row in float64: a: [B, K] (float32 or float64) -> y: [B, K] Float64Array, as the book's
 * common/functions.py softmax on a float64 array: exp(a - max a) / np.sum(exp(a - max a), axis=-1),
 * the row sum in numpy's pairwise order. For --from-logits, where float32 rounding would blur CEE.
 */
export function softmaxRowsFloat64(a: { readonly rows: number; readonly cols: number; readonly data: Float32Array | Float64Array }): {
  rows: number;
  cols: number;
  data: Float64Array;
} {
  const { rows: B, cols: K } = a;
  const y = new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    const off = b * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (a.data[off + k] > max) max = a.data[off + k];
    for (let k = 0; k < K; k++) y[off + k] = Math.exp(a.data[off + k] - max);
    const sum = pairwiseSum(y, off, K);
    for (let k = 0; k < K; k++) y[off + k] /= sum;
  }
  return { rows: B, cols: K, data: y };
}
