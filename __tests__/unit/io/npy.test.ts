// .npy parser and serializer against files written by numpy (__tests__/fixtures/loss/make_fixtures.py,
// the np.save / np.lib.format.write_array line is quoted beside each case) and against damaged copies.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, MnistLossError } from '../../../src/errors';
import { userErrorOf } from '../../helpers/cli';
import { parseNpy, serializeNpy } from '../../../src/io/npy';

const DIR = path.join(__dirname, '../../fixtures/loss/npy');
const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(DIR, name)));

const dataErrorOf = (f: () => unknown): MnistLossError => userErrorOf(f, ExitCode.Data);

// a34 = np.arange(12, dtype=np.float64).reshape(3, 4) / 8 - 0.5  ->  (i / 8) - 0.5, exact in float32 too
const A34 = Array.from({ length: 12 }, (_, i) => i / 8 - 0.5);

describe('parseNpy: dtypes, byte orders and shapes numpy writes', () => {
  it('<f8 [3, 4]: np.save("f8-3x4.npy", a34)', () => {
    const a = parseNpy(read('f8-3x4.npy'), 'f8-3x4.npy');
    expect(a).toMatchObject({ dtype: '<f8', shape: [3, 4], fortranOrder: false });
    expect(a.data).toBeInstanceOf(Float64Array);
    expect([...a.data]).toEqual(A34);
  });

  it('<f4 and >f4 [3, 4]: a34.astype("<f4"), a34.astype(">f4") read as native Float32Array', () => {
    for (const [file, dtype] of [['f4-3x4.npy', '<f4'], ['f4be-3x4.npy', '>f4']]) {
      const a = parseNpy(read(file), file);
      expect(a.dtype).toBe(dtype);
      expect(a.shape).toEqual([3, 4]);
      expect(a.data).toBeInstanceOf(Float32Array);
      expect([...a.data]).toEqual(A34);
    }
  });

  it('>f8 [K]: np.array([0.1, 0.05, 0.6, 0.0], dtype=">f8") keeps every bit of 0.1 and 0.6', () => {
    const a = parseNpy(read('f8be-k.npy'), 'f8be-k.npy');
    expect(a).toMatchObject({ dtype: '>f8', shape: [4] });
    expect([...a.data]).toEqual([0.1, 0.05, 0.6, 0.0]);
  });

  it('<i8: np.array([3, -2, 2**53 - 1, 0], dtype="<i8") becomes exact float64; 2**53 + 1 is refused', () => {
    const a = parseNpy(read('i8-k.npy'), 'i8-k.npy');
    expect(a).toMatchObject({ dtype: '<i8', shape: [4] });
    expect([...a.data]).toEqual([3, -2, 9007199254740991, 0]);
    expect(dataErrorOf(() => parseNpy(read('i8-big.npy'), 'i8-big.npy')).message).toMatch(/i8-big\.npy: int64 value at flat index 0 does not fit in 2\^53/);
  });

  it('|u1, >i2, bool and <f2 (np.array([0.5, -2, 65504, 6e-8], dtype="<f2") is 5.960464477539063e-08 at the end)', () => {
    expect([...parseNpy(read('u1-k.npy'), 'u1').data]).toEqual([0, 7, 255]);
    const i2 = parseNpy(read('i2be-2x2.npy'), 'i2');
    expect(i2).toMatchObject({ dtype: '>i2', shape: [2, 2] });
    expect([...i2.data]).toEqual([1, -2, 300, -32768]);
    const b1 = parseNpy(read('b1-k.npy'), 'b1');
    expect(b1.dtype).toBe('|b1');
    expect([...b1.data]).toEqual([1, 0, 1]);
    expect([...parseNpy(read('f2-k.npy'), 'f2').data]).toEqual([0.5, -2, 65504, 5.960464477539063e-8]);
  });

  it('Fortran order is transposed into C order: np.asfortranarray(np.arange(6).reshape(2, 3)) and a 3-D one', () => {
    const a = parseNpy(read('fortran-2x3.npy'), 'f');
    expect(a.shape).toEqual([2, 3]);
    expect(a.fortranOrder).toBe(false);
    expect([...a.data]).toEqual([0, 1, 2, 3, 4, 5]);
    const b = parseNpy(read('fortran-2x3x2.npy'), 'f3');
    expect(b.shape).toEqual([2, 3, 2]);
    expect([...b.data]).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('0-d and empty arrays: np.save(np.float64(2.5)) -> shape [], np.zeros((0, 4)) -> shape [0, 4]', () => {
    const s = parseNpy(read('scalar.npy'), 's');
    expect(s.shape).toEqual([]);
    expect([...s.data]).toEqual([2.5]);
    const e = parseNpy(read('empty-0x4.npy'), 'e');
    expect(e.shape).toEqual([0, 4]);
    expect(e.data.length).toBe(0);
  });

  it('header versions 1.0, 2.0 and 3.0: np.lib.format.write_array(f, [[1., 2.], [3., 4.]], version=(v, 0))', () => {
    for (const v of [1, 2, 3]) {
      const bytes = read(`v${v}-f8-2x2.npy`);
      expect(bytes[6]).toBe(v);
      const a = parseNpy(bytes, `v${v}`);
      expect(a.shape).toEqual([2, 2]);
      expect([...a.data]).toEqual([1, 2, 3, 4]);
    }
  });
});

describe('parseNpy refuses what it cannot read, as a data error naming the file', () => {
  it('a wrong magic', () => {
    const bytes = read('f8-3x4.npy').slice();
    bytes[1] = 0x4f; // "\x93OUMPY"
    expect(dataErrorOf(() => parseNpy(bytes, 'bad.npy')).message).toMatch(/^bad\.npy: not a \.npy file/);
    expect(dataErrorOf(() => parseNpy(new Uint8Array(3), 'tiny.npy')).message).toMatch(/^tiny\.npy: not a \.npy file/);
  });

  it('truncated data: header says 96 bytes, found 95', () => {
    const bytes = read('f8-3x4.npy');
    const e = dataErrorOf(() => parseNpy(bytes.subarray(0, bytes.length - 1), 'cut.npy'));
    expect(e.message).toBe('cut.npy: header says shape (3, 4) of <f8 = 96 data bytes, found 95 (truncated file?)');
  });

  it('a truncated header', () => {
    expect(dataErrorOf(() => parseNpy(read('f8-3x4.npy').subarray(0, 40), 'h.npy')).message).toMatch(/^h\.npy: truncated \.npy header/);
  });

  it('a header that lies about the shape (3, 4) -> (4, 4), or claims 2^64 elements, fails before allocating', () => {
    // Rewrites the v1 header (bytes 10 .. 10 + header length) with another dict, padded with spaces as numpy pads.
    const withHeader = (dict: string) => {
      const bytes = read('f8-3x4.npy').slice();
      const length = bytes[8] | (bytes[9] << 8);
      const header = dict.padEnd(length - 1, ' ') + '\n';
      for (let i = 0; i < length; i++) bytes[10 + i] = header.charCodeAt(i);
      return bytes;
    };
    expect(dataErrorOf(() => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4), }"), 'lie.npy')).message).toBe(
      'lie.npy: header says shape (4, 4) of <f8 = 128 data bytes, found 96 (truncated file?)',
    );
    expect(dataErrorOf(() => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 4), }"), 'short.npy')).message).toBe(
      'short.npy: header says shape (2, 4) of <f8 = 64 data bytes, found 96',
    );
    const huge = dataErrorOf(() => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), 'huge.npy'));
    expect(huge.message).toMatch(/^huge\.npy: header says shape \(4294967296, 4294967296\) of <f8 = .* data bytes, found 96/);
    expect(dataErrorOf(() => parseNpy(withHeader("{'descr': '<f8', 'fortran_order': False, }"), 'noshape.npy')).message).toMatch(/^noshape\.npy: \.npy header has no 'shape' entry/);
  });

  it('complex, structured and unknown versions', () => {
    expect(dataErrorOf(() => parseNpy(read('c16-k.npy'), 'c.npy')).message).toMatch(/^c\.npy: dtype '<c16' is not supported/);
    expect(dataErrorOf(() => parseNpy(read('structured.npy'), 's.npy')).message).toMatch(/^s\.npy: structured \(record\) dtypes are not supported/);
    const v9 = read('f8-3x4.npy').slice();
    v9[6] = 9;
    expect(dataErrorOf(() => parseNpy(v9, 'v9.npy')).message).toMatch(/^v9\.npy: \.npy format version 9\.0 is not supported/);
  });
});

describe('serializeNpy writes what np.save writes', () => {
  it('byte for byte for <f8 [3, 4] and <f4 [3, 4]', () => {
    expect(serializeNpy([3, 4], Float64Array.from(A34))).toEqual(read('f8-3x4.npy'));
    expect(serializeNpy([3, 4], Float32Array.from(A34))).toEqual(read('f4-3x4.npy'));
  });

  it('byte for byte for |u1 [3] and a 0-d array', () => {
    expect(serializeNpy([3], Uint8Array.of(0, 7, 255))).toEqual(read('u1-k.npy'));
    expect(serializeNpy([], Float64Array.of(2.5))).toEqual(read('scalar.npy'));
  });

  it('round-trips every typed array it accepts, with a 64-byte aligned header', () => {
    const arrays = [Float32Array.of(1.5, -2), Float64Array.of(0.1, 0.2), Int8Array.of(-1, 2), Int16Array.of(-300, 5), Int32Array.of(-7, 8), Uint16Array.of(9, 65535), Uint32Array.of(1, 2 ** 32 - 1)];
    for (const data of arrays) {
      const bytes = serializeNpy([2, 1], data);
      const headerLength = bytes[8] | (bytes[9] << 8);
      expect((10 + headerLength) % 64).toBe(0);
      const back = parseNpy(bytes, 'rt');
      expect(back.shape).toEqual([2, 1]);
      expect(back.data.constructor).toBe(data.constructor);
      expect([...back.data]).toEqual([...data]);
    }
  });
});

describe('parseNpy reads the header dict as numpy does (issue 7 D19)', () => {
  // Goldens: numpy 2.4's np.lib.format.read_array_header_1_0 on each header, as in
  //   import io, struct, numpy as np
  //   h = (d + '   \n').encode('latin1'); b = struct.pack('<H', len(h)) + h
  //   np.lib.format.read_array_header_1_0(io.BytesIO(b))
  // ACCEPT "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }" -> ((2,), False, dtype('float64'))
  // ACCEPT "{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }" (Python 2 long, version 1.0) -> ((2,), ...)
  // REFUSE "{..., 'extra': {'descr': '<i1'}, }"       Header does not contain the correct keys: [..., 'extra', ...]
  // REFUSE "{'shape': (2,), 'fortran_order': False, 'x': \"'descr': '<i1'\", 'descr': '<f8'}"   (the same, key 'x')
  // REFUSE "{'descr': '<f8', 'fortran_order': 0, ...}"   fortran_order is not a valid bool: 0
  // REFUSE "... 'shape': [2], }" / "(2.0,)" / "(2)"     shape is not valid: [2] / (2.0,) / 2
  // REFUSE "{'descr': '<f8', 'fortran_order': False, }" Header does not contain the correct keys
  // REFUSE "['descr', '<f8']"                           Header is not a dictionary
  // REFUSE "{... 'shape': (2,)"                         TokenError: EOF in multi-line statement
  // REFUSE "{'descr': 8, ...}"                          descr is not a valid dtype descriptor: 8
  /** A version-1.0 (or 2.0 / 3.0) file with this header dict, padded as np.save pads it, and 16 zero data bytes (two <f8). */
  const npy = (dict: string, { major = 1, minor = 0, end = '   \n' } = {}) => {
    const header = new TextEncoder().encode(dict + end);
    const pre = major === 1 ? 10 : 12;
    const out = new Uint8Array(pre + header.length + 16);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, minor]);
    if (major === 1) new DataView(out.buffer).setUint16(8, header.length, true);
    else new DataView(out.buffer).setUint32(8, header.length, true);
    out.set(header, pre);
    return out;
  };
  const ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";

  it('the headers numpy accepts, in versions 1.0, 2.0 and 3.0, double quotes and a Python 2 long', () => {
    for (const major of [1, 2, 3]) expect(parseNpy(npy(ok, { major }), 'v').shape).toEqual([2]);
    expect(parseNpy(npy('{"descr": "<f8", "fortran_order": False, "shape": (2,)}'), 'q').shape).toEqual([2]);
    expect(parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }"), 'l').shape).toEqual([2]);
    expect(parseNpy(npy("{'descr':'<f8','fortran_order':True,'shape':(1, 2)}"), 'f').shape).toEqual([1, 2]);
  });

  it.each([
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': {'descr': '<i1'}, }", "has an unexpected key the string 'extra'"],
    [`{'shape': (2,), 'fortran_order': False, 'x': "'descr': '<i1'", 'descr': '<f8'}`, "has an unexpected key the string 'x'"],
    ["{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", 'bad .npy header: fortran_order should be True or False, found the integer 0'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': [2], }", 'bad .npy header: shape should be a tuple of integers, found a list'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2.0,), }", "bad .npy header: cannot read '2.0,), }   \\n' at character 51"],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2), }", 'bad .npy header: shape should be a tuple of integers, found the integer 2'],
    ["{'descr': '<f8', 'fortran_order': False, }", "has no 'shape' entry"],
    ["['descr', '<f8']", 'bad .npy header: expected a dict, found a list'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", "bad .npy header: expected ',' or '}', found the end of the header"],
    ["{'descr': 8, 'fortran_order': False, 'shape': (2,), }", "bad .npy header: descr should be a dtype string such as '<f8', found the integer 8"],
    ["{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", "has the key 'descr' twice"],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", 'bad .npy header: shape has the negative dimension -2'],
    ["{'descr': '<f8', 'fortran_order': False, 'shape': (True,), }", 'bad .npy header: shape should be a tuple of integers, found True in it'],
    [`{'descr': '<f8', 'fortran_order': False, 'shape': (${new Array(65).fill(1).join(', ')}), }`, 'bad .npy header: shape has 65 dimensions; numpy arrays have at most 64'],
    [`{'descr': '<f8', 'fortran_order': False, 'shape': ${'('.repeat(40)}2${')'.repeat(40)}, }`, 'bad .npy header: brackets nested more than 32 deep'],
  ])('refuses %s', (dict, problem) => {
    const message = dataErrorOf(() => parseNpy(npy(dict), 'h.npy')).message;
    expect(message.startsWith(`h.npy: ${problem.startsWith('bad') ? '' : '.npy header '}${problem}`)).toBe(true);
    expect(message.length).toBeLessThan(400);
  });

  it('refuses a header without its final newline, text after the dict, an unknown minor version and a header over 10000 bytes', () => {
    expect(dataErrorOf(() => parseNpy(npy(ok, { end: '    ' }), 'n.npy')).message).toBe('n.npy: bad .npy header: the header does not end with a newline');
    expect(dataErrorOf(() => parseNpy(npy(ok, { end: ' x\n' }), 'x.npy')).message).toMatch(/^x\.npy: bad \.npy header: unexpected 'x\\n' at character 58 after the header dict/);
    expect(dataErrorOf(() => parseNpy(npy(ok, { minor: 1 }), 'm.npy')).message).toBe('m.npy: .npy format version 1.1 is not supported (expected 1.0, 2.0 or 3.0)');
    expect(dataErrorOf(() => parseNpy(npy(ok, { major: 2, end: ' '.repeat(10000) + '\n' }), 'b.npy')).message).toMatch(/^b\.npy: \.npy header is 10058 bytes; numpy refuses headers over 10000 bytes$/);
    expect(dataErrorOf(() => parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2L,), }", { major: 3 }), 'l3.npy')).message).toMatch(/^l3\.npy: bad \.npy header: cannot read '2L/);
  });

  it("a dtype descr with control characters is escaped in the message", () => {
    const message = dataErrorOf(() => parseNpy(npy("{'descr': '\\x1b[31m', 'fortran_order': False, 'shape': (2,), }".replace('\\x1b', '\x1b')), 'e.npy')).message;
    expect(message).toBe("e.npy: dtype '\\x1b[31m' is not supported (expected float16/32/64, int8..int64, uint8..uint64 or bool)");
  });
});
