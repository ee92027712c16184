// Seeded mini-batches: sample indices exactly as np.random.choice does, gather their pixels as
// float32 / 255 and their labels. Mirrors the book's ch04 `batch_mask = np.random.choice(train_size,
// batch_size); x_batch = x_train[batch_mask]` with load_mnist(normalize=True).
import { usageError } from '../errors';
import type { Mt19937 } from '../rng/mt19937';
import { choice, choiceWithoutReplacement } from '../rng/sample';
import { assertShape, type Matrix } from '../tensor';
import type { MnistSplit } from './types';

/** PIXEL_SCALE[p] = float32(p) / float32(255) in float32, as numpy's `x.astype(np.float32); x /= 255.0`. */
const PIXEL_SCALE = (() => {
  const table = new Float32Array(256);
  for (let p = 0; p < 256; p++) table[p] = p / 255; // the float64 quotient rounds to the correctly rounded float32 quotient
  return table;
})();

/**
 * np.random.choice(n, size) (replace) or np.random.choice(n, size, replace=False): the same indices
 * as numpy after np.random.seed(s) for the same rng state.
 */
export function sampleIndices(rng: Mt19937, n: number, size: number, replace: boolean): Uint32Array {
  if (!Number.isSafeInteger(size) || size < 0) throw usageError(`batch size must be a whole number >= 0, found ${size}`);
  if (n === 0 && size > 0) throw usageError('cannot sample from an empty split (0 images)', 'check the data folder');
  if (!replace && size > n)
    throw usageError(
      `a batch of ${size} without replacement needs at least ${size} images, the split has ${n} (numpy: "Cannot take a larger sample than population when 'replace=False'")`,
      `use a size of at most ${n}, or sample with replacement`,
      { code: 'sample-size', size, available: n },
    );
  return replace ? choice(rng, n, size) : choiceWithoutReplacement(rng, n, size);
}

/**
 * x = pixels[indices] / 255 as float32, t = labels[indices].
 * pixels: [N, D] uint8, indices: [B] -> x: [B, D] float32, t: [B] uint8.
 */
export function gatherBatch(split: MnistSplit, indices: ArrayLike<number>): { x: Matrix; t: Uint8Array } {
  const B = indices.length, D = split.rows * split.cols;
  assertShape(split.pixels.length === split.count * D, `gatherBatch: ${split.pixels.length} pixels for [${split.count}, ${D}]`);
  const x = new Float32Array(B * D);
  const t = new Uint8Array(B);
  for (let b = 0; b < B; b++) {
    const i = indices[b];
    assertShape(Number.isInteger(i) && i >= 0 && i < split.count, `gatherBatch: index ${i} outside [0, ${split.count})`);
    const src = i * D, dst = b * D;
    for (let d = 0; d < D; d++) x[dst + d] = PIXEL_SCALE[split.pixels[src + d]];
    t[b] = split.labels[i];
  }
  return { x: { rows: B, cols: D, data: x }, t };
}

/** One-hot rows for labels t: [B] -> [B, K], row b has a 1 at column t[b] (the book's one_hot_label=True). */
export function oneHot(t: Uint8Array, K = 10): Matrix {
  const data = new Float32Array(t.length * K);
  for (let b = 0; b < t.length; b++) {
    assertShape(t[b] < K, `oneHot: label ${t[b]} at ${b} is not below K=${K}`);
    data[b * K + t[b]] = 1;
  }
  return { rows: t.length, cols: K, data };
}
