// What `train` prints as it goes: a one-line progress bar for stderr (TTY only), the per-epoch rows
// (text or JSON lines) and the closing line. Pure: records in, strings out.
import { fitLine } from './width';
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

/** The epoch table's columns: header, width on one header line, and the order narrower terminals leave them out (0 = never). */
const COLUMNS: readonly { header: string; width: number; dropOrder: number }[] = [
  { header: 'epoch', width: 6, dropOrder: 0 }, { header: 'iteration', width: 9, dropOrder: 2 }, { header: 'batch CEE', width: 9, dropOrder: 0 },
  { header: 'train CEE', width: 9, dropOrder: 4 }, { header: 'train acc', width: 9, dropOrder: 3 }, { header: 'test CEE', width: 8, dropOrder: 0 },
  { header: 'test acc', width: 8, dropOrder: 0 }, { header: 'seconds', width: 7, dropOrder: 1 },
];

/** The widest cell under a two-line header ("batch" over "CEE"): a loss or accuracy printed with four decimals. */
const NARROW_WIDTH = 6;

/** The epoch table's layout for a terminal `width` columns wide: which columns, how wide, one or two header lines. */
export interface EpochLayout {
  readonly columns: readonly number[];
  readonly widths: readonly number[];
  readonly headerLines: readonly string[];
}

/**
 * One header line with every column when the table fits `width` (79 columns); else two-line headers, and the
 * columns with the lowest drop order left out (seconds, iteration, train acc, train CEE) until it fits. Rows are
 * streamed, so the layout is fixed once, before the first epoch.
 */
export function epochLayout(width = Infinity): EpochLayout {
  const tableWidth = (ws: readonly number[]) => ws.reduce((a, w) => a + w, 0) + 2 * (ws.length - 1);
  const all = COLUMNS.map((_, j) => j);
  if (tableWidth(COLUMNS.map((c) => c.width)) <= width)
    return { columns: all, widths: COLUMNS.map((c) => c.width), headerLines: [COLUMNS.map((c) => c.header.padStart(c.width)).join('  ')] };
  const narrow = (j: number) => Math.max(NARROW_WIDTH, ...COLUMNS[j].header.split(' ').map((w) => w.length));
  let columns = all;
  for (let order = 1; order <= 4 && tableWidth(columns.map(narrow)) > width; order++) columns = columns.filter((j) => COLUMNS[j].dropOrder !== order);
  const widths = columns.map(narrow);
  const words = columns.map((j) => COLUMNS[j].header.split(' '));
  const headerLine = (k: number) => words.map((w, i) => (w.length === 2 ? w[k] : k === 1 ? w[0] : '').padStart(widths[i])).join('  ').trimEnd();
  return { columns, widths, headerLines: [headerLine(0), headerLine(1)] };
}

/** "784-50-10" */
export const describeLayers = (layers: readonly number[]): string => layers.join('-');

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The lines before the first epoch: the run, the data, what each column means, the column headers. */
export function renderTrainHeader(ctx: TrainContext, style: Style, width = Infinity): string {
  const epochs = ctx.iterations / ctx.iterationsPerEpoch;
  const length = Number.isInteger(epochs)
    ? `${plural(epochs, 'epoch')} × ${ctx.iterationsPerEpoch} iterations`
    : `${plural(ctx.iterations, 'iteration')} (${fmt(epochs, 3)} epochs of ${ctx.iterationsPerEpoch})`;
  const lines = [
    fitLine(`${style.bold('train')} ${ctx.network ? `${ctx.network.spec} · ${ctx.network.optimizer}` : `${describeLayers(ctx.layers)} ${ctx.activation}`} · init ${ctx.init} · batch ${ctx.batchSize} · lr ${ctx.lr} · seed ${ctx.seed} · ${length}`, width, '  '),
    style.dim(fitLine(`data: ${ctx.source}: train ${ctx.trainCount}, test ${ctx.testCount} images`, width, '  ')),
    style.dim(fitLine(`batch CEE: mean loss of the batches since the previous row, each before its ${ctx.network?.optimizer === 'adam' ? 'Adam' : 'SGD'} step · train/test: the whole split, CEE mean/img`, width, '  ')),
    ...epochLayout(width).headerLines.map((line) => style.bold(line)),
  ];
  return lines.join('\n') + '\n';
}

/** One fixed-width row per epoch, printed as soon as the epoch is scored. */
export function renderEpochRow(row: EpochRow, layout: EpochLayout = epochLayout()): string {
  const epoch = Number.isInteger(row.epoch) ? String(row.epoch) : fmt(row.epoch, 3);
  const batchCee = Number.isNaN(row.batchCee) ? '-' : fmt(row.batchCee); // no step since the previous row (--epochs 0)
  const cells = [epoch, String(row.iteration), batchCee, fmt(row.train.cee), fmt(row.train.accuracy), fmt(row.test.cee), fmt(row.test.accuracy), row.seconds.toFixed(1)];
  return layout.columns.map((j, i) => cells[j].padStart(layout.widths[i])).join('  ') + '\n';
}

/** The closing line: where the weights went, or that they were not kept. */
export function renderTrainFooter(out: string | null, ctx: TrainContext, style: Style, width = Infinity): string {
  const count = ctx.network?.parameters ?? ctx.layers.slice(1).reduce((n, H, l) => n + (ctx.layers[l] + 1) * H, 0);
  return out === null
    ? style.dim(fitLine('not saved: add --out FILE.safetensors to keep the weights', width, '  ')) + '\n'
    : fitLine(`wrote ${out} (${ctx.network ? ctx.network.spec : `${describeLayers(ctx.layers)} ${ctx.activation}`}, ${count} float32 parameters)`, width, '  ') + '\n';
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
