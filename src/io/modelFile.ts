// Model files -> the engine's network and back: picks the parser by content (magic bytes) or extension,
// recognises the architecture and settles the activation and input normalisation (flag, the file's metadata,
// or a recognised book network; never a silent default), writes safetensors atomically.
// The book reads ch03/sample_weight.pkl with pickle.load; this reads it (and safer formats) without Python.
import { dataError, printable, usageError } from '../errors';
import { recogniseArchitecture, type Architecture, type HiddenActivation, type SettingSource } from '../nn/architecture';
import { buildNetwork, mlpView, type FileTensor } from '../nn/buildNetwork';
import { BOOK_PREPROCESSING, type Network as LayerNetwork } from '../nn/layers';
import type { Network as MlpNetwork } from '../nn/network';
import { networkFromTensors, tensorsFromNetwork } from '../nn/params';
import * as path from 'node:path';
import { inflateRawBytes, packageRoot, prepareOutput, readBytes, readSiblingFile, writeFileAtomic } from './files';
import type { FrameworkModel, ReadContext } from './formats/types';
import { parseSafetensors, serializeSafetensors } from './safetensors';
import type { InflateRaw } from './zip';

export type ModelFormat = 'safetensors' | 'npz' | 'pickle';

/** Input normalisation (x − mean) / std after x = p / 255, and where it came from. */
export interface Normalization {
  readonly mean: number;
  readonly std: number;
  readonly from: 'flag' | 'file';
}

/** What the caller settles instead of the file: --activation and --normalize. */
export interface ModelOptions {
  readonly activation?: HiddenActivation;
  readonly normalize?: { readonly mean: number; readonly std: number };
}

export interface LoadedModel {
  /** Ours (safetensors, npz, pickle) or a framework's (pytorch-zip, pytorch-safetensors, onnx, keras, keras-h5, tfjs). */
  readonly format: ModelFormat | string;
  /** What a framework reader recognised and applied (transposed weights, ...), for the report's format line; null for ours. */
  readonly description: string | null;
  /** What the file was recognised as, its layers, and where its activation came from. */
  readonly architecture: Architecture;
  /** The engine's network (nn/layers): what every command can run. */
  readonly network: LayerNetwork;
  /** The dense view for the MLP fast paths (eval's kernel, sweep's cache, the SGD step); null for other networks. */
  readonly mlp: MlpNetwork | null;
  /** The hidden activation, null for a network without hidden layers. */
  readonly activation: HiddenActivation | null;
  readonly activationFrom: SettingSource | null;
  readonly normalization: Normalization | null;
  /** The safetensors "__metadata__" ({} for npz and pickle). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The file's tensors as read (float32 or float64): what rebuilds the network in a worker thread. */
  readonly tensors: ReadonlyMap<string, FileTensor>;
}

/**
 * The largest model file read: 2 GiB minus 1 MiB, just under what one Node buffer and one parse can hold
 * (about 500 million float32 weights; the book's networks are well under 1 MB). Checked by fstat before reading.
 */
export const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024 - 1024 * 1024;

const ACTIVATIONS: readonly HiddenActivation[] = ['sigmoid', 'relu', 'tanh'];

const FORMATS_HINT =
  'mnist-loss reads .safetensors (F32/F64 tensors W1, b1, ... with optional metadata {"activation": "sigmoid"|"relu"|"tanh", "normalize": "MEAN,STD"}), ' +
  ".npz (np.savez(path, W1=W1, b1=b1, ...)), the book's .pkl (a pickled dict of numpy arrays), PyTorch state_dicts (.pt/.pth, safetensors), " +
  'ONNX (.onnx), Keras (.keras, .h5) and TF.js (model.json)';

const EXTENSIONS: Readonly<Record<string, ModelFormat>> = { safetensors: 'safetensors', npz: 'npz', pkl: 'pickle', pickle: 'pickle' };

/** The format a file's first bytes announce, or undefined when they announce none of ours. */
function sniffFormat(bytes: Uint8Array): ModelFormat | undefined {
  // safetensors: u64 header length, then the JSON header's '{'
  if (bytes.length >= 9 && bytes[8] === 0x7b) {
    const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
    if (n <= BigInt(bytes.length - 8)) return 'safetensors';
  }
  // zip: a local file header (PK\3\4) or, for an empty archive, the end record (PK\5\6)
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))) return 'npz';
  // pickle protocol 2-5 starts with PROTO n
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  return undefined;
}

const extensionOf = (file: string) => /\.([A-Za-z0-9]+)$/.exec(file)?.[1].toLowerCase() ?? '';

/** The content decides when it is recognisable (a misnamed file still loads); otherwise the extension. */
export function detectModelFormat(bytes: Uint8Array, file: string): ModelFormat {
  const format = sniffFormat(bytes) ?? EXTENSIONS[extensionOf(file)];
  if (format === undefined)
    throw dataError(`${file}: unknown model format: found neither the content nor the extension of a model file mnist-loss reads`, FORMATS_HINT);
  return format;
}

function checkActivation(value: string, file: string): HiddenActivation {
  if (!(ACTIVATIONS as readonly string[]).includes(value))
    throw dataError(`${file}: metadata says activation "${printable(value)}", expected "sigmoid", "relu" or "tanh"`, 'give the activation (sigmoid, relu or tanh) to override it', { code: 'model-setting', setting: 'activation', problem: 'bad-metadata' });
  return value as HiddenActivation;
}

/** "MEAN,STD" from the metadata: two finite numbers, std > 0. */
function checkNormalize(value: string, file: string): { mean: number; std: number } {
  const m = /^\s*([^,\s]+)\s*,\s*([^,\s]+)\s*$/.exec(value);
  const [mean, std] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!Number.isFinite(mean) || !(std > 0) || !Number.isFinite(std))
    throw dataError(`${file}: metadata says normalize "${printable(value)}", expected "MEAN,STD" (two numbers, STD > 0, e.g. "0.1307,0.3081")`, 'give the normalisation (MEAN,STD) to override it', { code: 'model-setting', setting: 'normalize', problem: 'bad-metadata' });
  return { mean, std };
}

function floatTensor(key: string, t: { shape: readonly number[]; dtype: string; data: ArrayLike<number> }, file: string): FileTensor {
  // By dtype, not array type: parseNpy returns int64 as Float64Array and float16 as Float32Array (exact).
  if (!/^[<>=|]?f[248]$/.test(t.dtype) || !(t.data instanceof Float32Array || t.data instanceof Float64Array))
    throw dataError(`${file}: ${printable(key)} has dtype ${printable(t.dtype)}; expected float32 or float64`, "convert it first, e.g. W.astype('float32')");
  return { shape: t.shape, data: t.data };
}

/**
 * Parses a model file's bytes into the engine's network (pure apart from the injected inflateRaw): the format
 * by content, the architecture by the tensors' names and shapes (nn/architecture.ts), the activation from
 * --activation, then the file's metadata, then a recognised book network, and never a silent default.
 */
export function parseModel(
  bytes: Uint8Array,
  file: string,
  options: ModelOptions = {},
  inflateRaw: InflateRaw = inflateRawBytes,
  readSibling: ReadContext['readSibling'] = (name, what, maxBytes) => readSiblingFile(file, name, what, maxBytes),
): LoadedModel {
  const framework = readFrameworkModel(bytes, file, { activation: options.activation, readSibling }, inflateRaw);
  if (framework !== undefined) return loadedFrameworkModel(framework, file, options);
  const format = detectModelFormat(bytes, file);
  const tensors = new Map<string, FileTensor>();
  let metadata: Record<string, string> = {};
  let allFloat32 = true;
  if (format === 'safetensors') {
    const st = parseSafetensors(bytes, file);
    metadata = st.metadata;
    for (const [k, t] of st.tensors) tensors.set(k, t);
  } else {
    // the npz and pickle parsers are required here, not at the top: most runs read safetensors, and loading them costs ~4 ms
    const arrays = format === 'npz'
      ? (require('./zip') as typeof import('./zip')).parseNpz(bytes, file, inflateRaw)
      : (require('./pickle') as typeof import('./pickle')).parsePickle(bytes, file);
    for (const [k, t] of arrays) {
      tensors.set(k, floatTensor(k, t, file));
      allFloat32 &&= /f4$/.test(t.dtype);
    }
  }
  const has = (key: string) => Object.prototype.hasOwnProperty.call(metadata, key);
  const architecture = recogniseArchitecture(new Map([...tensors].map(([k, t]) => [k, t.shape])), file, {
    activation: options.activation,
    fromFile: has('activation') ? checkActivation(metadata.activation, file) : undefined,
    bookPickle: format === 'pickle' && allFloat32,
    fromSpec: layersSpecOf(metadata, file),
  });
  const fileNormalize = has('normalize') ? checkNormalize(metadata.normalize, file) : undefined;
  const normalization: Normalization | null = options.normalize !== undefined
    ? { ...options.normalize, from: 'flag' }
    : fileNormalize !== undefined ? { ...fileNormalize, from: 'file' } : null;
  const preprocessing = normalization === null ? BOOK_PREPROCESSING : { ...BOOK_PREPROCESSING, mean: normalization.mean, std: normalization.std };
  const network = buildNetwork(architecture, tensors, file, preprocessing);
  return {
    format, description: null, architecture, network, mlp: mlpView(network), metadata, normalization, tensors,
    activation: architecture.activation, activationFrom: architecture.activationFrom,
  };
}

/**
 * A framework's file (PyTorch, Keras, TF.js, ONNX: src/io/formats/), or undefined for one of ours. Each sniffer
 * looks at the content; PyTorch, Keras and TF.js files are zips, pickles, safetensors or JSON too, so they come
 * before ours, and ONNX (whose sniffer also takes a .onnx name, so that a damaged file gets the ONNX message)
 * after. The readers are required here, not at the top: only their files pay for loading them.
 */
function readFrameworkModel(bytes: Uint8Array, file: string, ctx: ReadContext, inflateRaw: InflateRaw): FrameworkModel | undefined {
  const pytorch = require('./formats/pytorch') as typeof import('./formats/pytorch');
  if (pytorch.looksPytorch(bytes, file)) return pytorch.parsePytorch(bytes, file, ctx, inflateRaw);
  const keras = require('./formats/keras') as typeof import('./formats/keras');
  if (keras.looksKeras(bytes, file)) return keras.parseKeras(bytes, file, ctx, inflateRaw);
  const tfjs = require('./formats/tfjs') as typeof import('./formats/tfjs');
  if (tfjs.looksTfjs(bytes, file)) return tfjs.parseTfjs(bytes, file, ctx);
  if (sniffFormat(bytes) !== undefined) return undefined;
  const onnx = require('./formats/onnx') as typeof import('./formats/onnx');
  if (onnx.looksOnnx(bytes, file)) return onnx.parseOnnx(bytes, file, ctx);
  return undefined;
}

/** A framework reader's model as a LoadedModel: its preprocessing, or --normalize when it has none. */
function loadedFrameworkModel(fm: FrameworkModel, file: string, options: ModelOptions): LoadedModel {
  const inModel = fm.preprocessing !== undefined && (fm.preprocessing.mean !== undefined || fm.preprocessing.scale !== BOOK_PREPROCESSING.scale);
  if (inModel && options.normalize !== undefined)
    throw usageError(
      `${printable(file)} normalises its inputs itself (${describeFound(fm.preprocessing!)}), so normalising (MEAN,STD) as asked would apply a second normalisation`,
      'drop the normalisation: the model file says how its inputs are scaled',
      { code: 'model-setting', setting: 'normalize', problem: 'twice' },
    );
  const normalization: Normalization | null = options.normalize !== undefined
    ? { ...options.normalize, from: 'flag' }
    : fm.preprocessing?.mean !== undefined ? { mean: fm.preprocessing.mean, std: fm.preprocessing.std ?? 1, from: 'file' } : null;
  const preprocessing = {
    scale: fm.preprocessing?.scale ?? BOOK_PREPROCESSING.scale,
    ...(normalization === null ? {} : { mean: normalization.mean, std: normalization.std }),
  };
  const network = buildNetwork(fm.architecture, fm.tensors, file, preprocessing);
  return {
    format: fm.format, description: fm.description, architecture: fm.architecture, network, mlp: mlpView(network), metadata: {},
    normalization, tensors: fm.tensors, activation: fm.architecture.activation, activationFrom: fm.architecture.activationFrom,
  };
}

function describeFound(p: { scale: number; mean?: number; std?: number }): string {
  return `x = p * ${p.scale}${p.mean !== undefined ? `, then (x - ${p.mean}) / ${p.std ?? 1}` : ''}`;
}

/** The bundled model's file (data/model.safetensors in the installed package): what `--model bundled` reads. */
export function bundledModelPath(): string {
  return path.join(packageRoot(), 'data', 'model.safetensors');
}

/** Reads and validates a model file (.safetensors, .npz, .pkl/.pickle); a broken file is exit 3. */
export function readModel(file: string, options: ModelOptions = {}): LoadedModel {
  return parseModel(readBytes(file, 'model file', MAX_MODEL_BYTES), file, options);
}

/** A model file name must end in .safetensors (what writeModel writes); a usage error (exit 2) otherwise. */
function checkModelName(file: string): void {
  if (extensionOf(file) === 'safetensors') return;
  const suggestion = `${file.replace(/\.[A-Za-z0-9]+$/, '')}.safetensors`;
  throw usageError(`cannot write ${printable(file)}: models are written as safetensors, so the file name must end in .safetensors`, `use e.g. ${printable(suggestion)}`, { code: 'model-name', suggestion });
}

/**
 * Checks before a run that writeModel(file) will be able to write: the name (exit 2) and the place (exit 3:
 * a folder, a missing or read-only folder; see prepareOutput), so a long training run is not thrown away.
 */
export function prepareModelOutput(file: string): void {
  checkModelName(file);
  prepareOutput(file);
}

/**
 * A layer network to write (`mnist-loss train --arch / --layers`): its tensors W1, b1, ... and the spec that
 * rebuilds it (nn/layersSpec.ts), written as the metadata "layers" beside "arch"; readModel recognises it from them.
 */
export interface SpecModel {
  /** "simple-convnet" (the book's ch07 network) or "layers" (any --layers spec). */
  readonly arch: string;
  /** The canonical spec, e.g. conv30x5-relu-pool2-affine100-relu-affine10. */
  readonly layers: string;
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;
  /** The spec's hidden activation (metadata "activation"), null for none. */
  readonly activation: HiddenActivation | null;
}

const isSpecModel = (net: MlpNetwork | SpecModel): net is SpecModel => 'arch' in net;

/**
 * The "layers" spec a file's metadata states, when it has an "arch" (what writeModel writes for a layer network);
 * undefined otherwise: an MLP written by train keeps its "layers": "784-50-10" as a description only.
 */
export function layersSpecOf(metadata: Readonly<Record<string, string>>, file: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(metadata, 'arch')) return undefined;
  if (typeof metadata.layers !== 'string' || !Object.prototype.hasOwnProperty.call(metadata, 'layers'))
    throw dataError(`${file}: metadata says arch "${printable(metadata.arch, 100)}" but gives no "layers" spec`, 'a layer network written by mnist-loss train carries {"arch": ..., "layers": "conv30x5-relu-pool2-affine100-relu-affine10"}; retrain or fix the metadata');
  return metadata.layers;
}

/**
 * Writes the network as safetensors, atomically (temporary file, fsync, rename): an interrupted or failed write
 * leaves any existing file untouched. An MLP gets metadata {"activation": net.activation, ...metadata}; a layer
 * network {"arch", "layers" (its spec), "activation" (when it has one), ...metadata}. Refuses a network that could
 * not be read back (non-finite weights, shapes that do not fit the spec) before writing anything.
 */
export function writeModel(file: string, net: MlpNetwork | SpecModel, metadata: Readonly<Record<string, string>> = {}): void {
  checkModelName(file);
  if (isSpecModel(net)) {
    const label = `cannot write ${file}`;
    const architecture = recogniseArchitecture(new Map([...net.tensors].map(([k, t]) => [k, t.shape])), label, { fromSpec: net.layers });
    buildNetwork(architecture, net.tensors, label); // every value finite
    const meta: Record<string, string> = { arch: net.arch, layers: net.layers, ...(net.activation !== null ? { activation: net.activation } : {}) };
    for (const [k, v] of Object.entries(metadata)) if (!Object.prototype.hasOwnProperty.call(meta, k)) meta[k] = v;
    writeFileAtomic(file, serializeSafetensors(net.tensors, meta));
    return;
  }
  const tensors = tensorsFromNetwork(net);
  networkFromTensors(tensors, net.activation, `cannot write ${file}`);
  const meta: Record<string, string> = { activation: net.activation };
  for (const [k, v] of Object.entries(metadata)) if (k !== 'activation') meta[k] = v;
  writeFileAtomic(file, serializeSafetensors(tensors, meta));
}
