// Evaluates a network on an MNIST split or a sample of it: mean SSE, mean CEE, accuracy, per-class counts,
// the confusion matrix and the images it is most wrong about. Mirrors the book's ch03 accuracy loop
// (`y = predict(network, x); p = np.argmax(y); if p == t: accuracy_cnt += 1`) plus common/functions.py's losses.
import { join } from 'node:path';
import type { MnistSplit } from '../data/types';
import type { Architecture } from '../nn/architecture';
import { buildNetwork, type FileTensor } from '../nn/buildNetwork';
import { createForward, createLayerForward, type Forward, type ImageLosses, type LabelledPixels } from '../nn/fastForward';
import type { Network as LayerNetwork, Preprocessing } from '../nn/layers';
import type { Network as MlpNetwork } from '../nn/network';

/**
 * An engine network (convolutions and all) with what rebuilds it in a worker thread: structured cloning
 * copies plain data, not the layer classes, so the worker builds its own from the architecture and tensors.
 */
export interface LayerNet {
  readonly network: LayerNetwork;
  readonly architecture: Architecture;
  readonly tensors: ReadonlyMap<string, FileTensor>;
}

/** What evaluate runs: an MLP's dense network (the MLP kernel) or any engine network. */
export type EvalNet = MlpNetwork | LayerNet;

/** The part of an EvalNet a worker thread is sent. */
type JobNet = MlpNetwork | { readonly architecture: Architecture; readonly tensors: ReadonlyMap<string, FileTensor>; readonly preprocessing: Preprocessing };

const isLayerNet = (net: EvalNet | JobNet): net is LayerNet => 'architecture' in net;

/** The forward pass of an evaluable network: the MLP kernel (or its reference) or the layer engine's. */
function forwardOf(net: EvalNet): Forward {
  return isLayerNet(net) ? createLayerForward(net.network) : createForward(net);
}

function jobNet(net: EvalNet): JobNet {
  return isLayerNet(net) ? { architecture: net.architecture, tensors: net.tensors, preprocessing: net.network.preprocessing } : net;
}

function forwardOfJob(net: JobNet): Forward {
  if (!('architecture' in net)) return createForward(net);
  return createLayerForward(buildNetwork(net.architecture, net.tensors, 'evaluate worker', net.preprocessing));
}

/** Classes the network scores (10 for MNIST). */
function classesOf(net: EvalNet): number {
  return isLayerNet(net) ? net.network.classes : net.layers[net.layers.length - 1].W.cols;
}

export interface ClassCount {
  readonly count: number;
  readonly correct: number;
}

/** One image the network is most wrong about: the lowest probability of its true class. */
export interface WorstImage {
  /** Index of the image in the split (0-based, as in the IDX file). */
  readonly index: number;
  readonly label: number;
  readonly predicted: number;
  /** y: [K] softmax output for the image. */
  readonly probabilities: readonly number[];
}

export interface EvalResult {
  /** Number of images evaluated (with repeats, for a sample drawn with replacement). */
  readonly n: number;
  /** SSE, mean over the images: (1/n) Σ_i ½ Σ_k (y_ik − t_ik)². */
  readonly sse: number;
  /** CEE, mean over the images: −(1/n) Σ_i log(y_i,t_i + δ). */
  readonly cee: number;
  /** correct / n. */
  readonly accuracy: number;
  /** Number of images whose argmax y (first maximum wins) is the label. */
  readonly correct: number;
  /** perClass[k]: images labelled k and how many of them were predicted k. */
  readonly perClass: readonly ClassCount[];
  /** confusion[t][p]: images labelled t predicted p. */
  readonly confusion: readonly (readonly number[])[];
  /** The `worst` distinct images with the lowest y_t, lowest first (empty unless asked for). */
  readonly worst: readonly WorstImage[];
}

export interface EvalOptions {
  /** Image indices to evaluate, in order (a seeded sample); default: the whole split. */
  readonly indices?: Uint32Array;
  /** How many worst images to return (default 0). */
  readonly worst?: number;
  /**
   * Threads for evaluateParallel: 1 runs in this thread; 2 shares the images with one worker thread.
   * The result is the same bits either way: each image is computed alike and reduced in image order.
   */
  readonly threads?: number;
  /** A worker started ahead with startEvalWorker (it boots while the model and data load); else one is started. */
  readonly worker?: EvalWorker;
}

/** The split as the kernel sees it: pixels [count, D] and labels [count]. */
function pixelsOf(split: MnistSplit): LabelledPixels {
  return { pixels: split.pixels, labels: split.labels };
}

function checkIndices(split: MnistSplit, indices: Uint32Array | undefined): void {
  if (indices === undefined) return;
  for (let i = 0; i < indices.length; i++)
    if (!(indices[i] < split.count)) throw new Error(`evaluate: index ${indices[i]} at ${i} outside [0, ${split.count})`);
}

/** Evaluates the whole split, or `options.indices` of it, in this thread. */
export function evaluate(net: EvalNet, split: MnistSplit, options: EvalOptions = {}): EvalResult {
  checkIndices(split, options.indices);
  const n = options.indices?.length ?? split.count;
  const losses: ImageLosses = { sse: new Float64Array(n), cee: new Float64Array(n), predicted: new Uint8Array(n) };
  const forward = forwardOf(net);
  forward.lossesInto(pixelsOf(split), options.indices ?? null, 0, n, losses, 0);
  return summarize(net, split, options, losses, forward);
}

// ---- two threads: chunks of images handed out from a shared counter ----

/** Images per claim: small enough to balance the two threads, large enough to make claims rare. */
const SHARE_CHUNK = 500;
/** control[NEXT]: first unclaimed image; control[STATE]: the worker's state. */
const NEXT = 0, STATE = 1;
const IDLE = 0, BUSY = 1, DONE = 2, CANCELLED = 3, FAILED = 4;

/** Everything both threads see: the images (copied once into shared memory), the outputs, the counter. */
export interface SharedJob {
  readonly net: JobNet;
  readonly data: LabelledPixels;
  readonly out: ImageLosses;
  readonly control: Int32Array;
}

/** Claims chunks of images until none are left, computing each into job.out (called by both threads). */
export function workOnSharedJob(job: SharedJob, forward: Forward = forwardOfJob(job.net)): void {
  const n = job.data.labels.length;
  for (;;) {
    const start = Atomics.add(job.control, NEXT, SHARE_CHUNK);
    if (start >= n) return;
    forward.lossesInto(job.data, null, start, Math.min(n, start + SHARE_CHUNK), job.out, start);
  }
}

/** The worker's side: runs the job unless this thread already finished it alone, then says DONE (or FAILED). */
export function workerTakesJob(job: SharedJob): void {
  if (Atomics.compareExchange(job.control, STATE, IDLE, BUSY) !== IDLE) return; // cancelled: nothing left
  let state = FAILED;
  try {
    workOnSharedJob(job);
    state = DONE;
  } finally {
    Atomics.store(job.control, STATE, state);
    Atomics.notify(job.control, STATE);
  }
}

/** A worker thread started ahead of time (startEvalWorker); evaluateParallel hands it one job, then ends it. */
export interface EvalWorker {
  readonly postJob: (job: SharedJob) => void;
  readonly stop: () => void;
  /** Resolves with an error if the worker dies (a bug); never resolves otherwise. */
  readonly failed: Promise<Error>;
}

/** The compiled worker script beside this file; none under ts-jest, where this file is still .ts. */
const WORKER_FILE = __filename.endsWith('.js') ? join(__dirname, 'evaluateWorker.js') : undefined;

/**
 * Starts the worker thread now (~50-80 ms to boot here), so that it is ready when the data is; undefined where
 * there is no compiled worker script. It does not keep the process alive: an unused one just goes away.
 */
export function startEvalWorker(): EvalWorker | undefined {
  if (WORKER_FILE === undefined) return undefined;
  // required here, not at the top: single-threaded runs need not load worker_threads
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new Worker(WORKER_FILE);
  worker.unref();
  const failed = new Promise<Error>((resolve) => {
    worker.once('error', resolve);
    worker.once('exit', (code) => resolve(new Error(`evaluate worker exited with code ${code}`)));
  });
  return { postJob: (job) => worker.postMessage(job), stop: () => void worker.terminate(), failed };
}

/** Copies the images to evaluate, in order, into shared memory: pixels [n, D], labels [n]. */
function sharedImages(split: MnistSplit, indices: Uint32Array | undefined): LabelledPixels {
  const D = split.rows * split.cols;
  const n = indices?.length ?? split.count;
  const pixels = new Uint8Array(new SharedArrayBuffer(n * D));
  const labels = new Uint8Array(new SharedArrayBuffer(n));
  if (indices === undefined) {
    pixels.set(split.pixels);
    labels.set(split.labels);
  } else {
    for (let i = 0; i < n; i++) {
      pixels.set(split.pixels.subarray(indices[i] * D, (indices[i] + 1) * D), i * D);
      labels[i] = split.labels[indices[i]];
    }
  }
  return { pixels, labels };
}

/**
 * evaluate() sharing the images with a worker thread when options.threads >= 2. This thread starts at once;
 * the worker joins when it has booted, and both claim chunks of images from a shared counter, so a slow or
 * busy core only means the other does more. Every image is computed alike and the sums run in image order,
 * so the result has the same bits as evaluate().
 */
export async function evaluateParallel(net: EvalNet, split: MnistSplit, options: EvalOptions = {}): Promise<EvalResult> {
  const n = options.indices?.length ?? split.count;
  const worker = (options.threads ?? 1) >= 2 && n > SHARE_CHUNK ? options.worker ?? startEvalWorker() : undefined;
  if (worker === undefined) return evaluate(net, split, options);
  checkIndices(split, options.indices);
  const shared = (bytes: number) => new SharedArrayBuffer(bytes);
  const forward = forwardOf(net);
  const job: SharedJob = {
    net: jobNet(net),
    data: sharedImages(split, options.indices),
    out: { sse: new Float64Array(shared(8 * n)), cee: new Float64Array(shared(8 * n)), predicted: new Uint8Array(shared(n)) },
    control: new Int32Array(shared(8)),
  };
  worker.postJob(job);
  workOnSharedJob(job, forward);
  if (Atomics.compareExchange(job.control, STATE, IDLE, CANCELLED) === BUSY) {
    // the worker is finishing its last chunk (a few ms): wait for DONE; a worker that died leaves images unset
    const settled = new Promise<void>((resolve) => {
      const poll = () => (Atomics.load(job.control, STATE) === BUSY ? setTimeout(poll, 1) : resolve());
      poll();
    });
    const error = await Promise.race([settled.then(() => undefined), worker.failed]);
    if (Atomics.load(job.control, STATE) !== DONE) throw error ?? new Error('evaluate worker failed before finishing its images');
  }
  worker.stop();
  // the images were copied in evaluation order: index i of the shared copy is indices[i] of the split
  return summarize(net, split, options, job.out, forward);
}

/** Per-image values -> the report's numbers; sums run in image order so any thread count gives the same bits. */
function summarize(net: EvalNet, split: MnistSplit, options: EvalOptions, losses: ImageLosses, forward: Forward): EvalResult {
  const { indices } = options;
  const n = losses.sse.length;
  const K = classesOf(net);
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let sse = 0;
  let cee = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = split.labels[indices ? indices[i] : i];
    sse += losses.sse[i];
    cee += losses.cee[i];
    if (losses.predicted[i] === t) correct++;
    confusion[t][losses.predicted[i]]++;
  }
  const perClass = confusion.map((row, k) => ({ count: row.reduce((s, c) => s + c, 0), correct: row[k] }));
  return {
    n,
    sse: n > 0 ? sse / n : NaN,
    cee: n > 0 ? cee / n : NaN,
    accuracy: n > 0 ? correct / n : NaN,
    correct,
    perClass,
    confusion,
    worst: worstImages(forward, split, indices, losses, options.worst ?? 0),
  };
}

/**
 * The k distinct images with the lowest y_t. CEE_i = −log(y_t + δ) falls as y_t rises, so this is the
 * highest CEE_i; ties go to the earlier image. Their y rows are recomputed (k forward passes).
 */
function worstImages(forward: Forward, split: MnistSplit, indices: Uint32Array | undefined, losses: ImageLosses, k: number): WorstImage[] {
  if (k <= 0) return [];
  const order = Array.from({ length: losses.cee.length }, (_, i) => i).sort((a, b) => losses.cee[b] - losses.cee[a] || a - b);
  const seen = new Set<number>();
  const worst: WorstImage[] = [];
  for (const i of order) {
    if (worst.length === k) break;
    const index = indices ? indices[i] : i;
    if (seen.has(index)) continue;
    seen.add(index);
    const y = forward.probabilities(split.pixels, index);
    worst.push({ index, label: split.labels[index], predicted: losses.predicted[i], probabilities: Array.from(y) });
  }
  return worst;
}
