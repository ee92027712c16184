// The work of `mnist-loss train` (flags in ./spec.ts): load both splits, run the book's SGD loop with
// per-epoch scores, the progress bar and Ctrl-C handling, and write the model. Loaded only when train runs.
import { availableParallelism } from 'node:os';
import { loadSplit } from '../../data/mnist';
import type { MnistSplit } from '../../data/types';
import { ExitCode, MnistLossError, usageError } from '../../errors';
import { iterationsPerEpoch, trainSteps, type EpochRecord, type TrainConfig, type TrainEvent } from '../../experiments/train';
import { trainNetworkSteps, type NetworkTrainResult } from '../../experiments/trainNetwork';
import { prepareModelOutput, writeModel } from '../../io/modelFile';
import { describeInit } from '../../nn/init';
import {
  CLEAR_LINE, describeLayers, epochJson, epochLayout, fitProgressBar, renderEpochRow, renderTrainFooter, renderTrainHeader, trainSummaryJson,
  type EpochRow, type TrainContext,
} from '../../report/progress';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import { terminalWidth } from '../terminal';
import { canonicalCommand, checkLayersSpec, checkNetworkSize, TRAIN_PARAMETERS_WHY, type TrainNetworkChoice, type TrainOptions } from './spec';
import { dataOptions, LIMITS } from '../options';
import { describeSource } from '../wording';

/** Progress-bar redraws at most this often, and the loop yields to the event loop (for Ctrl-C) as often. */
const TICK_MS = 100;

export async function runTrain(opts: TrainOptions, io: Io): Promise<void> {
  if (opts.out !== null) prepareModelOutput(opts.out); // an unwritable --out fails now, not after the run
  const data = dataOptions(opts, io.env);
  const train = loadSplit(data, 'train');
  const test = loadSplit(data, 'test');
  if (opts.batchSize > train.count)
    throw usageError(`--batch-size ${opts.batchSize} is larger than the train split (${train.count} images)`, `use a batch size from 1 to ${train.count}`);
  const source = `${describeSource(train.source)} (${train.source.path})`;
  if (opts.network !== null) return runTrainNetwork(opts, opts.network, io, train, test, source);
  // validateTrain counted 28 × 28 inputs; the data given may have larger images
  checkNetworkSize([train.rows * train.cols, ...opts.hidden, 10], LIMITS.trainParameters, `--hidden ${opts.hidden.join(',')}`, TRAIN_PARAMETERS_WHY);
  const ctx = trainContext(opts, train, test, source);
  const config: TrainConfig = { ...opts, iterations: ctx.iterations, threads: threads() };
  const { result, last } = await runTraining(io, opts, ctx, trainSteps(train, test, config));
  if (opts.out !== null) writeModel(opts.out, result.net, modelMetadata(opts, ctx, last));
  io.out(opts.json ? trainSummaryJson(ctx, last, opts.out) : renderTrainFooter(opts.out, ctx, createStyle(io.color && opts.color), terminalWidth(io)));
}

/** --arch / --layers: the layer network on the reference engine's Network.gradient, scored with the fast forward. */
async function runTrainNetwork(opts: TrainOptions, choice: TrainNetworkChoice, io: Io, train: MnistSplit, test: MnistSplit, source: string): Promise<void> {
  // validateTrain checked the layers on 28 × 28 images; the data given may have other sizes
  const flag = choice.arch === 'layers' ? `--layers ${choice.layers.canonical}` : `--arch ${choice.arch}`;
  const layers = train.rows === 28 && train.cols === 28 ? choice.layers : checkLayersSpec(flag, choice.layers.canonical, train.rows, train.cols);
  const ctx = trainContext(opts, train, test, source, { ...choice, layers });
  const steps = trainNetworkSteps(train, test, { layers, init: opts.init, optimizer: choice.optimizer, batchSize: opts.batchSize, lr: opts.lr, seed: opts.seed, iterations: ctx.iterations, threads: threads() });
  const { result, last } = await runTraining<NetworkTrainResult>(io, opts, ctx, steps);
  if (opts.out !== null)
    writeModel(opts.out, { arch: choice.arch, layers: layers.canonical, tensors: result.tensors, activation: layers.activation }, modelMetadata(opts, ctx, last));
  io.out(opts.json ? trainSummaryJson(ctx, last, opts.out) : renderTrainFooter(opts.out, ctx, createStyle(io.color && opts.color), terminalWidth(io)));
}

const threads = () => (availableParallelism() >= 2 ? 2 : 1);

function trainContext(opts: TrainOptions, train: MnistSplit, test: MnistSplit, source: string, network?: TrainNetworkChoice): TrainContext {
  const perEpoch = iterationsPerEpoch(train.count, opts.batchSize);
  return {
    layers: network ? [] : [train.rows * train.cols, ...opts.hidden, 10],
    activation: network ? network.layers.activation ?? 'none' : opts.activation,
    init: describeInit(opts.init),
    batchSize: opts.batchSize, lr: opts.lr, seed: opts.seed,
    iterations: opts.iterations ?? (opts.epochs ?? 0) * perEpoch, iterationsPerEpoch: perEpoch,
    source, trainCount: train.count, testCount: test.count, command: canonicalCommand(opts),
    ...(network ? { network: { arch: network.arch, spec: network.layers.canonical, optimizer: network.optimizer, parameters: network.layers.parameters } } : {}),
  };
}

function modelMetadata(opts: TrainOptions, ctx: TrainContext, last: EpochRow): Record<string, string> {
  const common = {
    init: ctx.init, seed: String(opts.seed), batchSize: String(opts.batchSize), lr: String(opts.lr), iterations: String(ctx.iterations),
    testAccuracy: String(last.test.accuracy), command: ctx.command,
  };
  if (ctx.network) return { optimizer: ctx.network.optimizer, ...common };
  return { hidden: opts.hidden.join(','), layers: describeLayers(ctx.layers), ...common };
}

/** Drives a trainer's steps: prints each epoch as it is scored, redraws the TTY progress bar, stops on Ctrl-C. */
async function runTraining<R>(io: Io, opts: TrainOptions, ctx: TrainContext, steps: AsyncGenerator<TrainEvent, R>): Promise<{ result: R; last: EpochRow }> {
  const style = createStyle(io.color && opts.color);
  let interrupted = false;
  const stopListening = io.onInterrupt(() => { interrupted = true; stopListening(); }); // a second Ctrl-C kills at once
  const bar = io.errIsTty && !opts.json;
  const start = io.now();
  let tick = start, iteration = 0, last: EpochRow | undefined;
  const layout = epochLayout(terminalWidth(io)); // fixed before the first row: rows stream under it
  if (!opts.json) io.out(renderTrainHeader(ctx, style, terminalWidth(io)));
  try {
    for (let next = await steps.next(); ; next = await steps.next()) {
      if (next.done) {
        if (bar) io.err(CLEAR_LINE);
        return { result: next.value, last: last as EpochRow };
      }
      const event = next.value;
      if (event.kind === 'epoch') {
        last = epochRow(event.record, (io.now() - start) / 1000);
        if (bar) io.err(CLEAR_LINE);
        io.out(opts.json ? epochJson(last) : renderEpochRow(last, layout));
      } else iteration = event.iteration;
      if (io.now() - tick >= TICK_MS) {
        tick = io.now();
        if (bar) io.err(CLEAR_LINE + fitProgressBar(iteration, ctx.iterations, `epoch ${Math.max(1, Math.ceil(iteration / ctx.iterationsPerEpoch))}`, io.errColumns ?? 80));
        await new Promise((resolve) => setImmediate(resolve)); // lets a pending SIGINT handler run
      }
      if (interrupted) {
        if (bar) io.err(CLEAR_LINE);
        throw new MnistLossError(`interrupted after iteration ${iteration} of ${ctx.iterations}; ${opts.out === null ? 'no model to write' : `${opts.out} not written`}`, ExitCode.Interrupted);
      }
    }
  } finally {
    stopListening();
  }
}

function epochRow(r: EpochRecord, seconds: number): EpochRow {
  return { epoch: r.epoch, iteration: r.iteration, batchCee: r.batchCee, train: r.train, test: r.test, seconds };
}
