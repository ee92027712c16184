// The work of `mnist-loss info` (flags in ./spec.ts): load every split the source offers, timing
// each, and report counts, sizes and label counts (np.bincount of the labels). Loaded only when info runs.
import { availableSplits, labelCounts, loadSplit, MNIST_CLASSES, resolveDataSource } from '../../data/mnist';
import type { DataOptions, SplitName } from '../../data/types';
import { renderInfo, type InfoReport, type SplitInfo } from '../../report/infoReport';
import type { Io } from '../io';
import { describeSource } from '../wording';
import { dataOptions } from '../options';
import { terminalWidth } from '../terminal';
import type { InfoOptions } from './spec';

/** Loads every split the source offers, one after another, timing each load with io.now(). */
export function collectInfo(opts: DataOptions, now: () => number): InfoReport {
  const source = resolveDataSource(opts);
  const splits: Partial<Record<SplitName, SplitInfo>> = {};
  const files: Partial<Record<SplitName, readonly string[]>> = {};
  for (const name of availableSplits(source)) {
    const start = now();
    const split = loadSplit(opts, name, { allowEmpty: true }); // info reports an empty split; other commands refuse it
    const loadMs = Math.round((now() - start) * 10) / 10;
    splits[name] = { count: split.count, rows: split.rows, cols: split.cols, labelCounts: labelCounts(split.labels), loadMs };
    files[name] = split.files;
  }
  return { source, splits, files };
}

export function runInfo(opts: InfoOptions, io: Io): void {
  const report = collectInfo(dataOptions(opts, io.env), () => io.now());
  const { files: _files, ...json } = report;
  io.out(opts.json ? JSON.stringify(json) + '\n' : renderInfo(report, describeSource(report.source), MNIST_CLASSES, io.color && opts.color && !opts.json, terminalWidth(io)));
}
