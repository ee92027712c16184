// `loss --compare`: each framework's CEE convention, recomputed independently in numpy from the formula
// quoted in src/nn/frameworkLosses.ts, plus cases small enough to check by hand.
// Goldens come from __tests__/fixtures/loss/make_fixtures.py:
//   def conventions(p, t, eps_sklearn):
//       r = np.arange(N)
//       exact = np.mean(-np.log(p[r, t]))
//       q = np.clip(p / p.sum(axis=1, keepdims=True), 1e-7, 1 - 1e-7)   # Keras categorical
//       c = np.clip(p, 1e-7, 1 - 1e-7)                                   # Keras sparse
//       s = np.clip(p, eps_sklearn, 1 - eps_sklearn)                     # scikit-learn >= 1.5
//       book=-np.mean(np.log(p[r, t] + 1e-7)), keras_categorical=np.mean(-np.log(q[r, t])),
//       keras_sparse=np.mean(-np.log(c[r, t] / c.sum(axis=1))), sklearn=np.mean(-np.log(s[r, t]))
//   def log_softmax_ce(z, t):
//       m = z.max(axis=1, keepdims=True); lse = np.log(np.exp(z - m).sum(axis=1)) + m[:, 0]
//       return np.mean(lse - z[np.arange(N), t])
import { softmaxRowsFloat64 } from '../../../src/nn/activations';
import { compareCrossEntropy, KERAS_EPSILON, MACHINE_EPSILON, type ConventionResult } from '../../../src/nn/frameworkLosses';
import type { Predictions } from '../../../src/nn/losses';

const rows64 = (rows: number, cols: number, values: number[]): Predictions => ({ rows, cols, data: Float64Array.from(values) });
const byId = (results: ConventionResult[]) => Object.fromEntries(results.map((r) => [r.id, r.cee]));

// y_small: the fixture rows (a tie, a row summing to 1.0008, a row with p = 1 at the label), t = [3, 0, 1, 2, 0]
const Y_SMALL = [0.1, 0.2, 0.3, 0.4, 0.7, 0.1, 0.1, 0.1, 0.25, 0.25, 0.25, 0.25, 0.0, 0.5, 0.5008, 0.0, 1.0, 0.0, 0.0, 0.0];
const T_SMALL = Uint8Array.of(3, 0, 1, 2, 0);

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
    // conventions(y_small, t_small, np.finfo(np.float64).eps) ->
    //   book 0.6701614807183037, exact 0.6701616992258053, keras_categorical 0.6703216552599192,
    //   keras_sparse 0.6703217352279368, sklearn 0.6701616992258053; log_softmax_ce(y_small, t_small) 1.1024769809793478
    expect(cee.book).toBeCloseTo(0.6701614807183037, 14);
    expect(cee.exact).toBeCloseTo(0.6701616992258053, 14);
    expect(cee['keras-categorical']).toBeCloseTo(0.6703216552599192, 14);
    expect(cee['keras-sparse']).toBeCloseTo(0.6703217352279368, 14);
    expect(cee['tfjs-categorical']).toBe(cee['keras-categorical']); // tfjs-layers ports the Keras formula
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
    expect(r.book).toBeCloseTo(-Math.log(1e-7), 14); // 16.118095650958...
    expect(r.exact).toBe(Infinity); // −log 0
    expect(r['keras-categorical']).toBeCloseTo(-Math.log(KERAS_EPSILON), 14); // clipped to 1e-7
    expect(r['keras-sparse']).toBeCloseTo(-Math.log(1e-7 / (1e-7 + (1 - 1e-7))), 14);
    expect(r.sklearn).toBeCloseTo(-Math.log(2 ** -52), 12); // 36.04365338911715
    expect(r['pytorch-probabilities']).toBeCloseTo(Math.log(1 + Math.E), 14); // logsumexp([0, 1]) − 0
  });
});

describe('logits (--from-logits)', () => {
  // z_small rows: [1,2,3,4], [-50,0,50,700], [0,0,0,0], [-3.5,2.25,2.25,0.125], [1000,-1000,0,1]; t = [3,0,1,2,0]
  const z = rows64(5, 4, [1, 2, 3, 4, -50, 0, 50, 700, 0, 0, 0, 0, -3.5, 2.25, 2.25, 0.125, 1000, -1000, 0, 1]);
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
    //   book 3.739445603019921, keras_categorical 3.739445796532249, sklearn 7.724557324164015
    expect(cee.book).toBeCloseTo(3.739445603019921, 13);
    expect(cee['keras-categorical']).toBeCloseTo(3.739445796532249, 13);
    expect(cee.sklearn).toBeCloseTo(7.724557324164015, 13);
  });
});
