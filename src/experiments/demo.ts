// The guided tour's numbers, all computed here: the book's MNIST shapes, a seeded mini-batch, the two
// worked examples of ch04.2 (SSE, CEE), the model on the batch, a sweep of one well-chosen weight on
// 100 images, and the probe counts. demoText.ts turns them into prose; nothing there is a number.
import { gatherBatch, oneHot, sampleIndices } from '../data/batch';
import type { MnistSplit } from '../data/types';
import { CEE_DELTA, countCorrect, crossEntropyErrorMean, sumSquaredErrorMean } from '../nn/losses';
import { predict, type Network } from '../nn/network';
import { Mt19937 } from '../rng/mt19937';
import { argmaxRows } from '../tensor';
import { DEFAULT_PROBE_H, probeParameters, steepestFirstLayerWeight } from './probe';
import { buildSweepCache, linspace, sweepParameter, type SweepResult } from './sweep';

/** The chapter's worked example (ch04.2.1): t says "2"; the first y also says 2, the second says 7. */
export const BOOK_T = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] as const;
export const BOOK_Y_RIGHT = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0] as const;
export const BOOK_Y_WRONG = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0] as const;

/** Mini-batch sizes of the tour: the book's 10 (ch04.2.3), and 100 for the sweep so accuracy has 101 levels. */
export const DEMO_BATCH = 10;
export const DEMO_SWEEP_IMAGES = 100;
export const DEMO_SWEEP_STEPS = 101;
export const DEMO_PROBE_WEIGHTS = 20;
/** Half-ranges tried for the sweep, smallest first (see computeDemo). */
export const DEMO_HALF_RANGES = [0.5, 1, 2, 4, 8, 16] as const;

export interface DemoInput {
  readonly train: MnistSplit;
  readonly test: MnistSplit;
  readonly net: Network;
  readonly seed: number;
}

export interface WorkedExample {
  readonly y: readonly number[];
  /** argmax y, the class this y predicts. */
  readonly predicted: number;
  readonly sse: number;
  readonly cee: number;
}

export interface DemoResult {
  /** (rows, cols) of x_train, t_train (one-hot), x_test, t_test as load_mnist(normalize=True, one_hot_label=True) gives them. */
  readonly shapes: { readonly xTrain: [number, number]; readonly tTrain: [number, number]; readonly xTest: [number, number]; readonly tTest: [number, number]; readonly imageRows: number; readonly imageCols: number };
  /** np.random.seed(seed); np.random.choice(train_size, 10) and those images' labels. */
  readonly batch: { readonly seed: number; readonly trainSize: number; readonly indices: number[]; readonly labels: number[] };
  /** The two worked examples against t = BOOK_T. */
  readonly examples: { readonly t: readonly number[]; readonly label: number; readonly delta: number; readonly right: WorkedExample; readonly wrong: WorkedExample };
  /** The model on the mini-batch: y = predict(network, x_batch). */
  readonly model: { readonly n: number; readonly sse: number; readonly cee: number; readonly accuracy: number; readonly correct: number; readonly predicted: number[]; readonly labels: number[] };
  /** The sweep on DEMO_SWEEP_IMAGES test images: np.random.seed(seed); np.random.choice(test_size, 100). */
  readonly sweep: {
    readonly seed: number;
    readonly testSize: number;
    readonly halfRange: number;
    /** ∂CEE/∂w of the chosen weight at the model (backprop; the largest |·| of all W1 elements on these images). */
    readonly dCee: number;
    readonly result: SweepResult;
  };
  /** Probe of DEMO_PROBE_WEIGHTS random elements on the whole test split. */
  readonly probe: { readonly n: number; readonly weights: number; readonly h: number; readonly accuracyZero: number; readonly ceeNonzero: number; readonly sseNonzero: number; readonly ceeZeroInputBlank: number; readonly ceeZeroUnitOff: number };
}

/** SSE and CEE of one output row y against t, in float64 like the book's np.array of Python floats. */
function workedExample(y: readonly number[], t: readonly number[]): WorkedExample {
  const Y = { rows: 1, cols: y.length, data: Float64Array.from(y) };
  const label = Uint8Array.of(t.indexOf(1));
  let predicted = 0;
  y.forEach((v, k) => { if (v > y[predicted]) predicted = k; }); // np.argmax: the first maximum wins
  return { y: [...y], predicted, sse: sumSquaredErrorMean(Y, label), cee: crossEntropyErrorMean(Y, label) };
}

/**
 * Computes every number of the tour. The weight swept is the W1 element with the largest |∂CEE/∂w| on
 * the 100 images; its range is add ±r for the first r in DEMO_HALF_RANGES where accuracy takes at least
 * 3 values, else the smallest r with the most distinct accuracies (at least 1 change whenever any r has one).
 */
export function computeDemo(input: DemoInput): DemoResult {
  const { train, test, net, seed } = input;
  const D = train.rows * train.cols;
  const tTrain = oneHot(train.labels), tTest = oneHot(test.labels);

  const indices = sampleIndices(new Mt19937(seed), train.count, DEMO_BATCH, true);
  const { x, t } = gatherBatch(train, indices);
  const y = predict(net, x);
  const correct = countCorrect(y, t);

  const label = BOOK_T.indexOf(1);
  const examples = { t: [...BOOK_T], label, delta: CEE_DELTA, right: workedExample(BOOK_Y_RIGHT, BOOK_T), wrong: workedExample(BOOK_Y_WRONG, BOOK_T) };

  const sweepIndices = sampleIndices(new Mt19937(seed), test.count, DEMO_SWEEP_IMAGES, true);
  const cache = buildSweepCache(net, test, sweepIndices);
  const steepest = steepestFirstLayerWeight(cache);
  const param = steepest.param;
  // The first half-range where accuracy takes at least 3 values (a visible staircase); failing that,
  // the smallest one with the most distinct accuracies.
  let best = sweepParameter(cache, param, linspace(-DEMO_HALF_RANGES[0], DEMO_HALF_RANGES[0], DEMO_SWEEP_STEPS), 'add');
  let halfRange: number = DEMO_HALF_RANGES[0];
  for (const r of DEMO_HALF_RANGES) {
    if (best.summary.distinctAccuracies >= 3) break;
    const attempt = sweepParameter(cache, param, linspace(-r, r, DEMO_SWEEP_STEPS), 'add');
    if (attempt.summary.distinctAccuracies > best.summary.distinctAccuracies) { best = attempt; halfRange = r; }
  }
  const result = best;

  const testCache = buildSweepCache(net, test, null);
  const probe = probeParameters(testCache, new Mt19937(seed), DEMO_PROBE_WEIGHTS, DEFAULT_PROBE_H);

  return {
    shapes: { xTrain: [train.count, D], tTrain: [tTrain.rows, tTrain.cols], xTest: [test.count, D], tTest: [tTest.rows, tTest.cols], imageRows: train.rows, imageCols: train.cols },
    batch: { seed, trainSize: train.count, indices: Array.from(indices), labels: Array.from(t) },
    examples,
    model: { n: t.length, sse: sumSquaredErrorMean(y, t), cee: crossEntropyErrorMean(y, t), accuracy: correct / t.length, correct, predicted: Array.from(argmaxRows(y)), labels: Array.from(t) },
    sweep: { seed, testSize: test.count, halfRange, dCee: steepest.dCee, result },
    probe: {
      n: probe.n, weights: probe.weights, h: probe.h, accuracyZero: probe.accuracyZero,
      ceeNonzero: probe.ceeNonzero, sseNonzero: probe.sseNonzero, ceeZeroInputBlank: probe.ceeZeroInputBlank, ceeZeroUnitOff: probe.ceeZeroUnitOff,
    },
  };
}
