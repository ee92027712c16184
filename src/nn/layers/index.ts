// The reference layer engine (mirrors the book's common/layers.py, common/util.py im2col/col2im, ch06 batch norm):
// the definition every fast path is tested against.
export * from './types';
export { rowTimesMatrix } from './gemm';
export * from './im2col';
export * from './affine';
export * from './convolution';
export * from './pooling';
export * from './activations';
export * from './batchNormalization';
export * from './dropout';
export * from './flatten';
export * from './softmax';
export * from './network';
export * from './numericalGradient';
