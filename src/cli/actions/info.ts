// The work of `mnist-loss info` (flags in commands/info.ts): load every split the source offers, timing
// each, and report counts, sizes and label counts (np.bincount of the labels). Loaded only when info runs.
import { availableSplits, labelCounts, loadSplit, MNIST_CLASSES, resolveDataSource } from '../../data/mnist';
import type { DataOptions, DataSourceInfo, SplitName } from '../../data/types';
import { createStyle } from '../../report/style';
import { fmt, renderPairs, renderTable } from '../../report/table';
import type { Io } from '../io';
import type { CommonOptions } from '../options';
import { describeSource } from '../wording';

export interface SplitInfo {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly labelCounts: number[];
  readonly loadMs: number;
}

export interface InfoReport {
  readonly source: DataSourceInfo;
  readonly splits: Partial<Record<SplitName, SplitInfo>>;
  /** Files read per split (base names), for the human report only. */
  readonly files: Partial<Record<SplitName, readonly string[]>>;
}

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

export function renderInfo(report: InfoReport, color: boolean): string {
  const style = createStyle(color);
  const names = Object.keys(report.splits) as SplitName[];
  const head = renderPairs([['source', `${report.source.kind} (${describeSource(report.source)})`], ['path', report.source.path]], style);
  const splits = renderTable(
    [{ header: 'split', align: 'left' }, { header: 'images' }, { header: 'rows' }, { header: 'cols' }, { header: 'load (ms)' }, { header: 'files', align: 'left' }],
    names.map((n) => {
      const s = report.splits[n]!;
      return [n, String(s.count), String(s.rows), String(s.cols), fmt(s.loadMs, 1), (report.files[n] ?? []).join(', ')];
    }),
    style,
  );
  const labels = renderTable(
    [{ header: 'label', align: 'left' }, ...names.map((n) => ({ header: n }))],
    Array.from({ length: MNIST_CLASSES }, (_, k) => [String(k), ...names.map((n) => String(report.splits[n]!.labelCounts[k]))]),
    style,
  );
  return `${head}\n${splits}\n${labels}`;
}

export function runInfo(raw: CommonOptions, io: Io): void {
  const report = collectInfo({ data: raw.data, source: raw.source, env: io.env }, () => io.now());
  const { files: _files, ...json } = report;
  io.out(raw.json ? JSON.stringify(json) + '\n' : renderInfo(report, io.color && raw.color && !raw.json));
}
