// Samplers on Mt19937 beyond the vector files: the 64-bit randint path by hand from raw words,
// and clear rejection of what numpy rejects or what our return types cannot hold (spec §5, §6, §8).
import { Mt19937 } from '../../../src/rng/mt19937';
import { boundedUint32, choice, choiceWithoutReplacement, permutation, rand, randint, randn } from '../../../src/rng/sample';

describe('choice (np.random.choice with replacement)', () => {
  it('matches STYLE.md sketch 7', () => {
    // import numpy as np; np.random.seed(42); np.random.choice(60000, 4)  ->  [56422, 15795, 860, 38158]
    expect([...choice(new Mt19937(42), 60000, 4)]).toEqual([56422, 15795, 860, 38158]);
  });

  it('keeps the low bits under the mask and rejects words above n - 1', () => {
    // n = 10: mask 15; each value is the first raw word whose low 4 bits are <= 9
    const words = new Mt19937(9);
    const expected: number[] = [];
    while (expected.length < 50) {
      const v = words.nextUint32() & 15;
      if (v <= 9) expected.push(v);
    }
    const rng = new Mt19937(9);
    expect([...choice(rng, 10, 50)]).toEqual(expected);
    expect(rng.nextUint32()).toBe(words.nextUint32()); // same number of words consumed
  });

  it('rejects populations a Uint32Array cannot hold (n > 2^32) instead of returning wrapped values', () => {
    expect(() => choice(new Mt19937(0), 2 ** 32 + 1, 1)).toThrow(/population .* from 0 to 2\^32/);
    expect(() => choice(new Mt19937(0), 2.5, 1)).toThrow(RangeError);
  });

  it('needs a positive population unless no samples are taken (numpy: ValueError)', () => {
    expect(() => choice(new Mt19937(0), 0, 10)).toThrow(/a must be greater than 0 unless no samples are taken/);
    expect(choice(new Mt19937(0), 0, 0)).toHaveLength(0);
  });
});

describe('choiceWithoutReplacement (np.random.choice(n, k, replace=False))', () => {
  it('is permutation(n)[:k], consuming the whole shuffle', () => {
    const a = new Mt19937(1);
    const b = new Mt19937(1);
    expect([...choiceWithoutReplacement(a, 1000, 7)]).toEqual([...permutation(b, 1000).slice(0, 7)]);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('rejects k > n like numpy', () => {
    expect(() => choiceWithoutReplacement(new Mt19937(0), 5, 6)).toThrow(/Cannot take a larger sample than population/);
  });
});

describe('randint (np.random.randint)', () => {
  it('uses hi·2^32 + lo with the high word masked when the span exceeds 2^32', () => {
    // np.random.seed(3); random_raw(4) -> [2365658986, 303761048, 3041471737, 3607553667]
    // np.random.seed(3); np.random.randint(0, 2**53, 2) -> [307219314443928, 2582726356428419]
    // span 2^53 - 1: high-word mask 2^21 - 1 = 2097151, low word taken whole
    expect(2365658986 % 2097152).toBe(71530);
    expect(71530 * 2 ** 32 + 303761048).toBe(307219314443928);
    expect(randint(new Mt19937(3), 0, 2 ** 53, 2)).toEqual([307219314443928, 2582726356428419]);
  });

  it('draws nothing for a one-value range and takes raw words for a 2^32 span', () => {
    const words = new Mt19937(11);
    const rng = new Mt19937(11);
    expect(randint(rng, 7, 8, 3)).toEqual([7, 7, 7]);
    expect(randint(rng, -(2 ** 31), 2 ** 31, 2)).toEqual([words.nextUint32() - 2 ** 31, words.nextUint32() - 2 ** 31]);
  });

  it.each([
    [0, 0, 1, /low >= high/],
    [5, 3, 1, /low >= high/],
    [0, 10, -1, /negative dimensions/],
    [0, 2 ** 64, 1, /at most 2\^53/],
    [-1, 2 ** 53, 1, /at most 2\^53/],
    [0.5, 10, 1, /whole numbers/],
  ])('rejects randint(%p, %p, %p)', (low, high, size, message) => {
    expect(() => randint(new Mt19937(0), low, high, size)).toThrow(message);
  });
});

describe('boundedUint32 / rand / randn edges', () => {
  it('boundedUint32(rng, 0) draws nothing', () => {
    const rng = new Mt19937(0);
    expect(boundedUint32(rng, 0)).toBe(0);
    expect(rng.nextUint32()).toBe(2357136044); // still the first word of seed 0 (spec §3)
  });

  it('rejects negative sizes', () => {
    expect(() => rand(new Mt19937(0), -1)).toThrow(RangeError);
    expect(() => randn(new Mt19937(0), -1)).toThrow(RangeError);
    expect(() => choice(new Mt19937(0), 5, -1)).toThrow(RangeError);
  });

  it('randn scale is one multiply per value: 0.01 * gauss()', () => {
    const g = new Mt19937(0);
    const expected = Array.from({ length: 5 }, () => 0.01 * g.gauss());
    expect([...randn(new Mt19937(0), 5, 0.01)]).toEqual(expected);
  });
});
