// Keras models -> FrameworkModel: the native .keras zip (config.json + model.weights.h5, Keras 3's model.save)
// and the legacy HDF5 .h5 (the root model_config attribute, weights under model_weights/<layer>/...). HDF5 is
// read by jsfive (pure JavaScript, pyfive's port; loaded on first use); every exception it throws on a damaged
// file becomes exit 3 naming the file. Layers are mapped by kerasLayers.ts, shared with TF.js.
import { dataError, MnistLossError, printable } from '../../errors';
import type { FileTensor } from '../../nn/buildNetwork';
import { inflateRawBytes } from '../files';
import { readZipEntries, type InflateRaw, type ZipEntry } from '../zip';
import { isObject, mapKerasModel, parseBoundedJson, utf8, type KerasLayerRef, type LayerWeights, type WeightRequest } from './kerasLayers';
import type { FrameworkModel, ReadContext } from './types';

/** The most HDF5 bytes handed to jsfive (a .h5 file, or a .keras archive's model.weights.h5). */
export const MAX_HDF5_BYTES = 256 * 1024 * 1024;
/** The most characters of a model config (config.json, the model_config attribute). Real ones are ~10 KB. */
export const MAX_CONFIG_CHARS = 16 * 1024 * 1024;
/**
 * The most values one weight may hold (a 64 MiB float32 tensor; jsfive returns it as a JS array of doubles),
 * and all weights together: checked on the declared shape before jsfive reads a value.
 */
export const MAX_TENSOR_VALUES = 1 << 24;
export const MAX_TOTAL_VALUES = 1 << 26;

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const HINT_DAMAGED = "the file is damaged or not a Keras model: save it again with model.save('model.keras')";
const HINT_WEIGHTS_ONLY = "a weights-only file has no layers to map: save the whole model with model.save('model.keras') (or model.save('model.h5'))";

/** The part of jsfive's API used here (it ships no types). */
interface H5Node { readonly attrs: Record<string, unknown> }
interface H5Group extends H5Node { readonly keys: string[]; get(path: string): unknown }
interface H5Dataset extends H5Node { readonly shape: number[]; readonly dtype: unknown; readonly value: unknown }
interface Jsfive {
  File: new (buffer: ArrayBuffer, name: string) => H5Group;
  Group: abstract new (...args: never[]) => H5Group;
  Dataset: abstract new (...args: never[]) => H5Dataset;
}

function loadJsfive(): Jsfive {
  // required here, not at the top: only Keras files pay for loading it (~15 ms)
  return require('jsfive') as Jsfive;
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
const isZip = (bytes: Uint8Array) => startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]);

/** Runs a jsfive call; anything it throws (strings, RangeErrors from its DataView reads) is exit 3 naming the file. */
function h5<T>(file: string, what: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof MnistLossError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw dataError(`${file}: damaged or unsupported HDF5 while reading ${what} (${printable(why, 120)})`, HINT_DAMAGED);
  }
}

/** The HDF5 file jsfive sees; the size cap is checked before it gets the bytes. */
function openHdf5(lib: Jsfive, bytes: Uint8Array, file: string): H5Group {
  if (bytes.length > MAX_HDF5_BYTES) throw dataError(`${file}: ${bytes.length} bytes of HDF5, more than the ${MAX_HDF5_BYTES}-byte limit`, 'a Keras model for MNIST is far smaller: check that this is the right file');
  if (!startsWith(bytes, HDF5_SIGNATURE)) throw dataError(`${file}: not an HDF5 file (no \\x89HDF signature)`, HINT_DAMAGED);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return h5(file, 'the superblock', () => new lib.File(buffer, file));
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
const showShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Reads weights from an HDF5 file through jsfive, each checked against what the config implies first. */
class Hdf5Weights {
  private total = 0;
  constructor(private readonly lib: Jsfive, private readonly file: string) {}

  /** A child of a group (a single path segment from the file: no '/' walks), or undefined. */
  child(group: H5Group, name: string, what: string): unknown {
    if (name === '' || name.includes('/') || name === '.' || name === '..') return undefined;
    return h5(this.file, what, () => (group.keys.includes(name) ? group.get(name) : undefined));
  }

  group(v: unknown): H5Group | undefined {
    return v instanceof this.lib.Group ? (v as H5Group) : undefined;
  }

  /** The dataset `v` as a tensor of `want.shape`, float16/32 -> Float32Array, float64 -> Float64Array. */
  read(v: unknown, want: WeightRequest, where: string): FileTensor {
    if (!(v instanceof this.lib.Dataset)) throw dataError(`${where} is not a dataset`, HINT_DAMAGED);
    const ds = v as H5Dataset;
    const [shape, dtype] = h5(this.file, where, () => [ds.shape, ds.dtype] as const);
    if (!Array.isArray(shape) || shape.length !== want.shape.length || shape.some((d, i) => d !== want.shape[i]))
      throw dataError(`${where} has shape ${Array.isArray(shape) ? showShape(shape) : '?'}, but the layer's config implies ${showShape(want.shape)}`, HINT_DAMAGED);
    if (typeof dtype !== 'string' || !/^[<>=|]?f[248]$/.test(dtype))
      throw dataError(`${where} has dtype ${typeof dtype === 'string' ? printable(dtype, 20) : 'compound'}; expected float16, float32 or float64`, HINT_DAMAGED);
    const n = sizeOf(want.shape);
    if (n > MAX_TENSOR_VALUES) throw dataError(`${where} holds ${n} values, more than the ${MAX_TENSOR_VALUES} allowed for one weight`, 'a model for MNIST is far smaller: check that this is the right file');
    this.total += n;
    if (this.total > MAX_TOTAL_VALUES) throw dataError(`${this.file}: the weights hold more than ${MAX_TOTAL_VALUES} values together`, 'a model for MNIST is far smaller: check that this is the right file');
    const value = h5(this.file, where, () => ds.value);
    if (!(Array.isArray(value) || ArrayBuffer.isView(value)) || (value as ArrayLike<unknown>).length !== n)
      throw dataError(`${where}: jsfive read ${Array.isArray(value) ? (value as unknown[]).length : 'no'} values, the shape says ${n}`, HINT_DAMAGED);
    const values = value as ArrayLike<number>;
    for (let i = 0; i < n; i++) if (typeof values[i] !== 'number') throw dataError(`${where}[${i}] is not a number`, HINT_DAMAGED);
    return { shape: want.shape, data: dtype.endsWith('8') ? Float64Array.from(values) : Float32Array.from(values) };
  }
}

const where = (file: string, layer: KerasLayerRef) => `${file}: layer ${layer.position} '${printable(layer.name, 80)}' (${printable(layer.className, 60)})`;

/**
 * Keras 3's model.weights.h5: layers/<saveName>/vars/0, 1, ... in the layer's variable order, found the way
 * saving_lib loads them (by class-derived path, not by layer name); Keras 3.0's _layer_checkpoint_dependencies/<name>
 * as the fallback. The vars group's 'name' attribute, where present, must name the layer.
 */
function nativeWeights(root: H5Group, reader: Hdf5Weights, file: string): LayerWeights {
  const modern = reader.group(reader.child(root, 'layers', 'layers'));
  const legacy = modern === undefined ? reader.group(reader.child(root, '_layer_checkpoint_dependencies', 'layers')) : undefined;
  return (layer, wanted) => {
    const at = where(file, layer);
    const [container, groupName, path] = modern !== undefined ? [modern, layer.saveName, 'layers'] : [legacy, layer.name, '_layer_checkpoint_dependencies'];
    const g = container === undefined ? undefined : reader.group(reader.child(container, groupName, at));
    const vars = g === undefined ? undefined : reader.group(reader.child(g, 'vars', at));
    const shownPath = `${path}/${printable(groupName, 80)}/vars`;
    if (vars === undefined) throw dataError(`${at}: model.weights.h5 holds no weights for it (no ${shownPath}: truncated or damaged?)`, HINT_DAMAGED);
    const owner = stringAttr(vars, 'name', file);
    if (owner !== undefined && owner !== layer.name) throw dataError(`${at}: model.weights.h5's ${shownPath} belongs to layer '${printable(owner, 80)}'`, HINT_DAMAGED);
    const keys = h5(file, at, () => vars.keys).filter((k) => /^(0|[1-9][0-9]{0,5})$/.test(k)).sort((a, b) => Number(a) - Number(b));
    if (keys.length !== wanted.length || keys.some((k, i) => k !== String(i)))
      throw dataError(`${at}: model.weights.h5 holds ${keys.length} weights for it in ${shownPath}, its config implies ${wanted.length} (${wanted.map((w) => w.param).join(', ')})`, HINT_DAMAGED);
    return wanted.map((w, i) => reader.read(reader.child(vars, keys[i], at), w, `${at} ${w.param} (${shownPath}/${i})`));
  };
}

/** The legacy .h5: model_weights/<name> lists its datasets in the weight_names attribute ('.../kernel:0'). */
function legacyWeights(root: H5Group, reader: Hdf5Weights, file: string): LayerWeights {
  const modelWeights = reader.group(reader.child(root, 'model_weights', 'model_weights'));
  if (modelWeights === undefined) throw dataError(`${file}: the HDF5 file has a model_config but no model_weights group`, HINT_DAMAGED);
  return (layer, wanted) => {
    const at = where(file, layer);
    const g = reader.group(reader.child(modelWeights, layer.name, at));
    if (g === undefined) throw dataError(`${at}: the file holds no weights for it (no model_weights/${printable(layer.name, 80)}: truncated or damaged?)`, HINT_DAMAGED);
    const names = h5(file, at, () => g.attrs.weight_names);
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw dataError(`${at}: model_weights/${printable(layer.name, 80)} has no weight_names list`, HINT_DAMAGED);
    if (names.length !== wanted.length)
      throw dataError(`${at}: the file holds ${names.length} weights for it, its config implies ${wanted.length} (${wanted.map((w) => w.param).join(', ')})`, HINT_DAMAGED);
    return wanted.map((w) => {
      const matches = (names as string[]).filter((n) => n.replace(/:\d+$/, '').split('/').at(-1) === w.param);
      if (matches.length !== 1) throw dataError(`${at}: weight_names has ${matches.length === 0 ? 'no' : 'more than one'} '${w.param}'`, HINT_DAMAGED);
      const path = matches[0];
      const ds = h5(file, `${at} ${w.param}`, () => g.get(path));
      return reader.read(ds, w, `${at} ${w.param} ('${printable(path, 120)}')`);
    });
  };
}

/** A string attribute, or undefined. */
function stringAttr(node: H5Node, key: string, file: string): string | undefined {
  const v = h5(file, `the ${key} attribute`, () => (Object.prototype.hasOwnProperty.call(node.attrs, key) ? node.attrs[key] : undefined));
  return typeof v === 'string' ? v : undefined;
}

function parseLegacyH5(bytes: Uint8Array, file: string): FrameworkModel {
  const lib = loadJsfive();
  const root = openHdf5(lib, bytes, file);
  const config = stringAttr(root, 'model_config', file);
  if (config === undefined) {
    const keys = h5(file, 'the root group', () => root.keys);
    const weightsOnly = keys.includes('layers') || keys.includes('vars') || h5(file, 'the root attributes', () => 'layer_names' in root.attrs);
    throw dataError(
      weightsOnly
        ? `${file}: an HDF5 file of weights only (model.save_weights): it has no model_config attribute, so no layers to map`
        : `${file}: an HDF5 file without a Keras model_config attribute (not a Keras model saved with model.save)`,
      HINT_WEIGHTS_ONLY,
    );
  }
  const version = stringAttr(root, 'keras_version', file);
  const topology = parseBoundedJson(config, `${file}: the model_config attribute`, MAX_CONFIG_CHARS, HINT_DAMAGED);
  const reader = new Hdf5Weights(lib, file);
  return mapKerasModel(topology, file, legacyWeights(root, reader, file), {
    format: 'keras-h5',
    recognised: 'keras',
    label: `Keras legacy HDF5 (.h5: model_config + model_weights${version === undefined ? '' : `, Keras ${printable(version, 20)}`})`,
  });
}

function member(entries: readonly ZipEntry[], name: string): ZipEntry | undefined {
  return entries.find((e) => e.name === name);
}

function parseKerasZip(bytes: Uint8Array, file: string, inflateRaw: InflateRaw): FrameworkModel {
  const entries = readZipEntries(bytes, file, inflateRaw, MAX_HDF5_BYTES + MAX_CONFIG_CHARS);
  const configEntry = member(entries, 'config.json');
  const weightsEntry = member(entries, 'model.weights.h5');
  if (configEntry === undefined) throw dataError(`${file}: the zip has no config.json, so it is not a .keras model`, HINT_DAMAGED);
  if (weightsEntry === undefined) {
    const other = entries.find((e) => e.name.startsWith('model.weights'));
    throw dataError(
      `${file}: the .keras archive has no model.weights.h5${other === undefined ? '' : ` (it has ${printable(other.name, 60)}: mnist-loss reads the default h5 weights format)`}`,
      "save the model with Keras's defaults: model.save('model.keras')",
    );
  }
  if (configEntry.size > MAX_CONFIG_CHARS) throw dataError(`${file}: config.json declares ${configEntry.size} bytes, more than the ${MAX_CONFIG_CHARS} allowed`, HINT_DAMAGED);
  if (weightsEntry.size > MAX_HDF5_BYTES) throw dataError(`${file}: model.weights.h5 declares ${weightsEntry.size} bytes, more than the ${MAX_HDF5_BYTES}-byte limit`, 'a Keras model for MNIST is far smaller: check that this is the right file');
  const topology = parseBoundedJson(utf8(configEntry.bytes(), `${file}: config.json`, HINT_DAMAGED), `${file}: config.json`, MAX_CONFIG_CHARS, HINT_DAMAGED);
  let version: string | undefined;
  const meta = member(entries, 'metadata.json');
  if (meta !== undefined && meta.size <= 64 * 1024) {
    const m = parseBoundedJson(utf8(meta.bytes(), `${file}: metadata.json`, HINT_DAMAGED), `${file}: metadata.json`, 64 * 1024, HINT_DAMAGED);
    if (isObject(m) && typeof m.keras_version === 'string') version = m.keras_version;
  }
  const lib = loadJsfive();
  const weightsFile = `${file} (model.weights.h5)`;
  const root = openHdf5(lib, weightsEntry.bytes(), weightsFile);
  const reader = new Hdf5Weights(lib, weightsFile);
  return mapKerasModel(topology, file, nativeWeights(root, reader, weightsFile), {
    format: 'keras',
    recognised: 'keras',
    label: `Keras .keras (config.json + model.weights.h5${version === undefined ? '' : `, Keras ${printable(version, 20)}`})`,
  });
}

/**
 * A Keras model by content: an HDF5 file (signature \x89HDF\r\n\x1a\n at byte 0: the legacy .h5, or a
 * weights-only file, which parseKeras refuses with the fix), or a zip holding config.json and model.weights.*.
 */
export function looksKeras(bytes: Uint8Array, file: string): boolean {
  if (startsWith(bytes, HDF5_SIGNATURE)) return true;
  if (!isZip(bytes)) return false;
  try {
    const names = readZipEntries(bytes, file, inflateRawBytes).map((e) => e.name);
    return names.includes('config.json') && names.some((n) => n.startsWith('model.weights'));
  } catch {
    return false; // not a readable zip: another reader (npz, PyTorch) gives the diagnosis
  }
}

/** Reads a Keras model (.keras zip or legacy .h5). Keras configs state their activations: ctx is not needed. */
export function parseKeras(bytes: Uint8Array, file: string, _ctx?: ReadContext, inflateRaw: InflateRaw = inflateRawBytes): FrameworkModel {
  return isZip(bytes) ? parseKerasZip(bytes, file, inflateRaw) : parseLegacyH5(bytes, file);
}
