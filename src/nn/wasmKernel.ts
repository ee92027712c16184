// The kernels as experiments/sweep.ts takes them (it predates src/kernels): the functions of mlp.wat over a
// fresh arena, with its memory. New code uses src/kernels (createArena) directly.
import { createArena, kernelsEnabled, type MlpKernels } from '../kernels';

export type WasmKernel = MlpKernels & { readonly memory: { readonly buffer: ArrayBuffer } };

/**
 * The kernels over a fresh memory of at least `bytes` bytes, or null when MNIST_LOSS_KERNELS=reference
 * selects the reference path (the caller's plain loops). A kernel that fails to load throws.
 */
export function createWasmKernel(bytes: number): WasmKernel | null {
  if (!kernelsEnabled()) return null;
  const arena = createArena(bytes);
  return { ...arena.kernels, memory: { buffer: arena.buffer } };
}
