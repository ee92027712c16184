// numpy legacy RandomState samplers on top of Mt19937: randint/choice (masked rejection on low bits),
// permutation/shuffle (Fisher-Yates from the top), choice without replacement, rand and randn.
// Mirrors numpy/random/mtrand.pyx and _bounded_integers.pyx.in; see shared/spec/numpy-rng.md §5-7.
import type { Mt19937 } from './mt19937';

/** Smallest 2^b - 1 that is >= max (bit-smear), as an unsigned 32-bit number. */
function maskFor(max: number): number {
  let m = max >>> 0;
  m |= m >>> 1; m |= m >>> 2; m |= m >>> 4; m |= m >>> 8; m |= m >>> 16;
  return m >>> 0;
}

/** A uniform integer in [0, max] for max < 2^32: numpy's masked rejection; draws nothing when max is 0. */
export function boundedUint32(rng: Mt19937, max: number): number {
  if (max === 0) return 0;
  if (max === 0xffffffff) return rng.nextUint32();
  const mask = maskFor(max);
  let v: number;
  do v = (rng.nextUint32() & mask) >>> 0; while (v > max);
  return v;
}

/**
 * A uniform integer in [0, max] for 2^32 <= max < 2^53: numpy's 64-bit masked rejection on
 * next64 = hi·2^32 + lo (the first word is the high half), done exactly in doubles.
 */
function boundedUint53(rng: Mt19937, max: number): number {
  const maskHi = maskFor(Math.floor(max / 0x100000000)); // the low word's mask is all ones
  let v: number;
  do v = ((rng.nextUint32() & maskHi) >>> 0) * 0x100000000 + rng.nextUint32(); while (v > max);
  return v;
}

function checkPopulation(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0x100000000)
    throw new RangeError(`${what}: population ${n} must be a whole number from 0 to 2^32`);
}

function checkSize(size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`${what}: size ${size} must be a whole number >= 0 (numpy: negative dimensions are not allowed)`);
}

/** np.random.randint(low, high, size): size values in [low, high), drawn one after another; spans above 2^32 use 64-bit draws (up to 2^53). */
export function randint(rng: Mt19937, low: number, high: number, size: number): number[] {
  if (!Number.isInteger(low) || !Number.isInteger(high))
    throw new RangeError(`randint: low ${low} and high ${high} must be whole numbers`);
  if (high <= low) throw new RangeError(`randint: low >= high (${low}, ${high})`);
  const max = high - 1 - low; // inclusive span; exact only while high - low <= 2^53
  if (!Number.isSafeInteger(max) || low + max + 1 !== high)
    throw new RangeError(`randint: high - low must be at most 2^53, got [${low}, ${high})`);
  checkSize(size, 'randint');
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) out[i] = low + (max > 0xffffffff ? boundedUint53(rng, max) : boundedUint32(rng, max));
  return out;
}

/** np.random.choice(n, k) with replacement (= randint(0, n, k)); n <= 2^32 so values fit a Uint32Array. */
export function choice(rng: Mt19937, n: number, k: number): Uint32Array {
  checkPopulation(n, 'choice');
  checkSize(k, 'choice');
  if (n === 0 && k > 0) throw new RangeError('choice: a must be greater than 0 unless no samples are taken');
  const out = new Uint32Array(k);
  const max = n - 1;
  for (let i = 0; i < k; i++) out[i] = boundedUint32(rng, max);
  return out;
}

/** np.random.shuffle(a): Fisher-Yates from the top, j = random_interval(i). In place. */
export function shuffle<T extends { length: number; [i: number]: number }>(rng: Mt19937, a: T): T {
  for (let i = a.length - 1; i >= 1; i--) {
    const j = boundedUint32(rng, i);
    const tmp = a[i]; a[i] = a[j]; a[j] = tmp;
  }
  return a;
}

/** np.random.permutation(n): 0..n-1 shuffled. */
export function permutation(rng: Mt19937, n: number): Uint32Array {
  checkPopulation(n, 'permutation');
  const a = new Uint32Array(Math.max(0, n));
  for (let i = 0; i < a.length; i++) a[i] = i;
  return shuffle(rng, a);
}

/** np.random.choice(n, k, replace=False) = permutation(n)[:k]: always shuffles all n to stay in step with numpy. */
export function choiceWithoutReplacement(rng: Mt19937, n: number, k: number): Uint32Array {
  checkPopulation(n, 'choice');
  checkSize(k, 'choice');
  if (k > n) throw new RangeError("choice: Cannot take a larger sample than population when 'replace=False'");
  return permutation(rng, n).slice(0, k);
}

/** np.random.rand(size): size uniform doubles in [0, 1). */
export function rand(rng: Mt19937, size: number): Float64Array {
  checkSize(size, 'rand');
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.random();
  return out;
}

/** scale * np.random.randn(size) as float64, filled in C order (uses and refills the Gaussian cache). */
export function randn(rng: Mt19937, size: number, scale = 1): Float64Array {
  checkSize(size, 'randn');
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = scale * rng.gauss();
  return out;
}
