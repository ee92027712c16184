// Replays every numpy vector case and error on Mt19937 + samplers: the spec's public file
// (shared/spec/numpy-rng-vectors.json, copied into fixtures/) and our extra numpy cases.
//
// fixtures/numpy-rng-extra.json was made with numpy 2.4.6 (glibc 2.36, x86_64) by
// __tests__/fixtures/make-numpy-rng-extra.py (`python3 make-numpy-rng-extra.py > numpy-rng-extra.json`).
// Each case is, in Python:
//   np.random.seed(case.seed)
//   for call in case.calls: result = run(call)   # e.g. np.random.choice(n, size, replace=replace),
//                                                # np.random.permutation(n), scale * np.random.randn(*shape),
//                                                # np.random.rand(*shape), np.random.randint(low, high, size),
//                                                # a = np.array(input); np.random.shuffle(a),
//                                                # np.random.mtrand._rand._bit_generator.random_raw(count)
//   results longer than 1000 values are stored as a summary (head, tail, 16 spread values,
//   sha256 of ",".join(str(v)) for ints, left-to-right sum/sum_abs for doubles).
// It covers 22 seeds (0, 1, 42, 2^32-1, 123456789, 2^31-1, 2^31, 1234 and 14 drawn by
// random.Random(20240611)), each with: choice(60000,10), choice(60000,100), choice(10000,100),
// choice(60000,100,replace=False) then choice(60000,10) (the full 60000 shuffle keeps the stream in step),
// permutation(10), 0.01*randn(784,50) then choice(60000,100), randn odd counts through the Gaussian cache
// (with rand/choice in between and a reseed), seed; randn(1); choice(60000,3); randn(2), and rand/randn scalars;
// plus mask edges of the bounded-integer sampler (n = 2^k - 1, 2^k, 2^k + 1 up to 2^32), 64-bit randint
// spans up to 2^53, empty and one-element draws, and 18 calls numpy rejects.
import { Mt19937 } from '../../../src/rng/mt19937';
import { parseSeed } from '../../../src/cli/options';
import { checkCall, loadVectors, runCall, VectorCall, VectorFile } from '../../helpers/numpyRngVectors';

const ALL_OPS = ['seed', 'raw_uint32', 'skip_uint32', 'state_key', 'choice', 'permutation', 'shuffle', 'randint', 'rand', 'randn'];

function replayCase(file: VectorFile, seed: number, calls: VectorCall[]): number {
  const rng = new Mt19937(seed);
  let checked = 0;
  for (const call of calls) {
    const result = runCall(rng, call);
    if (call.expect === undefined && call.expect_summary === undefined) {
      expect(result).toBeUndefined(); // seed / skip_uint32 produce nothing
      continue;
    }
    checkCall(result, call, file);
    checked++;
  }
  return checked;
}

function expectRejected(call: VectorCall): void {
  if (call.op === 'seed') {
    if (typeof call.seed_text === 'string') {
      // JSON cannot carry `1.0` apart from `1`, so float seeds come as text: the CLI parser must refuse it.
      expect(() => parseSeed(call.seed_text as string)).toThrow();
    } else {
      const seed = call.seed as number;
      expect(() => new Mt19937(seed)).toThrow(RangeError);
      expect(() => new Mt19937(0).seed(seed)).toThrow(RangeError);
      expect(() => parseSeed(BigInt(seed).toString())).toThrow();
    }
    return;
  }
  expect(() => runCall(new Mt19937(0), call)).toThrow(RangeError);
}

describe.each(['numpy-rng-vectors.json', 'numpy-rng-extra.json'])('numpy vectors in %s', (fileName) => {
  const file = loadVectors(fileName);

  it('uses only the ops the spec defines, and every op at least once across both files', () => {
    for (const c of file.cases) for (const call of c.calls) expect(ALL_OPS).toContain(call.op);
  });

  it.each(file.cases.map((c) => [c.id, c] as const))('case %s', (_id, c) => {
    expect(c.calls.length).toBeGreaterThan(0);
    const checked = replayCase(file, c.seed, c.calls);
    expect(checked).toBe(c.calls.filter((call) => call.expect !== undefined || call.expect_summary !== undefined).length);
  });

  it.each(file.errors.map((e) => [e.id, e] as const))('rejects %s like numpy', (_id, e) => {
    expectRejected(e.call);
  });
});

describe('vector coverage', () => {
  it('exercises every op of the spec, both compare modes and every summary kind', () => {
    const files = [loadVectors('numpy-rng-vectors.json'), loadVectors('numpy-rng-extra.json')];
    const calls = files.flatMap((f) => f.cases.flatMap((c) => c.calls));
    expect(new Set(calls.map((c) => c.op))).toEqual(new Set(ALL_OPS));
    expect(calls.some((c) => c.op === 'choice' && c.size === null)).toBe(true);
    expect(calls.some((c) => c.op === 'choice' && c.replace === false)).toBe(true);
    expect(calls.some((c) => c.op === 'randn' && c.scale !== undefined)).toBe(true);
    expect(calls.some((c) => c.expect_summary?.sha256_csv !== undefined)).toBe(true);
    expect(calls.some((c) => c.expect_summary?.sha256_f64le !== undefined && c.compare === 'exact')).toBe(true);
    expect(calls.some((c) => c.expect_summary?.sum !== undefined && c.compare === 'tolerance')).toBe(true);
    const seeds = new Set(files[1].cases.map((c) => c.seed));
    for (const s of [0, 1, 42, 4294967295, 123456789]) expect(seeds).toContain(s);
    expect(seeds.size).toBeGreaterThanOrEqual(20);
  });
});
