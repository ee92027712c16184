// `mnist-loss gradcheck`: the book's gradient check (ch05/gradient_check.py) on a few seeded train images:
// mean |backprop − numerical| per parameter, in float64; exit 4 when one exceeds 1e-6.
import { Option, type Command } from 'commander';
import { gatherBatch, sampleIndices } from '../../data/batch';
import { describeSource, loadSplit } from '../../data/mnist';
import { checkError, usageError } from '../../errors';
import { GRADCHECK_TOLERANCE, gradientCheck, type GradcheckResult } from '../../experiments/gradcheck';
import { readModel } from '../../io/modelFile';
import { describeInit, initNetwork, type InitScheme } from '../../nn/init';
import type { Activation, Network } from '../../nn/network';
import { Mt19937 } from '../../rng/mt19937';
import { createStyle, type Style } from '../../report/style';
import { renderTable } from '../../report/table';
import type { Io } from '../io';
import { addCommonOptions, addExample, DEFAULT_SEED, parsePositiveInt, parsePositiveNumber, parseSeed, type CommonOptions } from '../options';
import { parseHiddenList, TRAIN_DEFAULTS } from './train';

/** More images make the numerical gradient slower (two forward passes of the batch per parameter). */
const MAX_SIZE = 100;

interface GradcheckRaw extends CommonOptions {
  model?: string;
  hidden?: number[];
  activation?: Activation;
  initStd?: number;
  init?: 'xavier' | 'he';
  size: number;
  seed: number;
}

interface GradcheckOptions {
  readonly model: string | null;
  readonly hidden: readonly number[];
  readonly activation?: Activation;
  readonly init: InitScheme;
  readonly size: number;
  readonly seed: number;
  readonly json: boolean;
  readonly color: boolean;
}

function validateGradcheck(raw: GradcheckRaw): GradcheckOptions {
  if (raw.model !== undefined && raw.hidden !== undefined)
    throw usageError(`--model ${raw.model} and --hidden ${raw.hidden.join(',')} both choose the network`, 'give --model FILE to check a saved network, or --hidden H for a freshly initialised one');
  const initFlag = raw.init !== undefined ? `--init ${raw.init}` : raw.initStd !== undefined ? `--init-std ${raw.initStd}` : undefined;
  if (raw.model !== undefined && initFlag !== undefined)
    throw usageError(`--model ${raw.model} and ${initFlag}: a model file has its weights already`, `drop ${initFlag}, or drop --model to check a fresh net`);
  if (raw.init !== undefined && raw.initStd !== undefined)
    throw usageError(`--init-std ${raw.initStd} and --init ${raw.init} both set the initial weight scale`, 'give one of them');
  if (raw.size > MAX_SIZE)
    throw usageError(`--size ${raw.size}: the check takes two forward passes of every image per parameter, so at most ${MAX_SIZE} images`, 'the book uses 3 (the default)');
  return Object.freeze({
    model: raw.model ?? null, hidden: raw.hidden ?? [...TRAIN_DEFAULTS.hidden], activation: raw.activation,
    init: raw.init !== undefined ? { kind: raw.init } : { kind: 'std' as const, std: raw.initStd ?? TRAIN_DEFAULTS.initStd },
    size: raw.size, seed: raw.seed, json: raw.json, color: raw.color,
  });
}

export function registerGradcheck(program: Command, io: Io): void {
  const cmd = program
    .command('gradcheck')
    .description("the book's gradient check: backprop vs central differences (h = 1e-4) of the mean CEE, float64, on seeded train images")
    .option('--model <file>', 'check this network (.safetensors, .npz, .pkl); default: a fresh seeded net of the train defaults')
    .option('--hidden <widths>', `hidden widths of the fresh net, e.g. 50 or 50,100 (default ${TRAIN_DEFAULTS.hidden.join(',')})`, parseHiddenList)
    .addOption(new Option('--activation <name>', `hidden-layer activation (fresh net: default ${TRAIN_DEFAULTS.activation}; --model: overrides the file)`).choices(['sigmoid', 'relu']))
    .option('--init-std <x>', `fresh net: W = x · randn(in, out) (default ${TRAIN_DEFAULTS.initStd}, as train)`, parsePositiveNumber)
    .addOption(new Option('--init <scheme>', "fresh net: 'xavier' = sqrt(1/in) · randn, 'he' = sqrt(2/in) · randn").choices(['xavier', 'he']))
    .option('--size <n>', 'number of train images, np.random.choice(60000, n)', parsePositiveInt, 3)
    .option('--seed <n>', 'np.random.seed: initialises the fresh net, then draws the images from the same stream', parseSeed, DEFAULT_SEED);
  addCommonOptions(cmd);
  addExample(cmd, 'mnist-loss gradcheck', 'mnist-loss gradcheck --hidden 100 --activation relu --json', 'mnist-loss gradcheck --model data/model.safetensors --size 5');
  cmd.action(async (raw: GradcheckRaw) => {
    const opts = validateGradcheck(raw);
    const train = loadSplit({ data: raw.data, source: raw.source, env: io.env }, 'train');
    const rng = new Mt19937(opts.seed);
    // np.random.seed(S); [network init;] idx = np.random.choice(train_size, size)
    const { net, what } = opts.model !== null
      ? { net: readModel(opts.model, opts.activation).net, what: opts.model }
      : freshNet(rng, [train.rows * train.cols, ...opts.hidden, 10], opts.activation ?? TRAIN_DEFAULTS.activation, opts.init, opts.seed);
    const indices = sampleIndices(rng, train.count, opts.size, true);
    const { x, t } = gatherBatch(train, indices);
    const result = gradientCheck(net, x, t);
    const style = createStyle(io.color && opts.color && !opts.json);
    io.out(opts.json ? gradcheckJson(result, what, net, indices, opts.seed) : renderGradcheck(result, what, net, indices, `${describeSource(train.source)}`, style));
    const failed = result.diffs.filter((d) => !(d.meanAbsDiff < GRADCHECK_TOLERANCE));
    if (failed.length > 0)
      throw checkError(`gradient check failed: ${failed.map((d) => `${d.name} mean |backprop − numerical| ${d.meanAbsDiff.toExponential(2)}`).join(', ')} > ${GRADCHECK_TOLERANCE}`, 'a central difference is only an estimate: it fails where a relu pre-activation lies within h of 0 (try --init he, or other images with --seed) or where y_t is near δ = 1e-7 (a saturated model)');
  });
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
