// `mnist-loss train` end to end: spawns the built CLI. One run on the real MNIST train split checks the
// book's first 5 SGD steps against numpy (float32 goldens from __tests__/fixtures/train/
// make_train_goldens.py, section 'train32': np.random.seed(42); TwoLayerNet init; 5 × choice(60000, 100),
// gradient, params -= 0.1 * grad); the rest run on tiny IDX fixtures: report layout, --epochs 0 (numpy's
// initial weights), the model file, the reference path (MNIST_LOSS_KERNELS=reference), flag errors, and Ctrl-C.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../helpers/allClose';
import { makeTempDir, removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { readModel } from '../../src/io/modelFile';
import { BIN, runCli, expectUserError, type CliResult, requireBuiltCli, cliEnv } from '../helpers/cli';

const run = (args: string[]) => runCli(args, { COLUMNS: '200' }); // wide: whole report lines are checked
const expectUsageError = (r: CliResult, message: RegExp): void => expectUserError(r, 2, message);

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/train/train-goldens.json'), 'utf8'));


let fixture: ReturnType<typeof writeFixtureDir>;
let tmp: string;
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12); // 30 train images, 12 test images
  tmp = makeTempDir();
});
afterAll(() => { removeDir(fixture.dir); removeDir(tmp); });

describe('mnist-loss train on the real MNIST train split', () => {
  it("follows numpy's first 5 steps of the book's loop (seed 42) and writes the weights with their metadata", () => {
    const out = path.join(tmp, 'five.safetensors');
    const r = run(['train', '--iterations', '5', '--seed', '42', '--json', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(''); // no progress bar when stderr is not a TTY
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['epoch', 'summary']);
    const [epoch, summary] = lines;
    // numpy's batch losses (before each step): 2.302293062210083, 2.3061068058013916, ... -> their mean
    const meanLoss = golden.train32.loss.reduce((s: number, v: number) => s + v, 0) / 5;
    expect(epoch).toMatchObject({ epoch: 5 / 600, iteration: 5 });
    expect(epoch.batchCee).toBeCloseTo(meanLoss, 6);
    expect(summary).toMatchObject({ out, layers: [784, 50, 10], activation: 'sigmoid', init: 'std 0.01', batchSize: 100, lr: 0.1, seed: 42, iterations: 5 });
    expect(summary.command).toBe('mnist-loss train --hidden 50 --activation sigmoid --init-std 0.01 --batch-size 100 --lr 0.1 --iterations 5 --seed 42');
    const model = readModel(out);
    expect(model.activation).toBe('sigmoid');
    expect(model.metadata).toMatchObject({ activation: 'sigmoid', hidden: '50', seed: '42', command: summary.command });
    // weights after 5 steps: numpy float32 within a few float32 ulps (see unit/experiments/train.test.ts)
    expectAllClose(model.mlp!.layers[1].W.data, golden.train32.W2, 1e-8);
    expectAllClose(model.mlp!.layers[1].b, golden.train32.b2, 1e-8);
    expectAllClose(model.mlp!.layers[0].b, golden.train32.b1, 1e-10);
  });
});

describe('mnist-loss train on fixture data (30 train, 12 test images)', () => {
  it('prints the run, a legend, and one row per epoch (30 / batch 10 = 3 iterations per epoch)', () => {
    const r = run(['train', '--data', fixture.dir, '--batch-size', '10', '--epochs', '2', '--hidden', '8,6', '--activation', 'relu', '--init', 'he', '--seed', '1']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('train 784-8-6-10 relu · init he · batch 10 · lr 0.1 · seed 1 · 2 epochs × 3 iterations');
    expect(lines[1]).toMatch(/^data: --data \(.*\): train 30, test 12 images$/);
    expect(lines[2]).toMatch(/^batch CEE: mean loss of the batches since the previous row/);
    expect(lines[3].trim().split(/\s{2,}/)).toEqual(['epoch', 'iteration', 'batch CEE', 'train CEE', 'train acc', 'test CEE', 'test acc', 'seconds']);
    const rows = lines.slice(4, 6).map((l) => l.trim().split(/\s+/));
    expect(rows.map((c) => c.slice(0, 2))).toEqual([['1', '3'], ['2', '6']]);
    for (const c of rows) {
      expect(c).toHaveLength(8);
      // accuracies are k/30 (train) and k/12 (test), printed with 4 decimals
      expect(Math.abs(Number(c[4]) * 30 - Math.round(Number(c[4]) * 30))).toBeLessThan(30 * 5e-5 + 1e-9);
      expect(Math.abs(Number(c[6]) * 12 - Math.round(Number(c[6]) * 12))).toBeLessThan(12 * 5e-5 + 1e-9);
    }
    expect(lines[6]).toBe('not saved: add --out FILE.safetensors to keep the weights');
  });

  it("--epochs 0 writes numpy's initial weights: float32(0.01 * randn) after np.random.seed(42)", () => {
    // make_train_goldens.py section 1: np.random.seed(42); W1 = 0.01*randn(784,50); W2 = 0.01*randn(50,10)
    const out = path.join(tmp, 'init.safetensors');
    const r = run(['train', '--data', fixture.dir, '--epochs', '0', '--batch-size', '10', '--out', out, '--json']);
    expect(r.status).toBe(0);
    const [epoch, summary] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(epoch).toMatchObject({ type: 'epoch', epoch: 0, iteration: 0, batchCee: null });
    expect(summary).toMatchObject({ type: 'summary', out, iterations: 0, epochs: 0 });
    const net = readModel(out).mlp!;
    expect([...net.layers[1].W.data]).toEqual(golden.init.W2.map(Math.fround));
    const W1 = net.layers[0].W.data;
    expect(golden.init.W1Sample.map((_: number, i: number) => W1[i * golden.stride])).toEqual(golden.init.W1Sample.map(Math.fround));
    expect([...net.layers[0].b, ...net.layers[1].b].every((v) => v === 0)).toBe(true);
  });

  it('scores the written model on the test split as eval does', () => {
    const out = path.join(tmp, 'fixture.safetensors');
    const r = run(['train', '--data', fixture.dir, '--batch-size', '5', '--epochs', '3', '--json', '--out', out]);
    expect(r.status).toBe(0);
    const last = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'epoch').pop();
    const e = run(['eval', '--model', out, '--data', fixture.dir, '--json']);
    expect(e.status).toBe(0);
    const scored = JSON.parse(e.stdout);
    expect(scored.accuracy).toBe(last.testAccuracy);
    expect(scored.cee).toBeCloseTo(last.testCee, 12);
  });
});

describe('mnist-loss train under MNIST_LOSS_KERNELS=reference (backprop.ts instead of the SGD kernel)', () => {
  it('prints the same losses, accuracies and weights as the kernels, bit for bit', () => {
    const args = (out: string) => ['train', '--data', fixture.dir, '--batch-size', '7', '--epochs', '2', '--hidden', '9,5', '--activation', 'relu', '--init', 'he', '--json', '--out', out];
    const kernelOut = path.join(tmp, 'kernel.safetensors'), referenceOut = path.join(tmp, 'reference.safetensors');
    const kernel = run(args(kernelOut));
    const reference = runCli(args(referenceOut), { MNIST_LOSS_KERNELS: 'reference' });
    expect(kernel.status).toBe(0);
    expect(reference.status).toBe(0);
    // every JSON field but timings and the output path
    const numbers = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l)).map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => !/second|time|^out$|command/i.test(k))));
    expect(numbers(reference.stdout)).toEqual(numbers(kernel.stdout));
    const a = readModel(kernelOut).mlp!, b = readModel(referenceOut).mlp!;
    a.layers.forEach((layer, l) => {
      expect(layer.W.data).toEqual(b.layers[l].W.data);
      expect(layer.b).toEqual(b.layers[l].b);
    });
  });
});

describe('mnist-loss train flag errors (exit 2, one message and a hint)', () => {
  const cases: [string, string[], RegExp][] = [
    ['--epochs with --iterations', ['--epochs', '2', '--iterations', '5'], /--epochs 2 and --iterations 5 both set the length/],
    ['--init-std with --init', ['--init-std', '0.1', '--init', 'he'], /--init-std 0.1 and --init he/],
    ['an empty hidden width', ['--hidden', '50,,100'], /hidden layer widths as whole numbers separated by commas/],
    ['a hidden width of 0', ['--hidden', '0'], /each hidden width must be from 1/],
    ['a learning rate of 0', ['--lr', '0'], /expected a number more than 0, at most 1000/],
    ['a negative learning rate', ['--lr=-0.1'], /expected a number more than 0, at most 1000/],
    ['a batch larger than 60000', ['--batch-size', '60001'], /'--batch-size <n>' argument '60001' is invalid\. expected a whole number from 1 to 60000: a batch is drawn from the MNIST train split/],
    ['an unknown activation', ['--activation', 'tanh'], /Allowed choices are sigmoid, relu/],
    ['an --out that is not .safetensors', ['--out', path.join('x', 'model.npz')], /must end in \.safetensors/],
    ['--source mnist (no test split to score)', ['--source', 'mnist'], /the mnist package has no test split/],
  ];
  it.each(cases)('%s', (_, args, message) => expectUsageError(run(['train', '--data', '/nonexistent', ...args]), message));

  it('a batch larger than the train split of the data given', () => {
    expectUsageError(run(['train', '--data', fixture.dir, '--batch-size', '31']), /--batch-size 31 is larger than the train split \(30 images\)/);
  });

  it('an --out folder that does not exist', () => {
    expectUsageError(run(['train', '--data', fixture.dir, '--out', path.join(tmp, 'missing', 'm.safetensors')]), /folder .*missing does not exist/);
  });

  it('a data folder that does not exist is a data error (exit 3)', () => {
    const r = run(['train', '--data', path.join(tmp, 'nowhere')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^mnist-loss: data folder not found/);
    expect(r.stderr).toMatch(/\nhint: /);
  });
});

describe('mnist-loss train and Ctrl-C', () => {
  it('stops after the current iteration on SIGINT: exit 130, one line on stderr, no model file', async () => {
    const big = writeFixtureDir(3000, 12); // batch 1: 3000 iterations per epoch
    const out = path.join(tmp, 'interrupted.safetensors');
    try {
      const child = spawn(process.execPath, [BIN, 'train', '--data', big.dir, '--batch-size', '1', '--epochs', '1000', '--json', '--out', out], { env: cliEnv() });
      let stdout = '', stderr = '';
      child.stderr.on('data', (d) => { stderr += d; });
      const code = await new Promise<number | null>((resolve) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('\n')) child.kill('SIGINT'); // after the first epoch's line: mid-training
        });
        child.on('exit', (c) => resolve(c));
      });
      expect(code).toBe(130);
      expect(stderr).toMatch(/^mnist-loss: interrupted after iteration \d+ of 3000000; .*interrupted\.safetensors not written\n$/);
      expect(JSON.parse(stdout.split('\n')[0])).toMatchObject({ type: 'epoch', epoch: 1, iteration: 3000 });
      expect(fs.readdirSync(tmp).filter((f) => f.startsWith('interrupted'))).toEqual([]);
    } finally {
      removeDir(big.dir);
    }
  });
});

describe('the bundled model (data/model.safetensors, made by `npm run model`)', () => {
  // numpy on the same file and the IDX test split (__tests__/fixtures/models/bundled_model_numpy.py):
  //   {"correct": 9750, "cee": 0.07923819869756699}
  it('scores what numpy computes for it on the real MNIST test split, and records the command that package.json runs', () => {
    const file = path.resolve(__dirname, '../../data/model.safetensors');
    const r = run(['eval', '--model', file, '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ split: 'test', n: 10000, activation: 'relu', activationFrom: 'file', widths: [784, 100, 10] });
    expect(json.correct).toBe(9750);
    expect(json.accuracy).toBe(0.975);
    expect(json.cee).toBeCloseTo(0.07923819869756699, 6);
    const { metadata } = readModel(file);
    const script: string = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).scripts.model;
    expect(script).toBe(`npm run build && node dist/bin/${metadata.command} --out data/model.safetensors`.replace('dist/bin/mnist-loss train', 'dist/bin/mnist-loss.js train'));
  });
});
