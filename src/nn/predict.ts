// The library's one-call forward pass: images as bytes in, probabilities out, through the reference engine.
import { assertShape } from '../tensor';
import type { Network, Tensor } from './layers';

/**
 * y: [count, K] softmax probabilities of `count` images given as bytes [count, D] (D = 784 for MNIST), by the
 * reference layers (nn/layers, float64 sums). The network's own preprocessing applies (x / 255, its mean/std).
 */
export function predict(net: Network, pixels: Uint8Array): Tensor {
  const D = net.inputShape.reduce((a, b) => a * b, 1);
  assertShape(pixels.length % D === 0, `predict: ${pixels.length} bytes are not whole images of ${D} pixels`);
  return net.predict(pixels, pixels.length / D);
}
