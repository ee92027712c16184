// Row-major float32 matrices and the few kernels the book's numpy code uses (np.dot, + b, argmax).
// Reductions accumulate in float64 (a plain JS number) and round to float32 once on store.

/** A row-major matrix: element (i, j) is data[i * cols + j]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Throws a plain Error (exit 1): a shape mismatch inside the library is a bug, not user input. */
export function assertShape(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`shape mismatch: ${what}`);
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float32Array(rows * cols) };
}

export function fromArray(rows: number, cols: number, values: ArrayLike<number>): Matrix {
  assertShape(values.length === rows * cols, `fromArray: ${values.length} values for [${rows},${cols}]`);
  return { rows, cols, data: Float32Array.from(values) };
}

/** a: [B, D] · b: [D, H] -> [B, H] (np.dot). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  assertShape(a.cols === b.rows, `matmul: [${a.rows},${a.cols}] x [${b.rows},${b.cols}]`);
  const B = a.rows, D = a.cols, H = b.cols;
  const out = new Float32Array(B * H);
  const acc = new Float64Array(H); // float64 accumulators for one output row
  for (let i = 0; i < B; i++) {
    acc.fill(0);
    for (let k = 0; k < D; k++) {
      const aik = a.data[i * D + k];
      if (aik === 0) continue; // MNIST inputs are ~80% zeros
      const rowK = k * H;
      for (let j = 0; j < H; j++) acc[j] += aik * b.data[rowK + j];
    }
    out.set(acc, i * H);
  }
  return { rows: B, cols: H, data: out };
}

/** x: [B, H] + b: [H] broadcast over rows -> new [B, H]. */
export function addBias(x: Matrix, b: Float32Array): Matrix {
  assertShape(b.length === x.cols, `addBias: [${x.rows},${x.cols}] + [${b.length}]`);
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < x.rows; i++)
    for (let j = 0; j < x.cols; j++) out[i * x.cols + j] = x.data[i * x.cols + j] + b[j];
  return { rows: x.rows, cols: x.cols, data: out };
}

/** argmax over each row of y: [B, K] -> [B]; the first maximum wins ties (numpy parity). */
export function argmaxRows(y: Matrix): Uint32Array {
  const out = new Uint32Array(y.rows);
  for (let i = 0; i < y.rows; i++) {
    let best = 0;
    let bestValue = y.data[i * y.cols];
    for (let j = 1; j < y.cols; j++) {
      const v = y.data[i * y.cols + j];
      if (v > bestValue) { best = j; bestValue = v; }
    }
    out[i] = best;
  }
  return out;
}

/** Row i of m as a view (no copy). */
export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}
