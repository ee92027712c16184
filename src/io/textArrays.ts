// Numeric arrays written as text -> shape + Float64Array: CSV (as np.savetxt writes it, comma- or
// space-separated), JSON (nested arrays, with Python json's NaN / Infinity), and an inline comma list.
// Pure: bytes or strings in, numbers out; every message names the file and the line (and column).
import { dataError, MAX_QUOTED_CHARS, printable, usageError, type ErrorDetail } from '../errors';

/** A parsed numeric array: C-ordered values and their shape ([] scalar, [L] list, [N, K] rows). */
export interface TextArray {
  readonly shape: number[];
  readonly data: Float64Array;
  /** CSV only: the header row's cells when the first line was all names ("p0,p1,..."). */
  readonly header?: string[];
}

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const NAN = /^[+-]?nan$/i;
const INF = /^([+-]?)inf(?:inity)?$/i;

/**
 * One number as numpy's loadtxt / float() reads it: decimal or exponent notation, or nan / inf / infinity
 * in any case (np.savetxt writes "nan" and "inf"). Returns undefined for anything else.
 */
export function parseNumberToken(token: string): number | undefined {
  const s = token.trim();
  if (DECIMAL.test(s)) return Number(s);
  if (NAN.test(s)) return NaN;
  const inf = INF.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

/**
 * The most numbers a CSV or JSON file may hold: 16,777,216 (128 MiB as float64), far above MNIST's 60,000 × 10
 * predictions. Text files are parsed straight from their bytes, so memory stays near the file size plus this.
 */
export const MAX_TEXT_VALUES = 16 * 1024 * 1024;

const HINT_BIG = 'save large arrays as .npy (np.save), or split the file';

/** Numbers appended one by one into a Float64Array that doubles as it fills, up to MAX_TEXT_VALUES. */
class Values {
  data: Float64Array;
  length = 0;
  constructor(private readonly name: string, private readonly max: number) {
    this.data = new Float64Array(Math.min(1024, max));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      if (this.length >= this.max)
        throw dataError(`${this.name}: more than ${this.max} numbers; text prediction and label files hold at most ${this.max}`, HINT_BIG);
      const grown = new Float64Array(Math.min(this.max, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  /** The numbers, in an array of their own length. */
  done(): Float64Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

const TAB = 0x09, LF = 0x0a, VT = 0x0b, FF = 0x0c, CR = 0x0d, SPACE = 0x20, HASH = 0x23, PLUS = 0x2b, COMMA = 0x2c;
const MINUS = 0x2d, DOT = 0x2e, D0 = 0x30, D9 = 0x39, OPEN = 0x5b, CLOSE = 0x5d;
const isDigit = (c: number) => c >= D0 && c <= D9;
const isBlank = (c: number) => c === SPACE || c === TAB || c === VT || c === FF;

/** Bytes [a, b) as a string, for ASCII already checked (digits, signs, letters of nan/inf). */
function ascii(bytes: Uint8Array, a: number, b: number): string {
  if (b - a <= 64) return String.fromCharCode.apply(null, bytes.subarray(a, b) as unknown as number[]);
  return new TextDecoder('latin1').decode(bytes.subarray(a, b)); // ASCII: latin1 and windows-1252 agree
}

/** Exact powers of ten as doubles (10^22 is the largest). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The double nearest to ±mantissa × 10^exp10 when that one IEEE operation is exact-rounded: the mantissa
 * below 2^53 and |exp10| <= 22 (Clinger's fast path); undefined otherwise (then Number() decides).
 */
function fastDecimal(mantissa: number, digits: number, exp10: number, negative: boolean): number | undefined {
  if (digits > 15 || exp10 < -22 || exp10 > 22) return undefined;
  const v = exp10 < 0 ? mantissa / POW10[-exp10] : mantissa * POW10[exp10];
  return negative ? -v : v;
}

/** Bytes [a, b) of the file as an escaped, capped excerpt for a message (decodes at most what it shows). */
function excerpt(bytes: Uint8Array, a: number, b: number): string {
  const cut = b - a > 4 * MAX_QUOTED_CHARS; // a character is at most 4 UTF-8 bytes
  const text = new TextDecoder('utf-8').decode(bytes.subarray(a, cut ? a + 4 * MAX_QUOTED_CHARS : b));
  if (!cut) return printable(text);
  return `${printable(Array.from(text).slice(0, MAX_QUOTED_CHARS).join(''))}…(${b - a} bytes in all)`;
}

const WORDS: ReadonlyMap<string, number> = new Map([['nan', NaN], ['inf', Infinity], ['infinity', Infinity]]);

/** parseNumberToken on bytes [a, b) (already trimmed), without building a string for short decimals. */
function numberAt(bytes: Uint8Array, a: number, b: number): number | undefined {
  let i = a;
  const negative = bytes[i] === MINUS;
  if (i < b && (bytes[i] === PLUS || negative)) i++;
  const start = i;
  let digits = 0, significant = 0, mantissa = 0, exp10 = 0;
  for (; i < b && isDigit(bytes[i]); i++, digits++)
    if (significant > 0 || bytes[i] !== D0) { if (++significant <= 15) mantissa = mantissa * 10 + bytes[i] - D0; else exp10++; }
  if (i < b && bytes[i] === DOT)
    for (i++; i < b && isDigit(bytes[i]); i++, digits++)
      if (significant > 0 || bytes[i] !== D0) { if (++significant <= 15) { mantissa = mantissa * 10 + bytes[i] - D0; exp10--; } }
      else exp10--;
  if (digits > 0) {
    if (i < b && (bytes[i] | 0x20) === 0x65) { // e or E
      i++;
      const expNegative = bytes[i] === MINUS;
      if (i < b && (bytes[i] === PLUS || expNegative)) i++;
      const expStart = i;
      let e = 0;
      for (; i < b && isDigit(bytes[i]); i++) if (e < 1e6) e = e * 10 + bytes[i] - D0;
      if (i === expStart) return undefined;
      exp10 += expNegative ? -e : e;
    }
    if (i !== b) return undefined;
    return fastDecimal(mantissa, significant, exp10, negative) ?? Number(ascii(bytes, a, b));
  }
  if (b - start > 8) return undefined; // "infinity" is the longest word
  const word = WORDS.get(ascii(bytes, start, b).toLowerCase());
  if (word === undefined) return undefined;
  return negative ? -word : word;
}

/** The cells of one line, as [start, end) byte ranges, trimmed; comma-separated or by runs of blanks. */
function cellsOf(bytes: Uint8Array, a: number, b: number, comma: boolean): number[] {
  const bounds: number[] = [];
  if (comma) {
    for (let from = a; ; ) {
      let to = from;
      while (to < b && bytes[to] !== COMMA) to++;
      let s = from, e = to;
      while (s < e && isBlank(bytes[s])) s++;
      while (e > s && isBlank(bytes[e - 1])) e--;
      bounds.push(s, e);
      if (to >= b) return bounds;
      from = to + 1;
    }
  }
  for (let i = a; i < b; ) {
    while (i < b && isBlank(bytes[i])) i++;
    if (i >= b) break;
    const s = i;
    while (i < b && !isBlank(bytes[i])) i++;
    bounds.push(s, i);
  }
  return bounds;
}

/** Skips a UTF-8 byte-order mark (some editors write one). */
const bomLength = (bytes: Uint8Array) => (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);

/**
 * CSV of N rows of K numbers -> shape [N, K], read from the bytes in one pass (no whole-file string, no
 * per-file line array). Separator: comma, or runs of spaces/tabs when the first data line has no comma
 * (np.savetxt's default). Lines end in \n, \r\n or \r. Skips a UTF-8 byte-order mark, blank lines and '#'
 * comment lines (as np.loadtxt does, unread) and a first line made only of names (a header, which must be
 * UTF-8). Refuses ragged rows, empty cells, non-numbers (naming line and column, the cell escaped and
 * capped) and more than MAX_TEXT_VALUES numbers.
 */
export function parseCsvArray(bytes: Uint8Array, name: string, maxValues = MAX_TEXT_VALUES): TextArray {
  const values = new Values(name, maxValues);
  let comma: boolean | undefined;
  let header: string[] | undefined;
  let rows = 0, K = 0, firstLine = 0;
  let line = 0;
  for (let i = bomLength(bytes); i < bytes.length; ) {
    line++;
    let end = i;
    while (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) end++;
    const next = bytes[end] === CR && bytes[end + 1] === LF ? end + 2 : end + 1;
    let a = i, b = end;
    i = next;
    while (a < b && isBlank(bytes[a])) a++;
    while (b > a && isBlank(bytes[b - 1])) b--;
    if (a === b || bytes[a] === HASH) continue;
    if (comma === undefined) comma = bytes.subarray(a, b).includes(COMMA);
    const cells = cellsOf(bytes, a, b, comma);
    const count = cells.length / 2;
    if (rows === 0 && header === undefined) {
      let names = true;
      for (let c = 0; c < cells.length && names; c += 2) names = cells[c] < cells[c + 1] && numberAt(bytes, cells[c], cells[c + 1]) === undefined;
      if (names) {
        header = [];
        const decoder = new TextDecoder('utf-8', { fatal: true });
        try {
          for (let c = 0; c < cells.length; c += 2) header.push(decoder.decode(bytes.subarray(cells[c], cells[c + 1])));
        } catch {
          throw dataError(`${name}: line ${line} is not UTF-8 text`, 'save the file as plain UTF-8 text (or use .npy for binary arrays)');
        }
        comma = undefined; // the data lines decide their own separator
        continue;
      }
    }
    if (rows === 0) { K = count; firstLine = line; }
    if (count !== K)
      throw dataError(
        `${name}: line ${line} has ${count} values, line ${firstLine} has ${K}: every row needs the same number of columns`,
        'make every row the same length (one row of K numbers per line)',
      );
    for (let c = 0; c < cells.length; c += 2) {
      const k = c / 2 + 1;
      if (cells[c] === cells[c + 1]) throw dataError(`${name}: line ${line}, column ${k} is empty`, 'fill in every cell with a number');
      const v = numberAt(bytes, cells[c], cells[c + 1]);
      if (v === undefined)
        throw dataError(`${name}: line ${line}, column ${k} is '${excerpt(bytes, cells[c], cells[c + 1])}', not a number`, 'every cell must be a number such as 0.25 or 1e-3');
      values.push(v);
    }
    rows++;
  }
  if (rows === 0) throw dataError(`${name}: no numbers found (the file is empty or has only a header)`, 'write one row of numbers per line, e.g. 0.1,0.9');
  return { shape: [rows, K], data: values.done(), ...(header ? { header } : {}) };
}

/**
 * Nested JSON arrays of numbers, at most two levels: 3 -> [], [0.1, 0.9] -> [2], [[...], [...]] -> [N, K].
 * Read from the bytes in one pass, numbers straight into a Float64Array: JSON numbers of any length
 * (Number() of the checked token), Python json's NaN / Infinity / -Infinity, a UTF-8 byte-order mark skipped.
 */
export function parseJsonArray(bytes: Uint8Array, name: string, maxValues = MAX_TEXT_VALUES): TextArray {
  return new JsonNumbers(bytes, name, new Values(name, maxValues)).parseDocument();
}

const JSON_WORDS: ReadonlyArray<[string, number]> = [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]];

/** A small JSON reader for numeric arrays over bytes: plain JSON, plus NaN / Infinity / -Infinity as Python's json writes them. */
class JsonNumbers {
  private at: number;
  constructor(private readonly bytes: Uint8Array, private readonly name: string, private readonly values: Values) {
    this.at = bomLength(bytes);
  }

  parseDocument(): TextArray {
    this.skipSpace();
    let shape: number[];
    if (this.bytes[this.at] !== OPEN) {
      this.values.push(this.number());
      shape = [];
    } else {
      shape = this.outer();
    }
    this.skipSpace();
    if (this.at < this.bytes.length) throw this.fail(`unexpected '${this.char()}' after the array`);
    return { shape, data: this.values.done() };
  }

  /** The top-level array: all numbers ([L]) or all rows of numbers ([N, K]), decided by its first item. */
  private outer(): number[] {
    this.at++;
    let rows: boolean | undefined;
    let n = 0, K = 0;
    this.skipSpace();
    if (this.bytes[this.at] === CLOSE) { this.at++; return [0]; }
    for (;;) {
      this.skipSpace();
      const isRow = this.bytes[this.at] === OPEN;
      // a number is read before the mixing check, so "[[1], ]" names the bad item rather than the mix
      const item = isRow ? 0 : this.number();
      if (rows === undefined) rows = isRow;
      else if (rows !== isRow)
        throw dataError(`${this.name}: mixes numbers and arrays at the top level`, 'write a list of numbers, or a list of rows (lists of numbers)');
      if (isRow) {
        const length = this.row();
        if (n === 0) K = length;
        else if (length !== K)
          throw dataError(`${this.name}: row ${n} has ${length} values, row 0 has ${K}: every row needs the same length`, 'make every row the same length (K numbers each)');
      } else {
        this.values.push(item);
      }
      n++;
      if (this.separator()) return rows ? [n, K] : [n];
    }
  }

  /** One row [a, b, ...] of numbers; returns its length. */
  private row(): number {
    this.at++;
    this.skipSpace();
    if (this.bytes[this.at] === CLOSE) { this.at++; return 0; }
    for (let length = 1; ; length++) {
      this.skipSpace();
      if (this.bytes[this.at] === OPEN) throw this.fail('arrays nested more than two levels deep');
      this.values.push(this.number());
      if (this.separator()) return length;
    }
  }

  /** After an item: true at ']' (consumed), false at ',' (consumed); anything else is an error. */
  private separator(): boolean {
    this.skipSpace();
    const c = this.bytes[this.at];
    if (c === COMMA) { this.at++; return false; }
    if (c === CLOSE) { this.at++; return true; }
    throw this.fail(c === undefined ? 'the file ends inside an array (missing ])' : `expected ',' or ']', found '${this.char()}'`);
  }

  /** A JSON number of any length (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), NaN, Infinity or -Infinity. */
  private number(): number {
    const b = this.bytes, from = this.at;
    for (const [word, value] of JSON_WORDS)
      if (b[from] === word.charCodeAt(0) && ascii(b, from, from + word.length) === word) { this.at += word.length; return value; }
    let i = from;
    if (b[i] === MINUS) i++;
    if (b[i] === D0) i++;
    else if (isDigit(b[i])) while (isDigit(b[i])) i++;
    else throw this.fail(b[from] === undefined ? 'the file ends where a number was expected' : `expected a number or '[', found '${excerpt(b, from, Math.min(b.length, from + 12))}'`);
    if (b[i] === DOT && isDigit(b[i + 1])) { i++; while (isDigit(b[i])) i++; }
    if ((b[i] | 0x20) === 0x65) {
      let j = i + 1;
      if (b[j] === PLUS || b[j] === MINUS) j++;
      if (isDigit(b[j])) { while (isDigit(b[j])) j++; i = j; }
    }
    this.at = i;
    return Number(ascii(b, from, i));
  }

  /** The character at the current position, escaped. */
  private char(): string {
    const text = new TextDecoder('utf-8').decode(this.bytes.subarray(this.at, this.at + 4));
    return printable(Array.from(text)[0] ?? '');
  }

  private skipSpace(): void {
    const b = this.bytes;
    while (this.at < b.length && (b[this.at] === SPACE || b[this.at] === LF || b[this.at] === CR || b[this.at] === TAB)) this.at++;
  }

  private fail(what: string) {
    let line = 1, lineStart = 0;
    for (let i = 0; i < this.at; i++) if (this.bytes[i] === LF) { line++; lineStart = i + 1; }
    return dataError(`${this.name}: line ${line}, column ${this.at - lineStart + 1}: ${what}`, 'the file must hold a JSON array of numbers or of rows of numbers');
  }
}

/** A row of K = 10 probabilities as an inline list, for hints. */
export const INLINE_EXAMPLE = '0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0';

/**
 * An inline comma list, "0.1,0.05,0.6" (optionally in [ ]) -> numbers. A bad item is a usage error (exit 2)
 * that starts with `name` (the value's name, e.g. y) and names the item; `detail` goes with it.
 */
export function parseInlineList(text: string, name: string, detail?: ErrorDetail): Float64Array {
  const body = text.trim().replace(/^\[(.*)\]$/s, '$1');
  const items = body.split(',');
  const out = new Float64Array(items.length);
  items.forEach((item, i) => {
    const v = parseNumberToken(item);
    if (v === undefined)
      throw usageError(
        `${name} '${printable(text)}': item ${i + 1} ('${printable(item.trim())}') is not a number`,
        `write the row as comma-separated numbers, e.g. ${INLINE_EXAMPLE}, or name a .npy, .csv or .json file`,
        detail,
      );
    out[i] = v;
  });
  return out;
}
