// The book's loss functions (common/functions.py sum_squared_error, cross_entropy_error) against the
// chapter's worked examples, numpy goldens for a 10,000-row y, and visible arithmetic for ties and forms.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSplit } from '../../../src/data/mnist';
import { parseNpy } from '../../../src/io/npy';
import { softmaxRowsFloat64 } from '../../../src/nn/activations';
import {
  accuracy,
  CEE_DELTA,
  countCorrect,
  crossEntropyErrorMean,
  labelsFromOneHot,
  sumSquaredErrorMean,
  sumSquaredErrorSum,
  type Predictions,
} from '../../../src/nn/losses';
import { pairwiseSum } from '../../../src/nn/numpySum';
import { fromArray } from '../../../src/tensor';
import { expectAllClose } from '../../helpers/allClose';

const FIXTURES = path.join(__dirname, '../../fixtures/loss');
const rows64 = (rows: number, cols: number, values: number[]): Predictions => ({ rows, cols, data: Float64Array.from(values) });

// The chapter's worked examples: t = one-hot 2; y1 is confident and right, y2 confident and wrong.
const T = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
const Y1 = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
const Y2 = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0];

describe('the book\'s worked examples (float64, as numpy computes them)', () => {
  // import numpy as np
  // t = np.array([0,0,1,0,0,0,0,0,0,0]); y1 = np.array([.1,.05,.6,0,.05,.1,0,.1,0,0]); y2 = np.array([.1,.05,.1,0,.05,.1,0,.6,0,0])
  // 0.5*np.sum((y1-t)**2) -> 0.09750000000000003   -np.sum(t*np.log(y1+1e-7)) -> 0.510825457099338
  // 0.5*np.sum((y2-t)**2) -> 0.5975                -np.sum(t*np.log(y2+1e-7)) -> 2.302584092994546
  // (The book prints 0.097500000000000031 and 0.59750000000000003: the same doubles in 17 digits.)
  // By hand: y1 - t squares to .01 + .0025 + .16 + .0025 + .01 + .01 = .195, half is .0975; y2: 1.195 / 2 = .5975.
  const labels = Uint8Array.of(2);
  const onehot = fromArray(1, 10, T);

  it('SSE is 0.0975 and 0.5975, to numpy\'s last bit (pairwise order)', () => {
    expect(sumSquaredErrorMean(rows64(1, 10, Y1), labels)).toBe(0.09750000000000003);
    expect(sumSquaredErrorMean(rows64(1, 10, Y2), labels)).toBe(0.5975);
    expect(sumSquaredErrorMean(rows64(1, 10, Y1), onehot)).toBe(0.09750000000000003);
    expect(sumSquaredErrorMean(rows64(1, 10, Y2), onehot)).toBe(0.5975);
  });

  it('CEE is 0.510825457099338 and 2.302584092994546 = −log(0.6 + 1e-7), −log(0.1 + 1e-7)', () => {
    expect(crossEntropyErrorMean(rows64(1, 10, Y1), labels)).toBe(0.510825457099338);
    expect(crossEntropyErrorMean(rows64(1, 10, Y2), labels)).toBe(2.302584092994546);
    expect(crossEntropyErrorMean(rows64(1, 10, Y1), onehot)).toBe(0.510825457099338);
    expect(crossEntropyErrorMean(rows64(1, 10, Y2), onehot)).toBe(2.302584092994546);
    expect(CEE_DELTA).toBe(1e-7);
  });

  it('a float32 y (a network\'s output) differs in the 8th digit: 0.6f is 0.60000002384', () => {
    const y32 = fromArray(1, 10, Y1);
    // -log(float32(0.6) + 1e-7) = -log(0.6000000238418579 + 1e-7)
    expect(crossEntropyErrorMean(y32, labels)).toBeCloseTo(-Math.log(0.6000000238418579 + 1e-7), 15);
    expect(crossEntropyErrorMean(y32, labels)).not.toBe(0.510825457099338);
  });

  it('accuracy: y1 picks class 2 (right), y2 picks class 7 (wrong)', () => {
    expect(accuracy(rows64(1, 10, Y1), labels)).toBe(1);
    expect(accuracy(rows64(1, 10, Y2), labels)).toBe(0);
  });
});

describe('batch forms are means over the batch', () => {
  const y = rows64(2, 10, [...Y1, ...Y2]);
  const t = Uint8Array.of(2, 2);

  it('SSE mean = (0.0975 + 0.5975) / 2, sum = 0.0975 + 0.5975', () => {
    expect(sumSquaredErrorMean(y, t)).toBeCloseTo((0.0975 + 0.5975) / 2, 15);
    expect(sumSquaredErrorSum(y, t)).toBeCloseTo(0.0975 + 0.5975, 15);
  });

  it('CEE mean = (0.5108... + 2.3025...) / 2, accuracy 1/2', () => {
    expect(crossEntropyErrorMean(y, t)).toBeCloseTo((0.510825457099338 + 2.302584092994546) / 2, 15);
    expect(accuracy(y, t)).toBe(0.5);
    expect(countCorrect(y, t)).toBe(1);
  });

  it('a probability of 0 at the label costs −log(1e-7) = 16.118..., not infinity', () => {
    expect(crossEntropyErrorMean(rows64(1, 2, [1, 0]), Uint8Array.of(1))).toBeCloseTo(16.11809565095832, 12);
  });
});

describe('accuracy ties: the first maximum wins (np.argmax)', () => {
  it('[0.5, 0.5] predicts 0; [0, 0.4, 0.4, 0.2] predicts 1; an all-equal row predicts 0', () => {
    const y = rows64(3, 4, [0.5, 0.5, 0, 0, 0, 0.4, 0.4, 0.2, 0.25, 0.25, 0.25, 0.25]);
    expect(countCorrect(y, Uint8Array.of(0, 1, 0))).toBe(3);
    expect(countCorrect(y, Uint8Array.of(1, 2, 3))).toBe(0);
  });

  it('labelsFromOneHot reads the 1 of each row', () => {
    expect([...labelsFromOneHot(fromArray(3, 3, [0, 0, 1, 1, 0, 0, 0, 1, 0]))]).toEqual([2, 0, 1]);
  });
});

describe('one-hot rows and integer labels give the same bits', () => {
  it('on the 10,000-row fixture with the MNIST test labels', () => {
    const a = parseNpy(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'y-test-10000.npy'))), 'y-test-10000.npy');
    const y = { rows: a.shape[0], cols: a.shape[1], data: a.data as Float32Array };
    const labels = loadSplit({ source: 'idx', env: {} }, 'test').labels;
    const onehot = new Float32Array(10000 * 10);
    labels.forEach((l, b) => { onehot[b * 10 + l] = 1; });
    const t1 = { rows: 10000, cols: 10, data: onehot };
    expect(sumSquaredErrorMean(y, t1)).toBe(sumSquaredErrorMean(y, labels));
    expect(crossEntropyErrorMean(y, t1)).toBe(crossEntropyErrorMean(y, labels));
    expect(accuracy(y, t1)).toBe(accuracy(y, labels));
  });
});

describe('numpy goldens: 10,000 x 10 float32 probabilities vs the MNIST test labels', () => {
  // __tests__/fixtures/loss/make_fixtures.py wrote y-test-10000.npy and printed, from
  //   y = y_test.astype(np.float64); onehot = np.eye(10)[t_test]
  //   sse_sum = 0.5 * np.sum((y - onehot) ** 2); cee = -np.sum(np.log(y[np.arange(N), t] + 1e-7)) / N
  //   acc = np.sum(np.argmax(y, axis=1) == t) / N
  // -> sse 0.37355075428653645, sseSum 3735.5075428653645, cee 1.8981402653493191, accuracy 0.4336
  it('SSE, CEE and accuracy match numpy', () => {
    const a = parseNpy(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'y-test-10000.npy'))), 'y-test-10000.npy');
    expect(a.dtype).toBe('<f4');
    const y = { rows: 10000, cols: 10, data: a.data as Float32Array };
    const t = loadSplit({ source: 'idx', env: {} }, 'test').labels;
    expect(sumSquaredErrorSum(y, t)).toBeCloseTo(3735.5075428653645, 9);
    expect(sumSquaredErrorMean(y, t)).toBeCloseTo(0.37355075428653645, 14);
    expect(crossEntropyErrorMean(y, t)).toBeCloseTo(1.8981402653493191, 13);
    expect(accuracy(y, t)).toBe(0.4336);
  });
});

describe('numpy summation order', () => {
  it('pairwiseSum of 1/1 .. 1/1000 is numpy\'s 7.485470860550345 (a plain loop gives ...343)', () => {
    // a = 1.0 / np.arange(1, 1001); np.sum(a) -> 7.485470860550345; sum(a) (sequential) -> 7.485470860550343
    const a = Float64Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
    expect(pairwiseSum(a)).toBe(7.485470860550345);
    let plain = 0;
    for (const x of a) plain += x;
    expect(plain).toBe(7.485470860550343);
  });

  it('sums a sub-range and is 0 for an empty range', () => {
    // np.sum(1.0 / np.arange(1, 11)) -> 2.9289682539682538
    const a = Float64Array.from({ length: 12 }, (_, i) => (i === 0 || i === 11 ? 1e9 : 1 / i));
    expect(pairwiseSum(a, 1, 10)).toBe(2.9289682539682538);
    expect(pairwiseSum(a, 3, 0)).toBe(0);
  });
});

describe('softmaxRowsFloat64 (common/functions.py softmax)', () => {
  it('matches numpy on rows that overflow or underflow without max-subtraction', () => {
    // z = [[1,2,3,4], [-50,0,50,700], [0,0,0,0], [-3.5,2.25,2.25,0.125], [1000,-1000,0,1]]
    // x = z - np.max(z, axis=-1, keepdims=True); (np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)).tolist()
    const z = rows64(5, 4, [1, 2, 3, 4, -50, 0, 50, 700, 0, 0, 0, 0, -3.5, 2.25, 2.25, 0.125, 1000, -1000, 0, 1]);
    const expected = [
      0.03205860328008499, 0.08714431874203257, 0.23688281808991013, 0.6439142598879724,
      0.0, 9.85967654375977e-305, 5.111951948651156e-283, 1.0,
      0.25, 0.25, 0.25, 0.25,
      0.0014994615949280121, 0.47111682858347226, 0.47111682858347226, 0.05626688123812743,
      1.0, 0.0, 0.0, 0.0,
    ];
    const y = softmaxRowsFloat64(z);
    expect(y.data).toBeInstanceOf(Float64Array);
    expectAllClose(y.data, expected, 0, 1e-14);
  });
});
