// What every forward pass does with its softmax rows, once: per-image SSE ½Σ(y−t)², CEE −log(y_t + δ) and argmax
// (first maximum wins, as np.argmax), and one image's probabilities. The MLP forward (nn/fastForward.ts) and the
// layer network's (networkForward.ts) differ only in the image loop that yields the rows.
import { CEE_DELTA } from '../nn/losses';
import type { Forward } from '../nn/fastForward';
import { assertShape } from '../tensor';

/** Calls visit(i, image, y, at) for images indices[start..end) (or start..end), i from 0; y[at .. at + K) are its probabilities. */
export type ImageLoop = (
  pixels: Uint8Array, indices: Uint32Array | null, start: number, end: number,
  visit: (i: number, image: number, y: Float64Array | Float32Array, at: number) => void,
) => void;

/** The Forward of an image loop over D-pixel images with K classes; `what` names it in shape errors (bugs). */
export function forwardOver(forEachImage: ImageLoop, D: number, K: number, what: string): Forward {
  return {
    lossesInto(data, indices, start, end, out, offset) {
      assertShape(data.pixels.length === data.labels.length * D, `${what}: ${data.pixels.length} pixels for ${data.labels.length} labels of ${D}`);
      assertShape(offset + end - start <= out.sse.length, `${what}: ${end - start} images at ${offset} into ${out.sse.length}`);
      forEachImage(data.pixels, indices, start, end, (i, image, y, at) => {
        const t = data.labels[image];
        let squares = 0;
        let best = 0;
        for (let c = 0; c < K; c++) {
          const d = y[at + c] - (c === t ? 1 : 0);
          squares += d * d;
          if (y[at + c] > y[at + best]) best = c;
        }
        out.sse[offset + i] = 0.5 * squares;
        out.cee[offset + i] = -Math.log(y[at + t] + CEE_DELTA);
        out.predicted[offset + i] = best;
      });
    },
    probabilities(pixels, image) {
      assertShape(Number.isInteger(image) && image >= 0 && (image + 1) * D <= pixels.length, `${what}: image ${image} outside ${pixels.length / D} images`);
      const y = new Float32Array(K);
      forEachImage(pixels, Uint32Array.of(image), 0, 1, (_, __, probabilities, at) => y.set(probabilities.subarray(at, at + K)));
      return y;
    },
  };
}
