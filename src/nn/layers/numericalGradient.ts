// Numerical gradient by central differences, as the book's common/gradient.py numerical_gradient (h = 1e-4):
// the check every backward is tested against (ch05 gradient_check.py, ch07 gradient_check.py).
import type { Real } from './types';

/** The book's h. */
export const NUMERICAL_GRADIENT_H = 1e-4;

/**
 * grad[i] ≈ (f(x + h·e_i) − f(x − h·e_i)) / (2h) for each i of `indices` (default: all), nudging x[i] in place and
 * restoring it. The denominator is the difference of the values actually stored (2h in float64; in a Float32Array
 * the nudged values round, and dividing by 2h would add that rounding to the estimate).
 */
export function numericalGradientOf(f: () => number, x: Real, h = NUMERICAL_GRADIENT_H, indices?: ArrayLike<number>): Float64Array {
  const grad = new Float64Array(x.length);
  const n = indices === undefined ? x.length : indices.length;
  for (let j = 0; j < n; j++) {
    const i = indices === undefined ? j : indices[j];
    const saved = x[i];
    x[i] = saved + h;
    const up = x[i];
    const fxh1 = f();
    x[i] = saved - h;
    const down = x[i];
    const fxh2 = f();
    x[i] = saved;
    grad[i] = (fxh1 - fxh2) / (up - down);
  }
  return grad;
}
