// `loss --compare`: each convention against what ITS library returns for the same y and t, plus cases small
// enough to check by hand. The library values are in __tests__/fixtures/loss/framework-goldens.json, written by
// make_framework_goldens.py (same folder) with the real libraries; the calls it makes, per case:
//   torch:   nn.NLLLoss()(torch.log(y), t) -> exact; nn.CrossEntropyLoss()(y, t) -> pytorch / pytorch-probabilities
//            (once with float32 tensors, once with float64)
//   sklearn: log_loss(t, p, labels=range(K)) -> sklearn, with p in the input's dtype (its eps follows that dtype)
//   keras:   CategoricalCrossentropy()(onehot, p), SparseCategoricalCrossentropy()(t, p), and both with
//            from_logits=True on the logits -> keras-*; default dtype (float32) and dtype='float64'
//   tf.js:   tf.mean(tf.metrics.categoricalCrossentropy(onehot, p)) -> tfjs-categorical;
//            tf.losses.softmaxCrossEntropy(onehot, y) -> tfjs-logits / tfjs-probabilities (cpu backend, float32)
// Tolerances, by the float type the library computed in: relative, plus one step of that type at 1 absolute.
//   float64: 1e-12 relative + 2^-50 (the same formula; summation order and log/exp rounding differ).
//   float32: 1e-6 relative + 2^-23. A float32 library rounds every intermediate: a row's loss that comes
//   from the log of a float32 sum near 1 (keras-sparse's logsumexp, for one) is only known to about one
//   float32 step of 1, 2^-23 ≈ 1.19e-7, however small the loss is.
// The Keras conventions clip at float32's bounds, as Keras does by default, so their float64 goldens
// (dtype='float64', exact 1e-7 and 1 − 1e-7) are compared with the same formula at KERAS_CLIP_FLOAT64.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSplit } from '../../../src/data/mnist';
import { parseNpy } from '../../../src/io/npy';
import { softmaxRowsFloat64 } from '../../../src/nn/activations';
import {
  compareCrossEntropy,
  KERAS_CLIP_FLOAT32,
  KERAS_CLIP_FLOAT64,
  KERAS_EPSILON,
  kerasCategoricalCrossentropy,
  kerasSparseCategoricalCrossentropy,
  MACHINE_EPSILON,
  type ConventionResult,
  type FloatKind,
} from '../../../src/nn/frameworkLosses';
import type { Predictions } from '../../../src/nn/losses';

const FIXTURES = path.join(__dirname, '../../fixtures/loss');
const rows64 = (rows: number, cols: number, values: number[]): Predictions => ({ rows, cols, data: Float64Array.from(values) });
const byId = (results: ConventionResult[]) => Object.fromEntries(results.map((r) => [r.id, r.cee]));

// y_small: the fixture rows (a tie, a row summing to 1.0008, a row with p = 1 at the label), t = [3, 0, 1, 2, 0]
const Y_SMALL = [0.1, 0.2, 0.3, 0.4, 0.7, 0.1, 0.1, 0.1, 0.25, 0.25, 0.25, 0.25, 0.0, 0.5, 0.5008, 0.0, 1.0, 0.0, 0.0, 0.0];
const T_SMALL = Uint8Array.of(3, 0, 1, 2, 0);
// z_small rows: [1,2,3,4], [-50,0,50,700], [0,0,0,0], [-3.5,2.25,2.25,0.125], [1000,-1000,0,1]; t = [3,0,1,2,0]
const Z_SMALL = [1, 2, 3, 4, -50, 0, 50, 700, 0, 0, 0, 0, -3.5, 2.25, 2.25, 0.125, 1000, -1000, 0, 1];
const oneHot = (K: number, k: number) => Array.from({ length: K }, (_, j) => (j === k ? 1 : 0));

// --- the goldens ------------------------------------------------------------------------------------------
type ByKind = Partial<Record<'float32' | 'float64', number | string>>;
interface Goldens {
  versions: Record<string, string>;
  cases: Record<string, Record<string, ByKind>>;
}
const GOLDENS: Goldens = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'framework-goldens.json'), 'utf8'));
const value = (v: number | string) => (typeof v === 'number' ? v : Number(v)); // "Infinity": JSON has no inf

interface Case {
  y: Predictions;
  labels: Uint8Array;
  fromLogits: boolean;
  floatKind: FloatKind;
}
function mnistCase(): Case {
  const a = parseNpy(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'y-test-10000.npy'))), 'y-test-10000.npy');
  expect(a.dtype).toBe('<f4');
  return { y: { rows: 10000, cols: 10, data: a.data as Float32Array }, labels: loadSplit({ source: 'idx', env: {} }, 'test').labels, fromLogits: false, floatKind: 'float32' };
}
const CASES: Record<string, () => Case> = {
  y_small: () => ({ y: rows64(5, 4, Y_SMALL), labels: T_SMALL, fromLogits: false, floatKind: 'float64' }),
  y32: () => ({ y: { rows: 5, cols: 4, data: Float32Array.from(Y_SMALL) }, labels: T_SMALL, fromLogits: false, floatKind: 'float32' }),
  z_small: () => ({ y: rows64(5, 4, Z_SMALL), labels: T_SMALL, fromLogits: true, floatKind: 'float64' }),
  zero_one: () => ({ y: rows64(1, 2, [0, 1]), labels: Uint8Array.of(0), fromLogits: false, floatKind: 'float64' }),
  one_hot_right: () => ({ y: rows64(1, 10, oneHot(10, 2)), labels: Uint8Array.of(2), fromLogits: false, floatKind: 'float64' }),
  mnist_test_10000: mnistCase,
};

function expectClose(found: number, expected: number, kind: 'float32' | 'float64', what: string) {
  if (!Number.isFinite(expected)) {
    expect({ what, found }).toEqual({ what, found: expected });
    return;
  }
  const tolerance = kind === 'float64' ? 1e-12 * Math.abs(expected) + 2 ** -50 : 1e-6 * Math.abs(expected) + 2 ** -23;
  if (!(Math.abs(found - expected) <= tolerance)) throw new Error(`${what}: found ${found}, the library gives ${expected} (tolerance ${tolerance})`);
}

describe('every convention against its own library (framework-goldens.json)', () => {
  it('the goldens name the library versions they came from', () => {
    for (const lib of ['torch', 'scikit-learn', 'keras', 'tensorflow', 'tfjs-core', 'tfjs-layers']) expect(GOLDENS.versions[lib]).toMatch(/^\d+\.\d+/);
    expect(Object.keys(GOLDENS.cases).sort()).toEqual(Object.keys(CASES).sort());
  });

  describe.each(Object.keys(CASES))('%s', (name) => {
    const c = CASES[name]();
    const probabilities = c.fromLogits ? softmaxRowsFloat64(c.y) : c.y;
    const results = compareCrossEntropy({ y: c.y, probabilities, labels: c.labels, fromLogits: c.fromLogits, floatKind: c.floatKind });
    const cee = byId(results);
    const golden = GOLDENS.cases[name];

    it('every convention but the book has a library value', () => {
      for (const r of results) if (r.id !== 'book') expect({ id: r.id, golden: golden[r.id] !== undefined }).toEqual({ id: r.id, golden: true });
    });

    it.each(results.filter((r) => r.id !== 'book').map((r) => r.id))('%s', (id) => {
      for (const [kind, v] of Object.entries(golden[id]) as ['float32' | 'float64', number | string][]) {
        let found = cee[id];
        // Keras in float64 clips at the exact 1e-7 and 1 − 1e-7: the same formula at those bounds.
        if (kind === 'float64' && id === 'keras-categorical') found = kerasCategoricalCrossentropy(probabilities, c.labels, KERAS_CLIP_FLOAT64);
        if (kind === 'float64' && id === 'keras-sparse') found = kerasSparseCategoricalCrossentropy(probabilities, c.labels, KERAS_CLIP_FLOAT64);
        expectClose(found, value(v), kind, `${name} ${id} ${kind}`);
      }
    });

    if (c.fromLogits)
      it('keras-logits is also SparseCategoricalCrossentropy(from_logits=True)', () => {
        for (const [kind, v] of Object.entries(golden['keras-sparse-logits']) as ['float32' | 'float64', number][])
          expectClose(cee['keras-logits'], v, kind, `${name} keras-sparse-logits ${kind}`);
      });
  });

  it('Keras and TF.js clip at float32 bounds: a one-hot y gives −log(0.99999988) = 1.192e-7, not 1e-7', () => {
    // One float32 log of the clip bound, no sum: the library value is good to 1e-6 relative here, which the
    // general float32 tolerance (2^-23 absolute) would not resolve. Keras float32 1.1920930376163597e-07,
    // TF.js 1.1920930376163597e-07; with float64 bounds the value would be 1.0000000494736474e-07.
    const y = rows64(1, 10, oneHot(10, 2));
    const r = byId(compareCrossEntropy({ y, probabilities: y, labels: Uint8Array.of(2), fromLogits: false, floatKind: 'float64' }));
    const g = GOLDENS.cases.one_hot_right;
    for (const id of ['keras-categorical', 'tfjs-categorical']) {
      const lib = g[id].float32 as number;
      expect(Math.abs(r[id] - lib) / lib).toBeLessThan(1e-6);
    }
    expect(r['keras-categorical']).toBe(-Math.log(KERAS_CLIP_FLOAT32.hi));
    expect(KERAS_CLIP_FLOAT32.hi).toBe(1 - 2 ** -23);
    expect(KERAS_CLIP_FLOAT32.lo).toBe(1.0000000116860974e-7);
  });

  it('tfjs-categorical is the Keras formula: both real libraries return it for every case', () => {
    // The tool lists one value for both (tfjs-layers' categoricalCrossentropy ports Keras' line for line);
    // this checks that claim against the two libraries' own outputs, not the tool against itself.
    for (const [name, g] of Object.entries(GOLDENS.cases)) {
      const keras = g['keras-categorical'].float32 as number, tfjs = g['tfjs-categorical'].float32 as number;
      expect({ name, close: Math.abs(keras - tfjs) <= 1e-6 * Math.abs(keras) + 2 ** -23 }).toEqual({ name, close: true });
    }
  });
});

describe('probabilities (no --from-logits)', () => {
  const y = rows64(5, 4, Y_SMALL);
  const results = compareCrossEntropy({ y, probabilities: y, labels: T_SMALL, fromLogits: false, floatKind: 'float64' });
  const cee = byId(results);

  it('lists the book first and every framework once, each with a note', () => {
    expect(results.map((r) => r.id)).toEqual([
      'book', 'exact', 'keras-categorical', 'keras-sparse', 'tfjs-categorical', 'sklearn', 'pytorch-probabilities', 'tfjs-probabilities',
    ]);
    for (const r of results) expect(r.note.length).toBeGreaterThan(10);
  });

  it('matches numpy for every convention', () => {
    // __tests__/fixtures/loss/make_fixtures.py conventions(y_small, t_small, np.finfo(np.float64).eps) (float64
    // clip bounds) -> book 0.6701614807183037, exact 0.6701616992258053, keras_categorical 0.6703216552599192,
    //   keras_sparse 0.6703217352279368, sklearn 0.6701616992258053; log_softmax_ce(y_small, t_small) 1.1024769809793478
    // With Keras' float32 bounds, lo, hi = float(np.float32(1e-7)), float(np.float32(1 - 1e-7)):
    //   q = np.clip(y / y.sum(axis=1, keepdims=True), lo, hi); np.mean(-np.log(q[r, t])) -> 0.6703216591017774
    //   c = np.clip(y, lo, hi); np.mean(-np.log(c[r, t] / c.sum(axis=1)))             -> 0.6703217352279389
    expect(cee.book).toBeCloseTo(0.6701614807183037, 14);
    expect(cee.exact).toBeCloseTo(0.6701616992258053, 14);
    expect(kerasCategoricalCrossentropy(y, T_SMALL, KERAS_CLIP_FLOAT64)).toBeCloseTo(0.6703216552599192, 14);
    expect(kerasSparseCategoricalCrossentropy(y, T_SMALL, KERAS_CLIP_FLOAT64)).toBeCloseTo(0.6703217352279368, 14);
    expect(cee['keras-categorical']).toBeCloseTo(0.6703216591017774, 14);
    expect(cee['keras-sparse']).toBeCloseTo(0.6703217352279389, 14);
    expect(cee['tfjs-categorical']).toBe(cee['keras-categorical']); // one formula: see the test against both libraries
    expect(cee.sklearn).toBeCloseTo(0.6701616992258053, 14);
    expect(cee['pytorch-probabilities']).toBeCloseTo(1.1024769809793478, 14);
    expect(cee['tfjs-probabilities']).toBe(cee['pytorch-probabilities']);
  });

  it('scikit-learn clips by the input dtype: float32 eps 1.19e-7 changes the p = 1 row', () => {
    // y32 = y_small.astype(np.float32).astype(np.float64)
    // conventions(y32, t_small, float(np.finfo(np.float32).eps)) -> sklearn 0.6701617180851952, book 0.6701614757358356
    const y32 = rows64(5, 4, [...Float32Array.from(Y_SMALL)]);
    const r = byId(compareCrossEntropy({ y: y32, probabilities: y32, labels: T_SMALL, fromLogits: false, floatKind: 'float32' }));
    expect(r.sklearn).toBeCloseTo(0.6701617180851952, 14);
    expect(r.book).toBeCloseTo(0.6701614757358356, 14);
    expect(MACHINE_EPSILON.float32).toBe(1.1920928955078125e-7);
    expect(MACHINE_EPSILON.float64).toBe(2.220446049250313e-16);
  });

  it('by hand: y = [0, 1], t = 0 — where the epsilons decide everything', () => {
    const y = rows64(1, 2, [0, 1]);
    const r = byId(compareCrossEntropy({ y, probabilities: y, labels: Uint8Array.of(0), fromLogits: false, floatKind: 'float64' }));
    const lo = Math.fround(KERAS_EPSILON), hi = Math.fround(1 - KERAS_EPSILON); // Keras' float32 bounds
    expect(r.book).toBeCloseTo(-Math.log(1e-7), 14); // 16.118095650958...
    expect(r.exact).toBe(Infinity); // −log 0
    expect(r['keras-categorical']).toBeCloseTo(-Math.log(lo), 14); // clipped to float32(1e-7): 16.118095639272...
    expect(r['keras-sparse']).toBeCloseTo(-Math.log(lo / (lo + hi)), 14);
    expect(r.sklearn).toBeCloseTo(-Math.log(2 ** -52), 12); // 36.04365338911715
    expect(r['pytorch-probabilities']).toBeCloseTo(Math.log(1 + Math.E), 14); // logsumexp([0, 1]) − 0
  });
});

describe('logits (--from-logits)', () => {
  const z = rows64(5, 4, Z_SMALL);
  const p = softmaxRowsFloat64(z);
  const results = compareCrossEntropy({ y: z, probabilities: p, labels: T_SMALL, fromLogits: true, floatKind: 'float64' });
  const cee = byId(results);

  it('log-softmax frameworks agree with numpy, with no epsilon: row 2 alone costs 750', () => {
    // log_softmax_ce(z_small, t_small) -> 150.5158266463406; row 1 is logsumexp = 700 (+ e^-650...) minus −50 = 750
    expect(results.map((r) => r.id)).toEqual(['book', 'pytorch', 'keras-logits', 'tfjs-logits', 'keras-categorical', 'sklearn']);
    expect(cee.pytorch).toBeCloseTo(150.5158266463406, 11);
    expect(cee['keras-logits']).toBe(cee.pytorch);
    expect(cee['tfjs-logits']).toBe(cee.pytorch);
  });

  it('probability conventions on softmax(z) match numpy', () => {
    // p = softmax(z_small); conventions(p, t_small, np.finfo(np.float64).eps) ->
    //   book 3.739445603019921, keras_categorical 3.739445796532249 (float64 bounds), sklearn 7.724557324164015
    expect(cee.book).toBeCloseTo(3.739445603019921, 13);
    expect(kerasCategoricalCrossentropy(p, T_SMALL, KERAS_CLIP_FLOAT64)).toBeCloseTo(3.739445796532249, 13);
    expect(cee.sklearn).toBeCloseTo(7.724557324164015, 13);
  });
});
