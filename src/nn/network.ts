// A fully connected network of any depth, as in the book's ch03 predict() and ch04 TwoLayerNet:
// a_l = z_{l-1} @ W_l + b_l, z_l = act(a_l) for hidden layers, y = softmax(a_L).
import { addBias, assertShape, matmul, type Matrix } from '../tensor';
import { reluInPlace, sigmoidInPlace, softmaxRows } from './activations';

export type Activation = 'sigmoid' | 'relu';

/** One affine layer: W: [in, out], b: [out]. */
export interface Layer {
  readonly W: Matrix;
  readonly b: Float32Array;
}

export interface Network {
  readonly layers: readonly Layer[];
  readonly activation: Activation;
}

/** Parameter names in the book's order: W1, b1, W2, b2, ... */
export function parameterNames(net: Network): string[] {
  return net.layers.flatMap((_, l) => [`W${l + 1}`, `b${l + 1}`]);
}

/** x: [B, D] -> y: [B, K] probabilities (reference forward pass; simple and obviously correct). */
export function predict(net: Network, x: Matrix): Matrix {
  assertShape(x.cols === net.layers[0].W.rows, `predict: x [${x.rows},${x.cols}] vs W1 [${net.layers[0].W.rows},…]`);
  let z = x;
  net.layers.forEach((layer, l) => {
    const a = addBias(matmul(z, layer.W), layer.b); // [B, out_l]
    if (l < net.layers.length - 1) {
      (net.activation === 'relu' ? reluInPlace : sigmoidInPlace)(a.data);
      z = a;
    } else {
      z = softmaxRows(a);
    }
  });
  return z;
}
