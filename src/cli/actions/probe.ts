// The work of `mnist-loss probe` (flags in commands/probe.ts): read the model and images, take the
// central-difference slopes and the hidden unit's maps, render them. Loaded only when probe runs.
import { usageError } from '../../errors';
import { hiddenUnitMaps, probeParameters } from '../../experiments/probe';
import { buildSweepCache } from '../../experiments/sweep';
import { parameterCount } from '../../nn/paramRef';
import { Mt19937 } from '../../rng/mt19937';
import { createStyle } from '../../report/style';
import { probeJson, renderProbeReport, type ProbeContext } from '../../report/sweepReport';
import type { Io } from '../io';
import type { ProbeRaw } from '../commands/probe';
import { architecture, denseNetwork, loadImages, loadModelOption, modelOptions } from './shared';
import { charsetFor } from '../terminal';
import { LIMITS } from '../options';

export function runProbe(raw: ProbeRaw & { seed: number }, io: Io): void {
  const { file, label, model } = loadModelOption(raw.model, modelOptions(raw));
  const net = denseNetwork(model, 'probe', label);
  const P = parameterCount(net), H = net.layers[0].W.cols;
  if (raw.weights > P) throw usageError(`--weights ${raw.weights}: the model has only ${P} parameters`, `use at most --weights ${P}`);
  if (raw.unit !== undefined && raw.unit >= H) throw usageError(`--unit ${raw.unit}: layer 1 has ${H} hidden units (0 to ${H - 1})`, `use --unit 0 … ${H - 1}`);
  const images = loadImages(raw, io.env);
  const n = images.indices?.length ?? images.split.count;
  if (raw.weights * n > LIMITS.probeWork)
    throw usageError(`--weights ${raw.weights} on ${n} images is ${raw.weights * n} loss evaluations, more than ${LIMITS.probeWork} (two on every image per weight)`, `use --weights ${Math.max(1, Math.floor(LIMITS.probeWork / n))} or less, or fewer images with --size`);
  const cache = buildSweepCache(net, images.split, images.indices);
  const result = probeParameters(cache, new Mt19937(raw.seed), raw.weights, raw.h);
  const maps = hiddenUnitMaps(cache, raw.h, raw.unit);
  const ctx: ProbeContext = {
    model: file, modelLabel: label, architecture: architecture(model), split: raw.split, splitCount: images.split.count, size: raw.size ?? null,
    seed: raw.seed, parameterCount: P, rows: images.split.rows, cols: images.split.cols, unitGiven: raw.unit !== undefined,
  };
  io.out(raw.json ? probeJson(result, maps, ctx) : renderProbeReport(result, maps, ctx, { style: createStyle(io.color && raw.color), charset: charsetFor(raw.ascii, io.env) }));
}
