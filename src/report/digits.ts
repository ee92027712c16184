// Draws MNIST digits as text: each character covers two pixel rows (their mean intensity picks one of
// ' ░▒▓█'), so a 28x28 image becomes 28 columns x 14 lines; several digits sit side by side.
import type { Charset } from './chart';
import type { Style } from './style';

/** One image to draw: raw bytes [rows, cols] (a view into the split's pixels) and its caption. */
export interface DigitCell {
  readonly pixels: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  readonly caption: string;
}

/** Five shades from blank to full block; intensity 0..255 maps to index floor(v * 5 / 256). */
export const SHADES = [' ', '░', '▒', '▓', '█'] as const;

/** The same five levels in ASCII, for --ascii, TERM=dumb and non-UTF-8 locales. */
export const ASCII_DIGIT_SHADES = [' ', '.', ':', '+', '#'] as const;

/** The shade for an intensity 0..255. */
export function shadeOf(v: number, charset: Charset = 'unicode'): string {
  const shades = charset === 'unicode' ? SHADES : ASCII_DIGIT_SHADES;
  return shades[Math.min(shades.length - 1, Math.floor((v * shades.length) / 256))];
}

/** One digit as lines of `cols` characters: line r shows pixel rows 2r and 2r+1 (a missing last row counts as 0). */
export function digitLines(pixels: Uint8Array, rows: number, cols: number, charset: Charset = 'unicode'): string[] {
  const lines: string[] = [];
  for (let r = 0; r < rows; r += 2) {
    let line = '';
    for (let c = 0; c < cols; c++) {
      const top = pixels[r * cols + c];
      const bottom = r + 1 < rows ? pixels[(r + 1) * cols + c] : 0;
      line += shadeOf((top + bottom) / 2, charset);
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Lays digits out left to right, as many per band as fit in `width` columns (at least one), with
 * `gap` spaces between them; each band is a caption line, the drawings, then a blank line.
 */
export function renderDigits(cells: readonly DigitCell[], width = 80, style?: Style, gap = 2, charset: Charset = 'unicode'): string {
  if (cells.length === 0) return '';
  const cellWidth = cells.reduce((w, c) => Math.max(w, c.cols, c.caption.length), 0); // no spread: batches can be long
  const perBand = Math.max(1, Math.floor((width + gap) / (cellWidth + gap)));
  const out: string[] = [];
  const sep = ' '.repeat(gap);
  for (let start = 0; start < cells.length; start += perBand) {
    const band = cells.slice(start, start + perBand);
    const drawn = band.map((c) => digitLines(c.pixels, c.rows, c.cols, charset));
    const height = Math.max(...drawn.map((d) => d.length));
    const caption = band.map((c) => {
      const text = c.caption.padEnd(cellWidth);
      return style ? style.bold(text) : text;
    });
    out.push(caption.join(sep).trimEnd());
    for (let line = 0; line < height; line++)
      out.push(drawn.map((d) => (d[line] ?? '').padEnd(cellWidth)).join(sep).trimEnd());
    out.push('');
  }
  return out.join('\n');
}
