// The library's public surface: re-exports only.
export * from './errors';
export * from './tensor';
export * from './rng/mt19937';
export * from './data/types';
export * from './io/idx';
export * from './data/mnist';
export * from './data/batch';
export * from './io/npy';
export * from './io/textArrays';
export * from './nn/numpySum';
export * from './nn/losses';
export * from './nn/activations';
export * from './nn/frameworkLosses';
export * from './experiments/predictionLoss';
