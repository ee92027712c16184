// Every model on the layer engine through the built CLI: the book's ch07 SimpleConvNet and ch08 DeepConvNet
// pickles give what the book's own code prints on the 10,000 test images (../shared/fixtures/README.md, numpy
// 2.4: ch07 9600 correct, CEE 0.1325056, SSE 0.0311715; ch08 9797, CEE 0.0897160, SSE 0.0180506), one and two
// threads give the same numbers, a weights-only ReLU model without an activation is refused instead of
// mis-scored, and --normalize routes an MLP through the engine with the kernel's numbers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel } from '../../src/io/modelFile';
import { expectUserError, requireBuiltCli, runCli } from '../helpers/cli';
import { makeTempDir, removeDir } from '../helpers/idxFixture';
import { npzOfTensors } from '../helpers/modelBytes';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const CH07 = path.join(FIXTURES, 'book-ch07-params.pkl');
const CH08 = path.join(FIXTURES, 'book-ch08-deep_convnet_params.pkl');
const BUNDLED = path.join(__dirname, '..', '..', 'data', 'model.safetensors');

let tmp: string;
beforeAll(() => { requireBuiltCli(); tmp = makeTempDir(); });
afterAll(() => removeDir(tmp));

const evalJson = (args: string[]) => {
  const r = runCli(['eval', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
};

describe("the book's convolutional networks, recognised from their pickles", () => {
  it('ch07 SimpleConvNet: 9600 / 10000, CEE 0.1325056, SSE 0.0311715; the same with one or two threads', () => {
    const one = evalJson(['--model', CH07, '--threads', '1']);
    expect(one).toMatchObject({ n: 10000, correct: 9600, accuracy: 0.96, recognised: 'book-ch07-simple-convnet', activation: 'relu', activationFrom: 'recognised', widths: null });
    expect(Math.abs(one.cee - 0.1325056)).toBeLessThan(1e-5);
    expect(Math.abs(one.sse - 0.0311715)).toBeLessThan(1e-5);
    expect(one.layers.map((l: { kind: string }) => l.kind)).toEqual(['convolution', 'relu', 'pooling', 'flatten', 'affine', 'relu', 'affine', 'softmax']);
    expect(one.layers[0]).toEqual({ kind: 'convolution', input: [1, 28, 28], output: [30, 24, 24], settings: { filters: 30, channels: 1, kernel: [5, 5], stride: 1, pad: 0 } });
    const two = evalJson(['--model', CH07, '--threads', '2']);
    expect(two).toEqual(one);
  });

  it('ch08 DeepConvNet: 9797 / 10000, CEE 0.0897160, SSE 0.0180506, dropout scaled as the book does at test time', () => {
    const r = evalJson(['--model', CH08]);
    expect(r).toMatchObject({ n: 10000, correct: 9797, recognised: 'book-ch08-deep-convnet' });
    expect(Math.abs(r.cee - 0.089716)).toBeLessThan(1e-5);
    expect(Math.abs(r.sse - 0.0180506)).toBeLessThan(1e-5);
    expect(r.layers.filter((l: { kind: string }) => l.kind === 'dropout').map((l: { settings: unknown }) => l.settings)).toEqual([
      { ratio: 0.5, convention: 'book' }, { ratio: 0.5, convention: 'book' },
    ]);
  });

  it('the report names what was recognised and the layers it runs', () => {
    const r = runCli(['eval', '--model', CH07, '--size', '50'], { COLUMNS: '200' }); // one header line per key
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^format +pickle, the book's ch07 SimpleConvNet .*, relu \(recognised\)$/m);
    expect(r.stdout).toMatch(/^layers +conv 30x5x5 -> relu -> max pool 2x2 -> flatten -> affine 4320x100 -> relu -> affine 100x10 -> softmax$/m);
  });

  it('--activation overrides what recognition implies, and the report says so', () => {
    const r = evalJson(['--model', CH07, '--size', '20', '--activation', 'sigmoid']);
    expect([r.activation, r.activationFrom]).toEqual(['sigmoid', 'flag']);
    expect(r.layers.filter((l: { kind: string }) => l.kind === 'sigmoid')).toHaveLength(2);
  });
});

describe('no silently wrong answers', () => {
  // the bundled ReLU model's tensors as an npz: weights only, no activation (the "converted by hand")
  const npz = () => {
    const file = path.join(tmp, 'relu-by-hand.npz');
    if (!fs.existsSync(file)) {
      const m = readModel(BUNDLED).mlp!;
      const t: Record<string, [number[], number[]]> = {};
      m.layers.forEach((l, i) => { t[`W${i + 1}`] = [[l.W.rows, l.W.cols], Array.from(l.W.data)]; t[`b${i + 1}`] = [[l.b.length], Array.from(l.b)]; });
      fs.writeFileSync(file, npzOfTensors(t));
    }
    return file;
  };

  it('a weights-only ReLU model without an activation is exit 2 naming the choices, not scored as sigmoid', () => {
    for (const command of [['eval'], ['sweep', '--param', 'auto', '--size', '10'], ['probe', '--size', '10']]) {
      const r = runCli([...command, '--model', npz()]);
      expectUserError(r, 2, /names no activation for its 1 hidden layer \(784-100-10\)/);
      expect(r.stderr).toMatch(/hint: pass --activation sigmoid, --activation relu or --activation tanh/);
    }
  });

  it('with --activation relu it scores what the bundled model scores (9750)', () => {
    expect(evalJson(['--model', npz(), '--activation', 'relu'])).toMatchObject({ correct: 9750, activationFrom: 'flag' });
  });

  it('a 4-D weight in no known layout is exit 3 naming the shapes, with the ONNX / loss hint', () => {
    const file = path.join(tmp, 'two-convs.npz');
    fs.writeFileSync(file, npzOfTensors({
      W1: [[4, 1, 3, 3], new Array(36).fill(0.1)], b1: [[4], [0, 0, 0, 0]],
      W2: [[4, 4, 3, 3], new Array(144).fill(0.1)], b2: [[4], [0, 0, 0, 0]],
      W3: [[2304, 10], new Array(23040).fill(0)], b3: [[10], new Array(10).fill(0)],
    }));
    const r = runCli(['eval', '--model', file]);
    expectUserError(r, 3, /4-D weights in no layout mnist-loss knows \(W1 \[4, 1, 3, 3\], W2 \[4, 4, 3, 3\], W3 \[2304, 10\]\)/);
    expect(r.stderr).toMatch(/hint: export the model to ONNX .*mnist-loss loss/);
  });

  // sweep, probe and gradcheck run on convolutional networks (their own e2e tests); demo is the bundled MLP's tour
  it('demo says plainly that it tours fully connected networks only', () => {
    for (const command of [['demo']])
      expectUserError(runCli([...command, '--model', CH07]), 2, /runs on fully connected sigmoid or ReLU networks .*SimpleConvNet/);
  });
});

describe('--normalize', () => {
  it('(x/255 - 0) / 1 runs the bundled MLP through the engine and gives the MLP kernel\'s numbers', () => {
    const plain = evalJson(['--size', '500']);
    const normalized = evalJson(['--size', '500', '--normalize', '0,1']);
    expect(normalized).toMatchObject({ correct: plain.correct, normalize: { mean: 0, std: 1, from: 'flag' } });
    expect(Math.abs(normalized.cee - plain.cee)).toBeLessThan(1e-6);
  });

  it('changes the inputs when it is not the identity, and is a usage error when malformed', () => {
    const shifted = evalJson(['--size', '500', '--normalize', '0.1307,0.3081']);
    expect(shifted.correct).toBeLessThan(evalJson(['--size', '500']).correct); // the bundled model was trained on x/255
    for (const bad of ['0.1', '0.1,0', '1,2,3', 'a,b', '0.1,-1'])
      expectUserError(runCli(['eval', '--normalize', bad]), 2, /--normalize/);
  });
});
