// The work of `mnist-loss batch` (flags in ./spec.ts): draw the seeded indices from the split and
// print them with their labels, or draw the digits (report/batchReport.ts). Loaded only when batch runs.
import { sampleIndices } from '../../data/batch';
import { loadSplitSample } from '../../data/mnist';
import { Mt19937 } from '../../rng/mt19937';
import { renderBatch } from '../../report/batchReport';
import type { Io } from '../io';
import { dataOptions } from '../options';
import type { BatchOptions } from './spec';
import { charsetFor, terminalWidth } from '../terminal';

export function runBatch(opts: BatchOptions, io: Io): void {
  // reads the labels and only the sampled images (the train split's image file is 47 MB)
  const { split, indices } = loadSplitSample(dataOptions(opts, io.env), opts.split, (shape) => sampleIndices(new Mt19937(opts.seed), shape.count, opts.size, opts.replace));
  const labels = Array.from(indices, (i) => split.labels[i]);
  io.out(
    opts.json
      ? JSON.stringify({ split: opts.split, seed: opts.seed, size: opts.size, replace: opts.replace, indices: Array.from(indices), labels }) + '\n'
      : renderBatch(opts, split, indices, io.color && opts.color, terminalWidth(io), charsetFor(opts.ascii, io.env)),
  );
}
