// The work of `mnist-loss probe` (flags in commands/probe.ts): read the model and images, take the
// central-difference slopes and the hidden unit's maps, render them. Loaded only when probe runs.
import { printable, usageError } from '../../errors';
import { hiddenUnitMaps, probeNetworkParameters, probeParameters } from '../../experiments/probe';
import { buildSweepCache, networkSweepImages } from '../../experiments/sweep';
import { networkParameterCount, parameterCount } from '../../nn/paramRef';
import { Mt19937 } from '../../rng/mt19937';
import { createStyle } from '../../report/style';
import { probeJson, renderProbeReport, type ProbeContext } from '../../report/sweepReport';
import type { Io } from '../io';
import type { ProbeRaw } from '../commands/probe';
import { architecture, loadImages, loadModelOption, modelOptions } from './shared';
import { charsetFor, terminalWidth } from '../terminal';
import { LIMITS } from '../options';

export function runProbe(raw: ProbeRaw & { seed: number }, io: Io): void {
  const { file, label, model } = loadModelOption(raw.model, modelOptions(raw));
  const net = model.mlp;
  const P = net !== null ? parameterCount(net) : networkParameterCount(model.network);
  if (raw.weights > P) throw usageError(`--weights ${raw.weights}: the model has only ${P} parameters`, `use at most --weights ${P}`);
  if (net === null && raw.unit !== undefined)
    throw usageError(`--unit ${raw.unit} picks the hidden unit of the 28×28 weight maps, which exist only for a fully connected network's first layer; ${printable(label)} starts with a ${model.network.layers[0].kind} layer`, 'drop --unit');
  if (net !== null && raw.unit !== undefined && raw.unit >= net.layers[0].W.cols)
    throw usageError(`--unit ${raw.unit}: layer 1 has ${net.layers[0].W.cols} hidden units (0 to ${net.layers[0].W.cols - 1})`, `use --unit 0 … ${net.layers[0].W.cols - 1}`);
  const images = loadImages(raw, io.env);
  const n = images.indices?.length ?? images.split.count;
  if (raw.weights * n > LIMITS.probeWork)
    throw usageError(`--weights ${raw.weights} on ${n} images is ${raw.weights * n} loss evaluations, more than ${LIMITS.probeWork} (two on every image per weight)`, `use --weights ${Math.max(1, Math.floor(LIMITS.probeWork / n))} or less, or fewer images with --size`);
  let result, maps;
  if (net !== null) {
    const cache = buildSweepCache(net, images.split, images.indices);
    result = probeParameters(cache, new Mt19937(raw.seed), raw.weights, raw.h);
    maps = hiddenUnitMaps(cache, raw.h, raw.unit);
  } else {
    result = probeNetworkParameters(networkSweepImages(model.network, images.split, images.indices), new Mt19937(raw.seed), raw.weights, raw.h);
    maps = null;
  }
  const ctx: ProbeContext = {
    model: file, modelLabel: label, architecture: architecture(model), split: raw.split, splitCount: images.split.count, size: raw.size ?? null,
    seed: raw.seed, parameterCount: P, rows: images.split.rows, cols: images.split.cols, unitGiven: raw.unit !== undefined,
    ...(maps === null ? { mapsSkipped: `skipped: they draw one hidden unit's input weights W1[:, j] of a fully connected first layer as a ${images.split.rows}×${images.split.cols} image, and this network starts with a ${model.network.layers[0].kind} layer` } : {}),
  };
  io.out(raw.json ? probeJson(result, maps, ctx) : renderProbeReport(result, maps, ctx, { style: createStyle(io.color && raw.color), charset: charsetFor(raw.ascii, io.env), width: terminalWidth(io) }));
}
