// `mnist-loss probe` end to end on IDX fixtures and the book's ch03 network: the elements probed are
// numpy's choice, the counts follow the rows, the maps are 784 values, and the slopes agree with the
// library's naive path (predict() on the fixture images at w ± h).
import * as path from 'node:path';
import { gatherBatch } from '../../src/data/batch';
import { readModel } from '../../src/io/modelFile';
import { crossEntropyErrorMean } from '../../src/nn/losses';
import { predict } from '../../src/nn/network';
import { resolveParamRef } from '../../src/nn/paramRef';
import { removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { expectUserError, runCli, requireBuiltCli } from '../helpers/cli';

const run = (args: string[]) => runCli(args);

const BOOK = path.resolve(__dirname, '../fixtures/book-ch03.safetensors');

let fixture: ReturnType<typeof writeFixtureDir>;
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12);
});
afterAll(() => removeDir(fixture.dir));

describe('mnist-loss probe --json', () => {
  it('probes numpy’s elements and reports counts that follow its rows', () => {
    const r = run(['probe', '--model', BOOK, '--data', fixture.dir, '--weights', '5', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ weights: 5, h: 1e-4, n: 12, seed: 42 });
    // np.random.seed(42); np.random.choice(45360, 5, replace=False) -> [41571, 31798, 30395, 36269, 33323]:
    // 41571 = 39200 + 50 + 2321 -> W2[23,21]; 31798 = 635·50 + 48 -> W1[635,48]; 30395 -> W1[607,45];
    // 36269 -> W1[725,19]; 33323 -> W1[666,23]
    expect(json.rows.map((row: { param: string }) => row.param)).toEqual(['W2[23,21]', 'W1[635,48]', 'W1[607,45]', 'W1[725,19]', 'W1[666,23]']);
    type Row = { dCee: number; dSse: number; dAccuracy: number };
    expect(json.accuracyZero).toBe(json.rows.filter((row: Row) => row.dAccuracy === 0).length);
    expect(json.ceeNonzero).toBe(json.rows.filter((row: Row) => row.dCee !== 0).length);
    expect(json.sseNonzero).toBe(json.rows.filter((row: Row) => row.dSse !== 0).length);
    expect(json.map.cee).toHaveLength(784);
    expect(json.map.accuracy).toHaveLength(784);
  });

  it('the CEE slope of W2[23,21] equals the naive central difference on the 12 images', () => {
    const json = JSON.parse(run(['probe', '--model', BOOK, '--data', fixture.dir, '--weights', '1', '--json']).stdout);
    expect(json.rows[0].param).toBe('W2[23,21]');
    const net = readModel(BOOK).mlp!;
    const p = resolveParamRef(net, 'W2[23,21]');
    const { x, t } = gatherBatch({ split: 'test', count: 12, rows: 28, cols: 28, pixels: fixture.test.pixels, labels: fixture.test.labels }, Array.from({ length: 12 }, (_, i) => i));
    const ceeAt = (w: number) => {
      const W = net.layers[1].W.data, old = W[p.offset];
      W[p.offset] = w;
      const cee = crossEntropyErrorMean(predict(net, x), t);
      W[p.offset] = old;
      return cee;
    };
    const lo = Math.fround(p.value - 1e-4), hi = Math.fround(p.value + 1e-4);
    const naive = (ceeAt(hi) - ceeAt(lo)) / (hi - lo);
    // the naive path is float32 end to end: its difference quotient carries ~1e-7/2e-4 of rounding noise
    expect(Math.abs(json.rows[0].dCee - naive)).toBeLessThan(2e-3 * Math.abs(naive) + 1e-3);
  });
});

describe('mnist-loss probe (human)', () => {
  it('shows the counts, the table and the two maps', () => {
    const r = runCli(['probe', '--model', BOOK, '--data', fixture.dir, '--weights', '5', '--unit', '3'], { COLUMNS: '200' }); // unwrapped prose
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('np.random.seed(42); np.random.choice(45360, 5, replace=False)');
    expect(r.stdout).toMatch(/verdict {2}accuracy's slope is exactly 0 for \d of 5 weights; CEE's is not 0 for \d of 5/);
    expect(r.stdout).toContain('∂CEE/∂W1[:, 3] (backprop)');
    expect(r.stdout).toContain('∂accuracy/∂W1[:, 3] (h = 0.0001)');
    expect(r.stdout).toContain('hidden unit 3 (--unit)');
  });

  it('--unit out of range and --weights above the parameter count are usage errors', () => {
    for (const args of [['--unit', '50'], ['--weights', '45361']]) {
      const r = run(['probe', '--model', BOOK, '--data', fixture.dir, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^mnist-loss: .*\nhint: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('mnist-loss probe on the book\'s ch07 SimpleConvNet', () => {
  const CH07 = path.resolve(__dirname, '../fixtures/book-ch07-params.pkl');

  it('probes numpy’s elements over all 433890 parameters; no maps, and the JSON says why', () => {
    const r = run(['probe', '--model', CH07, '--data', fixture.dir, '--weights', '4', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ weights: 4, n: 12, seed: 42, map: null });
    expect(json.mapSkipped).toMatch(/fully connected first layer .* starts with a convolution layer/);
    expect(json.rows).toHaveLength(4);
    const human = run(['probe', '--model', CH07, '--data', fixture.dir, '--weights', '2', '--no-color']);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/433890 parameters/);
    expect(human.stdout).toMatch(/maps: skipped: /);
  });

  it('--unit on a CNN is exit 2 (the maps are an MLP\'s)', () => {
    expectUserError(run(['probe', '--model', CH07, '--data', fixture.dir, '--unit', '3']), 2, /--unit 3 picks the hidden unit of the 28×28 weight maps/);
  });
});
