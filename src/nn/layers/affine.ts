// Affine (fully connected) layer, as common/layers.py Affine: y = x·W + b on x reshaped to [N, -1],
// remembering x's shape so backward returns dx in it (the book's "tensor support" for conv outputs).
import { assertShape } from '../../tensor';
import { rowTimesMatrix, storeRounding } from './gemm';
import {
  checkBatched, checkDout, fmt, sizeOf, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type LayerParam, type ParamTensor, type Real, type Tensor64,
} from './types';

export class Affine implements Layer {
  readonly kind = 'affine' as const;
  readonly W: Real; // [D, M] row-major
  readonly b: Real; // [M]
  readonly dW: Float64Array;
  readonly db: Float64Array;
  readonly inputSize: number;
  readonly outputSize: number;
  private x: AnyTensor | null = null; // forward's input, viewed as [N, D]
  private outShape: number[] | null = null;

  constructor(W: ParamTensor, b: ParamTensor) {
    assertShape(W.shape.length === 2 && W.data.length === sizeOf(W.shape), `Affine: W must be [in, out], got ${fmt(W.shape)}`);
    assertShape(b.shape.length === 1 && b.shape[0] === W.shape[1] && b.data.length === b.shape[0], `Affine: b ${fmt(b.shape)} vs W ${fmt(W.shape)}`);
    this.W = W.data;
    this.b = b.data;
    this.inputSize = W.shape[0];
    this.outputSize = W.shape[1];
    this.dW = new Float64Array(W.data.length);
    this.db = new Float64Array(b.data.length);
  }

  outputShape(inputShape: readonly number[]): number[] {
    assertShape(sizeOf(inputShape) === this.inputSize, `Affine: input ${fmt(inputShape)} (${sizeOf(inputShape)} values) vs W [${this.inputSize},${this.outputSize}]`);
    return [this.outputSize];
  }

  /** x: [N, ...] viewed as [N, D] (C order) · W: [D, M] + b: [M] -> y: [N, M]; float64 dot, rounded, then + b rounded (numpy float32's two steps). */
  forward<T extends AnyTensor>(x: T, _train: boolean): T {
    const N = checkBatched(x, 'Affine');
    const outShape = [N, ...this.outputShape(x.shape.slice(1))];
    const D = this.inputSize, M = this.outputSize;
    const y = tensorLike(x, outShape);
    const round = storeRounding(y.data);
    const acc = new Float64Array(M);
    for (let n = 0; n < N; n++) {
      rowTimesMatrix(x.data, n * D, D, this.W, M, acc);
      for (let j = 0; j < M; j++) y.data[n * M + j] = round(acc[j]) + this.b[j];
    }
    this.x = x;
    this.outShape = outShape;
    return y;
  }

  /** dout: [N, M] -> dx = dout·Wᵀ in x's shape; dW = xᵀ·dout: [D, M]; db = Σ_n dout: [M]. */
  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, 'Affine');
    const x = this.x as AnyTensor;
    const N = x.shape[0], D = this.inputSize, M = this.outputSize;
    const dx = new Float64Array(N * D);
    this.dW.fill(0);
    this.db.fill(0);
    for (let n = 0; n < N; n++) {
      const dRow = n * M;
      for (let k = 0; k < D; k++) {
        let s = 0;
        for (let j = 0; j < M; j++) s += dout.data[dRow + j] * this.W[k * M + j];
        dx[n * D + k] = s;
        const xk = x.data[n * D + k];
        if (xk !== 0) for (let j = 0; j < M; j++) this.dW[k * M + j] += xk * dout.data[dRow + j];
      }
      for (let j = 0; j < M; j++) this.db[j] += dout.data[dRow + j];
    }
    return { shape: [...x.shape], data: dx };
  }

  params(): LayerParam[] {
    return [
      { name: 'W', value: this.W, shape: [this.inputSize, this.outputSize], grad: this.dW },
      { name: 'b', value: this.b, shape: [this.outputSize], grad: this.db },
    ];
  }

  describe(inputShape: readonly number[]): LayerDescription {
    return { kind: this.kind, input: [...inputShape], output: this.outputShape(inputShape), settings: { in: this.inputSize, out: this.outputSize } };
  }
}
