// im2col / col2im as common/util.py: unfold every filter window of a zero-padded [N, C, H, W] input into one
// row, so a convolution becomes one matrix product. Row r = (n, oh, ow), column k = (c, fy, fx), C order.
import { assertShape } from '../../tensor';
import { allocLike, type Real } from './types';

/** The output size of a window sweep: floor((size + 2·pad − filter) / stride) + 1, as the book's im2col (//). */
export function convOutputSize(size: number, filter: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - filter) / stride) + 1;
}

export interface Im2colShape {
  readonly N: number; readonly C: number; readonly H: number; readonly W: number;
  readonly FH: number; readonly FW: number; readonly stride: number; readonly pad: number;
}

/**
 * x: [N, C, H, W] -> col: [N*OH*OW, C*FH*FW] (the book's im2col); positions in the padding hold `padValue`
 * (0, as np.pad 'constant'). col has x's precision: its entries are copies, nothing is rounded.
 */
export function im2col<A extends Real>(x: A, s: Im2colShape, padValue = 0): A {
  const { N, C, H, W, FH, FW, stride, pad } = s;
  const OH = convOutputSize(H, FH, stride, pad), OW = convOutputSize(W, FW, stride, pad);
  assertShape(OH >= 1 && OW >= 1 && x.length === N * C * H * W, `im2col: [${N},${C},${H},${W}] with ${FH}x${FW} stride ${stride} pad ${pad}`);
  const K = C * FH * FW;
  const col = allocLike(x, N * OH * OW * K);
  let r = 0;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, r++) {
        let k = r * K;
        for (let c = 0; c < C; c++) {
          const plane = (n * C + c) * H;
          for (let fy = 0; fy < FH; fy++) {
            const iy = oh * stride + fy - pad;
            for (let fx = 0; fx < FW; fx++, k++) {
              const ix = ow * stride + fx - pad;
              col[k] = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[(plane + iy) * W + ix] : padValue;
            }
          }
        }
      }
  return col;
}

/**
 * dcol: [N*OH*OW, C*FH*FW] -> dx: [N, C, H, W] (the book's col2im): each entry is added back to the input
 * position it was copied from (overlapping windows sum); entries from the padding are dropped. float64.
 */
export function col2im(dcol: Float64Array, s: Im2colShape): Float64Array {
  const { N, C, H, W, FH, FW, stride, pad } = s;
  const OH = convOutputSize(H, FH, stride, pad), OW = convOutputSize(W, FW, stride, pad);
  const K = C * FH * FW;
  assertShape(dcol.length === N * OH * OW * K, `col2im: ${dcol.length} values for [${N * OH * OW},${K}]`);
  const dx = new Float64Array(N * C * H * W);
  let r = 0;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, r++) {
        let k = r * K;
        for (let c = 0; c < C; c++) {
          const plane = (n * C + c) * H;
          for (let fy = 0; fy < FH; fy++) {
            const iy = oh * stride + fy - pad;
            for (let fx = 0; fx < FW; fx++, k++) {
              const ix = ow * stride + fx - pad;
              if (iy >= 0 && iy < H && ix >= 0 && ix < W) dx[(plane + iy) * W + ix] += dcol[k];
            }
          }
        }
      }
  return dx;
}
