// probe: central differences of SSE, CEE and accuracy at single weights, against a naive numpy float64
// golden (__tests__/fixtures/sweep/make_probe_goldens.py: the book's 784-50-100-10 net, the 300 seeded
// test images of the sweep goldens, w± = float32(w ± h)), the element choice against
// np.random.choice(P, k, replace=False), the CEE map against numpy's slopes, and correctAtWeights
// (which skips images that cannot flip) against the full evaluation.
import * as path from 'node:path';
import { loadSplit } from '../../../src/data/mnist';
import { centralSlopes, hiddenUnitMaps, inputAlwaysZero, probeParameters, unitAlwaysOff } from '../../../src/experiments/probe';
import { buildSweepCache, correctAtWeights, lossesAtWeights, type SweepCache } from '../../../src/experiments/sweep';
import { readModel } from '../../../src/io/modelFile';
import type { Network } from '../../../src/nn/network';
import { parameterCount, resolveParamRef } from '../../../src/nn/paramRef';
import { Mt19937 } from '../../../src/rng/mt19937';
import { randn } from '../../../src/rng/sample';

const BOOK = path.join(__dirname, '..', '..', 'fixtures', 'book-ch03.safetensors');

interface ProbeGoldens {
  h: number;
  parameterCount: number;
  probeSeed: number;
  flatIndices: number[];
  rows: { param: string; value: number; dSse: number; dCee: number; dAccuracy: number }[];
  largeH: { h: number; rows: { param: string; dSse: number; dCee: number; dAccuracy: number }[] };
  unit: number;
  ceeMap: number[];
  accuracyMap: number[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const goldens = require('../../fixtures/sweep/probe-goldens.json') as ProbeGoldens;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const batch = (require('../../fixtures/sweep/sweep-goldens.json') as { batch: { indices: number[] } }).batch;

let book: Network;
let cache: SweepCache;
beforeAll(() => {
  book = readModel(BOOK).mlp!;
  cache = buildSweepCache(book, loadSplit({ source: 'idx', env: {} }, 'test'), batch.indices);
});

/** |a − b| <= atol + rtol·|b|, with a readable failure. */
function expectClose(actual: number, expected: number, atol: number, rtol: number): void {
  if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) throw new Error(`expected ${expected} ± (${atol} + ${rtol}·|e|), got ${actual}`);
}

describe('probeParameters (book ch03 net, 300 test images, h = 1e-4)', () => {
  it('probes the elements numpy picks: np.random.seed(42); np.random.choice(P, 20, replace=False)', () => {
    expect(parameterCount(book)).toBe(goldens.parameterCount); // 784·50 + 50 + 50·100 + 100 + 100·10 + 10 = 45360
    const result = probeParameters(cache, new Mt19937(goldens.probeSeed), 20, goldens.h);
    expect(result.rows.map((r) => r.param)).toEqual(goldens.rows.map((r) => r.param));
    expect(result.rows.map((r) => r.value)).toEqual(goldens.rows.map((r) => r.value));
  });

  it('with a large step (h = 0.5) accuracy moves for some elements, exactly as numpy counts: its slope is not hard-wired to 0', () => {
    const result = probeParameters(cache, new Mt19937(goldens.probeSeed), 20, goldens.largeH.h);
    expect(goldens.largeH.rows.filter((r) => r.dAccuracy !== 0).length).toBeGreaterThanOrEqual(2);
    result.rows.forEach((row, i) => {
      const g = goldens.largeH.rows[i];
      expect(row.param).toBe(g.param);
      // (correct(w + h) − correct(w − h)) / 300 / (w+ − w−): the counts are exact, so the slope is to the last bits
      expectClose(row.dAccuracy, g.dAccuracy, 1e-12, 1e-6);
      expectClose(row.dCee, g.dCee, 1e-8, 1e-5);
    });
    expect(result.accuracyZero).toBe(goldens.largeH.rows.filter((r) => r.dAccuracy === 0).length);
  });

  it('slopes agree with numpy float64 central differences; accuracy slopes exactly', () => {
    const result = probeParameters(cache, new Mt19937(goldens.probeSeed), 20, goldens.h);
    result.rows.forEach((row, i) => {
      const g = goldens.rows[i];
      expectClose(row.dCee, g.dCee, 1e-8, 1e-5);
      expectClose(row.dSse, g.dSse, 1e-8, 1e-5);
      expect(row.dAccuracy).toBe(g.dAccuracy);
      // exactly-zero CEE slopes are exactly zero in numpy too (a blank input moves nothing)
      expect(row.dCee === 0).toBe(g.dCee === 0);
    });
  });

  it('counts follow the rows; accuracy’s slope is 0 for all 20 while CEE’s is 0 only for blank inputs', () => {
    const result = probeParameters(cache, new Mt19937(goldens.probeSeed), 20, goldens.h);
    expect(result.weights).toBe(20);
    expect(result.n).toBe(300);
    expect(result.accuracyZero).toBe(goldens.rows.filter((r) => r.dAccuracy === 0).length);
    expect(result.ceeNonzero).toBe(goldens.rows.filter((r) => r.dCee !== 0).length);
    expect(result.sseNonzero).toBe(goldens.rows.filter((r) => r.dSse !== 0).length);
    expect(result.accuracyZero).toBe(20);
    expect(result.ceeNonzero + result.ceeZeroInputBlank).toBe(20);
    expect(result.ceeZeroUnitOff).toBe(0); // sigmoid units are never off
    for (const row of result.rows) if (row.dCee === 0) expect(row.inputAlwaysZero).toBe(true);
  });
});

describe('inputAlwaysZero', () => {
  it('pixel 0 (the top-left corner) is blank in every MNIST image; the centre pixel 409 is not', () => {
    expect(inputAlwaysZero(cache, resolveParamRef(book, 'W1[0,5]'))).toBe(true);
    expect(inputAlwaysZero(cache, resolveParamRef(book, 'W1[409,5]'))).toBe(false);
    expect(inputAlwaysZero(cache, resolveParamRef(book, 'b1[5]'))).toBe(false); // a bias always has input 1
    expect(centralSlopes(cache, resolveParamRef(book, 'W1[0,5]'), 1e-4)).toEqual({ dSse: 0, dCee: 0, dAccuracy: 0 });
  });
});

describe('unitAlwaysOff (ReLU)', () => {
  // A seeded 784-6-10 ReLU net whose hidden unit 2 has bias −1000: off for every image, whatever its weights.
  const relu: Network = (() => {
    const rng = new Mt19937(5);
    const b1 = Float32Array.from(randn(rng, 6, 0.1));
    b1[2] = -1000;
    return {
      activation: 'relu',
      layers: [
        { W: { rows: 784, cols: 6, data: Float32Array.from(randn(rng, 784 * 6, 0.05)) }, b: b1 },
        { W: { rows: 6, cols: 10, data: Float32Array.from(randn(rng, 60, 0.5)) }, b: new Float32Array(10) },
      ],
    };
  })();

  it('a weight into a dead unit has CEE slope exactly 0 and is reported as such; a live one is not', () => {
    const reluCache = buildSweepCache(relu, loadSplit({ source: 'idx', env: {} }, 'test'), batch.indices);
    for (const ref of ['W1[409,2]', 'b1[2]']) {
      expect(unitAlwaysOff(reluCache, resolveParamRef(relu, ref))).toBe(true);
      expect(centralSlopes(reluCache, resolveParamRef(relu, ref), 1e-4).dCee).toBe(0);
    }
    expect(unitAlwaysOff(reluCache, resolveParamRef(relu, 'W2[2,3]'))).toBe(false); // the last layer has no unit to be off
    expect(unitAlwaysOff(cache, resolveParamRef(book, 'W1[409,2]'))).toBe(false); // sigmoid units are never off
  });
});

describe('hiddenUnitMaps', () => {
  it('picks the unit numpy finds with the largest |∂CEE/∂b1[j]|, and its CEE map matches numpy’s slopes', () => {
    const maps = hiddenUnitMaps(cache, goldens.h);
    expect(maps.unit).toBe(goldens.unit);
    // backprop's analytic gradient (the book's CEE without δ) vs numpy's central differences of CEE with δ:
    // they differ by O(h²) and by the factor y_t / (y_t + 1e-7), hence the relative tolerance.
    maps.cee.forEach((g, i) => expectClose(g, goldens.ceeMap[i], 1e-7, 1e-3));
    expect(maps.ceeNonzero).toBe(goldens.ceeMap.filter((v) => v !== 0).length);
    expect(Array.from(maps.accuracy)).toEqual(goldens.accuracyMap);
    expect(maps.accuracyNonzero).toBe(0);
  });

  it('an explicit unit is used as given', () => {
    expect(hiddenUnitMaps(cache, goldens.h, 3).unit).toBe(3);
  });
});

describe('correctAtWeights (skips images whose answer cannot flip) equals the full evaluation', () => {
  it.each(['W1[409,49]', 'b1[49]', 'W2[7,40]', 'b2[3]', 'W3[5,2]', 'b3[7]'])('%s at large and tiny changes', (ref) => {
    const param = resolveParamRef(book, ref);
    // each pair alone: the skip threshold scales with the largest change, so small pairs skip most images
    for (const d of [1e-4, 0.05, 0.3, 1, 4]) {
      const weights = [-d, d].map((x) => Math.fround(param.value + x));
      expect(Array.from(correctAtWeights(cache, param, weights))).toEqual(Array.from(lossesAtWeights(cache, param, weights).correct));
    }
  });
});
