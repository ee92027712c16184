// `info` output: the source, one row per split (images, shape, load time, files) and the label counts per
// split (np.bincount of the labels). Values are computed in cli/; this only formats them.
import type { DataSourceInfo, SplitName } from '../data/types';
import { createStyle } from './style';
import { fmt, renderPairs, renderTable } from './table';

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

/**
 * `sourceDescription` is data/mnist's describeSource(report.source); `classes` the number of label rows (10);
 * `width` the terminal's: the files wrap in their column, and narrower still each split is listed as pairs.
 */
export function renderInfo(report: InfoReport, sourceDescription: string, classes: number, color: boolean, width = Infinity): string {
  const style = createStyle(color);
  const names = Object.keys(report.splits) as SplitName[];
  const head = renderPairs([['source', `${report.source.kind} (${sourceDescription})`], ['path', report.source.path]], style, width);
  const splits = renderTable(
    [{ header: 'split', align: 'left' }, { header: 'images' }, { header: 'rows' }, { header: 'cols' }, { header: 'load (ms)' }, { header: 'files', align: 'left' }],
    names.map((n) => {
      const s = report.splits[n]!;
      return [n, String(s.count), String(s.rows), String(s.cols), fmt(s.loadMs, 1), (report.files[n] ?? []).join(', ')];
    }),
    style,
    width,
    'wrap',
  );
  const labels = renderTable(
    [{ header: 'label', align: 'left' }, ...names.map((n) => ({ header: n }))],
    Array.from({ length: classes }, (_, k) => [String(k), ...names.map((n) => String(report.splits[n]!.labelCounts[k]))]),
    style,
    width,
  );
  return `${head}\n${splits}\n${labels}`;
}
