// NumPy .npy files (format versions 1.0, 2.0 and 3.0) <-> typed arrays: a pure parser and serializer.
// Mirrors numpy/lib/format.py (read_array_header_1_0/2_0, _write_array_header): magic "\x93NUMPY",
// version, little-endian header length, a Python dict literal {'descr', 'fortran_order', 'shape'}, data.
import { dataError, printable } from '../errors';

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

/** numpy refuses a longer header unless the file is fully trusted (format._MAX_HEADER_SIZE). */
export const MAX_NPY_HEADER_BYTES = 10000;
/** numpy 2's NPY_MAXDIMS: no array has more dimensions. */
export const MAX_NPY_DIMS = 64;
/** Brackets deeper than this in a header are refused (a real header nests at most 3 deep). */
const MAX_LITERAL_DEPTH = 32;

/** A Python literal as ast.literal_eval would return it, for the subset a .npy header can hold. */
type PyLiteral =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'int'; readonly digits: string; readonly negative: boolean }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'tuple' | 'list'; readonly items: PyLiteral[] }
  | { readonly kind: 'dict'; readonly entries: [PyLiteral, PyLiteral][] };

const KIND_NAMES: Readonly<Record<PyLiteral['kind'], string>> = {
  str: 'a string', int: 'an integer', bool: 'a bool', none: 'None', tuple: 'a tuple', list: 'a list', dict: 'a dict',
};

/**
 * A reader for the Python dict literal of a .npy header: strings ('' or "" with backslash escapes), integers
 * (Python 2's trailing L when `python2`), True / False / None, tuples (with "(5)" an int, as in Python),
 * lists and dicts. Anything else is refused, as numpy's ast.literal_eval would refuse or reject it.
 */
class HeaderLiteral {
  private at = 0;
  constructor(private readonly text: string, private readonly python2: boolean, private readonly fail: (what: string) => Error) {}

  /** The whole header: one dict, then spaces, then the newline numpy ends every header with. */
  document(): PyLiteral {
    this.space();
    const value = this.value(0);
    while (this.text[this.at] === ' ') this.at++;
    if (this.at !== this.text.length - 1 || this.text[this.at] !== '\n')
      throw this.fail(this.at >= this.text.length ? 'the header does not end with a newline' : `unexpected ${this.excerpt()} after the header dict (a header is a dict, padded with spaces, ending in a newline)`);
    return value;
  }

  private value(depth: number): PyLiteral {
    if (depth > MAX_LITERAL_DEPTH) throw this.fail(`brackets nested more than ${MAX_LITERAL_DEPTH} deep`);
    const c = this.text[this.at];
    if (c === "'" || c === '"') return { kind: 'str', value: this.string(c) };
    if (c === '{') return { kind: 'dict', entries: this.sequence('}', depth, true) as [PyLiteral, PyLiteral][] };
    if (c === '[') return { kind: 'list', items: this.sequence(']', depth, false) as PyLiteral[] };
    if (c === '(') {
      const start = this.at;
      const items = this.sequence(')', depth, false) as PyLiteral[];
      // "(5)" is the int 5; a tuple of one needs its comma, "(5,)"
      const oneWithoutComma = items.length === 1 && !/,\s*\)$/.test(this.text.slice(start, this.at));
      return oneWithoutComma ? items[0] : { kind: 'tuple', items };
    }
    const m = /^(?:([+-]?)\s*([0-9]+)(L?)(?![0-9A-Za-z_.])|(True|False|None)(?![0-9A-Za-z_]))/.exec(this.text.slice(this.at, this.at + 64));
    if (m === null || (m[3] === 'L' && !this.python2)) throw this.fail(`cannot read ${this.excerpt()}: expected a string, an integer, True, False, a tuple, a list or a dict`);
    this.at += m[0].length;
    if (m[4] === 'None') return { kind: 'none' };
    if (m[4] !== undefined) return { kind: 'bool', value: m[4] === 'True' };
    if (m[2].length > 1 && m[2][0] === '0') throw this.fail(`cannot read the integer ${printable(m[2])}: Python forbids leading zeros`);
    return { kind: 'int', digits: m[2], negative: m[1] === '-' };
  }

  /** Items up to `close`, comma-separated, a trailing comma allowed; key: value pairs in a dict. */
  private sequence(close: string, depth: number, pairs: boolean): (PyLiteral | [PyLiteral, PyLiteral])[] {
    this.at++;
    const items: (PyLiteral | [PyLiteral, PyLiteral])[] = [];
    for (;;) {
      this.space();
      if (this.text[this.at] === close) { this.at++; return items; }
      const item = this.value(depth + 1);
      this.space();
      if (pairs) {
        if (this.text[this.at] !== ':') throw this.fail(`expected ':' after a dict key, found ${this.excerpt()}`);
        this.at++;
        this.space();
        items.push([item, this.value(depth + 1)]);
        this.space();
      } else {
        items.push(item);
      }
      const c = this.text[this.at];
      if (c === ',') { this.at++; continue; }
      if (c === close) { this.at++; return items; }
      throw this.fail(`expected ',' or '${close}', found ${this.excerpt()}`);
    }
  }

  private string(quote: string): string {
    let out = '';
    for (this.at++; ; this.at++) {
      const c = this.text[this.at];
      if (c === undefined || c === '\n') throw this.fail('a string is not closed');
      if (c === quote) { this.at++; return out; }
      if (c === '\\') {
        const e = this.text[++this.at];
        const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0' };
        if (e === undefined || !(e in simple)) throw this.fail(`unsupported escape ${this.excerpt()} in a string`);
        out += simple[e];
      } else {
        out += c;
      }
    }
  }

  private space(): void {
    while (this.at < this.text.length && ' \t\r\n'.includes(this.text[this.at])) this.at++;
  }

  private excerpt(): string {
    return this.at >= this.text.length ? 'the end of the header' : `'${printable(this.text.slice(this.at, this.at + 20))}' at character ${this.at}`;
  }
}

/** What a header literal is, for a message: its kind and, for a short scalar, its value. */
function describeLiteral(v: PyLiteral): string {
  if (v.kind === 'str') return `the string '${printable(v.value, 40)}'`;
  if (v.kind === 'int') return `the integer ${v.negative ? '-' : ''}${printable(v.digits, 40)}`;
  if (v.kind === 'bool') return v.value ? 'True' : 'False';
  return KIND_NAMES[v.kind];
}

const HEADER_KEYS = ['descr', 'fortran_order', 'shape'] as const;

/**
 * The header dict, checked as numpy's _read_array_header checks it: exactly the keys descr, fortran_order
 * and shape (each once), fortran_order a bool, shape a tuple of at most 64 non-negative integers.
 * descr is returned as parsed: a string for a plain dtype, a list or tuple for a structured or sub-array one.
 */
function readHeaderDict(header: string, python2: boolean, name: string): { descr: PyLiteral; fortran: boolean; shape: number[] } {
  const fail = (what: string) => dataError(`${name}: bad .npy header: ${what}`, HINT_RESAVE);
  const dict = new HeaderLiteral(header, python2, fail).document();
  if (dict.kind !== 'dict') throw fail(`expected a dict, found ${describeLiteral(dict)}`);
  const values = new Map<string, PyLiteral>();
  for (const [key, value] of dict.entries) {
    if (key.kind !== 'str' || !(HEADER_KEYS as readonly string[]).includes(key.value))
      throw dataError(`${name}: .npy header has an unexpected key ${describeLiteral(key)}; numpy requires exactly 'descr', 'fortran_order' and 'shape'`, HINT_RESAVE);
    if (values.has(key.value)) throw dataError(`${name}: .npy header has the key '${key.value}' twice`, HINT_RESAVE);
    values.set(key.value, value);
  }
  for (const key of HEADER_KEYS)
    if (!values.has(key)) throw dataError(`${name}: .npy header has no '${key}' entry; numpy requires exactly 'descr', 'fortran_order' and 'shape'`, HINT_RESAVE);
  const fortran = values.get('fortran_order')!;
  if (fortran.kind !== 'bool') throw fail(`fortran_order should be True or False, found ${describeLiteral(fortran)}`);
  const shape = values.get('shape')!;
  if (shape.kind !== 'tuple') throw fail(`shape should be a tuple of integers, found ${describeLiteral(shape)}`);
  if (shape.items.length > MAX_NPY_DIMS) throw fail(`shape has ${shape.items.length} dimensions; numpy arrays have at most ${MAX_NPY_DIMS}`);
  const dims = shape.items.map((d) => {
    if (d.kind !== 'int') throw fail(`shape should be a tuple of integers, found ${describeLiteral(d)} in it`);
    const n = Number(d.digits);
    if (d.negative && n !== 0) throw fail(`shape has the negative dimension -${printable(d.digits, 40)}`);
    if (!Number.isSafeInteger(n)) throw fail(`shape dimension ${printable(d.digits, 40)} is beyond any real array`);
    return n;
  });
  return { descr: values.get('descr')!, fortran: fortran.value, shape: dims };
}

/** What a .npy header says: enough to check the file's size before reading any data. */
export interface NpyHeader {
  readonly descr: string;
  readonly shape: number[];
  readonly fortran: boolean;
  /** Byte offset of the data (preamble + header). */
  readonly dataStart: number;
  /** Data bytes the shape and dtype need: the file must be exactly dataStart + dataBytes long. */
  readonly dataBytes: number;
  readonly kind: Kind;
  readonly little: boolean;
}

/** The longest a .npy header can be (magic, version, u32 length, header): a file's first bytes hold it. */
export const MAX_NPY_PREAMBLE_AND_HEADER_BYTES = 12 + MAX_NPY_HEADER_BYTES;

/**
 * Reads a .npy preamble and header from the file's first bytes (the whole file, or a prefix of at least
 * MAX_NPY_PREAMBLE_AND_HEADER_BYTES or of the whole file, as an .npz member's first inflated bytes are).
 * Refuses (dataError, exit 3) a wrong magic, an unknown version, a header numpy would refuse, and
 * structured / object / complex dtypes. dataBytes is exact, or not a safe integer for an absurd shape.
 */
export function readNpyHeader(bytes: Uint8Array, name: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw dataError(`${name}: not a .npy file (expected the magic bytes \\x93NUMPY at the start)`, 'pass a file written by np.save');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const minor = bytes[7];
  if (minor !== 0 || major < 1 || major > 3)
    throw dataError(`${name}: .npy format version ${major}.${minor} is not supported (expected 1.0, 2.0 or 3.0)`, HINT_RESAVE);
  let headerLength: number, headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else {
    if (bytes.length < 12) throw dataError(`${name}: truncated .npy header (${bytes.length} bytes)`, HINT_RESAVE);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  }
  if (headerLength > MAX_NPY_HEADER_BYTES)
    throw dataError(`${name}: .npy header is ${headerLength} bytes; numpy refuses headers over ${MAX_NPY_HEADER_BYTES} bytes`, HINT_RESAVE);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length)
    throw dataError(`${name}: truncated .npy header: it says ${headerLength} bytes, the file has ${bytes.length - headerStart} after the preamble`, HINT_RESAVE);
  // Versions 1 and 2 are latin1 (each byte is the character of that code), version 3 is UTF-8.
  const raw = bytes.subarray(headerStart, dataStart);
  let header = '';
  if (major === 3) {
    try {
      header = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw dataError(`${name}: .npy version 3.0 header is not valid UTF-8`, HINT_RESAVE);
    }
  } else {
    for (let i = 0; i < raw.length; i++) header += String.fromCharCode(raw[i]);
  }
  const { descr: descrValue, fortran, shape } = readHeaderDict(header, major <= 2, name);
  if (descrValue.kind === 'list')
    throw dataError(`${name}: structured (record) dtypes are not supported; expected a plain numeric array`, 'save a plain float or integer array');
  if (descrValue.kind === 'tuple')
    throw dataError(`${name}: sub-array dtypes are not supported; expected a plain numeric array`, 'save a plain float or integer array');
  if (descrValue.kind !== 'str') throw dataError(`${name}: bad .npy header: descr should be a dtype string such as '<f8', found ${describeLiteral(descrValue)}`, HINT_RESAVE);
  const descr = descrValue.value;
  const dm = /^([<>|=])([a-zA-Z])([0-9]+)$/.exec(descr);
  const kind = dm ? KINDS[`${dm[2]}${dm[3]}`] : undefined;
  if (!dm || !kind)
    throw dataError(
      `${name}: dtype '${printable(descr, 40)}' is not supported (expected float16/32/64, int8..int64, uint8..uint64 or bool)`,
      "convert it first, e.g. np.save(path, array.astype('float64'))",
    );
  // '|' (not applicable) and '=' (native) only occur for one-byte types or on this machine's order.
  const little = dm[1] !== '>';

  const count = shape.reduce((p, d) => p * d, 1);
  return { descr, shape, fortran, dataStart, dataBytes: count * kind.size, kind, little };
}

/**
 * Parses the bytes of a .npy file. Any endianness and C or Fortran order; returns native-endian, C-ordered data.
 * Refuses (dataError, exit 3) what readNpyHeader refuses, a shape that disagrees with the number of data
 * bytes, and int64 values beyond ±2^53.
 */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  const { descr, shape, fortran, dataStart, dataBytes: expectedBytes, kind, little } = readNpyHeader(bytes, name);
  // Check the size against the file before allocating anything: a lying header is an error, not an OOM.
  const count = shape.reduce((p, d) => p * d, 1);
  const foundBytes = bytes.length - dataStart;
  if (!Number.isSafeInteger(expectedBytes) || expectedBytes !== foundBytes)
    throw dataError(
      `${name}: header says shape (${shape.join(', ')}) of ${descr} = ${expectedBytes} data bytes, found ${foundBytes}` +
        (foundBytes < expectedBytes ? ' (truncated file?)' : ''),
      HINT_RESAVE,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wide = kind.size === 8 && /^[<>|=][iu]8$/.test(descr);

  const data = kind.make(count);
  const strides = cStrides(shape);
  // Fortran order stores index (i0, i1, ...) at Σ i_j · Π_{m<j} d_m; walk the file and scatter into C order.
  const fStrides = fortran ? fortranStrides(shape) : strides;
  for (let f = 0; f < count; f++) {
    const value = kind.read(view, dataStart + f * kind.size, little);
    if (wide && !Number.isSafeInteger(value))
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
