// The work of `mnist-loss sweep` (flags in ./spec.ts): read the model and images, move one weight
// over the range, and write the table, chart, JSON, CSV or SVG. Loaded only when sweep runs.
import { steepestFirstLayerWeight, steepestNetworkElement } from '../../experiments/probe';
import { buildSweepCache, checkSweepValues, linspace, networkSweepImages, sweepNetworkParameter, sweepParameter, type SweepResult } from '../../experiments/sweep';
import { prepareOutput, writeFileAtomic } from '../../io/files';
import type { LoadedModel } from '../../io/modelFile';
import { resolveNetworkParamRef, resolveParamRef, type ParamElement } from '../../nn/paramRef';
import { createStyle } from '../../report/style';
import { renderSweepReport, sweepCsv, sweepJson, sweepSvg, type SweepContext } from '../../report/sweepReport';
import type { Io } from '../io';
import { DEFAULT_SWEEP_HALF_RANGE, type SweepOptions } from './spec';
import { architecture, loadImages, loadModelOption, modelOptions } from '../shared/run';
import { charsetFor, terminalWidth } from '../terminal';

/** The swept range: as given, or the default ±2 around the model's weight. */
export function sweepRange(opts: SweepOptions, param: Pick<ParamElement, 'value'>): { from: number; to: number } {
  if (opts.range !== null) return opts.range;
  const center = opts.mode === 'add' ? 0 : param.value;
  return { from: center - DEFAULT_SWEEP_HALF_RANGE, to: center + DEFAULT_SWEEP_HALF_RANGE };
}

/** np.linspace over the range, refused (checkSweepValues) when a weight or a step would not be finite. */
function sweptValues(opts: SweepOptions, param: Pick<ParamElement, 'label' | 'value'>): Float64Array {
  const range = sweepRange(opts, param);
  const values = linspace(range.from, range.to, opts.steps);
  checkSweepValues(param, values, opts.mode);
  return values;
}

export function runSweep(opts: SweepOptions, io: Io): void {
  if (opts.plot !== null) prepareOutput(opts.plot); // an unwritable --plot fails now, not after the sweep
  const { file, label, model } = loadModelOption(opts.model, modelOptions(opts));
  const { result, range, seed, split } = model.mlp !== null ? sweepMlp(opts, io, model.mlp) : sweepNetwork(opts, io, model);
  const ctx: SweepContext = {
    model: file, modelLabel: label, architecture: architecture(model), split: opts.split, splitCount: split.count, size: opts.size ?? null, seed,
    from: range.from, to: range.to, steps: opts.steps, defaultRange: opts.range === null,
  };
  if (opts.plot !== null) { writeFileAtomic(opts.plot, sweepSvg(result, ctx)); io.err(`wrote ${opts.plot}\n`); }
  if (opts.output === 'json') io.out(sweepJson(result, ctx));
  else if (opts.output === 'csv') io.out(sweepCsv(result));
  else io.out(renderSweepReport(result, ctx, { style: createStyle(io.color && opts.color), charset: charsetFor(opts.ascii, io.env), width: terminalWidth(io) }));
}

type Swept = { result: SweepResult; range: { from: number; to: number }; seed: number | null; split: { count: number } };

/** A fully connected network: the MLP cache and its fast paths (sweep/cache.ts, sweep/perturb.ts). */
function sweepMlp(opts: SweepOptions, io: Io, net: NonNullable<LoadedModel['mlp']>): Swept {
  // a named element is resolved, and its values checked, before any image is read; 'auto' needs the images
  const named = opts.param === 'auto' ? null : resolveParamRef(net, opts.param);
  if (named !== null) sweptValues(opts, named);
  const { split, indices, seed } = loadImages(opts, io.env);
  const cache = buildSweepCache(net, split, indices);
  const param = named ?? steepestFirstLayerWeight(cache).param;
  return { result: sweepParameter(cache, param, sweptValues(opts, param), opts.mode), range: sweepRange(opts, param), seed, split };
}

/** Any other network (convolutions, …): sweep/network.ts; 'auto' is the W1 element CEE is steepest in (backprop). */
function sweepNetwork(opts: SweepOptions, io: Io, model: LoadedModel): Swept {
  const named = opts.param === 'auto' ? null : resolveNetworkParamRef(model.network, opts.param);
  if (named !== null) sweptValues(opts, named);
  const { split, indices, seed } = loadImages(opts, io.env);
  const images = networkSweepImages(model.network, split, indices);
  const param = named ?? steepestNetworkElement(images).param;
  return { result: sweepNetworkParameter(images, param, sweptValues(opts, param), opts.mode), range: sweepRange(opts, param), seed, split };
}
