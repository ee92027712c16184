// src/io/files.ts, the one module that touches the disk: the atomic writer under short writes, full and
// read-only disks (an injected FsLayer, and a real tmpfs where the test may mount one), the read guard
// (regular files only, a cap per caller, checked on the opened fd), the fs-error classifier, the bounded
// gunzip, and relative paths in a deleted working folder.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as os from 'node:os';
import * as zlib from 'node:zlib';
import { ExitCode, MnistLossError } from '../../../src/errors';
import {
  absolutePath, describePath, fsError, gunzipAnnounced, NODE_FS, prepareOutput, probeFile, readBytes, readPartially, readSiblingFile,
  writeFileAtomic, type FsLayer,
} from '../../../src/io/files';
import { userErrorOf } from '../../helpers/cli';
import { makeTempDir, removeDir } from '../../helpers/idxFixture';
import { fillDisk, mountTmpfs } from '../../helpers/tmpfs';

const dirs: string[] = [];
const tempDir = () => { const d = makeTempDir(); dirs.push(d); return d; };
afterAll(() => dirs.forEach(removeDir));

const errnoError = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
/** node:fs with some calls replaced. */
const layerWith = (over: Partial<FsLayer>): FsLayer => ({ ...NODE_FS, ...over });
/** The bytes 0, 1, ..., n-1 (mod 256): a short write would leave a visibly different file. */
const ramp = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 256);
const tempFilesIn = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));

describe('writeFileAtomic: every byte or nothing, the old file kept on any failure', () => {
  it('loops over short writes: a disk that takes at most 7 bytes per call still gets all 1000 bytes', () => {
    const dir = tempDir();
    const file = path.join(dir, 'out.bin');
    const calls: number[] = [];
    const short = layerWith({ writeSync: (fd, from, offset, length) => { calls.push(length); return fs.writeSync(fd, from, offset, Math.min(7, length)); } });
    writeFileAtomic(file, ramp(1000), short);
    expect(Array.from(fs.readFileSync(file))).toEqual(Array.from(ramp(1000)));
    expect(calls.length).toBe(Math.ceil(1000 / 7)); // 143 calls: 142 of 7 bytes and one of 6
    expect(tempFilesIn(dir)).toEqual([]);
  });

  // each way the disk can fail: the old file must survive byte for byte, no temp file left, exit 3 with a hint
  const failures: [string, (written: { n: number }) => Partial<FsLayer>, RegExp][] = [
    ['a write that makes no progress (returns 0) after 100 bytes', (w) => ({
      writeSync: (fd, from, offset, length) => { if (w.n >= 100) return 0; const n = fs.writeSync(fd, from, offset, Math.min(length, 100 - w.n)); w.n += n; return n; },
    }), /disk full \(the disk took 100 of 1000 bytes\)/],
    ['ENOSPC after 300 bytes', (w) => ({
      writeSync: (fd, from, offset, length) => { if (w.n >= 300) throw errnoError('ENOSPC'); const n = fs.writeSync(fd, from, offset, Math.min(length, 300)); w.n += n; return n; },
    }), /: disk full$/],
    ['EDQUOT', () => ({ writeSync: () => { throw errnoError('EDQUOT'); } }), /disk quota exceeded/],
    ['an fsync that fails with EIO', () => ({ fsyncSync: () => { throw errnoError('EIO'); } }), /I\/O error/],
    ['a file system that reports fewer bytes than written', () => ({ fstatSync: (fd) => Object.assign(fs.fstatSync(fd), { size: 999 }) }), /holds 999 bytes, expected 1000/],
    ['a close that fails (NFS reports write errors there)', () => ({ closeSync: (fd) => { fs.closeSync(fd); throw errnoError('EIO'); } }), /I\/O error/],
    ['a rename that fails', () => ({ renameSync: () => { throw errnoError('EACCES'); } }), /permission denied/],
  ];
  it.each(failures)('%s', (_, make, message) => {
    const dir = tempDir();
    const file = path.join(dir, 'model.safetensors');
    fs.writeFileSync(file, 'the old model');
    const e = userErrorOf(() => writeFileAtomic(file, ramp(1000), layerWith(make({ n: 0 }))), ExitCode.Data);
    expect(e.message).toMatch(/^cannot write .*model\.safetensors: /);
    expect(e.message).toMatch(message);
    expect(fs.readFileSync(file, 'utf8')).toBe('the old model');
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('keeps an existing file\'s mode (0600 stays 0600, 0640 stays 0640); a new file gets the usual mode', () => {
    const dir = tempDir();
    for (const mode of [0o600, 0o640, 0o755]) {
      const file = path.join(dir, `m${mode.toString(8)}`);
      fs.writeFileSync(file, 'old');
      fs.chmodSync(file, mode);
      writeFileAtomic(file, 'new');
      expect([fs.readFileSync(file, 'utf8'), fs.statSync(file).mode & 0o7777]).toEqual(['new', mode]);
    }
    const fresh = path.join(dir, 'fresh');
    const reference = path.join(dir, 'reference');
    writeFileAtomic(fresh, 'x');
    fs.writeFileSync(reference, 'x'); // 0666 minus the umask, as any tool creates files
    expect(fs.statSync(fresh).mode & 0o7777).toBe(fs.statSync(reference).mode & 0o7777);
  });

  it('writes through a symlink: the link stays a link, its target gets the bytes (also a link into another folder)', () => {
    const dir = tempDir();
    const other = tempDir();
    const target = path.join(other, 'real.svg');
    fs.writeFileSync(target, 'old');
    fs.chmodSync(target, 0o600);
    const link = path.join(dir, 'link.svg');
    fs.symlinkSync(target, link);
    writeFileAtomic(link, 'new');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.statSync(target).mode & 0o7777).toBe(0o600);
    expect([tempFilesIn(dir), tempFilesIn(other)]).toEqual([[], []]);
  });

  it('refuses targets that are not a regular file or a new name, before writing anything', () => {
    const dir = tempDir();
    const folder = path.join(dir, 'folder.svg');
    fs.mkdirSync(folder);
    const fifo = path.join(dir, 'fifo.svg');
    execFileSync('mkfifo', [fifo]);
    fs.symlinkSync('loop-b.svg', path.join(dir, 'loop-a.svg'));
    fs.symlinkSync('loop-a.svg', path.join(dir, 'loop-b.svg'));
    fs.symlinkSync(path.join(dir, 'missing', 'x.svg'), path.join(dir, 'broken.svg'));
    const cases: [string, RegExp][] = [
      [folder, /it is a folder, expected a regular file or a new file name/],
      [fifo, /it is a named pipe \(FIFO\)/],
      [path.join(dir, 'loop-a.svg'), /symlink loop/],
      [path.join(dir, 'broken.svg'), /broken symlink/],
      [path.join(dir, 'missing', 'x.svg'), /folder .*missing does not exist/],
      [path.join(fifo, 'x.svg'), /not found: a part of the path before the last is a file/],
      [path.join(dir, `${'n'.repeat(300)}.svg`), /too long/],
    ];
    for (const [file, message] of cases) {
      for (const write of [() => writeFileAtomic(file, 'x'), () => prepareOutput(file)]) expect(userErrorOf(write, ExitCode.Data).message).toMatch(message);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['broken.svg', 'fifo.svg', 'folder.svg', 'loop-a.svg', 'loop-b.svg']);
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('refuses a character device as a target (as root, a rename would replace the device node)', () => {
    const dir = tempDir();
    const device = path.join(dir, 'null.svg');
    try {
      execFileSync('mknod', [device, 'c', '1', '3'], { stdio: 'pipe' });
    } catch {
      return; // mknod needs root: /dev/null itself is never used as a target here, on purpose
    }
    expect(userErrorOf(() => writeFileAtomic(device, 'x')).message).toMatch(/it is a character device/);
    expect(fs.statSync(device).isCharacterDevice()).toBe(true);
  });
});

describe('prepareOutput: the target can be written, checked before a long run', () => {
  it('leaves nothing behind and does not touch an existing file', () => {
    const dir = tempDir();
    prepareOutput(path.join(dir, 'new.svg'));
    fs.writeFileSync(path.join(dir, 'old.svg'), 'old');
    prepareOutput(path.join(dir, 'old.svg'));
    expect(fs.readdirSync(dir)).toEqual(['old.svg']);
    expect(fs.readFileSync(path.join(dir, 'old.svg'), 'utf8')).toBe('old');
  });

  it('a folder that does not take new files (/proc) is a data error', () => {
    expect(userErrorOf(() => prepareOutput('/proc/mnist-loss-test.svg')).message).toMatch(/^cannot write \/proc\/mnist-loss-test\.svg: /);
  });

  it('classifies what creating the temp file reports (EACCES, EPERM, EROFS, ENOSPC)', () => {
    const dir = tempDir();
    const cases: [string, RegExp][] = [['EACCES', /permission denied/], ['EPERM', /not permitted/], ['EROFS', /read-only file system/], ['ENOSPC', /disk full/]];
    for (const [code, message] of cases) {
      const layer = layerWith({ openSync: () => { throw errnoError(code); } });
      expect(userErrorOf(() => prepareOutput(path.join(dir, 'x.svg'), layer)).message).toMatch(message);
    }
  });
});

describe('a real tmpfs: full and read-only', () => {
  const mounted = mountTmpfs('64k');
  const skip = 'reason' in mounted ? ` (skipped: ${mounted.reason})` : '';
  const run = 'reason' in mounted ? it.skip : it;
  afterAll(() => { if (!('reason' in mounted)) mounted.unmount(); });

  run(`a full disk: 100 KB into 64 KB fails with "disk full", the old file intact byte for byte, no temp file${skip}`, () => {
    if ('reason' in mounted) return;
    const file = path.join(mounted.dir, 'model.safetensors');
    fs.writeFileSync(file, ramp(3000));
    const e = userErrorOf(() => writeFileAtomic(file, ramp(100_000)));
    expect(e.message).toMatch(/model\.safetensors: disk full/);
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(ramp(3000)))).toBe(0);
    expect(tempFilesIn(mounted.dir)).toEqual([]);
    fillDisk(mounted.dir);
    expect(userErrorOf(() => writeFileAtomic(file, ramp(10))).message).toMatch(/disk full/);
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(ramp(3000)))).toBe(0);
    expect(tempFilesIn(mounted.dir)).toEqual([]);
    fs.unlinkSync(path.join(mounted.dir, 'fill'));
  });

  run(`a read-only file system: prepareOutput and writeFileAtomic both say so${skip}`, () => {
    if ('reason' in mounted) return;
    const file = path.join(mounted.dir, 'model.safetensors');
    mounted.readOnly();
    for (const f of [() => prepareOutput(file), () => writeFileAtomic(file, 'x'), () => prepareOutput(path.join(mounted.dir, 'new.svg'))])
      expect(userErrorOf(f).message).toMatch(/read-only file system/);
  });
});

describe('readBytes / readPartially: regular files only, at most the caller\'s cap', () => {
  const dir = tempDir();
  const fifo = path.join(dir, 'fifo.npy');
  execFileSync('mkfifo', [fifo]);
  fs.symlinkSync('loop-b', path.join(dir, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(dir, 'loop-b'));
  fs.symlinkSync(path.join(dir, 'nothing'), path.join(dir, 'broken'));
  fs.symlinkSync('/dev/zero', path.join(dir, 'zero.npy'));
  const socket = path.join(dir, 'socket');
  let server: net.Server;
  beforeAll(() => new Promise<void>((resolve) => { server = net.createServer().listen(socket, resolve); }));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const refused: [string, () => string, RegExp][] = [
    ['a folder', () => dir, /is a folder, expected a regular file/],
    ['a FIFO (opening it must not wait for a writer)', () => fifo, /is a named pipe \(FIFO\)/],
    ['/dev/zero (endless)', () => '/dev/zero', /is a character device/],
    ['/dev/null', () => '/dev/null', /is a character device/],
    ['a symlink to /dev/zero', () => path.join(dir, 'zero.npy'), /zero\.npy is a character device/],
    ['a socket', () => socket, /is a socket/],
    ['a symlink loop', () => path.join(dir, 'loop-a'), /symlink loop/],
    ['a broken symlink', () => path.join(dir, 'broken'), /is a broken symlink/],
    ['a missing file', () => path.join(dir, 'absent'), /^thing not found: /],
    ['a path through a file', () => path.join(fifo, 'x'), /not found: a part of the path before the last is a file/],
    ['a name too long for the file system', () => path.join(dir, 'n'.repeat(300)), /too long/],
  ];
  it.each(refused)('refuses %s with a hint, by either reader', (_, file, message) => {
    expect(userErrorOf(() => readBytes(file(), 'thing', 1000)).message).toMatch(message);
    expect(userErrorOf(() => readPartially(file(), 16, 'thing', 1000, () => 'read')).message).toMatch(message);
  });

  it('refuses a file above the cap before reading it (a sparse 3 GiB file), accepts one exactly at the cap', () => {
    const big = path.join(dir, 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 3 * 1024 ** 3);
    const e = userErrorOf(() => readBytes(big, 'model file', 2 * 1024 ** 3));
    expect(e.message).toBe(`model file ${big} is 3221225472 bytes, more than the 2 GiB mnist-loss reads for model files`);
    const reads: number[] = [];
    const counting = layerWith({ readSync: (...a) => { reads.push(1); return fs.readSync(...a); } });
    userErrorOf(() => readBytes(big, 'model file', 100, counting));
    expect(reads).toEqual([]);
    const ten = path.join(dir, 'ten.bin');
    fs.writeFileSync(ten, ramp(10));
    expect(Array.from(readBytes(ten, 'thing', 10))).toEqual(Array.from(ramp(10)));
    expect(userErrorOf(() => readBytes(ten, 'thing', 9)).message).toMatch(/ten\.bin is 10 bytes, more than the 9 bytes mnist-loss reads/);
  });

  it('checks and reads the same opened file: fstat and every read use the fd open returned, no stat by name', () => {
    const file = path.join(dir, 'ramp.bin');
    fs.writeFileSync(file, ramp(300));
    const log: string[] = [];
    const layer = layerWith({
      openSync: (f, flags) => { const fd = fs.openSync(f, flags); log.push(`open=${fd}`); return fd; },
      fstatSync: (fd) => { log.push(`fstat=${fd}`); return fs.fstatSync(fd); },
      statSync: (f) => { log.push('stat'); return fs.statSync(f); },
      readSync: (fd, into, offset, length, position) => { log.push(`read=${fd}`); return fs.readSync(fd, into, offset, Math.min(length, 128), position); },
    });
    expect(Array.from(readBytes(file, 'thing', 1000, layer))).toEqual(Array.from(ramp(300)));
    const fd = log[0].slice('open='.length);
    expect(log).toEqual([`open=${fd}`, `fstat=${fd}`, `read=${fd}`, `read=${fd}`, `read=${fd}`]); // 128 + 128 + 44 bytes
  });

  it('a file that shrinks while it is read is a data error, not a short result', () => {
    const file = path.join(dir, 'shrinks.bin');
    fs.writeFileSync(file, ramp(100));
    const layer = layerWith({ fstatSync: (fd) => Object.assign(fs.fstatSync(fd), { size: 150 }) });
    expect(userErrorOf(() => readBytes(file, 'thing', 1000, layer)).message).toMatch(/ended at byte 100, expected 150/);
  });

  it('errors while reading get the classifier\'s words and a hint (EIO, EACCES on open)', () => {
    const file = path.join(dir, 'ramp.bin');
    expect(userErrorOf(() => readBytes(file, 'thing', 1000, layerWith({ readSync: () => { throw errnoError('EIO'); } }))).message).toMatch(/^thing .*ramp\.bin: I\/O error$/);
    expect(userErrorOf(() => readBytes(file, 'thing', 1000, layerWith({ openSync: () => { throw errnoError('EACCES'); } }))).message).toMatch(/^thing .*ramp\.bin: permission denied$/);
  });

  it('escapes control characters in a quoted path', () => {
    const e = userErrorOf(() => readBytes(path.join(dir, 'bad\nname\x1b[31m'), 'thing', 10));
    expect(e.message).toMatch(/bad\\nname\\x1b\[31m$/);
    expect(e.message).not.toMatch(/[\n\x1b]/);
  });
});

describe('fsError: one classifier, every code gets words and a hint', () => {
  it.each([
    ['ENOENT', 'read', /^model file not found: m$/], ['EISDIR', 'read', /is a folder/], ['ELOOP', 'read', /symlink loop/],
    ['EACCES', 'read', /permission denied/], ['EPERM', 'read', /not permitted/], ['EIO', 'read', /I\/O error/],
    ['ENAMETOOLONG', 'read', /too long/], ['ENOTDIR', 'read', /not found: a part of the path/], ['EMFILE', 'read', /too many open files/],
    ['ENOSPC', 'write', /^cannot write m: disk full$/], ['EROFS', 'write', /read-only file system/], ['EFBIG', 'write', /too large/],
    ['EWHATEVER', 'read', /^model file m: EWHATEVER: /],
  ] as const)('%s (%s)', (code, op, message) => {
    const e = fsError(errnoError(code), 'm', 'model file', op);
    expect(e).toBeInstanceOf(MnistLossError);
    expect(e.exitCode).toBe(ExitCode.Data);
    expect(e.message).toMatch(message);
    expect(e.hint).toBeTruthy();
  });
});

describe('describePath / probeFile: what a path is, never "missing" for something that is there', () => {
  it('names each kind', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    fs.symlinkSync('loop', path.join(dir, 'loop'));
    fs.symlinkSync('nothing', path.join(dir, 'broken'));
    const kinds = ['file', 'fifo', 'loop', 'broken', 'absent'].map((n) => describePath(path.join(dir, n), 'x'));
    expect([...kinds, describePath(dir, 'x'), describePath('/dev/null', 'x')]).toEqual(
      ['a regular file', 'a named pipe (FIFO)', 'a symlink loop', 'a broken symlink', 'missing', 'a folder', 'a character device'],
    );
    expect(probeFile(path.join(dir, 'file'), 'x')).toBe('file');
    expect(probeFile(path.join(dir, 'absent'), 'x')).toBe('missing');
    expect((probeFile(path.join(dir, 'fifo'), 'MNIST image file') as MnistLossError).message).toMatch(/^MNIST image file .*fifo is a named pipe \(FIFO\), expected a regular file$/);
  });
});

describe('gunzipAnnounced: inflates no more than the header announces', () => {
  // An IDX-like header: 4 bytes announcing the total size (big-endian), then data.
  const announced = (head: Uint8Array) => new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
  const withHeader = (size: number, data: Uint8Array) => {
    const out = new Uint8Array(4 + data.length);
    new DataView(out.buffer).setUint32(0, size);
    out.set(data, 4);
    return out;
  };

  it('returns the data when it inflates to exactly the announced size', () => {
    const raw = withHeader(1004, ramp(1000));
    expect(Array.from(gunzipAnnounced(zlib.gzipSync(raw), 'x.gz', 4, 1 << 20, announced))).toEqual(Array.from(raw));
  });

  it('a bomb announcing 1004 bytes and inflating to 64 MiB stops at 1004', () => {
    const bomb = zlib.gzipSync(withHeader(1004, new Uint8Array(64 * 1024 * 1024))); // ~65 KB compressed
    expect(userErrorOf(() => gunzipAnnounced(bomb, 'bomb.gz', 4, 512 * 1024 * 1024, announced)).message).toBe(
      'bomb.gz: gzip data inflates to more than the 1004 bytes its header announces',
    );
  });

  it('a header announcing more than the cap is refused before the data is inflated', () => {
    const sizes: number[] = [];
    const huge = zlib.gzipSync(withHeader(0xffffffff, new Uint8Array(64 * 1024 * 1024)));
    // the header step inflates only a 4 KiB prefix (at most ~4 MiB of zeros), under the 16 MiB cap; the 64 MiB never
    const e = userErrorOf(() => gunzipAnnounced(huge, 'huge.gz', 4, 16 << 20, (h) => { sizes.push(h.length); return announced(h); }));
    expect(e.message).toBe('huge.gz: its header announces 4294967295 bytes, more than the 16 MiB mnist-loss reads for this file');
    expect(sizes).toEqual([4]); // sizeOf saw only the 4-byte head
  });

  it('even the header step is bounded by the cap: a stream inflating past it within its first 4 KiB is refused', () => {
    const bomb = zlib.gzipSync(new Uint8Array(8 * 1024 * 1024)); // 8 MiB of zeros in ~8 KB
    expect(userErrorOf(() => gunzipAnnounced(bomb, 'b.gz', 4, 1024, announced)).message).toBe('b.gz: gzip data inflates to more than 1024 bytes, the most mnist-loss reads for this file');
  });

  it('truncated or corrupt gzip data is a data error', () => {
    const gz = zlib.gzipSync(withHeader(1004, ramp(1000)));
    expect(userErrorOf(() => gunzipAnnounced(gz.subarray(0, gz.length - 8), 'cut.gz', 4, 1 << 20, announced)).message).toMatch(/^cut\.gz: corrupt or truncated gzip data/);
    // cut before the header's 4 bytes came out: still "truncated gzip", not a 0-byte header
    for (const cut of [7, 10, 12]) expect(userErrorOf(() => gunzipAnnounced(gz.subarray(0, cut), 'cut.gz', 4, 1 << 20, announced)).message).toMatch(/^cut\.gz: corrupt or truncated gzip data/);
  });
});

describe('absolutePath: a deleted working folder', () => {
  it('is a data error with a hint for a relative path; an absolute path still resolves', () => {
    const start = process.cwd();
    const gone = makeTempDir();
    process.chdir(gone);
    fs.rmdirSync(gone);
    try {
      const e = userErrorOf(() => absolutePath('data'));
      expect(e.message).toBe('cannot find data: the current folder no longer exists (deleted or moved)');
      expect(e.hint).toMatch(/cd to an existing folder/);
      expect(absolutePath('/tmp/x')).toBe('/tmp/x');
      expect(userErrorOf(() => readBytes('model.safetensors', 'model file', 10)).message).toMatch(/current folder no longer exists/);
      expect(userErrorOf(() => writeFileAtomic('out.svg', 'x')).message).toMatch(/current folder no longer exists/);
    } finally {
      process.chdir(start);
    }
  });
});

describe('readSiblingFile: files a model names beside itself', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-loss-sibling-'));
    fs.mkdirSync(path.join(dir, 'm'));
    fs.writeFileSync(path.join(dir, 'm', 'model.onnx'), 'x');
    fs.writeFileSync(path.join(dir, 'm', 'model.onnx.data'), 'weights');
    fs.mkdirSync(path.join(dir, 'm', 'shards'));
    fs.writeFileSync(path.join(dir, 'm', 'shards', 'group1-shard1of1.bin'), 'shard');
    fs.writeFileSync(path.join(dir, 'secret'), 'outside');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const model = () => path.join(dir, 'm', 'model.onnx');

  it('reads a file in the folder or below it', () => {
    expect(Buffer.from(readSiblingFile(model(), 'model.onnx.data', 'external data', 100)).toString()).toBe('weights');
    expect(Buffer.from(readSiblingFile(model(), 'shards/group1-shard1of1.bin', 'weight shard', 100)).toString()).toBe('shard');
  });

  it('refuses absolute names, .. and symlinks out of the folder, before opening anything', () => {
    fs.symlinkSync(path.join(dir, 'secret'), path.join(dir, 'm', 'link.data'));
    for (const [name, why] of [
      ['/etc/passwd', /an absolute path/], ['../secret', /climbs out/], ['../../etc/passwd', /climbs out/], ['shards/../../secret', /climbs out/],
      ['link.data', /resolves to .*secret, outside the model's folder/], ['', /not a file name/], ['a\u0000b', /not a file name/],
    ] as const) {
      const e = userErrorOf(() => readSiblingFile(model(), name, 'external data', 100));
      expect(e.message).toMatch(why);
      expect(e.message).not.toMatch(/\u0000/);
    }
  });

  it('a missing sibling or one over the cap is exit 3 naming it', () => {
    expect(userErrorOf(() => readSiblingFile(model(), 'nope.data', 'external data', 100)).message).toMatch(/not found.*nope\.data/);
    expect(userErrorOf(() => readSiblingFile(model(), 'model.onnx.data', 'external data', 3)).message).toMatch(/model\.onnx\.data/);
  });
});
