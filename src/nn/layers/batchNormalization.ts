// Batch normalization, as the book's common/layers.py BatchNormalization (ch06): train mode normalises with the
// batch's mean and (biased) variance and updates the running averages; test mode uses the running ones.
// Mode 'book' flattens a sample to D = C·H·W features (one statistic per feature, as the book's reshape(N, -1));
// mode 'perChannel' keeps one statistic per channel C over N·H·W values, as PyTorch's BatchNorm2d.
import { assertShape } from '../../tensor';
import {
  checkBatched, checkDout, fmt, sizeOf, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type LayerParam, type ParamTensor, type Real, type Tensor64,
} from './types';

/**
 * The book's ε, written `10e-7` in common/layers.py: that is 1e-6 (not 1e-7). PyTorch's default is 1e-5, Keras's
 * 1e-3: pass `eps` when mapping such a model.
 */
export const BOOK_BATCHNORM_EPS = 10e-7;

export type BatchNormMode = 'book' | 'perChannel';

export interface BatchNormOptions {
  /** running = momentum · running + (1 − momentum) · batch statistic. Default 0.9 (the book's; PyTorch's momentum 0.1 is 0.9 here). */
  readonly momentum?: number;
  /** Added to the variance under the square root. Default the book's 10e-7 = 1e-6. */
  readonly eps?: number;
  /** Default 'book'. */
  readonly mode?: BatchNormMode;
  /** Default zeros, as the book's first forward creates them (PyTorch starts running_var at ones). */
  readonly runningMean?: Real;
  readonly runningVar?: Real;
}

interface BatchNormCache {
  readonly train: boolean;
  readonly S: number;
  readonly M: number;
  readonly xc: Float64Array;
  readonly xn: Float64Array;
  readonly std: Float64Array;
}

export class BatchNormalization implements Layer {
  readonly kind = 'batchNormalization' as const;
  readonly gamma: Real; // [F]
  readonly beta: Real; // [F]
  readonly runningMean: Real; // [F]
  readonly runningVar: Real; // [F]
  readonly dgamma: Float64Array;
  readonly dbeta: Float64Array;
  readonly momentum: number;
  readonly eps: number;
  readonly mode: BatchNormMode;
  /** F: the number of statistics (features in 'book' mode, channels in 'perChannel' mode). */
  readonly features: number;
  // What backward needs, from the last forward.
  private cache: BatchNormCache | null = null;
  private outShape: number[] | null = null;

  constructor(gamma: ParamTensor, beta: ParamTensor, options: BatchNormOptions = {}) {
    const F = gamma.data.length;
    assertShape(sizeOf(gamma.shape) === F && beta.data.length === F && sizeOf(beta.shape) === F, `BatchNormalization: gamma ${fmt(gamma.shape)} vs beta ${fmt(beta.shape)}`);
    this.gamma = gamma.data;
    this.beta = beta.data;
    this.features = F;
    this.momentum = options.momentum ?? 0.9;
    this.eps = options.eps ?? BOOK_BATCHNORM_EPS;
    this.mode = options.mode ?? 'book';
    if (this.mode !== 'book' && this.mode !== 'perChannel') throw new Error(`BatchNormalization: mode must be 'book' or 'perChannel', got ${String(this.mode)}`);
    if (!(this.eps >= 0) || !(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`BatchNormalization: eps ${this.eps} must be ≥ 0 and momentum ${this.momentum} in [0, 1]`);
    const like = gamma.data;
    this.runningMean = options.runningMean ?? (like instanceof Float64Array ? new Float64Array(F) : new Float32Array(F));
    this.runningVar = options.runningVar ?? (like instanceof Float64Array ? new Float64Array(F) : new Float32Array(F));
    assertShape(this.runningMean.length === F && this.runningVar.length === F, `BatchNormalization: running statistics of ${this.runningMean.length}/${this.runningVar.length} values vs gamma [${F}]`);
    this.dgamma = new Float64Array(F);
    this.dbeta = new Float64Array(F);
  }

  /** S: values per statistic and sample (1 in 'book' mode, H·W in 'perChannel' mode). */
  private spatial(inputShape: readonly number[]): number {
    if (this.mode === 'book') {
      assertShape(inputShape.length >= 1 && sizeOf(inputShape) === this.features, `BatchNormalization: input ${fmt(inputShape)} has ${sizeOf(inputShape)} features, gamma has ${this.features}`);
      return 1;
    }
    assertShape(inputShape.length >= 1 && inputShape[0] === this.features, `BatchNormalization (per channel): input ${fmt(inputShape)} vs ${this.features} channels`);
    return sizeOf(inputShape.slice(1));
  }

  outputShape(inputShape: readonly number[]): number[] {
    this.spatial(inputShape);
    return [...inputShape];
  }

  /**
   * x: [N, F, S] (a view of [N, D] or [N, C, H, W]) -> y = gamma·(x − μ)/sqrt(σ² + ε) + beta, in float64, rounded once.
   * train: μ, σ² over the N·S values of each statistic (biased σ², as np.mean(xc**2)); running averages updated.
   * test: μ, σ² = running_mean, running_var.
   */
  forward<T extends AnyTensor>(x: T, train: boolean): T {
    const N = checkBatched(x, 'BatchNormalization');
    const S = this.spatial(x.shape.slice(1));
    const F = this.features, M = N * S;
    const y = tensorLike(x, x.shape);
    const xc = new Float64Array(x.data.length), xn = new Float64Array(x.data.length), std = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      let mu: number, variance: number;
      if (train) {
        let sum = 0;
        for (let n = 0; n < N; n++) for (let s = 0, at = (n * F + f) * S; s < S; s++) sum += x.data[at + s];
        mu = sum / M;
        let sq = 0;
        for (let n = 0; n < N; n++)
          for (let s = 0, at = (n * F + f) * S; s < S; s++) { const d = x.data[at + s] - mu; sq += d * d; }
        variance = sq / M;
        this.runningMean[f] = this.momentum * this.runningMean[f] + (1 - this.momentum) * mu;
        this.runningVar[f] = this.momentum * this.runningVar[f] + (1 - this.momentum) * variance;
      } else {
        mu = this.runningMean[f];
        variance = this.runningVar[f];
      }
      std[f] = Math.sqrt(variance + this.eps);
      for (let n = 0; n < N; n++)
        for (let s = 0, at = (n * F + f) * S; s < S; s++) {
          xc[at + s] = x.data[at + s] - mu;
          xn[at + s] = xc[at + s] / std[f];
          y.data[at + s] = this.gamma[f] * xn[at + s] + this.beta[f];
        }
    }
    this.cache = { train, S, M, xc, xn, std };
    this.outShape = [...x.shape];
    return y;
  }

  /**
   * The book's __backward (train mode), per statistic over its M = N·S values: dbeta = Σ dout, dgamma = Σ xn·dout,
   * dxn = gamma·dout, dxc = dxn/std + (2/M)·xc·dvar with dvar = −½ Σ(dxn·xc)/std³, dx = dxc − Σ dxc / M.
   * After a test-mode forward, the gradient of that (affine) map: dx = gamma·dout/std.
   */
  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, 'BatchNormalization');
    const { train, S, M, xc, xn, std } = this.cache as BatchNormCache;
    const F = this.features, N = M / S;
    const dx = new Float64Array(dout.data.length);
    for (let f = 0; f < F; f++) {
      let dbeta = 0, dgamma = 0, dstd = 0;
      const g = this.gamma[f], sd = std[f];
      for (let n = 0; n < N; n++)
        for (let s = 0, at = (n * F + f) * S; s < S; s++) {
          const d = dout.data[at + s];
          dbeta += d;
          dgamma += xn[at + s] * d;
          dstd -= (g * d * xc[at + s]) / (sd * sd);
        }
      this.dbeta[f] = dbeta;
      this.dgamma[f] = dgamma;
      if (!train) {
        for (let n = 0; n < N; n++) for (let s = 0, at = (n * F + f) * S; s < S; s++) dx[at + s] = (g * dout.data[at + s]) / sd;
        continue;
      }
      const dvar = (0.5 * dstd) / sd;
      let dmu = 0;
      for (let n = 0; n < N; n++)
        for (let s = 0, at = (n * F + f) * S; s < S; s++) {
          const dxc = (g * dout.data[at + s]) / sd + (2.0 / M) * xc[at + s] * dvar;
          dx[at + s] = dxc;
          dmu += dxc;
        }
      for (let n = 0; n < N; n++) for (let s = 0, at = (n * F + f) * S; s < S; s++) dx[at + s] -= dmu / M;
    }
    return { shape: [...dout.shape], data: dx };
  }

  params(): LayerParam[] {
    return [
      { name: 'gamma', value: this.gamma, shape: [this.features], grad: this.dgamma },
      { name: 'beta', value: this.beta, shape: [this.features], grad: this.dbeta },
    ];
  }

  describe(inputShape: readonly number[]): LayerDescription {
    return {
      kind: this.kind, input: [...inputShape], output: this.outputShape(inputShape),
      settings: { mode: this.mode, features: this.features, eps: this.eps, momentum: this.momentum },
    };
  }
}
