// experiments/gradcheckNetwork.ts: the book's ch07 gradient check on the layer engine. The golden is numpy on the
// real ch07 SimpleConvNet (fixtures/gradcheck/make_gradcheck_goldens.py, numpy 2.4):
//   params = {k: pkl[k].astype(float32).astype(float64)}; np.random.seed(42); idx = np.random.choice(60000, 3)
//   x = (u8[idx].astype(float32) / 255).reshape(3, 1, 28, 28); grad = SimpleConvNet(params).gradient(x, t)
//   per W1, b1, W2, b2, W3, b3 with more than K = 20 elements: e = np.random.choice(size, 20, replace=False)
//   numerical[h][k] = (loss(θ_e[k] + h) − loss(θ_e[k] − h)) / 2h for h = 1e-4, 1e-5, …, 1e-8
// -> loss 0.07227341969334965; at h = 1e-4 numpy's own b1 differences reach 8.2e-5 (mean 4.2e-6): ReLU/max-pool
// kinks, which the tool re-measures with a smaller step (compared here against numpy at that step).
// Other expected values are hand arithmetic (the kink, the cost) or the MLP path (experiments/gradcheck.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sampleIndices } from '../../../src/data/batch';
import { GRADCHECK_TOLERANCE, gradientCheck } from '../../../src/experiments/gradcheck';
import {
  DEFAULT_GRADCHECK_ELEMENTS, elementsWithin, gradcheckNetworkCost, gradientCheckNetwork, layerNetworkOf, maxPoolWinners,
} from '../../../src/experiments/gradcheckNetwork';
import { readModel } from '../../../src/io/modelFile';
import { initNetwork } from '../../../src/nn/init';
import {
  Affine, BatchNormalization, Convolution, Dropout, Flatten, Network, Pooling, Relu, toTensor64, type Layer, type Tensor64,
} from '../../../src/nn/layers';
import { Mt19937 } from '../../../src/rng/mt19937';
import { choiceWithoutReplacement, randn } from '../../../src/rng/sample';

interface GoldenParam { size: number; elements: number[] | null; backprop: number[]; numerical: Record<string, number[]> }
const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/gradcheck/ch07-gradcheck-goldens.json'), 'utf8')) as {
  seed: number; size: number; elements: number; indices: number[]; labels: number[]; pixels: number[]; loss: number; params: Record<string, GoldenParam>;
};
const CH07 = path.join(__dirname, '../../fixtures/book-ch07-params.pkl');

/** count images of 784 bytes, ~80 % zeros like MNIST. */
function pixels(rng: Mt19937, count: number): Uint8Array {
  const p = new Uint8Array(count * 784);
  for (let i = 0; i < p.length; i++) { const u = rng.random(); p[i] = u < 0.8 ? 0 : Math.floor(((u - 0.8) / 0.2) * 256); }
  return p;
}
const f32 = (shape: number[], rng: Mt19937, scale: number) => ({ shape, data: Float32Array.from(randn(rng, shape.reduce((a, b) => a * b, 1), scale)) });

/** A small ch07-shaped network: conv 4x3x3 -> relu -> max pool 2 -> [norm] -> affine 10, random weights. */
function smallConvNet(rng: Mt19937, extra: 'none' | 'normAndDropout' = 'none', relu: Relu = new Relu()): Network {
  const layers: Layer[] = [new Convolution(f32([4, 1, 3, 3], rng, 0.3), f32([4], rng, 0.1)), relu, new Pooling(2, 2, 2), new Flatten()];
  if (extra === 'normAndDropout')
    layers.push(new BatchNormalization(f32([676], rng, 0.5), f32([676], rng, 0.1), { runningMean: Float32Array.from(randn(rng, 676, 0.1)), runningVar: Float32Array.from(randn(rng, 676, 0.1), (v) => 0.5 + v * v) }), new Dropout(0.5));
  layers.push(new Affine(f32([676, 10], rng, 0.1), f32([10], rng, 0.1)));
  return new Network({ layers, inputShape: [1, 28, 28] });
}

describe("gradientCheckNetwork on the book's ch07 SimpleConvNet (numpy golden, 3 train images, 20 elements per tensor)", () => {
  const net = readModel(CH07, {}).network;
  const rng = new Mt19937(golden.seed);
  const indices = sampleIndices(rng, 60000, golden.size, true); // the images first, then the elements, one stream
  const r = gradientCheckNetwork(net, Uint8Array.from(golden.pixels), Uint8Array.from(golden.labels), golden.size, { elements: golden.elements, rng });

  it('draws the same images and, tensor after tensor, the same elements as numpy', () => {
    expect(Array.from(indices)).toEqual(golden.indices);
    expect(r.diffs.map((d) => [d.name, d.size, d.checked])).toEqual([['W1', 750, 20], ['b1', 30, 20], ['W2', 432000, 20], ['b2', 100, 20], ['W3', 1000, 20], ['b3', 10, 10]]);
    for (const d of r.diffs) expect(d.elements === null ? null : Array.from(d.elements)).toEqual(golden.params[d.name].elements);
    expect(r.loss).toBeCloseTo(golden.loss, 13);
  });

  it("gives numpy's backprop gradient and numpy's central difference at the step it used, element by element", () => {
    for (const d of r.diffs) {
      const g = golden.params[d.name];
      d.backprop.forEach((v, k) => expect(Math.abs(v - g.backprop[k])).toBeLessThan(1e-12 + 1e-9 * Math.abs(g.backprop[k])));
      d.numerical.forEach((v, k) => {
        expect(Number.isNaN(d.step[k])).toBe(false);
        const numpy = g.numerical[Object.keys(g.numerical).find((h) => Number(h) === d.step[k]) as string];
        expect(numpy).toBeDefined();
        // float64 rounding of the two losses (numpy sums in another order) over the step: measured ≤ 4e-16 / step
        expect(Math.abs(v - numpy[k])).toBeLessThan(1e-15 / d.step[k] + 1e-9 * Math.abs(numpy[k]));
      });
    }
  });

  it('flags as kinks every element whose h = 1e-4 difference is off, and passes once they are re-measured', () => {
    // a kink flag without an error is fine (a crossing far from the loss); an error without a flag is not
    let offAt1e4 = 0;
    for (const d of r.diffs) {
      const g = golden.params[d.name];
      d.backprop.forEach((v, k) => {
        const off = Math.abs(v - g.numerical['0.0001'][k]) > 1e-6; // δ alone moves a difference by ~1e-7
        if (off) { offAt1e4++; expect(d.step[k]).toBeLessThan(1e-4); }
      });
      expect(d.unresolved).toBe(0);
      expect(d.meanAbsDiff).toBeLessThan(GRADCHECK_TOLERANCE);
      expect(d.maxAbsDiff).toBeLessThan(5e-7); // δ: W3 1.04e-7
    }
    expect(offAt1e4).toBeGreaterThan(0); // numpy's own check at h = 1e-4 is off on these images (b1: up to 8.2e-5)
    const b1 = r.diffs[1];
    expect(b1.kinks).toBeGreaterThan(0);
  });
});

describe('gradientCheckNetwork on other networks', () => {
  it('catches a wrong backward: a ReLU whose backward doubles dx fails W1 and b1 (below it), not the affine above', () => {
    class DoublingRelu extends Relu {
      backward(dout: Tensor64): Tensor64 {
        const dx = super.backward(dout);
        for (let i = 0; i < dx.data.length; i++) dx.data[i] *= 2;
        return dx;
      }
    }
    const rng = new Mt19937(5);
    const good = gradientCheckNetwork(smallConvNet(new Mt19937(1)), pixels(rng, 2), Uint8Array.of(3, 7), 2, { elements: 15, rng: new Mt19937(2) });
    const bad = gradientCheckNetwork(smallConvNet(new Mt19937(1), 'none', new DoublingRelu()), pixels(new Mt19937(5), 2), Uint8Array.of(3, 7), 2, { elements: 15, rng: new Mt19937(2) });
    for (const d of good.diffs) expect(d.meanAbsDiff).toBeLessThan(GRADCHECK_TOLERANCE);
    const byName = Object.fromEntries(bad.diffs.map((d) => [d.name, d]));
    // backprop doubles below the relu: |diff| = |grad|, far above the tolerance
    expect(byName.W1.meanAbsDiff).toBeGreaterThan(1e-3 * byName.W1.meanAbsGrad + GRADCHECK_TOLERANCE);
    expect(byName.b1.meanAbsDiff).toBeGreaterThan(GRADCHECK_TOLERANCE);
    expect(byName.W2.meanAbsDiff).toBeLessThan(GRADCHECK_TOLERANCE);
    expect(byName.b2.meanAbsDiff).toBeLessThan(GRADCHECK_TOLERANCE);
  });

  it('runs batch norm and dropout in test mode (deterministic, running statistics untouched) and names gamma/beta', () => {
    // the Dropout has no rng: a train-mode forward would throw; batch statistics would change the loss
    const net = smallConvNet(new Mt19937(3), 'normAndDropout');
    const px = pixels(new Mt19937(9), 2), t = Uint8Array.of(0, 4);
    const run = () => gradientCheckNetwork(net, px, t, 2, { elements: 12, rng: new Mt19937(4) });
    const a = run(), b = run();
    expect(a.diffs.map((d) => d.name)).toEqual(['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2']);
    for (const d of a.diffs) expect(d.meanAbsDiff).toBeLessThan(GRADCHECK_TOLERANCE);
    expect(a.diffs.map((d) => Array.from(d.numerical))).toEqual(b.diffs.map((d) => Array.from(d.numerical)));
    const net64 = net.withFloat64Parameters();
    expect(a.loss).toBe(net64.lossOf(toTensor64(net64.input(px, 2)), t, false));
  });

  it('samples each tensor as np.random.choice(size, K, replace=False) from the stream, tensor after tensor; small tensors in full', () => {
    const net = smallConvNet(new Mt19937(1));
    const r = gradientCheckNetwork(net, pixels(new Mt19937(5), 1), Uint8Array.of(3), 1, { elements: 8, rng: new Mt19937(11) });
    const stream = new Mt19937(11);
    // W1 [4,1,3,3]: 36 > 8; b1: 4 ≤ 8, no draws; W2 [676, 10]; b2: 10 > 8
    expect(Array.from(r.diffs[0].elements!)).toEqual(Array.from(choiceWithoutReplacement(stream, 36, 8)));
    expect(r.diffs[1].elements).toBeNull();
    expect(r.diffs[1].checked).toBe(4);
    expect(Array.from(r.diffs[2].elements!)).toEqual(Array.from(choiceWithoutReplacement(stream, 6760, 8)));
    expect(Array.from(r.diffs[3].elements!)).toEqual(Array.from(choiceWithoutReplacement(stream, 10, 8)));
  });

  it('re-measures a kink: b1 = 5e-5 before a ReLU at x = 0 gives 3/4 of the slope at h = 1e-4, the exact one at h = 1e-5', () => {
    // x = 0 (pixel 0): z = 0·W1 + b1 = 5e-5 > 0, so relu' = 1 and dL/db1 = dL/dz2 · W2. At h = 1e-4, z ± h = 1.5e-4 and
    // −5e-5 → relu 1.5e-4 and 0: the quotient (1.5e-4 − 0) / 2e-4 = 0.75 of the slope. At 1e-5 both sides are > 0.
    const net = new Network({
      layers: [new Affine({ shape: [1, 1], data: Float32Array.of(1) }, { shape: [1], data: Float64Array.of(5e-5) }), new Relu(), new Affine({ shape: [1, 2], data: Float32Array.of(1, -1) }, { shape: [2], data: Float32Array.of(0, 0) })],
      inputShape: [1],
    });
    const r = gradientCheckNetwork(net, Uint8Array.of(0), Uint8Array.of(0), 1, { elements: 10, rng: new Mt19937(0) });
    const b1 = r.diffs[1];
    expect([b1.kinks, b1.unresolved, b1.step[0]]).toEqual([1, 0, 1e-5]);
    expect(Math.abs(b1.numerical[0] - b1.backprop[0])).toBeLessThan(1e-6); // δ: ~δ/y_t relative
    // W1's input is 0: both sides equal, no kink (the loss does not depend on it)
    expect([r.diffs[0].kinks, r.diffs[0].numerical[0], r.diffs[0].backprop[0]]).toEqual([0, 0, 0]);
  });

  it('agrees with the MLP fast path on an MLP checked in full (784-16-10 sigmoid, 784-12-10 relu He)', () => {
    const rng = new Mt19937(7);
    const px = pixels(rng, 3), t = Uint8Array.of(1, 5, 9);
    const x = { rows: 3, cols: 784, data: Float32Array.from(px, (p) => Math.fround(p / 255)) };
    for (const mlp of [initNetwork(new Mt19937(3), [784, 16, 10], 'sigmoid', { kind: 'xavier' }), initNetwork(new Mt19937(4), [784, 12, 10], 'relu', { kind: 'he' })]) {
      const fast = gradientCheck(mlp, x, t);
      const engine = gradientCheckNetwork(layerNetworkOf(mlp), px, t, 3, { elements: 1_000_000, rng: new Mt19937(0) });
      expect(engine.loss).toBeCloseTo(fast.loss, 12);
      engine.diffs.forEach((d, i) => {
        expect([d.name, d.size, d.checked, d.elements]).toEqual([fast.diffs[i].name, fast.diffs[i].size, fast.diffs[i].size, null]);
        expect(d.meanAbsGrad).toBeCloseTo(fast.diffs[i].meanAbsGrad, 12);
        expect(Math.abs(d.meanAbsDiff - fast.diffs[i].meanAbsDiff)).toBeLessThan(1e-10);
      });
    }
  });
});

describe('maxPoolWinners, gradcheckNetworkCost, elementsWithin', () => {
  it('picks the first maximum of each window, as np.argmax', () => {
    // one 2x4 plane, 2x2 windows: [1 3 | 5 5] / [3 2 | 5 0] -> winners at flat 1 (3, first of the two 3s) and 2 (5, first of three)
    const x = { shape: [1, 1, 2, 4], data: Float64Array.of(1, 3, 5, 5, 3, 2, 5, 0) };
    expect(Array.from(maxPoolWinners(new Pooling(2, 2, 2), x))).toEqual([1, 2]);
  });

  it('counts 2 passes per checked element of the layers from its own up, per image', () => {
    // Affine 784x3 (2352 MACs/img) -> Relu (3) -> Affine 3x10 (30) -> no softmax layer
    const rng = new Mt19937(1);
    const net = new Network({ layers: [new Affine(f32([784, 3], rng, 0.1), f32([3], rng, 0.1)), new Relu(), new Affine(f32([3, 10], rng, 0.1), f32([10], rng, 0.1))], inputShape: [784] });
    // K = 5: W1 5, b1 3, W2 5, b2 5 -> 2 · 2 images · (8 · (2352 + 3 + 30) + 10 · 30)
    expect(gradcheckNetworkCost(net, 5, 2)).toBe(2 * 2 * (8 * 2385 + 10 * 30));
    expect(elementsWithin(net, gradcheckNetworkCost(net, 5, 2), 2)).toBe(5);
    expect(elementsWithin(net, 1e12, 2)).toBe(DEFAULT_GRADCHECK_ELEMENTS);
    expect(elementsWithin(net, 0, 2)).toBe(1);
  });
});
