// The work of `mnist-loss batch` (flags in commands/batch.ts): draw the seeded indices from the split and
// print them with their labels, or draw the digits. Loaded only when batch runs.
import { sampleIndices } from '../../data/batch';
import { loadSplitSample } from '../../data/mnist';
import type { MnistSplit } from '../../data/types';
import { Mt19937 } from '../../rng/mt19937';
import { renderDigits } from '../../report/digits';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import type { BatchOptions, BatchRaw } from '../commands/batch';
import type { Charset } from '../../report/chart';
import { charsetFor, terminalWidth } from '../terminal';

/** The numpy call that draws the same indices. */
export function numpyEquivalent(seed: number, n: number, size: number, replace: boolean): string {
  return `np.random.seed(${seed}); np.random.choice(${n}, ${size}${replace ? '' : ', replace=False'})`;
}


export function runBatch(opts: BatchOptions, raw: BatchRaw, io: Io): void {
  // reads the labels and only the sampled images (the train split's image file is 47 MB)
  const { split, indices } = loadSplitSample({ data: raw.data, source: raw.source, env: io.env }, opts.split, (shape) => sampleIndices(new Mt19937(opts.seed), shape.count, opts.size, opts.replace));
  const labels = Array.from(indices, (i) => split.labels[i]);
  io.out(
    opts.json
      ? JSON.stringify({ split: opts.split, seed: opts.seed, size: opts.size, replace: opts.replace, indices: Array.from(indices), labels }) + '\n'
      : renderBatch(opts, split, indices, io.color && opts.color, terminalWidth(io), charsetFor(opts.ascii, io.env)),
  );
}

/** Header (echoing split, seed, size, replace and the numpy call), then an index/label table or the drawn digits. */
export function renderBatch(opts: BatchOptions, split: MnistSplit, indices: Uint32Array, color: boolean, width: number, charset: Charset = 'unicode'): string {
  const style = createStyle(color && !opts.json);
  const header =
    `batch of ${opts.size} from ${opts.split} (${split.count} images), seed ${opts.seed}, ${opts.replace ? 'with' : 'without'} replacement\n` +
    style.dim(`same as numpy: ${numpyEquivalent(opts.seed, split.count, opts.size, opts.replace)}`) + '\n\n';
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
