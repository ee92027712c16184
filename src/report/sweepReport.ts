// Renders a sweep (header, compact table, terminal chart of CEE and accuracy, the verdict; JSON, CSV, SVG)
// and a probe (slopes per element, counts, the two gradient maps; JSON). Pure: results in, text out.
import type { ProbeResult, UnitMaps } from '../experiments/probe';
import type { SweepResult, SweepRow, SweepSummary } from '../experiments/sweep';
import type { Charset } from './chart';
import { displayWidth, mapLines, renderChart, sideBySide } from './chart';
import { fitLine, wrap } from './width';
import type { Style } from './style';
import { renderSvgChart } from './svg';
import { fmt, renderPairs, renderTable } from './table';

/** Where the sweep's numbers come from, for headers and JSON. */
export interface SweepContext {
  /** The model file as given (or the bundled model's path), for JSON. */
  readonly model: string;
  /** How the human report names it: the path as given, or "bundled data/model.safetensors". */
  readonly modelLabel: string;
  /** "784-50-10 sigmoid". */
  readonly architecture: string;
  readonly split: 'train' | 'test';
  readonly splitCount: number;
  /** null: the whole split. */
  readonly size: number | null;
  readonly seed: number | null;
  readonly from: number;
  readonly to: number;
  readonly steps: number;
  /** The range was not given: the default was used. */
  readonly defaultRange: boolean;
}

/** "accuracy changed at 1 of 200 steps; CEE changed at 200 of 200", from the summary alone. */
export function verdictLine(s: SweepSummary): string {
  return `accuracy changed at ${s.accuracyChangedSteps} of ${s.steps} steps; CEE changed at ${s.ceeChangedSteps} of ${s.steps}`;
}

/** A slope for a table cell: "0" when exactly 0, else 3 significant digits. */
export function fmtSlope(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

/** A swept value: up to 6 significant digits, no float noise. */
export function fmtValue(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** Indices of the rows a compact table shows: all up to `max`, else about `max` evenly spaced, ends included. */
export function tableRowIndices(count: number, max = 21): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < max; k++) out.add(Math.round((k * (count - 1)) / (max - 1)));
  return [...out];
}

/** What the images are, in words: "test split, all 10000 images" or the seeded sample as numpy draws it. */
export function describeImages(ctx: Pick<SweepContext, 'split' | 'splitCount' | 'size' | 'seed'>, n: number): string {
  if (ctx.size === null) return `${ctx.split} split, all ${n} images`;
  return `${n} ${ctx.split} images: np.random.seed(${ctx.seed}); np.random.choice(${ctx.splitCount}, ${ctx.size})`;
}

function rangeText(result: SweepResult, ctx: SweepContext): string {
  const how = result.mode === 'add' ? `add ${fmtValue(ctx.from)} … ${fmtValue(ctx.to)} to it` : `set it to ${fmtValue(ctx.from)} … ${fmtValue(ctx.to)}`;
  return `${how}: ${ctx.steps} values, np.linspace(${fmtValue(ctx.from)}, ${fmtValue(ctx.to)}, ${ctx.steps})${ctx.defaultRange ? ' (the default range)' : ''}`;
}

export interface SweepRenderOptions {
  readonly style: Style;
  readonly charset: Charset;
  /** Terminal width in characters. */
  readonly width: number;
}

/** The human report: header, compact table, chart and verdict. */
export function renderSweepReport(result: SweepResult, ctx: SweepContext, opts: SweepRenderOptions): string {
  const { style } = opts;
  const header = renderPairs([
    ['model', `${ctx.modelLabel} (${ctx.architecture})`],
    ['param', `${result.param} = ${fmtValue(result.base)} in the model`],
    ['sweep', rangeText(result, ctx)],
    ['images', describeImages(ctx, result.n)],
  ], style, opts.width);
  const shown = tableRowIndices(result.rows.length);
  const cells = shown.map((i) => {
    const r = result.rows[i];
    return [fmtValue(r.value), fmtValue(r.weight), fmt(r.sse, 6), fmt(r.cee, 6), fmt(r.accuracy, 4), String(r.correct), fmtSlope(r.dCee), fmtSlope(r.dAccuracy)];
  });
  const table = renderTable([
    { header: result.mode === 'add' ? 'value (+)' : 'value' }, { header: 'weight', optional: true }, { header: 'SSE (mean/img)' }, { header: 'CEE (mean/img)' },
    { header: 'accuracy' }, { header: 'correct', optional: true }, { header: 'dCEE/dw', optional: true }, { header: 'dAcc/dw', optional: true },
  ], cells, style, opts.width);
  const note = shown.length < result.rows.length
    ? style.dim(fitLine(`(showing ${shown.length} of ${result.rows.length} rows, evenly spaced; --json or --csv for all)`, opts.width)) + '\n'
    : '';
  const chartWidth = Math.max(20, Math.min(72, opts.width - 14));
  const chart = renderChart(
    result.rows.map((r) => r.value),
    [
      { label: 'CEE', y: result.rows.map((r) => r.cee), step: false, format: (v) => fmt(v, 4), tone: 'accent' },
      { label: 'accuracy', y: result.rows.map((r) => r.accuracy), step: true, format: (v) => fmt(v, 4), tone: 'warn' },
    ],
    {
      width: chartWidth, height: 6, charset: opts.charset, style, formatX: fmtValue,
      mark: { x: result.mode === 'add' ? 0 : result.base, caption: 'model' },
    },
  );
  const s = result.summary;
  const verdict = wrap(`${verdictLine(s)} (${s.distinctAccuracies} distinct ${s.distinctAccuracies === 1 ? 'accuracy' : 'accuracies'})`, opts.width, '         ', `${style.bold('verdict')}  `);
  const xName = result.mode === 'add' ? `value added to ${result.param}` : result.param;
  return `${header}\n${table}${note}\n${style.dim(wrap(`CEE (smooth) and accuracy (steps) against the ${xName}`, opts.width))}\n${chart}\n${verdict}\n`;
}

function jsonRow(r: SweepRow): Record<string, number> {
  return { value: r.value, sse: r.sse, cee: r.cee, accuracy: r.accuracy, correct: r.correct, weight: r.weight, dSse: r.dSse, dCee: r.dCee, dAccuracy: r.dAccuracy };
}

/** One JSON object: the header fields, every row and the summary (with its verdict line). */
export function sweepJson(result: SweepResult, ctx: SweepContext): string {
  return JSON.stringify({
    model: ctx.model,
    param: result.param,
    base: result.base,
    mode: result.mode,
    split: ctx.split,
    n: result.n,
    seed: ctx.seed,
    size: ctx.size,
    from: ctx.from,
    to: ctx.to,
    steps: ctx.steps,
    rows: result.rows.map(jsonRow),
    summary: { ...result.summary, verdict: verdictLine(result.summary) },
  }) + '\n';
}

export const SWEEP_CSV_COLUMNS = ['value', 'sse', 'cee', 'accuracy', 'correct', 'weight', 'dSse', 'dCee', 'dAccuracy'] as const;

/** CSV: a header row, then one row per value, numbers at full precision (shortest round-trip form). */
export function sweepCsv(result: SweepResult): string {
  const lines = [SWEEP_CSV_COLUMNS.join(',')];
  for (const r of result.rows) {
    const row = jsonRow(r);
    lines.push(SWEEP_CSV_COLUMNS.map((c) => String(row[c])).join(','));
  }
  return lines.join('\n') + '\n';
}

/** The SVG plot: CEE and SSE as smooth curves, accuracy as steps, one panel each over the same x axis. */
export function sweepSvg(result: SweepResult, ctx: SweepContext): string {
  const x = result.rows.map((r) => r.value);
  const modelName = ctx.model.split(/[\\/]/).pop() ?? ctx.model;
  return renderSvgChart({
    title: `Sweep of ${result.param} — ${modelName}`,
    subtitle: `${describeImages(ctx, result.n)}; ${ctx.steps} values; model value ${fmtValue(result.base)}`,
    xLabel: result.mode === 'add' ? `value added to ${result.param}` : `${result.param}`,
    x,
    panels: [
      { label: 'CEE (mean/img)', series: [{ name: 'CEE', y: result.rows.map((r) => r.cee), color: '#d62728' }] },
      { label: 'SSE (mean/img)', series: [{ name: 'SSE', y: result.rows.map((r) => r.sse), color: '#1f77b4' }] },
      { label: 'accuracy', series: [{ name: 'accuracy', y: result.rows.map((r) => r.accuracy), color: '#2ca02c', step: true }] },
    ],
    mark: { x: result.mode === 'add' ? 0 : result.base, label: 'model' },
    footer: verdictLine(result.summary),
  });
}

/** Where the probe's numbers come from. */
export interface ProbeContext {
  readonly model: string;
  readonly modelLabel: string;
  readonly architecture: string;
  readonly split: 'train' | 'test';
  readonly splitCount: number;
  readonly size: number | null;
  /** Seeds the element choice (and the sample, with --size). */
  readonly seed: number;
  readonly parameterCount: number;
  /** Image side lengths, for the maps. */
  readonly rows: number;
  readonly cols: number;
  /** The map's unit came from --unit (else it was chosen as the one whose bias moves CEE most). */
  readonly unitGiven: boolean;
  /** Why there are no maps (they show an MLP's first-layer weights), when maps is null. */
  readonly mapsSkipped?: string;
}

/** "accuracy's slope is exactly 0 for 20 of 20 weights; CEE's is not 0 for 16 of 20", from the counts alone. */
export function probeVerdict(p: ProbeResult): string {
  const why = [
    p.ceeZeroInputBlank > 0 ? `${p.ceeZeroInputBlank} ${p.ceeZeroInputBlank === 1 ? 'reads' : 'read'} an input that is 0 on every image` : '',
    p.ceeZeroUnitOff > 0 ? `${p.ceeZeroUnitOff} ${p.ceeZeroUnitOff === 1 ? 'feeds' : 'feed'} a ReLU unit that is off on every image` : '',
  ].filter((s) => s !== '');
  const other = p.weights - p.ceeNonzero;
  return `accuracy's slope is exactly 0 for ${p.accuracyZero} of ${p.weights} weights; CEE's is not 0 for ${p.ceeNonzero} of ${p.weights}${why.length > 0 ? ` (of the other ${other}: ${why.join('; ')})` : ''}`;
}

export interface ProbeRenderOptions {
  readonly style: Style;
  readonly charset: Charset;
  /** Terminal width in characters (prose wraps to it; default 80). */
  readonly width?: number;
}

/** The human probe report: header, one row per element, the verdict, and the two maps side by side (or one line saying why not). */
export function renderProbeReport(p: ProbeResult, maps: UnitMaps | null, ctx: ProbeContext, opts: ProbeRenderOptions): string {
  const { style } = opts;
  const header = renderPairs([
    ['model', `${ctx.modelLabel} (${ctx.architecture}, ${ctx.parameterCount} parameters)`],
    ['images', describeImages(ctx, p.n)],
    ['probe', `${p.weights} elements: np.random.seed(${ctx.seed}); np.random.choice(${ctx.parameterCount}, ${p.weights}, replace=False) over W1, b1, W2, ... laid end to end`],
    ['slopes', `central differences (f(w+h) − f(w−h)) / 2h with h = ${p.h}`],
  ], style, opts.width ?? 80);
  const verdict = wrap(probeVerdict(p), opts.width ?? 80, '         ', `${style.bold('verdict')}  `);
  const table = renderTable(
    [{ header: 'param', align: 'left' }, { header: 'value', optional: true }, { header: 'dSSE/dw', optional: true }, { header: 'dCEE/dw' }, { header: 'dAcc/dw' }],
    p.rows.map((r) => [r.param, fmtValue(r.value), fmtSlope(r.dSse), fmtSlope(r.dCee), fmtSlope(r.dAccuracy)]),
    style,
    opts.width ?? 80, // narrow: value, then dSSE/dw, give way to the two slopes the verdict is about
  );
  if (maps === null) return `${header}\n${table}\n${verdict}\n\n${style.dim(wrap(`maps: ${ctx.mapsSkipped ?? 'none'}`, opts.width ?? 80))}\n`;
  const max = maps.cee.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const left = [`∂CEE/∂W1[:, ${maps.unit}] (backprop)`, ...mapLines(maps.cee, ctx.rows, ctx.cols, max, opts.charset, style), `${maps.ceeNonzero} of ${maps.cee.length} not 0`];
  const right = [`∂accuracy/∂W1[:, ${maps.unit}] (h = ${maps.h})`, ...mapLines(maps.accuracy, ctx.rows, ctx.cols, max, opts.charset, style), `${maps.accuracyNonzero} of ${maps.accuracy.length} not 0`];
  const width = Math.max(ctx.cols, ...left.map(displayWidth)); // display columns: colour codes take none
  const which = ctx.unitGiven ? '(--unit)' : '(chosen: its bias moves CEE most)';
  const legend = style.dim(wrap(`hidden unit ${maps.unit} ${which}; shade = |slope| on one scale, ${opts.charset === 'unicode' ? '·' : '.'} = exactly 0${style.enabled ? '; red > 0, cyan < 0' : ''}`, opts.width ?? 80));
  const pair = sideBySide([left, right], [width, width]);
  const maps2 = Math.max(...pair.map(displayWidth)) <= (opts.width ?? 80) ? pair : [...left, '', ...right]; // too narrow for two: one above the other
  return `${header}\n${table}\n${verdict}\n\n${maps2.join('\n')}\n${legend}\n`;
}

/** One JSON object: counts, every probed element, and both maps (map: null and mapSkipped when there are none). */
export function probeJson(p: ProbeResult, maps: UnitMaps | null, ctx: ProbeContext): string {
  return JSON.stringify({
    model: ctx.model,
    split: ctx.split,
    n: p.n,
    seed: ctx.seed,
    size: ctx.size,
    weights: p.weights,
    h: p.h,
    accuracyZero: p.accuracyZero,
    ceeNonzero: p.ceeNonzero,
    sseNonzero: p.sseNonzero,
    ceeZeroInputBlank: p.ceeZeroInputBlank,
    ceeZeroUnitOff: p.ceeZeroUnitOff,
    verdict: probeVerdict(p),
    rows: p.rows,
    map: maps === null ? null : { unit: maps.unit, ceeNonzero: maps.ceeNonzero, accuracyNonzero: maps.accuracyNonzero, cee: Array.from(maps.cee), accuracy: Array.from(maps.accuracy) },
    ...(maps === null ? { mapSkipped: ctx.mapsSkipped ?? null } : {}),
  }) + '\n';
}
