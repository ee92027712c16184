// nn/layers Network: (1) an MLP built from Affine/Sigmoid/Relu layers gives exactly the bits of nn/network.ts predict();
// (2) the small ch07-shaped network of __tests__/fixtures/layers/make_layer_goldens.py (numpy 2.4, float32 rounding
// emulated: see that script) — probabilities rtol 1e-6, loss and gradients rtol 1e-6 (backward is float64 from the
// float32 forward values, so a float32 value rounding the other way moves a gradient by ~1e-7 relative);
// (3) names, descriptions, preprocessing and the final-softmax rule; (4) shape errors are plain Errors (bugs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../../../helpers/allClose';
import { gatherBatch } from '../../../../src/data/batch';
import { MnistLossError } from '../../../../src/errors';
import { predict as mlpPredict, type Activation, type Network as MlpNetwork } from '../../../../src/nn/network';
import {
  Affine, BatchNormalization, Convolution, Dropout, Flatten, Network, Pooling, Relu, Sigmoid, Softmax, Tanh, type Layer,
} from '../../../../src/nn/layers';
import { Mt19937 } from '../../../../src/rng/mt19937';
import { randn } from '../../../../src/rng/sample';

interface Arr { shape: number[]; data: number[] }
const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../fixtures/layers/layer-goldens.json'), 'utf8')) as {
  network: { pixels: number[]; t: number[]; inputShape: number[]; params: Record<string, Arr>; y: Arr; loss: number; grads: Record<string, Arr> };
};
const f32 = (a: Arr): { shape: number[]; data: Float32Array } => ({ shape: a.shape, data: Float32Array.from(a.data) });
const f32p = (shape: number[], rng: Mt19937, scale: number): { shape: number[]; data: Float32Array } =>
  ({ shape, data: Float32Array.from(randn(rng, shape.reduce((a, b) => a * b, 1), scale)) });

/** count images of 784 bytes, ~80 % zeros like MNIST. */
function pixels(rng: Mt19937, count: number): Uint8Array {
  const p = new Uint8Array(count * 784);
  for (let i = 0; i < p.length; i++) { const u = rng.random(); p[i] = u < 0.8 ? 0 : Math.floor(((u - 0.8) / 0.2) * 256); }
  return p;
}

describe('an MLP gives the bits of nn/network.ts predict()', () => {
  it.each<[Activation, number[]]>([['sigmoid', [784, 50, 100, 10]], ['relu', [784, 100, 10]]])('%s %j', (activation, sizes) => {
    const rng = new Mt19937(7);
    const mlp: MlpNetwork = {
      activation,
      layers: sizes.slice(1).map((out, l) => {
        const W = f32p([sizes[l], out], rng, 0.1), b = f32p([out], rng, 0.1);
        return { W: { rows: sizes[l], cols: out, data: W.data }, b: b.data };
      }),
    };
    const layers: Layer[] = mlp.layers.flatMap((layer, l) => {
      const affine = new Affine({ shape: [layer.W.rows, layer.W.cols], data: layer.W.data }, { shape: [layer.W.cols], data: layer.b });
      return l < mlp.layers.length - 1 ? [affine, activation === 'relu' ? new Relu() : new Sigmoid()] : [affine];
    });
    const count = 20;
    const px = pixels(rng, count);
    const net = new Network({ layers, inputShape: [784] });
    const ours = net.predict(px, count);
    const split = { split: 'test' as const, count, rows: 28, cols: 28, pixels: px, labels: new Uint8Array(count) };
    const theirs = mlpPredict(mlp, gatherBatch(split, Array.from({ length: count }, (_, i) => i)).x);
    expect(ours.shape).toEqual([count, 10]);
    expect(Buffer.from(ours.data.buffer).equals(Buffer.from(theirs.data.buffer))).toBe(true);
  });
});

describe('the golden ch07-shaped network (conv 3x3 pad 1 -> relu -> max pool -> affine -> relu -> affine)', () => {
  const g = golden.network;
  const build = (): Network => new Network({
    inputShape: g.inputShape,
    layers: [
      new Convolution(f32(g.params.W1), f32(g.params.b1), 1, 1), new Relu(), new Pooling(2, 2, 2),
      new Affine(f32(g.params.W2), f32(g.params.b2)), new Relu(), new Affine(f32(g.params.W3), f32(g.params.b3)),
    ],
  });
  const px = Uint8Array.from(g.pixels), t = Uint8Array.from(g.t);

  it('predict: the probabilities', () => {
    const y = build().predict(px, 4);
    expect(y.shape).toEqual([4, 10]);
    expectAllClose(y.data, g.y.data, 1e-9, 1e-6);
  });

  it('loss and gradient: the book SoftmaxWithLoss forward and backward', () => {
    const net = build();
    expect(net.loss(px, t, 4)).toBeCloseTo(g.loss, 6);
    const { loss, grads } = net.gradient(px, t, 4);
    expect(loss).toBeCloseTo(g.loss, 6);
    expect([...grads.keys()]).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    for (const [name, want] of Object.entries(g.grads)) expectAllClose(grads.get(name) as Float64Array, want.data, 1e-12, 1e-6);
  });

  it('layerInputs/forwardFrom/lossFrom: running from any layer on its cached input gives the bits of the whole pass', () => {
    for (const net of [build(), new Network({ inputShape: g.inputShape, layers: [...build().layers, new Softmax()] })]) {
      const x = net.input(px, 4);
      const inputs = net.layerInputs(x);
      expect(inputs.length).toBe(net.layers.length + 1);
      expect(inputs[0]).toBe(x);
      const whole = [...net.forward(x).data], loss = net.lossOf(x, t);
      expect([...inputs[net.layers.length].data]).toEqual(whole);
      for (let l = 0; l < net.layers.length; l++) {
        const seen: number[] = [];
        expect([...net.forwardFrom(l, inputs[l], false, (k, z) => { seen.push(k); expect([...z.data]).toEqual([...inputs[k].data]); }).data]).toEqual(whole);
        expect(seen).toEqual(Array.from({ length: net.layers.length - l }, (_, i) => l + i));
        expect(net.lossFrom(l, inputs[l], t)).toBe(loss);
      }
      expect(() => net.forwardFrom(net.layers.length, x)).toThrow(/no layer/);
      expect(() => net.forwardFrom(1, x)).toThrow(/input \[4,1,8,8\] of layer 1/);
    }
  });

  it('a final Softmax layer is not applied twice', () => {
    const net = build();
    const withSoftmax = new Network({ inputShape: g.inputShape, layers: [...net.layers, new Softmax()] });
    expect(net.endsInSoftmax).toBe(false);
    expect(withSoftmax.endsInSoftmax).toBe(true);
    expect([...withSoftmax.predict(px, 4).data]).toEqual([...net.predict(px, 4).data]);
    expect([...withSoftmax.gradient(px, t, 4).grads.get('W1') as Float64Array]).toEqual([...net.gradient(px, t, 4).grads.get('W1') as Float64Array]);
  });
});

describe('parameters, descriptions, preprocessing', () => {
  const rng = new Mt19937(3);
  const net = new Network({
    inputShape: [1, 6, 6],
    layers: [
      new Convolution(f32p([2, 1, 3, 3], rng, 0.5), f32p([2], rng, 0.1), 1, 0), new BatchNormalization(f32p([2], rng, 1), f32p([2], rng, 1), { mode: 'perChannel' }),
      new Relu(), new Pooling(2, 2, 2, 0, { mode: 'avg' }), new Flatten(), new Affine(f32p([8, 5], rng, 0.5), f32p([5], rng, 0.1)),
      new BatchNormalization(f32p([5], rng, 1), f32p([5], rng, 1)), new Tanh(), new Dropout(0.5), new Affine(f32p([5, 10], rng, 0.5), f32p([10], rng, 0.1)),
    ],
  });

  it("names every parameter as the book's MultiLayerNetExtend: W/b over Affine and Convolution in order, gamma/beta over batch norms", () => {
    expect(net.parameters().map((p) => `${p.name}@${p.layer}`)).toEqual([
      'W1@0', 'b1@0', 'gamma1@1', 'beta1@1', 'W2@5', 'b2@5', 'gamma2@6', 'beta2@6', 'W3@9', 'b3@9',
    ]);
    expect(net.parameters()[0].shape).toEqual([2, 1, 3, 3]);
  });

  it('describes each layer with per-sample shapes and settings (JSON-ready)', () => {
    const d = net.describe();
    expect(d.map((l) => [l.kind, l.input, l.output])).toEqual([
      ['convolution', [1, 6, 6], [2, 4, 4]], ['batchNormalization', [2, 4, 4], [2, 4, 4]], ['relu', [2, 4, 4], [2, 4, 4]],
      ['pooling', [2, 4, 4], [2, 2, 2]], ['flatten', [2, 2, 2], [8]], ['affine', [8], [5]], ['batchNormalization', [5], [5]],
      ['tanh', [5], [5]], ['dropout', [5], [5]], ['affine', [5], [10]],
    ]);
    expect(d[0].settings).toEqual({ filters: 2, channels: 1, kernel: [3, 3], stride: 1, pad: 0 });
    expect(d[3].settings).toEqual({ mode: 'avg', pool: [2, 2], stride: 2, pad: 0, countIncludePad: true });
    expect(d[6].settings).toEqual({ mode: 'book', features: 5, eps: 1e-6, momentum: 0.9 });
    expect(d[8].settings).toEqual({ ratio: 0.5, convention: 'book' });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it('preprocessing: x = f32(p / 255), then f32((x − mean) / std) when given', () => {
    const layers = [new Affine({ shape: [4, 10], data: new Float32Array(40) }, { shape: [10], data: new Float32Array(10) })];
    const px = Uint8Array.of(0, 1, 128, 255);
    expect([...new Network({ layers, inputShape: [4] }).input(px, 1).data]).toEqual([0, Math.fround(1 / 255), Math.fround(128 / 255), 1]);
    const norm = new Network({ layers, inputShape: [4], preprocessing: { scale: 1 / 255, mean: 0.1307, std: 0.3081 } });
    expect([...norm.input(px, 1).data]).toEqual([0, 1, 128, 255].map((p) => Math.fround((Math.fround(p / 255) - 0.1307) / 0.3081)));
  });

  it('train-mode dropout without an rng is a plain Error; with one, the masks follow the seed', () => {
    const px = pixels(new Mt19937(1), 1).subarray(0, 36);
    expect(() => net.predict(px, 1, true)).toThrow(/needs an rng/);
    (net.layers[8] as Dropout).rng = new Mt19937(5);
    const a = net.predict(px, 1, true);
    (net.layers[8] as Dropout).rng = new Mt19937(5);
    expect([...net.predict(px, 1, true).data]).toEqual([...a.data]);
  });
});

describe('a shape that does not fit is a plain Error (a bug), never a MnistLossError', () => {
  const W = (shape: number[]): { shape: number[]; data: Float32Array } => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const cases: [string, () => unknown, RegExp][] = [
    ['Affine: input size vs W rows', () => new Affine(W([10, 3]), W([3])).outputShape([3, 2, 2]), /Affine: input \[3,2,2\] \(12 values\) vs W \[10,3\]/],
    ['Affine: b vs W', () => new Affine(W([10, 3]), W([4])), /Affine: b \[4\] vs W \[10,3\]/],
    ['Convolution: channels', () => new Convolution(W([4, 3, 3, 3]), W([4])).outputShape([1, 28, 28]), /needs \[3, H, W\]/],
    ['Convolution: filter larger than the padded input', () => new Convolution(W([4, 1, 5, 5]), W([4]), 1, 0).outputShape([1, 3, 3]), /does not fit/],
    ['Convolution: a 2-D W', () => new Convolution(W([4, 9]), W([4])), /W must be \[FN, C, FH, FW\]/],
    ['Pooling: a flat input', () => new Pooling(2, 2, 2).outputShape([784]), /must be \[C, H, W\]/],
    ['Pooling: pad over half the window', () => new Pooling(2, 2, 2, 2), /exceeds half/],
    ['BatchNormalization: features', () => new BatchNormalization(W([5]), W([5])).outputShape([2, 2, 2]), /8 features, gamma has 5/],
    ['BatchNormalization per channel: channels', () => new BatchNormalization(W([3]), W([3]), { mode: 'perChannel' }).outputShape([2, 4, 4]), /vs 3 channels/],
    ['Softmax: a 3-D sample', () => new Softmax().outputShape([2, 5]), /must be \[K\]/],
    ['Network: a layer chain that does not fit', () => new Network({ inputShape: [1, 28, 28], layers: [new Affine(W([100, 10]), W([10]))] }), /784 values/],
    ['Network: ends in a non-vector', () => new Network({ inputShape: [1, 28, 28], layers: [new Relu()] }), /not \[K\] class scores/],
    ['forward: input of the wrong sample shape', () => new Network({ inputShape: [4], layers: [new Affine(W([4, 10]), W([10]))] }).forward({ shape: [1, 5], data: new Float32Array(5) }), /input \[1,5\] vs \[N,4\]/],
    ['backward before forward', () => new Relu().backward({ shape: [1, 2], data: new Float64Array(2) }), /backward called before forward/],
    ['dout of the wrong shape', () => { const r = new Relu(); r.forward({ shape: [1, 2], data: new Float32Array(2) }, false); return r.backward({ shape: [2, 1], data: new Float64Array(2) }); }, /dout \[2,1\] vs forward output \[1,2\]/],
    ['Dropout: inverted ratio 1', () => new Dropout(1, { convention: 'inverted' }), /ratio < 1/],
  ];
  it.each(cases)('%s', (_name, run, message) => {
    let caught: unknown;
    try { run(); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(MnistLossError);
    expect((caught as Error).message).toMatch(message);
  });
});

it('max pooling: on a tie the first maximum (np.argmax) takes the whole gradient', () => {
  const pool = new Pooling(2, 2, 2);
  const y = pool.forward({ shape: [1, 1, 2, 2], data: Float32Array.of(0, 3, 3, 1) }, false);
  expect([...y.data]).toEqual([3]);
  expect([...pool.backward({ shape: [1, 1, 1, 1], data: Float64Array.of(2) }).data]).toEqual([0, 2, 0, 0]);
});
