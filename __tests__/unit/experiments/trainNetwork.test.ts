// experiments/trainNetwork.ts: the book's ch07 train_convnet.py loop (SimpleConvNet, Adam) and a --layers network
// against numpy on the real MNIST train split. Goldens: __tests__/fixtures/train/convnet-train-goldens.json, written
// by make_convnet_train_goldens.py beside it (the book's SimpleConvNet, common/layers.py, common/optimizer.py):
//   np.random.seed(42); W1 = 0.01*randn(30,1,5,5); b1 = 0; W2 = 0.01*randn(4320,100); b2 = 0; W3 = 0.01*randn(100,10); b3 = 0
//   for i in range(3): mask = np.random.choice(60000, 100); loss, g = gradient(x_train[mask], t_train[mask]); Adam(lr=0.001).update(p, g)
// 'tool' runs round what the engine stores in float32 (parameters, each layer's output, the softmax) and compute every
// sum and gradient in float64, as the engine does; 'book' is the book's float64 code as it is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../../helpers/allClose';
import { loadSplit } from '../../../src/data/mnist';
import type { MnistSplit } from '../../../src/data/types';
import { createAdamOptimizer, createNetworkTrainer, createSgdOptimizer, trainNetworkSteps, type NetworkTrainConfig } from '../../../src/experiments/trainNetwork';
import { parseLayersSpec, SIMPLE_CONVNET_SPEC, type ParsedLayers } from '../../../src/nn/layersSpec';

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/train/convnet-train-goldens.json'), 'utf8'));

function parsed(spec: string): ParsedLayers {
  const p = parseLayersSpec(spec);
  if ('problem' in p) throw new Error(spec);
  return p;
}

interface GoldenTensor { shape: number[]; values?: number[]; sample?: number[]; summary: { sum: number; sumSq: number } }

/** max |ours − numpy| over a golden tensor's values (or its every-STRIDE-th sample). */
function maxDiff(ours: Float32Array, g: GoldenTensor): number {
  const ref = g.values ?? g.sample!;
  const step = g.values ? 1 : golden.stride;
  let m = 0;
  ref.forEach((v, i) => { m = Math.max(m, Math.abs(ours[i * step] - v)); });
  return m;
}

let train: MnistSplit;
beforeAll(() => { train = loadSplit({ source: 'idx', env: {} }, 'train'); });

const SIMPLE = parsed(SIMPLE_CONVNET_SPEC);

describe('createNetworkTrainer: the book SimpleConvNet', () => {
  it("draws numpy's init in the book's order and then numpy's batches", () => {
    const cfg: NetworkTrainConfig = { layers: SIMPLE, init: { kind: 'std', std: 0.01 }, optimizer: 'adam', batchSize: 100, lr: 0.001, seed: 42, iterations: 0 };
    const trainer = createNetworkTrainer(train, cfg);
    expect([...trainer.tensors.keys()]).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    for (const [name, g] of Object.entries(golden.init.params) as [string, GoldenTensor][]) {
      const t = trainer.tensors.get(name)!;
      expect(t.shape).toEqual(g.shape);
      const ref = g.values ?? g.sample!;
      const step = g.values ? 1 : golden.stride;
      expect(ref.map((_, i) => t.data[i * step])).toEqual(ref.map(Math.fround)); // float32(numpy's float64 draw)
    }
  });
});

/** The tensor's values at the golden's positions (all of them, or every STRIDE-th). */
function atGolden(ours: Float32Array, g: GoldenTensor): number[] {
  const ref = g.values ?? g.sample!;
  const step = g.values ? 1 : golden.stride;
  return ref.map((_, i) => ours[i * step]);
}

/** Runs `steps` steps as the golden run did; checks the batches, the losses and every tensor (rtol: a few float32 ulps). */
function expectFollows(g: any, layers: ParsedLayers, init: NetworkTrainConfig['init'], rtol: number, atol: number): void {
  const trainer = createNetworkTrainer(train, { layers, init, optimizer: g.optimizer, batchSize: g.batchSize, lr: g.lr, seed: g.seed, iterations: g.steps });
  const losses: number[] = [];
  for (let i = 0; i < g.steps; i++) {
    const { loss, indices } = trainer.step();
    expect([...indices]).toEqual(g.batches[i]);
    losses.push(loss);
  }
  expectAllClose(losses, g.loss, 0, 1e-9);
  for (const [name, gt] of Object.entries(g.params) as [string, GoldenTensor][]) {
    const t = trainer.tensors.get(name)!;
    expect(t.shape).toEqual(gt.shape);
    expectAllClose(atGolden(t.data, gt), gt.values ?? gt.sample!, atol, rtol);
    expect(t.data.reduce((s, v) => s + v, 0)).toBeCloseTo(gt.summary.sum, 6);
  }
}

describe('createNetworkTrainer against numpy at the tool precision (measured: the same bits; allowed: 1e-6 relative)', () => {
  it('SimpleConvNet, SGD lr 0.1, batch 100, seed 7: 3 steps', () => {
    expectFollows(golden.simpleSgd.tool, SIMPLE, { kind: 'std', std: 0.01 }, 1e-6, 1e-12);
  });

  it(`--layers ${golden.spec.layers}, He init, batch 8, seed 3: 4 SGD steps (lr 0.1) and 4 Adam steps (lr 0.01)`, () => {
    const layers = parsed(golden.spec.layers);
    expectFollows(golden.spec.tool, layers, { kind: 'he' }, 1e-6, 1e-12);
    expectFollows(golden.spec.adam, layers, { kind: 'he' }, 1e-6, 1e-12);
  });
});

describe('the optimizers (common/optimizer.py), by hand', () => {
  it('SGD: W -= lr · g, rounded once to float32', () => {
    const W = new Float32Array([1, -2, 0.5]);
    createSgdOptimizer(0.1).update(new Map([['W1', W]]), new Map([['W1', new Float64Array([1, 1, -3])]]));
    expect([...W]).toEqual([0.9, -2.1, 0.8].map(Math.fround));
  });

  it('Adam: the first step is lr · g / (|g| + 1e-7 / sqrt(1 − 0.999)) (bias correction), the second uses m and v', () => {
    // step 1: m = 0.1 g, v = 0.001 g², lr_t = lr · sqrt(0.001) / 0.1, so W -= lr · g / (|g| + 1e-7 / sqrt(0.001))
    const W = new Float32Array([0, 0]);
    const adam = createAdamOptimizer(0.001);
    const g = new Float64Array([0.5, -2e-6]);
    adam.update(new Map([['W', W]]), new Map([['W', g]]));
    const first = [...g].map((gi) => Math.fround(-0.001 * gi / (Math.abs(gi) + 1e-7 / Math.sqrt(1 - 0.999))));
    expectAllClose(W, first, 0, 1e-6);
    // step 2 with the same gradient: m = 0.19 g, v = 0.001999 g², lr_t = lr · sqrt(1 − 0.999²) / (1 − 0.9²)
    adam.update(new Map([['W', W]]), new Map([['W', g]]));
    const lrT = 0.001 * Math.sqrt(1 - 0.999 ** 2) / (1 - 0.9 ** 2);
    const second = [...g].map((gi, i) => Math.fround(first[i] - lrT * 0.19 * gi / (Math.sqrt(0.001999 * gi * gi) + 1e-7)));
    expectAllClose(W, second, 0, 1e-6);
  });
});

describe('trainNetworkSteps on the spec network (4 steps, batch 8, 2 per epoch on a 16-image split)', () => {
  it('scores both splits after every epoch with the fast forward, as evaluate does on the trained weights', async () => {
    const small: MnistSplit = { ...train, count: 16, pixels: train.pixels.subarray(0, 16 * 784), labels: train.labels.subarray(0, 16) };
    const test: MnistSplit = { ...train, count: 10, pixels: train.pixels.subarray(784 * 100, 784 * 110), labels: train.labels.subarray(100, 110) };
    const cfg: NetworkTrainConfig = { layers: parsed(golden.spec.layers), init: { kind: 'he' }, optimizer: 'sgd', batchSize: 8, lr: 0.1, seed: 3, iterations: 4 };
    const steps = trainNetworkSteps(small, test, cfg);
    const kinds: string[] = [];
    let next = await steps.next();
    const epochs: number[] = [];
    for (; !next.done; next = await steps.next()) {
      kinds.push(next.value.kind);
      if (next.value.kind === 'epoch') {
        epochs.push(next.value.record.epoch);
      }
    }
    expect(kinds).toEqual(['iteration', 'iteration', 'epoch', 'iteration', 'iteration', 'epoch']);
    expect(epochs).toEqual([1, 2]);
    const result = next.value;
    const last = result.records[1];
    // the test score after the 4th step: Network.predict (the reference engine) on the 10 test images
    const y = result.network.predict(test.pixels, 10);
    let cee = 0, correct = 0;
    for (let n = 0; n < 10; n++) {
      const row = Array.from(y.data.subarray(n * 10, n * 10 + 10));
      cee -= Math.log(row[test.labels[n]] + 1e-7);
      if (row.indexOf(Math.max(...row)) === test.labels[n]) correct++;
    }
    expect(last.test.correct).toBe(correct);
    expect(last.test.cee).toBeCloseTo(cee / 10, 5);
    expect(last.iteration).toBe(4);
  });
});
