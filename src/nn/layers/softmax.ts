// Softmax over the classes of [N, K], the book's common/functions.py softmax (row max subtracted, exp and sum in
// float64). A model may end in it; the network's final softmax is then not applied a second time.
import { assertShape } from '../../tensor';
import { softmaxRows } from '../activations';
import {
  checkBatched, checkDout, fmt, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type LayerParam, type Real, type Tensor64,
} from './types';

/** y[n, k] = exp(a[n,k] − max_j a[n,j]) / Σ_j exp(a[n,j] − max_j a[n,j]), sequential float64 sum, rounded once. */
export function softmaxInto(a: Real, N: number, K: number, y: Real): void {
  if (a instanceof Float32Array && y instanceof Float32Array) {
    y.set(softmaxRows({ rows: N, cols: K, data: a }).data); // activations.ts: the bits predict() gives
    return;
  }
  const e = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    const off = n * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (a[off + k] > max) max = a[off + k];
    let sum = 0;
    for (let k = 0; k < K; k++) { e[k] = Math.exp(a[off + k] - max); sum += e[k]; }
    for (let k = 0; k < K; k++) y[off + k] = e[k] / sum;
  }
}

export class Softmax implements Layer {
  readonly kind = 'softmax' as const;
  private out: Real | null = null;
  private outShape: number[] | null = null;

  outputShape(inputShape: readonly number[]): number[] {
    assertShape(inputShape.length === 1, `Softmax: input ${fmt(inputShape)} must be [K] per sample (flatten first)`);
    return [...inputShape];
  }

  /** a: [N, K] -> y: [N, K] probabilities. */
  forward<T extends AnyTensor>(x: T, _train: boolean): T {
    const N = checkBatched(x, 'Softmax');
    const [K] = this.outputShape(x.shape.slice(1));
    const y = tensorLike(x, x.shape);
    softmaxInto(x.data, N, K, y.data);
    this.out = y.data;
    this.outShape = [...x.shape];
    return y;
  }

  /** dx[n, k] = y[n,k] · (dout[n,k] − Σ_j dout[n,j] · y[n,j]) (the softmax Jacobian applied to dout). */
  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, 'Softmax');
    const y = this.out as Real;
    const [N, K] = dout.shape;
    const dx = new Float64Array(N * K);
    for (let n = 0; n < N; n++) {
      let dot = 0;
      for (let k = 0; k < K; k++) dot += dout.data[n * K + k] * y[n * K + k];
      for (let k = 0; k < K; k++) dx[n * K + k] = y[n * K + k] * (dout.data[n * K + k] - dot);
    }
    return { shape: [N, K], data: dx };
  }

  params(): LayerParam[] {
    return [];
  }

  describe(inputShape: readonly number[]): LayerDescription {
    return { kind: this.kind, input: [...inputShape], output: this.outputShape(inputShape), settings: {} };
  }
}
