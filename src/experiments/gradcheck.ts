// The book's gradient check (ch05/gradient_check.py): backprop against central differences (h = 1e-4) of
// the mean CEE, both in float64, on a few images; the mean absolute difference per parameter
// (`np.average(np.abs(grad_backprop[key] - grad_numerical[key]))`).
import { backprop, createWorkspace, float64Params, forwardFromAffine, forwardLoss, sparseRows, type Params, type SparseRows } from '../nn/backprop';
import { parameterNames, type Network } from '../nn/network';
import type { Matrix } from '../tensor';

/** The book's numerical_gradient step. */
export const GRADCHECK_H = 1e-4;
/** A backprop gradient that differs from the numerical one by more than this (mean |diff|) fails the check. */
export const GRADCHECK_TOLERANCE = 1e-6;

export interface ParamDiff {
  /** W1, b1, W2, ... */
  readonly name: string;
  readonly size: number;
  /** How many of the size elements were compared (all of them on this MLP path). */
  readonly checked: number;
  /** mean_i |backprop_i − numerical_i| over the checked elements: the book's reported number. */
  readonly meanAbsDiff: number;
  readonly maxAbsDiff: number;
  /** mean_i |backprop_i|, the scale the difference is measured against. */
  readonly meanAbsGrad: number;
}

export interface GradcheckResult {
  /** Mean CEE (with δ) of the images at the given weights. */
  readonly loss: number;
  readonly h: number;
  readonly diffs: readonly ParamDiff[];
}

/**
 * ∂L/∂θ_i ≈ (L(θ_i + h) − L(θ_i − h)) / 2h for every parameter, L the mean CEE with δ (the book's
 * numerical_gradient of network.loss), in float64.
 *
 * Each L(θ ± h) is a forward pass, with one shortcut that leaves the arithmetic of the function intact:
 * a_l = z_{l−1}·W_l + b_l is linear in W_l, so moving W_l[i, j] by ±h moves only column j of a_l, by
 * ±h·z_{l−1}[:, i] (b_l[j]: by ±h). That column is updated from the unperturbed pass and the pass
 * continues from there (forwardFromAffine), instead of recomputing x·W1 for each of the 39,200 W1
 * values. When z_{l−1}[:, i] is 0 in every image (a pixel that is blank in all of them, a dead relu
 * unit), L does not depend on W_l[i, :]: both losses are the same number and the difference is 0.
 */
export function numericalGradient(p: Params, x: SparseRows, t: Uint8Array, h = GRADCHECK_H): { dW: Float64Array[]; db: Float64Array[] } {
  const ws = createWorkspace(p.sizes, x.rows);
  const B = x.rows, L = p.sizes.length - 1;
  forwardLoss(p, x, t, ws); // the unperturbed a_l, z_l
  const xDense = new Float64Array(B * x.cols); // x: [B, D]
  for (let r = 0; r < B; r++) for (let n = x.start[r]; n < x.start[r + 1]; n++) xDense[r * x.cols + x.index[n]] = x.value[n];
  const dW = p.W.map((W) => new Float64Array(W.length));
  const db = p.b.map((b) => new Float64Array(b.length));
  const a0 = new Float64Array(B), z0 = new Float64Array(B);

  // Layers from the last to the first: a pass continued from layer l rewrites layers > l, already done.
  for (let l = L - 1; l >= 0; l--) {
    const I = p.sizes[l], H = p.sizes[l + 1], a = ws.a[l], z = ws.z[l];
    const input = l === 0 ? xDense : Float64Array.from(ws.z[l - 1]); // z_{l−1}: [B, I]
    // L with column j of a_l moved by shift · v[b]
    const lossWith = (j: number, shift: number, v: (r: number) => number): number => {
      for (let r = 0; r < B; r++) a[r * H + j] = a0[r] + shift * v(r);
      return forwardFromAffine(p, t, ws, l, j);
    };
    for (let j = 0; j < H; j++) {
      for (let r = 0; r < B; r++) { a0[r] = a[r * H + j]; z0[r] = z[r * H + j]; }
      const difference = (v: (r: number) => number) => (lossWith(j, h, v) - lossWith(j, -h, v)) / (2 * h);
      for (let i = 0; i < I; i++) {
        let used = false;
        for (let r = 0; r < B; r++) if (input[r * I + i] !== 0) used = true;
        if (used) dW[l][i * H + j] = difference((r) => input[r * I + i]);
      }
      db[l][j] = difference(() => 1);
      for (let r = 0; r < B; r++) { a[r * H + j] = a0[r]; z[r * H + j] = z0[r]; }
    }
  }
  return { dW, db };
}

/**
 * Backprop vs numerical gradient of the mean CEE on x: [B, D] (float32 px/255), t: [B], with the network's
 * weights copied to float64. Backprop differentiates CEE without δ (the book's (y − t)/B), the numerical
 * gradient the loss with δ = 1e-7: the two differ by about δ/y_t relative, far below the tolerance.
 */
export function gradientCheck(net: Network, x: Matrix, t: Uint8Array, h = GRADCHECK_H): GradcheckResult {
  const p = float64Params(net);
  const xs = sparseRows(x);
  const ws = createWorkspace(p.sizes, x.rows);
  const loss = backprop(p, xs, t, ws);
  const numerical = numericalGradient(p, xs, t, h);
  const names = parameterNames(net);
  const pairs = ws.dW.flatMap((dW, l) => [[dW, numerical.dW[l]], [ws.db[l], numerical.db[l]]]);
  const diffs = pairs.map(([analytic, numeric], i): ParamDiff => {
    let sumDiff = 0, maxDiff = 0, sumAbs = 0;
    for (let k = 0; k < analytic.length; k++) {
      const d = Math.abs(analytic[k] - numeric[k]);
      sumDiff += d;
      if (d > maxDiff) maxDiff = d;
      sumAbs += Math.abs(analytic[k]);
    }
    return { name: names[i], size: analytic.length, checked: analytic.length, meanAbsDiff: sumDiff / analytic.length, maxAbsDiff: maxDiff, meanAbsGrad: sumAbs / analytic.length };
  });
  return { loss, h, diffs };
}
