// parseIdx / serializeIdx against hand-written IDX bytes (format: LeCun's MNIST page: magic 00 00 08 ndim,
// big-endian uint32 dims, then the data), and every error path a damaged file can take.
import { ExitCode, MnistLossError } from '../../../src/errors';
import { userErrorOf } from '../../helpers/cli';
import { idxAnnouncedLength, IDX_MAX_HEADER, parseIdx, parseIdxHeader, parseIdxWithDims, serializeIdx } from '../../../src/io/idx';

const bytes = (...b: number[]) => Uint8Array.from(b);

const dataErrorOf = (f: () => unknown): MnistLossError => userErrorOf(f, ExitCode.Data);

describe('parseIdx', () => {
  it('reads a labels file: magic 0x00000801, one big-endian dim', () => {
    // 00 00 08 01 | 00 00 00 03 | 7 8 9  ->  dims [3], data [7, 8, 9]
    const idx = parseIdx(bytes(0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9), 'labels');
    expect(idx.dims).toEqual([3]);
    expect([...idx.data]).toEqual([7, 8, 9]);
  });

  it('reads an images file: magic 0x00000803, dims big-endian (256 = 00 00 01 00 is not read as 1)', () => {
    // dims [1, 2, 3] -> 6 data bytes after a 4 + 3*4 = 16-byte header
    const file = bytes(0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 10, 11, 12, 13, 14, 15);
    const idx = parseIdx(file, 'images');
    expect(idx.dims).toEqual([1, 2, 3]);
    expect([...idx.data]).toEqual([10, 11, 12, 13, 14, 15]);
    // 0x00000100 = 256 labels: a little-endian reader would see 65536
    const big = new Uint8Array(8 + 256);
    big.set([0, 0, 8, 1, 0, 0, 1, 0]);
    expect(parseIdx(big, 'x').dims).toEqual([256]);
  });

  it('returns a view into the input, not a copy', () => {
    const file = bytes(0, 0, 8, 1, 0, 0, 0, 2, 5, 6);
    const idx = parseIdx(file, 'labels');
    expect(idx.data.buffer).toBe(file.buffer);
    expect(idx.data.byteOffset).toBe(8);
  });

  it('refuses a file shorter than the 4-byte magic', () => {
    const e = dataErrorOf(() => parseIdx(bytes(0, 0), 'train-labels-idx1-ubyte'));
    expect(e.message).toBe('train-labels-idx1-ubyte: truncated header: an IDX file starts with a 4-byte magic number, found 2 bytes');
  });

  it('refuses a header cut short: 3 dims need 4 + 3*4 = 16 bytes', () => {
    const e = dataErrorOf(() => parseIdx(bytes(0, 0, 8, 3, 0, 0, 0, 1, 0, 0), 'train-images-idx3-ubyte'));
    expect(e.message).toMatch(/^train-images-idx3-ubyte: truncated header: .*3 dimensions, so a 16-byte header; the file has 10 bytes$/);
  });

  it('refuses a wrong magic number, e.g. a gzip file read without gunzip (1f 8b 08 08)', () => {
    const e = dataErrorOf(() => parseIdx(bytes(0x1f, 0x8b, 8, 8, 0, 0, 0, 0), 'x.gz'));
    expect(e.message).toContain('not an IDX file: magic number 0x1f8b0808');
  });

  it('refuses a data type other than unsigned byte (0x0d = float32)', () => {
    const e = dataErrorOf(() => parseIdx(bytes(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0), 'floats'));
    expect(e.message).toBe('floats: IDX data type 0x0d (float32), expected 0x08 (unsigned byte)');
  });

  it('refuses a header that claims 4 billion labels on a 12-byte file, without allocating for them', () => {
    // count 0xffffffff = 4294967295 -> 8 + 4294967295 = 4294967303 bytes expected; 12 - 8 = 4 data bytes found
    const e = dataErrorOf(() => parseIdx(bytes(0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4), 'train-labels-idx1-ubyte'));
    expect(e.message).toBe(
      'train-labels-idx1-ubyte: header says 4294967295 data bytes, so 4294967303 bytes in all; the file has 12 (4 data bytes)',
    );
    expect(e.hint).toMatch(/truncated/);
  });

  it('refuses an images header whose product disagrees with the file: 60000x28x28 = 47040000 bytes on a 20-byte file', () => {
    // 60000 = 0x0000ea60, 28 = 0x1c
    const file = bytes(0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 0x1c, 0, 0, 0, 0x1c, 1, 2, 3, 4);
    const e = dataErrorOf(() => parseIdx(file, 'train-images-idx3-ubyte'));
    expect(e.message).toBe('train-images-idx3-ubyte: header says 60000x28x28 = 47040000 data bytes, so 47040016 bytes in all; the file has 20 (4 data bytes)');
  });

  it('refuses trailing bytes after the data', () => {
    const e = dataErrorOf(() => parseIdx(bytes(0, 0, 8, 1, 0, 0, 0, 1, 7, 99), 'labels'));
    expect(e.message).toBe('labels: header says 1 data bytes, so 9 bytes in all; the file has 10 (2 data bytes)');
  });
});

describe('parseIdxHeader (the first bytes of a file, checked against its whole length)', () => {
  // images 2x2x3: header 00 00 08 03 | 00 00 00 02 | 00 00 00 02 | 00 00 00 03 (16 bytes), then 2·2·3 = 12 data bytes
  const head = bytes(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3);

  it('gives the dims and where the data starts when the length is 16 + 12 = 28', () => {
    expect(parseIdxHeader(head, 28, 'x')).toEqual({ dims: [2, 2, 3], offset: 16 });
  });

  it('refuses a length that the header does not announce, with the same message as parseIdx', () => {
    const whole = new Uint8Array(27);
    whole.set(head);
    const fromHeader = dataErrorOf(() => parseIdxHeader(head, 27, 'x'));
    expect(fromHeader.message).toBe('x: header says 2x2x3 = 12 data bytes, so 28 bytes in all; the file has 27 (11 data bytes)');
    expect(dataErrorOf(() => parseIdx(whole, 'x')).message).toBe(fromHeader.message);
  });

  it('idxAnnouncedLength: the whole length the header announces, from the header alone (for a gzip stream)', () => {
    expect(idxAnnouncedLength(head, 'x')).toBe(16 + 2 * 2 * 3);
    // 60000 x 28 x 28 = 47040000 data bytes + 16; 0xffffffff x 28 x 28 images = 3367254359280 + 16, no overflow into a small number
    expect(idxAnnouncedLength(bytes(0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28), 'x')).toBe(47040016);
    expect(idxAnnouncedLength(bytes(0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28), 'x')).toBe(3367254359296);
    expect(dataErrorOf(() => idxAnnouncedLength(bytes(0, 0, 8, 3, 0, 0, 0, 2), 'x')).message).toBe(
      'x: truncated header: magic 0x00000803 announces 3 dimensions, so a 16-byte header; the file has 8 bytes',
    );
    expect(dataErrorOf(() => idxAnnouncedLength(bytes(0x1f, 0x8b, 8, 0), 'x')).message).toMatch(/^x: not an IDX file/);
  });

  it('IDX_MAX_HEADER is the longest header: 4 + 4 · 255 bytes', () => {
    expect(IDX_MAX_HEADER).toBe(1024);
  });
});

describe('parseIdxWithDims', () => {
  it('says when an images file was given where labels were expected (swapped files)', () => {
    const file = bytes(0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0);
    const e = dataErrorOf(() => parseIdxWithDims(file, 'train-labels-idx1-ubyte', 1));
    expect(e.message).toBe('train-labels-idx1-ubyte: magic number 0x00000803 (images), expected 0x00000801 (labels)');
    expect(e.hint).toMatch(/swapped/);
  });
});

describe('serializeIdx', () => {
  it('writes the bytes parseIdx reads, header by hand: 00 00 08 03 | 2 | 1 | 2', () => {
    const out = serializeIdx([2, 1, 2], bytes(1, 2, 3, 4));
    expect([...out]).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4]);
    expect(parseIdx(out, 'round trip').dims).toEqual([2, 1, 2]);
  });

  it('refuses dims that do not describe the data', () => {
    expect(() => serializeIdx([3], bytes(1, 2))).toThrow(RangeError);
  });
});
