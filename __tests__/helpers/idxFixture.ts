// Tiny MNIST-like IDX data sets for tests: deterministic pixels and labels written as IDX files
// (plain or gzipped, 'train-images-idx3-ubyte' or 'train-images.idx3-ubyte' names) into a temp folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { serializeIdx } from '../../src/io/idx';

export type NameStyle = 'dash' | 'dot';

export interface FixtureSplit {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/**
 * A deterministic split: pixel (i, r, c) = (i * 37 + r * cols + c) mod 256 and label i = (i * 3 + offset) mod 10,
 * so every image differs and a test can recompute any value by hand.
 */
export function fixtureSplit(count: number, rows = 28, cols = 28, labelOffset = 0): FixtureSplit {
  const D = rows * cols;
  const pixels = new Uint8Array(count * D);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < D; d++) pixels[i * D + d] = (i * 37 + d) % 256;
    labels[i] = (i * 3 + labelOffset) % 10;
  }
  return { count, rows, cols, pixels, labels };
}

/** The file names MNIST uses for a split in one naming style. */
export function idxNames(split: 'train' | 'test', style: NameStyle = 'dash', gzip = false): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  const sep = style === 'dash' ? '-' : '.';
  const gz = gzip ? '.gz' : '';
  return { images: `${prefix}-images${sep}idx3-ubyte${gz}`, labels: `${prefix}-labels${sep}idx1-ubyte${gz}` };
}

export function makeTempDir(prefix = 'mnist-loss-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes bytes, gzipped when asked. */
export function writeBytes(file: string, bytes: Uint8Array, gzip = false): void {
  fs.writeFileSync(file, gzip ? zlib.gzipSync(bytes) : bytes);
}

/** Writes one split's image and label IDX files into dir; returns the names used. */
export function writeSplit(
  dir: string,
  split: 'train' | 'test',
  data: FixtureSplit,
  opts: { style?: NameStyle; gzip?: boolean } = {},
): { images: string; labels: string } {
  const names = idxNames(split, opts.style, opts.gzip);
  writeBytes(path.join(dir, names.images), serializeIdx([data.count, data.rows, data.cols], data.pixels), opts.gzip);
  writeBytes(path.join(dir, names.labels), serializeIdx([data.count], data.labels), opts.gzip);
  return names;
}

/** A temp folder with a train split of `train` images and a test split of `test` images (28x28). */
export function writeFixtureDir(train = 30, test = 12, opts: { style?: NameStyle; gzip?: boolean } = {}): {
  dir: string;
  train: FixtureSplit;
  test: FixtureSplit;
} {
  const dir = makeTempDir();
  const trainSplit = fixtureSplit(train, 28, 28, 0);
  const testSplit = fixtureSplit(test, 28, 28, 1);
  writeSplit(dir, 'train', trainSplit, opts);
  writeSplit(dir, 'test', testSplit, opts);
  return { dir, train: trainSplit, test: testSplit };
}
