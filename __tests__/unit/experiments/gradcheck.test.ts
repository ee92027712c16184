// experiments/gradcheck.ts: the book's gradient check. References: numpy's numerical_gradient (the book's
// common/gradient.py, h = 1e-4) and gradient_check.py's mean |backprop − numerical| for b1, W2, b2 of the
// seeded 784-50-10 net on 3 MNIST images (make_train_goldens.py sections 2 and 2a):
//   np.random.seed(42); TwoLayerNet init (float64); idx = np.random.choice(60000, 3); x = u8[idx].astype(f32)/255
//   num = {k: numerical_gradient(lambda _: network.loss(x, t), params[k]) for k in ('b1', 'W2', 'b2')}
//   diffs[k] = np.average(np.abs(grad_backprop[k] - num[k]))   ->  b1 9.9e-10, W2 6.75e-08, b2 1.35e-07
// The diffs are mostly δ: backprop differentiates CEE without δ, numerical_gradient the loss with δ = 1e-7.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../../helpers/allClose';
import { float64Params, sparseRows } from '../../../src/nn/backprop';
import { GRADCHECK_TOLERANCE, gradientCheck, numericalGradient } from '../../../src/experiments/gradcheck';
import { initNetwork } from '../../../src/nn/init';
import type { Network } from '../../../src/nn/network';
import { Mt19937 } from '../../../src/rng/mt19937';

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/train/train-goldens.json'), 'utf8'));
const G = golden.grad, N = golden.gradNumerical;
const x = { rows: 3, cols: 784, data: Float32Array.from(G.pixels as number[], (v) => v / 255) };
const t = Uint8Array.from(G.labels);

/** The seeded net as float32 parameters (what train and model files hold): float32(0.01 * randn). */
const bookNet = (): Network => initNetwork(new Mt19937(42), [784, 50, 10], 'sigmoid');

describe('numericalGradient', () => {
  it("matches numpy's numerical_gradient for b1, W2, b2 of the seeded 784-50-10 net on 3 images", () => {
    // numpy used the float64 weights; ours are their float32 roundings (relative change <= 6e-8), which moves
    // these gradients by ~1e-9 of their size; rounding noise of a difference quotient is ~ε·L/h ≈ 3e-12.
    const p = float64Params(bookNet());
    const num = numericalGradient(p, sparseRows(x), t);
    expectAllClose(num.db[0], N.b1, 1e-10, 1e-6);
    expectAllClose(num.dW[1], N.W2, 1e-10, 1e-6);
    expectAllClose(num.db[1], N.b2, 1e-10, 1e-6);
  });
});

describe('gradientCheck', () => {
  it("reports the book's mean |backprop − numerical| per parameter, all below 1e-6, for the seeded 784-50-10 net", () => {
    const r = gradientCheck(bookNet(), x, t);
    expect(r.diffs.map((d) => [d.name, d.size])).toEqual([['W1', 39200], ['b1', 50], ['W2', 500], ['b2', 10]]);
    const byName = Object.fromEntries(r.diffs.map((d) => [d.name, d]));
    for (const k of ['b1', 'W2', 'b2']) expect(byName[k].meanAbsDiff).toBeCloseTo(N.diffs[k], 11);
    for (const d of r.diffs) expect(d.meanAbsDiff).toBeLessThan(GRADCHECK_TOLERANCE);
    expect(byName.W1.meanAbsGrad).toBeGreaterThan(0);
    expect(r.loss).toBeCloseTo(G.loss, 6); // float32-rounded weights: numpy's float64 loss to ~1e-8
  });

  it('works for deeper relu nets and names every parameter (784-16-12-10, He init)', () => {
    const net = initNetwork(new Mt19937(3), [784, 16, 12, 10], 'relu', { kind: 'he' });
    const r = gradientCheck(net, x, t);
    expect(r.diffs.map((d) => d.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    for (const d of r.diffs) expect(d.meanAbsDiff).toBeLessThan(GRADCHECK_TOLERANCE);
  });
});
