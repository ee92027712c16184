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

/**
 * Parses an unsigned-byte IDX file. Validates the magic, the data type, the header length and
 * header-size-vs-file-size before returning; data is a subarray of bytes, so nothing is allocated.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const hint = 'the file is not an MNIST IDX file or is damaged: download it again';
  if (bytes.length < 4)
    throw dataError(`${name}: truncated header: an IDX file starts with a 4-byte magic number, found ${bytes.length} bytes`, hint);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength); // big-endian by default
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw dataError(`${name}: not an IDX file: magic number ${hex(magic, 8)}, expected 0x000008NN (0x00000801 labels, 0x00000803 images)`, hint);
  if (bytes[2] !== IDX_UBYTE) {
    const type = IDX_TYPES[bytes[2]] ?? 'unknown type';
    throw dataError(`${name}: IDX data type ${hex(bytes[2], 2)} (${type}), expected 0x08 (unsigned byte)`, hint);
  }
  const ndim = bytes[3];
  const offset = 4 + 4 * ndim;
  if (bytes.length < offset)
    throw dataError(`${name}: truncated header: magic ${hex(magic, 8)} announces ${ndim} dimensions, so a ${offset}-byte header; the file has ${bytes.length} bytes`, hint);
  const dims: number[] = [];
  let size = 1; // a float64 product: exact up to 2^53, and any lie beyond that still differs from the file length
  for (let i = 0; i < ndim; i++) {
    dims.push(view.getUint32(4 + 4 * i));
    size *= dims[i];
  }
  const found = bytes.length - offset;
  if (found !== size)
    throw dataError(
      `${name}: header says ${dims.length > 1 ? `${dims.join('x')} = ` : ''}${size} data bytes, so ${offset + size} bytes in all; the file has ${bytes.length} (${found} data bytes)`,
      found < size ? 'the file is truncated: download it again' : hint,
    );
  return { dims, data: bytes.subarray(offset) };
}

/** Parses an IDX file that must have exactly `ndim` dimensions (1: labels 0x00000801, 3: images 0x00000803). */
export function parseIdxWithDims(bytes: Uint8Array, name: string, ndim: 1 | 3): IdxArray {
  const idx = parseIdx(bytes, name);
  if (idx.dims.length !== ndim) {
    const what = (n: number) => (n === 1 ? 'labels' : n === 3 ? 'images' : `${n}-dimensional data`);
    throw dataError(
      `${name}: magic number 0x0000080${idx.dims.length} (${what(idx.dims.length)}), expected 0x0000080${ndim} (${what(ndim)})`,
      'the image and label files may be swapped: check the file names',
    );
  }
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
