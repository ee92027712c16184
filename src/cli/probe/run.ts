// The work of `mnist-loss probe` (flags in ./spec.ts): read the model and images, take the
// central-difference slopes and the hidden unit's maps, render them. Loaded only when probe runs.
import { printable, usageError } from '../../errors';
import { hiddenUnitMaps, probeNetworkParameters, probeParameters } from '../../experiments/probe';
import { buildSweepCache, networkSweepImages } from '../../experiments/sweep';
import { networkParameterCount, parameterCount } from '../../nn/paramRef';
import { Mt19937 } from '../../rng/mt19937';
import { createStyle } from '../../report/style';
import { probeJson, renderProbeReport, type ProbeContext } from '../../report/sweepReport';
import type { Io } from '../io';
import type { ProbeOptions } from './spec';
import { architecture, loadImages, loadModelOption, modelOptions } from '../shared/run';
import { charsetFor, terminalWidth } from '../terminal';
import { LIMITS } from '../options';

export function runProbe(opts: ProbeOptions, io: Io): void {
  const { file, label, model } = loadModelOption(opts.model, modelOptions(opts));
  const net = model.mlp;
  const P = net !== null ? parameterCount(net) : networkParameterCount(model.network);
  if (opts.weights > P) throw usageError(`--weights ${opts.weights}: the model has only ${P} parameters`, `use at most --weights ${P}`);
  if (net === null && opts.unit !== undefined)
    throw usageError(`--unit ${opts.unit} picks the hidden unit of the 28×28 weight maps, which exist only for a fully connected network's first layer; ${printable(label)} starts with a ${model.network.layers[0].kind} layer`, 'drop --unit');
  if (net !== null && opts.unit !== undefined && opts.unit >= net.layers[0].W.cols)
    throw usageError(`--unit ${opts.unit}: layer 1 has ${net.layers[0].W.cols} hidden units (0 to ${net.layers[0].W.cols - 1})`, `use --unit 0 … ${net.layers[0].W.cols - 1}`);
  const images = loadImages(opts, io.env);
  const n = images.indices?.length ?? images.split.count;
  if (opts.weights * n > LIMITS.probeWork)
    throw usageError(`--weights ${opts.weights} on ${n} images is ${opts.weights * n} loss evaluations, more than ${LIMITS.probeWork} (two on every image per weight)`, `use --weights ${Math.max(1, Math.floor(LIMITS.probeWork / n))} or less, or fewer images with --size`);
  let result, maps;
  if (net !== null) {
    const cache = buildSweepCache(net, images.split, images.indices);
    result = probeParameters(cache, new Mt19937(opts.seed), opts.weights, opts.h);
    maps = hiddenUnitMaps(cache, opts.h, opts.unit);
  } else {
    result = probeNetworkParameters(networkSweepImages(model.network, images.split, images.indices), new Mt19937(opts.seed), opts.weights, opts.h);
    maps = null;
  }
  const ctx: ProbeContext = {
    model: file, modelLabel: label, architecture: architecture(model), split: opts.split, splitCount: images.split.count, size: opts.size ?? null,
    seed: opts.seed, parameterCount: P, rows: images.split.rows, cols: images.split.cols, unitGiven: opts.unit !== undefined,
    ...(maps === null ? { mapsSkipped: `skipped: they draw one hidden unit's input weights W1[:, j] of a fully connected first layer as a ${images.split.rows}×${images.split.cols} image, and this network starts with a ${model.network.layers[0].kind} layer` } : {}),
  };
  io.out(opts.json ? probeJson(result, maps, ctx) : renderProbeReport(result, maps, ctx, { style: createStyle(io.color && opts.color), charset: charsetFor(opts.ascii, io.env), width: terminalWidth(io) }));
}
