// The kernels' one read from the world: the WebAssembly binary that scripts/build-kernels.js assembles from
// src/kernels/*.wat. Kept apart from files.ts (whose readers report user data errors, exit 3): a missing
// kernel is a broken install, not bad input.
import { fileExists, readBytes } from './files';

/** The first of `candidates` that exists, with its bytes, or null when none does (the kernels are not built). */
export function readKernelBinary(candidates: readonly string[]): { readonly file: string; readonly bytes: Uint8Array } | null {
  for (const file of candidates) if (fileExists(file)) return { file, bytes: readBytes(file, 'kernel file') };
  return null;
}
