// Pure parser and writer for IDX files (LeCun's MNIST format): magic 00 00 08 <ndim>, then ndim
// big-endian uint32 sizes, then the unsigned bytes in C order. Takes bytes, never touches the disk;
// every size in the header is checked against the file length before anything is trusted.
import { dataError } from '../errors';

/** An unsigned-byte IDX array: dims as the header states them, data as a view into the input (no copy). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** The IDX data-type byte for unsigned bytes; MNIST uses no other. */
export const IDX_UBYTE = 0x08;

const IDX_TYPES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
};

const hex = (n: number, width: number) => '0x' + n.toString(16).padStart(width, '0');

/** An IDX header: dims as stated, and where the data starts (4 + 4 · ndim). */
export interface IdxHeader {
  readonly dims: readonly number[];
  readonly offset: number;
}

/** The longest IDX header: 4 bytes of magic and 255 dimensions of 4 bytes. */
export const IDX_MAX_HEADER = 4 + 4 * 255;

/**
 * Parses an unsigned-byte IDX header from the file's first min(fileLength, IDX_MAX_HEADER) bytes (`head`):
 * magic, data type and header length (against fileLength), and the size the header announces for the
 * whole file (offset + the product of the dims; a float64 product, exact up to 2^53).
 */
function parseIdxHead(head: Uint8Array, fileLength: number, name: string): IdxHeader & { readonly size: number } {
  const hint = 'the file is not an MNIST IDX file or is damaged: download it again';
  if (fileLength < 4)
    throw dataError(`${name}: truncated header: an IDX file starts with a 4-byte magic number, found ${fileLength} bytes`, hint);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength); // big-endian by default
  const magic = view.getUint32(0);
  if (head[0] !== 0 || head[1] !== 0)
    throw dataError(`${name}: not an IDX file: magic number ${hex(magic, 8)}, expected 0x000008NN (0x00000801 labels, 0x00000803 images)`, hint);
  if (head[2] !== IDX_UBYTE) {
    const type = IDX_TYPES[head[2]] ?? 'unknown type';
    throw dataError(`${name}: IDX data type ${hex(head[2], 2)} (${type}), expected 0x08 (unsigned byte)`, hint);
  }
  const ndim = head[3];
  const offset = 4 + 4 * ndim;
  if (fileLength < offset)
    throw dataError(`${name}: truncated header: magic ${hex(magic, 8)} announces ${ndim} dimensions, so a ${offset}-byte header; the file has ${fileLength} bytes`, hint);
  const dims: number[] = [];
  let size = 1; // any lie beyond 2^53 still differs from the file length
  for (let i = 0; i < ndim; i++) {
    dims.push(view.getUint32(4 + 4 * i));
    size *= dims[i];
  }
  return { dims, offset, size };
}

/**
 * Parses an unsigned-byte IDX header from the file's first min(fileLength, IDX_MAX_HEADER) bytes (`head`) and
 * checks it against the whole file's length: magic, data type, header length, header-size-vs-file-size.
 * Lets a reader fetch only some of the data once the header is trusted.
 */
export function parseIdxHeader(head: Uint8Array, fileLength: number, name: string): IdxHeader {
  const { dims, offset, size } = parseIdxHead(head, fileLength, name);
  const found = fileLength - offset;
  if (found !== size)
    throw dataError(
      `${name}: header says ${dims.length > 1 ? `${dims.join('x')} = ` : ''}${size} data bytes, so ${offset + size} bytes in all; the file has ${fileLength} (${found} data bytes)`,
      found < size ? 'the file is truncated: download it again' : 'the file is not an MNIST IDX file or is damaged: download it again',
    );
  return { dims, offset };
}

/**
 * The whole file's length an IDX header announces (header + the product of the dims), from the first
 * min(length, IDX_MAX_HEADER) bytes of the file, before the rest exists (e.g. inside a gzip stream).
 * Checks magic, data type and header length as parseIdxHeader does.
 */
export function idxAnnouncedLength(head: Uint8Array, name: string): number {
  const { offset, size } = parseIdxHead(head, head.length, name);
  return offset + size;
}

/**
 * Parses an unsigned-byte IDX file. Validates the magic, the data type, the header length and
 * header-size-vs-file-size before returning; data is a subarray of bytes, so nothing is allocated.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const { dims, offset } = parseIdxHeader(bytes, bytes.length, name);
  return { dims, data: bytes.subarray(offset) };
}

/** The number of dimensions an IDX file must have (1: labels 0x00000801, 3: images 0x00000803); throws otherwise. */
export function checkIdxDims(dims: readonly number[], name: string, ndim: 1 | 3): void {
  if (dims.length !== ndim) {
    const what = (n: number) => (n === 1 ? 'labels' : n === 3 ? 'images' : `${n}-dimensional data`);
    throw dataError(
      `${name}: magic number 0x0000080${dims.length} (${what(dims.length)}), expected 0x0000080${ndim} (${what(ndim)})`,
      'the image and label files may be swapped: check the file names',
    );
  }
}

/** Parses an IDX file that must have exactly `ndim` dimensions (1: labels 0x00000801, 3: images 0x00000803). */
export function parseIdxWithDims(bytes: Uint8Array, name: string, ndim: 1 | 3): IdxArray {
  const idx = parseIdx(bytes, name);
  checkIdxDims(idx.dims, name, ndim);
  return idx;
}

/** Writes an unsigned-byte IDX file (the inverse of parseIdx), e.g. for test fixtures or exporting a subset. */
export function serializeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const size = dims.reduce((p, d) => p * d, 1);
  if (dims.length > 255 || dims.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff) || size !== data.length)
    throw new RangeError(`serializeIdx: dims [${dims.join(', ')}] do not describe ${data.length} bytes`);
  const offset = 4 + 4 * dims.length;
  const out = new Uint8Array(offset + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (IDX_UBYTE << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, offset);
  return out;
}
