// readZip / parseNpz / crc32 against archives written by numpy itself (np.savez, np.savez_compressed,
// zipfile's zip64 layout), made by __tests__/fixtures/models/make_fixtures.py, and against damaged copies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, MnistLossError } from '../../../src/errors';
import { userErrorOf } from '../../helpers/cli';
import { inflateRawBytes } from '../../../src/io/files';
import { serializeNpy } from '../../../src/io/npy';
import { crc32, MAX_NPZ_MEMBER_BYTES, parseNpz, readZip, type InflateRaw } from '../../../src/io/zip';
import { npzBytes } from '../../helpers/modelBytes';

const MODELS = join(__dirname, '..', '..', 'fixtures', 'models');
const load = (f: string) => new Uint8Array(readFileSync(join(MODELS, f)));
const stored = load('net-784-16-10.npz');
const compressed = load('net-784-16-10-compressed.npz');

const dataErrorOf = (f: () => unknown): MnistLossError => userErrorOf(f, ExitCode.Data);

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const setU16 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);
const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
/** Byte offset of the first central directory entry (from the end record; the fixtures have no comment). */
const centralOffset = (b: Uint8Array) => u32(b, b.length - 22 + 16);
const indexOf = (b: Uint8Array, text: string, from = 0) => Buffer.from(b).indexOf(text, from, 'latin1');

describe('crc32', () => {
  it('matches the standard check value and zlib', () => {
    // CRC-32/ISO-HDLC check value: crc32(b'123456789') = 0xCBF43926; python3 -c "import zlib; print(zlib.crc32(b'hello'))" -> 907060870
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('hello'))).toBe(907060870);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('parseNpz on archives numpy wrote', () => {
  // make_fixtures.py: np.random.seed(3); W1 = (0.1*randn(784, 16)).astype(float32); b1 = (0.01*randn(16)); W2 = (0.1*randn(16, 10)); b2 = (0.01*randn(10))
  // then print(v.astype(np.float64).sum()) per array:
  const SUMS: Record<string, number> = { W1: -24.999848979211606, b1: 0.005412257742136717, W2: 0.275697409408167, b2: 0.03452065633609891 };
  const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
  const reference = parseNpz(compressed, 'compressed.npz', inflateRawBytes);

  it('np.savez_compressed: four float32 arrays with numpy\'s shapes, sums and spot values', () => {
    expect([...reference.keys()]).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect([...reference.values()].map((a) => [a.dtype, a.shape])).toEqual([['<f4', [784, 16]], ['<f4', [16]], ['<f4', [16, 10]], ['<f4', [10]]]);
    for (const [k, a] of reference) expect(sum(a.data)).toBeCloseTo(SUMS[k], 9);
    // net['W1'][1, 0] -> -0.05453599616885185, net['W1'][783, 15] -> 0.014063525944948196, net['b2'][0] -> 0.00853167288005352
    expect(reference.get('W1')!.data[16]).toBe(-0.05453599616885185);
    expect(reference.get('W1')!.data[783 * 16 + 15]).toBe(0.014063525944948196);
    expect(reference.get('b2')!.data[0]).toBe(0.00853167288005352);
  });

  it.each([
    ['net-784-16-10.npz', 'np.savez, stored, W1 Fortran-ordered'],
    ['net-784-16-10-zip64.npz', 'zip64 extras in the central directory, zip64 end record'],
  ])('%s (%s) holds the same arrays bit for bit', (file) => {
    const arrays = parseNpz(load(file), file, inflateRawBytes);
    expect([...arrays.keys()]).toEqual(['W1', 'b1', 'W2', 'b2']);
    for (const [k, a] of reference) expect(arrays.get(k)).toEqual(a);
  });

  it('float64 members come back as float64 with the same values', () => {
    const arrays = parseNpz(load('net-784-16-10-f64.npz'), 'f64.npz', inflateRawBytes);
    expect(arrays.get('W1')!.dtype).toBe('<f8');
    expect(arrays.get('W1')!.data).toBeInstanceOf(Float64Array);
    expect(Float32Array.from(arrays.get('W1')!.data)).toEqual(reference.get('W1')!.data);
  });

  it('inflates only deflated members, through the injected function, bounded by the declared size', () => {
    const calls: Array<[string, number | undefined]> = [];
    const spy: InflateRaw = (b, name, max) => { calls.push([name, max]); return inflateRawBytes(b, name, max); };
    parseNpz(stored, 's.npz', spy);
    expect(calls).toEqual([]);
    parseNpz(compressed, 'c.npz', spy);
    // each .npy is a 128-byte header + data: W1 784*16*4 = 50176 -> 50304, b1 64 -> 192, W2 640 -> 768, b2 40 -> 168
    expect(calls).toEqual([['c.npz (W1.npy)', 50304], ['c.npz (b1.npy)', 192], ['c.npz (W2.npy)', 768], ['c.npz (b2.npy)', 168]]);
  });

  it('finds the end record behind an archive comment', () => {
    const withComment = new Uint8Array(stored.length + 5);
    withComment.set(stored);
    setU16(withComment, stored.length - 2, 5);
    withComment.set(new TextEncoder().encode('hello'), stored.length);
    expect(readZip(withComment, 'c.npz', inflateRawBytes).map((m) => m.name)).toEqual(['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy']);
  });
});

describe('readZip: damaged archives are exit-3 errors naming the member', () => {
  const copy = (b: Uint8Array) => Uint8Array.from(b);

  it('a flipped data byte fails the CRC-32 check', () => {
    const bad = copy(stored);
    bad[centralOffset(bad) - 1] ^= 0x01; // the last byte of b2.npy's data
    expect(dataErrorOf(() => readZip(bad, 'bad.npz', inflateRawBytes)).message).toMatch(
      /^bad\.npz: member b2\.npy: CRC-32 mismatch: the directory says 0x[0-9a-f]{8}, the data gives 0x[0-9a-f]{8} \(damaged file\)$/,
    );
  });

  it.each([0, 21, 100, 50_000, stored.length - 23, stored.length - 1])('truncated at %i bytes', (cut) => {
    expect(dataErrorOf(() => readZip(stored.subarray(0, cut), 'cut.npz', inflateRawBytes)).message).toMatch(/^cut\.npz: /);
  });

  it('not a zip at all', () => {
    expect(dataErrorOf(() => readZip(new Uint8Array(100), 'x.npz', inflateRawBytes)).message).toBe(
      'x.npz: not a zip archive (no end-of-central-directory record: the file is truncated or not a zip)',
    );
  });

  it('a central directory outside the file', () => {
    const bad = copy(stored);
    setU32(bad, bad.length - 22 + 16, 0x7fffffff);
    expect(dataErrorOf(() => readZip(bad, 'x.npz', inflateRawBytes)).message).toMatch(/^x\.npz: central directory at byte 2147483647 .* runs past the end/);
  });

  it('a local header offset that points at no local header', () => {
    const bad = copy(stored);
    setU32(bad, centralOffset(bad) + 42, 1);
    expect(dataErrorOf(() => readZip(bad, 'x.npz', inflateRawBytes)).message).toBe(
      'x.npz: member W1.npy: no local header at byte 1 where the central directory points',
    );
  });

  it('an unsupported compression method, and encryption', () => {
    const method = copy(stored);
    setU16(method, centralOffset(method) + 10, 12); // bzip2
    expect(dataErrorOf(() => readZip(method, 'x.npz', inflateRawBytes)).message).toMatch(/member W1\.npy uses compression method 12/);
    const encrypted = copy(stored);
    setU16(encrypted, centralOffset(encrypted) + 8, 1);
    expect(dataErrorOf(() => readZip(encrypted, 'x.npz', inflateRawBytes)).message).toBe('x.npz: member W1.npy is encrypted');
  });

  it('a deflated member that inflates past its declared size is stopped (zip bomb guard)', () => {
    const bad = copy(compressed);
    setU32(bad, centralOffset(bad) + 24, 1000); // W1.npy really inflates to 50304 bytes
    expect(dataErrorOf(() => readZip(bad, 'x.npz', inflateRawBytes)).message).toMatch(/^x\.npz \(W1\.npy\): corrupt deflate data/);
  });

  it('duplicate member names, and members that are not .npy', () => {
    const dup = copy(stored);
    for (let at = indexOf(dup, 'b1.npy'); at >= 0; at = indexOf(dup, 'b1.npy', at + 1)) dup[at] = 'W'.charCodeAt(0);
    expect(dataErrorOf(() => readZip(dup, 'x.npz', inflateRawBytes)).message).toBe('x.npz: member W1.npy appears twice in the archive');
    const txt = copy(stored);
    for (let at = indexOf(txt, 'W1.npy'); at >= 0; at = indexOf(txt, 'W1.npy', at + 1)) txt.set(new TextEncoder().encode('W1.txt'), at);
    expect(dataErrorOf(() => parseNpz(txt, 'x.npz', inflateRawBytes)).message).toBe(
      'x.npz: member W1.txt is not a .npy array; an .npz holds only name.npy members',
    );
  });

  it('a local header that names a different member', () => {
    const bad = copy(stored);
    bad[indexOf(bad, 'W1.npy')] = 'X'.charCodeAt(0); // the first occurrence is the local header's name
    expect(dataErrorOf(() => readZip(bad, 'x.npz', inflateRawBytes)).message).toBe('x.npz: member W1.npy: local header names it "X1.npy"');
  });
});

describe('parseNpz judges a member by its declared size and .npy header before inflating it (issue 7 D7)', () => {
  const npy = serializeNpy([2, 2], Float32Array.of(1, 2, 3, 4)); // 128-byte header + 16 data bytes = 144
  const spyOn = () => {
    const calls: (number | undefined)[] = [];
    const spy: InflateRaw = (b, n, max) => { calls.push(max); return inflateRawBytes(b, n, max); };
    return { calls, spy };
  };

  it('an honest member within the limit is inflated once, with at most its declared size', () => {
    const { calls, spy } = spyOn();
    expect([...parseNpz(npzBytes([{ name: 'W1.npy', bytes: npy, deflate: true }]), 'ok.npz', spy).get('W1')!.data]).toEqual([1, 2, 3, 4]);
    expect(calls).toEqual([144]);
  });

  it('a member declaring more than the limit is refused before any inflating (stored or deflated; the default cap too)', () => {
    for (const deflate of [false, true]) {
      const { calls, spy } = spyOn();
      const e = dataErrorOf(() => parseNpz(npzBytes([{ name: 'W1.npy', bytes: npy, deflate }]), 'big.npz', spy, 100));
      expect(e.message).toBe('big.npz: member W1.npy declares 144 bytes uncompressed, more than the 100-byte limit for one member');
      expect(calls).toEqual([]);
    }
    const { calls, spy } = spyOn();
    const lying = npzBytes([{ name: 'W1.npy', bytes: npy, deflate: true, declaredSize: 3_500_000_000 }]);
    expect(dataErrorOf(() => parseNpz(lying, 'l.npz', spy)).message).toBe(
      `l.npz: member W1.npy declares 3500000000 bytes uncompressed, more than the ${MAX_NPZ_MEMBER_BYTES}-byte limit for one member`,
    );
    expect(calls).toEqual([]);
  });

  it('members that together declare more than the limit', () => {
    const two = npzBytes([{ name: 'W1.npy', bytes: npy }, { name: 'b1.npy', bytes: npy }]);
    expect(dataErrorOf(() => parseNpz(two, 't.npz', inflateRawBytes, 200)).message).toBe('t.npz: the members declare more than 200 bytes together (limit reached at member b1.npy)');
  });

  it('a header that disagrees with the declared size is refused before the rest is inflated: a 64 MiB bomb says shape (2, 2)', () => {
    // 64 MiB of zeros after a (2, 2) header deflates to ~64 KB; the directory honestly declares the whole size
    const bomb = new Uint8Array(64 * 1024 * 1024);
    bomb.set(npy.subarray(0, 128));
    const { calls, spy } = spyOn();
    const e = dataErrorOf(() => parseNpz(npzBytes([{ name: 'W1.npy', bytes: bomb, deflate: true }]), 'bomb.npz', spy));
    expect(e.message).toBe(`bomb.npz (W1.npy): its .npy header says shape (2, 2) of <f4 = 144 bytes with the header, the archive declares ${64 * 1024 * 1024}`);
    expect(calls).toEqual([]);
    // and the other way: a header claiming more than the member holds
    const short = dataErrorOf(() => parseNpz(npzBytes([{ name: 'W1.npy', bytes: npy.subarray(0, 140), deflate: true }]), 's.npz', spy));
    expect(short.message).toMatch(/^s\.npz \(W1\.npy\): its \.npy header says shape \(2, 2\) of <f4 = 144 bytes with the header, the archive declares 140$/);
  });

  it('a member whose first bytes are no .npy header, and damaged deflate data, are refused by the prefix read', () => {
    expect(dataErrorOf(() => parseNpz(npzBytes([{ name: 'W1.npy', bytes: new Uint8Array(200), deflate: true }]), 'z.npz', inflateRawBytes)).message).toMatch(
      /^z\.npz \(W1\.npy\): not a \.npy file/,
    );
    const archive = npzBytes([{ name: 'W1.npy', bytes: npy, deflate: true }]);
    archive[30 + 'W1.npy'.length] = 0xff; // first deflate byte: block type 3 (reserved)
    expect(dataErrorOf(() => parseNpz(archive, 'd.npz', inflateRawBytes)).message).toMatch(/^d\.npz: member W1\.npy: corrupt deflate data \(/);
  });

  it('an end record announcing more entries than its directory holds', () => {
    const archive = npzBytes([{ name: 'W1.npy', bytes: npy }]);
    setU16(archive, archive.length - 22 + 10, 60000);
    expect(dataErrorOf(() => parseNpz(archive, 'n.npz', inflateRawBytes)).message).toMatch(/^n\.npz: the end record announces 60000 entries, more than a \d+-byte central directory can hold$/);
  });

  it('member names with a newline, an escape sequence or 10,000 characters are escaped and capped (1 + 1 + 5 + 10000 - 200 = 9807 cut)', () => {
    const e = dataErrorOf(() => parseNpz(npzBytes([{ name: `a\n\x1b[31m${'x'.repeat(10000)}`, bytes: npy }]), 'h.npz', inflateRawBytes));
    expect(e.message).not.toMatch(/[\n\x1b]/);
    expect(e.message).toMatch(/^h\.npz: member a\\n\\x1b\[31mx+…\(\+9807 more characters\) is not a \.npy array/);
  });
});
