// A recognised architecture (nn/architecture.ts: plain layer specs naming tensors) + a file's tensors -> the
// reference engine's Network (nn/layers), with every value checked finite and narrowed to float32 (the
// precision the forward pass runs in); and, for a plain sigmoid/ReLU MLP, the dense view the MLP fast paths
// (eval's kernel, the sweep cache, the SGD step) take.
import { dataError, printable } from '../errors';
import type { Architecture, LayerSpec } from './architecture';
import {
  Affine, Convolution, Dropout, Flatten, Network as LayerNetwork, Pooling, Relu, Sigmoid, Softmax, Tanh,
  type Layer, type Preprocessing,
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
  // the recogniser only names tensors it has seen, so a missing one is a bug
  if (t === undefined) throw new Error(`buildNetwork: ${file} has no tensor ${name}`);
  return { shape: t.shape, data: finiteFloat32(t, name, file) };
}

function layerOf(spec: LayerSpec, tensors: ReadonlyMap<string, FileTensor>, file: string): Layer {
  switch (spec.kind) {
    case 'affine': return new Affine(param(tensors, spec.W, file), param(tensors, spec.b, file));
    case 'convolution': return new Convolution(param(tensors, spec.W, file), param(tensors, spec.b, file), spec.stride, spec.pad);
    case 'pooling': return new Pooling(spec.size, spec.size, spec.stride, spec.pad, { mode: spec.mode });
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
  return new LayerNetwork({ layers: arch.layers.map((spec) => layerOf(spec, tensors, file)), inputShape: arch.inputShape, preprocessing });
}

/**
 * The dense view (nn/network.ts) of a network that is Affine (act Affine)* then softmax with one sigmoid or
 * ReLU activation and the book's x/255 input, sharing the float32 weights; null for anything else.
 */
export function mlpView(net: LayerNetwork): MlpNetwork | null {
  if (net.preprocessing.mean !== undefined || net.inputShape.length !== 1) return null;
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
