// Dropout, as common/layers.py Dropout in the book's convention (train: keep where rand > ratio; test: scale by
// 1 − ratio), or in the inverted convention of PyTorch/Keras/ONNX (train: scale kept values by 1/(1 − ratio);
// test: identity). Same expected output either way; a model trained in one must be evaluated in the same one.
import type { Mt19937 } from '../../rng/mt19937';
import {
  checkBatched, checkDout, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type LayerParam, type Tensor64,
} from './types';

export type DropoutConvention = 'book' | 'inverted';

export interface DropoutOptions {
  /** Default 'book'. */
  readonly convention?: DropoutConvention;
  /** The generator train-mode masks are drawn from (one rng.random() per element, C order); needed only to train. */
  readonly rng?: Mt19937;
}

export class Dropout implements Layer {
  readonly kind = 'dropout' as const;
  readonly convention: DropoutConvention;
  /** Settable, so a network built without one can be given a generator before training. */
  rng: Mt19937 | null;
  private mask: Uint8Array | null = null; // train: 1 where kept; null after a test-mode forward
  private outShape: number[] | null = null;

  constructor(readonly ratio = 0.5, options: DropoutOptions = {}) {
    this.convention = options.convention ?? 'book';
    if (this.convention !== 'book' && this.convention !== 'inverted') throw new Error(`Dropout: convention must be 'book' or 'inverted', got ${String(this.convention)}`);
    const max = this.convention === 'inverted' ? 'ratio < 1' : 'ratio ≤ 1';
    if (!(ratio >= 0 && (this.convention === 'inverted' ? ratio < 1 : ratio <= 1))) throw new Error(`Dropout: ${this.convention} dropout needs 0 ≤ ${max}, got ${ratio}`);
    this.rng = options.rng ?? null;
  }

  /** Factor on kept values in train mode: 1 (book) or 1/(1 − ratio) (inverted). */
  private get trainScale(): number {
    return this.convention === 'inverted' ? 1 / (1 - this.ratio) : 1;
  }

  /** Factor on every value in test mode: 1 − ratio (book) or 1 (inverted). */
  private get testScale(): number {
    return this.convention === 'book' ? 1 - this.ratio : 1;
  }

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  /**
   * train: mask = rand(*x.shape) > ratio (np.random.rand's C-order draws), y = x · (mask ? trainScale : 0)
   * (x · 0 as numpy's x * mask: −0 for negative x). test: y = x · testScale. Rounded once.
   */
  forward<T extends AnyTensor>(x: T, train: boolean): T {
    checkBatched(x, 'Dropout');
    const y = tensorLike(x, x.shape);
    if (train) {
      if (this.rng === null) throw new Error('Dropout: a train-mode forward needs an rng (pass options.rng or set .rng)');
      const mask = new Uint8Array(x.data.length);
      const scale = this.trainScale;
      for (let i = 0; i < x.data.length; i++) {
        mask[i] = this.rng.random() > this.ratio ? 1 : 0;
        y.data[i] = x.data[i] * (mask[i] === 1 ? scale : 0);
      }
      this.mask = mask;
    } else {
      const scale = this.testScale;
      for (let i = 0; i < x.data.length; i++) y.data[i] = x.data[i] * scale;
      this.mask = null;
    }
    this.outShape = [...x.shape];
    return y;
  }

  /** dx = dout · (mask ? trainScale : 0) after a train forward (the book's dout * mask), dout · testScale after a test one. */
  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, 'Dropout');
    const dx = new Float64Array(dout.data.length);
    if (this.mask !== null) {
      const scale = this.trainScale;
      for (let i = 0; i < dx.length; i++) dx[i] = dout.data[i] * (this.mask[i] === 1 ? scale : 0);
    } else {
      const scale = this.testScale;
      for (let i = 0; i < dx.length; i++) dx[i] = dout.data[i] * scale;
    }
    return { shape: [...dout.shape], data: dx };
  }

  params(): LayerParam[] {
    return [];
  }

  describe(inputShape: readonly number[]): LayerDescription {
    return { kind: this.kind, input: [...inputShape], output: [...inputShape], settings: { ratio: this.ratio, convention: this.convention } };
  }
}
