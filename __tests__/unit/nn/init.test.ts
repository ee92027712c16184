// nn/init.ts against numpy: np.random.seed(S); W_l = scale * np.random.randn(in, out) in layer order, then
// the batch draws np.random.choice(60000, B) from the same stream. Goldens: __tests__/fixtures/train/
// train-goldens.json, written by make_train_goldens.py beside it (sections 1, 1b, 1c):
//   np.random.seed(42); W1 = 0.01*np.random.randn(784, 50); W2 = 0.01*np.random.randn(50, 10)
//   batches = [np.random.choice(60000, 100) for _ in range(3)]
// numpy keeps these in float64; we store parameters as float32, so each value must equal float32(numpy's)
// (randn itself agrees with numpy within 2e-15 relative, far below half a float32 ulp, ~6e-8).
import * as path from 'node:path';
import * as fs from 'node:fs';
import { initNetwork, initScale } from '../../../src/nn/init';
import { Mt19937 } from '../../../src/rng/mt19937';
import { choice } from '../../../src/rng/sample';

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/train/train-goldens.json'), 'utf8'));
const stride: number = golden.stride;

function sampled(a: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i += stride) out.push(a[i]);
  return out;
}
const f32 = (xs: number[]) => xs.map(Math.fround);

describe('initNetwork', () => {
  it("reproduces TwoLayerNet's 0.01*randn weights (seed 42), zero biases, and the following batch draws", () => {
    const rng = new Mt19937(42);
    const net = initNetwork(rng, [784, 50, 10], 'sigmoid');
    expect(net.layers.map((l) => [l.W.rows, l.W.cols, l.b.length])).toEqual([[784, 50, 50], [50, 10, 10]]);
    expect(sampled(net.layers[0].W.data)).toEqual(f32(golden.init.W1Sample));
    expect([...net.layers[1].W.data]).toEqual(f32(golden.init.W2));
    expect([...net.layers[0].b, ...net.layers[1].b].every((v) => v === 0)).toBe(true);
    // Σ W1 over all 39200 values: float32 rounding moves each value by at most 2^-24 relative (|W| < 0.05).
    const sum = net.layers[0].W.data.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum - golden.init.W1.sum)).toBeLessThan(39200 * 0.05 * 2 ** -24);
    for (const batch of golden.init.batches) expect([...choice(rng, 60000, 100)]).toEqual(batch);
  });

  it("uses MultiLayerNet's He scale sqrt(2/in) for every layer (seed 7, 784-20-15-10)", () => {
    const net = initNetwork(new Mt19937(7), [784, 20, 15, 10], 'relu', { kind: 'he' });
    expect(sampled(net.layers[0].W.data)).toEqual(f32(golden.initHe.W1Sample));
    expect([...net.layers[1].W.data]).toEqual(f32(golden.initHe.W2));
    expect([...net.layers[2].W.data]).toEqual(f32(golden.initHe.W3));
    expect(initScale({ kind: 'he' }, 784)).toBe(Math.sqrt(2 / 784));
  });

  it("uses MultiLayerNet's Xavier scale sqrt(1/in) (seed 7, 784-7-10)", () => {
    const net = initNetwork(new Mt19937(7), [784, 7, 10], 'sigmoid', { kind: 'xavier' });
    expect(sampled(net.layers[0].W.data)).toEqual(f32(golden.initXavier.W1Sample));
    expect([...net.layers[1].W.data]).toEqual(f32(golden.initXavier.W2));
  });

  it('carries the cached second Gaussian of an odd-sized layer into the next layer, and choice() after it (seed 3, 784-5-3-10)', () => {
    const rng = new Mt19937(3);
    const net = initNetwork(rng, [784, 5, 3, 10], 'sigmoid');
    expect([...net.layers[1].W.data]).toEqual(f32(golden.initOdd.W2));
    expect([...net.layers[2].W.data]).toEqual(f32(golden.initOdd.W3));
    expect([...choice(rng, 60000, 4)]).toEqual(golden.initOdd.batch);
  });

  it('refuses layer sizes that are not whole numbers >= 1 (usage error)', () => {
    expect(() => initNetwork(new Mt19937(0), [784, 0, 10], 'sigmoid')).toThrow(/layer sizes/);
    expect(() => initNetwork(new Mt19937(0), [784], 'sigmoid')).toThrow(/layer sizes/);
  });
});
