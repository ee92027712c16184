// The work of `mnist-loss gradcheck` (flags in commands/gradcheck.ts): the network (a model file or a fresh
// seeded one), the seeded train images, backprop against central differences, the table. Loaded when it runs.
import { gatherBatch, sampleIndices } from '../../data/batch';
import { describeSource, loadSplit } from '../../data/mnist';
import { checkError } from '../../errors';
import { GRADCHECK_TOLERANCE, gradientCheck, type GradcheckResult } from '../../experiments/gradcheck';
import { denseNetwork, loadModelOption } from './shared';
import { describeInit, initNetwork, type InitScheme } from '../../nn/init';
import type { Activation, Network } from '../../nn/network';
import { Mt19937 } from '../../rng/mt19937';
import { createStyle, type Style } from '../../report/style';
import { renderTable } from '../../report/table';
import type { Io } from '../io';
import { TRAIN_DEFAULTS } from '../commands/train';
import { checkGradcheckCost, type GradcheckOptions, type GradcheckRaw } from '../commands/gradcheck';

export function runGradcheck(opts: GradcheckOptions, raw: GradcheckRaw, io: Io): void {
  const train = loadSplit({ data: raw.data, source: raw.source, env: io.env }, 'train');
  const rng = new Mt19937(opts.seed);
  // np.random.seed(S); [network init;] idx = np.random.choice(train_size, size)
  const { net, what } = opts.model !== null
    ? (() => { const m = loadModelOption(opts.model, { activation: opts.activation }); return { net: denseNetwork(m.model, 'gradcheck', m.label), what: m.label }; })()
    : freshNet(rng, [train.rows * train.cols, ...opts.hidden, 10], opts.activation ?? TRAIN_DEFAULTS.activation, opts.init, opts.seed);
  // validateGradcheck counted 28 × 28 inputs, and a --model's size is known only now
  checkGradcheckCost(layersOf(net), opts.size, opts.model ?? `--hidden ${opts.hidden.join(',')}`);
  const indices = sampleIndices(rng, train.count, opts.size, true);
  const { x, t } = gatherBatch(train, indices);
  const result = gradientCheck(net, x, t);
  const style = createStyle(io.color && opts.color && !opts.json);
  io.out(opts.json ? gradcheckJson(result, what, net, indices, opts.seed) : renderGradcheck(result, what, net, indices, `${describeSource(train.source)}`, style));
  const failed = result.diffs.filter((d) => !(d.meanAbsDiff < GRADCHECK_TOLERANCE));
  if (failed.length > 0)
    throw checkError(`gradient check failed: ${failed.map((d) => `${d.name} mean |backprop − numerical| ${d.meanAbsDiff.toExponential(2)}`).join(', ')} > ${GRADCHECK_TOLERANCE}`, 'a central difference is only an estimate: it fails where a relu pre-activation lies within h of 0 (try --init he, or other images with --seed) or where y_t is near δ = 1e-7 (a saturated model)');
}

function freshNet(rng: Mt19937, sizes: number[], activation: Activation, init: InitScheme, seed: number): { net: Network; what: string } {
  return { net: initNetwork(rng, sizes, activation, init), what: `fresh net, init ${describeInit(init)}, seed ${seed}` };
}

const layersOf = (net: Network) => [net.layers[0].W.rows, ...net.layers.map((l) => l.W.cols)];

function gradcheckJson(r: GradcheckResult, what: string, net: Network, indices: Uint32Array, seed: number): string {
  return JSON.stringify({
    diffs: Object.fromEntries(r.diffs.map((d) => [d.name, d.meanAbsDiff])),
    maxDiffs: Object.fromEntries(r.diffs.map((d) => [d.name, d.maxAbsDiff])),
    meanAbsGrad: Object.fromEntries(r.diffs.map((d) => [d.name, d.meanAbsGrad])),
    passed: r.diffs.every((d) => d.meanAbsDiff < GRADCHECK_TOLERANCE),
    tolerance: GRADCHECK_TOLERANCE,
    h: r.h,
    loss: r.loss,
    network: what,
    layers: layersOf(net),
    activation: net.activation,
    seed,
    indices: Array.from(indices),
  }) + '\n';
}

function renderGradcheck(r: GradcheckResult, what: string, net: Network, indices: Uint32Array, source: string, style: Style): string {
  const head = [
    `${style.bold('gradcheck')} ${layersOf(net).join('-')} ${net.activation} · ${what}`,
    style.dim(`images: train ${Array.from(indices).join(', ')} (np.random.choice, ${source}) · mean CEE ${r.loss.toFixed(6)} · h = ${r.h} · float64`),
    style.dim('diff: mean over the parameter\'s elements of |backprop − central difference| (the book\'s gradient_check.py)'),
    '',
  ];
  const rows = r.diffs.map((d) => {
    const ok = d.meanAbsDiff < GRADCHECK_TOLERANCE;
    return [d.name, String(d.size), d.meanAbsDiff.toExponential(3), d.maxAbsDiff.toExponential(3), d.meanAbsGrad.toExponential(3), ok ? style.good('ok') : style.bad('FAIL')];
  });
  const table = renderTable(
    [{ header: 'param', align: 'left' }, { header: 'size' }, { header: 'mean |diff|' }, { header: 'max |diff|' }, { header: 'mean |grad|' }, { header: `< ${GRADCHECK_TOLERANCE.toExponential(0)}`, align: 'left' }],
    rows, style,
  );
  return head.join('\n') + '\n' + table;
}
