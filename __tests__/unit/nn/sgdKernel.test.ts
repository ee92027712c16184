// nn/sgdKernel.ts against the reference path (nn/backprop.ts + train.ts sgdStep, what MNIST_LOSS_KERNELS=reference
// runs): the kernel step must give the same bits (same sums in the same order), for sigmoid and relu nets of
// one and two hidden layers, on MNIST-like images (mostly zero pixels, some images sharing pixels, some
// pixels in no image of a batch).
import { createSgd, type Sgd, type TrainConfig } from '../../../src/experiments/train';
import type { MnistSplit } from '../../../src/data/types';
import * as backprop from '../../../src/nn/backprop';
import { createSgdKernel } from '../../../src/nn/sgdKernel';
import { initNetwork } from '../../../src/nn/init';
import { Mt19937 } from '../../../src/rng/mt19937';

function sparseImages(count: number, seed: number): MnistSplit {
  const rng = new Mt19937(seed);
  const pixels = new Uint8Array(count * 784), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = rng.nextUint32() % 10;
    for (let k = 0; k < 784; k++) if (rng.random() < 0.2) pixels[i * 784 + k] = 1 + (rng.nextUint32() % 255);
  }
  return { split: 'train', count, rows: 28, cols: 28, pixels, labels };
}

const cases: [string, Partial<TrainConfig>][] = [
  ['784-50-10 sigmoid, std 0.01 (the book)', {}],
  ['784-30-20-10 relu, He init', { hidden: [30, 20], activation: 'relu', init: { kind: 'he' } }],
  ['784-7-10 sigmoid, Xavier, batch 3, lr 2', { hidden: [7], init: { kind: 'xavier' }, batchSize: 3, lr: 2 }],
];

/** createSgd with MNIST_LOSS_KERNELS set to `value` (or unset) while it is created, and how many backprop.ts calls its steps make. */
function sgdWith(value: string | undefined, train: MnistSplit, cfg: TrainConfig): { sgd: Sgd; backpropCalls: () => number } {
  const saved = process.env.MNIST_LOSS_KERNELS;
  if (value === undefined) delete process.env.MNIST_LOSS_KERNELS;
  else process.env.MNIST_LOSS_KERNELS = value;
  try {
    const sgd = createSgd(train, cfg);
    let calls = 0;
    return {
      sgd: { get net() { return sgd.net; }, step: () => { const spy = jest.spyOn(backprop, 'backprop'); try { return sgd.step(); } finally { calls += spy.mock.calls.length; spy.mockRestore(); } } },
      backpropCalls: () => calls,
    };
  } finally {
    if (saved === undefined) delete process.env.MNIST_LOSS_KERNELS;
    else process.env.MNIST_LOSS_KERNELS = saved;
  }
}

describe('createSgdKernel', () => {
  const train = sparseImages(300, 9);
  it.each(cases)('takes the same SGD steps, bit for bit, as backprop.ts: %s', (_, overrides) => {
    const cfg: TrainConfig = { hidden: [50], activation: 'sigmoid', init: { kind: 'std', std: 0.01 }, batchSize: 100, lr: 0.1, seed: 5, iterations: 4, ...overrides };
    expect(createSgdKernel(initNetwork(new Mt19937(0), [784, ...cfg.hidden, 10], cfg.activation), cfg.batchSize)).not.toBeNull();
    const kernel = sgdWith(undefined, train, cfg), reference = sgdWith('reference', train, cfg);
    const fast = kernel.sgd, plain = reference.sgd;
    for (let i = 0; i < 4; i++) {
      const a = fast.step(), b = plain.step();
      expect(a.indices).toEqual(b.indices);
      expect(a.loss).toBe(b.loss);
    }
    fast.net.layers.forEach((layer, l) => {
      expect(layer.W.data).toEqual(plain.net.layers[l].W.data);
      expect(layer.b).toEqual(plain.net.layers[l].b);
    });
    expect(fast.net.layers[0].W.data).not.toEqual(initNetwork(new Mt19937(5), [784, ...cfg.hidden, 10], cfg.activation, cfg.init).layers[0].W.data);
    // the switch switched: the reference steps ran backprop.ts, the kernel steps did not
    expect(reference.backpropCalls()).toBe(4);
    expect(kernel.backpropCalls()).toBe(0);
  });

  it('is null under MNIST_LOSS_KERNELS=reference (train.ts then steps with backprop.ts)', () => {
    const saved = process.env.MNIST_LOSS_KERNELS;
    process.env.MNIST_LOSS_KERNELS = 'reference';
    try {
      expect(createSgdKernel(initNetwork(new Mt19937(0), [784, 7, 10], 'relu'), 10)).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.MNIST_LOSS_KERNELS;
      else process.env.MNIST_LOSS_KERNELS = saved;
    }
  });
});
