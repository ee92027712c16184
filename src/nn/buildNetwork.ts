// A recognised architecture (nn/architecture.ts: plain layer specs naming tensors) + a file's tensors -> the
// reference engine's Network (nn/layers), with every value checked finite and narrowed to float32 (the
// precision the forward pass runs in); and, for a plain sigmoid/ReLU MLP, the dense view the MLP fast paths
// (eval's kernel, the sweep cache, the SGD step) take.
import { dataError, MnistLossError, printable } from '../errors';
import type { Architecture, LayerSpec } from './architecture';
import {
  Affine, BatchNormalization, Convolution, Dropout, Flatten, Network as LayerNetwork, Pooling, Relu, Sigmoid, Softmax, Tanh,
  BOOK_PREPROCESSING, type Layer, type Preprocessing,
} from './layers';
import type { Activation, Network as MlpNetwork } from './network';

/** One array as a file parser returns it: row-major data with its shape. */
export interface FileTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/** Flat index of the first NaN or ±Infinity, or undefined when every value is finite. */
function firstNonFinite(data: Float32Array | Float64Array): number | undefined {
  // includes() runs natively and finds NaN (indexOf does not): the check costs ~0.1 ms for a small model
  if (!data.includes(NaN) && !data.includes(Infinity) && !data.includes(-Infinity)) return undefined;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return undefined;
}

/** The tensor's values as float32, every one finite (float64 files are narrowed; an overflow is refused). */
export function finiteFloat32(t: FileTensor, tensor: string, file: string): Float32Array {
  const bad = firstNonFinite(t.data);
  if (bad !== undefined)
    throw dataError(`${file}: ${printable(tensor)} holds a non-finite value: ${printable(tensor)}[${bad}] (flat index) = ${t.data[bad]}`, 'the model has diverged or the file is damaged; retrain or re-export it');
  if (t.data instanceof Float32Array) return t.data;
  const narrowed = Float32Array.from(t.data);
  const overflow = firstNonFinite(narrowed);
  if (overflow !== undefined)
    throw dataError(`${file}: ${printable(tensor)}[${overflow}] (flat index) = ${t.data[overflow]} does not fit in float32`, 'scale the weights down or re-export the model');
  return narrowed;
}

function param(tensors: ReadonlyMap<string, FileTensor>, name: string, file: string): { shape: readonly number[]; data: Float32Array } {
  const t = tensors.get(name);
  // readers only name tensors they have seen, so a missing one is a bug
  if (t === undefined) throw new Error(`buildNetwork: ${file} has no tensor ${name}`);
  return { shape: t.shape, data: finiteFloat32(t, name, file) };
}

/** The bias `name`, or zeros of `size` for a layer without one (null). */
function bias(tensors: ReadonlyMap<string, FileTensor>, name: string | null, size: number, file: string): { shape: readonly number[]; data: Float32Array } {
  return name === null ? { shape: [size], data: new Float32Array(size) } : param(tensors, name, file);
}

/** Output channels of an affine (W [in, out]) or convolution (W [FN, ...]) weight. */
const outputsOf = (W: { shape: readonly number[] }, kind: 'affine' | 'convolution') => (kind === 'affine' ? W.shape[1] : W.shape[0]);

/** The layer a spec describes, on a per-sample input of `input` shape (global pooling needs it). */
function layerOf(spec: LayerSpec, tensors: ReadonlyMap<string, FileTensor>, file: string, input: readonly number[]): Layer {
  switch (spec.kind) {
    case 'affine': {
      const W = param(tensors, spec.W, file);
      return new Affine(W, bias(tensors, spec.b, outputsOf(W, 'affine'), file));
    }
    case 'convolution': {
      const W = param(tensors, spec.W, file);
      return new Convolution(W, bias(tensors, spec.b, outputsOf(W, 'convolution'), file), spec.stride, spec.pad);
    }
    case 'pooling':
      if (spec.global) return new Pooling(input[1], input[2], 1, 0, { mode: spec.mode });
      return new Pooling(spec.size, spec.size, spec.stride, spec.pad, { mode: spec.mode, countIncludePad: spec.countIncludePad ?? true });
    case 'batchNormalization':
      return new BatchNormalization(param(tensors, spec.gamma, file), param(tensors, spec.beta, file), {
        eps: spec.eps, mode: spec.mode, runningMean: param(tensors, spec.mean, file).data, runningVar: param(tensors, spec.var, file).data,
      });
    case 'relu': return new Relu();
    case 'sigmoid': return new Sigmoid();
    case 'tanh': return new Tanh();
    case 'dropout': return new Dropout(spec.ratio, { convention: spec.convention });
    case 'flatten': return new Flatten();
    case 'softmax': return new Softmax();
  }
}

/** The engine's network for an architecture; the file's tensors are checked (finite, float32) on the way. */
export function buildNetwork(arch: Architecture, tensors: ReadonlyMap<string, FileTensor>, file: string, preprocessing?: Preprocessing): LayerNetwork {
  const layers: Layer[] = [];
  let shape: readonly number[] = arch.inputShape;
  arch.layers.forEach((spec, i) => {
    try {
      const layer = layerOf(spec, tensors, file, shape);
      layers.push(layer);
      shape = layer.outputShape(shape);
    } catch (e) {
      if (e instanceof MnistLossError) throw e;
      // a reader's shapes that do not chain: the file's problem (exit 3), not a bug
      throw dataError(
        `${file}: layer ${i + 1} (${spec.kind}) does not fit its input [${shape.join(', ')}]: ${printable((e as Error).message.replace(/^shape mismatch: /, ''))}`,
        'the layer shapes must chain from the 28x28 input to 10 classes; re-export the model, or evaluate its predictions with mnist-loss loss',
      );
    }
  });
  const out = shape;
  if (out.length !== 1 || out[0] !== 10)
    throw dataError(`${file}: the network ends in ${out.length === 1 ? `${out[0]} outputs` : `shape [${out.join(', ')}]`}, expected 10 class scores`, 'an MNIST model ends in 10 scores (one per digit)');
  return new LayerNetwork({ layers, inputShape: arch.inputShape, preprocessing });
}

/**
 * The dense view (nn/network.ts) of a network that is Affine (act Affine)* then softmax with one sigmoid or
 * ReLU activation and the book's x/255 input, sharing the float32 weights; null for anything else.
 */
export function mlpView(net: LayerNetwork): MlpNetwork | null {
  // the MLP kernels feed x = f32(p / 255): any other input scaling or a normalisation runs on the engine
  if (net.preprocessing.mean !== undefined || net.preprocessing.scale !== BOOK_PREPROCESSING.scale || net.inputShape.length !== 1) return null;
  const layers = net.layers[net.layers.length - 1].kind === 'softmax' ? net.layers.slice(0, -1) : net.layers;
  const acts = new Set(layers.filter((_, i) => i % 2 === 1).map((l) => l.kind));
  const activation = acts.size === 0 ? 'sigmoid' : [...acts][0];
  if (acts.size > 1 || (activation !== 'sigmoid' && activation !== 'relu') || layers.length % 2 === 0) return null;
  const affines = layers.filter((_, i) => i % 2 === 0);
  if (!affines.every((l): l is Affine => l instanceof Affine)) return null;
  return {
    layers: affines.map((a) => ({ W: { rows: a.inputSize, cols: a.outputSize, data: a.W as Float32Array }, b: a.b as Float32Array })),
    activation: activation as Activation,
  };
}
