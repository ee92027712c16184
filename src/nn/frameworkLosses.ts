// Cross-entropy as other libraries compute it, for `loss --compare`: the same y and t, the formula and the
// epsilon each framework uses, so "my framework's loss differs from the book's" has a visible reason.
// Every formula is quoted from the framework's source (cited per entry) and recomputed here in float64;
// __tests__/fixtures/loss/framework-goldens.json holds what the real libraries return for the same inputs.
import { CEE_DELTA, type Predictions } from './losses';
import { pairwiseSum } from './numpySum';

/**
 * Keras' fuzz factor: keras/src/backend/config.py `_EPSILON = 1e-7` (keras.config.epsilon()), and
 * TensorFlow.js' `EPSILON_FLOAT32 = 1e-7` (tfjs-core/src/backends/backend.ts), which tfjs-layers'
 * epsilon() returns on float32 backends (tfjs-layers/src/backend/common.ts).
 */
export const KERAS_EPSILON = 1e-7;

/** A clip range [lo, hi] for the probabilities before the log. */
export interface ClipBounds {
  readonly lo: number;
  readonly hi: number;
}

/**
 * [ε, 1 − ε] as Keras and TF.js apply it: both compute in float32 (Keras' default floatx; TF.js' only float
 * type), so the bounds are float32 numbers, 1.0000000117e-7 and 0.99999988 (1 − 1e-7 rounds to 1 − 2^-23).
 * Measured: CategoricalCrossentropy() of a one-hot y gives 1.1920930e-7 = −log(0.99999988), not 1e-7.
 */
export const KERAS_CLIP_FLOAT32: ClipBounds = { lo: Math.fround(KERAS_EPSILON), hi: Math.fround(1 - KERAS_EPSILON) };
/** [ε, 1 − ε] in float64, as Keras clips when floatx (or the loss's dtype) is float64. */
export const KERAS_CLIP_FLOAT64: ClipBounds = { lo: KERAS_EPSILON, hi: 1 - KERAS_EPSILON };

/** np.finfo(dtype).eps: what scikit-learn >= 1.5 clips log_loss's y_pred to, by y_pred's dtype. */
export const MACHINE_EPSILON = { float16: 2 ** -10, float32: 2 ** -23, float64: 2 ** -52 } as const;
export type FloatKind = keyof typeof MACHINE_EPSILON;

/** One convention's CEE (mean over the batch) and what it does differently. */
export interface ConventionResult {
  readonly id: string;
  /** The API call, as a user would write it. */
  readonly call: string;
  /** Mean CEE over the batch; Infinity when the convention takes log(0). */
  readonly cee: number;
  readonly note: string;
}

export interface CompareInput {
  /** What the user passed: probabilities, or logits when fromLogits. */
  readonly y: Predictions;
  /** softmax(y) when fromLogits, else y itself. */
  readonly probabilities: Predictions;
  readonly labels: Uint8Array;
  readonly fromLogits: boolean;
  /** The input's float type, for scikit-learn's dtype-dependent eps (integers count as float64, as check_array converts). */
  readonly floatKind: FloatKind;
}

const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** −(1/B) Σ_b term(b): a per-row loss, summed in numpy's order. */
function meanOverRows(B: number, term: (b: number) => number): number {
  const terms = new Float64Array(B);
  for (let b = 0; b < B; b++) terms[b] = term(b);
  return pairwiseSum(terms) / B;
}

/** −log_softmax(x)[t] = logsumexp(x) − x_t for one row, max-subtracted (PyTorch/TF.js with logits). */
function negLogSoftmaxAt(x: Predictions, b: number, t: number): number {
  const K = x.cols, off = b * K;
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (x.data[off + k] > max) max = x.data[off + k];
  const e = new Float64Array(K);
  for (let k = 0; k < K; k++) e[k] = Math.exp(x.data[off + k] - max);
  return Math.log(pairwiseSum(e)) - (x.data[off + t] - max);
}

/**
 * Keras categorical_crossentropy(from_logits=False), mean over the batch: q = p / Σp per row, clip q to
 * [lo, hi], −log q_t. The float64 arithmetic stands in for float32's (within 1e-6 relative); the bounds are
 * the float32 ones by default, because there they decide the value of confident rows.
 */
export function kerasCategoricalCrossentropy(p: Predictions, t: Uint8Array, clipTo: ClipBounds = KERAS_CLIP_FLOAT32): number {
  const K = p.cols;
  return meanOverRows(p.rows, (b) => -Math.log(clip(p.data[b * K + t[b]] / pairwiseSum(p.data, b * K, K), clipTo.lo, clipTo.hi)));
}

/**
 * Keras sparse_categorical_crossentropy(from_logits=False), mean over the batch: c = clip(p, lo, hi), then
 * softmax cross-entropy on log c, which is −log(c_t / Σc): it renormalises after clipping.
 */
export function kerasSparseCategoricalCrossentropy(p: Predictions, t: Uint8Array, clipTo: ClipBounds = KERAS_CLIP_FLOAT32): number {
  const K = p.cols;
  const c = new Float64Array(K);
  return meanOverRows(p.rows, (b) => {
    for (let k = 0; k < K; k++) c[k] = clip(p.data[b * K + k], clipTo.lo, clipTo.hi);
    return -Math.log(c[t[b]] / pairwiseSum(c));
  });
}

/**
 * CEE of the same predictions under the book's and five libraries' conventions, each a mean over the batch.
 * Sources read for each formula:
 * Checked against the libraries themselves (Keras 3.15.1 on TensorFlow 2.21.0, TF.js 4.22.0, PyTorch 2.13.0,
 * scikit-learn 1.9.1): __tests__/fixtures/loss/make_framework_goldens.py.
 * - Keras 3, keras/src/backend/tensorflow/nn.py categorical_crossentropy: `output = output / tf.reduce_sum(output,
 *   axis, keepdims=True)`, `tf.clip_by_value(output, backend.epsilon(), 1.0 - backend.epsilon())`,
 *   `-tf.reduce_sum(target * tf.math.log(output), axis)`; from_logits=True calls
 *   tf.nn.softmax_cross_entropy_with_logits. sparse_categorical_crossentropy clips first, takes the log, and
 *   feeds it to tf.nn.sparse_softmax_cross_entropy_with_logits (so it renormalises after clipping). The Loss
 *   classes cast y to their dtype, float32 unless set: hence KERAS_CLIP_FLOAT32.
 * - TensorFlow.js, tfjs-layers/src/losses.ts categoricalCrossentropy: `output = div(output, sum(output, -1, true))`,
 *   `clipByValue(output, epsilon(), 1 - epsilon())`, `neg(sum(mul(target, log(output)), -1))` (the Keras formula);
 *   tfjs-core/src/ops/losses/softmax_cross_entropy.ts softmaxCrossEntropy: `logits − logSumExp(logits)`, no
 *   epsilon, reduction SUM_BY_NONZERO_WEIGHTS (a mean when there are no weights). Float32 throughout.
 * - PyTorch, torch.nn.CrossEntropyLoss docs: "The input is expected to contain the unnormalized logits",
 *   l_n = −log(exp(x_{n,y_n}) / Σ_c exp(x_{n,c})), reduction 'mean'; it equals LogSoftmax then NLLLoss, and
 *   NLLLoss takes log-probabilities as given (no epsilon).
 * - scikit-learn >= 1.5, sklearn/metrics/_classification.py log_loss: `eps = np.finfo(y_pred.dtype).eps`,
 *   a warning (no longer a renormalisation) when rows do not sum to 1, `y_pred = np.clip(y_pred, eps, 1 - eps)`,
 *   `loss = -xlogy(transformed_labels, y_pred).sum(axis=1)`, averaged. (1.2-1.4 renormalised rows after clipping;
 *   before 1.2 eps was 1e-15.) 1.9 renames y_pred to y_proba, same computation; a float32 y is clipped and
 *   summed in float32.
 */
export function compareCrossEntropy(input: CompareInput): ConventionResult[] {
  const { y, probabilities: p, labels: t, fromLogits, floatKind } = input;
  const B = p.rows, K = p.cols;
  const at = (m: Predictions, b: number) => m.data[b * K + t[b]];
  const sklearnEps = MACHINE_EPSILON[floatKind];
  const book: ConventionResult = {
    id: 'book',
    call: 'book: -Σ t·log(y + 1e-7)',
    cee: -meanOverRows(B, (b) => Math.log(at(p, b) + CEE_DELTA)),
    note: fromLogits
      ? "this tool's CEE: softmax first, then δ = 1e-7 inside the log"
      : "this tool's CEE: δ = 1e-7 inside the log caps one row's loss at 16.1",
  };
  const exact: ConventionResult = {
    id: 'exact',
    call: 'nn.NLLLoss()(torch.log(y), t)',
    cee: meanOverRows(B, (b) => -Math.log(at(p, b))),
    note: fromLogits
      ? '−log softmax(y)_t, no epsilon: the mathematical value'
      : '−log y_t, no epsilon: the mathematical value; inf if some y_t = 0',
  };
  const kerasCategorical: ConventionResult = {
    id: 'keras-categorical',
    call: 'keras.losses.CategoricalCrossentropy()',
    cee: kerasCategoricalCrossentropy(p, t),
    note: fromLogits
      ? 'on softmax(y): rows ÷ their sum, clip to [1e-7, 1−1e-7] in float32 (0.99999988), −log'
      : 'rows ÷ their sum, then clip to [1e-7, 1−1e-7] in float32 (0.99999988), then −log',
  };
  const kerasSparse: ConventionResult = {
    id: 'keras-sparse',
    call: 'keras.losses.SparseCategoricalCrossentropy()',
    cee: kerasSparseCategoricalCrossentropy(p, t),
    note: 'integer labels: clip to [1e-7, 1−1e-7] (float32) first, then rows ÷ their sum',
  };
  const tfjsLayers: ConventionResult = {
    id: 'tfjs-categorical',
    call: "tf.metrics.categoricalCrossentropy / loss: 'categoricalCrossentropy'",
    // One formula, not two: tfjs-layers' categoricalCrossentropy is a line-for-line port of Keras' (÷ row sum,
    // clipByValue(epsilon(), 1 − epsilon()), −Σ t·log), in float32 with epsilon() = 1e-7 as Keras'. The unit
    // test checks this value against what each library returns (framework-goldens.json).
    cee: kerasCategorical.cee,
    note: 'tfjs-layers: the Keras formula, float32, epsilon() = 1e-7 (1e-4 on float16 WebGL)',
  };
  const sklearn: ConventionResult = {
    id: 'sklearn',
    call: 'sklearn.metrics.log_loss(t, y)',
    cee: meanOverRows(B, (b) => -Math.log(clip(at(p, b), sklearnEps, 1 - sklearnEps))),
    note: `${fromLogits ? 'on softmax(y): ' : ''}clip to [eps, 1−eps], eps = np.finfo(${floatKind}).eps = ${sklearnEps.toPrecision(4)}; no renormalising (>= 1.5)`,
  };
  if (fromLogits) {
    const logSoftmax = meanOverRows(B, (b) => negLogSoftmaxAt(y, b, t[b]));
    return [
      book,
      { id: 'pytorch', call: 'nn.CrossEntropyLoss()(logits, t)', cee: logSoftmax, note: 'log-softmax of the logits, no epsilon (logsumexp(y) − y_t)' },
      { id: 'keras-logits', call: 'keras.losses.CategoricalCrossentropy(from_logits=True)', cee: logSoftmax, note: 'tf.nn.softmax_cross_entropy_with_logits: the same log-softmax' },
      { id: 'tfjs-logits', call: 'tf.losses.softmaxCrossEntropy(onehot, logits)', cee: logSoftmax, note: 'logits − logSumExp(logits), no epsilon, mean over the batch' },
      kerasCategorical,
      sklearn,
    ];
  }
  // Probabilities given to APIs that expect logits: they take softmax(y) again. A common bug, shown as such.
  const doubleSoftmax = meanOverRows(B, (b) => negLogSoftmaxAt(y, b, t[b]));
  return [
    book,
    exact,
    kerasCategorical,
    kerasSparse,
    tfjsLayers,
    sklearn,
    {
      id: 'pytorch-probabilities',
      call: 'nn.CrossEntropyLoss()(y, t) with y = probabilities',
      cee: doubleSoftmax,
      note: 'expects logits: softmax is applied again, so the loss is wrong (near log K); use NLLLoss(log y)',
    },
    {
      id: 'tfjs-probabilities',
      call: 'tf.losses.softmaxCrossEntropy(onehot, y) with y = probabilities',
      cee: doubleSoftmax,
      note: 'expects logits too: the same double softmax',
    },
  ];
}
