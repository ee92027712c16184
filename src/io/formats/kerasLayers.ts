// Keras layer configs (Keras 3 .keras config.json, the legacy .h5 model_config, TF.js modelTopology) -> the
// engine's LayerSpec chain, shared by keras.ts and tfjs.ts. Mirrors keras/src/layers (Dense, Conv2D, pooling,
// Flatten, BatchNormalization, Rescaling): shapes are tracked NHWC as Keras has them and converted to the
// engine's NCHW (HWIO kernels -> [FN, C, FH, FW]; Keras's H, W, C flatten order -> the following Dense's rows).
import { dataError, modelUnsupported, printable } from '../../errors';
import type { Architecture, HiddenActivation, LayerSpec } from '../../nn/architecture';
import type { FileTensor } from '../../nn/buildNetwork';
import type { FoundPreprocessing, FrameworkModel } from './types';
import { jsonDepth } from '../jsonDepth';

/** Brackets deeper than this in a config are refused before JSON.parse (Keras configs nest about 10 deep). */
export const MAX_JSON_DEPTH = 64;
/** More layers than any MNIST model has: the mapping loop is bounded by it. */
export const MAX_LAYERS = 1000;

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export const KERAS_LAYERS =
  'Dense, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Dropout, Activation, ReLU, Softmax, BatchNormalization, Rescaling and InputLayer';
/** The hint and facts for a model that cannot be mapped exactly (the CLI words the way round it as a `loss` command). */
export const KERAS_UNSUPPORTED = modelUnsupported(`mnist-loss maps Sequential models (or plain-chain functional ones) of ${KERAS_LAYERS}`);
export const KERAS_HINT = KERAS_UNSUPPORTED[0];


/** JSON text from a model file, parsed after its size and depth are checked; any problem is exit 3 naming `where`. */
export function parseBoundedJson(text: string, where: string, maxChars: number, hint: string): unknown {
  if (text.length > maxChars) throw dataError(`${where} holds ${text.length} characters of JSON, more than the ${maxChars} allowed`, hint);
  const depth = jsonDepth(text, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) throw dataError(`${where} nests more than ${MAX_JSON_DEPTH} levels deep`, hint);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw dataError(`${where} is not valid JSON (${printable((e as Error).message, 120)})`, hint);
  }
}

/** UTF-8 bytes -> text; invalid UTF-8 is exit 3 naming `where`. */
export function utf8(bytes: Uint8Array, where: string, hint: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw dataError(`${where} is not UTF-8 text`, hint);
  }
}

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Json, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

/** One layer of the chain, as the weight readers need to find its tensors. */
export interface KerasLayerRef {
  readonly className: string;
  readonly name: string;
  /** 1-based position in the model's layer list, for messages. */
  readonly position: number;
  /**
   * The group Keras 3's saving_lib stores the layer's variables under in model.weights.h5 (layers/<saveName>/vars):
   * not the layer's name but its class in snake_case, made unique in the order of model.layers (which for a
   * Sequential leaves out the InputLayer): conv2d, conv2d_1, dense, ...
   */
  readonly saveName: string;
}

/** A weight the mapping needs, in Keras's own layout (kernel [in, out] or HWIO), in Keras's variable order. */
export interface WeightRequest {
  readonly param: 'kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';
  readonly shape: readonly number[];
}

/**
 * Finds a layer's weights in the file, in the order asked. A reader checks the count and every stored shape
 * against `wanted` BEFORE reading values (so nothing larger than the config implies is allocated), and throws
 * dataError naming the file, the layer and the weight on any difference.
 */
export type LayerWeights = (layer: KerasLayerRef, wanted: readonly WeightRequest[]) => FileTensor[];

export interface KerasSource {
  /** FrameworkModel.format: "keras", "keras-h5", "tfjs". */
  readonly format: string;
  readonly recognised: 'keras' | 'tfjs';
  /** How the description names the file, e.g. "Keras .keras (config.json + model.weights.h5)". */
  readonly label: string;
}

type Shape =
  | { readonly kind: 'flat'; readonly D: number; readonly permute?: { H: number; W: number; C: number } }
  | { readonly kind: 'image'; readonly H: number; readonly W: number; readonly C: number }
  /** A [28, 28] input that a Flatten must turn into the 784 pixels. */
  | { readonly kind: 'plane'; readonly H: number; readonly W: number };

const showShape = (s: Shape): string =>
  s.kind === 'flat' ? `[${s.D}]` : s.kind === 'image' ? `[${s.H}, ${s.W}, ${s.C}]` : `[${s.H}, ${s.W}]`;

interface Layer {
  readonly ref: KerasLayerRef;
  readonly config: Json;
}

/** Context for messages about one layer. */
class At {
  constructor(readonly file: string, readonly layer: KerasLayerRef) {}
  get where(): string {
    return `${this.file}: layer ${this.layer.position} '${printable(this.layer.name, 80)}' (${printable(this.layer.className, 60)})`;
  }
  fail(why: string): never {
    throw dataError(`${this.where} ${why}`, ...KERAS_UNSUPPORTED);
  }
  int(config: Json, key: string, fallback?: number): number {
    const v = own(config, key) ?? fallback;
    if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= 1_000_000)) this.fail(`has ${key} ${describe(v)}; expected a positive integer`);
    return v;
  }
  /** An int or a pair of ints (kernel_size, strides, pool_size, dilation_rate), as [h, w]. */
  pair(config: Json, key: string, fallback?: readonly [number, number]): [number, number] {
    const v = own(config, key);
    if ((v === undefined || v === null) && fallback !== undefined) return [fallback[0], fallback[1]];
    const ok = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 1 && x <= 1_000_000;
    if (ok(v)) return [v, v];
    if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
    return this.fail(`has ${key} ${describe(v)}; expected a positive integer or a pair of them`);
  }
  bool(config: Json, key: string, fallback: boolean): boolean {
    const v = own(config, key) ?? fallback;
    if (typeof v !== 'boolean') this.fail(`has ${key} ${describe(v)}; expected true or false`);
    return v;
  }
  number(config: Json, key: string, fallback?: number): number {
    let v = own(config, key) ?? fallback;
    if (Array.isArray(v) && v.length === 1) v = v[0];
    if (!(typeof v === 'number' && Number.isFinite(v))) this.fail(`has ${key} ${describe(v)}; expected a finite number`);
    return v;
  }
  string(config: Json, key: string, fallback: string): string {
    const v = own(config, key) ?? fallback;
    if (typeof v !== 'string') this.fail(`has ${key} ${describe(v)}; expected a string`);
    return v;
  }
}

/** A config value for a message: short, escaped, never the whole of a hostile value. */
function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return `'${printable(v, 60)}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return v.length <= 4 && v.every((x) => typeof x === 'number' || x === null) ? `[${v.map(String).join(', ')}]` : `an array of ${v.length}`;
  return 'an object';
}

/** What a layer's `activation` says: a string, or Keras 3's {"class_name": "function", "config": "relu"}. */
function activationOf(at: At, v: unknown): 'linear' | HiddenActivation | 'softmax' {
  let name = v;
  if (v === undefined || v === null) name = 'linear';
  else if (isObject(v) && typeof own(v, 'config') === 'string') name = own(v, 'config');
  if (typeof name !== 'string') return at.fail(`has activation ${describe(v)}; expected a name such as 'relu'`);
  switch (name) {
    case 'linear': return 'linear';
    case 'relu': case 'sigmoid': case 'tanh': return name;
    case 'softmax': case 'log_softmax': return 'softmax'; // log-probabilities have the same softmax: one final softmax
    default: return at.fail(`uses activation '${printable(name, 60)}'; mnist-loss maps relu, sigmoid, tanh, linear, and softmax at the end`);
  }
}

/** The model's layer list: Sequential's config.layers, or a functional model that is a plain chain. */
function layerList(root: unknown, file: string): { layers: Layer[]; modelClass: string; modelName: string } {
  if (!isObject(root)) throw dataError(`${file}: the model config is not a JSON object`, ...KERAS_UNSUPPORTED);
  const modelClass = typeof own(root, 'class_name') === 'string' ? (root.class_name as string) : '';
  const config = own(root, 'config');
  // Keras <= 2.2 wrote a Sequential's config as the bare layer list
  const rawLayers = Array.isArray(config) ? config : isObject(config) ? own(config, 'layers') : undefined;
  const modelName = isObject(config) && typeof own(config, 'name') === 'string' ? (config.name as string) : '';
  if (modelClass !== 'Sequential' && modelClass !== 'Functional' && modelClass !== 'Model')
    throw dataError(`${file}: the model is a ${modelClass === '' ? 'model of no stated class' : `'${printable(modelClass, 60)}'`}; mnist-loss maps Sequential models and functional models that are a plain chain`, ...KERAS_UNSUPPORTED);
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw dataError(`${file}: the ${modelClass} config lists no layers`, ...KERAS_UNSUPPORTED);
  if (rawLayers.length > MAX_LAYERS) throw dataError(`${file}: the model lists ${rawLayers.length} layers, more than the ${MAX_LAYERS} mnist-loss maps`, ...KERAS_UNSUPPORTED);
  const names = new Set<string>();
  const used = new Map<string, number>();
  const layers = rawLayers.map((l, i): Layer => {
    if (!isObject(l) || typeof own(l, 'class_name') !== 'string' || !isObject(own(l, 'config')))
      throw dataError(`${file}: layer ${i + 1} of the config is not a {class_name, config} object`, ...KERAS_UNSUPPORTED);
    const layerConfig = l.config as Json;
    const name = typeof own(layerConfig, 'name') === 'string' ? (layerConfig.name as string) : `layer_${i + 1}`;
    if (names.has(name)) throw dataError(`${file}: two layers are named '${printable(name, 80)}'`, ...KERAS_UNSUPPORTED);
    names.add(name);
    const className = l.class_name as string;
    let saveName = '';
    if (!(modelClass === 'Sequential' && className === 'InputLayer')) {
      const base = snakeCase(className), n = used.get(base);
      used.set(base, n === undefined ? 0 : n + 1);
      saveName = n === undefined ? base : `${base}_${n + 1}`;
    }
    return { ref: { className, name, position: i + 1, saveName }, config: layerConfig };
  });
  if (modelClass !== 'Sequential') checkPlainChain(rawLayers as Json[], layers, file);
  return { layers, modelClass, modelName };
}

/** keras.src.utils.naming.to_snake_case: 'MaxPooling2D' -> 'max_pooling2d', 'BatchNormalization' -> 'batch_normalization'. */
export function snakeCase(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_]+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The layer names a functional node's inputs come from: Keras 3 keras_history or legacy [name, node, tensor, kwargs]. */
function inboundNames(node: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 8 || found.length > 8) return;
    if (isObject(v)) {
      const history = isObject(own(v, 'config')) ? own(v.config as Json, 'keras_history') : undefined;
      if (own(v, 'class_name') === '__keras_tensor__' && Array.isArray(history) && typeof history[0] === 'string') { found.push(history[0]); return; }
      for (const k of ['args', 'kwargs']) if (k in v) walk(v[k], depth + 1);
      return;
    }
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && typeof v[1] === 'number') { found.push(v[0]); return; } // legacy [name, 0, 0, {}]
      for (const x of v) walk(x, depth + 1);
    }
  };
  walk(node, 0);
  return found;
}

/** A functional model is accepted when every layer takes exactly the previous one's output, once. */
function checkPlainChain(raw: readonly Json[], layers: readonly Layer[], file: string): void {
  layers.forEach((layer, i) => {
    const nodes = own(raw[i], 'inbound_nodes');
    const list = Array.isArray(nodes) ? nodes : [];
    const from = list.flatMap((n) => inboundNames(n));
    const expected = i === 0 ? [] : [layers[i - 1].ref.name];
    if (list.length > 1 || from.length !== expected.length || from.some((n, k) => n !== expected[k]))
      throw dataError(
        `${file}: layer ${i + 1} '${printable(layer.ref.name, 80)}' (${printable(layer.ref.className, 60)}) takes ${from.length === 0 ? 'no input' : `its input from ${from.slice(0, 3).map((n) => `'${printable(n, 60)}'`).join(', ')}`}${i === 0 ? '' : `, not just from the layer before it ('${printable(layers[i - 1].ref.name, 60)}')`}: the functional model is not a plain chain`,
        ...KERAS_UNSUPPORTED,
      );
  });
}

/** [H, W, C], [D] or [H, W] from a batch shape [null, ...]. */
function inputFrom(batchShape: unknown, file: string, where: string): Shape {
  const ok = Array.isArray(batchShape) && batchShape.length >= 2 && batchShape.slice(1).every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1);
  const dims = ok ? (batchShape as number[]).slice(1) : [];
  if (dims.length === 3 && dims[0] === SIDE && dims[1] === SIDE && dims[2] === 1) return { kind: 'image', H: SIDE, W: SIDE, C: 1 };
  if (dims.length === 1 && dims[0] === PIXELS) return { kind: 'flat', D: PIXELS };
  if (dims.length === 2 && dims[0] === SIDE && dims[1] === SIDE) return { kind: 'plane', H: SIDE, W: SIDE };
  throw dataError(
    `${file}: ${where} takes input ${ok ? `[${dims.join(', ')}]` : describe(batchShape)} per image; an MNIST model takes [28, 28, 1], [784], or [28, 28] followed by a Flatten`,
    ...KERAS_UNSUPPORTED,
  );
}

/** The input shape: an InputLayer, the first layer's batch_input_shape, or the Sequential's build_input_shape. */
function inputShapeOf(layers: readonly Layer[], root: Json, file: string): Shape {
  const first = layers[0];
  for (const key of ['batch_shape', 'batch_input_shape']) {
    const v = own(first.config, key);
    if (v !== undefined && v !== null) return inputFrom(v, file, `layer 1 '${printable(first.ref.name, 80)}' (${printable(first.ref.className, 60)})`);
  }
  const config = own(root, 'config');
  const built = isObject(config) ? own(config, 'build_input_shape') : undefined;
  if (built !== undefined && built !== null) return inputFrom(built, file, 'the model');
  throw dataError(`${file}: the model states no input shape (no InputLayer, batch_input_shape or build_input_shape)`, 'build the model with keras.Input((28, 28, 1)) or keras.Input((784,)) before saving it');
}

/** Output side of a window, Keras's 'valid' padding: floor((H − F) / stride) + 1 (the book's formula, pad 0). */
const valid = (side: number, filter: number, stride: number) => Math.floor((side - filter) / stride) + 1;

/** Copies `data` (same element type) through an index map: out[j] = data[from(j)]. */
function gather(data: Float32Array | Float64Array, n: number, from: (j: number) => number): Float32Array | Float64Array {
  const out = data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
  for (let j = 0; j < n; j++) out[j] = data[from(j)];
  return out;
}

/** The Keras flat index (h·W + w)·C + c of the engine's C-order index j = c·H·W + h·W + w. */
function kerasIndex(j: number, p: { H: number; W: number; C: number }): number {
  const c = Math.floor(j / (p.H * p.W)), hw = j % (p.H * p.W);
  return hw * p.C + c;
}

const ones = (n: number): FileTensor => ({ shape: [n], data: new Float32Array(n).fill(1) });
const zeros = (n: number): FileTensor => ({ shape: [n], data: new Float32Array(n) });

/**
 * Maps a Keras model config onto the engine. `root` is the {class_name, config} object; `weights` finds each
 * layer's tensors in the file. Anything that cannot be mapped exactly is exit 3 naming the layer.
 */
export function mapKerasModel(root: unknown, file: string, weights: LayerWeights, source: KerasSource): FrameworkModel {
  const { layers, modelClass, modelName } = layerList(root, file);
  let shape = inputShapeOf(layers, root as Json, file);
  const inputShape = shape.kind === 'image' ? [1, shape.H, shape.W] : [PIXELS];
  const specs: LayerSpec[] = [];
  const tensors = new Map<string, FileTensor>();
  const hidden = new Set<HiddenActivation>();
  const notes: string[] = [];
  const kinds: string[] = [];
  let rescale: { scale: number; offset: number } | undefined;
  let weighted = false;
  let softmaxAt: KerasLayerRef | undefined;

  const activation = (at: At, a: 'linear' | HiddenActivation | 'softmax') => {
    if (a === 'linear') return;
    if (a === 'softmax') { softmaxAt = at.layer; specs.push({ kind: 'softmax' }); return; }
    hidden.add(a);
    specs.push({ kind: a });
  };

  for (const { ref, config } of layers) {
    const at = new At(file, ref);
    const cls = ref.className;
    if (softmaxAt !== undefined && !(cls === 'Dropout' || (cls === 'Activation' && activationOf(at, own(config, 'activation')) === 'linear')))
      at.fail(`follows the softmax of layer ${softmaxAt.position} '${printable(softmaxAt.name, 80)}'; mnist-loss maps softmax only as the last layer`);
    const key = (param: string) => `${ref.name}/${param}`;
    const channelsLast = () => {
      const format = own(config, 'data_format');
      if (format !== undefined && format !== null && format !== 'channels_last') at.fail(`has data_format ${describe(format)}; mnist-loss maps channels_last (NHWC, Keras's default)`);
    };
    const needImage = (): Extract<Shape, { kind: 'image' }> => {
      if (shape.kind !== 'image') at.fail(`needs an [H, W, C] input, found ${showShape(shape)}`);
      return shape as Extract<Shape, { kind: 'image' }>;
    };
    if (cls !== 'InputLayer' && cls !== 'Dropout' && cls !== 'Activation') kinds.push(cls);
    switch (cls) {
      case 'InputLayer':
        if (ref.position !== 1) at.fail('is an InputLayer after the first layer');
        break;
      case 'Rescaling': {
        if (weighted || specs.length > 0) at.fail('rescales inside the network; mnist-loss folds Rescaling into the input only when it comes first');
        const scale = at.number(config, 'scale'), offset = at.number(config, 'offset', 0);
        if (scale === 0) at.fail('has scale 0');
        // (p·a + b)·s + o = p·(a·s) + (b·s + o): consecutive Rescaling layers compose
        rescale = rescale === undefined ? { scale, offset } : { scale: rescale.scale * scale, offset: rescale.offset * scale + offset };
        break;
      }
      case 'Flatten': {
        if (shape.kind === 'plane') { shape = { kind: 'flat', D: shape.H * shape.W }; break; } // [28, 28] -> the pixels' own order
        if (shape.kind === 'flat') break;
        const { H, W, C } = shape;
        specs.push({ kind: 'flatten' });
        const channelsFirst = own(config, 'data_format') === 'channels_first'; // Flatten(channels_first) permutes to C, H, W first: the engine's order
        shape = { kind: 'flat', D: H * W * C, ...(C > 1 && H * W > 1 && !channelsFirst ? { permute: { H, W, C } } : {}) };
        break;
      }
      case 'Dense': {
        if (shape.kind !== 'flat') at.fail(`needs a flat input, found ${showShape(shape)} (Keras applies Dense to the last axis only: add a Flatten before it)`);
        const flat = shape as Extract<Shape, { kind: 'flat' }>;
        const units = at.int(config, 'units'), useBias = at.bool(config, 'use_bias', true);
        const wanted: WeightRequest[] = [{ param: 'kernel', shape: [flat.D, units] }];
        if (useBias) wanted.push({ param: 'bias', shape: [units] });
        const [kernel, bias] = weights(ref, wanted);
        const p = flat.permute;
        // engine row j (C-order of [C, H, W]) is Keras row kerasIndex(j): same products, same sum
        tensors.set(key('kernel'), p === undefined ? kernel : { shape: [flat.D, units], data: gather(kernel.data, flat.D * units, (i) => kerasIndex(Math.floor(i / units), p) * units + (i % units)) });
        if (p !== undefined) notes.push(`'${printable(ref.name, 60)}' kernel rows permuted from Keras's H, W, C flatten to C, H, W`);
        if (useBias) tensors.set(key('bias'), bias);
        specs.push({ kind: 'affine', W: key('kernel'), b: useBias ? key('bias') : null });
        weighted = true;
        shape = { kind: 'flat', D: units };
        activation(at, activationOf(at, own(config, 'activation')));
        break;
      }
      case 'Conv2D': {
        const { H, W, C } = needImage();
        channelsLast();
        const filters = at.int(config, 'filters');
        const [kh, kw] = at.pair(config, 'kernel_size');
        const [sh, sw] = at.pair(config, 'strides', [1, 1]);
        const [dh, dw] = at.pair(config, 'dilation_rate', [1, 1]);
        const groups = at.int(config, 'groups', 1);
        const padding = at.string(config, 'padding', 'valid').toLowerCase();
        const useBias = at.bool(config, 'use_bias', true);
        if (dh !== 1 || dw !== 1) at.fail(`has dilation_rate [${dh}, ${dw}]; mnist-loss maps undilated convolutions`);
        if (groups !== 1) at.fail(`has groups ${groups}; mnist-loss maps ungrouped convolutions`);
        if (sh !== sw) at.fail(`has strides [${sh}, ${sw}]; mnist-loss maps equal strides`);
        let pad = 0;
        if (padding === 'same') {
          // Keras 'same' pads (k − 1) / 2 on each side exactly when the stride is 1 and the kernel odd and square
          if (sh !== 1 || kh !== kw || kh % 2 === 0) at.fail(`has padding 'same' with kernel ${kh}x${kw} and stride ${sh}; mnist-loss maps 'same' only for stride 1 and an odd square kernel (symmetric padding)`);
          pad = (kh - 1) / 2;
        } else if (padding !== 'valid') at.fail(`has padding ${describe(config.padding)}; expected 'valid' or 'same'`);
        const OH = valid(H + 2 * pad, kh, sh), OW = valid(W + 2 * pad, kw, sw);
        if (!(OH >= 1 && OW >= 1)) at.fail(`has a ${kh}x${kw} kernel that does not fit its ${H}x${W} input`);
        const wanted: WeightRequest[] = [{ param: 'kernel', shape: [kh, kw, C, filters] }];
        if (useBias) wanted.push({ param: 'bias', shape: [filters] });
        const [kernel, bias] = weights(ref, wanted);
        // HWIO [kh, kw, C, F] -> [F, C, kh, kw]: out[f, c, y, x] = kernel[y, x, c, f]
        const n = filters * C * kh * kw;
        tensors.set(key('kernel'), {
          shape: [filters, C, kh, kw],
          data: gather(kernel.data, n, (i) => {
            const x = i % kw, y = Math.floor(i / kw) % kh, c = Math.floor(i / (kw * kh)) % C, f = Math.floor(i / (kw * kh * C));
            return ((y * kw + x) * C + c) * filters + f;
          }),
        });
        if (useBias) tensors.set(key('bias'), bias);
        specs.push({ kind: 'convolution', W: key('kernel'), b: useBias ? key('bias') : null, stride: sh, pad });
        weighted = true;
        shape = { kind: 'image', H: OH, W: OW, C: filters };
        activation(at, activationOf(at, own(config, 'activation')));
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const { H, W, C } = needImage();
        channelsLast();
        const [ph, pw] = at.pair(config, 'pool_size', [2, 2]);
        const [sh, sw] = at.pair(config, 'strides', [ph, pw]);
        const padding = at.string(config, 'padding', 'valid').toLowerCase();
        if (ph !== pw || sh !== sw) at.fail(`has pool_size [${ph}, ${pw}] and strides [${sh}, ${sw}]; mnist-loss maps square windows with equal strides`);
        const OH = valid(H, ph, sh), OW = valid(W, pw, sw);
        if (!(OH >= 1 && OW >= 1)) at.fail(`has a ${ph}x${pw} window that does not fit its ${H}x${W} input`);
        if (padding === 'same') {
          // 'same' gives ceil(H / stride) outputs; it equals 'valid' when that needs no padding at all
          if (Math.ceil(H / sh) !== OH || Math.ceil(W / sw) !== OW || (OH - 1) * sh + ph > H || (OW - 1) * sw + pw > W)
            at.fail(`has padding 'same' that pads its ${H}x${W} input (Keras pads bottom/right only); mnist-loss maps 'same' pooling only where it needs no padding`);
        } else if (padding !== 'valid') at.fail(`has padding ${describe(config.padding)}; expected 'valid' or 'same'`);
        // Keras never counts padding in an average; no padding is mapped, so countIncludePad is moot but stated
        specs.push({ kind: 'pooling', mode: cls === 'MaxPooling2D' ? 'max' : 'avg', size: ph, stride: sh, pad: 0, ...(cls === 'AveragePooling2D' ? { countIncludePad: false } : {}) });
        shape = { kind: 'image', H: OH, W: OW, C };
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        const { C } = needImage();
        channelsLast();
        if (at.bool(config, 'keepdims', false)) at.fail('has keepdims true; mnist-loss maps global pooling to a flat [C]');
        specs.push({ kind: 'pooling', mode: cls === 'GlobalMaxPooling2D' ? 'max' : 'avg', size: 1, stride: 1, pad: 0, global: true }, { kind: 'flatten' });
        shape = { kind: 'flat', D: C };
        break;
      }
      case 'Dropout': {
        const rate = at.number(config, 'rate', 0.5);
        if (!(rate >= 0 && rate < 1)) at.fail(`has rate ${rate}; expected 0 <= rate < 1`);
        // Keras scales by 1/(1 − rate) while training (inverted dropout): the identity at inference
        if (softmaxAt === undefined) specs.push({ kind: 'dropout', ratio: rate, convention: 'inverted' });
        break;
      }
      case 'Activation':
        if (shape.kind === 'plane') at.fail('comes before the Flatten of the [28, 28] input');
        activation(at, activationOf(at, own(config, 'activation')));
        break;
      case 'ReLU': {
        const maxValue = own(config, 'max_value');
        const slope = at.number(config, 'negative_slope', 0), threshold = at.number(config, 'threshold', 0);
        if ((maxValue !== undefined && maxValue !== null) || slope !== 0 || threshold !== 0)
          at.fail(`has max_value ${describe(maxValue)}, negative_slope ${slope}, threshold ${threshold}; mnist-loss maps the plain ReLU only`);
        activation(at, 'relu');
        break;
      }
      case 'Softmax': {
        const axis = own(config, 'axis') ?? -1;
        if (!(axis === -1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1))) at.fail(`has axis ${describe(axis)}; mnist-loss maps softmax over the last axis`);
        activation(at, 'softmax');
        break;
      }
      case 'BatchNormalization': {
        if (shape.kind === 'plane') at.fail('comes before the Flatten of the [28, 28] input');
        const s = shape as Exclude<Shape, { kind: 'plane' }>;
        let axis = own(config, 'axis') ?? -1;
        if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
        const last = s.kind === 'image' ? 3 : 1;
        if (axis !== -1 && axis !== last) at.fail(`normalises axis ${describe(axis)}; mnist-loss maps axis -1 (the channels of [H, W, C], the features of a flat input)`);
        const eps = at.number(config, 'epsilon', 1e-3);
        if (!(eps > 0)) at.fail(`has epsilon ${eps}; expected a positive number`);
        const center = at.bool(config, 'center', true), scale = at.bool(config, 'scale', true);
        const F = s.kind === 'image' ? s.C : s.D;
        const wanted: WeightRequest[] = [];
        if (scale) wanted.push({ param: 'gamma', shape: [F] });
        if (center) wanted.push({ param: 'beta', shape: [F] });
        wanted.push({ param: 'moving_mean', shape: [F] }, { param: 'moving_variance', shape: [F] });
        const got = weights(ref, wanted);
        const byParam = new Map(wanted.map((w, i) => [w.param, got[i]]));
        const p = s.kind === 'flat' ? s.permute : undefined;
        for (const param of ['gamma', 'beta', 'moving_mean', 'moving_variance'] as const) {
          const t = byParam.get(param) ?? (param === 'gamma' ? ones(F) : zeros(F));
          // between a Flatten and its Dense the features are still in Keras's H, W, C order: follow the engine's
          tensors.set(key(param), p === undefined ? t : { shape: [F], data: gather(t.data, F, (j) => kerasIndex(j, p)) });
        }
        specs.push({ kind: 'batchNormalization', gamma: key('gamma'), beta: key('beta'), mean: key('moving_mean'), var: key('moving_variance'), eps, mode: s.kind === 'image' ? 'perChannel' : 'book' });
        weighted = true;
        break;
      }
      default:
        at.fail(`is a layer mnist-loss does not map (nothing of it was run)`);
    }
  }
  if (shape.kind === 'plane') throw dataError(`${file}: the [28, 28] input is never flattened`, ...KERAS_UNSUPPORTED);
  if (!specs.some((s) => s.kind === 'affine' || s.kind === 'convolution')) throw dataError(`${file}: the model has no Dense or Conv2D layer`, ...KERAS_UNSUPPORTED);
  if (softmaxAt === undefined) notes.push('no final softmax in the model: mnist-loss applies one');
  else notes.push('final softmax kept once');
  if (specs.some((s) => s.kind === 'convolution')) notes.push('Conv2D kernels HWIO -> [FN, C, FH, FW], NHWC input as [1, 28, 28]');
  if (specs.some((s) => s.kind === 'dropout')) notes.push('Dropout is the identity at inference');
  let preprocessing: FoundPreprocessing | undefined;
  if (rescale !== undefined) {
    // the model takes raw 0..255 pixels p and computes x = p·scale + offset before its first layer
    preprocessing = { scale: rescale.scale, ...(rescale.offset !== 0 ? { mean: -rescale.offset, std: 1 } : {}) };
    notes.push(`Rescaling(scale=${fmt(rescale.scale)}${rescale.offset !== 0 ? `, offset=${fmt(rescale.offset)}` : ''}) on raw 0..255 pixels: x = p * ${fmt(rescale.scale)}${rescale.offset !== 0 ? ` + ${fmt(rescale.offset)}` : ''}`);
  } else notes.push('no Rescaling layer: input x = p / 255');
  const hiddenKinds = [...hidden];
  const architecture: Architecture = {
    recognised: source.recognised,
    inputShape,
    layers: specs,
    activation: hiddenKinds.length === 1 ? hiddenKinds[0] : null,
    activationFrom: hiddenKinds.length === 1 ? 'file' : null,
  };
  const chain = [...new Set(kinds)].join(', ');
  const description = `${source.label}, ${printable(modelClass, 40)}${modelName === '' ? '' : ` '${printable(modelName, 60)}'`} of ${printable(chain, 200)}; ${notes.join('; ')}`;
  return { format: source.format, description, architecture, tensors, ...(preprocessing !== undefined ? { preprocessing } : {}) };
}

const fmt = (v: number): string => String(Number(v.toPrecision(6)));
