// The work of `mnist-loss eval` (flags in ./spec.ts): start the second thread if it pays, read the
// model and the split, evaluate, render, then apply the CI gates. Loaded only when eval runs.
import { availableParallelism } from 'node:os';
import { sampleIndices } from '../../data/batch';
import { loadSplit, loadSplitSample, type LoadedSplit, type SplitShape } from '../../data/mnist';
import type { DataOptions } from '../../data/types';
import { checkError, dataError } from '../../errors';
import { evaluateParallel, startEvalWorker, type EvalNet, type EvalResult, type EvalWorker } from '../../experiments/evaluate';
import type { LoadedModel } from '../../io/modelFile';
import { RECOGNISED_NAMES } from '../../nn/architecture';
import { Mt19937 } from '../../rng/mt19937';
import { evalJson, renderEvalReport, thresholdFailure, type EvalContext, type Threshold } from '../../report/evalReport';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import { dataOptions } from '../options';
import type { EvalOptions, Gate } from './spec';
import { charsetFor, terminalWidth } from '../terminal';
import { loadModelOption } from '../shared/run';
import { describeSource } from '../wording';

/**
 * From this many images on, `--threads auto` hands part of them to a second thread: below it the worker's
 * start-up (~50-80 ms here) costs more than it saves. Measured with `npm run bench` (bench/README.md).
 */
export const PARALLEL_MIN_IMAGES = 20000;

/** Each gate against the result: accuracy >= min, cee/sse <= max (a NaN value fails). */
export function checkThresholds(r: EvalResult, gates: readonly Gate[]): Threshold[] {
  return gates.map((g) => {
    const value = r[g.quantity];
    return { ...g, value, passed: g.kind === 'min' ? value >= g.limit : value <= g.limit };
  });
}

/**
 * A convolutional (or any engine) network costs 10-100 times an MLP per image, so its second thread pays from
 * far fewer images: ~1000 images of the book's SimpleConvNet take ~0.15 s, the worker boots in ~0.05-0.08 s.
 */
export const LAYER_PARALLEL_MIN_IMAGES = 1000;

/** 'auto': two threads from PARALLEL_MIN_IMAGES images on (LAYER_PARALLEL_MIN_IMAGES for engine networks), when the machine has two cores. */
function threadsFor(opts: EvalOptions, n: number, layerNet = false): number {
  if (opts.threads !== 'auto') return opts.threads;
  return n >= (layerNet ? LAYER_PARALLEL_MIN_IMAGES : PARALLEL_MIN_IMAGES) && availableParallelism() >= 2 ? 2 : 1;
}

/** What evaluate runs: the MLP's dense network (its kernel) when it is one, else the engine's network. */
function evalNet(model: LoadedModel): EvalNet {
  return model.mlp ?? { network: model.network, architecture: model.architecture, tensors: model.tensors };
}

/** Loads the model and the split, draws the sample, evaluates. */
async function loadAndEvaluate(opts: EvalOptions, data: DataOptions, worker: EvalWorker | undefined) {
  const { model } = loadModelOption(opts.modelIsDefault ? undefined : opts.model, { activation: opts.activation, normalize: opts.normalize });
  const input = model.network.inputShape;
  const inputs = input.reduce((a, b) => a * b, 1);
  const checkShape = (shape: SplitShape): void => {
    const fits = input.length === 1 ? shape.rows * shape.cols === inputs : input[1] === shape.rows && input[2] === shape.cols;
    if (!fits)
      throw dataError(`${opts.model}: the model takes ${input.length === 1 ? `${inputs} inputs` : `${input[1]}x${input[2]} images`}, but the ${opts.split} images are ${shape.rows}x${shape.cols} = ${shape.rows * shape.cols} pixels`, 'use a model trained on these images, or data whose images match the model');
  };
  const { seed, size } = opts;
  // a sample reads only its images: --size 100 skips 99 % of the image file
  const { split, indices } = seed === null || size === null
    ? { split: loadSplit(data, opts.split), indices: undefined }
    : loadSplitSample(data, opts.split, (shape) => { checkShape(shape); return sampleIndices(new Mt19937(seed), shape.count, size, opts.replace); });
  checkShape(split);
  const net = evalNet(model);
  const threads = threadsFor(opts, indices?.length ?? split.count, model.mlp === null);
  const result = await evaluateParallel(net, split, { indices, worst: opts.worst, threads, worker });
  return { model, split, indices, result };
}

function evalContext(opts: EvalOptions, model: LoadedModel, split: LoadedSplit): EvalContext {
  return {
    model: opts.model,
    format: model.format,
    description: model.description,
    recognised: model.architecture.recognised,
    recognisedName: RECOGNISED_NAMES[model.architecture.recognised],
    activation: model.activation,
    activationFrom: model.activationFrom,
    widths: model.mlp === null ? null : [model.mlp.layers[0].W.rows, ...model.mlp.layers.map((l) => l.W.cols)],
    layers: model.network.describe(),
    endsInSoftmax: model.network.endsInSoftmax,
    normalization: model.normalization,
    split: opts.split,
    splitCount: split.count,
    source: `${describeSource(split.source)} (${split.source.path})`,
    seed: opts.seed,
    replace: opts.replace,
    rows: split.rows,
    cols: split.cols,
    pixels: split.pixels,
  };
}


export async function runEval(opts: EvalOptions, io: Io): Promise<void> {
  // start the second thread first: it boots while the model and the data load
  const expected = opts.size ?? (opts.split === 'train' ? 60000 : 10000);
  const worker = threadsFor(opts, expected) >= 2 ? startEvalWorker() : undefined;
  try {
    const { model, split, result } = await loadAndEvaluate(opts, dataOptions(opts, io.env), worker);
    const thresholds = checkThresholds(result, opts.gates);
    const ctx = evalContext(opts, model, split);
    io.out(opts.json ? evalJson(result, ctx, thresholds, opts.confusion) : renderEvalReport(result, ctx, thresholds, opts.confusion, createStyle(io.color && opts.color), terminalWidth(io), charsetFor(opts.ascii, io.env)));
    const failed = thresholds.filter((t) => !t.passed);
    // one "mnist-loss: <line>" per failed gate
    if (failed.length > 0) throw checkError(failed.map(thresholdFailure));
  } finally {
    worker?.stop();
  }
}
