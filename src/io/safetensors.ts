// safetensors <-> typed arrays: a pure parser that trusts nothing in the file, and a writer that lays
// files out as the official writer does. Mirrors huggingface/safetensors safetensors/src/tensor.rs
// (read_metadata + Metadata::validate, prepare + serialize): u64 LE header length, JSON header, data.
import { dataError, printable } from '../errors';
import { jsonDepth } from './jsonDepth';

/** Element types mnist-loss writes. */
export type SafetensorsDtype = 'F32' | 'F64';
/** Element types mnist-loss reads: F16 and BF16 widen exactly to float32; I64 only on request (PyTorch buffers). */
export type SafetensorsReadDtype = SafetensorsDtype | 'F16' | 'BF16' | 'I64';

export interface SafetensorsTensor {
  readonly dtype: SafetensorsReadDtype;
  readonly shape: number[];
  /**
   * Row-major values, copied out of the file (so they are aligned and own their memory): F32, F16 and BF16 as
   * float32 (exact), F64 as float64, I64 as float64 (exact up to 2^53; these are counters such as
   * num_batches_tracked, never weights).
   */
  readonly data: Float32Array | Float64Array;
}

export interface SafetensorsOptions {
  /** Read I64 tensors too (a PyTorch state_dict's BatchNorm num_batches_tracked); refused otherwise. */
  readonly int64?: boolean;
}

export interface Safetensors {
  /** Tensors in header order. */
  readonly tensors: Map<string, SafetensorsTensor>;
  /** The optional "__metadata__" object: string keys to string values ({} when absent). */
  readonly metadata: Record<string, string>;
}

/** The official reader's limit (MAX_HEADER_SIZE = 100_000_000): a larger header is a hostile file. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Brackets deeper than this in the header are refused before JSON.parse (a real header nests 3 deep). */
export const MAX_HEADER_DEPTH = 64;
/** More dimensions than numpy or PyTorch arrays can have (both stop at 64). */
const MAX_DIMS = 64;

const ITEM_SIZE: Readonly<Record<SafetensorsReadDtype, number>> = { F16: 2, BF16: 2, F32: 4, F64: 8, I64: 8 };
const FLOAT_DTYPES: readonly string[] = ['F16', 'BF16', 'F32', 'F64'];
/** Every dtype the format defines, so an unsupported one gets a clearer message than a typo does. */
const KNOWN_DTYPES = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];
const HINT = 'the file is not a valid safetensors file or is damaged: export it again (safetensors save_file)';
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsReadDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}


/** How many characters of a JSON value from the file a message shows. */
const MAX_SHOWN_JSON = 60;

/**
 * A JSON value from the file, for a message: written as JSON but stopped at MAX_SHOWN_JSON characters
 * ("…"), strings escaped by printable(); never the whole value (JSON.stringify of a hostile value can be
 * huge or overflow the stack).
 */
function describeJson(v: unknown): string {
  let out = '';
  const put = (text: string) => { out += text; return out.length <= MAX_SHOWN_JSON; };
  const walk = (x: unknown): boolean => {
    if (x === undefined) return put('undefined');
    if (x === null || typeof x === 'number' || typeof x === 'boolean') return put(String(x));
    if (typeof x === 'string') return put(`"${printable(x, MAX_SHOWN_JSON)}"`);
    if (Array.isArray(x)) {
      if (!put('[')) return false;
      for (let i = 0; i < x.length; i++) if ((i > 0 && !put(',')) || !walk(x[i])) return false;
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const [k, item] of Object.entries(x as object)) {
      if ((!first && !put(',')) || !put(`"${printable(k, MAX_SHOWN_JSON)}":`) || !walk(item)) return false;
      first = false;
    }
    return put('}');
  };
  return walk(v) ? out : `${out.slice(0, MAX_SHOWN_JSON)}…`;
}

/** A tensor name from the header, quoted and escaped for a message. */
const quoted = (key: string) => `"${printable(key)}"`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses a whole .safetensors file. Checks, before reading any tensor: the header length (within the
 * file, at most 100 MB), the header (UTF-8, a JSON object), each entry (known dtype, shape of non-negative
 * integers, offsets inside the data and equal to shape × item size), and that the tensors tile the data
 * buffer exactly: sorted by offset they start at 0, touch without overlap or gap, and end at its end.
 * Throws dataError (exit 3) naming `name`, the expected and the found value.
 */
export function parseSafetensors(bytes: Uint8Array, name: string, options: SafetensorsOptions = {}): Safetensors {
  if (bytes.length < 8)
    throw dataError(`${name}: truncated safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length`, HINT);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    throw dataError(`${name}: safetensors header length is ${headerLength} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`, HINT);
  const n = Number(headerLength);
  if (8 + n > bytes.length)
    throw dataError(`${name}: safetensors header length says ${n} bytes, but only ${bytes.length - 8} bytes follow (truncated file?)`, HINT);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw dataError(`${name}: safetensors header is not valid UTF-8`, HINT);
  }
  if (jsonDepth(bytes.subarray(8, 8 + n), MAX_HEADER_DEPTH) > MAX_HEADER_DEPTH)
    throw dataError(`${name}: safetensors header nests arrays or objects more than ${MAX_HEADER_DEPTH} deep; a real header nests 3 deep`, HINT);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw dataError(`${name}: safetensors header is not valid JSON (${printable((e as Error).message)})`, HINT);
  }
  if (!isObject(header))
    throw dataError(`${name}: safetensors header should be a JSON object, found ${Array.isArray(header) ? 'an array' : describeJson(header)}`, HINT);

  const metadata = readMetadata(header['__metadata__'], name);
  const entries = Object.entries(header)
    .filter(([key]) => key !== '__metadata__')
    .map(([key, info]) => readEntry(key, info, name, options));

  // Tile check (Metadata::validate + MetadataIncompleteBuffer): data offsets are relative to the byte after the header.
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  for (const e of entries)
    if (e.end > dataLength)
      throw dataError(
        `${name}: tensor ${quoted(e.name)} has data_offsets [${e.begin}, ${e.end}] but the data buffer holds ${dataLength} bytes (truncated file?)`,
        HINT,
      );
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  sorted.forEach((e, i) => {
    if (e.begin < covered)
      throw dataError(
        `${name}: tensors ${quoted(sorted[i - 1].name)} [${sorted[i - 1].begin}, ${sorted[i - 1].end}] and ${quoted(e.name)} [${e.begin}, ${e.end}] overlap; the format forbids shared bytes`,
        HINT,
      );
    if (e.begin > covered)
      throw dataError(`${name}: bytes [${covered}, ${e.begin}) of the data buffer belong to no tensor (next is ${quoted(e.name)}); the format requires the tensors to cover the buffer`, HINT);
    covered = e.end;
  });
  if (covered !== dataLength)
    throw dataError(`${name}: the tensors cover ${covered} bytes of data but the file has ${dataLength} bytes after the header; the format requires them to match`, HINT);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries)
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decode(bytes, dataStart + e.begin, dataStart + e.end, e.dtype) });
  return { tensors, metadata };
}

function readMetadata(value: unknown, name: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw dataError(`${name}: safetensors "__metadata__" should be an object of strings, found ${describeJson(value)}`, HINT);
  for (const [k, v] of Object.entries(value))
    if (typeof v !== 'string')
      throw dataError(`${name}: safetensors "__metadata__" values must be strings, found ${quoted(k)}: ${describeJson(v)}`, HINT);
  return Object.fromEntries(Object.entries(value)) as Record<string, string>; // own keys only, even "__proto__"
}

function readEntry(key: string, info: unknown, name: string, options: SafetensorsOptions): Entry {
  const where = `${name}: tensor ${quoted(key)}`;
  if (!isObject(info)) throw dataError(`${where} should be an object {dtype, shape, data_offsets}, found ${describeJson(info)}`, HINT);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string') throw dataError(`${where} has no string "dtype", found ${describeJson(dtype)}`, HINT);
  if (!FLOAT_DTYPES.includes(dtype) && !(dtype === 'I64' && options.int64 === true)) {
    if (KNOWN_DTYPES.includes(dtype))
      throw dataError(`${where} has dtype ${dtype}; mnist-loss reads F16, BF16, F32 and F64 tensors`, 'convert the weights to float32 before saving');
    throw dataError(`${where} has unknown dtype ${quoted(dtype)}; expected one of ${KNOWN_DTYPES.join(', ')}`, HINT);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex))
    throw dataError(`${where} should have a "shape" list of non-negative integers, found ${describeJson(shape)}`, HINT);
  if (shape.length > MAX_DIMS) throw dataError(`${where} has ${shape.length} dimensions; arrays have at most ${MAX_DIMS}`, HINT);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex))
    throw dataError(`${where} should have "data_offsets" [begin, end] of two non-negative integers, found ${describeJson(offsets)}`, HINT);
  const [begin, end] = offsets as number[];
  if (end < begin) throw dataError(`${where} has data_offsets [${begin}, ${end}] with end before begin`, HINT);
  let bytesNeeded = ITEM_SIZE[dtype as SafetensorsReadDtype];
  for (const d of shape as number[]) bytesNeeded *= d; // stays exact: checked against a safe-integer span below
  if (!Number.isSafeInteger(bytesNeeded) || bytesNeeded !== end - begin)
    throw dataError(
      `${where}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${bytesNeeded} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`,
      HINT,
    );
  return { name: key, dtype: dtype as SafetensorsReadDtype, shape: shape as number[], begin, end };
}

/** Copies little-endian values out of bytes[start, end): the copy is aligned even when the offset is not. */
function decode(bytes: Uint8Array, start: number, end: number, dtype: SafetensorsReadDtype): Float32Array | Float64Array {
  // a fresh ArrayBuffer at offset 0, aligned for any item size: new Uint8Array(view) copies (a Node Buffer's slice() would be a view into its pool)
  const copy = new Uint8Array(bytes.subarray(start, end));
  if (!HOST_LITTLE_ENDIAN) swapBytes(copy, ITEM_SIZE[dtype]);
  switch (dtype) {
    case 'F32': return new Float32Array(copy.buffer);
    case 'F64': return new Float64Array(copy.buffer);
    case 'F16': return widenFloat16(new Uint16Array(copy.buffer));
    case 'BF16': return widenBfloat16(new Uint16Array(copy.buffer));
    case 'I64': return Float64Array.from(new BigInt64Array(copy.buffer), Number);
  }
}

/**
 * IEEE 754 half-precision bit patterns -> float32, exactly (every half is a float32): sign, 5-bit exponent
 * (bias 15), 10-bit fraction; exponent 0 is zero or subnormal (fraction · 2^-24), 31 is Infinity or NaN.
 */
export function widenFloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i], sign = h & 0x8000 ? -1 : 1, exponent = (h >>> 10) & 0x1f, fraction = h & 0x3ff;
    out[i] = exponent === 0 ? sign * fraction * 2 ** -24
      : exponent === 31 ? (fraction === 0 ? sign * Infinity : NaN)
      : sign * (1024 + fraction) * 2 ** (exponent - 25);
  }
  return out;
}

/** bfloat16 bit patterns -> float32, exactly: a bfloat16 is the upper half of a float32. */
export function widenBfloat16(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = bits[i] << 16;
  return new Float32Array(wide.buffer);
}

/**
 * The tensor names of a safetensors file, from its header alone, or undefined when the bytes do not start
 * like one (for sniffing: a file that does gets its full check from parseSafetensors).
 */
export function safetensorsNames(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < 9 || bytes[8] !== 0x7b) return undefined;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) return undefined;
  const header = bytes.subarray(8, 8 + Number(n));
  if (jsonDepth(header, MAX_HEADER_DEPTH) > MAX_HEADER_DEPTH) return undefined;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header));
    return isObject(parsed) ? Object.keys(parsed).filter((k) => k !== '__metadata__') : undefined;
  } catch {
    return undefined;
  }
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

/**
 * Serializes tensors as the official writer does: sorted by descending dtype alignment (F64 before F32),
 * then by name; "__metadata__" first in the header, then the tensors; the header padded with spaces to a
 * multiple of 8 bytes so every tensor starts 8-byte aligned in the file.
 */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array | Float64Array }>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const items = [...tensors].map(([key, t]) => {
    const dtype: SafetensorsDtype = t.data instanceof Float64Array ? 'F64' : 'F32';
    const count = t.shape.reduce((p, d) => p * d, 1);
    if (count !== t.data.length) throw new Error(`serializeSafetensors: ${key} has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    return { key, dtype, shape: t.shape, data: t.data };
  });
  items.sort((a, b) => ITEM_SIZE[b.dtype] - ITEM_SIZE[a.dtype] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  // Built by hand rather than JSON.stringify(object): JS objects put integer-like keys ("0") first.
  const parts: string[] = [];
  if (metadata !== undefined)
    parts.push(`"__metadata__":{${Object.entries(metadata).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  let offset = 0;
  for (const it of items) {
    const next = offset + it.data.byteLength;
    parts.push(`${JSON.stringify(it.key)}:{"dtype":"${it.dtype}","shape":[${it.shape.join(',')}],"data_offsets":[${offset},${next}]}`);
    offset = next;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces: still valid JSON whitespace
  let at = 8 + headerLength;
  for (const it of items) {
    const raw = new Uint8Array(it.data.buffer, it.data.byteOffset, it.data.byteLength).slice();
    if (!HOST_LITTLE_ENDIAN) swapBytes(raw, ITEM_SIZE[it.dtype]);
    out.set(raw, at);
    at += raw.length;
  }
  return out;
}
