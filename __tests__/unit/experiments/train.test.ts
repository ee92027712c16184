// experiments/train.ts: the book's SGD loop (ch04/train_neuralnet.py) against numpy, run in float32 on the
// real MNIST train split. Golden: __tests__/fixtures/train/train-goldens.json section 'train32', written by
// make_train_goldens.py beside it:
//   np.random.seed(42)
//   p = {W1: (0.01*randn(784,50)).astype(f32), b1: zeros(50, f32), W2: (0.01*randn(50,10)).astype(f32), b2: zeros(10, f32)}
//   x_train = x_u8.astype(np.float32) / 255.0
//   for i in range(5): mask = np.random.choice(60000, 100); g, y = TwoLayerNet.gradient(p, x_train[mask], T[mask])
//                      for k in p: p[k] -= 0.1 * g[k]      # float32 throughout
//   loss[i] = cross_entropy_error(y, t[mask])               # the gradient's forward pass, before the step
// We keep parameters in float32 too, but accumulate dot products and gradients in float64 and round the
// update once, where numpy rounds every float32 op: the two agree to about 1e-6 relative, measured below.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../../helpers/allClose';
import { loadSplit } from '../../../src/data/mnist';
import type { MnistSplit } from '../../../src/data/types';
import { createSgd, iterationsPerEpoch, trainSgd, trainSteps, type TrainConfig } from '../../../src/experiments/train';
import { evaluate } from '../../../src/experiments/evaluate';
import { initNetwork } from '../../../src/nn/init';
import { Mt19937 } from '../../../src/rng/mt19937';

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/train/train-goldens.json'), 'utf8'));
const G = golden.train32;

const BOOK: TrainConfig = { hidden: [50], activation: 'sigmoid', init: { kind: 'std', std: 0.01 }, batchSize: 100, lr: 0.1, seed: 42, iterations: 5 };

describe('iterationsPerEpoch', () => {
  it('is ceil(N / batch), at least 1', () => {
    expect(iterationsPerEpoch(60000, 100)).toBe(600); // the book's iter_per_epoch = 60000 / 100
    expect(iterationsPerEpoch(60000, 128)).toBe(469); // 468.75 rounded up: every image drawn once on average
    expect(iterationsPerEpoch(60000, 60000)).toBe(1);
    expect(iterationsPerEpoch(10, 100)).toBe(1);
  });
});

describe('createSgd on the real MNIST train split (seed 42, 784-50-10 sigmoid, batch 100, lr 0.1)', () => {
  let train: MnistSplit;
  beforeAll(() => { train = loadSplit({ source: 'idx', env: {} }, 'train'); });

  it("draws numpy's batches and follows its float32 loss and weights for 5 iterations", () => {
    const sgd = createSgd(train, BOOK);
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { loss, indices } = sgd.step();
      expect([...indices]).toEqual(G.batches[i]);
      losses.push(loss);
    }
    // numpy float32: 2.302293062210083, 2.3061068058013916, ...; measured here: max relative diff 1.1e-7
    expectAllClose(losses, G.loss, 0, 5e-7);
    // after 5 steps, measured max |diff|: b1 2.2e-11, W2 3.7e-9 (2 float32 ulps at |W| ~ 0.03), b2 2.7e-9,
    // W1 (405 sampled values) 4.7e-10, about half a float32 ulp (|W1| ~ 0.01: ulp 9.3e-10)
    const [l1, l2] = sgd.net.layers;
    expectAllClose(l1.b, G.b1, 1e-10);
    expectAllClose(l2.W.data, G.W2, 1e-8);
    expectAllClose(l2.b, G.b2, 1e-8);
    const W1Sample = Array.from({ length: G.W1Sample.length }, (_, i) => l1.W.data[i * golden.stride]);
    expectAllClose(W1Sample, G.W1Sample, 2e-9);
    expect(Math.abs(l1.W.data.reduce((s, v) => s + v, 0) - G.W1.sum)).toBeLessThan(2e-8); // measured 3.5e-9
    expect(Math.abs(l1.W.data.reduce((s, v) => s + v * v, 0) - G.W1.sumSq)).toBeLessThan(2e-9); // measured 3.4e-10
  });
});

/** A small synthetic split: images whose bright row encodes the label, so a net can learn it. */
function syntheticSplit(count: number, seed: number, split: 'train' | 'test'): MnistSplit {
  const rng = new Mt19937(seed);
  const pixels = new Uint8Array(count * 784), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let c = 0; c < 28; c++) pixels[i * 784 + (2 + 2 * labels[i]) * 28 + c] = 128 + (rng.nextUint32() & 127);
  }
  return { split, count, rows: 28, cols: 28, pixels, labels };
}

describe('trainSteps', () => {
  const train = syntheticSplit(250, 1, 'train'), test = syntheticSplit(40, 2, 'test');
  const cfg: TrainConfig = { ...BOOK, batchSize: 100, iterations: 7 }; // 250 / 100 -> 3 iterations per epoch

  it('reports after every epoch and at the end of a run that stops mid-epoch; batchCee is the mean step loss since the last report', async () => {
    const events = [];
    for await (const e of trainSteps(train, test, cfg)) events.push(e);
    expect(events.map((e) => (e.kind === 'epoch' ? `E${e.record.iteration}` : `i${e.iteration}`)).join(' ')).toBe('i1 i2 i3 E3 i4 i5 i6 E6 i7 E7');
    const losses = events.flatMap((e) => (e.kind === 'iteration' ? [e.loss] : []));
    const records = events.flatMap((e) => (e.kind === 'epoch' ? [e.record] : []));
    expect(records.map((r) => r.epoch)).toEqual([1, 2, 7 / 3]);
    expect(records[0].batchCee).toBeCloseTo((losses[0] + losses[1] + losses[2]) / 3, 15);
    expect(records[2].batchCee).toBe(losses[6]);
  });

  it('scores the final weights on the whole train and test splits with evaluate()', async () => {
    const result = await trainSgd(train, test, cfg);
    const last = result.records[result.records.length - 1];
    const e = evaluate(result.net, test);
    expect(last.test).toEqual({ n: 40, cee: e.cee, accuracy: e.accuracy, correct: e.correct });
    expect(last.train.n).toBe(250);
    expect(result.iterations).toBe(7);
  });

  it('with 0 iterations reports the initial weights, which equal initNetwork(seed)', async () => {
    const result = await trainSgd(train, test, { ...cfg, iterations: 0 });
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ epoch: 0, iteration: 0 });
    expect(result.records[0].batchCee).toBeNaN();
    const init = initNetwork(new Mt19937(42), [784, 50, 10], 'sigmoid');
    expect(result.net.layers[0].W.data).toEqual(init.layers[0].W.data);
    expect(result.net.layers[1].W.data).toEqual(init.layers[1].W.data);
  });
});
