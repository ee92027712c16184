// Forward pass straight from the Uint8 pixels, image by image, reduced to each image's losses at once: the
// arithmetic of predict() (network.ts) on a gathered batch (x = f32(p/255), float64 dot products rounded to
// float32 per layer, softmax, then losses.ts's SSE and CEE). Two paths give the same bits: the kernels
// (src/kernels/mlp.wat: skip the ~80 % zero pixels, never build a float copy of the data set) and, with
// MNIST_LOSS_KERNELS=reference, predict() itself on chunks of gathered images.
import { createArena, ArenaLayout, kernelPath, LAYER_TABLE_BYTES, loadKernels, type KernelPath } from '../kernels';
import { assertShape } from '../tensor';
import { forwardOver, type ImageLoop } from '../kernels/imageLosses';
import { createNetworkForward } from '../kernels/networkForward';
import type { Network as LayerNetwork } from './layers';
import { predict, type Network } from './network';

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

/** Run options: `path` overrides MNIST_LOSS_KERNELS (tests compare the two paths bit for bit). */
export interface ForwardOptions {
  readonly path?: KernelPath;
}

/** x = f32(p / 255) for every byte value p, exactly what a gathered float32 batch holds. */
const PIXEL_SCALE = Float64Array.from({ length: 256 }, (_, p) => Math.fround(p / 255));

/** Images per kernel call (copied into the arena, CHUNK · D bytes) or per predict() call (CHUNK · D floats). */
const CHUNK = 256;


/** [D, H1, ..., K], after checking that the layers chain. */
function widthsOf(net: Network): number[] {
  const widths = [net.layers[0].W.rows, ...net.layers.map((l) => l.W.cols)];
  net.layers.forEach((l, i) =>
    assertShape(l.W.rows === widths[i] && l.b.length === l.W.cols, `layer ${i + 1}: W [${l.W.rows},${l.W.cols}], b [${l.b.length}]`),
  );
  return widths;
}

/** The kernel path: the network laid out in one arena, CHUNK images per forwardImages call. */
function kernelLoop(net: Network, widths: readonly number[]): ImageLoop {
  const L = net.layers.length, D = widths[0], K = widths[L];
  const widest = Math.max(...widths);
  // W_1..W_L, z_1..z_L, xs, scale (float64), b_1..b_L, rowOffsets (int32), the layer table, y, images (bytes)
  const layout = new ArenaLayout();
  const at = {
    W: net.layers.map((l) => layout.take(l.W.data.length, 8)),
    z: widths.slice(1).map((w) => layout.take(w, 8)),
    xs: layout.take(widest, 8),
    scale: layout.take(256, 8),
    b: net.layers.map((l) => layout.take(l.b.length, 4)),
    rowOffsets: layout.take(widest, 4),
    table: layout.take(L * LAYER_TABLE_BYTES, 1),
    y: layout.take(CHUNK * K, 8),
    images: layout.take(CHUNK * D, 1),
  };
  const arena = createArena(layout.bytes);
  net.layers.forEach((l, i) => { arena.f64(at.W[i], l.W.data.length).set(l.W.data); arena.f32(at.b[i], l.b.length).set(l.b); });
  arena.f64(at.scale, 256).set(PIXEL_SCALE);
  // forwardImages' layer table: W, b, z, z of the layer before, in, out
  arena.i32(at.table, L * 6).set(net.layers.flatMap((l, i) => [at.W[i], at.b[i], at.z[i], i > 0 ? at.z[i - 1] : 0, widths[i], widths[i + 1]]));
  const images = arena.u8(at.images, CHUNK * D), y = arena.f64(at.y, CHUNK * K);
  const sigmoid = net.activation === 'relu' ? 0 : 1;
  return (pixels, indices, start, end, visit) => {
    for (let c = start; c < end; c += CHUNK) {
      const count = Math.min(end, c + CHUNK) - c;
      // copy the chunk's pixels into the arena: one copy for a run of images, one per image for a sample
      if (indices === null) images.set(pixels.subarray(c * D, (c + count) * D));
      else for (let i = 0; i < count; i++) images.set(pixels.subarray(indices[c + i] * D, (indices[c + i] + 1) * D), i * D);
      arena.kernels.forwardImages(at.table, L, at.images, count, D, at.scale, at.xs, at.rowOffsets, sigmoid, at.y);
      for (let i = 0; i < count; i++) visit(c + i - start, indices === null ? c + i : indices[c + i], y, i * K);
    }
  };
}

/** The reference path: predict() on CHUNK gathered images at a time, x = f32(p / 255) as gatherBatch builds it. */
function referenceLoop(net: Network, widths: readonly number[]): ImageLoop {
  const D = widths[0], K = widths[widths.length - 1];
  const x = new Float32Array(CHUNK * D);
  return (pixels, indices, start, end, visit) => {
    for (let c = start; c < end; c += CHUNK) {
      const count = Math.min(end, c + CHUNK) - c;
      for (let i = 0; i < count; i++) {
        const from = (indices === null ? c + i : indices[c + i]) * D;
        for (let k = 0; k < D; k++) x[i * D + k] = PIXEL_SCALE[pixels[from + k]];
      }
      const y = predict(net, { rows: count, cols: D, data: x.subarray(0, count * D) }).data; // [count, K]
      for (let i = 0; i < count; i++) visit(c + i - start, indices === null ? c + i : indices[c + i], y, i * K);
    }
  };
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

/** The path is options.path, else MNIST_LOSS_KERNELS (kernels/index.ts); a kernel that fails to load throws. */
export function createForward(net: Network, options: ForwardOptions = {}): Forward {
  const widths = widthsOf(net);
  const forEachImage = (options.path ?? kernelPath()) === 'wasm' ? kernelLoop(net, widths) : referenceLoop(net, widths);
  return forwardOver(forEachImage, widths[0], widths[widths.length - 1], 'forwardLosses');
}

/**
 * The forward pass of any engine network (convolutions, pooling, batch norm, ...): convnet.wat's kernels, or
 * with MNIST_LOSS_KERNELS=reference Network.predict itself (src/kernels/networkForward.ts).
 */
export function createLayerForward(net: LayerNetwork, options: ForwardOptions = {}): Forward {
  return createNetworkForward(net, options);
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

/** Compiles the kernels now, unless MNIST_LOSS_KERNELS=reference (a worker thread does this while it waits for work). */
export function warmUp(): void {
  if (kernelPath() === 'wasm') loadKernels();
}
