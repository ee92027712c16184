// `mnist-loss gradcheck` end to end. The default run (a fresh seeded 784-50-10 sigmoid net, 3 real train
// images) is checked against numpy: make_train_goldens.py sections 2 and 2a,
//   np.random.seed(42); TwoLayerNet(784, 50, 10); idx = np.random.choice(60000, 3)
//   diffs[k] = np.average(np.abs(grad_backprop[k] - numerical_gradient(loss, params[k])))
//   -> b1 9.90e-10, W2 6.75e-08, b2 1.35e-07 (mostly δ: backprop drops it, the loss keeps it)
// Other runs use tiny IDX fixtures and hand-made model files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { writeModel } from '../../src/io/modelFile';
import type { Network } from '../../src/nn/network';
import { runCli, requireBuiltCli } from '../helpers/cli';

const run = (args: string[]) => runCli(args);

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/train/train-goldens.json'), 'utf8'));

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
});
