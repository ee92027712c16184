// Issue 7's file-system defects end to end, through the built CLI: a full disk never replaces a model or
// plot with a truncated one (D1), an unwritable --out/--plot fails before the work (D12), only regular files
// within a size cap are read (D5), gzip bombs stop at their header's size (D3), empty splits are data
// errors (D10, D17), every fs error has a hint and says what a path is (D14, D15), and a deleted working
// folder is a user error (D23). Every failure must be one "mnist-loss:" line, one "hint:" line, exit 3.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeIdx } from '../../src/io/idx';
import { BIN, cliEnv, expectUserError, requireBuiltCli, runCli } from '../helpers/cli';
import { fixtureSplit, makeTempDir, removeDir, writeBytes, writeFixtureDir, writeSplit } from '../helpers/idxFixture';
import { fillDisk, mountTmpfs } from '../helpers/tmpfs';

const run = (args: string[]) => runCli(args);
const ramp = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 256);
const tempFilesIn = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));

let fixture: ReturnType<typeof writeFixtureDir>;
let tmp: string;
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12);
  tmp = makeTempDir();
});
afterAll(() => { removeDir(fixture.dir); removeDir(tmp); });

// Both writers: train --out (a 784-50-10 model: 159,624 bytes) and sweep --plot (an SVG of some KB).
const TRAIN = (out: string, data = fixture.dir) => ['train', '--data', data, '--epochs', '0', '--batch-size', '5', '--out', out];
const SWEEP = (plot: string, data = fixture.dir) => ['sweep', '--data', data, '--param', 'auto', '--size', '5', '--steps', '5', '--plot', plot];

describe('D1: a full disk leaves the old file byte for byte and exits 3 (a real 64 KiB tmpfs)', () => {
  const mounted = mountTmpfs('64k');
  const skip = 'reason' in mounted ? ` (skipped: ${mounted.reason})` : '';
  afterAll(() => { if (!('reason' in mounted)) mounted.unmount(); });

  it.each([
    ['train --out', 'model.safetensors', TRAIN],
    ['sweep --plot', 'plot.svg', SWEEP],
  ])(`%s${skip}`, (_, name, args) => {
    if ('reason' in mounted) return;
    const file = path.join(mounted.dir, name);
    const old = ramp(3000);
    fs.writeFileSync(file, old);
    fillDisk(mounted.dir);
    try {
      const r = runCli(args(file));
      // train has printed its report by then (the run is done); stderr is still exactly the error and its hint
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^mnist-loss: cannot write [^\n]*: disk full\nhint: [^\n]+\n$/);
      expect(Buffer.compare(fs.readFileSync(file), Buffer.from(old))).toBe(0);
      expect(tempFilesIn(mounted.dir)).toEqual([]);
    } finally {
      fs.rmSync(path.join(mounted.dir, 'fill'), { force: true });
    }
  });
});

describe('D12: an unwritable --out or --plot fails before the data is even loaded', () => {
  // --data names a missing folder: had the run started, that would be the error; the output's error comes first
  const missingData = () => path.join(tmp, 'no-data-here');

  /** A target for train (.safetensors) and one for sweep (.svg), made by `make(file)` for each. */
  const targets = (base: string, make: (file: string) => void) => {
    const both = { out: `${base}.safetensors`, plot: `${base}.svg` };
    make(both.out);
    make(both.plot);
    return both;
  };
  it.each([
    ['a folder with the file\'s name', () => targets(path.join(tmp, 'taken'), (f) => fs.mkdirSync(f)), /it is a folder/],
    ['a folder that does not take new files (/proc)', () => targets('/proc/mnist-loss-test', () => undefined), /^mnist-loss: cannot write \/proc\/mnist-loss-test\./],
    ['a broken symlink', () => targets(path.join(tmp, 'broken'), (f) => fs.symlinkSync(path.join(tmp, 'gone', 'x'), f)), /broken symlink/],
    ['a FIFO', () => targets(path.join(tmp, 'fifo'), (f) => execFileSync('mkfifo', [f])), /it is a named pipe/],
  ])('%s', (_, make, message) => {
    const { out, plot } = make();
    expectUserError(run(TRAIN(out, missingData())), 3, message);
    expectUserError(run(SWEEP(plot, missingData())), 3, message);
  });

  it('sweep --plot into a missing folder (train\'s --out check for it is a usage error, exit 2, in cli/train/spec.ts)', () => {
    expectUserError(run(SWEEP(path.join(tmp, 'missing', 'p.svg'), missingData())), 3, /folder .*missing does not exist/);
  });

  const mounted = mountTmpfs('64k');
  const skip = 'reason' in mounted ? ` (skipped: ${mounted.reason})` : '';
  afterAll(() => { if (!('reason' in mounted)) mounted.unmount(); });
  it(`a read-only file system (a tmpfs remounted ro: chmod does not stop root, this does)${skip}`, () => {
    if ('reason' in mounted) return;
    mounted.readOnly();
    expectUserError(run(TRAIN(path.join(mounted.dir, 'm.safetensors'), missingData())), 3, /read-only file system/);
    expectUserError(run(SWEEP(path.join(mounted.dir, 'p.svg'), missingData())), 3, /read-only file system/);
  });

  it('a writable --out still works, and the check leaves nothing behind', () => {
    const out = path.join(tmp, 'ok', 'm.safetensors');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    expect(run(TRAIN(out)).status).toBe(0);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['m.safetensors']);
  });
});

describe('D5: only regular files are read, each format within its cap', () => {
  let odd: Record<string, string>;
  beforeAll(() => {
    const dir = path.join(tmp, 'odd');
    fs.mkdirSync(dir);
    const p = (n: string) => path.join(dir, n);
    execFileSync('mkfifo', [p('fifo.safetensors')]);
    execFileSync('mkfifo', [p('y.csv')]);
    execFileSync('mkfifo', [p('t.json')]);
    fs.symlinkSync('/dev/zero', p('zero.npy'));
    fs.symlinkSync('loop.safetensors', p('loop.safetensors'));
    fs.mkdirSync(p('folder.safetensors'));
    fs.writeFileSync(p('big.safetensors'), '');
    fs.truncateSync(p('big.safetensors'), 2 * 1024 ** 3); // sparse: 2 GiB, above the cap of 2 GiB - 1 MiB
    fs.writeFileSync(p('big.npy'), '');
    fs.truncateSync(p('big.npy'), 256 * 1024 ** 2 + 1);
    odd = Object.fromEntries(fs.readdirSync(dir).map((n) => [n, p(n)]));
  });

  it.each([
    ['a FIFO (must not wait for a writer)', 'fifo.safetensors', /is a named pipe \(FIFO\), expected a regular file/],
    ['/dev/zero', '/dev/zero', /is a character device/],
    ['/dev/null', '/dev/null', /is a character device/],
    ['a folder', 'folder.safetensors', /is a folder/],
    ['a symlink loop', 'loop.safetensors', /symlink loop/],
    ['a sparse 2 GiB file', 'big.safetensors', /is 2147483648 bytes, more than the 2047 MiB mnist-loss reads for model files/],
  ])('eval --model %s', (_, name, message) => {
    expectUserError(run(['eval', '--model', odd[name] ?? name, '--data', fixture.dir]), 3, message);
  });

  it.each([
    ['--y, a symlink to /dev/zero', ['--y', 'zero.npy', '--t', '0'], /zero\.npy is a character device/],
    ['--y, a FIFO', ['--y', 'y.csv', '--t', '0'], /y\.csv is a named pipe/],
    ['--y, a sparse file above 256 MiB', ['--y', 'big.npy', '--t', '0'], /is 268435457 bytes, more than the 256 MiB mnist-loss reads for prediction files/],
    ['--t, a FIFO', ['--y', '0.5,0.5', '--t', 't.json'], /t\.json is a named pipe/],
  ])('loss %s', (_, args, message) => {
    expectUserError(run(['loss', ...args.map((a) => odd[a] ?? a)]), 3, message);
  });
});

describe('D14/D15: an IDX file that is not a regular file says what it is, with a hint', () => {
  it.each([
    ['a FIFO', (f: string) => execFileSync('mkfifo', [f]), /is a named pipe \(FIFO\)/],
    ['a folder', (f: string) => fs.mkdirSync(f), /is a folder/],
    ['a symlink loop', (f: string) => fs.symlinkSync(path.basename(f), f), /is a symlink loop/],
    ['a symlink to /dev/null', (f: string) => fs.symlinkSync('/dev/null', f), /is a character device/],
    ['a broken symlink', (f: string) => fs.symlinkSync('nowhere', f), /is a broken symlink/],
  ])('%s, for info, batch and eval', (_, make, message) => {
    const dir = makeTempDir();
    try {
      writeSplit(dir, 'train', fixtureSplit(3));
      writeSplit(dir, 'test', fixtureSplit(3));
      for (const name of ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte']) { fs.unlinkSync(path.join(dir, name)); make(path.join(dir, name)); }
      for (const args of [['info'], ['batch'], ['eval', '--size', '2']]) expectUserError(run([...args, '--data', dir]), 3, message);
    } finally {
      removeDir(dir);
    }
  });
});

describe('D3: a gzipped IDX file is inflated no further than its header announces', () => {
  it('a bomb (1 image announced, 64 MiB of zeros inflated) stops at 800 bytes; a header announcing 4e9 images is refused from the header', () => {
    const dir = makeTempDir();
    try {
      writeSplit(dir, 'train', fixtureSplit(1), { gzip: true });
      const images = path.join(dir, 'train-images-idx3-ubyte.gz');
      const header = serializeIdx([1, 28, 28], new Uint8Array(784)).subarray(0, 16);
      const bomb = new Uint8Array(16 + 64 * 1024 * 1024);
      bomb.set(header);
      writeBytes(images, bomb, true);
      expectUserError(run(['info', '--data', dir]), 3, /train-images-idx3-ubyte\.gz: gzip data inflates to more than the 800 bytes its header announces/);
      new DataView(bomb.buffer).setUint32(4, 4_000_000_000);
      writeBytes(images, bomb, true);
      expectUserError(run(['batch', '--data', dir]), 3, /its header announces 3136000000016 bytes, more than the 512 MiB mnist-loss reads/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('D10/D17: an empty split is a data error for every command that needs images; info reports 0', () => {
  let empty: string;
  beforeAll(() => {
    empty = makeTempDir();
    writeSplit(empty, 'train', fixtureSplit(0));
    writeSplit(empty, 'test', fixtureSplit(0));
  });
  afterAll(() => removeDir(empty));

  const commands = [
    ['batch'], ['batch', '--size', '3'], ['loss', '--y', '0.5,0.5', '--t', 'train'], ['eval'], ['eval', '--size', '3'], ['train'],
    ['gradcheck'], ['sweep', '--param', 'auto'], ['probe'], ['demo'],
  ];
  it.each(commands.map((c) => [c.join(' '), c] as const))('%s', (_, args) => {
    const r = run([...args, '--data', empty]);
    expectUserError(r, 3, /-images-idx3-ubyte: no images to use: its header says 0 images of 28x28 pixels/);
    expect(r.stderr).toMatch(/\nhint: the file holds no images/);
    expect(r.stderr).not.toMatch(/from 1 to 0/);
  });

  it('info reports both splits with 0 images, exit 0', () => {
    const r = run(['info', '--data', empty, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).splits).toMatchObject({ train: { count: 0 }, test: { count: 0 } });
  });
});

describe('D23: a relative path in a deleted working folder is a user error with a hint, not a stack', () => {
  /** Runs the CLI from a folder that is deleted just before node starts. */
  const inDeletedFolder = (args: string[]) => {
    const dir = makeTempDir();
    const quoted = [BIN, ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('sh', ['-c', `cd '${dir}' && rmdir '${dir}' && exec '${process.execPath}' ${quoted}`], { encoding: 'utf8', env: cliEnv() });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it.each([
    ['info --data rel', ['info', '--data', 'rel'], 'rel'],
    ['eval --model rel.safetensors', ['eval', '--model', 'm.safetensors', '--data', '/nonexistent'], 'm.safetensors'],
    ['loss --y rel.npy', ['loss', '--y', 'y.npy', '--t', '0'], 'y.npy'],
    ['sweep --plot rel.svg', ['sweep', '--param', 'auto', '--plot', 'p.svg'], 'p.svg'],
  ])('%s', (_, args, name) => {
    const r = inDeletedFolder(args);
    expectUserError(r, 3, new RegExp(`^mnist-loss: cannot find ${name.replace('.', '\\.')}: the current folder no longer exists`));
    expect(r.stderr).toMatch(/\nhint: cd to an existing folder/);
  });
});
