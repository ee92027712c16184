// Plain-text tables: rows of cells -> aligned columns. Numbers right-aligned, text left-aligned.
import type { Style } from './style';
import { displayWidth, padEndDisplay } from './width';

export interface Column {
  readonly header: string;
  /** 'right' for numbers (default), 'left' for text. */
  readonly align?: 'left' | 'right';
}

/** Visible width of a string in terminal columns: escape codes take none, wide characters two (report/width.ts). */
export const visibleWidth = displayWidth;

function pad(s: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(s)));
  return align === 'left' ? s + fill : fill + s;
}

/** Renders columns and rows of already-formatted cells, two spaces between columns, one trailing newline. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], style?: Style): string {
  const widths = columns.map((c, j) => Math.max(visibleWidth(c.header), ...rows.map((r) => visibleWidth(r[j] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells.map((cell, j) => pad(cell, widths[j], columns[j].align ?? 'right')).join('  ').replace(/\s+$/, '');
  const header = line(columns.map((c) => c.header));
  const out = [style ? style.bold(header) : header, ...rows.map(line)];
  return out.join('\n') + '\n';
}

/** Key/value lines, keys padded to one width: "source   embedded (…)". */
export function renderPairs(pairs: readonly (readonly [string, string])[], style?: Style): string {
  const width = Math.max(0, ...pairs.map(([k]) => displayWidth(k)));
  return pairs.map(([k, v]) => `${style ? style.dim(padEndDisplay(k, width)) : padEndDisplay(k, width)}  ${v}`).join('\n') + '\n';
}

/** Fixed decimals for losses and accuracies; keeps -0 out of reports. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}
