// `mnist-loss sweep` end to end: spawns the built CLI on IDX fixtures written by the test (28×28, pixel
// (i, d) = (37i + d) mod 256) with the book's ch03 network, and checks rows against the library's naive
// path (gatherBatch + predict + losses.ts at each weight), --csv, --plot (well-formed SVG), the usage errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gatherBatch } from '../../src/data/batch';
import type { MnistSplit } from '../../src/data/types';
import { readModel } from '../../src/io/modelFile';
import { countCorrect, crossEntropyErrorMean, sumSquaredErrorMean } from '../../src/nn/losses';
import { predict, type Network } from '../../src/nn/network';
import { checkXml } from '../helpers/xmlCheck';
import { removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { runCli, expectUserError, type CliResult, requireBuiltCli } from '../helpers/cli';

const run = runCli;
const expectUsageError = (r: CliResult): void => expectUserError(r, 2);

const BOOK = path.resolve(__dirname, '../fixtures/book-ch03.safetensors');

let fixture: ReturnType<typeof writeFixtureDir>;
let book: Network;
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12);
  book = readModel(BOOK).mlp!;
});
afterAll(() => removeDir(fixture.dir));

/** The naive path: W1[409,18] set to `weight`, full predict() on all 12 fixture test images. */
function naive(weight: number) {
  const split: MnistSplit = { split: 'test', count: 12, rows: 28, cols: 28, pixels: fixture.test.pixels, labels: fixture.test.labels };
  const { x, t } = gatherBatch(split, Array.from({ length: 12 }, (_, i) => i));
  const W = { ...book.layers[0].W, data: book.layers[0].W.data.slice() };
  W.data[409 * 50 + 18] = weight;
  const y = predict({ activation: book.activation, layers: [{ W, b: book.layers[0].b }, ...book.layers.slice(1)] }, x);
  return { sse: sumSquaredErrorMean(y, t), cee: crossEntropyErrorMean(y, t), correct: countCorrect(y, t) };
}

const SWEEP = ['sweep', '--model', BOOK, '--param', 'W1[409,18]', '--from', '-3', '--to', '3', '--steps', '7'];

describe('mnist-loss sweep --json', () => {
  it('rows equal the naive re-evaluation at each np.linspace(-3, 3, 7) value', () => {
    const r = run([...SWEEP, '--data', fixture.dir, '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ param: 'W1[409,18]', mode: 'add', split: 'test', n: 12, seed: null, size: null, from: -3, to: 3, steps: 7 });
    expect(json.base).toBe(book.layers[0].W.data[409 * 50 + 18]);
    expect(json.rows.map((row: { value: number }) => row.value)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const row of json.rows) {
      expect(row.weight).toBe(Math.fround(json.base + row.value));
      const slow = naive(row.weight);
      expect(Math.abs(row.sse - slow.sse)).toBeLessThan(1e-5);
      expect(Math.abs(row.cee - slow.cee)).toBeLessThan(1e-5);
      expect(row.correct).toBe(slow.correct);
      expect(row.accuracy).toBe(slow.correct / 12);
    }
    // central differences from the neighbouring rows, one-sided at the ends
    expect(json.rows[3].dCee).toBeCloseTo((json.rows[4].cee - json.rows[2].cee) / 2, 12);
    expect(json.rows[0].dCee).toBeCloseTo(json.rows[1].cee - json.rows[0].cee, 12);
    // the summary recounted from the rows
    let changed = 0;
    for (let i = 1; i < 7; i++) if (json.rows[i].accuracy !== json.rows[i - 1].accuracy) changed++;
    expect(json.summary).toMatchObject({ steps: 6, accuracyChangedSteps: changed, accuracyFlatSteps: 6 - changed });
    expect(json.summary.verdict).toBe(`accuracy changed at ${changed} of 6 steps; CEE changed at ${json.summary.ceeChangedSteps} of 6`);
  });

  it('--size/--seed sample the split as np.random.seed(3); np.random.choice(12, 4) -> [10, 8, 9, 3]', () => {
    const r = run([...SWEEP, '--data', fixture.dir, '--size', '4', '--seed', '3', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ n: 4, seed: 3, size: 4 });
    // labels (3i + 1) mod 10 of images 10, 8, 9, 3: 1, 5, 8, 0; correct counts are whole numbers of 4
    for (const row of json.rows) expect(row.accuracy * 4).toBe(row.correct);
  });
});

describe('mnist-loss sweep --csv and the human report', () => {
  it('--csv: header value,sse,cee,accuracy,correct,... and the same numbers as --json', () => {
    const csv = run([...SWEEP, '--data', fixture.dir, '--csv']);
    const json = JSON.parse(run([...SWEEP, '--data', fixture.dir, '--json']).stdout);
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('value,sse,cee,accuracy,correct,weight,dSse,dCee,dAccuracy');
    expect(lines).toHaveLength(8);
    lines.slice(1).forEach((line, i) => {
      const [value, sse, cee, accuracy, correct] = line.split(',').map(Number);
      expect([value, sse, cee, accuracy, correct]).toEqual([json.rows[i].value, json.rows[i].sse, json.rows[i].cee, json.rows[i].accuracy, json.rows[i].correct]);
    });
  });

  it('human output: header, table, chart and the verdict, no colour when piped', () => {
    const r = run([...SWEEP, '--data', fixture.dir]);
    expect(r.status).toBe(0);
    const json = JSON.parse(run([...SWEEP, '--data', fixture.dir, '--json']).stdout);
    expect(r.stdout).toContain('param   W1[409,18]');
    expect(r.stdout).toContain('test split, all 12 images');
    expect(r.stdout).toMatch(/value \(\+\) +weight +SSE \(mean\/img\) +CEE \(mean\/img\) +accuracy +correct/);
    expect(r.stdout).toContain(`${json.rows[6].cee.toFixed(6)}`);
    expect(r.stdout).toContain(`verdict  ${json.summary.verdict}`);
    expect(r.stdout).toMatch(/[\u2800-\u28ff]/); // braille chart
    expect(r.stdout).not.toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
    expect(run([...SWEEP, '--data', fixture.dir, '--ascii']).stdout).not.toMatch(/[\u2800-\u28ff]/);
  });
});

describe('mnist-loss sweep --plot', () => {
  it('writes a well-formed, self-contained SVG with CEE, SSE and accuracy', () => {
    const file = path.join(fixture.dir, 'sweep.svg');
    const r = run([...SWEEP, '--data', fixture.dir, '--json', '--plot', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`wrote ${file}\n`);
    expect(() => JSON.parse(r.stdout)).not.toThrow(); // stdout stays pure JSON
    const svg = fs.readFileSync(file, 'utf8');
    expect(checkXml(svg)[0]).toBe('svg');
    expect([...svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1])).toEqual(['CEE', 'SSE', 'accuracy']);
    expect(svg).not.toMatch(/<script|href=/);
    expect(fs.readdirSync(fixture.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('mnist-loss sweep usage errors (exit 2, hint, no stack)', () => {
  it('an unknown parameter lists the model’s parameters and shapes', () => {
    const r = run(['sweep', '--model', BOOK, '--data', fixture.dir, '--param', 'W4[0,0]']);
    expectUsageError(r);
    expect(r.stderr).toContain("--param 'W4[0,0]': the model has no parameter W4 (it has 3 layers)");
    expect(r.stderr).toContain('W1 [784,50], b1 [50], W2 [50,100], b2 [100], W3 [100,10], b3 [10]');
  });

  it('an index out of range says which axis and the valid range', () => {
    const r = run(['sweep', '--model', BOOK, '--data', fixture.dir, '--param', 'W1[784,0]']);
    expectUsageError(r);
    expect(r.stderr).toContain('index 784 is out of range for axis 0 of W1 [784,50] (0 to 783)');
  });

  it.each([
    [['--param', 'b1[0]', '--from', '1'], /--from was given without --to/],
    [['--param', 'b1[0]', '--steps', '1'], /a sweep needs at least 2 values/],
    [['--param', 'b1[0]', '--json', '--csv'], /--json and --csv/],
    [['--param', 'b1[0]', '--plot', 'out.png'], /must end in \.svg/],
    [['--param', 'b1[0]', '--seed', '3'], /no --size was given/],
    [[], /sweep needs --param/],
  ])('%p', (args, message) => {
    const r = run(['sweep', '--model', BOOK, '--data', fixture.dir, ...args]);
    expectUsageError(r);
    expect(r.stderr).toMatch(message);
  });
});

describe('mnist-loss sweep on the book\'s ch07 SimpleConvNet (any engine network)', () => {
  const CH07 = path.resolve(__dirname, '../fixtures/book-ch07-params.pkl');

  it('a convolution weight W1[3,0,2,2]: rows as the library computes them, the model value at 0', () => {
    const r = run(['sweep', '--model', CH07, '--param', 'W1[3,0,2,2]', '--steps', '3', '--data', fixture.dir, '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ param: 'W1[3,0,2,2]', n: 12, steps: 3 });
    expect(json.rows.map((row: { value: number }) => row.value)).toEqual([-2, 0, 2]);
    // the unperturbed row is the model's own mean CEE on the 12 fixture images (Network.loss)
    const net = readModel(CH07).network;
    expect(json.rows[1].cee).toBeCloseTo(net.loss(fixture.test.pixels, fixture.test.labels, 12), 6);
    expect(json.rows[0].cee).not.toBe(json.rows[1].cee);
  });

  it('--param auto picks a W1 element; a name the network lacks is exit 2 listing its parameters', () => {
    const auto = run(['sweep', '--model', CH07, '--param', 'auto', '--steps', '2', '--data', fixture.dir, '--json']);
    expect(auto.status).toBe(0);
    expect(JSON.parse(auto.stdout).param).toMatch(/^W1\[\d+,0,\d,\d\]$/);
    const r = run(['sweep', '--model', CH07, '--param', 'W1[3,0]', '--data', fixture.dir]);
    expectUserError(r, 2, /W1 has shape \[30,1,5,5\], so it takes 4 indexes, found 2/);
    expect(r.stderr).toContain('hint: the model\'s parameters are W1 [30,1,5,5], b1 [30], W2 [4320,100], b2 [100], W3 [100,10], b3 [10]');
  });
});
