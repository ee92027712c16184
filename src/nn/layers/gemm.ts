// The one matrix product of the reference layers (np.dot of common/layers.py's Affine and Convolution),
// with float64 accumulation in ascending k and a skip of zero left-hand entries (MNIST inputs are ~80 % zeros,
// and ReLU outputs are often half zeros). The order of additions is tensor.ts matmul's, so results agree bitwise.
import type { Real } from './types';

/**
 * acc[0..N) = Σ_k a[aOff + k] · b[k·N + j] for one row of a: [*, K] against b: [K, N] (ascending k, zeros skipped).
 * `acc` is overwritten; the caller stores it (rounding to float32 once, if its output is float32).
 */
export function rowTimesMatrix(a: Real, aOff: number, K: number, b: Real, N: number, acc: Float64Array): void {
  acc.fill(0);
  for (let k = 0; k < K; k++) {
    const aik = a[aOff + k];
    if (aik === 0) continue;
    const rowK = k * N;
    for (let j = 0; j < N; j++) acc[j] += aik * b[rowK + j];
  }
}

/** The store of a reduction: float32 outputs round once (Math.fround), float64 outputs keep the value. */
export function storeRounding(out: Real): (v: number) => number {
  return out instanceof Float32Array ? Math.fround : (v: number) => v;
}
