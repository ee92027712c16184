// Weight initialisation as the book's ch04 TwoLayerNet and ch06 MultiLayerNet do it:
// after np.random.seed(S), in layer order, W_l = scale · np.random.randn(in, out) and b_l = zeros(out).
// The values are drawn in float64 (numpy's) and stored as float32, the precision of our parameters.
import { usageError } from '../errors';
import type { Mt19937 } from '../rng/mt19937';
import { randn } from '../rng/sample';
import type { Activation, Layer, Network } from './network';

/** A fixed standard deviation (the book's weight_init_std, default 0.01), or a fan-in scale. */
export type InitScheme =
  | { readonly kind: 'std'; readonly std: number }
  | { readonly kind: 'xavier' } // sqrt(1 / in): MultiLayerNet weight_init_std='xavier' (for sigmoid)
  | { readonly kind: 'he' }; // sqrt(2 / in): MultiLayerNet weight_init_std='he' (for relu)

/** The book's TwoLayerNet default: weight_init_std = 0.01. */
export const DEFAULT_INIT: InitScheme = { kind: 'std', std: 0.01 };

/** The factor multiplying randn for a layer with `fanIn` inputs (np.sqrt is correctly rounded, as Math.sqrt). */
export function initScale(init: InitScheme, fanIn: number): number {
  switch (init.kind) {
    case 'std': return init.std;
    case 'xavier': return Math.sqrt(1.0 / fanIn);
    case 'he': return Math.sqrt(2.0 / fanIn);
  }
}

/** "std 0.01", "xavier", "he": how reports and model metadata name the scheme. */
export function describeInit(init: InitScheme): string {
  return init.kind === 'std' ? `std ${init.std}` : init.kind;
}

/**
 * A network with unit counts `sizes` = [784, H1, ..., 10]: W_l = scale_l · randn(in, out) drawn from
 * `rng` in layer order (C order within a layer), b_l = 0. The caller seeds `rng` (np.random.seed(S))
 * and keeps drawing from it afterwards (the batches), exactly as the book's script shares one stream.
 */
export function initNetwork(rng: Mt19937, sizes: readonly number[], activation: Activation, init: InitScheme = DEFAULT_INIT): Network {
  if (sizes.length < 2 || sizes.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw usageError(`layer sizes must be two or more whole numbers >= 1, found [${sizes.join(', ')}]`);
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l], fanOut = sizes[l + 1];
    // W: [in, out] = scale · randn(in, out): float64 draws, one IEEE multiply each, rounded to float32 on store.
    const W = Float32Array.from(randn(rng, fanIn * fanOut, initScale(init, fanIn)));
    layers.push({ W: { rows: fanIn, cols: fanOut, data: W }, b: new Float32Array(fanOut) });
  }
  return { layers, activation };
}

/** One initial tensor (row-major float32 values and their shape). */
export interface InitTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * The initial tensors of a layer network, as the book's ch07 SimpleConvNet and ch08 DeepConvNet __init__ draw them:
 * in the book's order W1, b1, W2, b2, ..., each W = scale · np.random.randn(*shape) (C order), each b = zeros. The
 * fan-in of an affine W [in, out] is `in`; of a convolution W [FN, C, FH, FW] it is C·FH·FW (DeepConvNet's
 * pre_node_nums). `shapes` maps names to shapes in that order (nn/layersSpec.ts ParsedLayers.tensors).
 */
export function initLayerTensors(rng: Mt19937, shapes: ReadonlyMap<string, readonly number[]>, init: InitScheme = DEFAULT_INIT): Map<string, InitTensor> {
  const out = new Map<string, InitTensor>();
  for (const [name, shape] of shapes) {
    const size = shape.reduce((p, d) => p * d, 1);
    if (name.startsWith('b')) {
      out.set(name, { shape: [...shape], data: new Float32Array(size) });
      continue;
    }
    const fanIn = shape.length === 4 ? shape[1] * shape[2] * shape[3] : shape[0];
    out.set(name, { shape: [...shape], data: Float32Array.from(randn(rng, size, initScale(init, fanIn))) });
  }
  return out;
}
