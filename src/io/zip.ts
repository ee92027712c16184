// A pure zip reader for numpy's .npz archives (np.savez: stored members, np.savez_compressed: deflate),
// following PKWARE APPNOTE.TXT 4.3 and what Python's zipfile writes (zip64 extras, zip64 end records).
// Every offset and size is checked against the archive before use and every member's CRC-32 is verified.
import { dataError, printable } from '../errors';
import { InflateError, inflateRawPrefix } from './inflatePrefix';
import { MAX_NPY_PREAMBLE_AND_HEADER_BYTES, parseNpy, readNpyHeader, type NpyArray } from './npy';

/** Raw-DEFLATE decoder (src/io/files.ts inflateRawBytes), injected so this module stays pure. */
export type InflateRaw = (bytes: Uint8Array, name: string, maxOutputLength?: number) => Uint8Array;

export interface ZipMember {
  readonly name: string;
  /** The member's uncompressed bytes, CRC-checked. */
  readonly bytes: Uint8Array;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_END64_LOCATOR = 0x07064b50;
const END_SIZE = 22;
const MAX_COMMENT = 0xffff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
/**
 * The most one .npz member may declare (uncompressed), and all members together: checked against the central
 * directory before anything is inflated. Far above any MLP over MNIST (the book's 784-50-100-10 is 0.2 MB).
 */
export const MAX_NPZ_MEMBER_BYTES = 256 * 1024 * 1024;
/** A central directory entry is at least 46 bytes: the entry count can be checked against the directory size. */
const CENTRAL_ENTRY_MIN = 46;
const HINT = 'the archive is damaged or not a numpy .npz: save it again with np.savez(path, W1=W1, b1=b1, ...)';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as zip and zlib.crc32 compute it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Bounds-checked little-endian reads: every out-of-range read is a dataError naming what was being read. */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly name: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(at: number, length: number, what: string): void {
    if (!(at >= 0 && length >= 0 && at + length <= this.bytes.length))
      throw dataError(`${this.name}: ${what} at byte ${at} (${length} bytes) runs past the end of the ${this.bytes.length}-byte archive (truncated?)`, HINT);
  }
  u16(at: number, what: string): number { this.need(at, 2, what); return this.view.getUint16(at, true); }
  u32(at: number, what: string): number { this.need(at, 4, what); return this.view.getUint32(at, true); }
  u64(at: number, what: string): number {
    this.need(at, 8, what);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw dataError(`${this.name}: ${what} is ${v}, beyond any real archive`, HINT);
    return Number(v);
  }
  slice(at: number, length: number, what: string): Uint8Array { this.need(at, length, what); return this.bytes.subarray(at, at + length); }
}

interface CentralEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Where the central directory is and how many entries it has (from the end record, or its zip64 twin). */
function readEnd(r: Reader): { count: number; cdOffset: number; cdSize: number } {
  const len = r.bytes.length;
  if (len < END_SIZE) throw dataError(`${r.name}: not a zip archive: ${len} bytes, shorter than a zip end record (22 bytes)`, HINT);
  // Scan back for the end record; its comment length must reach exactly to the end of the file.
  let end = -1;
  for (let at = len - END_SIZE; at >= Math.max(0, len - END_SIZE - MAX_COMMENT); at--)
    if (r.u32(at, 'end record') === SIG_END && at + END_SIZE + r.u16(at + 20, 'comment length') === len) { end = at; break; }
  if (end < 0) throw dataError(`${r.name}: not a zip archive (no end-of-central-directory record: the file is truncated or not a zip)`, HINT);
  if (r.u16(end + 4, 'disk number') !== 0 || r.u16(end + 6, 'central directory disk') !== 0)
    throw dataError(`${r.name}: multi-part (spanned) zip archives are not supported`, HINT);
  let count = r.u16(end + 10, 'entry count');
  let cdSize = r.u32(end + 12, 'central directory size');
  let cdOffset = r.u32(end + 16, 'central directory offset');
  // A zip64 end-record locator sits right before the end record; Python's zipfile then reads the zip64 record.
  const loc = end - 20;
  if (loc >= 0 && r.u32(loc, 'zip64 locator') === SIG_END64_LOCATOR) {
    const end64 = r.u64(loc + 8, 'zip64 end record offset');
    if (r.u32(end64, 'zip64 end record') !== SIG_END64)
      throw dataError(`${r.name}: zip64 end record expected at byte ${end64}, found signature 0x${r.u32(end64, 'zip64 end record').toString(16)}`, HINT);
    count = r.u64(end64 + 32, 'zip64 entry count');
    cdSize = r.u64(end64 + 40, 'zip64 central directory size');
    cdOffset = r.u64(end64 + 48, 'zip64 central directory offset');
  } else if (count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
    throw dataError(`${r.name}: the end record points to zip64 data but the zip64 locator is missing`, HINT);
  }
  r.need(cdOffset, cdSize, 'central directory');
  if (count * CENTRAL_ENTRY_MIN > cdSize)
    throw dataError(`${r.name}: the end record announces ${count} entries, more than a ${cdSize}-byte central directory can hold`, HINT);
  return { count, cdOffset, cdSize };
}

/** Sizes or offset that overflowed 32 bits, from the zip64 extra field (id 0x0001), in APPNOTE order. */
function applyZip64(r: Reader, extra: Uint8Array, extraAt: number, e: { size: number; compressedSize: number; localOffset?: number }, what: string): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = r.u16(extraAt + at, `${what} extra id`);
    const size = r.u16(extraAt + at + 2, `${what} extra size`);
    if (at + 4 + size > extra.length) throw dataError(`${r.name}: ${what}: extra field overruns its ${extra.length}-byte area`, HINT);
    if (id === 0x0001) {
      let p = extraAt + at + 4;
      const stop = p + size;
      const take = (field: string) => {
        if (p + 8 > stop) throw dataError(`${r.name}: ${what}: zip64 extra field is too short for the ${field}`, HINT);
        const v = r.u64(p, `${what} zip64 ${field}`);
        p += 8;
        return v;
      };
      if (e.size === U32_MAX) e.size = take('size');
      if (e.compressedSize === U32_MAX) e.compressedSize = take('compressed size');
      if (e.localOffset === U32_MAX) e.localOffset = take('local header offset');
      return;
    }
    at += 4 + size;
  }
}

function readCentral(r: Reader): CentralEntry[] {
  const { count, cdOffset, cdSize } = readEnd(r);
  const entries: CentralEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    const what = `central directory entry ${i + 1} of ${count}`;
    if (at + 46 > cdOffset + cdSize) throw dataError(`${r.name}: ${what} lies outside the central directory`, HINT);
    if (r.u32(at, what) !== SIG_CENTRAL) throw dataError(`${r.name}: ${what}: bad signature at byte ${at}`, HINT);
    const nameLength = r.u16(at + 28, what);
    const extraLength = r.u16(at + 30, what);
    const commentLength = r.u16(at + 32, what);
    const name = new TextDecoder('utf-8').decode(r.slice(at + 46, nameLength, `${what} name`));
    const e = {
      name,
      flags: r.u16(at + 8, what),
      method: r.u16(at + 10, what),
      crc: r.u32(at + 16, what),
      compressedSize: r.u32(at + 20, what),
      size: r.u32(at + 24, what),
      localOffset: r.u32(at + 42, what),
    };
    const extraAt = at + 46 + nameLength;
    applyZip64(r, r.slice(extraAt, extraLength, `${what} extra field`), extraAt, e, `member ${printable(name)}`);
    entries.push(e);
    at = extraAt + extraLength + commentLength;
  }
  return entries;
}

/** One member, located and checked but not yet read: its declared size can be judged before inflating. */
export interface ZipEntry {
  readonly name: string;
  /** The uncompressed size the central directory declares. */
  readonly size: number;
  /** The first min(n, size) uncompressed bytes (not CRC-checked: the whole member is not read). */
  prefix(n: number): Uint8Array;
  /** The whole member, inflated with at most its declared size of output, size- and CRC-checked. */
  bytes(): Uint8Array;
}

/**
 * Locates every member of a zip archive: end record (scanning back over a comment), zip64 records and
 * extras, central directory, local headers; methods 0 (stored) and 8 (deflate, via `inflateRaw`).
 * Refuses duplicate and encrypted members and a member or a total declaring more than maxBytes.
 * Throws dataError (exit 3) naming `name` and the member.
 */
export function readZipEntries(bytes: Uint8Array, name: string, inflateRaw: InflateRaw, maxBytes = MAX_NPZ_MEMBER_BYTES): ZipEntry[] {
  const r = new Reader(bytes, name);
  const seen = new Set<string>();
  let total = 0;
  return readCentral(r).map((e) => {
    const shown = printable(e.name);
    const where = `${name}: member ${shown}`;
    if (seen.has(e.name)) throw dataError(`${where} appears twice in the archive`, HINT);
    seen.add(e.name);
    if (e.flags & 0x1) throw dataError(`${where} is encrypted`, 'save the archive without a password');
    if (e.size > maxBytes)
      throw dataError(`${where} declares ${e.size} bytes uncompressed, more than the ${maxBytes}-byte limit for one member`, 'a model for MNIST is far smaller: check that this is the right file');
    total += e.size;
    if (total > maxBytes)
      throw dataError(`${name}: the members declare more than ${maxBytes} bytes together (limit reached at member ${shown})`, 'a model for MNIST is far smaller: check that this is the right file');
    if (r.u32(e.localOffset, `${shown} local header`) !== SIG_LOCAL)
      throw dataError(`${where}: no local header at byte ${e.localOffset} where the central directory points`, HINT);
    const nameLength = r.u16(e.localOffset + 26, `${shown} local header`);
    const extraLength = r.u16(e.localOffset + 28, `${shown} local header`);
    const localName = new TextDecoder('utf-8').decode(r.slice(e.localOffset + 30, nameLength, `${shown} local name`));
    if (localName !== e.name) throw dataError(`${where}: local header names it "${printable(localName)}"`, HINT);
    // Sizes come from the central directory: a local header may hold 0xFFFFFFFF or zeros (data descriptor).
    const stored = r.slice(e.localOffset + 30 + nameLength + extraLength, e.compressedSize, `${shown} data`);
    if (e.method !== METHOD_STORED && e.method !== METHOD_DEFLATE)
      throw dataError(`${where} uses compression method ${e.method}; .npz files use 0 (stored) or 8 (deflate)`, HINT);
    if (e.method === METHOD_STORED && e.compressedSize !== e.size)
      throw dataError(`${where}: stored member has ${e.compressedSize} bytes but declares ${e.size}`, HINT);
    return {
      name: e.name,
      size: e.size,
      prefix(n: number): Uint8Array {
        const limit = Math.min(n, e.size);
        if (e.method === METHOD_STORED) return stored.subarray(0, limit);
        try {
          return inflateRawPrefix(stored, limit);
        } catch (err) {
          if (err instanceof InflateError) throw dataError(`${where}: corrupt deflate data (${err.message})`, HINT);
          throw err;
        }
      },
      bytes(): Uint8Array {
        let data = stored;
        if (e.method === METHOD_DEFLATE) {
          data = inflateRaw(stored, `${name} (${shown})`, e.size);
          if (data.length !== e.size) throw dataError(`${where}: inflates to ${data.length} bytes, the directory says ${e.size}`, HINT);
        }
        const crc = crc32(data);
        if (crc !== e.crc)
          throw dataError(`${where}: CRC-32 mismatch: the directory says 0x${e.crc.toString(16).padStart(8, '0')}, the data gives 0x${crc.toString(16).padStart(8, '0')} (damaged file)`, HINT);
        return data;
      },
    };
  });
}

/** Reads every member of a zip archive (readZipEntries, then each member whole). */
export function readZip(bytes: Uint8Array, name: string, inflateRaw: InflateRaw): ZipMember[] {
  return readZipEntries(bytes, name, inflateRaw).map((e) => ({ name: e.name, bytes: e.bytes() }));
}

/**
 * Reads an .npz archive (np.savez / np.savez_compressed): member `W1.npy` becomes array `W1`. Before a
 * member is inflated, its declared size is checked against maxBytes and against what its .npy header (read
 * from the first inflated bytes only) implies; then at most the declared size is inflated.
 */
export function parseNpz(bytes: Uint8Array, name: string, inflateRaw: InflateRaw, maxBytes = MAX_NPZ_MEMBER_BYTES): Map<string, NpyArray> {
  const arrays = new Map<string, NpyArray>();
  for (const m of readZipEntries(bytes, name, inflateRaw, maxBytes)) {
    const shown = printable(m.name);
    if (/^[^/]+\/data\.pkl$/.test(m.name))
      throw dataError(`${name}: this zip is a PyTorch torch.save file (member ${shown}), not a numpy .npz`, 'read it as a PyTorch state_dict, or save the weights with np.savez(path, W1=W1, b1=b1, ...)');
    if (!m.name.endsWith('.npy')) throw dataError(`${name}: member ${shown} is not a .npy array; an .npz holds only name.npy members`, HINT);
    const where = `${name} (${shown})`;
    const header = readNpyHeader(m.prefix(MAX_NPY_PREAMBLE_AND_HEADER_BYTES), where);
    const implied = header.dataStart + header.dataBytes;
    if (implied !== m.size)
      throw dataError(
        `${where}: its .npy header says shape (${header.shape.join(', ')}) of ${header.descr} = ${implied} bytes with the header, the archive declares ${m.size}`,
        HINT,
      );
    arrays.set(m.name.slice(0, -'.npy'.length), parseNpy(m.bytes(), where));
  }
  return arrays;
}
