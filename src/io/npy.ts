// NumPy .npy files (format versions 1.0, 2.0 and 3.0) <-> typed arrays: a pure parser and serializer.
// Mirrors numpy/lib/format.py (read_array_header_1_0/2_0, _write_array_header): magic "\x93NUMPY",
// version, little-endian header length, a Python dict literal {'descr', 'fortran_order', 'shape'}, data.
import { dataError } from '../errors';

/** Typed arrays a parsed .npy can come back as (always native byte order, C order). */
export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/** A parsed .npy array. `data` is row-major (C order) whatever the file's order. */
export interface NpyArray {
  /** The file's numpy descr, e.g. '<f4', '>f8', '|u1', '<i8'. */
  readonly dtype: string;
  /** [] for a 0-d array, [K] for a vector, [N, K] for a matrix... */
  readonly shape: number[];
  readonly data: NpyData;
  /** Always false: Fortran-ordered files are transposed to C order while parsing. */
  readonly fortranOrder: false;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** numpy pads header + preamble to a multiple of 64 bytes (format.ARRAY_ALIGN). */
const ARRAY_ALIGN = 64;
/** numpy >= 1.24 leaves room for the growth axis to reach 21 digits (format.GROWTH_AXIS_MAX_DIGITS). */
const GROWTH_AXIS_MAX_DIGITS = 21;

interface Kind {
  readonly size: number;
  /** Reads element i (byte offset `at`) from a DataView in the given endianness. */
  read(view: DataView, at: number, little: boolean): number;
  make(n: number): NpyData;
}

// int64 / uint64 become Float64Array: exact for |v| <= 2^53 (labels, counts), refused beyond.
// float16 becomes Float32Array (every half value is exactly representable).
const KINDS: Record<string, Kind> = {
  f2: { size: 2, read: (v, at, le) => halfToFloat(v.getUint16(at, le)), make: (n) => new Float32Array(n) },
  f4: { size: 4, read: (v, at, le) => v.getFloat32(at, le), make: (n) => new Float32Array(n) },
  f8: { size: 8, read: (v, at, le) => v.getFloat64(at, le), make: (n) => new Float64Array(n) },
  i1: { size: 1, read: (v, at) => v.getInt8(at), make: (n) => new Int8Array(n) },
  u1: { size: 1, read: (v, at) => v.getUint8(at), make: (n) => new Uint8Array(n) },
  b1: { size: 1, read: (v, at) => (v.getUint8(at) !== 0 ? 1 : 0), make: (n) => new Uint8Array(n) },
  i2: { size: 2, read: (v, at, le) => v.getInt16(at, le), make: (n) => new Int16Array(n) },
  u2: { size: 2, read: (v, at, le) => v.getUint16(at, le), make: (n) => new Uint16Array(n) },
  i4: { size: 4, read: (v, at, le) => v.getInt32(at, le), make: (n) => new Int32Array(n) },
  u4: { size: 4, read: (v, at, le) => v.getUint32(at, le), make: (n) => new Uint32Array(n) },
  i8: { size: 8, read: (v, at, le) => Number(v.getBigInt64(at, le)), make: (n) => new Float64Array(n) },
  u8: { size: 8, read: (v, at, le) => Number(v.getBigUint64(at, le)), make: (n) => new Float64Array(n) },
};

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const HINT_RESAVE = 'save it again with numpy: np.save(path, np.ascontiguousarray(array))';

/** Parses one value of the header dict: a quoted string, True/False, or a tuple of integers. */
function headerField(header: string, key: string, name: string): string {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\)|\\[)`).exec(header);
  if (!m) throw dataError(`${name}: .npy header has no '${key}' entry: ${header.trim()}`, HINT_RESAVE);
  return m[1];
}

function parseShape(text: string, name: string): number[] {
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  const parts = inner.split(',').map((s) => s.trim());
  if (parts[parts.length - 1] === '') parts.pop(); // "(5,)"
  return parts.map((p) => {
    const n = /^[0-9]+L?$/.test(p) ? Number(p.replace('L', '')) : NaN;
    if (!Number.isSafeInteger(n)) throw dataError(`${name}: .npy header has a bad shape ${text}`, HINT_RESAVE);
    return n;
  });
}

/**
 * Parses the bytes of a .npy file. Any endianness and C or Fortran order; returns native-endian, C-ordered data.
 * Refuses (dataError, exit 3) a wrong magic, an unknown version, structured / object / complex dtypes,
 * a shape that disagrees with the number of data bytes, and int64 values beyond ±2^53.
 */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw dataError(`${name}: not a .npy file (expected the magic bytes \\x93NUMPY at the start)`, 'pass a file written by np.save');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  let headerLength: number, headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw dataError(`${name}: truncated .npy header (${bytes.length} bytes)`, HINT_RESAVE);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw dataError(`${name}: .npy format version ${major}.${bytes[7]} is not supported (expected 1.0, 2.0 or 3.0)`, HINT_RESAVE);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length)
    throw dataError(`${name}: truncated .npy header: it says ${headerLength} bytes, the file has ${bytes.length - headerStart} after the preamble`, HINT_RESAVE);
  // Versions 1 and 2 are latin1, version 3 is utf8; the fields we read are ASCII either way.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descrText = headerField(header, 'descr', name);
  if (descrText === '[')
    throw dataError(`${name}: structured (record) dtypes are not supported; expected a plain numeric array`, 'save a plain float or integer array');
  const descr = descrText.slice(1, -1);
  const dm = /^([<>|=])([a-zA-Z])([0-9]+)$/.exec(descr);
  const kind = dm ? KINDS[`${dm[2]}${dm[3]}`] : undefined;
  if (!dm || !kind)
    throw dataError(
      `${name}: dtype '${descr}' is not supported (expected float16/32/64, int8..int64, uint8..uint64 or bool)`,
      "convert it first, e.g. np.save(path, array.astype('float64'))",
    );
  // '|' (not applicable) and '=' (native) only occur for one-byte types or on this machine's order.
  const little = dm[1] !== '>';
  const fortran = headerField(header, 'fortran_order', name) === 'True';
  const shapeText = headerField(header, 'shape', name);
  if (!shapeText.startsWith('(')) throw dataError(`${name}: .npy header has a bad shape ${shapeText}`, HINT_RESAVE);
  const shape = parseShape(shapeText, name);

  // Check the size against the file before allocating anything: a lying header is an error, not an OOM.
  const count = shape.reduce((p, d) => p * d, 1);
  const expectedBytes = count * kind.size;
  const foundBytes = bytes.length - dataStart;
  if (!Number.isSafeInteger(expectedBytes) || expectedBytes !== foundBytes)
    throw dataError(
      `${name}: header says shape (${shape.join(', ')}) of ${descr} = ${expectedBytes} data bytes, found ${foundBytes}` +
        (foundBytes < expectedBytes ? ' (truncated file?)' : ''),
      HINT_RESAVE,
    );

  const data = kind.make(count);
  const strides = cStrides(shape);
  // Fortran order stores index (i0, i1, ...) at Σ i_j · Π_{m<j} d_m; walk the file and scatter into C order.
  const fStrides = fortran ? fortranStrides(shape) : strides;
  for (let f = 0; f < count; f++) {
    const value = kind.read(view, dataStart + f * kind.size, little);
    if ((dm[3] === '8' && (dm[2] === 'i' || dm[2] === 'u')) && !Number.isSafeInteger(value))
      throw dataError(`${name}: int64 value at flat index ${f} does not fit in 2^53`, "convert it first, e.g. array.astype('float64')");
    data[fortran ? cIndexOfFortran(f, shape, fStrides, strides) : f] = value;
  }
  return { dtype: descr, shape, data, fortranOrder: false };
}

function cStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let j = shape.length - 1; j >= 0; j--) { s[j] = acc; acc *= shape[j]; }
  return s;
}

function fortranStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let j = 0; j < shape.length; j++) { s[j] = acc; acc *= shape[j]; }
  return s;
}

/** Flat Fortran offset f -> multi-index -> flat C offset. */
function cIndexOfFortran(f: number, shape: number[], fStrides: number[], strides: number[]): number {
  let c = 0;
  for (let j = shape.length - 1; j >= 0; j--) {
    const i = Math.floor(f / fStrides[j]) % shape[j];
    c += i * strides[j];
  }
  return c;
}

/** Array types serializeNpy writes, with their little-endian descr. */
const DESCR_OF: ReadonlyArray<[new (n: number) => NpyData, string]> = [
  [Float32Array, '<f4'], [Float64Array, '<f8'], [Int8Array, '|i1'], [Uint8Array, '|u1'],
  [Int16Array, '<i2'], [Uint16Array, '<u2'], [Int32Array, '<i4'], [Uint32Array, '<u4'],
];

/**
 * Writes a C-ordered, little-endian .npy (format 1.0, or 2.0 when the header needs it) byte for byte as
 * numpy >= 1.24's np.save does: sorted dict keys, growth-axis spaces, header padded to 64 bytes with '\n'.
 */
export function serializeNpy(shape: readonly number[], data: NpyData): Uint8Array {
  const count = shape.reduce((p, d) => p * d, 1);
  if (count !== data.length) throw new Error(`serializeNpy: shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const descr = DESCR_OF.find(([T]) => data instanceof T)?.[1];
  if (!descr) throw new Error('serializeNpy: unsupported typed array');
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  // preamble (magic 6 + version 2 + length 2 or 4) + header + '\n' ≡ 0 mod 64
  let preamble = 10;
  if (dict.length + 1 + preamble > 0xffff + 10) preamble = 12;
  const total = Math.ceil((preamble + dict.length + 1) / ARRAY_ALIGN) * ARRAY_ALIGN;
  const header = dict + ' '.repeat(total - preamble - dict.length - 1) + '\n';
  const out = new Uint8Array(total + data.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = preamble === 10 ? 1 : 2;
  out[7] = 0;
  if (preamble === 10) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  // Typed arrays are in the machine's order; every platform Node 20 runs on is little-endian.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
