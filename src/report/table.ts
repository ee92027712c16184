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
 * than `maxWidth`, it leaves out optional columns, the last first, until it fits (or none is left to leave out).
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], style?: Style, maxWidth = Infinity): string {
  const all = columns.map((c, j) => Math.max(visibleWidth(c.header), ...rows.map((r) => visibleWidth(r[j] ?? ''))));
  const kept = columns.map((_, j) => j);
  const total = () => kept.reduce((w, j) => w + all[j], 0) + 2 * (kept.length - 1);
  for (let j = columns.length - 1; j >= 0 && total() > maxWidth; j--) if (columns[j].optional) kept.splice(kept.indexOf(j), 1);
  if (kept.length < columns.length)
    return renderTable(kept.map((j) => ({ ...columns[j], optional: false })), rows.map((r) => kept.map((j) => r[j] ?? '')), style);
  const widths = all;
  const line = (cells: readonly string[]) =>
    cells.map((cell, j) => pad(cell, widths[j], columns[j].align ?? 'right')).join('  ').replace(/\s+$/, '');
  const header = line(columns.map((c) => c.header));
  const out = [style ? style.bold(header) : header, ...rows.map(line)];
  return out.join('\n') + '\n';
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
