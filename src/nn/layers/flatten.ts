// Flatten: [N, ...] -> [N, D] in C order, as numpy's x.reshape(N, -1) (the book's Affine does it inside) and
// torch.flatten(x, 1). No values move: the output shares the input's data.
import {
  checkBatched, checkDout, sizeOf, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type LayerParam, type Tensor64,
} from './types';

export class Flatten implements Layer {
  readonly kind = 'flatten' as const;
  private inShape: number[] | null = null;
  private outShape: number[] | null = null;

  outputShape(inputShape: readonly number[]): number[] {
    return [sizeOf(inputShape)];
  }

  /** x: [N, d1, d2, ...] -> [N, d1·d2·…], same data. */
  forward<T extends AnyTensor>(x: T, _train: boolean): T {
    const N = checkBatched(x, 'Flatten');
    this.inShape = [...x.shape];
    this.outShape = [N, ...this.outputShape(x.shape.slice(1))];
    return tensorLike(x, this.outShape, x.data);
  }

  /** dout: [N, D] -> dx in the input's shape, same data. */
  backward(dout: Tensor64): Tensor64 {
    checkDout(dout, this.outShape, 'Flatten');
    return { shape: [...(this.inShape as number[])], data: dout.data };
  }

  params(): LayerParam[] {
    return [];
  }

  describe(inputShape: readonly number[]): LayerDescription {
    return { kind: this.kind, input: [...inputShape], output: this.outputShape(inputShape), settings: {} };
  }
}
