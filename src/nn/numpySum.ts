// numpy's summation order for float64 reductions (np.sum, np.add.reduce over contiguous data):
// pairwise summation, mirroring pairwise_sum_DOUBLE in numpy/_core/src/umath/loops_utils.h.src.
// Using the same order makes sums agree with numpy to the last bit, not just within rounding.

/** numpy's PW_BLOCKSIZE: blocks up to this length use eight running accumulators. */
const PW_BLOCKSIZE = 128;

/**
 * Σ a[start .. start+n) in numpy's pairwise order: a plain loop below 8 terms, eight interleaved
 * accumulators up to 128 terms, otherwise split at a multiple of 8 near the middle and recurse.
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0; // numpy starts the reduction from its identity, 0.0 (so an empty sum is 0)
    for (let i = start; i < start + n; i++) res += a[i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    const end8 = start + (n - (n % 8));
    let i = start + 8;
    for (; i < end8; i += 8) {
      r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3];
      r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < start + n; i++) res += a[i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}
