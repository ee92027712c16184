// tensor.ts kernels against hand arithmetic: matmul (np.dot, float64 accumulation), addBias
// (broadcast + b), argmaxRows (np.argmax(y, axis=1): the first maximum wins ties).
import { addBias, argmaxRows, assertShape, fromArray, matmul, row, zeros } from '../../src/tensor';
import { expectAllClose } from '../helpers/allClose';

describe('matmul (x: [B, D] · W: [D, H] -> [B, H])', () => {
  it('multiplies a 2x3 by a 3x2 matrix', () => {
    const a = fromArray(2, 3, [1, 2, 3, 4, 5, 6]);
    const b = fromArray(3, 2, [7, 8, 9, 10, 11, 12]);
    const c = matmul(a, b);
    expect([c.rows, c.cols]).toEqual([2, 2]);
    expect(Array.from(c.data)).toEqual([
      1 * 7 + 2 * 9 + 3 * 11, // 58
      1 * 8 + 2 * 10 + 3 * 12, // 64
      4 * 7 + 5 * 9 + 6 * 11, // 139
      4 * 8 + 5 * 10 + 6 * 12, // 154
    ]);
  });

  it('is the book ch03 forward step (3.4.2): X [1, 2] · W1 [2, 3] + B1', () => {
    // the book's 3.4.3 example: X = [1.0, 0.5], W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]
    // X·W1 = [1*0.1 + 0.5*0.2, 1*0.3 + 0.5*0.4, 1*0.5 + 0.5*0.6] = [0.2, 0.5, 0.8]
    // A1 = X·W1 + B1 with B1 = [0.1, 0.2, 0.3] -> [0.3, 0.7, 1.1] (the book prints [0.3 0.7 1.1])
    const x = fromArray(1, 2, [1.0, 0.5]);
    const W1 = fromArray(2, 3, [0.1, 0.3, 0.5, 0.2, 0.4, 0.6]);
    expectAllClose(matmul(x, W1).data, [0.2, 0.5, 0.8], 1e-7);
    expectAllClose(addBias(matmul(x, W1), Float32Array.from([0.1, 0.2, 0.3])).data, [0.3, 0.7, 1.1], 1e-7);
  });

  it('accumulates in float64 and rounds to float32 once', () => {
    // 2^24 + 1 + 1: float32 running sums stick at 2^24 (16777217 is not a float32); float64 gets 16777218,
    // which is a float32.
    const a = fromArray(1, 3, [1, 1, 1]);
    const b = fromArray(3, 1, [2 ** 24, 1, 1]);
    expect(matmul(a, b).data[0]).toBe(16777218);
  });

  it('gives the same result with zero inputs (they are skipped) as the full sum for finite weights', () => {
    const a = fromArray(2, 4, [0, 2, 0, -0, 3, 0, 1, 0]);
    const b = fromArray(4, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
    // row 0: 2*[3, 4] = [6, 8]; row 1: 3*[1, 2] + 1*[5, 6] = [8, 12]
    expect(Array.from(matmul(a, b).data)).toEqual([6, 8, 8, 12]);
  });

  it('handles an empty inner dimension ([2, 0] · [0, 3] = zeros)', () => {
    expect(Array.from(matmul(zeros(2, 0), zeros(0, 3)).data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('throws a plain shape Error (a bug, exit 1) for non-conformable shapes', () => {
    expect(() => matmul(zeros(2, 3), zeros(2, 3))).toThrow(/shape mismatch: matmul: \[2,3\] x \[2,3\]/);
  });
});

describe('addBias (x: [B, H] + b: [H])', () => {
  it('adds b to every row and leaves x unchanged', () => {
    const x = fromArray(2, 2, [1, 2, 3, 4]);
    const y = addBias(x, Float32Array.from([10, 20]));
    expect(Array.from(y.data)).toEqual([1 + 10, 2 + 20, 3 + 10, 4 + 20]);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4]);
    expect([y.rows, y.cols]).toEqual([2, 2]);
  });

  it('rejects a bias of the wrong length', () => {
    expect(() => addBias(zeros(2, 3), new Float32Array(2))).toThrow(/shape mismatch/);
  });
});

describe('argmaxRows (np.argmax(y, axis=1))', () => {
  it('matches the book ch03 example', () => {
    // y = np.array([[0.1, 0.8, 0.1], [0.3, 0.1, 0.6], [0.2, 0.5, 0.3], [0.8, 0.1, 0.1]]); np.argmax(y, axis=1) -> [1 2 1 0]
    const y = fromArray(4, 3, [0.1, 0.8, 0.1, 0.3, 0.1, 0.6, 0.2, 0.5, 0.3, 0.8, 0.1, 0.1]);
    expect(Array.from(argmaxRows(y))).toEqual([1, 2, 1, 0]);
  });

  it('takes the first index on ties, and handles negatives and the last column', () => {
    // np.argmax([[0.5, 0.5, 0], [0.2, 0.2, 0.2], [-1, -2, -0.5], [0, 0, 1], [0, 0.3, 0.3]], axis=1) -> [0 0 2 2 1]
    const y = fromArray(5, 3, [0.5, 0.5, 0, 0.2, 0.2, 0.2, -1, -2, -0.5, 0, 0, 1, 0, 0.3, 0.3]);
    expect(Array.from(argmaxRows(y))).toEqual([0, 0, 2, 2, 1]);
  });

  it('returns one index per row, and 0 for a single column', () => {
    expect(Array.from(argmaxRows(fromArray(3, 1, [5, -1, 0])))).toEqual([0, 0, 0]);
    expect(argmaxRows(zeros(0, 10))).toHaveLength(0);
  });
});

describe('helpers', () => {
  it('fromArray stores row-major float32, row() is a view', () => {
    const m = fromArray(2, 3, [1, 2, 3, 4, 5, 6.1]);
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(Array.from(row(m, 1))).toEqual([4, 5, Math.fround(6.1)]);
    row(m, 0)[2] = 9;
    expect(m.data[0 * 3 + 2]).toBe(9);
  });

  it('fromArray and assertShape throw plain Errors on a bad shape', () => {
    expect(() => fromArray(2, 2, [1, 2, 3])).toThrow(/shape mismatch: fromArray: 3 values for \[2,2\]/);
    expect(() => assertShape(false, 'what')).toThrow(Error);
    expect(() => assertShape(true, 'what')).not.toThrow();
  });
});
