// sweep: the incremental evaluation against (1) a naive numpy sweep (goldens from
// __tests__/fixtures/sweep/make_sweep_goldens.py: set the weight, the book's full float32 predict(),
// the book's losses) and (2) our own naive path (predict() + losses.ts on a gathered batch), plus
// np.linspace bit for bit, slopes by hand arithmetic, and the summary recounted from the rows.
import * as path from 'node:path';
import { gatherBatch } from '../../../src/data/batch';
import { loadSplit } from '../../../src/data/mnist';
import type { MnistSplit } from '../../../src/data/types';
import {
  buildSweepCache,
  linspace,
  lossesAtWeights,
  slopes,
  summarizeSweep,
  sweepParameter,
  type SweepCache,
  type SweepRow,
} from '../../../src/experiments/sweep';
import { readModel } from '../../../src/io/modelFile';
import { countCorrect, crossEntropyErrorMean, sumSquaredErrorMean } from '../../../src/nn/losses';
import { predict, type Network } from '../../../src/nn/network';
import { resolveParamRef } from '../../../src/nn/paramRef';
import { Mt19937 } from '../../../src/rng/mt19937';
import { choice, randn } from '../../../src/rng/sample';

const ROOT = path.join(__dirname, '..', '..', '..');
const BOOK = path.join(ROOT, '__tests__', 'fixtures', 'book-ch03.safetensors');

interface GoldenCase {
  param: string;
  mode: 'add' | 'set';
  from: number;
  to: number;
  steps: number;
  base: number;
  rows: { value: number; weight: number; sse: number; cee: number; correct: number }[];
}
interface Goldens {
  batch: { seed: number; size: number; indices: number[] };
  cases: GoldenCase[];
  linspace: { start: number; stop: number; num: number; values: number[] }[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const goldens = require('../../fixtures/sweep/sweep-goldens.json') as Goldens;

let test: MnistSplit;
let book: Network;
let goldenCache: SweepCache; // the book net on the golden batch, built once
beforeAll(() => {
  test = loadSplit({ source: 'idx', env: {} }, 'test');
  book = readModel(BOOK).mlp!;
  goldenCache = buildSweepCache(book, test, goldens.batch.indices);
});

/** The naive path: copy the network, set the one element, full predict() on the gathered batch, losses.ts. */
function naive(net: Network, split: MnistSplit, indices: ArrayLike<number>, ref: string, weight: number) {
  const p = resolveParamRef(net, ref);
  const layers = net.layers.map((layer, l) => {
    if (l !== p.layer) return layer;
    const W = { ...layer.W, data: layer.W.data.slice() };
    const b = layer.b.slice();
    if (p.kind === 'W') W.data[p.offset] = weight;
    else b[p.offset] = weight;
    return { W, b };
  });
  const { x, t } = gatherBatch(split, indices);
  const y = predict({ layers, activation: net.activation }, x);
  return { sse: sumSquaredErrorMean(y, t), cee: crossEntropyErrorMean(y, t), correct: countCorrect(y, t) };
}

describe('linspace', () => {
  // numpy: [float(v) for v in np.linspace(a, b, k)] for the triples in make_sweep_goldens.py
  it.each(goldens.linspace.map((c) => [c.start, c.stop, c.num, c.values] as const))('linspace(%p, %p, %p) equals numpy bit for bit', (a, b, k, values) => {
    expect(Array.from(linspace(a, b, k))).toEqual(values);
  });

  it('hand cases: ends exact, step (b − a)/(k − 1), empty for 0', () => {
    expect(Array.from(linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(linspace(-1, 1, 2))).toEqual([-1, 1]);
    expect(linspace(3, 4, 0).length).toBe(0);
  });
});

describe('slopes', () => {
  it('central inside, one-sided at the ends', () => {
    // x = 0, 1, 2, 3; y = 0, 1, 4, 9 -> (1−0)/1, (4−0)/2, (9−1)/2, (9−4)/1
    expect(Array.from(slopes([0, 1, 2, 3], [0, 1, 4, 9]))).toEqual([1, 2, 4, 5]);
    // a flat series has slope exactly 0 everywhere
    expect(Array.from(slopes([0, 0.5, 1], [0.93, 0.93, 0.93]))).toEqual([0, 0, 0]);
  });
});

describe('sweepParameter vs the naive numpy sweep (book ch03 net, 300 seeded test images)', () => {
  it('uses the batch numpy drew: np.random.seed(7); np.random.choice(10000, 300)', () => {
    expect(Array.from(choice(new Mt19937(goldens.batch.seed), 10000, goldens.batch.size))).toEqual(goldens.batch.indices);
  });

  it.each(goldens.cases.map((c) => [c.param, c.mode, c] as const))('%s (%s): SSE/CEE within 1e-5, correct exact', (ref, mode, golden) => {
    const param = resolveParamRef(book, ref);
    expect(param.value).toBe(golden.base);
    const result = sweepParameter(goldenCache, param, linspace(golden.from, golden.to, golden.steps), mode);
    expect(result.n).toBe(300);
    expect(result.rows.map((r) => r.value)).toEqual(golden.rows.map((r) => r.value));
    expect(result.rows.map((r) => r.weight)).toEqual(golden.rows.map((r) => r.weight));
    expect(result.rows.map((r) => r.correct)).toEqual(golden.rows.map((r) => r.correct));
    result.rows.forEach((row, i) => {
      expect(Math.abs(row.sse - golden.rows[i].sse)).toBeLessThan(1e-5);
      expect(Math.abs(row.cee - golden.rows[i].cee)).toBeLessThan(1e-5);
      expect(row.accuracy).toBe(golden.rows[i].correct / 300);
    });
  });

  it('the summary agrees with the golden rows (flat step = exactly equal neighbours)', () => {
    const golden = goldens.cases.find((c) => c.param === 'b3[7]')!;
    const { summary, rows } = sweepParameter(goldenCache, resolveParamRef(book, 'b3[7]'), linspace(golden.from, golden.to, golden.steps), 'set');
    const counts = golden.rows.map((r) => r.correct);
    let changed = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i] !== counts[i - 1]) changed++;
    expect(summary.steps).toBe(golden.steps - 1);
    expect(summary.accuracyChangedSteps).toBe(changed);
    expect(summary.accuracyFlatSteps).toBe(golden.steps - 1 - changed);
    expect(summary.distinctAccuracies).toBe(new Set(counts).size);
    expect(summary.minAccuracy).toBe(Math.min(...counts) / 300);
    expect(summary.maxAccuracy).toBe(Math.max(...counts) / 300);
    expect(summary.ceeChangedSteps + summary.ceeFlatSteps).toBe(summary.steps);
    expect(summary.accuracySlopeZeroRows).toBe(rows.filter((r) => r.dAccuracy === 0).length);
  });
});

describe('lossesAtWeights equals the naive recomputation', () => {
  const indices = Array.from({ length: 250 }, (_, i) => 37 + 39 * i); // 250 test images spread over the split
  let bookCache: SweepCache;
  beforeAll(() => { bookCache = buildSweepCache(book, test, indices); });

  it.each(['W1[409,18]', 'b1[3]', 'W2[7,40]', 'b2[99]', 'W3[5,2]', 'b3[7]', 'W1[0,0]'])('book ch03 net, %s', (ref) => {
    const cache = bookCache;
    const param = resolveParamRef(book, ref);
    const weights = [-3, -0.5, 0.25, 2].map((d) => Math.fround(param.value + d));
    const fast = lossesAtWeights(cache, param, weights);
    weights.forEach((w, v) => {
      const slow = naive(book, test, indices, ref, w);
      expect(Math.abs(fast.sse[v] - slow.sse)).toBeLessThan(1e-5);
      expect(Math.abs(fast.cee[v] - slow.cee)).toBeLessThan(1e-5);
      expect(fast.correct[v]).toBe(slow.correct);
    });
  });

  // A seeded 784-12-8-10 ReLU net: exercises the ReLU path (units that stay off) and a middle layer.
  const relu: Network = (() => {
    const rng = new Mt19937(3);
    const layer = (i: number, o: number, std: number) => ({
      W: { rows: i, cols: o, data: Float32Array.from(randn(rng, i * o, std)) },
      b: Float32Array.from(randn(rng, o, 0.1)),
    });
    return { activation: 'relu', layers: [layer(784, 12, 0.1), layer(12, 8, 0.5), layer(8, 10, 0.5)] };
  })();

  it.each(['W1[350,4]', 'b1[2]', 'W2[3,5]', 'b2[0]', 'W3[7,9]', 'b3[1]'])('seeded ReLU net, %s', (ref) => {
    const cache = buildSweepCache(relu, test, indices);
    const param = resolveParamRef(relu, ref);
    const weights = [-2, -0.7, 0.4, 1.5].map((d) => Math.fround(param.value + d));
    const fast = lossesAtWeights(cache, param, weights);
    weights.forEach((w, v) => {
      const slow = naive(relu, test, indices, ref, w);
      expect(Math.abs(fast.sse[v] - slow.sse)).toBeLessThan(1e-5);
      expect(Math.abs(fast.cee[v] - slow.cee)).toBeLessThan(1e-5);
      expect(fast.correct[v]).toBe(slow.correct);
    });
  });

  // Seeded 784-12-9-7-10 nets: the change of one unit crosses two hidden layers above it (the rank-1 step,
  // then two dense steps), in both activations.
  const deep = (activation: 'sigmoid' | 'relu'): Network => {
    const rng = new Mt19937(11);
    const layer = (i: number, o: number, std: number) => ({
      W: { rows: i, cols: o, data: Float32Array.from(randn(rng, i * o, std)) },
      b: Float32Array.from(randn(rng, o, 0.1)),
    });
    return { activation, layers: [layer(784, 12, 0.1), layer(12, 9, 0.8), layer(9, 7, 0.8), layer(7, 10, 0.8)] };
  };
  it.each([
    ['sigmoid', 'W1[350,4]'], ['sigmoid', 'b1[2]'], ['sigmoid', 'W2[3,5]'], ['sigmoid', 'b3[6]'], ['sigmoid', 'W4[1,2]'],
    ['relu', 'W1[350,4]'], ['relu', 'b1[2]'], ['relu', 'W2[3,5]'], ['relu', 'W3[8,0]'],
  ] as const)('seeded 4-layer %s net, %s', (activation, ref) => {
    const net = deep(activation);
    const cache = buildSweepCache(net, test, indices);
    const param = resolveParamRef(net, ref);
    const weights = [-2.5, -0.6, 0.3, 1.8].map((d) => Math.fround(param.value + d));
    const fast = lossesAtWeights(cache, param, weights);
    weights.forEach((w, v) => {
      const slow = naive(net, test, indices, ref, w);
      expect(Math.abs(fast.sse[v] - slow.sse)).toBeLessThan(1e-5);
      expect(Math.abs(fast.cee[v] - slow.cee)).toBeLessThan(1e-5);
      expect(fast.correct[v]).toBe(slow.correct);
    });
  });

  // The bundled 784-100-10 ReLU model: W1 and b1 take the table fast path (reluLastHiddenDeltas);
  // W1 at ±400 makes |Δ·w| too large for it and takes the direct path.
  it.each([
    ['W1[409,18]', [-2, -0.3, 0.7, 2]],
    ['W1[600,3]', [-1.5, 0.2, 1]],
    ['b1[18]', [-3, -0.4, 0.5, 3]],
    ['W2[18,4]', [-2, 1]],
    ['W1[409,18]', [-400, 400]],
    // Only decreases: unit 18 switches off in many images at several values (their losses are computed
    // once per image) and images where it is off stay off at the largest Δ (skipped).
    ['W1[409,18]', [-30, -20, -10, -5]],
    ['b1[18]', [-40, -25, -12]],
  ])('bundled ReLU model, %s at %p', (ref, adds) => {
    const bundled = readModel(path.join(ROOT, 'data', 'model.safetensors')).mlp!;
    const cache = buildSweepCache(bundled, test, indices);
    const param = resolveParamRef(bundled, ref);
    const weights = (adds as number[]).map((d) => Math.fround(param.value + d));
    const fast = lossesAtWeights(cache, param, weights);
    weights.forEach((w, v) => {
      const slow = naive(bundled, test, indices, ref, w);
      expect(Math.abs(fast.sse[v] - slow.sse)).toBeLessThan(1e-5);
      expect(Math.abs(fast.cee[v] - slow.cee)).toBeLessThan(1e-5);
      expect(fast.correct[v]).toBe(slow.correct);
    });
  });

  it('at the model weight (Δ = 0) every row is the cached evaluation, bit for bit', () => {
    const cache = bookCache;
    const fast = lossesAtWeights(cache, resolveParamRef(book, 'W2[7,40]'), [resolveParamRef(book, 'W2[7,40]').value]);
    expect(fast.sse[0]).toBe(cache.sseSum / cache.n);
    expect(fast.cee[0]).toBe(cache.ceeSum / cache.n);
    expect(fast.correct[0]).toBe(cache.correctCount);
  });
});

describe('the chapter’s claim on a 100-image batch', () => {
  it('accuracy is flat on most steps while CEE changes on every step', () => {
    const indices = choice(new Mt19937(42), 10000, 100);
    const cache = buildSweepCache(book, test, indices);
    const { summary, rows } = sweepParameter(cache, resolveParamRef(book, 'W2[7,40]'), linspace(-3, 3, 61), 'add');
    expect(summary.steps).toBe(60);
    expect(summary.ceeChangedSteps).toBe(60);
    expect(summary.accuracyFlatSteps).toBeGreaterThan(50);
    expect(summary.accuracyChangedSteps).toBe(60 - summary.accuracyFlatSteps);
    for (const row of rows) expect(row.accuracy).toBe(row.correct / 100); // accuracy only takes values k/100
  });
});

describe('summarizeSweep', () => {
  const row = (value: number, cee: number, correct: number): SweepRow => ({
    value, weight: value, sse: cee / 2, cee, accuracy: correct / 10, correct, dSse: 0, dCee: 0, dAccuracy: 0,
  });

  it('counts a step as flat only when the two values are exactly equal', () => {
    const s = summarizeSweep([row(0, 0.5, 9), row(1, 0.4, 9), row(2, 0.4, 8), row(3, 0.35, 8)]);
    // accuracy 0.9, 0.9, 0.8, 0.8: steps 0→1 flat, 1→2 changed, 2→3 flat
    expect(s).toMatchObject({ steps: 3, accuracyChangedSteps: 1, accuracyFlatSteps: 2, distinctAccuracies: 2 });
    // CEE 0.5, 0.4, 0.4, 0.35: one flat step
    expect(s).toMatchObject({ ceeChangedSteps: 2, ceeFlatSteps: 1, minCee: 0.35, maxCee: 0.5, argminCee: 3 });
  });
});
