// One SGD step of backprop.ts (forwardLoss, backprop) and train.ts (sgdStep), laid out for speed: one
// kernel arena (src/kernels) holds float64 copies of the float32 weights, the batch's pixels and every
// activation and gradient, and each matrix product runs through mlp.wat's gatherPixels / gatherNonzero /
// accumulateRow. The sums are the same sums in the same order as backprop.ts, so a step gives the same
// bits (tested); MNIST_LOSS_KERNELS=reference makes train.ts use backprop.ts itself.
import { ArenaLayout, createArena, kernelsEnabled, type KernelArena, type MlpKernels } from '../kernels';
import { assertShape } from '../tensor';
import { CEE_DELTA } from './losses';
import type { Network } from './network';

/** One SGD step, in place on the network it was made for. */
export interface SgdKernel {
  /**
   * Forward and backward on images `indices` of (pixels [N, D], labels [N]) with x = f32(p / 255), then
   * W_l −= lr · dW_l, b_l −= lr · db_l (rounded to float32). Returns the batch's mean CEE (with δ) before the step.
   */
  step(pixels: Uint8Array, labels: Uint8Array, indices: Uint32Array, lr: number): number;
  /** Copies the current weights into the network's float32 arrays (exactly: they hold float32 values). */
  sync(): void;
}

/** Above this many bytes of buffers (huge batches) the caller keeps to backprop.ts. */
const MAX_ARENA_BYTES = 256 * 1024 * 1024;

/**
 * A step kernel for `net` and batches of `batch` images, or null when MNIST_LOSS_KERNELS=reference or the
 * buffers would be too large: callers then use backprop.ts directly (the same numbers, slower). A kernel
 * that fails to load throws (kernels/index.ts), rather than quietly taking the slow path.
 */
export function createSgdKernel(net: Network, batch: number): SgdKernel | null {
  const B = batch, L = net.layers.length;
  const sizes = [net.layers[0].W.rows, ...net.layers.map((l) => l.W.cols)];
  const D = sizes[0], widest = Math.max(...sizes);
  net.layers.forEach((l, i) => assertShape(l.W.rows === sizes[i] && l.b.length === l.W.cols, `sgdKernel: layer ${i + 1} is [${l.W.rows},${l.W.cols}] + [${l.b.length}]`));

  if (!kernelsEnabled()) return null;
  const layout = new ArenaLayout();
  const at = {
    scale: layout.take(256, 8),
    images: layout.take(B * D, 1),
    W: net.layers.map((l) => layout.take(l.W.data.length, 8)),
    WT: net.layers.map((l, i) => (i > 0 ? layout.take(l.W.data.length, 8) : -1)),
    a: sizes.slice(1).map((H) => layout.take(B * H, 8)),
    z: sizes.slice(1).map((H) => layout.take(B * H, 8)),
    da: sizes.slice(1).map((H) => layout.take(B * H, 8)),
    dW: net.layers.map((l) => layout.take(l.W.data.length, 8)),
    dz: layout.take(B * widest, 8),
    rowXs: layout.take(B * D, 8),
    rowOffsets: layout.take(B * D, 4),
    colXs: layout.take(B * D, 8),
    colOffsets: layout.take(B * D, 4),
    xs: layout.take(Math.max(B, widest), 8),
    offsets: layout.take(Math.max(B, widest), 4),
    stride: layout.take(widest, 4), // offsets j · I into W_lᵀ, set per layer
  };
  if (layout.bytes > MAX_ARENA_BYTES) return null;
  return new KernelSgd(net, B, sizes, at, createArena(layout.bytes));
}

type Addresses = {
  readonly scale: number; readonly images: number; readonly W: number[]; readonly WT: number[]; readonly a: number[]; readonly z: number[];
  readonly da: number[]; readonly dW: number[]; readonly dz: number; readonly rowXs: number; readonly rowOffsets: number;
  readonly colXs: number; readonly colOffsets: number; readonly xs: number; readonly offsets: number; readonly stride: number;
};

class KernelSgd implements SgdKernel {
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  private readonly t: Uint8Array;
  /** The pixels nonzero in some row of the current batch: the rows of W1 that this step reads and updates. */
  private readonly used: Int32Array;
  private usedCount = 0;
  /** Row b of the batch holds nonzero pixels rowStart[b] .. rowStart[b+1] of rowXs / rowOffsets. */
  private readonly rowStart: Int32Array;
  /** The pixel k of each of those nonzeros. */
  private readonly pixelOf: Int32Array;
  /** Per pixel k: how many batch rows have it nonzero, and where its list starts in colXs / colOffsets. */
  private readonly colCount: Int32Array;
  private readonly colStart: Int32Array;
  /** The float64 weights have moved on from the network's float32 arrays (see sync). */
  private stale = false;
  private readonly k: MlpKernels;

  constructor(
    private readonly net: Network,
    private readonly B: number,
    private readonly sizes: readonly number[],
    private readonly at: Addresses,
    arena: KernelArena,
  ) {
    this.k = arena.kernels;
    const buffer = arena.buffer;
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
    for (let p = 0; p < 256; p++) this.f64[at.scale / 8 + p] = Math.fround(p / 255); // x = f32(p / 255), as gatherBatch
    net.layers.forEach((layer, l) => {
      this.f64.set(layer.W.data, at.W[l] / 8);
      if (l > 0) this.transpose(l);
    });
    this.t = new Uint8Array(B);
    this.used = new Int32Array(sizes[0]);
    this.rowStart = new Int32Array(B + 1);
    this.pixelOf = new Int32Array(B * sizes[0]);
    this.colCount = new Int32Array(sizes[0]);
    this.colStart = new Int32Array(sizes[0] + 1);
  }

  /** WT_l = W_lᵀ: [out, in], so that dz = da · W_lᵀ is a row-by-matrix product too. */
  private transpose(l: number): void {
    const I = this.sizes[l], H = this.sizes[l + 1], W = this.at.W[l] / 8, WT = this.at.WT[l] / 8, f = this.f64;
    for (let i = 0; i < I; i++) for (let j = 0; j < H; j++) f[WT + j * I + i] = f[W + i * H + j];
  }

  sync(): void {
    if (!this.stale) return;
    this.net.layers.forEach((layer, l) => layer.W.data.set(this.f64.subarray(this.at.W[l] / 8, this.at.W[l] / 8 + layer.W.data.length)));
    this.stale = false;
  }

  step(pixels: Uint8Array, labels: Uint8Array, indices: Uint32Array, lr: number): number {
    const loss = this.forward(pixels, labels, indices);
    this.backward();
    this.update(lr);
    return loss;
  }

  /** backprop.ts forwardLoss: a_l = z_{l−1}·W_l + b_l over the nonzero inputs, act or softmax; mean CEE. */
  private forward(pixels: Uint8Array, labels: Uint8Array, indices: Uint32Array): number {
    const { B, sizes, at, k, f64, net } = this;
    const D = sizes[0], L = net.layers.length;
    assertShape(indices.length === B, `sgdKernel: ${indices.length} indices for a batch of ${B}`);
    for (let r = 0; r < B; r++) {
      const image = indices[r];
      assertShape(image < labels.length && (image + 1) * D <= pixels.length, `sgdKernel: image ${image} outside the split`);
      this.u8.set(pixels.subarray(image * D, (image + 1) * D), at.images + r * D);
      this.t[r] = labels[image];
    }
    for (let l = 0; l < L; l++) {
      const I = sizes[l], H = sizes[l + 1], a = at.a[l];
      let n = 0;
      for (let r = 0; r < B; r++) {
        // x_r: [I] nonzero entries · W_l: [I, H] -> a_l[r]: [H]
        if (l === 0) {
          this.rowStart[r] = n;
          const m = k.gatherPixels(at.images + r * D, D, H, at.scale, at.rowXs + 8 * n, at.rowOffsets + 4 * n);
          k.accumulateRow(at.W[0], H, at.rowXs + 8 * n, at.rowOffsets + 4 * n, m, a + 8 * r * H);
          n += m;
        } else {
          const m = k.gatherNonzero(at.z[l - 1] + 8 * r * I, I, H, at.xs, at.offsets);
          k.accumulateRow(at.W[l], H, at.xs, at.offsets, m, a + 8 * r * H);
        }
      }
      if (l === 0) this.rowStart[B] = n;
      const bias = net.layers[l].b, A = a / 8, Z = at.z[l] / 8;
      for (let r = 0; r < B; r++) for (let j = 0; j < H; j++) f64[A + r * H + j] += bias[j];
      if (l === L - 1) this.softmax(A, Z, H);
      else if (net.activation === 'relu') for (let i = 0; i < B * H; i++) f64[Z + i] = f64[A + i] > 0 ? f64[A + i] : 0;
      else for (let i = 0; i < B * H; i++) f64[Z + i] = 1 / (1 + Math.exp(-f64[A + i]));
    }
    const K = sizes[L], Y = at.z[L - 1] / 8;
    let sum = 0;
    for (let r = 0; r < B; r++) sum += Math.log(f64[Y + r * K + this.t[r]] + CEE_DELTA);
    return -sum / B;
  }

  private softmax(A: number, Y: number, K: number): void {
    const f = this.f64;
    for (let r = 0; r < this.B; r++) {
      const a = A + r * K, y = Y + r * K;
      let max = -Infinity;
      for (let c = 0; c < K; c++) if (f[a + c] > max) max = f[a + c];
      let sum = 0;
      for (let c = 0; c < K; c++) { const e = Math.exp(f[a + c] - max); f[y + c] = e; sum += e; }
      for (let c = 0; c < K; c++) f[y + c] /= sum;
    }
  }

  /** backprop.ts backprop: da_L = (y − t)/B; dW_l = z_{l−1}ᵀ·da_l; db_l = Σ_b da_l; dz = da_l·W_lᵀ; da_{l−1} = dz ⊙ act'. */
  private backward(): void {
    const { B, sizes, at, k, f64, i32, net } = this;
    const L = net.layers.length, K = sizes[L];
    const Y = at.z[L - 1] / 8, DAL = at.da[L - 1] / 8;
    for (let i = 0; i < B * K; i++) f64[DAL + i] = f64[Y + i] / B;
    for (let r = 0; r < B; r++) f64[DAL + r * K + this.t[r]] = (f64[Y + r * K + this.t[r]] - 1) / B;

    for (let l = L - 1; l >= 0; l--) {
      const I = sizes[l], H = sizes[l + 1], da = at.da[l];
      if (l === 0) this.weightGradientFromPixels(H);
      else {
        // dW_l[i, :] = Σ_b z_{l−1}[b, i] · da_l[b, :] over the b with z ≠ 0, b ascending
        const Z = at.z[l - 1] / 8, XS = at.xs / 8, OFF = at.offsets / 4;
        for (let i = 0; i < I; i++) {
          let m = 0;
          for (let r = 0; r < B; r++) {
            const v = f64[Z + r * I + i];
            if (v !== 0) { f64[XS + m] = v; i32[OFF + m] = r * H; m++; }
          }
          k.accumulateRow(da, H, at.xs, at.offsets, m, at.dW[l] + 8 * i * H);
        }
      }
      if (l === 0) break; // db_1 is summed in update(); ∂L/∂x is not needed
      // dz[b, :] = Σ_j da_l[b, j] · W_lᵀ[j, :]: every j (as backprop.ts), offsets j · I
      const STRIDE = at.stride / 4;
      for (let j = 0; j < H; j++) i32[STRIDE + j] = j * I;
      for (let r = 0; r < B; r++) k.accumulateRow(at.WT[l], I, da + 8 * r * H, at.stride, H, at.dz + 8 * r * I);
      const DZ = at.dz / 8, AP = at.a[l - 1] / 8, ZP = at.z[l - 1] / 8, DAP = at.da[l - 1] / 8;
      if (net.activation === 'relu') for (let i = 0; i < B * I; i++) f64[DAP + i] = f64[AP + i] > 0 ? f64[DZ + i] : 0;
      else for (let i = 0; i < B * I; i++) f64[DAP + i] = (1.0 - f64[ZP + i]) * f64[ZP + i] * f64[DZ + i];
    }
  }

  /**
   * dW_1[k, :] = Σ_b x[b, k] · da_1[b, :] for the pixels k nonzero in some row: the batch's nonzeros regrouped
   * by pixel (a counting sort, b ascending within a pixel). Other rows of dW_1 are zero and left unwritten:
   * update() skips them, as W − lr · 0 = W.
   */
  private weightGradientFromPixels(H: number): void {
    const { B, at, k, f64, i32, colCount, colStart, rowStart, used } = this;
    const D = this.sizes[0], RX = at.rowXs / 8, RO = at.rowOffsets / 4, CX = at.colXs / 8, CO = at.colOffsets / 4;
    const n = rowStart[B], pixelOf = this.pixelOf, inverseH = 1 / H;
    // rowOffsets hold k · H: k = round(offset / H), by a multiply (exact for k · H < 2^31)
    colCount.fill(0);
    for (let e = 0; e < n; e++) {
      const p = (i32[RO + e] * inverseH + 0.5) | 0;
      pixelOf[e] = p;
      colCount[p]++;
    }
    let u = 0;
    colStart[0] = 0;
    for (let p = 0; p < D; p++) {
      colStart[p + 1] = colStart[p] + colCount[p];
      if (colCount[p] > 0) used[u++] = p;
    }
    this.usedCount = u;
    colCount.fill(0);
    for (let r = 0; r < B; r++) {
      const rH = r * H;
      for (let e = rowStart[r], end = rowStart[r + 1]; e < end; e++) {
        const p = pixelOf[e], pos = colStart[p] + colCount[p]++;
        f64[CX + pos] = f64[RX + e];
        i32[CO + pos] = rH;
      }
    }
    for (let q = 0; q < u; q++) {
      const p = used[q];
      k.accumulateRow(at.da[0], H, at.colXs + 8 * colStart[p], at.colOffsets + 4 * colStart[p], colStart[p + 1] - colStart[p], at.dW[0] + 8 * p * H);
    }
  }

  /**
   * train.ts sgdStep: θ = f32(θ − lr · dθ). The weights go to the float64 copies (which hold float32 values)
   * and reach the network's float32 arrays in sync(); biases go straight to the network.
   */
  private update(lr: number): void {
    const { B, sizes, at, f64, net, used, usedCount } = this;
    this.stale = true;
    for (let l = 0; l < net.layers.length; l++) {
      const layer = net.layers[l], H = sizes[l + 1], W = at.W[l] / 8, dW = at.dW[l] / 8;
      const rows = l === 0 ? usedCount : sizes[l];
      for (let q = 0; q < rows; q++) {
        const base = (l === 0 ? used[q] : q) * H;
        for (let j = W + base, g = dW + base, end = W + base + H; j < end; j++, g++) f64[j] = Math.fround(f64[j] - lr * f64[g]);
      }
      if (l > 0) this.transpose(l);
      // db_l = Σ_b da_l[b, :], b ascending
      const DA = at.da[l] / 8, b = layer.b;
      for (let j = 0; j < H; j++) {
        let s = 0;
        for (let r = 0; r < B; r++) s += f64[DA + r * H + j];
        b[j] = b[j] - lr * s;
      }
    }
  }
}
