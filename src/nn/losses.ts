// Loss functions of the book's common/functions.py (sum_squared_error, cross_entropy_error) and accuracy.
// Batch forms are the MEAN over the batch, so SSE and CEE are on the same per-image scale;
// the book's whole-batch SSE sum is sseMean × B. Sums accumulate in float64.
import { assertShape, type Matrix } from '../tensor';

/** The book's δ: keeps log finite when a probability underflows to 0. */
export const CEE_DELTA = 1e-7;

/** Teacher labels: integer class indices t: [B], or one-hot rows t: [B, K]. */
export type Teacher = Uint8Array | Matrix;

function isOneHot(t: Teacher): t is Matrix {
  return !(t instanceof Uint8Array);
}

function checkTeacher(y: Matrix, t: Teacher, what: string): void {
  if (isOneHot(t)) assertShape(t.rows === y.rows && t.cols === y.cols, `${what}: y [${y.rows},${y.cols}] vs t [${t.rows},${t.cols}]`);
  else assertShape(t.length === y.rows, `${what}: y has ${y.rows} rows, t has ${t.length}`);
}

/** SSE, mean over the batch: (1/B) Σ_b ½ Σ_k (y[b,k] − t[b,k])². y: [B, K], t: labels [B] or one-hot [B, K]. */
export function sumSquaredErrorMean(y: Matrix, t: Teacher): number {
  checkTeacher(y, t, 'sumSquaredErrorMean');
  const { rows: B, cols: K } = y;
  let sum = 0;
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      const tk = isOneHot(t) ? t.data[b * K + k] : t[b] === k ? 1 : 0;
      const d = y.data[b * K + k] - tk;
      sum += d * d;
    }
  }
  return (0.5 * sum) / B;
}

/** CEE, mean over the batch: −(1/B) Σ_b Σ_k t[b,k] · log(y[b,k] + δ). With labels this is −(1/B) Σ_b log(y[b, t_b] + δ). */
export function crossEntropyErrorMean(y: Matrix, t: Teacher): number {
  checkTeacher(y, t, 'crossEntropyErrorMean');
  const { rows: B, cols: K } = y;
  let sum = 0;
  for (let b = 0; b < B; b++) {
    if (isOneHot(t)) {
      for (let k = 0; k < K; k++) {
        const tk = t.data[b * K + k];
        if (tk !== 0) sum += tk * Math.log(y.data[b * K + k] + CEE_DELTA);
      }
    } else {
      sum += Math.log(y.data[b * K + t[b]] + CEE_DELTA);
    }
  }
  return -sum / B;
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
export function countCorrect(y: Matrix, t: Teacher): number {
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
export function accuracy(y: Matrix, t: Teacher): number {
  return countCorrect(y, t) / y.rows;
}
