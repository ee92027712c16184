// `batch` output: a header echoing split, seed, size, replace and the numpy call that draws the same
// indices, then an index/label table or the drawn digits. The indices are drawn in cli/; this only formats them.
import { fitLine } from './width';
import type { MnistSplit, SplitName } from '../data/types';
import type { Charset } from './chart';
import { renderDigits } from './digits';
import { createStyle } from './style';

/** What the header echoes (the fields of cli's BatchOptions that the report reads). */
export interface BatchReportOptions {
  readonly size: number;
  readonly seed: number;
  readonly split: SplitName;
  readonly replace: boolean;
  readonly show: boolean;
  readonly json: boolean;
}

/** The numpy call that draws the same indices. */
export function numpyEquivalent(seed: number, n: number, size: number, replace: boolean): string {
  return `np.random.seed(${seed}); np.random.choice(${n}, ${size}${replace ? '' : ', replace=False'})`;
}

/** Header (echoing split, seed, size, replace and the numpy call), then an index/label table or the drawn digits. */
export function renderBatch(opts: BatchReportOptions, split: MnistSplit, indices: Uint32Array, color: boolean, width: number, charset: Charset = 'unicode'): string {
  const style = createStyle(color && !opts.json);
  const header =
    fitLine(`batch of ${opts.size} from ${opts.split} (${split.count} images), seed ${opts.seed}, ${opts.replace ? 'with' : 'without'} replacement`, width) + '\n' +
    style.dim(fitLine(`same as numpy: ${numpyEquivalent(opts.seed, split.count, opts.size, opts.replace)}`, width)) + '\n\n';
  const D = split.rows * split.cols;
  if (opts.show) {
    const cells = Array.from(indices, (i) => ({ pixels: split.pixels.subarray(i * D, (i + 1) * D), rows: split.rows, cols: split.cols, caption: `#${i} label ${split.labels[i]}` }));
    return header + renderDigits(cells, width, style, 2, charset);
  }
  // Fixed column widths computed from n and size: renderTable measures every cell, and batches can be millions long.
  const wb = Math.max(1, String(Math.max(0, indices.length - 1)).length), wi = Math.max(5, String(split.count - 1).length);
  const lines = [style.bold(`${'#'.padStart(wb)}  ${'index'.padStart(wi)}  label`)];
  for (let b = 0; b < indices.length; b++)
    lines.push(`${String(b).padStart(wb)}  ${String(indices[b]).padStart(wi)}  ${String(split.labels[indices[b]]).padStart(5)}`);
  return header + lines.join('\n') + '\n';
}
