// Mt19937 core against numpy 2.4.6's legacy RandomState: seeding, raw words, random() (bit-exact)
// and gauss() (within 2e-15 relative: V8's Math.log vs glibc's log, shared/spec/numpy-rng.md §7).
import { Mt19937 } from '../../../src/rng/mt19937';
import { expectAllClose } from '../../helpers/allClose';

const TWO_53 = 9007199254740992;
const GAUSS_REL_TOL = 2e-15;

describe('Mt19937 seeding (np.random.seed)', () => {
  it('fills the state with Knuth init_genrand and leaves a twist pending', () => {
    // spec §2, seed 0: mt[0..4] = 0, 1, 1812433255, 1900727105, 1208447044; mt[623] = 1796872496
    const rng = new Mt19937(0);
    expect([0, 1, 2, 3, 4, 623].map((i) => rng.stateWord(i))).toEqual([0, 1, 1812433255, 1900727105, 1208447044, 1796872496]);
    expect(rng.position).toBe(624);
    // mt[1] by hand: 1812433253 * (0 ^ (0 >>> 30)) + 1 = 1; mt[2] = 1812433253 * (1 ^ 0) + 2 = 1812433255
    expect(rng.stateWord(2)).toBe(1812433253 * 1 + 2);
  });

  it.each([-1, 4294967296, 2 ** 64, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects seed %p (numpy: ValueError / TypeError)', (seed) => {
    expect(() => new Mt19937(seed)).toThrow(RangeError);
  });

  it('accepts both ends of [0, 2^32 - 1]', () => {
    // np.random.seed(2**32 - 1); np.random.mtrand._rand._bit_generator.random_raw(4)
    //   -> [419326371, 479346978, 3918654476, 2416749639]
    const rng = new Mt19937(4294967295);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([419326371, 479346978, 3918654476, 2416749639]);
    expect(() => new Mt19937(0)).not.toThrow();
  });

  it('reseeding restarts the stream and empties the Gaussian cache', () => {
    const rng = new Mt19937(0);
    const first = [rng.gauss(), rng.gauss()];
    rng.gauss(); // leaves f*x1 of pair 2 cached
    rng.seed(0);
    expect([rng.gauss(), rng.gauss()]).toEqual(first);
  });
});

describe('Mt19937.nextUint32 (tempered output)', () => {
  it('matches numpy for seed 0 (spec §3)', () => {
    // np.random.seed(0); random_raw(5) -> 2357136044, 2546248239, 3071714933, 3626093760, 2588848963
    const rng = new Mt19937(0);
    expect(Array.from({ length: 5 }, () => rng.nextUint32())).toEqual([2357136044, 2546248239, 3071714933, 3626093760, 2588848963]);
  });

  it('returns unsigned 32-bit integers across several twists', () => {
    const rng = new Mt19937(123);
    let highBit = 0;
    let bad = 0;
    for (let i = 0; i < 3 * 624 + 5; i++) {
      const w = rng.nextUint32();
      if (!(Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) bad++;
      if (w >= 0x80000000) highBit++;
    }
    expect(bad).toBe(0);
    expect(highBit).toBeGreaterThan(0); // bit 31 set must still come out positive
  });
});

describe('Mt19937.random (random_sample)', () => {
  it('is (a·2^26 + b) / 2^53 with a = first word >>> 5 and b = second word >>> 6, bit for bit', () => {
    const words = new Mt19937(0);
    const rng = new Mt19937(0);
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = words.nextUint32() >>> 5;
      const b = words.nextUint32() >>> 6;
      want.push((a * 67108864 + b) / TWO_53);
      got.push(rng.random());
    }
    expect(got).toEqual(want);
    // the first one by hand: 2357136044 >>> 5 = 73660501, 2546248239 >>> 6 = 39785128,
    // (73660501 * 2^26 + 39785128) / 2^53 = 0.5488135039273248 (np.random.seed(0); np.random.rand())
    expect(2357136044 >>> 5).toBe(73660501);
    expect(2546248239 >>> 6).toBe(39785128);
    expect((73660501 * 67108864 + 39785128) / TWO_53).toBe(0.5488135039273248);
  });

  it('matches numpy exactly for seeds 42 and 2^32 - 1', () => {
    // np.random.seed(42); np.random.random_sample(6).tolist()
    const seed42 = [0.3745401188473625, 0.9507143064099162, 0.7319939418114051, 0.5986584841970366, 0.15601864044243652, 0.15599452033620265];
    let rng = new Mt19937(42);
    expect(seed42.map(() => rng.random())).toEqual(seed42);
    // np.random.seed(2**32 - 1); np.random.random_sample(3).tolist()
    const seedMax = [0.0976320289940138, 0.9123828453026218, 0.78903530185164];
    rng = new Mt19937(4294967295);
    expect(seedMax.map(() => rng.random())).toEqual(seedMax);
  });

  it('stays in [0, 1) on a 53-bit grid', () => {
    const rng = new Mt19937(7);
    let bad = 0;
    for (let i = 0; i < 10000; i++) {
      const u = rng.random();
      if (!(u >= 0 && u < 1 && Number.isInteger(u * TWO_53))) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('Mt19937.gauss (legacy polar method)', () => {
  it('matches numpy standard_normal within 2e-15 relative', () => {
    // np.random.seed(42); np.random.standard_normal(6).tolist()
    const seed42 = [0.4967141530112327, -0.13826430117118466, 0.6476885381006925, 1.5230298564080254, -0.23415337472333597, -0.23413695694918055];
    let rng = new Mt19937(42);
    expectAllClose(seed42.map(() => rng.gauss()), seed42, 0, GAUSS_REL_TOL);
    // np.random.seed(2**32 - 1); np.random.standard_normal(3).tolist()
    const seedMax = [0.6484086742306527, 0.6693235306338161, -1.0805437227474493];
    rng = new Mt19937(4294967295);
    expectAllClose(seedMax.map(() => rng.gauss()), seedMax, 0, GAUSS_REL_TOL);
  });

  it('returns f·x2 first and caches f·x1, rejecting pairs outside the unit disc (spec §7)', () => {
    const uniforms = new Mt19937(2024);
    const rng = new Mt19937(2024);
    const got: number[] = [];
    const want: number[] = [];
    for (let pair = 0; pair < 500; pair++) {
      let x1: number, x2: number, r2: number;
      do {
        x1 = 2 * uniforms.random() - 1;
        x2 = 2 * uniforms.random() - 1;
        r2 = x1 * x1 + x2 * x2;
      } while (r2 >= 1 || r2 === 0);
      const f = Math.sqrt((-2 * Math.log(r2)) / r2);
      want.push(f * x2, f * x1);
      got.push(rng.gauss(), rng.gauss());
    }
    expectAllClose(got, want, 0, GAUSS_REL_TOL);
    // both generators consumed the same words: the stream position is exact
    expect(rng.nextUint32()).toBe(uniforms.nextUint32());
  });

  it('keeps the cached value across raw draws and random() (they neither use nor clear it)', () => {
    const plain = new Mt19937(5);
    const g = [plain.gauss(), plain.gauss()];
    const rng = new Mt19937(5);
    expect(rng.gauss()).toBe(g[0]);
    rng.nextUint32();
    rng.random();
    expect(rng.gauss()).toBe(g[1]);
  });
});
