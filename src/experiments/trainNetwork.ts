// Training any layer network (a --layers spec, the book's ch07 SimpleConvNet) as the book's ch07 train_convnet.py
// and common/trainer.py do: np.random.seed(S); the network's __init__ draws; then per iteration
// batch_mask = np.random.choice(train_size, batch_size), grads = network.gradient(x_batch, t_batch) (the reference
// engine's Network.gradient), optimizer.update(params, grads) with common/optimizer.py's SGD or Adam.
import type { MnistSplit } from '../data/types';
import { sampleIndices } from '../data/batch';
import type { Architecture } from '../nn/architecture';
import { buildNetwork } from '../nn/buildNetwork';
import { initLayerTensors, type InitScheme, type InitTensor } from '../nn/init';
import type { Network as LayerNetwork } from '../nn/layers';
import type { ParsedLayers } from '../nn/layersSpec';
import { Mt19937 } from '../rng/mt19937';
import { evaluateParallel, type LayerNet } from './evaluate';
import { iterationsPerEpoch, stepLoop, type EpochRecord, type SplitScore, type StepResult, type TrainEvent } from './train';

/** common/optimizer.py: SGD (params -= lr · grad) or Adam (beta1 0.9, beta2 0.999, its bias-corrected lr_t). */
export type OptimizerName = 'sgd' | 'adam';

export interface NetworkTrainConfig {
  readonly layers: ParsedLayers;
  readonly init: InitScheme;
  readonly optimizer: OptimizerName;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly iterations: number;
  /** Threads for the per-epoch scoring of both splits (default 1). */
  readonly threads?: number;
}

/** The book's Adam defaults (common/optimizer.py Adam(lr=0.001, beta1=0.9, beta2=0.999)) and its 1e-7 in the denominator. */
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const;

/** One update rule over named float32 parameters and their float64 gradients; each new value rounded once to float32. */
export interface Optimizer {
  update(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float64Array>): void;
}

/** common/optimizer.py SGD: params[key] -= lr * grads[key]. */
export function createSgdOptimizer(lr: number): Optimizer {
  return {
    update(params, grads) {
      for (const [name, W] of params) {
        const g = grads.get(name)!;
        for (let i = 0; i < W.length; i++) W[i] = W[i] - lr * g[i];
      }
    },
  };
}

/**
 * common/optimizer.py Adam: iter += 1; lr_t = lr · sqrt(1 − beta2^iter) / (1 − beta1^iter);
 * m += (1 − beta1)(g − m); v += (1 − beta2)(g² − v); params −= lr_t · m / (sqrt(v) + 1e-7). m and v in float64.
 */
export function createAdamOptimizer(lr: number): Optimizer {
  const m = new Map<string, Float64Array>(), v = new Map<string, Float64Array>();
  let iter = 0;
  return {
    update(params, grads) {
      iter++;
      const lrT = (lr * Math.sqrt(1.0 - ADAM.beta2 ** iter)) / (1.0 - ADAM.beta1 ** iter);
      for (const [name, W] of params) {
        const g = grads.get(name)!;
        if (!m.has(name)) { m.set(name, new Float64Array(W.length)); v.set(name, new Float64Array(W.length)); }
        const mk = m.get(name)!, vk = v.get(name)!;
        for (let i = 0; i < W.length; i++) {
          mk[i] += (1 - ADAM.beta1) * (g[i] - mk[i]);
          vk[i] += (1 - ADAM.beta2) * (g[i] ** 2 - vk[i]);
          W[i] = W[i] - (lrT * mk[i]) / (Math.sqrt(vk[i]) + ADAM.eps);
        }
      }
    },
  };
}

/** The architecture a parsed spec stands for (what readModel rebuilds from the "layers" metadata). */
export function specArchitecture(layers: ParsedLayers): Architecture {
  return { recognised: 'spec', inputShape: layers.inputShape, layers: layers.layers, activation: layers.activation, activationFrom: layers.activation === null ? null : 'flag' };
}

/** A layer network being trained: its tensors (shared with the network's layers, updated in place) and one step. */
export interface NetworkTrainer {
  readonly network: LayerNetwork;
  readonly architecture: Architecture;
  /** W1, b1, W2, ... in the book's order; the very arrays the network's layers compute with. */
  readonly tensors: ReadonlyMap<string, InitTensor>;
  step(): StepResult;
}

/** np.random.seed(seed); the book's init (nn/init.ts initLayerTensors); then each step() draws its batch from the same stream. */
export function createNetworkTrainer(train: MnistSplit, cfg: NetworkTrainConfig): NetworkTrainer {
  const rng = new Mt19937(cfg.seed);
  const tensors = initLayerTensors(rng, cfg.layers.tensors, cfg.init);
  const architecture = specArchitecture(cfg.layers);
  const network = buildNetwork(architecture, tensors, 'train'); // float32 tensors are taken as they are, not copied
  const params = new Map([...tensors].map(([name, t]) => [name, t.data]));
  const optimizer = cfg.optimizer === 'adam' ? createAdamOptimizer(cfg.lr) : createSgdOptimizer(cfg.lr);
  const D = train.rows * train.cols, B = cfg.batchSize;
  const pixels = new Uint8Array(B * D), t = new Uint8Array(B);
  return {
    network, architecture, tensors,
    step(): StepResult {
      const indices = sampleIndices(rng, train.count, B, true); // np.random.choice(train_size, batch_size)
      for (let i = 0; i < B; i++) {
        pixels.set(train.pixels.subarray(indices[i] * D, (indices[i] + 1) * D), i * D);
        t[i] = train.labels[indices[i]];
      }
      const { loss, grads } = network.gradient(pixels, t, B);
      optimizer.update(params, grads);
      return { loss, indices };
    },
  };
}

export interface NetworkTrainResult {
  readonly network: LayerNetwork;
  readonly architecture: Architecture;
  readonly tensors: ReadonlyMap<string, InitTensor>;
  readonly records: readonly EpochRecord[];
  readonly iterations: number;
}

async function score(net: LayerNet, split: MnistSplit, threads: number): Promise<SplitScore> {
  const r = await evaluateParallel(net, split, { threads });
  return { n: r.n, cee: r.cee, accuracy: r.accuracy, correct: r.correct };
}

/**
 * As experiments/train.ts trainSteps, for a layer network: 'iteration' and 'epoch' events; each epoch scores the
 * current weights on both splits with the fast forward (kernels/networkForward.ts, built anew each time: it copies weights).
 */
export async function* trainNetworkSteps(train: MnistSplit, test: MnistSplit, cfg: NetworkTrainConfig): AsyncGenerator<TrainEvent, NetworkTrainResult> {
  const trainer = createNetworkTrainer(train, cfg);
  const threads = cfg.threads ?? 1;
  const net: LayerNet = { network: trainer.network, architecture: trainer.architecture, tensors: trainer.tensors };
  const scoreBoth = () => Promise.all([score(net, train, threads), score(net, test, threads)]);
  const records = yield* stepLoop(() => trainer.step(), scoreBoth, iterationsPerEpoch(train.count, cfg.batchSize), cfg.iterations);
  return { network: trainer.network, architecture: trainer.architecture, tensors: trainer.tensors, records, iterations: cfg.iterations };
}
