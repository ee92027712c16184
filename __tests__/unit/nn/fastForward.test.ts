// The fast forward pass against the reference: predict() + losses.ts on a gathered float32 batch (the book's
// arithmetic), on both paths — the kernels (src/kernels/mlp.wat) and the reference path that
// MNIST_LOSS_KERNELS=reference selects — bit for bit, and the switch itself. The kernels one by one are in
// __tests__/unit/kernels/mlp.test.ts. Runs on the first 300 real test images with the book's ch03 weights.
import * as path from 'node:path';
import { gatherBatch } from '../../../src/data/batch';
import { loadSplit } from '../../../src/data/mnist';
import type { MnistSplit } from '../../../src/data/types';
import { readModel } from '../../../src/io/modelFile';
import { createForward, forwardLosses, forwardProbabilities } from '../../../src/nn/fastForward';
import { countCorrect, crossEntropyErrorMean, sumSquaredErrorMean } from '../../../src/nn/losses';
import * as network from '../../../src/nn/network';
import { predict, type Network } from '../../../src/nn/network';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const N = 300;

let split: MnistSplit;
let book: Network;
beforeAll(() => {
  split = loadSplit({ source: 'idx', env: {} }, 'test');
  book = readModel(path.join(FIXTURES, 'book-ch03.safetensors')).mlp!;
});

describe('forwardLosses equals predict() + losses.ts on the same images', () => {
  for (const activation of ['sigmoid', 'relu'] as const) {
    it(`${activation}: the same y bits per image, the same SSE, CEE and correct count (first ${N} test images)`, () => {
      const net: Network = { ...book, activation };
      const indices = Uint32Array.from({ length: N }, (_, i) => i);
      const { x, t } = gatherBatch(split, indices);
      const y = predict(net, x); // the reference: x = f32(p/255), float64 dot products, float32 per layer
      for (const path of ['wasm', 'reference'] as const) {
        for (let i = 0; i < N; i += 37) expect(Array.from(forwardProbabilities(net, split.pixels, i, { path }))).toEqual(Array.from(y.data.subarray(i * 10, i * 10 + 10)));
        const losses = forwardLosses(net, split, null, 0, N, { path });
        const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
        // per-image sums reduced in image order vs one running sum: equal to ~1e-16, far inside 1e-6
        expect(Math.abs(mean(losses.sse) - sumSquaredErrorMean(y, t))).toBeLessThan(1e-12);
        expect(Math.abs(mean(losses.cee) - crossEntropyErrorMean(y, t))).toBeLessThan(1e-12);
        expect(losses.predicted.reduce((c, p, i) => c + (p === t[i] ? 1 : 0), 0)).toBe(countCorrect(y, t));
      }
    });
  }

  it('the kernel and reference paths give identical per-image values, with indices and offsets', () => {
    const indices = Uint32Array.from([9999, 0, 17, 17, 4242, 123, 5000, 1]);
    const js = forwardLosses(book, split, indices, 2, 8, { path: 'reference' });
    const out = { sse: new Float64Array(9), cee: new Float64Array(9), predicted: new Uint8Array(9) };
    createForward(book, { path: 'wasm' }).lossesInto(split, indices, 2, 8, out, 3);
    expect(Array.from(out.sse.subarray(3))).toEqual(Array.from(js.sse));
    expect(Array.from(out.cee.subarray(3))).toEqual(Array.from(js.cee));
    expect(Array.from(out.predicted.subarray(3))).toEqual(Array.from(js.predicted));
    expect(Array.from(out.sse.subarray(0, 3))).toEqual([0, 0, 0]); // nothing written before the offset
    // image 17 twice: the same values both times
    expect(js.sse[0]).toBe(js.sse[1]);
  });

  it('an image of all zeros gives y = softmax(the network of the biases alone)', () => {
    const pixels = new Uint8Array(784);
    const reference = predict(book, { rows: 1, cols: 784, data: new Float32Array(784) });
    for (const path of ['wasm', 'reference'] as const) expect(Array.from(forwardProbabilities(book, pixels, 0, { path }))).toEqual(Array.from(reference.data));
  });

  it('more images than one chunk (256), from an offset: both paths agree image by image', () => {
    const relu: Network = { ...book, activation: 'relu' };
    const a = forwardLosses(relu, split, null, 7, N, { path: 'wasm' }), b = forwardLosses(relu, split, null, 7, N, { path: 'reference' });
    expect(Array.from(a.cee)).toEqual(Array.from(b.cee));
    expect(Array.from(a.sse)).toEqual(Array.from(b.sse));
    expect(Array.from(a.predicted)).toEqual(Array.from(b.predicted));
  });
});

describe('MNIST_LOSS_KERNELS selects the path', () => {
  const saved = process.env.MNIST_LOSS_KERNELS;
  afterEach(() => {
    if (saved === undefined) delete process.env.MNIST_LOSS_KERNELS;
    else process.env.MNIST_LOSS_KERNELS = saved;
    jest.restoreAllMocks();
  });
  const imagesThroughPredict = (): number => {
    const spy = jest.spyOn(network, 'predict');
    forwardLosses(book, split, null, 0, 10);
    return spy.mock.calls.reduce((n, [, x]) => n + x.rows, 0);
  };

  it('=reference: every image goes through predict(); the numbers are the kernels\' bits', () => {
    const kernel = forwardLosses(book, split, null, 0, 10, { path: 'wasm' });
    process.env.MNIST_LOSS_KERNELS = 'reference';
    expect(imagesThroughPredict()).toBe(10);
    expect(Array.from(forwardLosses(book, split, null, 0, 10).cee)).toEqual(Array.from(kernel.cee));
  });

  it('unset, empty or "wasm": the kernels, and predict() is never called', () => {
    for (const value of [undefined, '', 'wasm']) {
      if (value === undefined) delete process.env.MNIST_LOSS_KERNELS;
      else process.env.MNIST_LOSS_KERNELS = value;
      expect(imagesThroughPredict()).toBe(0);
      jest.restoreAllMocks();
    }
  });

  it('any other value is a usage error, not a guess', () => {
    for (const value of ['Reference', 'js', 'refrence', '0']) {
      process.env.MNIST_LOSS_KERNELS = value;
      expect(() => forwardLosses(book, split, null, 0, 1)).toThrow(/MNIST_LOSS_KERNELS=".*": expected "wasm" \(the default\) or "reference"/);
    }
  });
});
