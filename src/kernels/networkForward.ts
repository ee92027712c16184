// The fast forward pass of a layer network (src/nn/layers Network) over convnet.wat's kernels: the same layers as
// Network.predict, channels-last (HWC) inside one arena, reduced to each image's SSE, CEE and argmax at once.
// With MNIST_LOSS_KERNELS=reference it runs Network.predict itself on chunks of images (the definition).
//
// Built once per Network (a worker thread builds its own from the same Network): the weights are repacked then
// (a later in-place edit of the Network's weights is not seen). Per image, layers up to the first Affine or
// Flatten run image by image (activations stay in cache); from there on, CHUNK images at a time (each weight row
// of an Affine is read once per chunk). Folds: BatchNormalization (inference) becomes a per-element scale and
// shift; the book's test-time dropout factor (1 − ratio) moves through ReLU, pooling and flatten into the next
// Convolution's or Affine's weights, or onto the logits; inverted dropout is the identity; a ReLU right after a
// Convolution (direct form) or an Affine is applied in its epilogue.
// Float32 accumulation throughout (the reference accumulates in float64): per-probability agreement within
// 1e-5 on the book's networks (__tests__/unit/kernels/networkForward.test.ts).
import { assertShape } from '../tensor';
import type { Forward, ForwardOptions } from '../nn/fastForward';
import type { Affine, BatchNormalization, Convolution, Dropout, Layer, Network, Pooling } from '../nn/layers';
import { forwardOver, type ImageLoop } from './imageLosses';
import { ArenaLayout, createConvnetArena, kernelPath, type Arena, type ConvnetKernels } from './index';


/** Images per batched step (and per Network.predict call on the reference path). */
const CHUNK = 32;

/**
 * Which convolution kernel a layer gets. scatter (one pass over the NONZERO inputs, v · W row into every output
 * it reaches) wins when the input has few channels — MNIST pixels are ~80 % zeros, and with C = 1 the direct
 * form's inner run is only FW long; direct (4 pixels × 8 filters of accumulators in registers, a GEMM over
 * K = FW·Cp per filter row) wins once C is 8 or more, even against ~50 % ReLU zeros: measured single-thread on
 * DeepConvNet's layers (C = 16, 32, 64) and the small CNN's (C = 8), scatter took 2–3× the direct form's time.
 */
export type ConvStrategy = 'scatter' | 'direct';

export function convStrategy(C: number): ConvStrategy {
  return C < 4 ? 'scatter' : 'direct';
}

/** An activation as the kernels hold it: channels-last [H, W, Cp] for a [C, H, W] tensor, or a flat row. */
type Layout =
  | { readonly kind: 'hwc'; readonly C: number; readonly H: number; readonly W: number; readonly Cp: number }
  /** Logical [D] in a row of Dp floats; `from`: the HWC tensor it is a C-order flatten of (same data, no move). */
  | { readonly kind: 'flat'; readonly D: number; readonly Dp: number; readonly from?: Hwc };
type Hwc = Extract<Layout, { kind: 'hwc' }>;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Floats per sample in the kernel layout. */
const floatsOf = (l: Layout): number => (l.kind === 'hwc' ? l.H * l.W * l.Cp : l.Dp);

/** The kernel offset (within a sample) of element `d` of the C-order flatten of the logical tensor. */
function kernelIndex(l: Layout, d: number): number {
  const hwc = l.kind === 'hwc' ? l : l.from;
  if (hwc === undefined) return d;
  const plane = hwc.H * hwc.W, c = Math.floor(d / plane);
  return (d - c * plane) * hwc.Cp + c;
}

/** x = f32(p · scale), then f32((x − mean) / std): Network's pixel table, recomputed from its preprocessing. */
function pixelTable(net: Network): Float32Array {
  const { scale, mean, std } = net.preprocessing;
  const table = Float32Array.from({ length: 256 }, (_, p) => Math.fround(p * scale));
  if (mean !== undefined && std !== undefined) for (let p = 0; p < 256; p++) table[p] = (table[p] - mean) / std;
  return table;
}

/** Runs images [from, from + count) of the arena's image block; the logits of image i land at logits[i·K ..). */
interface Program {
  /** Where the CHUNK images' bytes go: [CHUNK, D]. */
  readonly images: Uint8Array;
  run(count: number): void;
  /** y: [CHUNK, K], filled by run: softmax probabilities (float32 values). */
  readonly y: Float32Array;
}

/** Builds the kernel program of `net`: arena layout, repacked weights, one closure per step. */
function compile(net: Network): Program {
  const layout = new ArenaLayout();
  const take = (floats: number): number => layout.take(roundUp(floats, 4), 4); // 16-byte aligned: v128 rows
  const inits: ((a: Arena<ConvnetKernels>) => void)[] = [];
  /** Reserves `data` (float32) in the arena, copied in when it is made. */
  const constant = (data: Float32Array): number => {
    const at = take(data.length);
    inits.push((a) => a.f32(at, data.length).set(data));
    return at;
  };
  const imageSteps: ((k: ConvnetKernels, i: number, heap: Float32Array) => void)[] = [];
  const batchSteps: ((k: ConvnetKernels, count: number, heap: Float32Array) => void)[] = [];
  const D = net.inputShape.reduce((p, d) => p * d, 1);
  const table = constant(pixelTable(net));
  const imagesAt = layout.take(CHUNK * D, 1);
  const last = net.endsInSoftmax ? net.layers.length - 1 : net.layers.length;

  const shape = net.inputShape;
  let l: Layout = shape.length === 3
    ? { kind: 'hwc', C: shape[0], H: shape[1], W: shape[2], Cp: roundUp(shape[0], 4) }
    : { kind: 'flat', D, Dp: roundUp(D, 4) };
  let batched = l.kind === 'flat';
  let at: number; // the current activation: one sample (image stage) or [CHUNK, floatsOf(l)] (batched)
  if (l.kind === 'hwc') {
    const { C, H, W, Cp } = l;
    at = take(H * W * Cp);
    const x = at;
    imageSteps.push((k, i) => k.pixels(imagesAt + i * D, C, H * W, Cp, table, x));
  } else {
    const Dp = l.Dp;
    at = take(CHUNK * Dp);
    const x = at;
    batchSteps.push((k, count) => { for (let i = 0; i < count; i++) k.pixels(imagesAt + i * D, 1, D, 1, table, x + i * Dp * 4); });
  }
  /** The test-time dropout factor not yet applied (it commutes with ReLU, pooling and flatten when positive). */
  let pending = 1;
  /** A ReLU just before a max pooling, left for the pool to apply (mode 2). */
  let reluIntoPool = false;

  /** Moves from image-by-image to CHUNK rows: the sample is copied into row i of a batch buffer. */
  const toBatch = (): void => {
    if (batched) return;
    const n = floatsOf(l), from = at, to = take(CHUNK * n);
    imageSteps.push((_, i, heap) => heap.copyWithin(to / 4 + i * n, from / 4, from / 4 + n));
    at = to;
    batched = true;
  };
  /** Applies `pending` now (before a layer it does not commute with). */
  const settle = (): void => {
    if (pending === 1) return;
    const s = pending, x = at, n = floatsOf(l);
    if (batched) batchSteps.push((k, count) => k.scale(x, count * n, s));
    else imageSteps.push((k) => k.scale(x, n, s));
    pending = 1;
  };
  /** An element-wise step over the current activation (all of it: padding lanes too). */
  const elementWise = (step: (k: ConvnetKernels, x: number, n: number, heap: Float32Array) => void): void => {
    const x = at, n = floatsOf(l);
    if (batched) batchSteps.push((k, count, heap) => step(k, x, count * n, heap));
    else imageSteps.push((k, _, heap) => step(k, x, n, heap));
  };

  for (let li = 0; li < last; li++) {
    const layer = net.layers[li];
    const next: Layer | undefined = li + 1 < last ? net.layers[li + 1] : undefined;
    const outShape = net.shapes[li + 1];
    switch (layer.kind) {
      case 'convolution': {
        assertShape(l.kind === 'hwc' && !batched, `networkForward: convolution ${li + 1} needs a [C, H, W] input`);
        const conv = layer as Convolution, src = l as Hwc;
        const [FN, C, FH, FW] = conv.filterShape, [, OH, OW] = outShape;
        const FNp = roundUp(FN, 8), strategy = convStrategy(C), { stride, pad } = conv;
        const channels = strategy === 'scatter' ? C : src.Cp; // Wt rows per tap
        const Wt = new Float32Array(FH * FW * channels * FNp);
        for (let f = 0; f < FN; f++)
          for (let c = 0; c < C; c++)
            for (let fh = 0; fh < FH; fh++)
              for (let fw = 0; fw < FW; fw++)
                Wt[((fh * FW + fw) * channels + c) * FNp + f] = conv.W[((f * C + c) * FH + fh) * FW + fw] * pending;
        pending = 1;
        const bias = new Float32Array(FNp);
        bias.set(conv.b);
        const w = constant(Wt), b = constant(bias), out = take(OH * OW * FNp), x = at;
        const { H, W, Cp } = src;
        if (strategy === 'scatter') {
          imageSteps.push((k) => k.convScatter(x, H, W, C, Cp, w, FH, FW, FNp, stride, pad, b, out, OH, OW));
        } else {
          const relu = next?.kind === 'relu' ? 1 : 0;
          if (relu === 1) li++;
          let input = x, Wp = W;
          if (pad > 0) {
            Wp = W + 2 * pad;
            input = take((H + 2 * pad) * Wp * Cp); // border zeroed with the arena, never written
            const padded = input;
            imageSteps.push((k) => k.padCopy(x, H, W, Cp, pad, padded));
          }
          imageSteps.push((k) => k.convDirect(input, Wp, Cp, w, FH, FW, FNp, stride, b, relu, out, OH, OW));
        }
        at = out;
        l = { kind: 'hwc', C: FN, H: OH, W: OW, Cp: FNp };
        break;
      }
      case 'pooling': {
        assertShape(l.kind === 'hwc' && !batched, `networkForward: pooling ${li + 1} needs a [C, H, W] input`);
        if (!(pending > 0)) settle();
        const pool = layer as Pooling, { H, W, Cp } = l;
        const [C, OH, OW] = outShape;
        const out = take(OH * OW * Cp), x = at, include = pool.countIncludePad ? 1 : 0;
        const mode = pool.mode === 'avg' ? 1 : reluIntoPool ? 2 : 0;
        reluIntoPool = false;
        imageSteps.push((k) => k.pool(x, H, W, Cp, pool.poolH, pool.poolW, pool.stride, pool.pad, mode, include, out, OH, OW));
        at = out;
        l = { kind: 'hwc', C, H: OH, W: OW, Cp };
        break;
      }
      case 'affine': {
        const affine = layer as Affine;
        toBatch();
        const M = affine.outputSize, Mp = roundUp(M, 4), Dk = floatsOf(l);
        const Wt = new Float32Array(Dk * Mp);
        for (let d = 0; d < affine.inputSize; d++) {
          const r = kernelIndex(l, d), quad = (r >> 2) * Mp * 4 + (r & 3) * 4; // convnet.wat affine's [D/4, Mp/4, 4, 4]
          for (let j = 0; j < M; j++) Wt[quad + (j >> 2) * 16 + (j & 3)] = affine.W[d * M + j] * pending;
        }
        pending = 1;
        const bias = new Float32Array(Mp);
        bias.set(affine.b);
        const relu = next?.kind === 'relu' ? 1 : 0;
        if (relu === 1) li++;
        const w = constant(Wt), b = constant(bias), out = take(CHUNK * Mp), x = at;
        batchSteps.push((k, count) => k.affine(x, count, Dk, Dk, w, Mp, b, relu, out, Mp));
        at = out;
        l = { kind: 'flat', D: M, Dp: Mp };
        break;
      }
      case 'relu':
        // relu then max pooling = max pooling then relu: the pool applies it, on 4× fewer values
        if (!batched && next?.kind === 'pooling' && (next as Pooling).mode === 'max') reluIntoPool = true;
        else elementWise((k, x, n) => k.relu(x, n));
        break;
      case 'sigmoid':
      case 'tanh': {
        settle();
        // as the reference: f(x) in float64 from the float32 x, rounded once on store
        const f = layer.kind === 'sigmoid' ? (v: number) => 1 / (1 + Math.exp(-v)) : Math.tanh;
        elementWise((_, x, n, heap) => { for (let i = x / 4, e = i + n; i < e; i++) heap[i] = f(heap[i]); });
        break;
      }
      case 'batchNormalization': {
        const bn = layer as BatchNormalization;
        const n = floatsOf(l), S = bn.mode === 'book' ? 1 : outShape.slice(1).reduce((p, d) => p * d, 1);
        const scale = new Float32Array(n), shift = new Float32Array(n); // padding lanes: 0 · x + 0
        const logical = outShape.reduce((p, d) => p * d, 1);
        for (let d = 0; d < logical; d++) {
          const f = Math.floor(d / S), std = Math.sqrt(bn.runningVar[f] + bn.eps);
          const s = bn.gamma[f] / std;
          scale[kernelIndex(l, d)] = s * pending;
          shift[kernelIndex(l, d)] = bn.beta[f] - bn.runningMean[f] * s;
        }
        pending = 1;
        const s = constant(scale), t = constant(shift);
        if (batched) { const x = at; batchSteps.push((k, count) => { for (let i = 0; i < count; i++) k.scaleShift(x + i * n * 4, n, s, t); }); }
        else { const x = at; imageSteps.push((k) => k.scaleShift(x, n, s, t)); }
        break;
      }
      case 'dropout': {
        const dropout = layer as Dropout;
        if (dropout.convention === 'book') pending *= 1 - dropout.ratio;
        break;
      }
      case 'flatten':
        if (!(pending > 0)) settle();
        toBatch();
        if (l.kind === 'hwc') l = { kind: 'flat', D: l.C * l.H * l.W, Dp: floatsOf(l), from: l };
        break;
      case 'softmax': {
        settle();
        toBatch();
        const K = outShape[0], n = floatsOf(l), x = at;
        const map = Int32Array.from({ length: K }, (_, d) => kernelIndex(l, d));
        const e = new Float64Array(K);
        batchSteps.push((_, count, heap) => { for (let i = 0; i < count; i++) softmaxAt(heap, x / 4 + i * n, map, e, heap, x / 4 + i * n, map); });
        break;
      }
      default:
        throw new Error(`networkForward: no kernel for layer kind ${String((layer as Layer).kind)}`);
    }
    if (!(pending > 0) && layer.kind === 'dropout') settle(); // ratio 1: a zero factor does not commute with max
  }
  toBatch();
  const K = net.classes, n = floatsOf(l), logits = at, s = pending;
  const map = Int32Array.from({ length: K }, (_, d) => kernelIndex(l, d)), identity = Int32Array.from({ length: K }, (_, d) => d);
  const yAt = take(CHUNK * K), e = new Float64Array(K);
  batchSteps.push((_, count, heap) => {
    for (let i = 0; i < count; i++) {
      const from = logits / 4 + i * n;
      if (s !== 1) for (let k = 0; k < K; k++) heap[from + map[k]] *= s; // the book's final dropout, rounded as the reference
      softmaxAt(heap, from, map, e, heap, yAt / 4 + i * K, identity);
    }
  });

  const arena = createConvnetArena(layout.bytes);
  for (const init of inits) init(arena);
  const heap = new Float32Array(arena.buffer), kernels = arena.kernels;
  return {
    images: arena.u8(imagesAt, CHUNK * D),
    y: arena.f32(yAt, CHUNK * K),
    run(count) {
      for (let i = 0; i < count; i++) for (const step of imageSteps) step(kernels, i, heap);
      for (const step of batchSteps) step(kernels, count, heap);
    },
  };
}

/** y[map'] = softmax(z[map]) in float64 (row max subtracted, sequential sum), rounded once: activations.ts softmaxRows. */
function softmaxAt(z: Float32Array, zAt: number, zMap: Int32Array, e: Float64Array, y: Float32Array, yAt: number, yMap: Int32Array): void {
  const K = zMap.length;
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (z[zAt + zMap[k]] > max) max = z[zAt + zMap[k]];
  let sum = 0;
  for (let k = 0; k < K; k++) { e[k] = Math.exp(z[zAt + zMap[k]] - max); sum += e[k]; }
  for (let k = 0; k < K; k++) y[yAt + yMap[k]] = e[k] / sum;
}


function kernelLoop(net: Network, D: number, K: number): ImageLoop {
  const program = compile(net);
  return (pixels, indices, start, end, visit) => {
    for (let c = start; c < end; c += CHUNK) {
      const count = Math.min(end, c + CHUNK) - c;
      if (indices === null) program.images.set(pixels.subarray(c * D, (c + count) * D));
      else for (let i = 0; i < count; i++) program.images.set(pixels.subarray(indices[c + i] * D, (indices[c + i] + 1) * D), i * D);
      program.run(count);
      for (let i = 0; i < count; i++) visit(c + i - start, indices === null ? c + i : indices[c + i], program.y, i * K);
    }
  };
}

/** The reference path: Network.predict on CHUNK gathered images at a time. */
function referenceLoop(net: Network, D: number, K: number): ImageLoop {
  const chunk = new Uint8Array(CHUNK * D);
  return (pixels, indices, start, end, visit) => {
    for (let c = start; c < end; c += CHUNK) {
      const count = Math.min(end, c + CHUNK) - c;
      for (let i = 0; i < count; i++) {
        const from = (indices === null ? c + i : indices[c + i]) * D;
        chunk.set(pixels.subarray(from, from + D), i * D);
      }
      const y = net.predict(chunk, count).data; // [count, K]
      for (let i = 0; i < count; i++) visit(c + i - start, indices === null ? c + i : indices[c + i], y, i * K);
    }
  };
}

/**
 * The forward pass of `net` per image, as Network.predict computes it: on convnet.wat's kernels (float32
 * accumulation, probabilities within 1e-5 of the reference), or with MNIST_LOSS_KERNELS=reference (or
 * options.path 'reference') Network.predict itself. A kernel that fails to load throws (exit 1), never falls back.
 */
export function createNetworkForward(net: Network, options: ForwardOptions = {}): Forward {
  const D = net.inputShape.reduce((p, d) => p * d, 1), K = net.classes;
  const forEachImage = (options.path ?? kernelPath()) === 'wasm' ? kernelLoop(net, D, K) : referenceLoop(net, D, K);
  return forwardOver(forEachImage, D, K, 'networkForward');
}
