// A network as an ordered list of reference layers, as the book's SimpleConvNet / DeepConvNet / MultiLayerNetExtend:
// predict runs the layers in order; loss adds SoftmaxWithLoss (softmax + the batch-mean CEE, δ = 1e-7); gradient
// runs forward in train mode, then backward from SoftmaxWithLoss's (y − t)/N through every layer in reverse.
import { assertShape } from '../../tensor';
import { crossEntropyErrorMean } from '../losses';
import { Affine } from './affine';
import { BatchNormalization } from './batchNormalization';
import { Convolution } from './convolution';
import { Dropout } from './dropout';
import { Pooling } from './pooling';
import { softmaxInto } from './softmax';
import {
  checkBatched, fmt, sizeOf, tensorLike,
  type AnyTensor, type Layer, type LayerDescription, type Real, type Tensor, type Tensor64,
} from './types';

/** Pixels -> network input: x = f32(p · scale), then, when mean and std are given, f32((x − mean) / std). */
export interface Preprocessing {
  readonly scale: number;
  readonly mean?: number;
  readonly std?: number;
}

/** x = p / 255 (f32(p · (1/255)) equals f32(p / 255) for every byte p, today's PIXEL_SCALE). */
export const BOOK_PREPROCESSING: Preprocessing = { scale: 1 / 255 };

export interface NetworkSpec {
  readonly layers: readonly Layer[];
  /** One sample's shape: [1, 28, 28] for a convolutional model, [784] for an MLP. */
  readonly inputShape: readonly number[];
  /** Default BOOK_PREPROCESSING. */
  readonly preprocessing?: Preprocessing;
}

/** A trainable tensor under the book's name (W1, b1, … over Affine and Convolution layers in order; gamma1, beta1, … over batch norms). */
export interface NamedParameter {
  readonly name: string;
  /** Index of the owning layer in Network.layers. */
  readonly layer: number;
  readonly value: Real;
  readonly shape: readonly number[];
  readonly grad: Float64Array;
}

export interface NetworkGradient {
  /** The loss of the train-mode forward pass the gradient belongs to (mean CEE over the batch). */
  readonly loss: number;
  /** Parameter name -> d loss / d parameter, float64 copies, in parameters() order. */
  readonly grads: Map<string, Float64Array>;
}

export class Network {
  readonly layers: readonly Layer[];
  readonly inputShape: readonly number[];
  readonly preprocessing: Preprocessing;
  /** Per-sample shape after each layer (shapes[0] = inputShape). */
  readonly shapes: readonly (readonly number[])[];
  private readonly pixelTable: Float32Array;

  constructor(spec: NetworkSpec) {
    assertShape(spec.layers.length > 0, 'Network: no layers');
    this.layers = [...spec.layers];
    this.inputShape = [...spec.inputShape];
    this.preprocessing = { ...(spec.preprocessing ?? BOOK_PREPROCESSING) };
    const shapes: number[][] = [[...spec.inputShape]];
    for (const layer of this.layers) shapes.push(layer.outputShape(shapes[shapes.length - 1])); // throws on a misfit
    this.shapes = shapes;
    const out = shapes[shapes.length - 1];
    assertShape(out.length === 1, `Network: the last layer gives ${fmt(out)} per sample, not [K] class scores`);
    const { scale, mean, std } = this.preprocessing;
    assertShape((mean === undefined) === (std === undefined), 'Network: preprocessing needs both mean and std, or neither');
    this.pixelTable = Float32Array.from({ length: 256 }, (_, p) => Math.fround(p * scale));
    if (mean !== undefined && std !== undefined) for (let p = 0; p < 256; p++) this.pixelTable[p] = (this.pixelTable[p] - mean) / std;
  }

  /** True when the last layer is a Softmax: the final softmax is then not applied again. */
  get endsInSoftmax(): boolean {
    return this.layers[this.layers.length - 1].kind === 'softmax';
  }

  /** K, the number of classes. */
  get classes(): number {
    return this.shapes[this.shapes.length - 1][0];
  }

  /** pixels: [count, D] bytes -> x: [count, ...inputShape] float32, preprocessed. */
  input(pixels: Uint8Array, count: number): Tensor {
    const D = sizeOf(this.inputShape);
    assertShape(Number.isInteger(count) && count >= 0 && pixels.length >= count * D, `Network.input: ${pixels.length} bytes for ${count} samples of ${D}`);
    const x = new Float32Array(count * D);
    for (let i = 0; i < x.length; i++) x[i] = this.pixelTable[pixels[i]];
    return { shape: [count, ...this.inputShape], data: x };
  }

  /** x: [N, ...inputShape] -> the last layer's output [N, K] (logits, or probabilities when endsInSoftmax). */
  forward<T extends AnyTensor>(x: T, train = false): T {
    this.checkInput(x);
    let z = x;
    for (const layer of this.layers) z = layer.forward(z, train);
    return z;
  }

  /** x: [N, ...inputShape] -> y: [N, K] probabilities (a final softmax unless the model ends in one). */
  probabilities<T extends AnyTensor>(x: T, train = false): T {
    const z = this.forward(x, train);
    return this.endsInSoftmax ? z : softmaxOf(z);
  }

  /** pixels: [count, D] bytes -> y: [count, K] float32 probabilities. */
  predict(pixels: Uint8Array, count: number, train = false): Tensor {
    return this.probabilities(this.input(pixels, count), train);
  }

  /** The book's loss: mean over the batch of −log(y[n, t_n] + δ), δ = 1e-7 (losses.ts crossEntropyErrorMean). */
  loss(pixels: Uint8Array, t: Uint8Array, count: number, train = false): number {
    return this.lossOf(this.input(pixels, count), t, train);
  }

  lossOf(x: AnyTensor, t: Uint8Array, train = false): number {
    return ceeOf(this.probabilities(x, train), t);
  }

  /** x: [N, ...inputShape] -> [x, out_0, …, out_{L−1}]: entry l is the input of layers[l], the last entry forward's result. */
  layerInputs<T extends AnyTensor>(x: T, train = false): T[] {
    this.checkInput(x);
    const inputs = [x];
    for (const layer of this.layers) inputs.push(layer.forward(inputs[inputs.length - 1], train));
    return inputs;
  }

  /**
   * z: the input of layers[layer] (as layerInputs gives it) -> the last layer's output, running layers[layer..] only.
   * visit(l, input), when given, sees the input of each layer run, before it runs.
   */
  forwardFrom<T extends AnyTensor>(layer: number, z: T, train = false, visit?: (l: number, input: T) => void): T {
    assertShape(Number.isInteger(layer) && layer >= 0 && layer < this.layers.length, `Network.forwardFrom: no layer ${layer} of ${this.layers.length}`);
    const sample = z.shape.slice(1), expected = this.shapes[layer];
    assertShape(sample.length === expected.length && sample.every((d, i) => d === expected[i]), `Network.forwardFrom: input ${fmt(z.shape)} of layer ${layer} vs [N,${expected.join(',')}]`);
    for (let l = layer; l < this.layers.length; l++) {
      visit?.(l, z);
      z = this.layers[l].forward(z, train);
    }
    return z;
  }

  /** loss() continued from the input z of layers[layer]: the mean CEE (δ = 1e-7) of forwardFrom's probabilities. */
  lossFrom<T extends AnyTensor>(layer: number, z: T, t: Uint8Array, train = false, visit?: (l: number, input: T) => void): number {
    const out = this.forwardFrom(layer, z, train, visit);
    return ceeOf(this.endsInSoftmax ? out : softmaxOf(out), t);
  }

  /** The gradient of loss() for a train-mode forward pass (dropout masks drawn, batch statistics used), as the book's gradient(). */
  gradient(pixels: Uint8Array, t: Uint8Array, count: number): NetworkGradient {
    return this.gradientOf(this.input(pixels, count), t);
  }

  /**
   * Forward (train = true by default, as the book's loss()), SoftmaxWithLoss backward dout = (y − onehot(t)) / N,
   * then every layer's backward in reverse. A final Softmax layer is folded into SoftmaxWithLoss (not run twice).
   */
  gradientOf(x: AnyTensor, t: Uint8Array, train = true): NetworkGradient {
    this.checkInput(x);
    const last = this.endsInSoftmax ? this.layers.length - 1 : this.layers.length;
    let z: AnyTensor = x;
    for (let l = 0; l < last; l++) z = this.layers[l].forward(z, train);
    const y = softmaxOf(z);
    const loss = ceeOf(y, t);
    const [N, K] = y.shape;
    const dout = new Float64Array(N * K);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) dout[n * K + k] = y.data[n * K + k];
      dout[n * K + t[n]] -= 1;
    }
    for (let i = 0; i < dout.length; i++) dout[i] /= N;
    let d: Tensor64 = { shape: [N, K], data: dout };
    for (let l = last - 1; l >= 0; l--) d = this.layers[l].backward(d);
    const grads = new Map<string, Float64Array>();
    for (const p of this.parameters()) grads.set(p.name, Float64Array.from(p.grad));
    return { loss, grads };
  }

  /** Every trainable tensor in order, with the book's names (W1, b1, W2, … and gamma1, beta1, …). */
  parameters(): NamedParameter[] {
    const out: NamedParameter[] = [];
    let weighted = 0, norms = 0;
    this.layers.forEach((layer, l) => {
      const ps = layer.params();
      if (ps.length === 0) return;
      const index = layer.kind === 'batchNormalization' ? ++norms : ++weighted;
      for (const p of ps) out.push({ name: `${p.name}${index}`, layer: l, value: p.value, shape: p.shape, grad: p.grad });
    });
    return out;
  }

  /** One description per layer (per-sample shapes), for a JSON report. */
  describe(): LayerDescription[] {
    return this.layers.map((layer, l) => layer.describe(this.shapes[l]));
  }

  /** A copy with float64 parameters (exact copies of the float32 values), for gradient checks in float64. */
  withFloat64Parameters(): Network {
    return new Network({ layers: this.layers.map(float64Layer), inputShape: this.inputShape, preprocessing: this.preprocessing });
  }

  private checkInput(x: AnyTensor): void {
    checkBatched(x, 'Network');
    const sample = x.shape.slice(1);
    assertShape(sample.length === this.inputShape.length && sample.every((d, i) => d === this.inputShape[i]), `Network: input ${fmt(x.shape)} vs [N,${this.inputShape.join(',')}]`);
  }
}

/** A float32 tensor as float64 (exact). */
export function toTensor64(x: AnyTensor): Tensor64 {
  return { shape: [...x.shape], data: Float64Array.from(x.data) };
}

function softmaxOf<T extends AnyTensor>(z: T): T {
  assertShape(z.shape.length === 2, `softmax: [${z.shape.join(',')}] is not [N, K]`);
  const y = tensorLike(z, z.shape);
  softmaxInto(z.data, z.shape[0], z.shape[1], y.data);
  return y;
}

function ceeOf(y: AnyTensor, t: Uint8Array): number {
  const [N, K] = y.shape;
  assertShape(t.length === N, `loss: ${N} predictions, ${t.length} labels`);
  for (let n = 0; n < N; n++) assertShape(t[n] < K, `loss: label ${t[n]} at ${n} is not a class of ${K}`);
  return crossEntropyErrorMean({ rows: N, cols: K, data: y.data }, t);
}

function float64Layer(layer: Layer): Layer {
  const f64 = (a: Real): Float64Array => Float64Array.from(a);
  if (layer instanceof Affine)
    return new Affine({ shape: [layer.inputSize, layer.outputSize], data: f64(layer.W) }, { shape: [layer.outputSize], data: f64(layer.b) });
  if (layer instanceof Convolution)
    return new Convolution({ shape: layer.filterShape, data: f64(layer.W) }, { shape: [layer.filterShape[0]], data: f64(layer.b) }, layer.stride, layer.pad);
  if (layer instanceof BatchNormalization)
    return new BatchNormalization({ shape: [layer.features], data: f64(layer.gamma) }, { shape: [layer.features], data: f64(layer.beta) }, {
      momentum: layer.momentum, eps: layer.eps, mode: layer.mode, runningMean: f64(layer.runningMean), runningVar: f64(layer.runningVar),
    });
  if (layer instanceof Dropout) return new Dropout(layer.ratio, { convention: layer.convention, ...(layer.rng ? { rng: layer.rng } : {}) });
  if (layer instanceof Pooling) return new Pooling(layer.poolH, layer.poolW, layer.stride, layer.pad, { mode: layer.mode, countIncludePad: layer.countIncludePad });
  return new (layer.constructor as new () => Layer)(); // Relu, Sigmoid, Tanh, Flatten, Softmax: no parameters, no settings
}
