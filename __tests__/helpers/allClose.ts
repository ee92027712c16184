// Element-wise closeness assertion for numeric arrays, mirroring numpy.testing.assert_allclose:
// |actual - expected| <= atol + rtol * |expected|, with a failure message naming the first mismatch.
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol = 1e-6,
  rtol = 0,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`expectAllClose: length mismatch: actual has ${actual.length} elements, expected ${expected.length}`);
  }
  let mismatches = 0;
  let first = -1;
  let worstAbs = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    let ok: boolean;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      ok = Number.isNaN(e) && Number.isNaN(a);
    } else if (!Number.isFinite(e) || !Number.isFinite(a)) {
      ok = a === e;
    } else {
      const diff = Math.abs(a - e);
      ok = diff <= atol + rtol * Math.abs(e);
      if (diff > worstAbs) worstAbs = diff;
    }
    if (!ok) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  if (mismatches > 0) {
    const a = actual[first] as number;
    const e = expected[first] as number;
    throw new Error(
      `expectAllClose: ${mismatches} of ${expected.length} elements differ (atol=${atol}, rtol=${rtol}); ` +
        `first at index ${first}: actual ${a}, expected ${e}, |diff| ${Math.abs(a - e)}; ` +
        `largest |diff| ${worstAbs}`,
    );
  }
}
