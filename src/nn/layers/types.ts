// The reference layer engine's shared types: NCHW tensors in C order (numpy's and PyTorch's layout) and the
// interface every layer implements, as the classes of the book's common/layers.py (forward caches what
// backward needs; parameter gradients sit beside the parameters).
import { assertShape } from '../../tensor';
import type { Real } from '../backprop';

export type { Real };

/**
 * A float32 tensor, C order: element (n, c, h, w) of a [N, C, H, W] tensor is data[((n·C + c)·H + h)·W + w].
 * What inference runs on; every reduction inside a layer accumulates in float64 and rounds once on store.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A float64 tensor: gradients (dout, dx), and activations of a float64 network (gradient checks). */
export interface Tensor64 {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Either precision. A layer's output has its input's precision (float32 in -> float32 out). */
export type AnyTensor = Tensor | Tensor64;

export type LayerKind =
  | 'affine'
  | 'convolution'
  | 'pooling'
  | 'relu'
  | 'sigmoid'
  | 'tanh'
  | 'batchNormalization'
  | 'dropout'
  | 'flatten'
  | 'softmax';

/** One trainable tensor of a layer, under its local name (W, b, gamma, beta); `grad` is filled by backward. */
export interface LayerParam {
  readonly name: string;
  readonly value: Real;
  readonly shape: readonly number[];
  readonly grad: Float64Array;
}

/** A layer for a JSON report: shapes are of one sample (no batch dimension). */
export interface LayerDescription {
  readonly kind: LayerKind;
  readonly input?: readonly number[];
  readonly output: readonly number[];
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * A layer of the reference engine. Shapes given to outputShape/describe are of ONE sample (no batch
 * dimension: [C, H, W] or [D]); forward/backward take batched tensors [N, ...sample].
 */
export interface Layer {
  readonly kind: LayerKind;
  /** x: [N, ...in] -> y: [N, ...out], same precision as x; caches what backward needs (train or not). */
  forward<T extends AnyTensor>(x: T, train: boolean): T;
  /** dout: [N, ...out] -> dx: [N, ...in], float64; fills the parameter gradients. Call after forward. */
  backward(dout: Tensor64): Tensor64;
  /** Trainable parameters in the book's order (W before b, gamma before beta); [] for none. */
  params(): LayerParam[];
  /** The per-sample output shape; throws a plain Error when the input shape does not fit (a bug). */
  outputShape(inputShape: readonly number[]): number[];
  describe(inputShape: readonly number[]): LayerDescription;
}

/** Product of the dimensions (1 for []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A zero-filled array of n elements in the precision of `like`. */
export function allocLike<A extends Real>(like: A, n: number): A {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as A;
}

/** A tensor of `shape` in the precision of `like`. */
export function tensorLike<T extends AnyTensor>(like: T, shape: readonly number[], data?: T['data']): T {
  const d = data ?? allocLike(like.data, sizeOf(shape));
  assertShape(d.length === sizeOf(shape), `tensor: ${d.length} values for [${shape.join(',')}]`);
  return { shape: [...shape], data: d } as unknown as T;
}

/** Checks a batched tensor: its data length matches its shape and it has ≥ 1 dimension (the batch). */
export function checkBatched(x: { readonly shape: readonly number[]; readonly data: { length: number } }, what: string): number {
  assertShape(x.shape.length >= 1, `${what}: a batched tensor needs a batch dimension, got []`);
  assertShape(x.data.length === sizeOf(x.shape), `${what}: ${x.data.length} values for [${x.shape.join(',')}]`);
  return x.shape[0];
}

/** Checks that dout has the shape forward produced, and that forward ran. */
export function checkDout(dout: Tensor64, expected: readonly number[] | null, what: string): void {
  assertShape(expected !== null, `${what}: backward called before forward`);
  assertShape(
    dout.shape.length === expected.length && dout.shape.every((d, i) => d === expected[i]) && dout.data.length === sizeOf(expected),
    `${what}: dout [${dout.shape.join(',')}] vs forward output [${expected.join(',')}]`,
  );
}

/** A parameter as given to a layer's constructor: values in C order with their shape. */
export interface ParamTensor {
  readonly shape: readonly number[];
  readonly data: Real;
}

/** Formats a shape for a message: [1,28,28]. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Checks an integer setting (≥ 1, or ≥ 0 with allowZero); a bad one is a plain Error (a bug in the caller). */
export function positiveInt(v: number, what: string, allowZero = false): number {
  if (!Number.isInteger(v) || v < (allowZero ? 0 : 1)) throw new Error(`${what} must be an integer ≥ ${allowZero ? 0 : 1}, got ${v}`);
  return v;
}
