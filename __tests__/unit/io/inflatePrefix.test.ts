// inflateRawPrefix (the pure prefix decoder .npz members' headers are read with) against zlib itself: every
// block type zlib writes (stored at level 0, fixed Huffman with Z_FIXED, dynamic at levels 1 and 9, Z_RLE and
// Z_HUFFMAN_ONLY), every prefix length, damaged streams, and a bomb that must cost only the prefix.
import { constants, deflateRawSync, type ZlibOptions } from 'node:zlib';
import { InflateError, inflateRawPrefix } from '../../../src/io/inflatePrefix';

/** Mixed data: a text run, a repeated pattern (long back-references), and pseudo-random bytes (literals). */
function sample(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    if (i % 3000 < 1000) out[i] = "{'descr': '<f4', 'fortran_order': False, 'shape': (784, 50), }".charCodeAt(i % 61);
    else if (i % 3000 < 2000) out[i] = (i * 7) & 0x0f;
    else { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  }
  return out;
}

const OPTIONS: [string, ZlibOptions][] = [
  ['stored (level 0)', { level: 0 }],
  ['fixed Huffman', { strategy: constants.Z_FIXED }],
  ['dynamic, level 1', { level: 1 }],
  ['dynamic, level 9', { level: 9 }],
  ['run-length', { strategy: constants.Z_RLE }],
  ['Huffman only', { strategy: constants.Z_HUFFMAN_ONLY }],
];

describe('inflateRawPrefix equals the first bytes zlib inflates', () => {
  const data = sample(100_000); // > 65535: several stored blocks at level 0
  it.each(OPTIONS)('%s', (_, options) => {
    const compressed = deflateRawSync(data, options);
    for (const n of [0, 1, 10, 128, 10_012, 65_535, 65_536, 99_999, 100_000, 200_000])
      expect(Buffer.from(inflateRawPrefix(compressed, n)).equals(Buffer.from(data.subarray(0, n)))).toBe(true);
  });

  it('an empty stream, and small inputs of every length 0..300', () => {
    expect(inflateRawPrefix(deflateRawSync(new Uint8Array(0)), 100).length).toBe(0);
    for (let n = 0; n <= 300; n++) {
      const d = sample(n);
      expect(Buffer.from(inflateRawPrefix(deflateRawSync(d), 1000)).equals(Buffer.from(d))).toBe(true);
    }
  });
});

describe('inflateRawPrefix is bounded and refuses damaged data', () => {
  it('a 256 MiB bomb (~256 KB compressed) costs only the prefix asked for', () => {
    const bomb = deflateRawSync(new Uint8Array(256 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(300_000);
    const head = inflateRawPrefix(bomb, 10_012);
    expect(head.length).toBe(10_012);
    expect(head.every((b) => b === 0)).toBe(true);
  });

  it('truncated streams, a reserved block type, a bad stored length and a distance before the start', () => {
    const compressed = deflateRawSync(sample(5000), { level: 9 });
    expect(() => inflateRawPrefix(compressed.subarray(0, compressed.length - 10), 5000)).toThrow(InflateError);
    expect(() => inflateRawPrefix(Uint8Array.of(0x07), 10)).toThrow(/invalid block type 3/); // BFINAL 1, BTYPE 11
    expect(() => inflateRawPrefix(Uint8Array.of(0x01, 0x05, 0x00, 0x00, 0x00), 10)).toThrow(/stored block length does not match/);
    // fixed block: length code 257 (3 bytes), distance code 0 (1 back) with nothing written yet
    // bits LSB first: BFINAL=1, BTYPE=01, then 257 = 0000001 (7 bits), then distance 00000 (5 bits)
    expect(() => inflateRawPrefix(Uint8Array.of(0x03, 0x02, 0x00), 10)).toThrow(/distance reaches before the start/);
  });
});
