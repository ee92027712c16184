// Loads numpy legacy-RNG vector files (format "numpy-legacy-rng-vectors/1", see shared/spec/numpy-rng.md §10),
// replays each call on our Mt19937 + samplers, and checks the result with the file's compare rules.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mt19937 } from '../../src/rng/mt19937';
import { choice, choiceWithoutReplacement, permutation, rand, randint, randn, shuffle } from '../../src/rng/sample';
import { expectAllClose } from './allClose';

export interface Summary {
  count: number;
  head: number[];
  tail: number[];
  at: Record<string, number>;
  sha256_csv?: string;
  sha256_f64le?: string;
  sum?: number;
  sum_abs?: number;
}

/** One call of a case; op-specific fields are read by runCall. */
export interface VectorCall {
  op: string;
  compare?: 'exact' | 'tolerance';
  expect?: unknown;
  expect_summary?: Summary;
  [field: string]: unknown;
}

export interface VectorCase {
  id: string;
  seed: number;
  calls: VectorCall[];
}

export interface VectorError {
  id: string;
  call: VectorCall;
  error: string;
  message: string;
}

export interface VectorFile {
  format: string;
  name: string;
  schema: { compare: { rel_tol: number; sum_rel_tol: number } };
  cases: VectorCase[];
  errors: VectorError[];
}

export function loadVectors(fileName: string): VectorFile {
  const file = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', fileName), 'utf8')) as VectorFile;
  if (file.format !== 'numpy-legacy-rng-vectors/1') throw new Error(`${fileName}: unknown format ${file.format}`);
  return file;
}

/** The result of one call: a scalar, a flat C-order array, a state key, or undefined (seed/skip). */
export type CallResult = number | number[] | { key: number[]; pos: number } | undefined;

function num(call: VectorCall, field: string): number {
  const v = call[field];
  if (typeof v !== 'number') throw new Error(`vector call ${call.op}: field ${field} is ${JSON.stringify(v)}`);
  return v;
}

function shapeSize(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * Runs one vector call on rng as numpy would (np.random.<op>). Shapes are flattened in C order;
 * size null / shape [] draw one value and return a scalar, as numpy does.
 */
export function runCall(rng: Mt19937, call: VectorCall): CallResult {
  switch (call.op) {
    case 'seed':
      rng.seed(num(call, 'seed'));
      return undefined;
    case 'raw_uint32':
      return Array.from({ length: num(call, 'count') }, () => rng.nextUint32());
    case 'skip_uint32':
      for (let i = num(call, 'count'); i > 0; i--) rng.nextUint32();
      return undefined;
    case 'state_key':
      return { key: (call.indices as number[]).map((i) => rng.stateWord(i)), pos: rng.position };
    case 'choice': {
      const n = num(call, 'n');
      const size = call.size === null ? 1 : num(call, 'size');
      const values = Array.from(call.replace === false ? choiceWithoutReplacement(rng, n, size) : choice(rng, n, size));
      return call.size === null ? values[0] : values;
    }
    case 'permutation':
      return Array.from(permutation(rng, num(call, 'n')));
    case 'shuffle':
      return shuffle(rng, [...(call.input as number[])]);
    case 'randint': {
      const size = call.size === null ? 1 : num(call, 'size');
      const values = randint(rng, num(call, 'low'), num(call, 'high'), size);
      return call.size === null ? values[0] : values;
    }
    case 'rand': {
      const shape = call.shape as number[];
      const values = Array.from(rand(rng, shapeSize(shape)));
      return shape.length === 0 ? values[0] : values;
    }
    case 'randn': {
      const shape = call.shape as number[];
      const scale = call.scale === undefined ? 1 : num(call, 'scale');
      const values = Array.from(randn(rng, shapeSize(shape), scale));
      return shape.length === 0 ? values[0] : values;
    }
    default:
      throw new Error(`unknown vector op ${call.op}`);
  }
}

/** sha256 of the values as decimal text joined by ',' (the vectors' sha256_csv for ints). */
export function sha256Csv(values: number[]): string {
  return createHash('sha256').update(values.join(',')).digest('hex');
}

/** sha256 of the values as little-endian IEEE float64 bytes (the vectors' sha256_f64le). */
export function sha256F64le(values: number[]): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  return createHash('sha256').update(bytes).digest('hex');
}

/** Plain left-to-right float64 sums of the values and of their absolute values (not pairwise like np.sum). */
export function leftToRightSums(values: number[]): { sum: number; sumAbs: number } {
  let sum = 0;
  let sumAbs = 0;
  for (const v of values) {
    sum += v;
    sumAbs += Math.abs(v);
  }
  return { sum, sumAbs };
}

function compareValues(got: number[], want: number[], exact: boolean, relTol: number): void {
  if (exact) expect(got).toEqual(want);
  else expectAllClose(got, want, 0, relTol);
}

/**
 * Checks one result against the call's expect / expect_summary with the file's rules:
 * exact (ints equal, doubles bit-identical) or, for randn, |got - want| <= rel_tol·|want| per value
 * and |sum - want| <= sum_rel_tol·sum_abs. sha256_f64le is checked only for exact doubles.
 */
export function checkCall(result: CallResult, call: VectorCall, file: VectorFile): void {
  const exact = call.compare !== 'tolerance';
  const { rel_tol: relTol, sum_rel_tol: sumRelTol } = file.schema.compare;
  if (call.expect !== undefined) {
    const want = call.expect;
    if (typeof want === 'number') {
      expect(typeof result).toBe('number');
      compareValues([result as number], [want], exact, relTol);
    } else if (Array.isArray(want)) {
      expect(Array.isArray(result)).toBe(true);
      compareValues(result as number[], want as number[], exact, relTol);
    } else {
      expect(result).toEqual(want); // state_key: {key, pos}
    }
    return;
  }
  const s = call.expect_summary;
  if (s === undefined) throw new Error(`vector call ${call.op} has neither expect nor expect_summary`);
  expect(Array.isArray(result)).toBe(true);
  const got = result as number[];
  expect(got.length).toBe(s.count);
  compareValues(got.slice(0, s.head.length), s.head, exact, relTol);
  compareValues(got.slice(got.length - s.tail.length), s.tail, exact, relTol);
  const atIndex = Object.keys(s.at).map(Number);
  compareValues(atIndex.map((i) => got[i]), atIndex.map((i) => s.at[String(i)]), exact, relTol);
  if (s.sha256_csv !== undefined) expect(sha256Csv(got)).toBe(s.sha256_csv);
  if (s.sha256_f64le !== undefined && exact) expect(sha256F64le(got)).toBe(s.sha256_f64le);
  if (s.sum !== undefined && s.sum_abs !== undefined) {
    const { sum, sumAbs } = leftToRightSums(got);
    expect(Math.abs(sum - s.sum)).toBeLessThanOrEqual(sumRelTol * s.sum_abs);
    expect(Math.abs(sumAbs - s.sum_abs)).toBeLessThanOrEqual(sumRelTol * s.sum_abs);
  }
}
