// The work of `mnist-loss gradcheck` (flags in ./spec.ts): the network (a model file or a fresh
// seeded one), the seeded train images, backprop against central differences, the table. Loaded when it runs.
// Two paths: an MLP is checked in full on its fast float64 path (experiments/gradcheck.ts); any other network,
// or any network given --elements, on the layer engine with K sampled elements per tensor (gradcheckNetwork.ts).
import { gatherBatch, sampleIndices } from '../../data/batch';
import { loadSplit } from '../../data/mnist';
import { checkError, dataError, usageError } from '../../errors';
import { GRADCHECK_TOLERANCE, gradientCheck, type ParamDiff } from '../../experiments/gradcheck';
import { elementsWithin, gradcheckNetworkCost, gradientCheckNetwork, layerNetworkOf } from '../../experiments/gradcheckNetwork';
import { describeInit, initNetwork, type InitScheme } from '../../nn/init';
import { sizeOf, type Network as LayerNetwork } from '../../nn/layers';
import type { Activation, Network } from '../../nn/network';
import { Mt19937 } from '../../rng/mt19937';
import { gradcheckJson, renderGradcheck, type EngineRun, type GradcheckSubject } from '../../report/gradcheckReport';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import { architecture, loadModelOption, modelOptions } from '../shared/run';
import { checkEngineCost, checkGradcheckCost, GRADCHECK_ENGINE_WORK, type GradcheckOptions } from './spec';
import { dataOptions, LIMITS } from '../options';
import { terminalWidth } from '../terminal';
import { describeSource } from '../wording';

/** The network to check: its dense MLP view (null for any other network), its engine network, how reports name it. */
interface Subject extends GradcheckSubject {
  readonly mlp: Network | null;
  readonly network: LayerNetwork;
}

export function runGradcheck(opts: GradcheckOptions, io: Io): void {
  const train = loadSplit(dataOptions(opts, io.env), 'train');
  const rng = new Mt19937(opts.seed);
  // np.random.seed(S); [network init;] idx = np.random.choice(train_size, size); [the elements of each tensor]
  const subject = opts.model !== null ? modelSubject(opts.model, opts) : freshSubject(rng, [train.rows * train.cols, ...opts.hidden, 10], opts.freshActivation, opts.init, opts.seed);
  const flag = opts.model ?? `--hidden ${opts.hidden.join(',')}`;
  const engine = opts.elements !== null || subject.mlp === null;
  const D = train.rows * train.cols;
  if (sizeOf(subject.network.inputShape) !== D)
    throw dataError(`${flag}: the model takes ${sizeOf(subject.network.inputShape)} inputs, but the train images are ${train.rows}x${train.cols} = ${D} pixels`, 'use a model trained on these images, or data whose images match the model');
  // validateGradcheck counted 28 × 28 inputs, and a --model's size is known only now
  if (!engine) checkGradcheckCost(widthsOf(subject.mlp as Network), opts.size, flag);
  else checkParameterCount(subject.network, flag);
  const elements = engine ? engineElements(subject.network, opts, flag) : 0;
  const indices = sampleIndices(rng, train.count, opts.size, true);
  const { x, t } = gatherBatch(train, indices);
  const style = createStyle(io.color && opts.color && !opts.json);
  const source = describeSource(train.source);
  let diffs: readonly ParamDiff[];
  if (engine) {
    const pixels = new Uint8Array(indices.length * D);
    indices.forEach((i, k) => pixels.set(train.pixels.subarray(i * D, (i + 1) * D), k * D));
    const run: EngineRun = { result: gradientCheckNetwork(subject.network, pixels, t, indices.length, { elements, rng }), defaulted: opts.elements === null };
    diffs = run.result.diffs;
    io.out(opts.json ? gradcheckJson(run.result, subject, indices, opts.seed, run, GRADCHECK_TOLERANCE) : renderGradcheck(run.result, subject, indices, source, style, run, GRADCHECK_TOLERANCE, terminalWidth(io)));
  } else {
    const result = gradientCheck(subject.mlp as Network, x, t);
    diffs = result.diffs;
    io.out(opts.json ? gradcheckJson(result, subject, indices, opts.seed, null, GRADCHECK_TOLERANCE) : renderGradcheck(result, subject, indices, source, style, null, GRADCHECK_TOLERANCE, terminalWidth(io)));
  }
  const failed = diffs.filter((d) => !(d.meanAbsDiff < GRADCHECK_TOLERANCE));
  if (failed.length > 0)
    throw checkError(
      `gradient check failed: ${failed.map((d) => `${d.name} mean |backprop − numerical| ${d.meanAbsDiff.toExponential(2)}`).join(', ')} > ${GRADCHECK_TOLERANCE}`,
      engine
        ? "a layer's backward disagrees with its forward (kinks were re-measured), or y_t is near δ = 1e-7 (a saturated model): see the rows marked FAIL"
        : 'a central difference is only an estimate: it fails where a relu pre-activation lies within h of 0 (try --init he, or other images with --seed) or where y_t is near δ = 1e-7 (a saturated model)',
    );
}

function modelSubject(file: string, opts: GradcheckOptions): Subject {
  const { model, label } = loadModelOption(file, modelOptions(opts)); // --model bundled names the bundled model
  return { mlp: model.mlp, network: model.network, what: label, arch: architecture(model), activation: model.activation, layers: model.mlp !== null ? widthsOf(model.mlp) : model.network.describe() };
}

function freshSubject(rng: Mt19937, sizes: number[], activation: Activation, init: InitScheme, seed: number): Subject {
  const mlp = initNetwork(rng, sizes, activation, init);
  const widths = widthsOf(mlp);
  return { mlp, network: layerNetworkOf(mlp), what: `fresh net, init ${describeInit(init)}, seed ${seed}`, arch: `${widths.join('-')} ${activation}`, activation, layers: widths };
}

const widthsOf = (net: Network) => [net.layers[0].W.rows, ...net.layers.map((l) => l.W.cols)];

function checkParameterCount(net: LayerNetwork, flag: string): void {
  const count = net.parameters().reduce((n, p) => n + p.value.length, 0);
  if (count > LIMITS.gradcheckParameters)
    throw usageError(`${flag}: the network has ${count} parameters, more than ${LIMITS.gradcheckParameters} (the check keeps float64 copies of every parameter and gradient)`, 'check a smaller network');
}

/** --elements, or the default: the largest K ≤ 100 within GRADCHECK_ENGINE_WORK.default; either within .max. */
function engineElements(net: LayerNetwork, opts: GradcheckOptions, flag: string): number {
  const elements = opts.elements ?? elementsWithin(net, GRADCHECK_ENGINE_WORK.default, opts.size);
  const cost = gradcheckNetworkCost(net, elements, opts.size);
  if (cost > GRADCHECK_ENGINE_WORK.max) {
    const fits = elementsWithin(net, GRADCHECK_ENGINE_WORK.max, opts.size, elements);
    checkEngineCost(cost, elements, opts.size, gradcheckNetworkCost(net, fits, opts.size) <= GRADCHECK_ENGINE_WORK.max ? fits : 0, flag);
  }
  return elements;
}
