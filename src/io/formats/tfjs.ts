// TF.js layers models -> FrameworkModel: model.json (format "layers-model": modelTopology = the Keras config,
// weightsManifest = groups of {paths, weights: [{name, shape, dtype, quantization?}]}) and the binary shards it
// names, read only through ctx.readSibling (inside the model's folder). Follows tfjs-core's io/types.ts and
// weights_loader: a group's weights lie back to back, in manifest order, across its concatenated shards.
// Layers are mapped by kerasLayers.ts, shared with Keras.
import { dataError, modelUnsupported, printable } from '../../errors';
import type { FileTensor } from '../../nn/buildNetwork';
import { isObject, mapKerasModel, parseBoundedJson, utf8, type Json, type LayerWeights } from './kerasLayers';
import type { FrameworkModel, ReadContext } from './types';

/** The most characters of model.json (the topology; weights live in the shards). Real ones are ~10 KB. */
export const MAX_MODEL_JSON_CHARS = 32 * 1024 * 1024;
/** The most bytes all shards together may hold (checked on the manifest before a shard is read). */
export const MAX_SHARD_BYTES = 256 * 1024 * 1024;
/** The most manifest entries and shard paths read. */
export const MAX_MANIFEST_WEIGHTS = 10_000;
export const MAX_SHARDS = 1_000;
/** How far into the file looksTfjs searches for "modelTopology" (both writers put it near the start). */
const SNIFF_BYTES = 64 * 1024;

const HINT = "the model.json is damaged or not a TF.js layers model: save it again with model.save('file://...') or tensorflowjs_converter --input_format keras";
const GRAPH = modelUnsupported('a TF.js graph model holds TensorFlow ops, not Keras layers: convert the Keras model with tensorflowjs_converter --input_format keras (a layers model)');

/** Bytes per stored element, by the dtype the shard holds (tfjs-core DTYPE_VALUE_SIZE_MAP + quantization). */
const STORED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

interface Entry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  /** What the shard stores: dtype, or the quantization dtype. */
  readonly stored: string;
  readonly scale?: number;
  readonly min?: number;
  /** Byte range in its group's concatenated shards. */
  readonly begin: number;
  readonly end: number;
  readonly group: number;
}

const shown = (s: string) => `'${printable(s, 120)}'`;

/** The manifest's entries with their byte ranges; every size is checked before a shard is read. */
function readManifest(manifest: unknown, file: string): { entries: Entry[]; groups: { paths: string[]; bytes: number }[] } {
  if (!Array.isArray(manifest) || manifest.length === 0) throw dataError(`${file}: weightsManifest is not a list of weight groups`, HINT);
  const entries: Entry[] = [];
  const groups: { paths: string[]; bytes: number }[] = [];
  let total = 0, shards = 0;
  const names = new Set<string>();
  manifest.forEach((g, gi) => {
    const at = `${file}: weightsManifest[${gi}]`;
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) throw dataError(`${at} is not a {paths, weights} group`, HINT);
    if (!g.paths.every((p): p is string => typeof p === 'string')) throw dataError(`${at}.paths holds a non-string`, HINT);
    shards += g.paths.length;
    if (shards > MAX_SHARDS) throw dataError(`${file}: the manifest names more than ${MAX_SHARDS} shards`, HINT);
    let offset = 0;
    for (const [wi, w] of (g.weights as unknown[]).entries()) {
      const wat = `${at}.weights[${wi}]`;
      if (entries.length >= MAX_MANIFEST_WEIGHTS) throw dataError(`${file}: the manifest lists more than ${MAX_MANIFEST_WEIGHTS} weights`, HINT);
      if (!isObject(w) || typeof w.name !== 'string' || typeof w.dtype !== 'string' || !Array.isArray(w.shape)) throw dataError(`${wat} is not a {name, shape, dtype} entry`, HINT);
      const shape = w.shape as unknown[];
      if (shape.length > 8 || !shape.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0 && d <= MAX_SHARD_BYTES))
        throw dataError(`${wat} ${shown(w.name)} has a shape that is not a list of at most 8 sizes`, HINT);
      if (names.has(w.name)) throw dataError(`${wat}: the weight ${shown(w.name)} appears twice`, HINT);
      names.add(w.name);
      const q = w.quantization;
      let stored = w.dtype, scale: number | undefined, min: number | undefined;
      if (q !== undefined && q !== null) {
        if (!isObject(q) || typeof q.dtype !== 'string') throw dataError(`${wat} ${shown(w.name)} has a quantization that is not {dtype, ...}`, HINT);
        stored = q.dtype;
        if (stored === 'uint8' || stored === 'uint16') {
          if (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min))
            throw dataError(`${wat} ${shown(w.name)} is quantised to ${stored} without a finite scale and min`, HINT);
          [scale, min] = [q.scale, q.min];
        } else if (stored !== 'float16') throw dataError(`${wat} ${shown(w.name)} has quantization dtype ${shown(stored)}; TF.js defines uint8, uint16 and float16`, HINT);
        if (w.dtype !== 'float32') throw dataError(`${wat} ${shown(w.name)} is a quantised ${shown(w.dtype)}; expected float32 (the only dtype TF.js quantises for layers)`, HINT);
      }
      const size = STORED_BYTES[stored];
      if (size === undefined) throw dataError(`${wat} ${shown(w.name)} has dtype ${shown(stored)}; mnist-loss reads float32, float16, uint8/uint16-quantised (and skips int32/bool) weights`, HINT);
      const bytes = shape.reduce((p, d) => p * d, 1) * size;
      total += bytes;
      if (total > MAX_SHARD_BYTES) throw dataError(`${file}: the manifest's weights take more than ${MAX_SHARD_BYTES} bytes`, 'a model for MNIST is far smaller: check that this is the right file');
      entries.push({ name: w.name, shape, dtype: w.dtype, stored, scale, min, begin: offset, end: offset + bytes, group: gi });
      offset += bytes;
    }
    groups.push({ paths: g.paths as string[], bytes: offset });
  });
  return { entries, groups };
}

/** A group's shards, concatenated; each read may be at most what the manifest still needs, the sum exactly that. */
function readShards(group: { paths: string[]; bytes: number }, index: number, file: string, ctx: ReadContext): Uint8Array {
  const out = new Uint8Array(group.bytes);
  let at = 0;
  for (const p of group.paths) {
    const part = ctx.readSibling(p, 'TF.js weight shard', group.bytes - at);
    out.set(part, at);
    at += part.length;
  }
  if (at !== group.bytes)
    throw dataError(`${file}: weightsManifest[${index}]'s shards hold ${at} bytes, its weights need ${group.bytes} (truncated or mismatched shards?)`, HINT);
  return out;
}

/** IEEE 754 binary16 -> number (exact in float32). */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The entry's values as float32 (dequantised: q · scale + min, as tfjs-core's weights_loader computes it). */
function decode(e: Entry, bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + e.begin, e.end - e.begin);
  const n = e.shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(n);
  switch (e.stored) {
    case 'float32': for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true); break;
    case 'float16': for (let i = 0; i < n; i++) out[i] = half(view.getUint16(2 * i, true)); break;
    case 'uint8': for (let i = 0; i < n; i++) out[i] = view.getUint8(i) * e.scale! + e.min!; break;
    case 'uint16': for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, true) * e.scale! + e.min!; break;
  }
  return out;
}

/** The layer a weight belongs to and its parameter: 'conv2d/kernel', 'sequential/dense/bias:0'. */
function split(name: string): { layer: string; param: string } {
  const parts = name.replace(/:\d+$/, '').split('/');
  return { layer: parts.length >= 2 ? parts[parts.length - 2] : '', param: parts[parts.length - 1] };
}

function tfjsWeights(entries: readonly Entry[], shards: readonly Uint8Array[], file: string): LayerWeights {
  return (layer, wanted) => {
    const at = `${file}: layer ${layer.position} '${printable(layer.name, 80)}' (${printable(layer.className, 60)})`;
    const mine = entries.filter((e) => split(e.name).layer === layer.name);
    if (mine.length !== wanted.length)
      throw dataError(`${at}: the manifest holds ${mine.length} weights for it, its config implies ${wanted.length} (${wanted.map((w) => w.param).join(', ')})`, HINT);
    return wanted.map((w): FileTensor => {
      const e = mine.filter((m) => split(m.name).param === w.param);
      if (e.length !== 1) throw dataError(`${at}: the manifest has ${e.length === 0 ? 'no' : 'more than one'} '${w.param}' for it`, HINT);
      const entry = e[0];
      if (entry.shape.length !== w.shape.length || entry.shape.some((d, i) => d !== w.shape[i]))
        throw dataError(`${at}: ${shown(entry.name)} has shape [${entry.shape.join(', ')}], but the layer's config implies [${w.shape.join(', ')}]`, HINT);
      if (entry.dtype !== 'float32') throw dataError(`${at}: ${shown(entry.name)} has dtype ${shown(entry.dtype)}; expected float32`, HINT);
      return { shape: w.shape, data: decode(entry, shards[entry.group]) };
    });
  };
}

/**
 * A TF.js model.json by content: a JSON object with a "modelTopology" key in its first 64 KB (layers and graph
 * models both; parseTfjs refuses a graph model with the fix).
 */
export function looksTfjs(bytes: Uint8Array, _file: string): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b) return false;
  const head = new TextDecoder('latin1').decode(bytes.subarray(i, Math.min(bytes.length, SNIFF_BYTES)));
  return head.includes('"modelTopology"');
}

/** Reads a TF.js layers model: model.json's bytes here, its shards through ctx.readSibling. */
export function parseTfjs(bytes: Uint8Array, file: string, ctx: ReadContext): FrameworkModel {
  // checked on the bytes, before decoding them (a character takes at least one byte)
  if (bytes.length > MAX_MODEL_JSON_CHARS) throw dataError(`${file}: ${bytes.length} bytes, more than the ${MAX_MODEL_JSON_CHARS} a model.json may have`, HINT);
  const text = utf8(bytes, `${file}: model.json`, HINT).replace(/^\uFEFF/, '');
  const doc = parseBoundedJson(text, `${file}`, MAX_MODEL_JSON_CHARS, HINT);
  if (!isObject(doc)) throw dataError(`${file}: not a JSON object`, HINT);
  const topology = doc.modelTopology;
  if (doc.format === 'graph-model' || (isObject(topology) && Array.isArray(topology.node)))
    throw dataError(`${file}: a TF.js graph model (format 'graph-model'), not a layers model`, ...GRAPH);
  if (doc.format !== undefined && doc.format !== 'layers-model') throw dataError(`${file}: model.json has format ${typeof doc.format === 'string' ? shown(doc.format) : 'of no string'}; expected 'layers-model'`, HINT);
  if (!isObject(topology)) throw dataError(`${file}: model.json has no modelTopology object`, HINT);
  // tensorflowjs_converter keeps the Keras file's {keras_version, backend, model_config}; tfjs-layers writes the config itself
  const root = isObject(topology.model_config) ? (topology.model_config as Json) : topology;
  const { entries, groups } = readManifest(doc.weightsManifest, file);
  const shards = groups.map((g, i) => readShards(g, i, file, ctx));
  const stored = [...new Set(entries.map((e) => e.stored))].filter((s) => s !== 'float32');
  const quantised = stored.length === 0 ? '' : `, weights dequantised from ${stored.map((s) => (s === 'float16' ? 'float16' : `${s} (q * scale + min)`)).join(' and ')}`;
  const paths = groups.reduce((n, g) => n + g.paths.length, 0);
  return mapKerasModel(root, file, tfjsWeights(entries, shards, file), {
    format: 'tfjs',
    recognised: 'tfjs',
    label: `TF.js layers model (model.json + ${paths} shard${paths === 1 ? '' : 's'}${quantised})`,
  });
}
