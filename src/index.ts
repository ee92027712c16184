// The library's public surface: re-exports only.
export * from './errors';
export * from './tensor';
export * from './rng/mt19937';
export * from './data/types';
export * from './io/idx';
export * from './data/mnist';
export * from './data/batch';
