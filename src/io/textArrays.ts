// Numeric arrays written as text -> shape + Float64Array: CSV (as np.savetxt writes it, comma- or
// space-separated), JSON (nested arrays, with Python json's NaN / Infinity), and an inline comma list.
// Pure: bytes or strings in, numbers out; every message names the file and the line (and column).
import { dataError, usageError } from '../errors';

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

function decodeUtf8(bytes: Uint8Array, name: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw dataError(`${name}: not UTF-8 text`, 'save the file as plain UTF-8 text (or use .npy for binary arrays)');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // byte-order mark from some editors
}

/**
 * CSV of N rows of K numbers -> shape [N, K]. Separator: comma, or runs of spaces/tabs when the first data
 * line has no comma (np.savetxt's default). Skips blank lines and '#' comment lines (as np.loadtxt does) and a
 * first line made only of names (a header). Refuses ragged rows, empty cells and non-numbers, naming the line.
 */
export function parseCsvArray(bytes: Uint8Array, name: string): TextArray {
  const lines = decodeUtf8(bytes, name).split(/\r?\n|\r/);
  const rows: { line: number; cells: string[] }[] = [];
  let comma: boolean | undefined;
  let header: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '' || text.startsWith('#')) continue;
    if (comma === undefined) comma = text.includes(',');
    const cells = comma ? text.split(',').map((c) => c.trim()) : text.split(/[ \t]+/);
    if (rows.length === 0 && header === undefined && cells.every((c) => c !== '' && parseNumberToken(c) === undefined)) {
      header = cells;
      comma = undefined; // the data lines decide their own separator
      continue;
    }
    rows.push({ line: i + 1, cells });
  }
  if (rows.length === 0) throw dataError(`${name}: no numbers found (the file is empty or has only a header)`, 'write one row of numbers per line, e.g. 0.1,0.9');
  const K = rows[0].cells.length;
  const data = new Float64Array(rows.length * K);
  rows.forEach(({ line, cells }, n) => {
    if (cells.length !== K)
      throw dataError(
        `${name}: line ${line} has ${cells.length} values, line ${rows[0].line} has ${K}: every row needs the same number of columns`,
        'make every row the same length (one row of K numbers per line)',
      );
    cells.forEach((cell, k) => {
      if (cell === '') throw dataError(`${name}: line ${line}, column ${k + 1} is empty`, 'fill in every cell with a number');
      const v = parseNumberToken(cell);
      if (v === undefined) throw dataError(`${name}: line ${line}, column ${k + 1} is '${clip(cell)}', not a number`, 'every cell must be a number such as 0.25 or 1e-3');
      data[n * K + k] = v;
    });
  });
  return { shape: [rows.length, K], data, ...(header ? { header } : {}) };
}

/** Nested JSON arrays of numbers, at most two levels: 3 -> [], [0.1, 0.9] -> [2], [[...], [...]] -> [N, K]. */
export function parseJsonArray(bytes: Uint8Array, name: string): TextArray {
  return new JsonNumbers(decodeUtf8(bytes, name), name).parseDocument();
}

type Nested = number | Nested[];

/** A small JSON reader for numeric arrays: plain JSON, plus NaN / Infinity / -Infinity as Python's json writes them. */
class JsonNumbers {
  private at = 0;
  constructor(private readonly text: string, private readonly name: string) {}

  parseDocument(): TextArray {
    this.skipSpace();
    const value = this.value(0);
    this.skipSpace();
    if (this.at < this.text.length) throw this.fail(`unexpected '${this.text[this.at]}' after the array`);
    if (typeof value === 'number') return { shape: [], data: Float64Array.of(value) };
    if (value.every((v) => typeof v === 'number')) return { shape: [value.length], data: Float64Array.from(value as number[]) };
    if (!value.every((v) => Array.isArray(v)))
      throw dataError(`${this.name}: mixes numbers and arrays at the top level`, 'write a list of numbers, or a list of rows (lists of numbers)');
    const rowsOf = value as Nested[][];
    const K = rowsOf[0].length;
    const data = new Float64Array(rowsOf.length * K);
    rowsOf.forEach((r, n) => {
      if (r.length !== K)
        throw dataError(`${this.name}: row ${n} has ${r.length} values, row 0 has ${K}: every row needs the same length`, 'make every row the same length (K numbers each)');
      r.forEach((v, k) => {
        if (typeof v !== 'number')
          throw dataError(`${this.name}: row ${n}, item ${k} is an array: expected at most two levels ([[...], [...]])`, 'pass a list of rows of numbers');
        data[n * K + k] = v;
      });
    });
    return { shape: [rowsOf.length, K], data };
  }

  private value(depth: number): Nested {
    const c = this.text[this.at];
    if (c === '[') {
      if (depth >= 2) throw this.fail('arrays nested more than two levels deep');
      this.at++;
      const items: Nested[] = [];
      this.skipSpace();
      if (this.text[this.at] === ']') { this.at++; return items; }
      for (;;) {
        this.skipSpace();
        items.push(this.value(depth + 1));
        this.skipSpace();
        const sep = this.text[this.at];
        if (sep === ',') { this.at++; continue; }
        if (sep === ']') { this.at++; return items; }
        throw this.fail(sep === undefined ? 'the file ends inside an array (missing ])' : `expected ',' or ']', found '${sep}'`);
      }
    }
    const m = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|NaN|-?Infinity)/.exec(this.text.slice(this.at, this.at + 64));
    if (!m) throw this.fail(c === undefined ? 'the file ends where a number was expected' : `expected a number or '[', found '${clip(this.text.slice(this.at, this.at + 12))}'`);
    this.at += m[0].length;
    return m[0] === 'NaN' ? NaN : m[0] === 'Infinity' ? Infinity : m[0] === '-Infinity' ? -Infinity : Number(m[0]);
  }

  private skipSpace(): void {
    while (this.at < this.text.length && ' \t\r\n'.includes(this.text[this.at])) this.at++;
  }

  private fail(what: string) {
    const before = this.text.slice(0, this.at);
    const line = before.split('\n').length;
    const col = this.at - before.lastIndexOf('\n');
    return dataError(`${this.name}: line ${line}, column ${col}: ${what}`, 'the file must hold a JSON array of numbers or of rows of numbers');
  }
}

/**
 * An inline comma list from the command line, "0.1,0.05,0.6" (optionally in [ ]) -> numbers. A bad item is a
 * usage error (exit 2) naming the flag and the item.
 */
export function parseInlineList(text: string, flag: string): Float64Array {
  const body = text.trim().replace(/^\[(.*)\]$/s, '$1');
  const items = body.split(',');
  const out = new Float64Array(items.length);
  items.forEach((item, i) => {
    const v = parseNumberToken(item);
    if (v === undefined)
      throw usageError(
        `${flag} '${clip(text)}': item ${i + 1} ('${clip(item.trim())}') is not a number`,
        `write the row as comma-separated numbers, e.g. ${flag} 0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0, or name a .npy, .csv or .json file`,
      );
    out[i] = v;
  });
  return out;
}

function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
