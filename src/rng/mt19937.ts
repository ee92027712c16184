// numpy's legacy RandomState generator (MT19937), bit for bit: seeding with init_genrand,
// tempered 32-bit output, 53-bit doubles and the polar-method Gaussian with its cache.
// Mirrors numpy/random/src/mt19937/mt19937.c and legacy-distributions.c; see shared/spec/numpy-rng.md.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MAX_SEED = 0xffffffff;

export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gaussCache = 0;

  /** Same as np.random.seed(seed): seed must be an integer in [0, 2^32 - 1]. */
  constructor(seed: number) {
    this.seed(seed);
  }

  /** np.random.seed(seed): Knuth's linear initialiser; clears the Gaussian cache. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED)
      throw new RangeError(`Seed must be between 0 and 2**32 - 1, got ${seed}`);
    const mt = this.mt;
    mt[0] = seed;
    for (let i = 1; i < N; i++) {
      const p = mt[i - 1];
      mt[i] = (Math.imul(1812433253, p ^ (p >>> 30)) + i) >>> 0;
    }
    this.pos = N;
    this.hasGauss = false;
    this.gaussCache = 0;
  }

  /** The untempered state word mt[i] and the read position (for tests against numpy's get_state). */
  stateWord(i: number): number {
    return this.mt[i];
  }
  get position(): number {
    return this.pos;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = ((mt[i] & UPPER) | (mt[(i + 1) % N] & LOWER)) >>> 0;
      mt[i] = (mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    this.pos = 0;
  }

  /** The next tempered 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** np.random.random_sample(): (a·2^26 + b) / 2^53 with a = 27 high bits of the first word. Exact in float64. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * One standard normal value (numpy legacy_gauss, polar method). Each accepted pair yields two
   * values: f·x2 is returned now, f·x1 is cached for the next call. Matches numpy to ≤ 3 ulp
   * (V8's Math.log vs glibc's log); the stream position is always exact.
   */
  gauss(): number {
    if (this.hasGauss) {
      const cached = this.gaussCache;
      this.hasGauss = false;
      this.gaussCache = 0;
      return cached;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.random() - 1;
      x2 = 2 * this.random() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gaussCache = f * x1;
    this.hasGauss = true;
    return f * x2;
  }
}
