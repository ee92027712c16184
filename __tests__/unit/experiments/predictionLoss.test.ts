// `loss` inputs: --y / --t specs in every form give the same numbers (numpy goldens from
// __tests__/fixtures/loss/make_fixtures.py), the teacher's form is detected and named, and bad inputs are
// refused with the right exit code, the row (and column) and a hint.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode, MnistLossError } from '../../../src/errors';
import {
  evaluatePredictions,
  resolvePredictions,
  resolveTeacher,
  validatePredictions,
  type PredictionInput,
} from '../../../src/experiments/predictionLoss';
import { writeFixtureDir, removeDir } from '../../helpers/idxFixture';
import { userErrorOf } from '../../helpers/cli';

const F = (name: string) => path.join(__dirname, '../../fixtures/loss', name);
const NO_DATA = { source: 'idx' as const, env: {} };

const errorOf = userErrorOf;

function lossOf(y: string, t: string, opts = { fromLogits: false, compare: false }) {
  const pred = resolvePredictions(y);
  validatePredictions(pred, opts.fromLogits);
  const teacher = resolveTeacher(t, pred.y, NO_DATA);
  return { pred, teacher, result: evaluatePredictions(pred, teacher, opts) };
}

// book_losses(y_small, t_small) in make_fixtures.py:
//   sse 0.186920064, sseSum 0.93460032, cee 0.6701614807183037, accuracy 0.8 (4 of 5: the 4-way tie picks 0, label 1)
const SMALL = { n: 5, k: 4, sse: 0.186920064, sseSum: 0.93460032, cee: 0.6701614807183037, accuracy: 0.8, correct: 4 };

describe('every y format gives numpy\'s values for y_small', () => {
  it.each(['y-small.npy', 'y-small-be.npy', 'y-small.csv', 'y-small.json'])('%s (float64 values)', (file) => {
    const { pred, result } = lossOf(F(file), F('t-small.npy'));
    expect(pred.dtype).toBe('float64');
    expect(result.accuracy).toBe(SMALL.accuracy);
    expect(result.correct).toBe(SMALL.correct);
    expect(result.sse).toBeCloseTo(SMALL.sse, 15);
    expect(result.sseSum).toBeCloseTo(SMALL.sseSum, 15);
    expect(result.cee).toBeCloseTo(SMALL.cee, 15);
  });

  it('y-small-f32.npy keeps float32 rounding: book_losses(y_small.astype(np.float32), t_small)', () => {
    // -> sse 0.18692006360162358, cee 0.6701614757358356, accuracy 0.8
    const { pred, result } = lossOf(F('y-small-f32.npy'), F('t-small.npy'));
    expect(pred.dtype).toBe('float32');
    expect(result.sse).toBeCloseTo(0.18692006360162358, 15);
    expect(result.cee).toBeCloseTo(0.6701614757358356, 15);
  });

  it('--from-logits: softmax in float64, then the book\'s losses: book_losses(softmax(z_small), t_small)', () => {
    // -> sse 0.3446369095642124, sseSum 1.723184547821062, cee 3.739445603019921, accuracy 0.4
    const { result } = lossOf(F('logits-small.npy'), F('t-small.npy'), { fromLogits: true, compare: false });
    expect(result.fromLogits).toBe(true);
    expect(result.sse).toBeCloseTo(0.3446369095642124, 14);
    expect(result.sseSum).toBeCloseTo(1.723184547821062, 14);
    expect(result.cee).toBeCloseTo(3.739445603019921, 14);
    expect(result.accuracy).toBe(0.4);
  });
});

describe('every t form gives the same values and is named', () => {
  const cases: [string, 'labels' | 'one-hot', string][] = [
    ['t-small.npy', 'labels', 'integer labels [5]'],
    ['t-small.json', 'labels', 'integer labels [5]'],
    ['t-small.csv', 'labels', '(5, 1) column of integer labels'],
    ['t-small-col.npy', 'labels', '(5, 1) column of integer labels'],
    ['t-small-onehot.npy', 'one-hot', 'one-hot rows [5, 4]'],
    ['t-small-onehot.csv', 'one-hot', 'one-hot rows [5, 4]'],
    ['t-small-onehot.json', 'one-hot', 'one-hot rows [5, 4]'],
  ];
  it.each(cases)('%s -> %s (%s)', (file, kind, form) => {
    const { teacher, result } = lossOf(F('y-small.npy'), F(file));
    expect(teacher.kind).toBe(kind);
    expect(teacher.form).toBe(form);
    expect([...teacher.labels]).toEqual([3, 0, 1, 2, 0]);
    expect(result.cee).toBe(lossOf(F('y-small.npy'), F('t-small.npy')).result.cee);
    expect(result.sse).toBe(lossOf(F('y-small.npy'), F('t-small.npy')).result.sse);
    expect(result.accuracy).toBe(SMALL.accuracy);
  });

  it('inline: a label, or a one-hot row; a 1-row y takes a K-long 1-D file as one-hot', () => {
    const y = '0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0';
    const a = lossOf(y, '2');
    expect(a.teacher).toMatchObject({ kind: 'labels', form: 'integer label 2', source: 'inline' });
    const b = lossOf(y, '0,0,1,0,0,0,0,0,0,0');
    expect(b.teacher).toMatchObject({ kind: 'one-hot', form: 'one-hot row' });
    expect(b.result.cee).toBe(0.510825457099338);
    expect(a.result.cee).toBe(0.510825457099338);
    expect(a.result.sse).toBe(0.09750000000000003);
    // A 1-D file of K values against a 1-row y is a one-hot row; of N values it is labels.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loss-t-'));
    try {
      fs.writeFileSync(path.join(dir, 'onehot.json'), '[0, 0, 1, 0]');
      const c = resolveTeacher(path.join(dir, 'onehot.json'), resolvePredictions('0.1,0.2,0.3,0.4').y, NO_DATA);
      expect(c).toMatchObject({ kind: 'one-hot', form: 'one-hot row' });
      expect([...c.labels]).toEqual([2]);
      fs.writeFileSync(path.join(dir, 'label.json'), '[2]');
      expect(resolveTeacher(path.join(dir, 'label.json'), resolvePredictions('0.1,0.2,0.3,0.4').y, NO_DATA)).toMatchObject({ kind: 'labels', form: 'integer labels [1]' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MNIST labels: --t test / train', () => {
  let fixture: ReturnType<typeof writeFixtureDir>;
  beforeAll(() => { fixture = writeFixtureDir(30, 12); });
  afterAll(() => removeDir(fixture.dir));

  it('reads the split named, and refuses a y with another N naming both sizes', () => {
    // fixture test labels are (3i + 1) mod 10 for i = 0..11
    const y = resolvePredictions(F('y-small.npy')).y;
    const e = errorOf(() => resolveTeacher('test', y, { data: fixture.dir, source: 'idx', env: {} }), ExitCode.Data);
    expect(e.message).toMatch(/^N mismatch: y has 5 rows, t \(MNIST test labels \(.*\)\) has 12$/);
    const y12: PredictionInput['y'] = { rows: 12, cols: 10, data: new Float64Array(120).fill(0.1) };
    const t = resolveTeacher('test', y12, { data: fixture.dir, source: 'idx', env: {} });
    expect(t.kind).toBe('labels');
    expect([...t.labels]).toEqual(Array.from({ length: 12 }, (_, i) => (3 * i + 1) % 10));
    expect(t.form).toBe('integer labels [12]');
  });

  it('labels outside K: a 4-class y against MNIST labels 0..9', () => {
    const y12: PredictionInput['y'] = { rows: 12, cols: 4, data: new Float64Array(48).fill(0.25) };
    const e = errorOf(() => resolveTeacher('test', y12, { data: fixture.dir, source: 'idx', env: {} }), ExitCode.Data);
    expect(e.message).toMatch(/label 1 is 4, outside the K = 4 classes of y \(0 to 3\)$/);
  });
});

describe('predictions are checked before use', () => {
  const check = (spec: string, fromLogits = false) => () => validatePredictions(resolvePredictions(spec), fromLogits);

  it('a value outside [0, 1] names the row and column and suggests logits', () => {
    const e = errorOf(check('0.5,1.5,-1'), ExitCode.Data);
    expect(e.message).toBe('y: row 0, column 1 is 1.5: not a probability (expected a value in [0, 1])');
    expect(e.hint).toMatch(/logits/);
    // facts for the CLI, which says --y and --from-logits (cli/wording.test.ts)
    expect(e.detail).toEqual({ code: 'input', input: 'y', fix: 'logits' });
    expect(() => check('0.5,1.5,-1', true)()).not.toThrow();
  });

  it('a row sum off 1 by more than 1e-3 names the row and its sum', () => {
    const e = errorOf(check('0.5,0.4'), ExitCode.Data);
    expect(e.message).toBe('y: row 0 sums to 0.9, expected 1 ± 0.001: not a probability row');
    expect(e.hint).toMatch(/logits.*; otherwise divide each row by its sum$/);
    expect(e.detail).toEqual({ code: 'input', input: 'y', fix: 'logits-or-divide' });
    expect(() => check('0.5,0.5005')()).not.toThrow(); // 1.0005 is inside the tolerance
  });

  it('NaN and ±Inf name the row and column, with or without --from-logits', () => {
    expect(errorOf(check('0.5,nan'), ExitCode.Data).message).toBe('y: row 0, column 1 is NaN: predictions must be finite numbers');
    expect(errorOf(check('-inf,1', true), ExitCode.Data).message).toBe('y: row 0, column 0 is -Infinity: predictions must be finite numbers');
  });

  it('shapes: a 3-D file, a single column, an empty file', () => {
    expect(errorOf(() => resolvePredictions(F('npy/fortran-2x3x2.npy')), ExitCode.Data).message).toMatch(/expected predictions of shape \[N, K\] or \[K\], found shape \(2, 3, 2\)$/);
    const column = errorOf(() => resolvePredictions(F('t-small-col.npy')), ExitCode.Data);
    expect(column.message).toMatch(/t-small-col\.npy: y has 1 column per row, expected K >= 2/);
    expect(column.detail).toEqual({ code: 'input', input: 'y', file: F('t-small-col.npy'), fix: 'labels-in-t' }); // the message starts with the file
    expect(errorOf(() => resolvePredictions(F('npy/empty-0x4.npy')), ExitCode.Data).message).toMatch(/empty predictions, shape \(0, 4\)$/);
  });

  it('a missing file is a data error (exit 3); an unknown extension or bad inline text is a usage error (exit 2)', () => {
    expect(errorOf(() => resolvePredictions('no-such-file.npy'), ExitCode.Data).message).toBe('prediction file not found: no-such-file.npy');
    expect(errorOf(() => resolvePredictions('y.txt'), ExitCode.Usage).message).toBe("y y.txt: unsupported file type '.txt' (expected .npy, .csv or .json)");
    expect(errorOf(() => resolvePredictions('abc'), ExitCode.Usage).message).toBe("y 'abc' is neither a number list nor a .npy, .csv or .json file name");
    const item = errorOf(() => resolvePredictions('0.5,x'), ExitCode.Usage);
    expect(item.message).toBe("y '0.5,x': item 2 ('x') is not a number");
    expect(item.detail).toEqual({ code: 'input', input: 'y', fix: 'inline-row' });
    expect(errorOf(() => resolvePredictions('abc'), ExitCode.Usage).detail).toEqual({ code: 'input', input: 'y' });
  });
});

describe('teachers are checked against y', () => {
  const y = resolvePredictions(F('y-small.npy')).y; // [5, 4]

  it('N mismatch and K mismatch name both sizes', () => {
    expect(errorOf(() => resolveTeacher('2', y, NO_DATA), ExitCode.Data).message).toBe('N mismatch: y has 5 rows, t (inline) has 1');
    expect(errorOf(() => resolveTeacher(F('t-small.npy'), { ...y, rows: 4 }, NO_DATA), ExitCode.Data).message).toMatch(/^N mismatch: y has 4 rows, t \(.*t-small\.npy\) has 5$/);
    const y1 = resolvePredictions('0.1,0.9').y;
    expect(errorOf(() => resolveTeacher('0,1,0', y1, NO_DATA), ExitCode.Data).message).toBe('K mismatch: y has K = 2 columns, t (inline) one-hot rows have 3');
  });

  it('a label outside the K classes names the label and K; a fractional or negative label is refused', () => {
    const y1 = resolvePredictions('0.1,0.9').y;
    expect(errorOf(() => resolveTeacher('2', y1, NO_DATA), ExitCode.Data).message).toBe('t: label 0 is 2, outside the K = 2 classes of y (0 to 1)');
    expect(errorOf(() => resolveTeacher('1.5', y1, NO_DATA), ExitCode.Usage).message).toBe("t '1.5': a label is a whole number from 0 to 1");
    expect(errorOf(() => resolveTeacher('2', y1, NO_DATA), ExitCode.Data).detail).toEqual({ code: 'input', input: 't' });
    expect(errorOf(() => resolveTeacher(F('y-small.json'), y, NO_DATA), ExitCode.Data).message).toMatch(/y-small\.json: row 0, column 0 is 0\.1: not a one-hot row/);
  });

  it('one-hot rows need exactly one 1', () => {
    const y1 = resolvePredictions('0.1,0.9').y;
    expect(errorOf(() => resolveTeacher('1,1', y1, NO_DATA), ExitCode.Data).message).toBe('t: row 0 has 2 ones: a one-hot row has exactly one');
    expect(errorOf(() => resolveTeacher('0,0', y1, NO_DATA), ExitCode.Data).message).toBe('t: row 0 has 0 ones: a one-hot row has exactly one');
  });
});

describe('--compare rides along', () => {
  it('adds the conventions, with the book\'s value equal to the CEE', () => {
    const { result } = lossOf(F('y-small-f32.npy'), F('t-small.npy'), { fromLogits: false, compare: true });
    expect(result.compare?.[0]).toMatchObject({ id: 'book', cee: result.cee });
    expect(result.compare?.find((c) => c.id === 'sklearn')?.note).toMatch(/np\.finfo\(float32\)\.eps/);
  });
});
