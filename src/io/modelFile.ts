// Model files -> Network and back: picks the parser by content (magic bytes) or extension, settles the
// activation (--activation flag, the file's metadata, or the book's sigmoid), writes safetensors atomically.
// The book reads ch03/sample_weight.pkl with pickle.load; this reads it (and safer formats) without Python.
import { dataError, printable, usageError } from '../errors';
import type { Activation, Network } from '../nn/network';
import { networkFromTensors, tensorsFromNetwork, type NamedTensor } from '../nn/params';
import { inflateRawBytes, prepareOutput, readBytes, writeFileAtomic } from './files';
import { parseSafetensors, serializeSafetensors } from './safetensors';
import type { InflateRaw } from './zip';

export type ModelFormat = 'safetensors' | 'npz' | 'pickle';

export interface LoadedModel {
  readonly net: Network;
  readonly format: ModelFormat;
  readonly activation: Activation;
  /** Where the activation came from: the --activation flag, the file's metadata, or the default (sigmoid). */
  readonly activationFrom: 'file' | 'flag' | 'default';
  /** The safetensors "__metadata__" ({} for npz and pickle). */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The largest model file read: 2 GiB minus 1 MiB, just under what one Node buffer and one parse can hold
 * (about 500 million float32 weights; the book's networks are well under 1 MB). Checked by fstat before reading.
 */
export const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024 - 1024 * 1024;

/** The book's ch03 network uses sigmoid; npz and pickle files carry no activation, so they get it too. */
export const DEFAULT_ACTIVATION: Activation = 'sigmoid';
const ACTIVATIONS: readonly Activation[] = ['sigmoid', 'relu'];

const FORMATS_HINT =
  'mnist-loss reads .safetensors (F32/F64 tensors W1, b1, ... with optional metadata {"activation": "sigmoid"|"relu"}), ' +
  ".npz (np.savez(path, W1=W1, b1=b1, ...)) and the book's .pkl (a pickled dict of numpy arrays)";

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
    throw dataError(`${file}: unknown model format: expected a .safetensors, .npz or .pkl/.pickle file, found neither the extension nor the content of one`, FORMATS_HINT);
  return format;
}

function checkActivation(value: string, file: string): Activation {
  if (!(ACTIVATIONS as readonly string[]).includes(value))
    throw dataError(`${file}: metadata says activation "${printable(value)}", expected "sigmoid" or "relu"`, 'pass --activation sigmoid|relu to override it');
  return value as Activation;
}

function floatTensor(key: string, t: { shape: readonly number[]; dtype: string; data: ArrayLike<number> }, file: string): NamedTensor {
  // By dtype, not array type: parseNpy returns int64 as Float64Array and float16 as Float32Array (exact).
  if (!/^[<>=|]?f[248]$/.test(t.dtype) || !(t.data instanceof Float32Array || t.data instanceof Float64Array))
    throw dataError(`${file}: ${printable(key)} has dtype ${printable(t.dtype)}; expected float32 or float64`, "convert it first, e.g. W.astype('float32')");
  return { shape: t.shape, data: t.data };
}

/**
 * Parses a model file's bytes into a Network (pure apart from the injected inflateRaw).
 * activationOverride (the --activation flag) wins over the file's metadata; without either: sigmoid.
 */
export function parseModel(bytes: Uint8Array, file: string, activationOverride?: Activation, inflateRaw: InflateRaw = inflateRawBytes): LoadedModel {
  const format = detectModelFormat(bytes, file);
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  if (format === 'safetensors') {
    const st = parseSafetensors(bytes, file);
    metadata = st.metadata;
    for (const [k, t] of st.tensors) tensors.set(k, t);
  } else {
    // the npz and pickle parsers are required here, not at the top: most runs read safetensors, and loading them costs ~4 ms
    const arrays = format === 'npz'
      ? (require('./zip') as typeof import('./zip')).parseNpz(bytes, file, inflateRaw)
      : (require('./pickle') as typeof import('./pickle')).parsePickle(bytes, file);
    for (const [k, t] of arrays) tensors.set(k, floatTensor(k, t, file));
  }
  const fromFile = Object.prototype.hasOwnProperty.call(metadata, 'activation') ? metadata.activation : undefined;
  let activation: Activation = DEFAULT_ACTIVATION;
  let activationFrom: LoadedModel['activationFrom'] = 'default';
  if (activationOverride !== undefined) [activation, activationFrom] = [activationOverride, 'flag'];
  else if (fromFile !== undefined) [activation, activationFrom] = [checkActivation(fromFile, file), 'file'];
  return { net: networkFromTensors(tensors, activation, file), format, activation, activationFrom, metadata };
}

/** Reads and validates a model file (.safetensors, .npz, .pkl/.pickle); every problem is exit 3. */
export function readModel(file: string, activationOverride?: Activation): LoadedModel {
  return parseModel(readBytes(file, 'model file', MAX_MODEL_BYTES), file, activationOverride);
}

/** A model file name must end in .safetensors (what writeModel writes); a usage error (exit 2) otherwise. */
function checkModelName(file: string): void {
  if (extensionOf(file) !== 'safetensors')
    throw usageError(`cannot write ${printable(file)}: models are written as safetensors, so the file name must end in .safetensors`, `use e.g. --out ${printable(file.replace(/\.[A-Za-z0-9]+$/, ''))}.safetensors`);
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
 * Writes the network as safetensors with metadata {"activation": net.activation, ...metadata}, atomically
 * (temporary file, fsync, rename): an interrupted or failed write leaves any existing file untouched.
 * Refuses a network that could not be read back (non-finite weights, broken shapes) before writing anything.
 */
export function writeModel(file: string, net: Network, metadata: Readonly<Record<string, string>> = {}): void {
  checkModelName(file);
  const tensors = tensorsFromNetwork(net);
  networkFromTensors(tensors, net.activation, `cannot write ${file}`);
  const meta: Record<string, string> = { activation: net.activation };
  for (const [k, v] of Object.entries(metadata)) if (k !== 'activation') meta[k] = v;
  writeFileAtomic(file, serializeSafetensors(tensors, meta));
}
