// sweep/network.ts (sweep and probe on any engine network) against a full re-evaluation: the element set in the
// network, Network.predict on the same images, SSE/CEE/accuracy from its probabilities. On the book's ch07
// SimpleConvNet (every parameter tensor, convolution taps inside and at the border) and on a seeded small network
// with the layers the book's ch07 one lacks (padded strided convolution, tanh, average pooling with padding, the
// book's dropout, batch norm, sigmoid, a final softmax). Plus the element choice of probe and `--param auto`.
import * as path from 'node:path';
import { loadSplit } from '../../../src/data/mnist';
import type { MnistSplit } from '../../../src/data/types';
import { centralWeights, probeNetworkParameters, steepestNetworkElement } from '../../../src/experiments/probe';
import { linspace, networkLossesAtWeights, networkSweepImages, sweepNetworkParameter } from '../../../src/experiments/sweep';
import { readModel } from '../../../src/io/modelFile';
import {
  Affine, BatchNormalization, Convolution, Dropout, Flatten, Network, Pooling, Relu, Sigmoid, Softmax, Tanh,
} from '../../../src/nn/layers';
import { networkParameterAtFlatIndex, networkParameterCount, resolveNetworkParamRef, type NetworkParamElement } from '../../../src/nn/paramRef';
import { Mt19937 } from '../../../src/rng/mt19937';
import { choiceWithoutReplacement, randn } from '../../../src/rng/sample';

const CH07 = path.join(__dirname, '..', '..', 'fixtures', 'book-ch07-params.pkl');

let test: MnistSplit;
let ch07: Network;
beforeAll(() => {
  test = loadSplit({ source: 'idx', env: {} }, 'test');
  ch07 = readModel(CH07).network;
});

/** 40 test images spread over the split (the first few are the digits 7, 2, 1, 0, …). */
const indices = Array.from({ length: 40 }, (_, i) => 3 + 241 * i);

/** The full re-evaluation: set the element, Network.predict on the images, put it back; mean SSE, mean CEE, correct. */
function full(net: Network, param: NetworkParamElement, weight: number) {
  const D = 784, pixels = new Uint8Array(indices.length * D);
  indices.forEach((image, i) => pixels.set(test.pixels.subarray(image * D, (image + 1) * D), i * D));
  param.data[param.offset] = weight;
  const y = net.predict(pixels, indices.length).data;
  param.data[param.offset] = param.value;
  let sse = 0, cee = 0, correct = 0;
  indices.forEach((image, i) => {
    const t = test.labels[image];
    let best = 0;
    for (let k = 0; k < 10; k++) {
      sse += 0.5 * (y[i * 10 + k] - (k === t ? 1 : 0)) ** 2;
      if (y[i * 10 + k] > y[i * 10 + best]) best = k;
    }
    cee -= Math.log(y[i * 10 + t] + 1e-7);
    if (best === t) correct++;
  });
  return { sse: sse / indices.length, cee: cee / indices.length, correct };
}

/** The sweep's losses at four weights around the element's equal the full re-evaluation (float32 probabilities: 1e-6). */
function expectFullEvaluation(net: Network, ref: string, adds: number[]) {
  const param = resolveNetworkParamRef(net, ref);
  const weights = adds.map((d) => Math.fround(param.value + d));
  const [fast] = networkLossesAtWeights(networkSweepImages(net, test, indices), [{ param, weights }]);
  weights.forEach((w, v) => {
    const slow = full(net, param, w);
    expect(Math.abs(fast.sse[v] - slow.sse)).toBeLessThan(1e-6);
    expect(Math.abs(fast.cee[v] - slow.cee)).toBeLessThan(1e-6);
    expect(fast.correct[v]).toBe(slow.correct);
  });
  return fast;
}

describe('networkLossesAtWeights equals a full re-evaluation', () => {
  // W1[3,0,2,2]: the centre tap of filter 3; W1[29,0,0,4]: a corner tap; W2[2000,7] an Affine weight reading
  // a pooled convolution output; W3 / b3 the last Affine (the logits move directly).
  it.each([
    ['W1[3,0,2,2]', [-1.5, -0.2, 0.3, 2]],
    ['W1[29,0,0,4]', [-3, 1, 4, 8]],
    ['b1[7]', [-0.5, -0.1, 0.2, 1]],
    ['W2[2000,7]', [-4, -1, 1, 4]],
    ['b2[9]', [-2, -0.3, 0.6, 3]],
    ['W3[4,2]', [-3, -1, 1, 3]],
    ['b3[1]', [-2, -0.5, 0.5, 2]],
  ])('book ch07 SimpleConvNet, %s at %p', (ref, adds) => {
    expectFullEvaluation(ch07, ref, adds as number[]);
  });

  it('a change that moves the answer on some images is counted (b3[1] + 8 makes many images answer 1)', () => {
    const fast = expectFullEvaluation(ch07, 'b3[1]', [0, 8]);
    expect(fast.correct[1]).toBeLessThan(fast.correct[0]);
  });

  // A seeded 1×28×28 net: conv 4×3×3 stride 2 pad 1 -> batch norm (per channel) -> tanh -> avg pool 3×3 stride 2
  // pad 1 (padding counted) -> the book's dropout 0.3 -> flatten -> affine 196×12 -> sigmoid -> affine 12×10 -> softmax.
  const small = (): Network => {
    const rng = new Mt19937(5);
    const tensor = (shape: number[], std: number) => ({ shape, data: Float32Array.from(randn(rng, shape.reduce((p, d) => p * d, 1), std)) });
    return new Network({
      inputShape: [1, 28, 28],
      layers: [
        new Convolution(tensor([4, 1, 3, 3], 0.5), tensor([4], 0.1), 2, 1),
        new BatchNormalization(tensor([4], 0.3), tensor([4], 0.1), { mode: 'perChannel', runningMean: Float32Array.of(0.1, -0.1, 0, 0.2), runningVar: Float32Array.of(0.5, 1, 2, 0.8) }),
        new Tanh(),
        new Pooling(3, 3, 2, 1, { mode: 'avg' }),
        new Dropout(0.3),
        new Flatten(),
        new Affine(tensor([196, 12], 0.3), tensor([12], 0.1)),
        new Sigmoid(),
        new Affine(tensor([12, 10], 1), tensor([10], 0.1)),
        new Softmax(),
      ],
    });
  };
  it.each([
    ['W1[2,0,1,1]', [-1, -0.2, 0.5, 2]],
    ['W1[0,0,0,0]', [-2, 2, 5, 9]], // a tap that reads the padding on the first row and column
    ['b1[3]', [-1, -0.1, 0.4, 1]],
    ['gamma1[1]', [-1, -0.3, 0.5, 2]], // batch norm: the reference layers run from it
    ['beta1[2]', [-1, 0.2, 0.7, 1.5]],
    ['W2[100,3]', [-3, -1, 1, 3]],
    ['b2[11]', [-2, 1, 2, 4]],
    ['W3[5,9]', [-3, -1, 2, 3]],
  ])('seeded conv-bn-tanh-avgpool-dropout-sigmoid-softmax net, %s at %p', (ref, adds) => {
    expectFullEvaluation(small(), ref, adds as number[]);
  });

  it('at the model weight every value gives the unperturbed losses, bit for bit, and an unmoved element is flat', () => {
    const images = networkSweepImages(ch07, test, indices);
    const at = (ref: string, adds: number[]) => {
      const param = resolveNetworkParamRef(ch07, ref);
      return networkLossesAtWeights(images, [{ param, weights: adds.map((d) => Math.fround(param.value + d)) }])[0];
    };
    const base = at('b3[1]', [0]);
    for (const ref of ['W1[3,0,2,2]', 'W2[2000,7]', 'b2[9]']) {
      const r = at(ref, [0]);
      expect([r.sse[0], r.cee[0], r.correct[0]]).toEqual([base.sse[0], base.cee[0], base.correct[0]]);
    }
    // W1[0,0,0,0] reads pixel (oh, ow) for the outputs (oh, ow) < 24: the top-left 24×24 corner holds ink on every
    // image, so it moves; W2[0, 3] reads pooled output (0, 0, 0) of filter 0, 0 after its ReLU on all 40 images
    // (measured): nothing moves, whatever the weight.
    expect(at('W1[0,0,0,0]', [0]).moved).toBe(indices.length);
    const still = at('W2[0,3]', [-5, 5]);
    expect(still.moved).toBe(0);
    expect([still.cee[0], still.cee[1], still.correct[1]]).toEqual([base.cee[0], base.cee[0], base.correct[0]]);
  });
});

describe('sweepNetworkParameter and the element choices', () => {
  it('rows are the losses at np.linspace values added to the weight, with slopes and a summary', () => {
    const param = resolveNetworkParamRef(ch07, 'W1[3,0,2,2]');
    const r = sweepNetworkParameter(networkSweepImages(ch07, test, indices), param, linspace(-2, 2, 5), 'add');
    expect(r).toMatchObject({ param: 'W1[3,0,2,2]', base: param.value, n: 40, mode: 'add' });
    expect(r.rows.map((row) => row.value)).toEqual([-2, -1, 0, 1, 2]);
    expect(r.rows[2].weight).toBe(param.value);
    expect(r.rows[2].cee).toBeCloseTo(full(ch07, param, param.value).cee, 6);
    expect(r.summary.steps).toBe(4);
  });

  it('probe draws numpy’s elements over all parameters end to end and its slopes are central differences of full evaluations', () => {
    const P = networkParameterCount(ch07);
    expect(P).toBe(30 * 25 + 30 + 4320 * 100 + 100 + 100 * 10 + 10); // 433890
    const result = probeNetworkParameters(networkSweepImages(ch07, test, indices), new Mt19937(3), 6, 1e-3);
    const flat = choiceWithoutReplacement(new Mt19937(3), P, 6);
    expect(result.rows.map((row) => row.param)).toEqual(Array.from(flat, (i) => networkParameterAtFlatIndex(ch07, i).label));
    result.rows.forEach((row) => {
      const param = resolveNetworkParamRef(ch07, row.param);
      const [lo, hi] = centralWeights(param, 1e-3);
      const slope = (full(ch07, param, hi).cee - full(ch07, param, lo).cee) / (hi - lo);
      expect(Math.abs(row.dCee - slope)).toBeLessThan(1e-6 / (hi - lo));
    });
    expect(result.accuracyZero).toBe(result.rows.filter((row) => row.dAccuracy === 0).length);
  });

  it('--param auto on a CNN: the W1 element with the largest |∂CEE/∂W1| (backprop), and moving it moves CEE', () => {
    const images = networkSweepImages(ch07, test, indices);
    const { param, dCee } = steepestNetworkElement(images);
    expect(param.name).toBe('W1');
    // the slope by central differences has the backprop gradient's sign and size
    const [lo, hi] = centralWeights(param, 1e-3);
    const slope = (full(ch07, param, hi).cee - full(ch07, param, lo).cee) / (hi - lo);
    expect(Math.abs(slope - dCee)).toBeLessThan(0.02 * Math.abs(dCee));
    // and no other W1 element has a larger central-difference slope than it by more than the rounding
    for (const ref of ['W1[0,0,2,2]', 'W1[10,0,1,3]', 'W1[29,0,4,4]']) {
      const other = resolveNetworkParamRef(ch07, ref);
      const [a, b] = centralWeights(other, 1e-3);
      expect(Math.abs((full(ch07, other, b).cee - full(ch07, other, a).cee) / (b - a))).toBeLessThanOrEqual(Math.abs(dCee) * 1.02);
    }
  });
});
