// `mnist-loss eval` end to end: spawns the built CLI. The book's ch03 weights on the real 10,000 test images
// (the point of the command: the book prints accuracy 0.9352), one and two threads, the CI gates' exit codes
// and stderr lines, a seeded sample, a tiny IDX fixture, the user errors, and MNIST_LOSS_KERNELS (the
// reference path gives the same output; a damaged kernel file is exit 1, not a silent fallback).
//
// Goldens come from numpy 2.4 with the book's float32 forward pass; the generating code is quoted in
// __tests__/unit/experiments/evaluate.test.ts (predict, sse, cee), and each value below names its expression.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixtureSplit, makeTempDir, removeDir, writeFixtureDir, writeSplit } from '../helpers/idxFixture';
import { cliEnv, runCli, expectUserError, requireBuiltCli } from '../helpers/cli';

const run = (args: string[]) => runCli(args);

const FIXTURES = path.resolve(__dirname, '../fixtures');
const PKL = path.join(FIXTURES, 'book-ch03-sample_weight.pkl');
const SAFETENSORS = path.join(FIXTURES, 'book-ch03.safetensors');

/** The whitespace-separated cells of the first stdout line that starts with `first` (after leading spaces). */
function rowOf(stdout: string, first: string): string[] {
  const line = stdout.split('\n').find((l) => l.trim().split(/\s+/)[0] === first);
  if (line === undefined) throw new Error(`no line starting with ${first} in:\n${stdout}`);
  return line.trim().split(/\s+/);
}

beforeAll(() => {
  requireBuiltCli();
});

describe("the book's ch03 network on the real test split", () => {
  it('the .pkl: accuracy 0.9352, per-class table, confusion matrix and the worst images drawn', () => {
    const r = runCli(['eval', '--model', PKL, '--confusion', '--worst', '2'], { COLUMNS: '200' }); // one header line per key
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^format +pickle, 784-50-100-10, sigmoid \(recognised as the book's ch03 sample_weight\.pkl\)$/m);
    expect(r.stdout).toMatch(/^n +10000$/m);
    expect(r.stdout).toMatch(/^seed +- \(whole split\)$/m);
    // sse -> 0.049579113041651274, cee -> 0.22454365154002318 (6 decimals), int((p == t).sum()) -> 9352
    expect(r.stdout).toMatch(/^SSE \(mean\/img\) +0\.049579$/m);
    expect(r.stdout).toMatch(/^CEE \(mean\/img\) +0\.224544$/m);
    expect(r.stdout).toMatch(/^accuracy +0\.9352$/m);
    expect(r.stdout).toMatch(/^correct +9352 \/ 10000$/m);
    // class 5: 892 images (np.bincount(t)[5]), 793 correct, 793 / 892 = 0.88901
    expect(rowOf(r.stdout.slice(r.stdout.indexOf('per class:')), '5')).toEqual(['5', '892', '793', '0.8890']);
    // C[9].tolist() -> [12, 6, 1, 9, 31, 7, 1, 16, 4, 922]
    const confusion = r.stdout.slice(r.stdout.indexOf('confusion matrix'));
    expect(rowOf(confusion, '9')).toEqual(['9', '12', '6', '1', '9', '31', '7', '1', '16', '4', '922']);
    // np.argsort(yt, kind='stable')[:2] -> [2293, 6505]; t -> [9, 9]; p -> [6, 0]; y[2293][6] = 0.505999
    expect(r.stdout).toMatch(/^#2293 t=9 y=6 +#6505 t=9 y=0$/m);
    const worst = r.stdout.slice(r.stdout.indexOf('index  label'));
    // y[2293][9] = 0.000111 (y_t), y[2293][6] = 0.505999
    expect(rowOf(worst, '2293').slice(0, 4)).toEqual(['2293', '9', '6', '1.11e-4']);
    expect(rowOf(worst, '2293')[4 + 6]).toBe('0.5060');
    expect(r.stdout).toMatch(/[░▒▓█]/); // the digits are drawn
  });

  it('the .safetensors as JSON: the same numbers with one thread and with two, bit for bit', () => {
    const one = run(['eval', '--model', SAFETENSORS, '--json', '--threads', '1']);
    const two = run(['eval', '--model', SAFETENSORS, '--json', '--threads', '2']);
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const json = JSON.parse(one.stdout);
    expect(Object.keys(json).slice(0, 8)).toEqual(['model', 'split', 'n', 'seed', 'sse', 'cee', 'accuracy', 'correct']);
    expect(json).toMatchObject({ model: SAFETENSORS, split: 'test', n: 10000, seed: null, accuracy: 0.9352, correct: 9352, format: 'safetensors', activation: 'sigmoid' });
    expect(Math.abs(json.sse - 0.049579113041651274)).toBeLessThan(1e-6);
    expect(Math.abs(json.cee - 0.22454365154002318)).toBeLessThan(1e-6);
    expect(json.perClass[0]).toEqual({ label: 0, count: 980, correct: 962 });
  });

  it('failed gates: exit 4, one stderr line per failed gate with the gap, the report still on stdout', () => {
    const r = run(['eval', '--model', SAFETENSORS, '--json', '--min-accuracy', '0.95', '--max-cee', '0.2', '--max-sse', '0.1']);
    expect(r.status).toBe(4);
    // 0.95 − 0.9352 = 0.0148; 0.22454365 − 0.2 = 0.02454 (4 significant digits); SSE 0.0496 <= 0.1 passes
    expect(r.stderr).toBe('mnist-loss: accuracy 0.9352 is below --min-accuracy 0.95 by 0.0148\nmnist-loss: cee 0.2245 is above --max-cee 0.2 by 0.02454\n');
    const json = JSON.parse(r.stdout);
    expect(json.thresholds).toEqual([
      { name: 'min-accuracy', limit: 0.95, value: 0.9352, passed: false },
      { name: 'max-cee', limit: 0.2, value: json.cee, passed: false },
      { name: 'max-sse', limit: 0.1, value: json.sse, passed: true },
    ]);
  });

  it('passing gates (accuracy equal to the limit passes): exit 0, nothing on stderr, a checks table', () => {
    const r = run(['eval', '--model', SAFETENSORS, '--min-accuracy', '0.9352', '--max-cee', '0.23', '--max-sse', '0.05']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(rowOf(r.stdout.slice(r.stdout.indexOf('checks:')), '--min-accuracy')).toEqual(['--min-accuracy', '0.9352', '0.9352', 'pass']);
  });

  it('--size 100 --seed 42: the sample np.random.seed(42); np.random.choice(10000, 100)', () => {
    const r = run(['eval', '--model', SAFETENSORS, '--size', '100', '--seed', '42', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    // np.random.seed(42); i = np.random.choice(10000, 100); -> sse 0.058023984540470294, cee 0.2960501142348654, 91 correct
    expect(json).toMatchObject({ split: 'test', n: 100, seed: 42, correct: 91, accuracy: 0.91, replace: true });
    expect(Math.abs(json.sse - 0.058023984540470294)).toBeLessThan(1e-6);
    expect(Math.abs(json.cee - 0.2960501142348654)).toBeLessThan(1e-6);
  });
});

describe('MNIST_LOSS_KERNELS: the kernels or the reference code, the same bits; a broken kernel is an error', () => {
  it('=reference prints the same JSON as the kernels, with one thread and with two', () => {
    const kernel = run(['eval', '--model', SAFETENSORS, '--json']);
    expect(kernel.status).toBe(0);
    for (const threads of ['1', '2']) {
      const reference = runCli(['eval', '--model', SAFETENSORS, '--json', '--threads', threads], { MNIST_LOSS_KERNELS: 'reference' });
      expect(reference.status).toBe(0);
      expect(reference.stdout).toBe(kernel.stdout);
    }
  });

  it('any other value is a usage error (exit 2) naming the variable and the two choices', () => {
    const r = runCli(['eval', '--model', SAFETENSORS, '--size', '5'], { MNIST_LOSS_KERNELS: 'js' });
    expectUserError(r, 2, /^mnist-loss: MNIST_LOSS_KERNELS="js": expected "wasm" \(the default\) or "reference"$/);
  });

  it('a damaged mlp.wasm in an installed copy: exit 1 with a rebuild hint, no stack and no silent slow path', () => {
    // a copy of the built package (dist/, package.json, node_modules linked) whose kernel file is cut short
    const root = makeTempDir();
    try {
      const repo = path.resolve(__dirname, '../..');
      fs.cpSync(path.join(repo, 'dist'), path.join(root, 'dist'), { recursive: true });
      fs.copyFileSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
      fs.symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'), 'dir');
      const wasm = path.join(root, 'dist', 'src', 'kernels', 'mlp.wasm');
      fs.writeFileSync(wasm, fs.readFileSync(wasm).subarray(0, 100));
      const bin = path.join(root, 'dist', 'bin', 'mnist-loss.js');
      const r = spawnSync(process.execPath, [bin, 'eval', '--model', SAFETENSORS, '--size', '5'], { encoding: 'utf8', env: cliEnv() });
      expectUserError({ status: r.status, stdout: r.stdout, stderr: r.stderr }, 1, /^mnist-loss: kernel file .*mlp\.wasm does not compile: /);
      expect(r.stderr).toMatch(/^hint: rebuild with `npm run build` \(or reinstall mnist-loss\); MNIST_LOSS_KERNELS=reference runs without the kernels$/m);
      fs.rmSync(wasm);
      const missing = spawnSync(process.execPath, [bin, 'eval', '--model', SAFETENSORS, '--size', '5'], { encoding: 'utf8', env: cliEnv() });
      expectUserError({ status: missing.status, stdout: missing.stdout, stderr: missing.stderr }, 1, /^mnist-loss: WebAssembly kernels not built: .*mlp\.wasm is missing$/);
      // the switch still runs such a copy, on the reference code
      const reference = spawnSync(process.execPath, [bin, 'eval', '--model', SAFETENSORS, '--size', '5', '--json'], { encoding: 'utf8', env: cliEnv({ MNIST_LOSS_KERNELS: 'reference' }) });
      expect(reference.status).toBe(0);
      expect(JSON.parse(reference.stdout)).toMatchObject({ n: 5 });
    } finally {
      removeDir(root);
    }
  });
});

describe('on a tiny IDX fixture', () => {
  let fixture: ReturnType<typeof writeFixtureDir>;
  beforeAll(() => {
    fixture = writeFixtureDir(30, 12);
  });
  afterAll(() => removeDir(fixture.dir));

  it('evaluates the 12 test images of the fixture as numpy does', () => {
    // i = np.arange(12)[:, None]; d = np.arange(784)[None, :]; x = ((i * 37 + d) % 256).astype(np.uint8).astype(np.float32) / np.float32(255)
    // t = (np.arange(12) * 3 + 1) % 10; y = predict(x) -> sse 0.6605463636620484, cee 6.2665347794280875, correct 0
    const r = run(['eval', '--model', SAFETENSORS, '--data', fixture.dir, '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ n: 12, seed: null, correct: 0, accuracy: 0 });
    expect(Math.abs(json.sse - 0.6605463636620484)).toBeLessThan(1e-6);
    expect(Math.abs(json.cee - 6.2665347794280875)).toBeLessThan(1e-6);
  });

  it('images of another size than the model takes are a data error (exit 3)', () => {
    const dir = makeTempDir();
    try {
      writeSplit(dir, 'test', fixtureSplit(2, 20, 20));
      expectUserError(run(['eval', '--model', SAFETENSORS, '--data', dir]), 3, /the model takes 784 inputs, but the test images are 20x20 = 400 pixels/);
    } finally {
      removeDir(dir);
    }
  });

  it('--no-replace larger than the split is a usage error', () => {
    expectUserError(run(['eval', '--model', SAFETENSORS, '--data', fixture.dir, '--size', '13', '--no-replace']), 2, /without replacement needs at least 13 images/);
  });
});

describe('user errors: a message, a hint, no stack', () => {
  it('--seed without --size (exit 2)', () => {
    expectUserError(run(['eval', '--model', SAFETENSORS, '--seed', '3']), 2, /--seed 3 picks a sample, but no --size was given/);
  });

  it('--no-replace without --size (exit 2)', () => {
    expectUserError(run(['eval', '--model', SAFETENSORS, '--no-replace']), 2, /--no-replace applies to a sample/);
  });

  it('bad flag values (exit 2)', () => {
    expectUserError(run(['eval', '--max-cee', '-1']), 2, /expected a number from 0 to 1000/);
    expectUserError(run(['eval', '--min-accuracy', '1.5']), 2, /expected a number from 0 to 1/);
    expectUserError(run(['eval', '--threads', '0']), 2, /expected 1, 2 or 'auto'/);
  });

  it('a missing model file and a file that is no model (exit 3)', () => {
    const dir = makeTempDir();
    try {
      expectUserError(run(['eval', '--model', path.join(dir, 'nope.safetensors')]), 3, /model file not found/);
      const junk = path.join(dir, 'junk.bin');
      fs.writeFileSync(junk, 'not a model');
      expectUserError(run(['eval', '--model', junk]), 3, /unknown model format/);
    } finally {
      removeDir(dir);
    }
  });
});
