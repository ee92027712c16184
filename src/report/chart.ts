// Terminal charts: a line panel drawn with Unicode braille dots (2×4 dots per character) or plain ASCII,
// smooth series as connected lines and step series as a staircase (step-after); and signed 28×28 maps.
// Pure: rows of numbers in, lines of text out.
import { SHADES } from './digits';
import type { Style } from './style';
import { displayWidth, padStartDisplay } from './width';

export type Charset = 'unicode' | 'ascii';

export interface PanelSpec {
  /** Left label, e.g. "CEE". */
  readonly label: string;
  /** y values, one per x. */
  readonly y: ArrayLike<number>;
  /** Draw as a staircase (hold each value until the next x), else connect the points. */
  readonly step: boolean;
  /** Formats the y-axis labels. */
  readonly format: (v: number) => string;
  /** Colour for the curve when colour is on. */
  readonly tone?: 'accent' | 'warn' | 'good' | 'bad';
}

export interface ChartOptions {
  /** Plot area width and height in characters (per panel). */
  readonly width: number;
  readonly height: number;
  readonly charset: Charset;
  /** Formats the x-axis labels. */
  readonly formatX: (v: number) => string;
  /** An x to mark under the axis (e.g. the model's own weight), with its caption. */
  readonly mark?: { readonly x: number; readonly caption: string };
  readonly style?: Style;
}

export { displayWidth, padStartDisplay } from './width';

/** A dot canvas: w × h dots, 0,0 at the top left. */
class Canvas {
  readonly dots: Uint8Array;
  constructor(readonly w: number, readonly h: number) {
    this.dots = new Uint8Array(w * h);
  }
  set(x: number, y: number): void {
    if (x >= 0 && x < this.w && y >= 0 && y < this.h) this.dots[y * this.w + x] = 1;
  }
  /** Bresenham's line between two dots, both ends included. */
  line(x0: number, y0: number, x1: number, y1: number): void {
    const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      this.set(x0, y0);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }
}

/** Braille dot bits for (column 0..1, row 0..3) inside one character (U+2800 + bits). */
const BRAILLE_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/** The canvas as text lines: braille (2×4 dots per character) or ASCII (1 dot per character). */
function canvasLines(c: Canvas, charset: Charset, steps: boolean): string[] {
  const lines: string[] = [];
  if (charset === 'unicode') {
    for (let row = 0; row < c.h / 4; row++) {
      let line = '';
      for (let col = 0; col < c.w / 2; col++) {
        let bits = 0;
        for (let dx = 0; dx < 2; dx++) for (let dy = 0; dy < 4; dy++) if (c.dots[(row * 4 + dy) * c.w + col * 2 + dx]) bits |= BRAILLE_BITS[dx][dy];
        line += bits === 0 ? ' ' : String.fromCharCode(0x2800 + bits);
      }
      lines.push(line);
    }
    return lines;
  }
  for (let y = 0; y < c.h; y++) {
    let line = '';
    for (let x = 0; x < c.w; x++) {
      if (!c.dots[y * c.w + x]) { line += ' '; continue; }
      // a step chart's vertical runs read better as '|', its flats as '_'
      const up = y > 0 && c.dots[(y - 1) * c.w + x], down = y < c.h - 1 && c.dots[(y + 1) * c.w + x];
      line += steps ? (up || down ? '|' : '_') : '*';
    }
    lines.push(line);
  }
  return lines;
}

/** Maps v in [lo, hi] to 0..n−1 (lo -> 0); a flat range maps to the middle. */
function scale(v: number, lo: number, hi: number, n: number): number {
  if (!(hi > lo)) return Math.floor((n - 1) / 2);
  return Math.round(((v - lo) / (hi - lo)) * (n - 1));
}

function finiteRange(y: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i])) { lo = Math.min(lo, y[i]); hi = Math.max(hi, y[i]); }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** One panel's plot-area lines (no axes) for series y over x. */
export function plotLines(x: ArrayLike<number>, y: ArrayLike<number>, step: boolean, width: number, height: number, charset: Charset): string[] {
  const w = charset === 'unicode' ? 2 * width : width, h = charset === 'unicode' ? 4 * height : height;
  const c = new Canvas(w, h);
  const [x0, x1] = finiteRange(x);
  const [lo, hi] = finiteRange(y);
  const px = (i: number) => scale(x[i], x0, x1, w);
  const py = (i: number) => h - 1 - scale(y[i], lo, hi, h);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(y[i])) continue;
    if (i + 1 < x.length && Number.isFinite(y[i + 1])) {
      if (step) {
        c.line(px(i), py(i), px(i + 1), py(i)); // hold the value ...
        c.line(px(i + 1), py(i), px(i + 1), py(i + 1)); // ... then jump
      } else {
        c.line(px(i), py(i), px(i + 1), py(i + 1));
      }
    } else {
      c.set(px(i), py(i));
    }
  }
  return canvasLines(c, charset, step);
}

/**
 * Panels stacked over one x axis: each has its label and its top / bottom y values on the left, then the
 * curve. Below: the axis, the first and last x, and an optional mark (e.g. "▲ model").
 */
export function renderChart(x: ArrayLike<number>, panels: readonly PanelSpec[], opts: ChartOptions): string {
  const { width, height, charset, style } = opts;
  const vertical = charset === 'unicode' ? '┤' : '|';
  const gutterTexts = panels.map((p) => {
    const [lo, hi] = finiteRange(p.y);
    return { top: p.format(hi), bottom: p.format(lo), label: p.label };
  });
  const gutter = Math.max(...gutterTexts.flatMap((g) => [g.top, g.bottom, g.label].map(displayWidth))) + 1;
  const out: string[] = [];
  panels.forEach((p, k) => {
    const g = gutterTexts[k];
    const lines = plotLines(x, p.y, p.step, width, height, charset);
    const tone = p.tone && style ? style[p.tone] : (s: string) => s;
    const middle = Math.floor((lines.length - 1) / 2);
    const flat = g.top === g.bottom; // a flat series is drawn on one row (see scale()): label it there, once
    const flatRow = lines.length - 1 - middle;
    lines.forEach((line, row) => {
      let left = '';
      if (flat) left = row === flatRow ? g.top : row === flatRow - 1 ? g.label : '';
      else if (row === 0) left = g.top;
      else if (row === lines.length - 1) left = g.bottom;
      else if (row === middle) left = g.label;
      const axis = row === 0 || row === lines.length - 1 ? vertical : charset === 'unicode' ? '│' : '|';
      out.push(`${padStartDisplay(left, gutter)} ${axis}${tone(line).replace(/\s+$/, '')}`);
    });
    if (k < panels.length - 1) out.push(`${''.padStart(gutter)} ${charset === 'unicode' ? '│' : '|'}`);
  });
  const corner = charset === 'unicode' ? '└' : '+';
  const dash = charset === 'unicode' ? '─' : '-';
  out.push(`${''.padStart(gutter)} ${corner}${dash.repeat(width)}`);
  const [x0, x1] = finiteRange(x);
  const first = opts.formatX(x0), last = opts.formatX(x1);
  out.push(`${''.padStart(gutter)}  ${first}${last.padStart(Math.max(1, width - first.length))}`);
  if (opts.mark && opts.mark.x >= x0 && opts.mark.x <= x1) {
    const col = scale(opts.mark.x, x0, x1, width);
    const caption = opts.mark.caption;
    const start = Math.max(0, Math.min(col - Math.floor(caption.length / 2), width - caption.length));
    out.push(`${''.padStart(gutter)}  ${' '.repeat(col)}${charset === 'unicode' ? '▲' : '^'}`);
    out.push(`${''.padStart(gutter)}  ${' '.repeat(start)}${caption}`);
  }
  return out.join('\n') + '\n';
}

/** Shades for |value| / max|value| in (0, 1]: light to full; an exact 0 is drawn as a dot. */
const ASCII_SHADES = ['-', '+', '*', '#'] as const;

/**
 * A signed map over rows × cols pixels (e.g. ∂CEE/∂W1[:, j] as 28×28) as rows/2 text lines: each
 * character shows two vertically adjacent pixels, shaded by the larger |value| relative to `max`
 * (any nonzero value gets at least the lightest shade), '·' where both are exactly 0. Colour (when on):
 * positive red, negative cyan, by the sign of the larger one.
 */
export function mapLines(values: ArrayLike<number>, rows: number, cols: number, max: number, charset: Charset, style?: Style): string[] {
  const shades = charset === 'unicode' ? SHADES.slice(1) : ASCII_SHADES;
  const zero = charset === 'unicode' ? '·' : '.';
  const lines: string[] = [];
  for (let r = 0; r < rows; r += 2) {
    let line = '';
    for (let c = 0; c < cols; c++) {
      const a = values[r * cols + c];
      const b = r + 1 < rows ? values[(r + 1) * cols + c] : 0;
      const v = Math.abs(a) >= Math.abs(b) ? a : b;
      if (v === 0) { line += zero; continue; }
      const level = max > 0 ? Math.min(shades.length - 1, Math.floor((Math.abs(v) / max) * shades.length)) : shades.length - 1;
      const ch = shades[level];
      line += style?.enabled ? (v > 0 ? style.bad(ch) : style.accent(ch)) : ch;
    }
    lines.push(line);
  }
  return lines;
}

/** Blocks of lines side by side, each padded to its own width, `gap` spaces apart. */
export function sideBySide(blocks: readonly (readonly string[])[], widths: readonly number[], gap = 4): string[] {
  const height = Math.max(...blocks.map((b) => b.length));
  const out: string[] = [];
  for (let i = 0; i < height; i++)
    out.push(blocks.map((b, k) => { const s = b[i] ?? ''; return s + ' '.repeat(Math.max(0, widths[k] - displayWidth(s))); }).join(' '.repeat(gap)).replace(/\s+$/, ''));
  return out;
}
