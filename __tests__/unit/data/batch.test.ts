// sampleIndices against numpy's np.random.choice goldens, gatherBatch's float32 /255 against numpy's
// `x.astype(np.float32); x /= 255.0`, and oneHot by hand.
import { gatherBatch, oneHot, sampleIndices } from '../../../src/data/batch';
import type { MnistSplit } from '../../../src/data/types';
import { ExitCode, MnistLossError } from '../../../src/errors';
import { Mt19937 } from '../../../src/rng/mt19937';
import { fixtureSplit } from '../../helpers/idxFixture';

describe('sampleIndices = np.random.choice after np.random.seed', () => {
  // Generated with numpy 2.4 (legacy RandomState):
  //   import numpy as np
  //   for s, n, k in [(42,60000,10), (0,60000,5), (4294967295,60000,3), (7,10000,6), (123,30,12)]:
  //       np.random.seed(s); print(np.random.choice(n, k).tolist())
  const withReplacement: [number, number, number, number[]][] = [
    [42, 60000, 10, [56422, 15795, 860, 38158, 54343, 44732, 11284, 54886, 6265, 16850]],
    [0, 60000, 5, [2732, 43567, 42613, 52416, 45891]],
    [4294967295, 60000, 3, [27043, 16674, 44103]],
    [7, 10000, 6, [9412, 537, 5699, 4307, 919, 1372]],
    [123, 30, 12, [13, 2, 28, 2, 6, 17, 19, 10, 27, 25, 22, 1]],
  ];
  it.each(withReplacement)('seed %d, choice(%d, %d)', (seed, n, k, expected) => {
    expect([...sampleIndices(new Mt19937(seed), n, k, true)]).toEqual(expected);
  });

  //   for s, n, k in [(42,60000,10), (1,10000,5), (123,30,12), (5,30,30)]:
  //       np.random.seed(s); print(np.random.choice(n, k, replace=False).tolist())
  const withoutReplacement: [number, number, number, number[]][] = [
    [42, 60000, 10, [12628, 37730, 39991, 8525, 8279, 51012, 14871, 15127, 9366, 33322]],
    [1, 10000, 5, [9953, 3850, 4962, 3886, 5437]],
    [123, 30, 12, [7, 29, 5, 26, 8, 27, 12, 21, 11, 23, 18, 4]],
    [5, 30, 30, [11, 29, 23, 25, 18, 10, 2, 13, 26, 21, 28, 0, 17, 5, 1, 27, 12, 20, 19, 24, 7, 4, 8, 9, 16, 22, 6, 15, 14, 3]],
  ];
  it.each(withoutReplacement)('seed %d, choice(%d, %d, replace=False)', (seed, n, k, expected) => {
    expect([...sampleIndices(new Mt19937(seed), n, k, false)]).toEqual(expected);
  });

  it('a sample larger than the population without replacement is a usage error, as in numpy', () => {
    // np.random.choice(30, 31, replace=False) -> ValueError: Cannot take a larger sample than population when 'replace=False'
    let error: unknown;
    try { sampleIndices(new Mt19937(0), 30, 31, false); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(MnistLossError);
    expect((error as MnistLossError).exitCode).toBe(ExitCode.Usage);
    expect((error as MnistLossError).message).toContain("Cannot take a larger sample than population when 'replace=False'");
    expect((error as MnistLossError).message).toContain('the split has 30');
    expect((error as MnistLossError).hint).toMatch(/at most 30/);
  });

  it('with replacement, the batch may be larger than the population', () => {
    expect(sampleIndices(new Mt19937(0), 3, 50, true).every((i) => i < 3)).toBe(true);
  });
});

describe('gatherBatch', () => {
  it('x = pixels / 255 in float32, exactly as numpy computes it', () => {
    // x = np.array([0,1,2,51,127,128,200,254,255], np.uint8).astype(np.float32); x /= 255.0; [repr(v) for v in x.tolist()]
    //   -> 0.0, 0.003921568859368563, 0.007843137718737125, 0.20000000298023224, 0.49803921580314636,
    //      0.501960813999176, 0.7843137383460999, 0.9960784316062927, 1.0
    const pixels = Uint8Array.from([0, 1, 2, 51, 127, 128, 200, 254, 255]);
    const split: MnistSplit = { split: 'train', count: 1, rows: 3, cols: 3, pixels, labels: Uint8Array.from([7]) };
    const { x, t } = gatherBatch(split, [0]);
    expect(x.rows).toBe(1);
    expect(x.cols).toBe(9);
    expect(x.data).toBeInstanceOf(Float32Array);
    expect([...x.data]).toEqual([
      0.0, 0.003921568859368563, 0.007843137718737125, 0.20000000298023224, 0.49803921580314636,
      0.501960813999176, 0.7843137383460999, 0.9960784316062927, 1.0,
    ]);
    expect([...t]).toEqual([7]);
  });

  it('gathers rows in index order, repeats included: x[b] = pixels[indices[b]] / 255, t[b] = labels[indices[b]]', () => {
    const split: MnistSplit = { split: 'train', ...fixtureSplit(5) };
    const { x, t } = gatherBatch(split, Uint32Array.from([4, 0, 4]));
    expect([x.rows, x.cols]).toEqual([3, 784]);
    // fixture: pixel (i, d) = (i * 37 + d) mod 256, label i = (3 i) mod 10
    // row 0 is image 4: pixel 0 = 148, pixel 200 = (148 + 200) mod 256 = 92; row 1 is image 0: pixel 5 = 5
    expect(x.data[0]).toBe(Math.fround(148 / 255));
    expect(x.data[200]).toBe(Math.fround(92 / 255));
    expect(x.data[784 + 5]).toBe(Math.fround(5 / 255));
    expect([...x.data.subarray(2 * 784)]).toEqual([...x.data.subarray(0, 784)]);
    expect([...t]).toEqual([2, 0, 2]);
  });

  it('an index outside the split is a bug (plain Error), not user input', () => {
    const split: MnistSplit = { split: 'train', ...fixtureSplit(2) };
    expect(() => gatherBatch(split, [2])).toThrow(/index 2 outside \[0, 2\)/);
  });
});

describe('oneHot', () => {
  it('row b has a single 1 at column t[b]', () => {
    const y = oneHot(Uint8Array.from([2, 0]), 3);
    expect([y.rows, y.cols]).toEqual([2, 3]);
    expect([...y.data]).toEqual([0, 0, 1, 1, 0, 0]);
  });
  it('defaults to K = 10', () => {
    expect(oneHot(Uint8Array.from([9])).data[9]).toBe(1);
  });
});
