// Backpropagation for a fully connected network of any depth: the gradient of the mean CEE over a batch,
// as the book's ch04 TwoLayerNet.gradient and ch05 layers (Affine, Sigmoid/Relu, SoftmaxWithLoss) compute it.
// Parameters may be float32 (training) or float64 (gradcheck); activations and gradients are float64.
import { assertShape } from '../tensor';
import { CEE_DELTA } from './losses';
import type { Activation, Network } from './network';

/** Parameter storage: float32 for training and model files, float64 for the gradient check. */
export type Real = Float32Array | Float64Array;

/** What backprop reads: W_l: [in_l, out_l] row-major and b_l: [out_l], for sizes = [D, H1, ..., K]. */
export interface Params {
  readonly sizes: readonly number[];
  readonly W: readonly Real[];
  readonly b: readonly Real[];
  readonly activation: Activation;
}

/** A network's own arrays as Params (no copy: an SGD step on these updates the network). */
export function paramsOf(net: Network): Params {
  return {
    sizes: [net.layers[0].W.rows, ...net.layers.map((layer) => layer.W.cols)],
    W: net.layers.map((layer) => layer.W.data),
    b: net.layers.map((layer) => layer.b),
    activation: net.activation,
  };
}

/** A float64 copy of a network's parameters (exact: every float32 is a float64), for the gradient check. */
export function float64Params(net: Network): Params {
  const p = paramsOf(net);
  return { ...p, W: p.W.map((w) => Float64Array.from(w)), b: p.b.map((b) => Float64Array.from(b)) };
}

/**
 * A batch x: [B, D] stored by rows as its nonzero entries only: row r holds index[start[r] .. start[r+1])
 * with values value[...]. About 80 % of MNIST pixels are 0, so x·W1 and xᵀ·da1 skip them.
 */
export interface SparseRows {
  readonly rows: number;
  readonly cols: number;
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly value: Float64Array;
}

/** x: [B, D] dense (float32 px/255 from gatherBatch) -> its nonzero entries by row; reuses `into` when it fits. */
export function sparseRows(x: { readonly rows: number; readonly cols: number; readonly data: Real }, into?: SparseRows): SparseRows {
  const { rows: B, cols: D } = x;
  assertShape(x.data.length === B * D, `sparseRows: ${x.data.length} values for [${B},${D}]`);
  const fits = into !== undefined && into.rows === B && into.cols === D;
  const start = fits ? into.start : new Int32Array(B + 1);
  const index = fits ? into.index : new Int32Array(B * D);
  const value = fits ? into.value : new Float64Array(B * D);
  let n = 0;
  for (let r = 0; r < B; r++) {
    start[r] = n;
    for (let d = 0, off = r * D; d < D; d++) {
      const v = x.data[off + d];
      if (v !== 0) { index[n] = d; value[n] = v; n++; }
    }
  }
  start[B] = n;
  return { rows: B, cols: D, start, index, value };
}

/** Buffers for one batch size: pre-activations a_l, outputs z_l (z_L = y), their gradients, dW_l, db_l. */
export interface Workspace {
  readonly batch: number;
  readonly sizes: readonly number[];
  /** a_l: [B, out_l], the affine outputs x·W + b. */
  readonly a: Float64Array[];
  /** z_l: [B, out_l] = act(a_l) for hidden layers; the last one is y = softmax(a_L). */
  readonly z: Float64Array[];
  /** ∂L/∂a_l: [B, out_l]. */
  readonly da: Float64Array[];
  /** ∂L/∂z_l scratch: [B, max hidden]. */
  readonly dz: Float64Array;
  /** ∂L/∂W_l: [in_l, out_l] and ∂L/∂b_l: [out_l]. */
  readonly dW: Float64Array[];
  readonly db: Float64Array[];
}

export function createWorkspace(sizes: readonly number[], batch: number): Workspace {
  const L = sizes.length - 1;
  const perLayer = () => Array.from({ length: L }, (_, l) => new Float64Array(batch * sizes[l + 1]));
  return {
    batch,
    sizes: [...sizes],
    a: perLayer(),
    z: perLayer(),
    da: perLayer(),
    dz: new Float64Array(batch * Math.max(1, ...sizes.slice(1, -1))),
    dW: Array.from({ length: L }, (_, l) => new Float64Array(sizes[l] * sizes[l + 1])),
    db: Array.from({ length: L }, (_, l) => new Float64Array(sizes[l + 1])),
  };
}

function checkShapes(p: Params, x: SparseRows, t: Uint8Array, ws: Workspace): void {
  const L = p.sizes.length - 1;
  assertShape(p.W.length === L && p.b.length === L, `backprop: ${p.W.length} weights, ${p.b.length} biases for ${L} layers`);
  for (let l = 0; l < L; l++)
    assertShape(p.W[l].length === p.sizes[l] * p.sizes[l + 1] && p.b[l].length === p.sizes[l + 1], `backprop: layer ${l + 1} is not [${p.sizes[l]},${p.sizes[l + 1]}]`);
  assertShape(x.cols === p.sizes[0], `backprop: x has ${x.cols} columns, W1 has ${p.sizes[0]} rows`);
  assertShape(t.length === x.rows, `backprop: x has ${x.rows} rows, t has ${t.length} labels`);
  assertShape(ws.batch === x.rows && ws.sizes.length === p.sizes.length && ws.sizes.every((n, i) => n === p.sizes[i]), 'backprop: workspace built for another batch or network');
  const K = p.sizes[L];
  for (let b = 0; b < t.length; b++) assertShape(t[b] < K, `backprop: label ${t[b]} at ${b} is not below K=${K}`);
}

// x: [B, D] (sparse rows) · W: [D, H] + b: [H] -> a: [B, H]
function affineSparse(x: SparseRows, W: Real, bias: Real, H: number, a: Float64Array): void {
  a.fill(0);
  for (let r = 0; r < x.rows; r++) {
    const out = r * H;
    for (let n = x.start[r]; n < x.start[r + 1]; n++) {
      const v = x.value[n], row = x.index[n] * H;
      for (let j = 0; j < H; j++) a[out + j] += v * W[row + j];
    }
    for (let j = 0; j < H; j++) a[out + j] += bias[j];
  }
}

// z: [B, I] · W: [I, H] + b: [H] -> a: [B, H]; zeros in z (relu) are skipped
function affineDense(z: Float64Array, B: number, I: number, W: Real, bias: Real, H: number, a: Float64Array): void {
  a.fill(0);
  for (let r = 0; r < B; r++) {
    const out = r * H;
    for (let i = 0; i < I; i++) {
      const v = z[r * I + i];
      if (v === 0) continue;
      const row = i * H;
      for (let j = 0; j < H; j++) a[out + j] += v * W[row + j];
    }
    for (let j = 0; j < H; j++) a[out + j] += bias[j];
  }
}

// a: [B, K] -> y: [B, K] row-wise softmax, max subtracted (the book's stable form)
function softmaxInto(a: Float64Array, B: number, K: number, y: Float64Array): void {
  for (let r = 0; r < B; r++) {
    const off = r * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (a[off + k] > max) max = a[off + k];
    let sum = 0;
    for (let k = 0; k < K; k++) { const e = Math.exp(a[off + k] - max); y[off + k] = e; sum += e; }
    for (let k = 0; k < K; k++) y[off + k] /= sum;
  }
}

/**
 * Forward pass into the workspace, then the mean CEE with the book's δ: −(1/B) Σ_b log(y[b, t_b] + δ).
 * Leaves a_l, z_l (and y = z_L) in `ws` for backprop.
 */
export function forwardLoss(p: Params, x: SparseRows, t: Uint8Array, ws: Workspace): number {
  checkShapes(p, x, t, ws);
  affineSparse(x, p.W[0], p.b[0], p.sizes[1], ws.a[0]);
  return forwardFromAffine(p, t, ws, 0);
}

/**
 * The rest of a forward pass from a_l, which is already in `ws`: z_l = act(a_l) (only column `column` when
 * given: the other columns of z_l are current), then layers l+1, ..., and the mean CEE with δ. The
 * gradient check uses it to change one column of a_l at a time instead of recomputing x·W1.
 */
export function forwardFromAffine(p: Params, t: Uint8Array, ws: Workspace, l: number, column = -1): number {
  const B = ws.batch, L = p.sizes.length - 1;
  for (let m = l; m < L; m++) {
    const H = p.sizes[m + 1], a = ws.a[m], z = ws.z[m];
    if (m > l) affineDense(ws.z[m - 1], B, p.sizes[m], p.W[m], p.b[m], H, a);
    if (m === L - 1) { softmaxInto(a, B, H, z); continue; }
    const relu = p.activation === 'relu';
    const [from, to, step] = m === l && column >= 0 ? [column, B * H, H] : [0, B * H, 1];
    for (let i = from; i < to; i += step) z[i] = relu ? (a[i] > 0 ? a[i] : 0) : 1 / (1 + Math.exp(-a[i]));
  }
  const K = p.sizes[L], y = ws.z[L - 1];
  let sum = 0;
  for (let r = 0; r < B; r++) sum += Math.log(y[r * K + t[r]] + CEE_DELTA);
  return -sum / B;
}

/**
 * Gradient of the mean CEE over the batch by backpropagation; returns the loss (with δ) and leaves
 * ∂L/∂W_l, ∂L/∂b_l in ws.dW, ws.db. Like the book, the softmax-with-loss gradient is dy = (y − t)/B,
 * which is the gradient of CEE *without* δ (−(1/B) Σ log y_t): δ = 1e-7 shifts it by a relative δ/y_t.
 *
 *   da_L = (y − onehot(t)) / B                      [B, K]
 *   dW_l = z_{l−1}ᵀ · da_l,  db_l = Σ_rows da_l      [in, out], [out]   (z_0 = x)
 *   dz_{l−1} = da_l · W_lᵀ                          [B, in]
 *   da_{l−1} = dz_{l−1} ⊙ act'(a_{l−1})             sigmoid' = z(1 − z), relu' = [a > 0]
 *
 * (The book's TwoLayerNet names ∂L/∂z1 `da1` and ∂L/∂a1 `dz1`; here d<name> is ∂L/∂<name>.)
 */
export function backprop(p: Params, x: SparseRows, t: Uint8Array, ws: Workspace): number {
  const loss = forwardLoss(p, x, t, ws);
  const B = x.rows, L = p.sizes.length - 1, K = p.sizes[L];
  // da_L = (y − t) / B: [B, K]
  const y = ws.z[L - 1], daL = ws.da[L - 1];
  for (let i = 0; i < B * K; i++) daL[i] = y[i] / B;
  for (let r = 0; r < B; r++) daL[r * K + t[r]] = (y[r * K + t[r]] - 1) / B;

  for (let l = L - 1; l >= 0; l--) {
    const I = p.sizes[l], H = p.sizes[l + 1], da = ws.da[l], dW = ws.dW[l], db = ws.db[l];
    // dW_l = z_{l−1}ᵀ · da_l: [I, B] · [B, H] -> [I, H], summed over b in order; zero inputs add nothing
    dW.fill(0);
    if (l === 0) {
      for (let r = 0; r < B; r++)
        for (let n = x.start[r]; n < x.start[r + 1]; n++) {
          const v = x.value[n], row = x.index[n] * H;
          for (let j = 0; j < H; j++) dW[row + j] += v * da[r * H + j];
        }
    } else {
      const zPrev = ws.z[l - 1];
      for (let r = 0; r < B; r++)
        for (let i = 0; i < I; i++) {
          const v = zPrev[r * I + i];
          if (v === 0) continue;
          for (let j = 0; j < H; j++) dW[i * H + j] += v * da[r * H + j];
        }
    }
    // db_l = Σ_b da_l[b, :]: [H]
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let r = 0; r < B; r++) s += da[r * H + j];
      db[j] = s;
    }
    if (l === 0) break; // ∂L/∂x is not needed
    // dz_{l−1} = da_l · W_lᵀ: [B, H] · [H, I] -> [B, I]; then da_{l−1} = dz ⊙ act'(a_{l−1})
    const W = p.W[l], dz = ws.dz, aPrev = ws.a[l - 1], zPrev = ws.z[l - 1], daPrev = ws.da[l - 1];
    for (let r = 0; r < B; r++)
      for (let i = 0; i < I; i++) {
        let s = 0;
        for (let j = 0; j < H; j++) s += da[r * H + j] * W[i * H + j];
        dz[r * I + i] = s;
      }
    if (p.activation === 'relu') for (let i = 0; i < B * I; i++) daPrev[i] = aPrev[i] > 0 ? dz[i] : 0;
    else for (let i = 0; i < B * I; i++) daPrev[i] = (1.0 - zPrev[i]) * zPrev[i] * dz[i];
  }
  return loss;
}

/** Gradients of one batch, copied out of a workspace: dW[l]: [in, out], db[l]: [out]. */
export interface Gradients {
  readonly loss: number;
  readonly dW: Float64Array[];
  readonly db: Float64Array[];
}

/**
 * The gradient of the mean CEE (without δ, as the book) over the batch x: [B, D], t: [B] labels, for a
 * network (float32 parameters) or Params (float32 or float64). Allocates; trainers use `backprop` with a
 * reused workspace.
 */
export function gradient(net: Network | Params, x: { readonly rows: number; readonly cols: number; readonly data: Real }, t: Uint8Array): Gradients {
  const p = 'layers' in net ? paramsOf(net) : net;
  const ws = createWorkspace(p.sizes, x.rows);
  const loss = backprop(p, sparseRows(x), t, ws);
  return { loss, dW: ws.dW.map((g) => g.slice()), db: ws.db.map((g) => g.slice()) };
}
