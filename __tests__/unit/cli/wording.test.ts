// cli/wording.ts: library errors carry facts (MnistLossError.detail) and name no flag; the CLI words them with
// the flag that fed each value. Each case throws from the real library function and checks the line and hint
// main prints (the e2e files check the same texts through the binary), and every detail code gets a flag.
import * as path from 'node:path';
import { sampleIndices } from '../../../src/data/batch';
import { loadSplit, resolveDataSource } from '../../../src/data/mnist';
import { ExitCode, MnistLossError, modelUnsupported, type ErrorDetail } from '../../../src/errors';
import { resolvePredictions, resolveTeacher, validatePredictions } from '../../../src/experiments/predictionLoss';
import { centralWeights } from '../../../src/experiments/probe';
import { checkSweepValues } from '../../../src/experiments/sweep';
import { recogniseArchitecture } from '../../../src/nn/architecture';
import type { Network } from '../../../src/nn/network';
import { resolveParamRef } from '../../../src/nn/paramRef';
import { describeSource, wordError } from '../../../src/cli/wording';
import { Mt19937 } from '../../../src/rng/mt19937';
import { makeTempDir, removeDir } from '../../helpers/idxFixture';

const FLAG = /(?<![\w-])--[a-z]/;

/** The error f throws, as main would print it: [first message line, hint]. */
function worded(f: () => unknown): [string, string | undefined] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MnistLossError);
    const library = e as MnistLossError;
    expect(library.detail).toBeDefined();
    expect(`${library.lines.join('\n')}\n${library.hint ?? ''}`).not.toMatch(FLAG); // the library names no flag
    const cli = wordError(library);
    expect(cli.exitCode).toBe(library.exitCode);
    return [cli.lines[0], cli.hint];
  }
  throw new Error('expected a MnistLossError');
}

const iota = (n: number, from = 0) => Float32Array.from({ length: n }, (_, i) => from + i);
const net: Network = {
  activation: 'sigmoid',
  layers: [
    { W: { rows: 784, cols: 3, data: iota(784 * 3) }, b: iota(3) },
    { W: { rows: 3, cols: 10, data: iota(30) }, b: iota(10) },
  ],
};

describe('wordError: the library facts in flag terms', () => {
  let dir = '';
  beforeAll(() => { dir = makeTempDir(); });
  afterAll(() => removeDir(dir));

  it('values named by their input: --param, --y, --t in place of the library names, the hint naming the flags', () => {
    expect(worded(() => resolveParamRef(net, 'W4[0,0]'))).toEqual(["--param 'W4[0,0]': the model has no parameter W4 (it has 2 layers)", expect.stringMatching(/^the model's parameters are /)]);
    expect(worded(() => resolveParamRef(net, 'W1[0]'))[0]).toBe("--param 'W1[0]': W1 has shape [784,3], so it takes 2 indexes, found 1");
    expect(worded(() => resolvePredictions('0.5,x'))).toEqual([
      "--y '0.5,x': item 2 ('x') is not a number",
      'write the row as comma-separated numbers, e.g. --y 0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0, or name a .npy, .csv or .json file',
    ]);
    expect(worded(() => validatePredictions(resolvePredictions('0.5,1.5,-1'), false))).toEqual([
      '--y: row 0, column 1 is 1.5: not a probability (expected a value in [0, 1])',
      'if these are raw scores (logits), pass --from-logits to apply softmax first',
    ]);
    expect(worded(() => validatePredictions(resolvePredictions('0.5,0.4'), false))[1]).toBe('if these are raw scores (logits), pass --from-logits to apply softmax first; otherwise divide each row by its sum');
    expect(worded(() => resolvePredictions('abc'))[0]).toBe("--y 'abc' is neither a number list nor a .npy, .csv or .json file name");
    const y1 = resolvePredictions('0.1,0.9').y;
    expect(worded(() => resolveTeacher('1.5', y1, { source: 'idx', env: {} }))[0]).toBe("--t '1.5': a label is a whole number from 0 to 1");
    expect(worded(() => resolveTeacher('1,1', y1, { source: 'idx', env: {} }))[0]).toBe('--t: row 0 has 2 ones: a one-hot row has exactly one');
    expect(worded(() => resolveTeacher('abc', y1, { source: 'idx', env: {} }))[1]).toMatch(/; for --t also a label such as 2, or train \/ test/);
  });

  it('a value read from a file keeps the file in the message; only the hint names the flag', () => {
    const e = new MnistLossError('y.npy: y has 1 column per row, expected K >= 2 class scores', ExitCode.Data, 'integer labels go in t', { code: 'input', input: 'y', file: 'y.npy', fix: 'labels-in-t' });
    expect(wordError(e).lines).toEqual(['y.npy: y has 1 column per row, expected K >= 2 class scores']);
    expect(wordError(e).hint).toBe('y holds one row of K class probabilities per image; integer labels go in --t');
    // a message that does not start with the name is left alone rather than garbled
    const other = new MnistLossError('yet another thing', ExitCode.Data, undefined, { code: 'input', input: 'y' });
    expect(wordError(other).lines).toEqual(['yet another thing']);
  });

  it('data sources: --data, --source mnist, $MNIST_DATA_DIR', () => {
    const missing = path.join(dir, 'nope');
    const [line, hint] = worded(() => loadSplit({ data: missing, source: 'idx', env: {} }, 'train'));
    expect(line).toMatch(new RegExp(`^data folder not found: ${missing.replace(/[/\\.]/g, '\\$&')} \\(from --data\\); it should hold train-images-idx3-ubyte`));
    expect(hint).toBe('pass --data DIR (a folder with the four MNIST IDX files, plain or .gz) or set MNIST_DATA_DIR');
    expect(worded(() => loadSplit({ source: 'idx', env: { MNIST_DATA_DIR: missing } }, 'train'))[0]).toMatch(/\(from \$MNIST_DATA_DIR\)/);
    expect(worded(() => resolveDataSource({ data: '/x', source: 'mnist', env: {} }))).toEqual([
      '--data /x and --source mnist name two different data sources',
      'drop --data to use the mnist package, or drop --source mnist to read the IDX files',
    ]);
    expect(worded(() => loadSplit({ source: 'mnist', env: {} }, 'test'))).toEqual([
      '--source mnist has no test split: the mnist package holds 10,000 training digits only',
      'use --split train with --source mnist, or drop --source mnist to use the official test set',
    ]);
    expect(describeSource({ kind: 'flag' })).toBe('--data');
    expect(describeSource({ kind: 'env' })).toBe('$MNIST_DATA_DIR');
  });

  it('sampling, probe steps, sweep ranges, model files', () => {
    expect(worded(() => sampleIndices(new Mt19937(0), 30, 40, false))[1]).toBe('use a size of at most 30, or sample with replacement (drop --no-replace)');
    expect(worded(() => centralWeights({ label: 'W1[0,0]', value: 1 }, 1e-30))[1]).toMatch(/^use a larger --h, e\.g\. 1e-4/);
    expect(worded(() => centralWeights({ label: 'W1[0,0]', value: 1 }, 1e39))[1]).toMatch(/^use a small positive --h/);
    expect(worded(() => checkSweepValues({ label: 'W1[0,0]', value: 0 }, [1, 1], 'set'))[1]).toBe('give --from and --to two different values, close enough for their difference to be finite');
    expect(worded(() => checkSweepValues({ label: 'W1[0,0]', value: 3e38 }, [0, 1e38], 'add'))[1]).toBe('keep the weight plus every value (--from, --to) within ±3.4028235e38, the float32 range');
    const mlp = new Map(Object.entries({ W1: [784, 16], b1: [16], W2: [16, 10], b2: [10] }));
    expect(worded(() => recogniseArchitecture(mlp, 'relu-net.npz'))[1]).toBe('pass --activation sigmoid, --activation relu or --activation tanh (the activation between the hidden layers)');
    const conv = new Map(Object.entries({ W1: [784, 30], b1: [30], W2: [30, 1, 5, 5], b2: [30], W3: [10, 10], b3: [10] }));
    expect(worded(() => recogniseArchitecture(conv, 'odd.npz'))[1]).toBe(
      "export the model to ONNX (torch.onnx.export) so that its layers travel with it; or evaluate the model's own predictions (y for the test images, saved with np.save) with 'mnist-loss loss --y PREDICTIONS.npy --t test'",
    );
  });

  it('every detail code is worded with a flag (a new code needs its wording here and in wording.ts)', () => {
    const samples: { readonly [C in ErrorDetail['code']]: Extract<ErrorDetail, { code: C }>[] } = {
      input: [{ code: 'input', input: 'parameter' }, { code: 'input', input: 'y', file: 'y.npy', fix: 'logits' }],
      'data-missing': [{ code: 'data-missing', source: 'none' }, { code: 'data-missing', source: 'embedded' }],
      'data-sources': [{ code: 'data-sources', folder: 'd' }],
      'mnist-package': [{ code: 'mnist-package', problem: 'missing' }, { code: 'mnist-package', problem: 'damaged' }, { code: 'mnist-package', problem: 'no-split', split: 'test' }],
      'sample-size': [{ code: 'sample-size', size: 5, available: 4 }],
      'model-setting': (['activation', 'normalize'] as const).flatMap((setting) => (['bad-metadata', 'missing', 'twice'] as const).map((problem) => ({ code: 'model-setting' as const, setting, problem }))),
      'model-name': [{ code: 'model-name', suggestion: 'm.safetensors' }],
      'model-unsupported': [{ code: 'model-unsupported' }, modelUnsupported('export it')[1] as Extract<ErrorDetail, { code: 'model-unsupported' }>],
      'probe-step': [{ code: 'probe-step', problem: 'not-finite' }, { code: 'probe-step', problem: 'lost' }],
      'sweep-values': [{ code: 'sweep-values', mode: 'add', problem: 'range' }, { code: 'sweep-values', mode: 'set', problem: 'step' }],
    };
    for (const detail of Object.values(samples).flat()) {
      const message = detail.code === 'input' && detail.file === undefined ? `${detail.input} 'x': bad` : 'facts';
      const cli = wordError(new MnistLossError(message, ExitCode.Usage, 'a library hint', detail));
      expect([detail, `${cli.lines.join('\n')}\n${cli.hint}`]).toEqual([detail, expect.stringMatching(FLAG)]);
    }
  });

  it('an error without a detail is printed as thrown', () => {
    const e = new MnistLossError(['a', 'b'], ExitCode.Check, 'h');
    expect(wordError(e)).toBe(e);
  });
});
