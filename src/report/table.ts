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
 * Renders columns and rows of already-formatted cells, two spaces between columns, one trailing newline. Wider
 * than `maxWidth`, it leaves out optional columns, the last first, until it fits; still wider, the headers wrap
 * onto several lines (each column as wide as its widest cell or header word); still wider, each row is printed
 * as header/value pairs, a blank line between rows, so nothing runs past `maxWidth`.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], style?: Style, maxWidth = Infinity): string {
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
  if (total(all) <= maxWidth) return [bold(line(cols.map((c) => c.header), kept.map((j) => all[j]))), ...body.map((r) => line(r, kept.map((j) => all[j])))].join('\n') + '\n';
  const narrow = columns.map((c, j) => Math.max(cellWidth(j), ...c.header.split(' ').map(visibleWidth)));
  if (total(narrow) <= maxWidth) {
    const widths = kept.map((j) => narrow[j]);
    const headers = cols.map((c, j) => wrap(c.header, widths[j]).split('\n'));
    const depth = Math.max(...headers.map((h) => h.length));
    const headerLines = Array.from({ length: depth }, (_, k) => bold(line(headers.map((h) => h[k - (depth - h.length)] ?? ''), widths)));
    return [...headerLines, ...body.map((r) => line(r, widths))].join('\n') + '\n';
  }
  return body.map((r) => renderPairs(cols.map((c, j) => [c.header, r[j]] as const), style, maxWidth)).join('\n');
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
