// Forward pass straight from the Uint8 pixels, image by image: the arithmetic of predict() (network.ts)
// on a gathered batch (x = f32(p/255), float64 dot products rounded to float32 per layer, softmax, then
// losses.ts's SSE and CEE), so it gives the same bits, but it skips zero pixels (~80 % of MNIST), never
// builds a float copy of the data set, and reduces each image to its losses at once. The inner loops run
// in WebAssembly (wasmKernel.ts) when available; the JS functions below are their reference twins.
import { assertShape } from '../tensor';
import { CEE_DELTA } from './losses';
import type { Network } from './network';
import { createWasmKernel, LAYER_TABLE_BYTES, type WasmKernel } from './wasmKernel';

/** Pixels [count, D] as raw bytes and labels [count] as class indices: what MnistSplit holds. */
export interface LabelledPixels {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** What each image contributes to the losses; arrays are [n] for the n images evaluated, in order. */
export interface ImageLosses {
  /** The book's sum_squared_error of one image: ½ Σ_k (y_k − t_k)². */
  readonly sse: Float64Array;
  /** The book's cross_entropy_error of one image: −log(y_t + δ). */
  readonly cee: Float64Array;
  /** argmax_k y_k, first maximum wins (np.argmax). */
  readonly predicted: Uint8Array;
}

/** Run options: `wasm: false` forces the plain JS loops (tests compare the two bit for bit). */
export interface ForwardOptions {
  readonly wasm?: boolean;
}

/** x = f32(p / 255) for every byte value p, exactly what a gathered float32 batch holds. */
const PIXEL_SCALE = Float64Array.from({ length: 256 }, (_, p) => Math.fround(p / 255));

/** Images copied into WebAssembly memory at a time (pixels stay Uint8; CHUNK · D bytes of scratch). */
const CHUNK = 256;

/** The network laid out for the per-image loop: one arena (WebAssembly memory or a plain buffer). */
interface Kernel {
  readonly D: number;
  readonly K: number;
  readonly widths: readonly number[]; // [D, H1, ..., K]
  readonly relu: boolean;
  /** W_l: [in, out] as float64 (exact copies of the float32 weights), b_l: [out] float32. */
  readonly W: readonly Float64Array[];
  readonly b: readonly Float32Array[];
  /** a_l, then z_l = act(a_l) (float32 values held as float64); z[L-1] ends as y. */
  readonly z: readonly Float64Array[];
  /** The nonzero inputs of the current layer: values, and their row offsets k · out into W_l. */
  readonly xs: Float64Array;
  readonly rowOffsets: Int32Array;
  readonly wasm: WasmKernel | null;
  /** Byte addresses of the above in the arena (for the WebAssembly calls). */
  readonly at: { readonly W: number[]; readonly b: number[]; readonly z: number[]; xs: number; rowOffsets: number; scale: number; images: number; table: number; y: number };
  /** CHUNK images of scratch in the arena: [CHUNK, D] bytes, and their outputs y: [CHUNK, K]. */
  readonly images: Uint8Array;
  readonly y: Float64Array;
}

function kernelFor(net: Network, options: ForwardOptions = {}): Kernel {
  const widths = [net.layers[0].W.rows, ...net.layers.map((l) => l.W.cols)];
  net.layers.forEach((l, i) =>
    assertShape(l.W.rows === widths[i] && l.b.length === l.W.cols, `layer ${i + 1}: W [${l.W.rows},${l.W.cols}], b [${l.b.length}]`),
  );
  const L = net.layers.length, D = widths[0];
  const widest = Math.max(...widths);
  // Arena: W_1..W_L, z_1..z_L, xs, scale (float64), b_1..b_L, rowOffsets (4-byte), images (bytes).
  let bytes = 0;
  const take = (n: number, size: number) => { const a = bytes; bytes += Math.ceil((n * size) / 8) * 8; return a; };
  const at = {
    W: net.layers.map((l) => take(l.W.data.length, 8)),
    z: widths.slice(1).map((w) => take(w, 8)),
    xs: take(widest, 8),
    scale: take(256, 8),
    b: net.layers.map((l) => take(l.b.length, 4)),
    rowOffsets: take(widest, 4),
    table: take(L * LAYER_TABLE_BYTES, 1),
    y: take(CHUNK * widths[L], 8),
    images: take(CHUNK * D, 1),
  };
  const wasm = options.wasm === false ? null : createWasmKernel(bytes);
  const buffer = wasm ? wasm.memory.buffer : new ArrayBuffer(bytes);
  const W = net.layers.map((l, i) => new Float64Array(buffer, at.W[i], l.W.data.length));
  const b = net.layers.map((l, i) => new Float32Array(buffer, at.b[i], l.b.length));
  net.layers.forEach((l, i) => { W[i].set(l.W.data); b[i].set(l.b); });
  new Float64Array(buffer, at.scale, 256).set(PIXEL_SCALE);
  // forwardImages' layer table: W, b, z, z of the layer before, in, out
  new Int32Array(buffer, at.table, L * 6).set(net.layers.flatMap((l, i) => [at.W[i], at.b[i], at.z[i], i > 0 ? at.z[i - 1] : 0, widths[i], widths[i + 1]]));
  return {
    D, K: widths[L], widths, relu: net.activation === 'relu', W, b,
    z: widths.slice(1).map((w, i) => new Float64Array(buffer, at.z[i], w)),
    xs: new Float64Array(buffer, at.xs, widest),
    rowOffsets: new Int32Array(buffer, at.rowOffsets, widest),
    wasm, at,
    images: new Uint8Array(buffer, at.images, CHUNK * D),
    y: new Float64Array(buffer, at.y, CHUNK * widths[L]),
  };
}

// ---- the JS twins of the WebAssembly functions ----

/** The nonzero pixels p of image[0..D) as xs[m] = f32(p/255), rowOffsets[m] = k · out; returns m. */
function gatherPixels(image: Uint8Array, base: number, D: number, out: number, xs: Float64Array, rowOffsets: Int32Array): number {
  let m = 0;
  for (let k = 0; k < D; k++) {
    const p = image[base + k];
    if (p !== 0) { xs[m] = PIXEL_SCALE[p]; rowOffsets[m] = k * out; m++; }
  }
  return m;
}

/** The nonzero z_k (relu zeros are skipped, as matmul skips them) as xs[m], rowOffsets[m] = k · out; returns m. */
function gatherNonzero(z: Float64Array, out: number, xs: Float64Array, rowOffsets: Int32Array): number {
  let m = 0;
  for (let k = 0; k < z.length; k++) if (z[k] !== 0) { xs[m] = z[k]; rowOffsets[m] = k * out; m++; }
  return m;
}

/**
 * a[j] = Σ_i xs[i] · W[rowOffsets[i] + j] for j < out — one row of x @ W over the m nonzero x_k
 * (rowOffsets[i] = k · out). Each a[j] sums in k order from 0 in float64, as tensor.ts's matmul does.
 */
function accumulateRow(W: Float64Array, out: number, xs: Float64Array, rowOffsets: Int32Array, m: number, a: Float64Array): void {
  for (let j = 0; j < out; j++) {
    let aj = 0;
    for (let i = 0; i < m; i++) aj += xs[i] * W[rowOffsets[i] + j];
    a[j] = aj;
  }
}

/** z_j = act(f32(f32(a_j) + b_j)): matmul stores float32, addBias stores float32, then sigmoid/relu in place. */
function biasActivate(z: Float64Array, b: Float32Array, act: 'none' | 'sigmoid' | 'relu'): void {
  for (let j = 0; j < z.length; j++) {
    const a = Math.fround(Math.fround(z[j]) + b[j]);
    z[j] = act === 'sigmoid' ? Math.fround(1 / (1 + Math.exp(-a))) : act === 'relu' && !(a > 0) && a === a ? 0 : a;
  }
}

// ---- one image ----

/** Hidden layers and the last affine layer for the image at `base` in `pixels` (the JS loops; see forwardImages). */
function forwardLayers(k: Kernel, pixels: Uint8Array, base: number): void {
  const { D, widths, z, xs, rowOffsets } = k;
  const L = z.length;
  for (let l = 0; l < L; l++) {
    const out = widths[l + 1];
    // x: [in] (nonzero entries) · W_l: [in, out] -> a_l: [out]
    const m = l === 0 ? gatherPixels(pixels, base, D, out, xs, rowOffsets) : gatherNonzero(z[l - 1], out, xs, rowOffsets);
    accumulateRow(k.W[l], out, xs, rowOffsets, m, z[l]);
    biasActivate(z[l], k.b[l], l < L - 1 ? (k.relu ? 'relu' : 'sigmoid') : 'none');
  }
}

/** y = softmax(a_L) in place: subtract the max (the book's stable form), sum in float64, store float32 values. */
function softmaxInPlace(y: Float64Array): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < y.length; k++) if (y[k] > max) max = y[k];
  let sum = 0;
  for (let k = 0; k < y.length; k++) {
    const e = Math.exp(y[k] - max);
    y[k] = e;
    sum += e;
  }
  for (let k = 0; k < y.length; k++) y[k] = Math.fround(y[k] / sum);
  return y;
}

/**
 * Calls visit(i, image, y, at) for images indices[start..end) (or start..end), i counted from 0, with that
 * image's y = y[at .. at + K): softmax probabilities (float32 values), in buffers reused between calls.
 */
function forEachImage(k: Kernel, pixels: Uint8Array, indices: Uint32Array | null, start: number, end: number, visit: (i: number, image: number, y: Float64Array, at: number) => void): void {
  const { D, K, wasm, at } = k;
  if (wasm === null) {
    const y = k.z[k.z.length - 1];
    for (let i = start; i < end; i++) {
      const image = indices === null ? i : indices[i];
      forwardLayers(k, pixels, image * D);
      visit(i - start, image, softmaxInPlace(y), 0);
    }
    return;
  }
  for (let c = start; c < end; c += CHUNK) {
    const count = Math.min(end, c + CHUNK) - c;
    // copy the chunk's pixels into the arena: one copy for a run of images, one per image for a sample
    if (indices === null) k.images.set(pixels.subarray(c * D, (c + count) * D));
    else for (let i = 0; i < count; i++) k.images.set(pixels.subarray(indices[c + i] * D, (indices[c + i] + 1) * D), i * D);
    wasm.forwardImages(at.table, k.z.length, at.images, count, D, at.scale, at.xs, at.rowOffsets, k.relu ? 0 : 1, at.y);
    for (let i = 0; i < count; i++) visit(c + i - start, indices === null ? c + i : indices[c + i], k.y, i * K);
  }
}

/** A network prepared for the per-image loop (weights copied into its arena once); reuse it across calls. */
export interface Forward {
  /**
   * Per-image SSE, CEE and argmax of images indices[start..end) (or start..end when indices is null),
   * written to out.sse/cee/predicted[offset .. offset + end − start). pixels: [count, D] bytes, labels: [count].
   */
  lossesInto(data: LabelledPixels, indices: Uint32Array | null, start: number, end: number, out: ImageLosses, offset: number): void;
  /** y: [K] softmax probabilities of one image (float32 values): the row predict() gives for it. */
  probabilities(pixels: Uint8Array, image: number): Float32Array;
}

export function createForward(net: Network, options: ForwardOptions = {}): Forward {
  const k = kernelFor(net, options);
  const { D, K } = k;
  return {
    lossesInto(data, indices, start, end, out, offset) {
      assertShape(data.pixels.length === data.labels.length * D, `forwardLosses: ${data.pixels.length} pixels for ${data.labels.length} labels of ${D}`);
      assertShape(offset + end - start <= out.sse.length, `forwardLosses: ${end - start} images at ${offset} into ${out.sse.length}`);
      forEachImage(k, data.pixels, indices, start, end, (i, image, y, at) => {
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
      assertShape(Number.isInteger(image) && image >= 0 && (image + 1) * D <= pixels.length, `forwardProbabilities: image ${image} outside ${pixels.length / D} images`);
      const y = new Float32Array(K);
      forEachImage(k, pixels, Uint32Array.of(image), 0, 1, (_, __, probabilities, at) => y.set(probabilities.subarray(at, at + K)));
      return y;
    },
  };
}

/** Per-image SSE, CEE and argmax for images indices[start..end) (or start..end): arrays of length end − start. */
export function forwardLosses(
  net: Network,
  data: LabelledPixels,
  indices: Uint32Array | null,
  start: number,
  end: number,
  options: ForwardOptions = {},
): ImageLosses {
  const n = end - start;
  const out = { sse: new Float64Array(n), cee: new Float64Array(n), predicted: new Uint8Array(n) };
  createForward(net, options).lossesInto(data, indices, start, end, out, 0);
  return out;
}

/** y: [K] softmax probabilities of one image (float32 values): the row predict() gives for it. */
export function forwardProbabilities(net: Network, pixels: Uint8Array, image: number, options: ForwardOptions = {}): Float32Array {
  return createForward(net, options).probabilities(pixels, image);
}

/** Compiles the WebAssembly module now (a worker thread does this while it waits for work). */
export function warmUp(): void {
  createWasmKernel(1);
}
