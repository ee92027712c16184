// Convolution layer, as common/layers.py Convolution: im2col, then col · W_colᵀ + b, output in NCHW.
// Strictly a cross-correlation (no kernel flip), as the book, PyTorch's Conv2d and ONNX Conv compute.
import { assertShape } from '../../tensor';
import { storeRounding } from './gemm';
import { col2im, convOutputSize, im2col, type Im2colShape } from './im2col';
import {
  checkBatched, checkDout, fmt, positiveInt, sizeOf, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type LayerParam, type ParamTensor, type Real, type Tensor64,
} from './types';

export class Convolution implements Layer {
  readonly kind = 'convolution' as const;
  readonly W: Real; // [FN, C, FH, FW]
  readonly b: Real; // [FN]
  readonly dW: Float64Array;
  readonly db: Float64Array;
  readonly filterShape: readonly [number, number, number, number];
  private col: Real | null = null;
  private geometry: Im2colShape | null = null;
  private outShape: number[] | null = null;

  constructor(W: ParamTensor, b: ParamTensor, readonly stride = 1, readonly pad = 0) {
    assertShape(W.shape.length === 4 && W.data.length === sizeOf(W.shape), `Convolution: W must be [FN, C, FH, FW], got ${fmt(W.shape)}`);
    assertShape(b.shape.length === 1 && b.shape[0] === W.shape[0] && b.data.length === b.shape[0], `Convolution: b ${fmt(b.shape)} vs W ${fmt(W.shape)}`);
    positiveInt(stride, 'Convolution: stride');
    positiveInt(pad, 'Convolution: pad', true);
    this.W = W.data;
    this.b = b.data;
    this.filterShape = [W.shape[0], W.shape[1], W.shape[2], W.shape[3]];
    this.dW = new Float64Array(W.data.length);
    this.db = new Float64Array(b.data.length);
  }

  /** W: [FN, K] -> colW: [K, FN], K = C*FH*FW (the book's col_W = W.reshape(FN, -1).T); rebuilt on every forward, so in-place edits of W count. */
  private transposedFilters(): Real {
    const [FN, C, FH, FW] = this.filterShape;
    const K = C * FH * FW;
    const colW = this.W instanceof Float64Array ? new Float64Array(K * FN) : new Float32Array(K * FN);
    for (let f = 0; f < FN; f++) for (let k = 0; k < K; k++) colW[k * FN + f] = this.W[f * K + k];
    return colW;
  }

  /** [C, H, W] -> [FN, OH, OW], OH = floor((H + 2·pad − FH) / stride) + 1. */
  outputShape(inputShape: readonly number[]): number[] {
    const [FN, C, FH, FW] = this.filterShape;
    assertShape(inputShape.length === 3 && inputShape[0] === C, `Convolution: input ${fmt(inputShape)} vs W ${fmt(this.filterShape)} (needs [${C}, H, W])`);
    const OH = convOutputSize(inputShape[1], FH, this.stride, this.pad), OW = convOutputSize(inputShape[2], FW, this.stride, this.pad);
    assertShape(OH >= 1 && OW >= 1, `Convolution: ${FH}x${FW} filter, pad ${this.pad} does not fit input ${fmt(inputShape)}`);
    return [FN, OH, OW];
  }

  /**
   * x: [N, C, H, W] -> col: [N*OH*OW, C*FH*FW] · colW: [C*FH*FW, FN] -> [N*OH*OW, FN] -> y: [N, FN, OH, OW].
   * Each sum in float64 (ascending k, zero inputs skipped), rounded once, then + b rounded (numpy float32's two steps).
   */
  forward<T extends AnyTensor>(x: T, _train: boolean): T {
    const N = checkBatched(x, 'Convolution');
    const [FN, OH, OW] = this.outputShape(x.shape.slice(1));
    const [, C, FH, FW] = this.filterShape;
    const H = x.shape[2], W = x.shape[3];
    const geometry: Im2colShape = { N, C, H, W, FH, FW, stride: this.stride, pad: this.pad };
    const col = im2col(x.data, geometry);
    const y = tensorLike(x, [N, FN, OH, OW]);
    const round = storeRounding(y.data);
    const K = C * FH * FW, P = OH * OW;
    const acc = new Float64Array(FN);
    const colW = this.transposedFilters();
    for (let r = 0; r < N * P; r++) {
      acc.fill(0);
      for (let k = 0; k < K; k++) {
        const v = col[r * K + k];
        if (v === 0) continue;
        const rowK = k * FN;
        for (let f = 0; f < FN; f++) acc[f] += v * colW[rowK + f];
      }
      const n = Math.floor(r / P), p = r - n * P;
      for (let f = 0; f < FN; f++) y.data[(n * FN + f) * P + p] = round(acc[f]) + this.b[f];
    }
    this.col = col;
    this.geometry = geometry;
    this.outShape = [N, FN, OH, OW];
    return y;
  }

  /** dout: [N, FN, OH, OW] as rows [N*OH*OW, FN]: db = Σ rows; dW = (colᵀ·dout)ᵀ: [FN, C, FH, FW]; dx = col2im(dout·colWᵀ). */
  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, 'Convolution');
    const g = this.geometry as Im2colShape;
    const col = this.col as Real;
    const [, FN, OH, OW] = this.outShape as number[];
    const K = g.C * g.FH * g.FW, P = OH * OW, R = g.N * P;
    this.dW.fill(0);
    this.db.fill(0);
    const dcol = new Float64Array(R * K);
    const d = new Float64Array(FN);
    for (let r = 0; r < R; r++) {
      const n = Math.floor(r / P), p = r - n * P;
      for (let f = 0; f < FN; f++) d[f] = dout.data[(n * FN + f) * P + p];
      for (let f = 0; f < FN; f++) this.db[f] += d[f];
      for (let k = 0; k < K; k++) {
        const v = col[r * K + k];
        let s = 0;
        for (let f = 0; f < FN; f++) {
          s += d[f] * this.W[f * K + k];
          if (v !== 0) this.dW[f * K + k] += v * d[f];
        }
        dcol[r * K + k] = s;
      }
    }
    return { shape: [g.N, g.C, g.H, g.W], data: col2im(dcol, g) };
  }

  params(): LayerParam[] {
    return [
      { name: 'W', value: this.W, shape: [...this.filterShape], grad: this.dW },
      { name: 'b', value: this.b, shape: [this.filterShape[0]], grad: this.db },
    ];
  }

  describe(inputShape: readonly number[]): LayerDescription {
    const [FN, C, FH, FW] = this.filterShape;
    return {
      kind: this.kind, input: [...inputShape], output: this.outputShape(inputShape),
      settings: { filters: FN, channels: C, kernel: [FH, FW], stride: this.stride, pad: this.pad },
    };
  }
}
