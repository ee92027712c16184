// The book's ch04 train_neuralnet.py SGD loop: np.random.seed(S); network init; then per iteration
// batch_mask = np.random.choice(train_size, batch_size), grad = gradient(x_batch, t_batch),
// params -= lr · grad. One MT19937 stream serves the init and the batches, as in the book's script.
import { sampleIndices, gatherBatch } from '../data/batch';
import type { MnistSplit } from '../data/types';
import { backprop, createWorkspace, paramsOf, sparseRows, type Params, type SparseRows, type Workspace } from '../nn/backprop';
import { initNetwork, type InitScheme } from '../nn/init';
import { createSgdKernel } from '../nn/sgdKernel';
import type { Activation, Network } from '../nn/network';
import { Mt19937 } from '../rng/mt19937';
import { evaluateParallel } from './evaluate';

export interface TrainConfig {
  /** Hidden layer widths, e.g. [50] (the book's TwoLayerNet) or [50, 100]. */
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly init: InitScheme;
  readonly batchSize: number;
  /** SGD learning rate (the book's learning_rate = 0.1). */
  readonly lr: number;
  /** np.random.seed(seed) before the init draws. */
  readonly seed: number;
  /** Total SGD steps (epochs × iterationsPerEpoch, or --iterations). */
  readonly iterations: number;
  /** Threads for the per-epoch evaluation of the train and test splits (evaluate.ts; default 1). */
  readonly threads?: number;
  /** false: every step through backprop.ts in plain JS instead of sgdKernel.ts (same bits, slower). */
  readonly wasm?: boolean;
}

/** Iterations per epoch: ceil(N / batch), at least 1 (the book's max(train_size / batch_size, 1); 600 for 60000 / 100). */
export function iterationsPerEpoch(trainCount: number, batchSize: number): number {
  return Math.max(Math.ceil(trainCount / batchSize), 1);
}

/** Loss and accuracy of the whole split (evaluate.ts: mean CEE with δ per image, fraction correct). */
export interface SplitScore {
  readonly n: number;
  readonly cee: number;
  readonly accuracy: number;
  readonly correct: number;
}

/** What the loop reports after each epoch (and at the end of a run that stops between epochs). */
export interface EpochRecord {
  /** Epochs done: iteration / iterationsPerEpoch (fractional for a run that ends mid-epoch). */
  readonly epoch: number;
  /** SGD steps done so far. */
  readonly iteration: number;
  /** Mean over the steps since the previous record of each step's batch CEE, measured before that step's update. */
  readonly batchCee: number;
  /** The current weights on the whole train split and the whole test split. */
  readonly train: SplitScore;
  readonly test: SplitScore;
}

export type TrainEvent =
  | { readonly kind: 'iteration'; readonly iteration: number; readonly loss: number; readonly indices: Uint32Array }
  | { readonly kind: 'epoch'; readonly record: EpochRecord };

export interface TrainResult {
  readonly net: Network;
  readonly records: readonly EpochRecord[];
  readonly iterations: number;
}

async function score(net: Network, split: MnistSplit, threads: number): Promise<SplitScore> {
  const r = await evaluateParallel(net, split, { threads });
  return { n: r.n, cee: r.cee, accuracy: r.accuracy, correct: r.correct };
}

/** params -= lr · grad, computed in float64 and rounded once to the parameters' precision. */
export function sgdStep(p: Params, ws: Workspace, lr: number): void {
  for (let l = 0; l < p.W.length; l++) {
    const W = p.W[l], dW = ws.dW[l], b = p.b[l], db = ws.db[l];
    for (let i = 0; i < W.length; i++) W[i] = W[i] - lr * dW[i];
    for (let j = 0; j < b.length; j++) b[j] = b[j] - lr * db[j];
  }
}

/** One SGD step's batch: its CEE before the update and the indices drawn. */
export interface StepResult {
  readonly loss: number;
  readonly indices: Uint32Array;
}

/** A network being trained and the stream it draws from: `step()` does one iteration of the book's loop. */
export interface Sgd {
  /** The current weights (read it after the steps: the fast path copies them out on each read). */
  readonly net: Network;
  step(): StepResult;
}

/**
 * np.random.seed(seed); init the network (nn/init.ts); then each step() draws
 * np.random.choice(train_size, batch_size) from the same stream, backpropagates and updates in place.
 */
export function createSgd(train: MnistSplit, cfg: TrainConfig): Sgd {
  const rng = new Mt19937(cfg.seed);
  const net = initNetwork(rng, [train.rows * train.cols, ...cfg.hidden, 10], cfg.activation, cfg.init);
  const draw = () => sampleIndices(rng, train.count, cfg.batchSize, true); // np.random.choice(train_size, batch_size)
  const kernel = cfg.wasm === false ? null : createSgdKernel(net, cfg.batchSize);
  if (kernel !== null) {
    return {
      get net(): Network {
        kernel.sync();
        return net;
      },
      step(): StepResult {
        const indices = draw();
        return { loss: kernel.step(train.pixels, train.labels, indices, cfg.lr), indices };
      },
    };
  }
  const p = paramsOf(net);
  const ws = createWorkspace(p.sizes, cfg.batchSize);
  let xs: SparseRows | undefined;
  return {
    net,
    step(): StepResult {
      const indices = draw();
      const { x, t } = gatherBatch(train, indices); // x: [B, D] float32 px/255, t: [B]
      xs = sparseRows(x, xs);
      const loss = backprop(p, xs, t, ws);
      sgdStep(p, ws, cfg.lr);
      return { loss, indices };
    },
  };
}

/**
 * The SGD loop as a generator: one 'iteration' event per step (its batch CEE before the update and its
 * batch indices), one 'epoch' event after every iterationsPerEpoch steps and at the end of the run if
 * that is not an epoch boundary (so `iterations: 0` reports the initial weights). The caller may stop
 * pulling at any event (Ctrl-C); the returned network is the one being trained, updated in place.
 */
export async function* trainSteps(train: MnistSplit, test: MnistSplit, cfg: TrainConfig): AsyncGenerator<TrainEvent, TrainResult> {
  const sgd = createSgd(train, cfg);
  const threads = cfg.threads ?? 1;
  // both splits at once: each hands part of its images to a worker thread (with threads >= 2)
  const scoreBoth = () => Promise.all([score(sgd.net, train, threads), score(sgd.net, test, threads)]);
  const records = yield* stepLoop(() => sgd.step(), scoreBoth, iterationsPerEpoch(train.count, cfg.batchSize), cfg.iterations);
  return { net: sgd.net, records, iterations: cfg.iterations };
}

/**
 * The loop every trainer shares: `iterations` calls of step(), an 'epoch' event (scored by scoreBoth: the train
 * and the test split) after every `perEpoch` steps and after the last step; the epoch records.
 */
export async function* stepLoop(
  step: () => StepResult, scoreBoth: () => Promise<[SplitScore, SplitScore]>, perEpoch: number, iterations: number,
): AsyncGenerator<TrainEvent, EpochRecord[]> {
  const records: EpochRecord[] = [];
  let lossSum = 0, lossCount = 0;

  const record = async (iteration: number): Promise<EpochRecord> => {
    const [trainScore, testScore] = await scoreBoth();
    const r: EpochRecord = { epoch: iteration / perEpoch, iteration, batchCee: lossCount > 0 ? lossSum / lossCount : NaN, train: trainScore, test: testScore };
    lossSum = 0; lossCount = 0;
    records.push(r);
    return r;
  };

  for (let i = 1; i <= iterations; i++) {
    const { loss, indices } = step();
    lossSum += loss; lossCount++;
    yield { kind: 'iteration', iteration: i, loss, indices };
    if (i % perEpoch === 0 || i === iterations) yield { kind: 'epoch', record: await record(i) };
  }
  if (iterations === 0) yield { kind: 'epoch', record: await record(0) };
  return records;
}

/** Runs trainSteps to the end: the trained network and every epoch record. */
export async function trainSgd(train: MnistSplit, test: MnistSplit, cfg: TrainConfig): Promise<TrainResult> {
  const steps = trainSteps(train, test, cfg);
  for (;;) {
    const next = await steps.next();
    if (next.done) return next.value;
  }
}
