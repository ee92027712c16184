// What `train` prints as it goes: a one-line progress bar for stderr (TTY only), the per-epoch rows
// (text or JSON lines) and the closing line. Pure: records in, strings out.
import type { Style } from './style';
import { fmt } from './table';

/** The run as the header and the JSON summary describe it. */
export interface TrainContext {
  /** [784, H1, ..., 10] */
  readonly layers: readonly number[];
  readonly activation: string;
  /** "std 0.01", "xavier", "he" */
  readonly init: string;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly iterations: number;
  readonly iterationsPerEpoch: number;
  /** The data source in words, with its folder. */
  readonly source: string;
  readonly trainCount: number;
  readonly testCount: number;
  /** A command line that reproduces the run (every setting spelled out). */
  readonly command: string;
  /** A layer network (train --arch / --layers): its name, spec, optimizer and parameter count; absent for an MLP. */
  readonly network?: { readonly arch: string; readonly spec: string; readonly optimizer: string; readonly parameters: number };
}

/** One epoch's numbers as train reports them (experiments/train.ts EpochRecord, plus wall time). */
export interface EpochRow {
  readonly epoch: number;
  readonly iteration: number;
  readonly batchCee: number;
  readonly train: { readonly cee: number; readonly accuracy: number };
  readonly test: { readonly cee: number; readonly accuracy: number };
  /** Seconds since the start of training. */
  readonly seconds: number;
}

/** "[#########---------------]  37%  222/600  epoch 1/3  batch CEE 0.6931": no newline, for "\r" redraws. */
export function renderProgressBar(done: number, total: number, label: string, width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${done}/${total}${label ? `  ${label}` : ''}`;
}

/** The widest bar drawn, in cells. */
const MAX_BAR_CELLS = 24;

/**
 * The progress line for a terminal `columns` wide: it never reaches the last column (a wrapped line could not
 * be erased by CLEAR_LINE and would leave a trail of stale bars), so the bar shrinks first, then the label,
 * then the counts go; on a very narrow terminal only the percentage is left.
 */
export function fitProgressBar(done: number, total: number, label: string, columns: number): string {
  const room = columns - 1;
  for (const [text, minCells] of [[label, 10], ['', 10], ['', 4]] as const) {
    const plain = renderProgressBar(done, total, text, 0); // "[] ..." without cells
    const cells = Math.min(MAX_BAR_CELLS, room - plain.length);
    if (cells >= minCells) return renderProgressBar(done, total, text, cells);
  }
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  return `${Math.floor(fraction * 100)}%`.slice(0, Math.max(0, room));
}

/** Erases the progress bar's line (carriage return + clear to end of line). */
export const CLEAR_LINE = '\r\x1b[K';

const COLUMNS: readonly [string, number][] = [
  ['epoch', 6], ['iteration', 9], ['batch CEE', 9], ['train CEE', 9], ['train acc', 9], ['test CEE', 8], ['test acc', 8], ['seconds', 7],
];

/** "784-50-10" */
export const describeLayers = (layers: readonly number[]): string => layers.join('-');

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The lines before the first epoch: the run, the data, what each column means, the column headers. */
export function renderTrainHeader(ctx: TrainContext, style: Style): string {
  const epochs = ctx.iterations / ctx.iterationsPerEpoch;
  const length = Number.isInteger(epochs)
    ? `${plural(epochs, 'epoch')} × ${ctx.iterationsPerEpoch} iterations`
    : `${plural(ctx.iterations, 'iteration')} (${fmt(epochs, 3)} epochs of ${ctx.iterationsPerEpoch})`;
  const lines = [
    `${style.bold('train')} ${ctx.network ? `${ctx.network.spec} · ${ctx.network.optimizer}` : `${describeLayers(ctx.layers)} ${ctx.activation}`} · init ${ctx.init} · batch ${ctx.batchSize} · lr ${ctx.lr} · seed ${ctx.seed} · ${length}`,
    style.dim(`data: ${ctx.source}: train ${ctx.trainCount}, test ${ctx.testCount} images`),
    style.dim(`batch CEE: mean loss of the batches since the previous row, each before its ${ctx.network?.optimizer === 'adam' ? 'Adam' : 'SGD'} step · train/test: the whole split, CEE mean/img`),
    style.bold(COLUMNS.map(([h, w]) => h.padStart(w)).join('  ')),
  ];
  return lines.join('\n') + '\n';
}

/** One fixed-width row per epoch, printed as soon as the epoch is scored. */
export function renderEpochRow(row: EpochRow): string {
  const epoch = Number.isInteger(row.epoch) ? String(row.epoch) : fmt(row.epoch, 3);
  const cells = [epoch, String(row.iteration), fmt(row.batchCee), fmt(row.train.cee), fmt(row.train.accuracy), fmt(row.test.cee), fmt(row.test.accuracy), row.seconds.toFixed(1)];
  return cells.map((c, j) => c.padStart(COLUMNS[j][1])).join('  ') + '\n';
}

/** The closing line: where the weights went, or that they were not kept. */
export function renderTrainFooter(out: string | null, ctx: TrainContext, style: Style): string {
  const count = ctx.network?.parameters ?? ctx.layers.slice(1).reduce((n, H, l) => n + (ctx.layers[l] + 1) * H, 0);
  return out === null
    ? style.dim('not saved: add --out FILE.safetensors to keep the weights') + '\n'
    : `wrote ${out} (${ctx.network ? ctx.network.spec : `${describeLayers(ctx.layers)} ${ctx.activation}`}, ${count} float32 parameters)\n`;
}

/** One JSON line per epoch: {"type": "epoch", "epoch", "iteration", "batchCee", "trainCee", "trainAccuracy", "testCee", "testAccuracy", "seconds"}. */
export function epochJson(row: EpochRow): string {
  return JSON.stringify({
    type: 'epoch',
    epoch: row.epoch,
    iteration: row.iteration,
    batchCee: Number.isNaN(row.batchCee) ? null : row.batchCee,
    trainCee: row.train.cee,
    trainAccuracy: row.train.accuracy,
    testCee: row.test.cee,
    testAccuracy: row.test.accuracy,
    seconds: row.seconds,
  }) + '\n';
}

/** The last JSON line: the run's settings, its final scores and the output path (null without --out). */
export function trainSummaryJson(ctx: TrainContext, last: EpochRow, out: string | null): string {
  return JSON.stringify({
    type: 'summary',
    out,
    ...(ctx.network ? { arch: ctx.network.arch, layers: ctx.network.spec, optimizer: ctx.network.optimizer, parameters: ctx.network.parameters } : { layers: ctx.layers }),
    activation: ctx.activation,
    init: ctx.init,
    batchSize: ctx.batchSize,
    lr: ctx.lr,
    seed: ctx.seed,
    iterations: ctx.iterations,
    epochs: ctx.iterations / ctx.iterationsPerEpoch,
    batchCee: Number.isNaN(last.batchCee) ? null : last.batchCee,
    trainCee: last.train.cee,
    trainAccuracy: last.train.accuracy,
    testAccuracy: last.test.accuracy,
    testCee: last.test.cee,
    seconds: last.seconds,
    command: ctx.command,
  }) + '\n';
}
