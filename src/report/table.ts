// Plain-text tables: rows of cells -> aligned columns. Numbers right-aligned, text left-aligned.
import type { Style } from './style';
import { displayWidth, padEndDisplay, wrap } from './width';

export interface Column {
  readonly header: string;
  /** 'right' for numbers (default), 'left' for text. */
  readonly align?: 'left' | 'right';
  /** May be left out, last such column first, when the table is wider than the terminal. */
  readonly optional?: boolean;
}

/** Visible width of a string in terminal columns: escape codes take none, wide characters two (report/width.ts). */
export const visibleWidth = displayWidth;

function pad(s: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(s)));
  return align === 'left' ? s + fill : fill + s;
}

/**
 * What a table does when it is still wider than its width once its optional columns are gone and its headers
 * wrap: 'pairs' prints each row as header/value lines; 'bands' prints the columns in bands that fit, one under
 * the other, the first column (the row's key) repeated in each; 'wrap' wraps the last column's text (left
 * aligned) under itself. A table that cannot fit that way either ends as pairs.
 */
export type Overflow = 'pairs' | 'bands' | 'wrap';

/** The narrowest a wrapped last column may be before the table turns into pairs instead. */
const MIN_WRAPPED = 12;

/**
 * Renders columns and rows of already-formatted cells, two spaces between columns, one trailing newline. Wider
 * than `maxWidth`, it leaves out optional columns, the last first, until it fits; still wider, the headers wrap
 * onto several lines (each column as wide as its widest cell or header word); still wider, it does what
 * `overflow` says (by default each row as header/value pairs, a blank line between rows), so nothing runs past
 * `maxWidth`.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], style?: Style, maxWidth = Infinity, overflow: Overflow = 'pairs'): string {
  const cellWidth = (j: number) => Math.max(0, ...rows.map((r) => visibleWidth(r[j] ?? '')));
  const all = columns.map((c, j) => Math.max(visibleWidth(c.header), cellWidth(j)));
  const kept = columns.map((_, j) => j);
  const total = (widths: readonly number[]) => kept.reduce((w, j) => w + widths[j], 0) + 2 * (kept.length - 1);
  for (let j = columns.length - 1; j >= 0 && total(all) > maxWidth; j--) if (columns[j].optional) kept.splice(kept.indexOf(j), 1);
  const cols = kept.map((j) => columns[j]);
  const body = rows.map((r) => kept.map((j) => r[j] ?? ''));
  const bold = (s: string) => (style ? style.bold(s) : s);
  const line = (cells: readonly string[], widths: readonly number[]) =>
    cells.map((cell, j) => pad(cell, widths[j], cols[j].align ?? 'right')).join('  ').replace(/\s+$/, '');
  /** Header lines (one, or the headers wrapped to `widths`, bottom-aligned) and rows, the last column wrapped to its width where `wrapLast`. */
  const render = (widths: readonly number[], wrapHeaders: boolean, wrapLast = false) => {
    const headers = cols.map((c, j) => (wrapHeaders ? wrap(c.header, widths[j]).split('\n') : [c.header]));
    const depth = Math.max(...headers.map((h) => h.length));
    const headerLines = Array.from({ length: depth }, (_, k) => bold(line(headers.map((h) => h[k - (depth - h.length)] ?? ''), widths)));
    const last = cols.length - 1;
    const rowLines = body.flatMap((r) => {
      if (!wrapLast || visibleWidth(r[last]) <= widths[last]) return [line(r, widths)];
      return wrap(r[last], widths[last]).split('\n').map((piece, k) => line([...r.slice(0, last).map((c) => (k === 0 ? c : '')), piece], widths));
    });
    return [...headerLines, ...rowLines].join('\n') + '\n';
  };
  if (total(all) <= maxWidth) return render(kept.map((j) => all[j]), false);
  const narrow = columns.map((c, j) => Math.max(cellWidth(j), ...c.header.split(' ').map(visibleWidth)));
  if (total(narrow) <= maxWidth) return render(kept.map((j) => narrow[j]), true);
  if (overflow === 'wrap' && cols.length > 1 && cols[cols.length - 1].align === 'left') {
    for (const [widths, wrapHeaders] of [[kept.map((j) => all[j]), false], [kept.map((j) => narrow[j]), true]] as const) {
      const room = maxWidth - (widths.slice(0, -1).reduce((w, x) => w + x, 0) + 2 * (widths.length - 1));
      if (room >= MIN_WRAPPED) return render([...widths.slice(0, -1), room], wrapHeaders, true);
    }
  }
  if (overflow === 'bands' && cols.length > 2) {
    const bands = columnBands(kept.map((j) => narrow[j]), maxWidth);
    if (bands.length > 1) return bands.map((band) => renderTable(band.map((j) => cols[j]), body.map((r) => band.map((j) => r[j])), style, maxWidth)).join('\n');
  }
  return body.map((r) => renderPairs(cols.map((c, j) => [c.header, r[j]] as const), style, maxWidth)).join('\n');
}

/**
 * Column indices in bands no wider than `maxWidth` each (columns `widths` wide), column 0 (the key) first in
 * every band: as few bands as fit, the other columns shared out evenly among them where that fits too; none
 * when the key beside one column is already wider than `maxWidth`.
 */
function columnBands(widths: readonly number[], maxWidth: number): number[][] {
  const fits = (band: readonly number[]) => band.reduce((w, j) => w + widths[j], 0) + 2 * (band.length - 1) <= maxWidth;
  const greedy: number[][] = [];
  let band = [0];
  for (let j = 1; j < widths.length; j++) {
    if (band.length > 1 && !fits([...band, j])) { greedy.push(band); band = [0]; }
    band.push(j);
  }
  greedy.push(band);
  const n = greedy.length, m = widths.length - 1;
  const even = Array.from({ length: n }, (_, k) => {
    const from = 1 + Math.round((k * m) / n), to = 1 + Math.round(((k + 1) * m) / n);
    return [0, ...Array.from({ length: to - from }, (_, i) => from + i)];
  });
  if (!greedy.every(fits)) return []; // the key and one column alone are too wide: no banding fits (pairs instead)
  return even.every(fits) ? even : greedy;
}

/** Key/value lines, keys padded to one width: "source   embedded (…)"; a value wider than `maxWidth` wraps under itself. */
export function renderPairs(pairs: readonly (readonly [string, string])[], style?: Style, maxWidth = Infinity): string {
  const width = Math.max(0, ...pairs.map(([k]) => displayWidth(k)));
  return pairs.map(([k, v]) => {
    const key = `${style ? style.dim(padEndDisplay(k, width)) : padEndDisplay(k, width)}  `;
    return displayWidth(key) + displayWidth(v) <= maxWidth || v.includes('\n') ? key + v : wrap(v, maxWidth, ' '.repeat(width + 2), key);
  }).join('\n') + '\n';
}

/** Fixed decimals for losses and accuracies; keeps -0 out of reports. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}
