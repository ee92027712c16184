// Pooling layer, as common/layers.py Pooling (max over each window, the first maximum as np.argmax), plus
// average pooling. Windows are swept as the book's im2col sweeps them: OH = floor((H + 2·pad − PH) / stride) + 1.
import { assertShape } from '../../tensor';
import { convOutputSize } from './im2col';
import {
  checkBatched, checkDout, fmt, positiveInt, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type LayerParam, type Tensor64,
} from './types';

export type PoolMode = 'max' | 'avg';

export interface PoolingOptions {
  /** 'max' (the book's Pooling) or 'avg'. Default 'max'. */
  readonly mode?: PoolMode;
  /**
   * avg only: divide by the full window PH·PW, padded positions counting as zeros (true, the default: numpy's
   * mean over the zero-padded im2col row, PyTorch AvgPool2d's count_include_pad=True), or by the number of
   * positions inside the input (false: ONNX AveragePool's default count_include_pad=0, Keras 'same').
   */
  readonly countIncludePad?: boolean;
}

/**
 * Max or average pooling over [N, C, H, W], per channel. Padding: max never picks a padded position (−∞
 * padding, as PyTorch MaxPool2d and ONNX MaxPool; the book's own code never pads a pooling, and its output
 * size formula ignores pad); avg counts padded positions as zeros unless countIncludePad is false.
 * pad ≤ half the window, as PyTorch requires, so every window holds at least one input position.
 */
export class Pooling implements Layer {
  readonly kind = 'pooling' as const;
  readonly mode: PoolMode;
  readonly countIncludePad: boolean;
  private argMax: Int32Array | null = null; // max: the flat index into x of each output's maximum
  private inShape: number[] | null = null;
  private outShape: number[] | null = null;

  constructor(readonly poolH: number, readonly poolW: number, readonly stride: number, readonly pad = 0, options: PoolingOptions = {}) {
    positiveInt(poolH, 'Pooling: pool_h');
    positiveInt(poolW, 'Pooling: pool_w');
    positiveInt(stride, 'Pooling: stride');
    positiveInt(pad, 'Pooling: pad', true);
    if (2 * pad > poolH || 2 * pad > poolW) throw new Error(`Pooling: pad ${pad} exceeds half the ${poolH}x${poolW} window`);
    this.mode = options.mode ?? 'max';
    if (this.mode !== 'max' && this.mode !== 'avg') throw new Error(`Pooling: mode must be 'max' or 'avg', got ${String(this.mode)}`);
    this.countIncludePad = options.countIncludePad ?? true;
  }

  /** [C, H, W] -> [C, OH, OW]. */
  outputShape(inputShape: readonly number[]): number[] {
    assertShape(inputShape.length === 3, `Pooling: input ${fmt(inputShape)} must be [C, H, W]`);
    const [C, H, W] = inputShape;
    const OH = convOutputSize(H, this.poolH, this.stride, this.pad), OW = convOutputSize(W, this.poolW, this.stride, this.pad);
    assertShape(OH >= 1 && OW >= 1, `Pooling: ${this.poolH}x${this.poolW} window, pad ${this.pad} does not fit input ${fmt(inputShape)}`);
    return [C, OH, OW];
  }

  /** x: [N, C, H, W] -> y: [N, C, OH, OW]; avg sums in float64 and rounds once. */
  forward<T extends AnyTensor>(x: T, _train: boolean): T {
    const N = checkBatched(x, 'Pooling');
    const [C, OH, OW] = this.outputShape(x.shape.slice(1));
    const H = x.shape[2], W = x.shape[3];
    const y = tensorLike(x, [N, C, OH, OW]);
    const isMax = this.mode === 'max';
    const argMax = isMax ? new Int32Array(N * C * OH * OW) : null;
    let o = 0;
    for (let plane = 0; plane < N * C; plane++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++, o++) {
          let best = -1, bestValue = -Infinity, sum = 0, inside = 0;
          for (let fy = 0; fy < this.poolH; fy++) {
            const iy = oh * this.stride + fy - this.pad;
            if (iy < 0 || iy >= H) continue;
            for (let fx = 0; fx < this.poolW; fx++) {
              const ix = ow * this.stride + fx - this.pad;
              if (ix < 0 || ix >= W) continue;
              const at = (plane * H + iy) * W + ix;
              const v = x.data[at];
              inside++;
              sum += v;
              // np.argmax: the first maximum wins ties, and the first NaN beats everything.
              if (best < 0 || v > bestValue || (v !== v && bestValue === bestValue)) { best = at; bestValue = v; }
            }
          }
          if (argMax !== null) { argMax[o] = best; y.data[o] = bestValue; }
          else y.data[o] = sum / (this.countIncludePad ? this.poolH * this.poolW : inside);
        }
    this.argMax = argMax;
    this.inShape = [...x.shape];
    this.outShape = [N, C, OH, OW];
    return y;
  }

  /** max: dout goes to each window's argmax (summed where windows overlap); avg: dout / count to every counted position. */
  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, 'Pooling');
    const [N, C, H, W] = this.inShape as number[];
    const [, , OH, OW] = this.outShape as number[];
    const dx = new Float64Array(N * C * H * W);
    if (this.argMax !== null) {
      for (let o = 0; o < this.argMax.length; o++) dx[this.argMax[o]] += dout.data[o];
      return { shape: [N, C, H, W], data: dx };
    }
    let o = 0;
    for (let plane = 0; plane < N * C; plane++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++, o++) {
          const y0 = oh * this.stride - this.pad, x0 = ow * this.stride - this.pad;
          const ys = Math.max(0, y0), ye = Math.min(H, y0 + this.poolH), xs = Math.max(0, x0), xe = Math.min(W, x0 + this.poolW);
          const count = this.countIncludePad ? this.poolH * this.poolW : (ye - ys) * (xe - xs);
          const g = dout.data[o] / count;
          for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) dx[(plane * H + iy) * W + ix] += g;
        }
    return { shape: [N, C, H, W], data: dx };
  }

  params(): LayerParam[] {
    return [];
  }

  describe(inputShape: readonly number[]): LayerDescription {
    return {
      kind: this.kind, input: [...inputShape], output: this.outputShape(inputShape),
      settings: { mode: this.mode, pool: [this.poolH, this.poolW], stride: this.stride, pad: this.pad, ...(this.mode === 'avg' ? { countIncludePad: this.countIncludePad } : {}) },
    };
  }
}
