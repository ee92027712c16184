// The library's public surface: re-exports only.
export * from './errors';
export * from './tensor';
export * from './rng/mt19937';
