// nn/backprop.ts: the gradient of the mean CEE (the book's dy = (y − t)/B, i.e. CEE without δ) checked
// (1) by hand on a one-layer net, (2) against central differences of a naive float64 forward pass written
// here on tiny random nets (sigmoid and relu, 1 and 2 hidden layers), and (3) against numpy goldens of
// the book's TwoLayerNet.gradient and of a 3-layer relu net on 3 MNIST images. Goldens come from
// __tests__/fixtures/train/make_train_goldens.py (sections 2 and 2b), quoted where used.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../../helpers/allClose';
import { backprop, createWorkspace, float64Params, forwardLoss, gradient, paramsOf, sparseRows, type Params } from '../../../src/nn/backprop';
import { initNetwork } from '../../../src/nn/init';
import type { Activation } from '../../../src/nn/network';
import { Mt19937 } from '../../../src/rng/mt19937';
import { randn } from '../../../src/rng/sample';

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/train/train-goldens.json'), 'utf8'));

/** Mean CEE −(1/B) Σ log(y_t + δ), computed naively; δ = 0 is the loss whose gradient backprop returns. */
function naiveLoss(p: Params, x: number[][], t: number[], delta = 1e-7): number {
  let total = 0;
  for (let r = 0; r < x.length; r++) {
    let z = x[r];
    for (let l = 0; l < p.W.length; l++) {
      const I = p.sizes[l], H = p.sizes[l + 1];
      const a = Array.from({ length: H }, (_, j) => {
        let s = 0;
        for (let i = 0; i < I; i++) s += z[i] * p.W[l][i * H + j];
        return s + p.b[l][j];
      });
      if (l < p.W.length - 1) z = a.map((v) => (p.activation === 'relu' ? Math.max(0, v) : 1 / (1 + Math.exp(-v))));
      else {
        const m = Math.max(...a), e = a.map((v) => Math.exp(v - m)), sum = e.reduce((s, v) => s + v, 0);
        z = e.map((v) => v / sum);
      }
    }
    total += Math.log(z[t[r]] + delta);
  }
  return -total / x.length;
}

/**
 * Five-point central differences of naiveLoss with δ = 0 for every W and b element:
 * f' ≈ (−f(+2h) + 8f(+h) − 8f(−h) + f(−2h)) / 12h, truncation O(h⁴) ≈ 1e-12 at h = 1e-3.
 */
function centralDifferences(p: Params, x: number[][], t: number[]): { dW: number[][]; db: number[][] } {
  const h = 1e-3;
  const d = (arr: Float32Array | Float64Array) =>
    Array.from(arr, (_, i) => {
      const keep = arr[i];
      const f = (s: number) => { arr[i] = keep + s * h; const v = naiveLoss(p, x, t, 0); arr[i] = keep; return v; };
      return (-f(2) + 8 * f(1) - 8 * f(-1) + f(-2)) / (12 * h);
    });
  return { dW: p.W.map(d), db: p.b.map(d) };
}

function randomParams(seed: number, sizes: number[], activation: Activation): Params {
  const rng = new Mt19937(seed);
  return {
    sizes, activation,
    W: sizes.slice(1).map((H, l) => randn(rng, sizes[l] * H, 0.8)),
    b: sizes.slice(1).map((H) => randn(rng, H, 0.3)),
  };
}

describe('backprop', () => {
  it('gives dW = xᵀ(y − t)/B and db = Σ(y − t)/B for a one-layer net, by hand', () => {
    // W = 0, b = 0: y = softmax([0, 0]) = [0.5, 0.5] for both images. x = [[1, 0], [0.5, 2]], t = [0, 1].
    // dy = (y − onehot(t))/2 = [[-0.25, 0.25], [0.25, -0.25]]
    // dW = xᵀ·dy = [[1·-0.25 + 0.5·0.25, 1·0.25 + 0.5·-0.25], [0 + 2·0.25, 0 + 2·-0.25]] = [[-0.125, 0.125], [0.5, -0.5]]
    // db = [0, 0]; loss = −log(0.5 + 1e-7)
    const p: Params = { sizes: [2, 2], activation: 'sigmoid', W: [new Float64Array(4)], b: [new Float64Array(2)] };
    const g = gradient(p, { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0.5, 2]) }, Uint8Array.from([0, 1]));
    expect([...g.dW[0]]).toEqual([-0.125, 0.125, 0.5, -0.5]);
    expect([...g.db[0]]).toEqual([0, 0]);
    expect(g.loss).toBeCloseTo(-Math.log(0.5 + 1e-7), 15);
  });

  it('passes the sigmoid derivative z(1 − z) back through a hidden layer, by hand', () => {
    // 1-1-2 net: W1 = [[0]], b1 = [0] -> a1 = 0, z1 = 0.5; W2 = [[0, 0]], b2 = 0 -> y = [0.5, 0.5]; x = [[2]], t = [0].
    // dy = [-0.5, 0.5]; dW2 = z1ᵀ·dy = [-0.25, 0.25]; dz1 = dy·W2ᵀ = 0 -> dW1 = 0.
    // With W2 = [[1, -1]]: dz1 = -0.5·1 + 0.5·-1 = -1; da1 = -1 · 0.5 · 0.5 = -0.25; dW1 = x·da1 = -0.5; db1 = -0.25.
    const p: Params = { sizes: [1, 1, 2], activation: 'sigmoid', W: [Float64Array.of(0), Float64Array.of(1, -1)], b: [new Float64Array(1), new Float64Array(2)] };
    const x = { rows: 1, cols: 1, data: Float64Array.of(2) };
    const g = gradient(p, x, Uint8Array.of(0));
    // y = softmax([0.5, -0.5]) = [1/(1+e^-1), e^-1/(1+e^-1)]; dy = [y0 − 1, y1]
    const y0 = 1 / (1 + Math.exp(-1)), dy = [y0 - 1, 1 - y0];
    expect(g.dW[1][0]).toBeCloseTo(0.5 * dy[0], 15);
    expect(g.dW[1][1]).toBeCloseTo(0.5 * dy[1], 15);
    const da1 = (dy[0] * 1 + dy[1] * -1) * 0.5 * 0.5;
    expect(g.db[0][0]).toBeCloseTo(da1, 15);
    expect(g.dW[0][0]).toBeCloseTo(2 * da1, 15);
  });

  const tiny: [string, number[], Activation][] = [
    ['sigmoid 5-4-3', [5, 4, 3], 'sigmoid'],
    ['relu 5-4-3', [5, 4, 3], 'relu'],
    ['sigmoid 6-4-3-3 (two hidden layers)', [6, 4, 3, 3], 'sigmoid'],
    ['relu 6-5-4-3 (two hidden layers)', [6, 5, 4, 3], 'relu'],
  ];
  it.each(tiny)('matches 5-point differences of an independent naive forward pass (CEE without δ, float64): %s', (_, sizes, activation) => {
    const p = randomParams(sizes.length * 10 + sizes[1], sizes, activation);
    const rng = new Mt19937(activation === 'relu' ? 11 : 5);
    // three inputs with some exact zeros, as MNIST rows have
    const x = [0, 1, 2].map(() => Array.from({ length: sizes[0] }, (_, i) => (i % 3 === 1 ? 0 : rng.random())));
    const t = [0, 2, 1];
    const xm = { rows: 3, cols: sizes[0], data: Float64Array.from(x.flat()) };
    const g = gradient(p, xm, Uint8Array.from(t));
    if (activation === 'relu') {
      // differences across a kink are meaningless: every hidden pre-activation must stay clear of 0 by > 2h·Σ|x|
      const ws = createWorkspace(sizes, 3);
      forwardLoss(p, sparseRows(xm), Uint8Array.from(t), ws);
      for (const a of ws.a.slice(0, -1)) expect(Math.min(...Array.from(a, Math.abs))).toBeGreaterThan(0.01);
    }
    const n = centralDifferences(p, x, t);
    p.W.forEach((_, l) => { expectAllClose(g.dW[l], n.dW[l], 1e-10); expectAllClose(g.db[l], n.db[l], 1e-10); });
    expect(g.loss).toBeCloseTo(naiveLoss(p, x, t), 14);
  });

  it("matches numpy's TwoLayerNet.gradient (float64) for the seeded 784-50-10 net on 3 MNIST images", () => {
    // make_train_goldens.py section 2: np.random.seed(42); W1 = 0.01*randn(784,50); b1 = zeros(50);
    // W2 = 0.01*randn(50,10); b2 = zeros(10); idx = np.random.choice(60000, 3);
    // x = x_train_u8[idx].astype(np.float32) / 255.0; grads = TwoLayerNet.gradient(x, one_hot(t))
    const G = golden.grad;
    const rng = new Mt19937(42);
    const p: Params = {
      sizes: [784, 50, 10], activation: 'sigmoid',
      W: [randn(rng, 784 * 50, 0.01), randn(rng, 50 * 10, 0.01)],
      b: [new Float64Array(50), new Float64Array(10)],
    };
    const x = { rows: 3, cols: 784, data: Float32Array.from(G.pixels as number[], (v) => v / 255) };
    const g = gradient(p, x, Uint8Array.from(G.labels));
    // numpy's randn and ours differ by <= 2e-15 relative (libm log); the rest is float64 in the same order
    expect(g.loss).toBeCloseTo(G.loss, 13);
    expectAllClose(g.dW[1], G.W2, 1e-15, 1e-11);
    expectAllClose(g.db[1], G.b2, 1e-15, 1e-11);
    expectAllClose(g.db[0], G.b1, 1e-17, 1e-11);
    expectAllClose((G.W1Picks as number[]).map((i) => g.dW[0][i]), G.W1PickValues, 1e-17, 1e-11);
    const sum = g.dW[0].reduce((s, v) => s + v, 0), absSum = g.dW[0].reduce((s, v) => s + Math.abs(v), 0);
    expect(sum).toBeCloseTo(G.W1.sum, 12);
    expect(absSum).toBeCloseTo(G.W1.absSum, 12);
    // pixels that are 0 in all three images get exactly zero gradient
    let unseen = 0, nonzero = 0;
    for (let k = 0; k < 784; k++)
      if (G.pixels[k] === 0 && G.pixels[784 + k] === 0 && G.pixels[1568 + k] === 0)
        for (let j = 0; j < 50; j++, unseen++) if (g.dW[0][k * 50 + j] !== 0) nonzero++;
    expect(unseen).toBeGreaterThan(0);
    expect(nonzero).toBe(0);
  });

  it('matches numpy for a deeper relu net (784-20-15-10, He init seed 7) on the same 3 images', () => {
    // make_train_goldens.py section 2b: Affine/Relu/SoftmaxWithLoss backward of the book's ch05 layers.
    const G = golden.grad, R = golden.gradRelu;
    const rng = new Mt19937(7);
    const p: Params = {
      sizes: [784, 20, 15, 10], activation: 'relu',
      W: [randn(rng, 784 * 20, Math.sqrt(2 / 784)), randn(rng, 20 * 15, Math.sqrt(2 / 20)), randn(rng, 15 * 10, Math.sqrt(2 / 15))],
      b: [new Float64Array(20), new Float64Array(15), new Float64Array(10)],
    };
    const g = gradient(p, { rows: 3, cols: 784, data: Float32Array.from(G.pixels as number[], (v) => v / 255) }, Uint8Array.from(G.labels));
    expect(g.loss).toBeCloseTo(R.loss, 13);
    expectAllClose(g.dW[2], R.W3, 1e-15, 1e-11);
    expectAllClose(g.db[2], R.b3, 1e-15, 1e-11);
    expectAllClose(g.dW[1], R.W2, 1e-15, 1e-11);
    expectAllClose(g.db[1], R.b2, 1e-15, 1e-11);
    expectAllClose(g.db[0], R.b1, 1e-15, 1e-11);
    expect(g.dW[0].reduce((s, v) => s + v, 0)).toBeCloseTo(R.W1.sum, 12);
    expect(g.dW[0].reduce((s, v) => s + v * v, 0)).toBeCloseTo(R.W1.sumSq, 12);
  });

  it('computes the same gradient from float32 parameters as from their exact float64 copy', () => {
    const net = initNetwork(new Mt19937(1), [784, 30, 10], 'relu', { kind: 'he' });
    const G = golden.grad;
    const x = { rows: 3, cols: 784, data: Float32Array.from(G.pixels as number[], (v) => v / 255) };
    const t = Uint8Array.from(G.labels);
    const a = gradient(net, x, t), b = gradient(float64Params(net), x, t);
    expect(a.loss).toBe(b.loss);
    a.dW.forEach((dW, l) => { expect(dW).toEqual(b.dW[l]); expect(a.db[l]).toEqual(b.db[l]); });
  });

  it('reuses a workspace: a second batch gives the same gradient as a fresh computation', () => {
    const net = initNetwork(new Mt19937(2), [784, 8, 10], 'sigmoid');
    const p = paramsOf(net), ws = createWorkspace(p.sizes, 3);
    const G = golden.grad;
    const x1 = { rows: 3, cols: 784, data: Float32Array.from(G.pixels as number[], (v) => v / 255) };
    const x2 = { rows: 3, cols: 784, data: x1.data.slice().reverse() };
    const t = Uint8Array.from(G.labels);
    const xs = sparseRows(x1);
    backprop(p, xs, t, ws);
    const loss2 = backprop(p, sparseRows(x2, xs), t, ws);
    const fresh = gradient(net, x2, t);
    expect(loss2).toBe(fresh.loss);
    expect(ws.dW[0]).toEqual(fresh.dW[0]);
    expect(forwardLoss(p, sparseRows(x2), t, ws)).toBe(fresh.loss);
  });
});
