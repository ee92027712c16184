// Element-wise activation layers, as common/layers.py Relu and Sigmoid (plus Tanh): forward caches the mask
// or the output, backward multiplies dout by the local derivative. Each value is computed in float64 and
// rounded once on store.
import {
  checkBatched, checkDout, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type LayerKind, type LayerParam, type Real, type Tensor64,
} from './types';

abstract class ElementWise implements Layer {
  abstract readonly kind: LayerKind;
  protected outShape: number[] | null = null;

  outputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  params(): LayerParam[] {
    return [];
  }

  describe(inputShape: readonly number[]): LayerDescription {
    return { kind: this.kind, input: [...inputShape], output: [...inputShape], settings: {} };
  }

  abstract forward<T extends AnyTensor>(x: T, train: boolean): T;
  abstract backward(dout: Tensor64): Tensor64;
}

/** relu(x) = x where x > 0, else 0 (the book's mask x <= 0; NaN passes through, as numpy's). */
export class Relu extends ElementWise {
  readonly kind = 'relu' as const;
  private mask: Uint8Array | null = null; // 1 where x <= 0

  forward<T extends AnyTensor>(x: T, _train: boolean): T {
    checkBatched(x, 'Relu');
    const y = tensorLike(x, x.shape);
    const mask = new Uint8Array(x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i];
      if (v <= 0) mask[i] = 1;
      else y.data[i] = v;
    }
    this.mask = mask;
    this.outShape = [...x.shape];
    return y;
  }

  /** dx = dout where x > 0 (or NaN), else 0. */
  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, 'Relu');
    const mask = this.mask as Uint8Array;
    const dx = new Float64Array(dout.data.length);
    for (let i = 0; i < dx.length; i++) if (mask[i] === 0) dx[i] = dout.data[i];
    return { shape: [...dout.shape], data: dx };
  }
}

/** Element-wise y = f(x) whose derivative is a function of y, so backward needs only the cached output. */
abstract class OutputDerivative extends ElementWise {
  private out: Real | null = null;
  protected abstract f(x: number): number;
  /** dout · dy/dx, with dy/dx in terms of y (multiplied in the book's order). */
  protected abstract chain(dout: number, y: number): number;

  forward<T extends AnyTensor>(x: T, _train: boolean): T {
    checkBatched(x, this.kind);
    const y = tensorLike(x, x.shape);
    for (let i = 0; i < x.data.length; i++) y.data[i] = this.f(x.data[i]);
    this.out = y.data;
    this.outShape = [...x.shape];
    return y;
  }

  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, this.kind);
    const out = this.out as Real;
    const dx = new Float64Array(dout.data.length);
    for (let i = 0; i < dx.length; i++) dx[i] = this.chain(dout.data[i], out[i]);
    return { shape: [...dout.shape], data: dx };
  }
}

/** sigmoid(x) = 1 / (1 + exp(−x)); backward dx = dout · (1 − y) · y from the stored (rounded) y, as the book. */
export class Sigmoid extends OutputDerivative {
  readonly kind = 'sigmoid' as const;
  protected f(x: number): number {
    return 1 / (1 + Math.exp(-x));
  }
  protected chain(dout: number, y: number): number {
    return dout * (1 - y) * y;
  }
}

/** tanh(x); backward dx = dout · (1 − y²) from the stored y. */
export class Tanh extends OutputDerivative {
  readonly kind = 'tanh' as const;
  protected f(x: number): number {
    return Math.tanh(x);
  }
  protected chain(dout: number, y: number): number {
    return dout * (1 - y * y);
  }
}
