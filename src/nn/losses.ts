// Loss functions of the book's common/functions.py (sum_squared_error, cross_entropy_error) and accuracy.
// Batch forms are the MEAN over the batch, so SSE and CEE are on the same per-image scale;
// the book's whole-batch SSE sum is sseMean × B. Sums are float64 in numpy's pairwise order (numpySum.ts),
// so a float64 y gives numpy's value to the last bit (the book's 0.5975, not 0.5974999999999999).
import { assertShape, type Matrix } from '../tensor';
import { pairwiseSum } from './numpySum';

/** The book's δ: keeps log finite when a probability underflows to 0. */
export const CEE_DELTA = 1e-7;

/** Teacher labels: integer class indices t: [B], or one-hot rows t: [B, K]. */
export type Teacher = Uint8Array | Matrix;

/**
 * Predictions y: [B, K], row-major, float32 (a network's output) or float64 (a user's file or inline
 * row: kept in float64 so 0.6 stays 0.6 and the book's worked examples come out digit for digit).
 */
export interface Predictions {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

function isOneHot(t: Teacher): t is Matrix {
  return !(t instanceof Uint8Array);
}

function checkTeacher(y: Predictions, t: Teacher, what: string): void {
  if (isOneHot(t)) assertShape(t.rows === y.rows && t.cols === y.cols, `${what}: y [${y.rows},${y.cols}] vs t [${t.rows},${t.cols}]`);
  else assertShape(t.length === y.rows, `${what}: y has ${y.rows} rows, t has ${t.length}`);
}

/** SSE, mean over the batch: (1/B) Σ_b ½ Σ_k (y[b,k] − t[b,k])². y: [B, K], t: labels [B] or one-hot [B, K]. */
export function sumSquaredErrorMean(y: Predictions, t: Teacher): number {
  return sumSquaredErrorSum(y, t) / y.rows;
}

/** SSE, summed over the batch: ½ Σ_b Σ_k (y[b,k] − t[b,k])², the book's 0.5 * np.sum((y - t)**2) on a whole batch. */
export function sumSquaredErrorSum(y: Predictions, t: Teacher): number {
  checkTeacher(y, t, 'sumSquaredErrorSum');
  const { rows: B, cols: K } = y;
  // (y - t)**2 element-wise, then np.sum over the flattened [B, K] array (pairwise order).
  const d2 = new Float64Array(B * K);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      const tk = isOneHot(t) ? t.data[b * K + k] : t[b] === k ? 1 : 0;
      const d = y.data[b * K + k] - tk;
      d2[b * K + k] = d * d;
    }
  }
  return 0.5 * pairwiseSum(d2);
}

/**
 * CEE, mean over the batch: −(1/B) Σ_b Σ_k t[b,k] · log(y[b,k] + δ). With labels this is −(1/B) Σ_b log(y[b, t_b] + δ),
 * the book's batch cross_entropy_error. One-hot rows sum the same B terms (their zero terms add nothing), so
 * labels and one-hot give the same bits.
 */
export function crossEntropyErrorMean(y: Predictions, t: Teacher): number {
  checkTeacher(y, t, 'crossEntropyErrorMean');
  const { rows: B, cols: K } = y;
  const terms = new Float64Array(B); // log(y[b, t_b] + δ), then np.sum in pairwise order
  for (let b = 0; b < B; b++) {
    if (isOneHot(t)) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const tk = t.data[b * K + k];
        if (tk !== 0) s += tk * Math.log(y.data[b * K + k] + CEE_DELTA);
      }
      terms[b] = s;
    } else {
      terms[b] = Math.log(y.data[b * K + t[b]] + CEE_DELTA);
    }
  }
  return -pairwiseSum(terms) / B;
}

/** The class each one-hot (or soft) teacher row names: argmax, first maximum wins. */
export function labelsFromOneHot(t: Matrix): Uint8Array {
  const out = new Uint8Array(t.rows);
  for (let b = 0; b < t.rows; b++) {
    let best = 0;
    for (let k = 1; k < t.cols; k++) if (t.data[b * t.cols + k] > t.data[b * t.cols + best]) best = k;
    out[b] = best;
  }
  return out;
}

/** Number of rows whose argmax y (first maximum wins, as np.argmax) equals the label. */
export function countCorrect(y: Predictions, t: Teacher): number {
  checkTeacher(y, t, 'countCorrect');
  const labels = isOneHot(t) ? labelsFromOneHot(t) : t;
  const { rows: B, cols: K } = y;
  let correct = 0;
  for (let b = 0; b < B; b++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (y.data[b * K + k] > y.data[b * K + best]) best = k;
    if (best === labels[b]) correct++;
  }
  return correct;
}

/** Accuracy = (1/B) Σ_b [argmax y_b = t_b], the fraction of correct rows. */
export function accuracy(y: Predictions, t: Teacher): number {
  return countCorrect(y, t) / y.rows;
}
