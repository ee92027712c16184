// The WebAssembly SIMD kernel of fastForward.ts at run time: the module that wasmKernelSource.ts writes out,
// stored as base64 (assembling it costs ~10 ms, a compile ~1 ms), compiled once per thread, one instance and
// memory per network. Its functions give the same bits as their JS twins in fastForward.ts, ~3x faster.

/** The module's exports; addresses are byte offsets into the memory, counts are element counts. */
export interface WasmKernel {
  readonly memory: { readonly buffer: ArrayBuffer };
  /** V8's Math.exp, bit for bit. */
  exp(x: number): number;
  /** a[j] = Σ_i xs[i] · W[rowOffsets[i] + j] for j < out; W, xs, a float64, rowOffsets int32. */
  accumulateRow(W: number, out: number, xs: number, rowOffsets: number, m: number, a: number): void;
  /** Gathers the nonzero bytes p of image[0..D) as xs[m] = scale[p], rowOffsets[m] = k·out; returns m. */
  gatherPixels(image: number, D: number, out: number, scale: number, xs: number, rowOffsets: number): number;
  /** Gathers the nonzero z[0..n) as xs[m] = z_k, rowOffsets[m] = k·out; returns m. */
  gatherNonzero(z: number, n: number, out: number, xs: number, rowOffsets: number): number;
  /** z_j = act(f32(f32(z_j) + b_j)) for j < out, z float64, b float32; act 0 none, 1 sigmoid, 2 relu. */
  biasActivate(z: number, b: number, out: number, act: number): void;
  /** biasActivate(z, b, out, 1), two outputs at a time: the same bits. */
  biasSigmoid(z: number, b: number, out: number): void;
}

/** The part of the WebAssembly JS API used here (tsconfig's lib is es2022, which does not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The kernel over a fresh memory of at least `bytes` bytes, or null where WebAssembly SIMD is unavailable. */
export function createWasmKernel(bytes: number): WasmKernel | null {
  if (compiled === undefined) {
    const code = Uint8Array.from(Buffer.from(MODULE_BASE64, 'base64'));
    compiled = wasmApi !== undefined && wasmApi.validate(code) ? new wasmApi.Module(code) : null;
  }
  if (compiled === null || wasmApi === undefined) return null;
  const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const instance = new wasmApi.Instance(compiled, { env: { memory } });
  return { ...(instance.exports as unknown as Omit<WasmKernel, 'memory'>), memory };
}

/**
 * wasmKernelSource.ts's moduleBytes() as base64, so that a run does not spend ~10 ms assembling it (start-up time matters to a
 * CLI; a worker thread pays it again). __tests__/unit/nn/wasmKernel.test.ts checks that it equals
 * moduleBytes() and prints the new value when an edit above changes the module.
 */
export const MODULE_BASE64 =
  'AGFzbQEAAAABLwZgAXwBfGAGf39/f39/AGAGf39/f39/AX9gBX9/f39/AX9gBH9/f38AYAN/f38AAg8BA2VudgZtZW1vcnkCAAED' +
  'BwYAAQIDBAUHUwYDZXhwAAANYWNjdW11bGF0ZVJvdwABDGdhdGhlclBpeGVscwACDWdhdGhlck5vbnplcm8AAwxiaWFzQWN0aXZh' +
  'dGUABAtiaWFzU2lnbW9pZAAFCtMTBoQFCQF/AX8BfwF8AXwBfAF8AXwBfCAAvUIgiKchASABQR92IQIgAUH/////B3EhASABQcLc' +
  'mIQETwRAIAFBgIDA/wdPBEAgAUH//z9xIAC9p3IEQCAAIACgDwsgAEQAAAAAAAAAACACRRsPCyAARO85+v5CLoZAZARARAAAAAAA' +
  'APB/DwsgAERRMC3VEEmHwGMEQEQAAAAAAAAAAA8LCyABQcLc2P4DSwRAIAFBssXC/wNJBEAgAEQAAAAAAADwP2EEQERpVxSLCr8F' +
  'QA8LIABEAADg/kIu5j9EAADg/kIu5r8gAkUboSEERHY8eTXvOeo9RHY8eTXvOeq9IAJFGyEFQQEgAmsgAmshAwVE/oIrZUcV9z8g' +
  'AKJEAAAAAAAA4D9EAAAAAAAA4L8gAkUboKohAyADtyEGIAAgBkQAAOD+Qi7mP6KhIQQgBkR2PHk17znqPaIhBQsgBCAFoSEABSAB' +
  'QYCAwPEDSQRARAAAAAAAAPA/IACgDwtBACEDCyAAIACiIQYgA0GDeE4EQEGAgMD/AyADQRR0aq1CIIa/IQkFQYCAwP8DIANB6Adq' +
  'QRR0aq1CIIa/IQkLIAAgBkQ+VVVVVVXFPyAGRJO9vhZswWa/IAZELN4lr2pWET8gBkTxa9LFQb27viAGRNCkvnJpN2Y+oqCioKKg' +
  'oqCioSEHIANFBEBEAAAAAAAA8D8gACAHoiAHRAAAAAAAAABAoaMgAKGhDwtEAAAAAAAA8D8gBSAAIAeiRAAAAAAAAABAIAeho6Eg' +
  'BKGhIQggA0GDeE4EQCADQYAIRgRAIAhEAAAAAAAAAECiRAAAAAAAAOB/og8LIAggCaIPCyAIIAmiRAAAAAAAAHABogvQBAoBfwF/' +
  'AX8BewF7AXsBewF7AXsBfAJAA0AgBkEKaiABSw0B/QwAAAAAAAAAAAAAAAAAAAAAIQr9DAAAAAAAAAAAAAAAAAAAAAAhC/0MAAAA' +
  'AAAAAAAAAAAAAAAAACEM/QwAAAAAAAAAAAAAAAAAAAAAIQ39DAAAAAAAAAAAAAAAAAAAAAAhDkEAIQcCQANAIAcgBE8NASACIAdB' +
  'A3RqKwMA/RQhCSAAIAMgB0ECdGooAgAgBmpBA3RqIQggCiAJIAj9AAMA/fIB/fABIQogCyAJIAj9AAMQ/fIB/fABIQsgDCAJIAj9' +
  'AAMg/fIB/fABIQwgDSAJIAj9AAMw/fIB/fABIQ0gDiAJIAj9AANA/fIB/fABIQ4gB0EBaiEHDAALCyAFIAZBA3RqIQggCCAK/QsD' +
  'ACAIIAv9CwMQIAggDP0LAyAgCCAN/QsDMCAIIA79CwNAIAZBCmohBgwACwsCQANAIAZBAmogAUsNAf0MAAAAAAAAAAAAAAAAAAAA' +
  'ACEKQQAhBwJAA0AgByAETw0BIAIgB0EDdGorAwD9FCEJIAAgAyAHQQJ0aigCACAGakEDdGohCCAKIAkgCP0AAwD98gH98AEhCiAH' +
  'QQFqIQcMAAsLIAUgBkEDdGohCCAIIAr9CwMAIAZBAmohBgwACwsgBiABSQRARAAAAAAAAAAAIQ9BACEHAkADQCAHIARPDQEgDyAC' +
  'IAdBA3RqKwMAIAAgAyAHQQJ0aigCACAGakEDdGorAwCioCEPIAdBAWohBwwACwsgBSAGQQN0aiAPOQMACwv1AQUBfwF/AX8BfwF/' +
  'QQAhBwJAA0AgByABQQJ2Tw0BIAAgB0ECdGooAAAEQCAHQQJ0QQRqIQogB0ECdCEIAkADQCAIIApPDQEgACAIai0AACEJIAkEQCAE' +
  'IAZBA3RqIAMgCUEDdGorAwA5AwAgBSAGQQJ0aiAIIAJsNgIAIAZBAWohBgsgCEEBaiEIDAALCwsgB0EBaiEHDAALCyABQXxxIQgC' +
  'QANAIAggAU8NASAAIAhqLQAAIQkgCQRAIAQgBkEDdGogAyAJQQN0aisDADkDACAFIAZBAnRqIAggAmw2AgAgBkEBaiEGCyAIQQFq' +
  'IQgMAAsLIAYLZAMBfwF/AXxBACEGAkADQCAGIAFPDQEgACAGQQN0aisDACEHIAdEAAAAAAAAAABiBEAgAyAFQQN0aiAHOQMAIAQg' +
  'BUECdGogBiACbDYCACAFQQFqIQULIAZBAWohBgwACwsgBQuZAQMBfwF/AX1BACEEAkADQCAEIAJPDQEgACAEQQN0aiEFIAUrAwC2' +
  'IAEgBEECdGoqAgCSIQYgA0EBRgRARAAAAAAAAPA/RAAAAAAAAPA/IAa7mhAAoKO2IQYLIANBAkYEQCAGIAZcRSAGRAAAAAAAAAAA' +
  'tl5FcQRARAAAAAAAAAAAtiEGCwsgBSAGuzkDACAEQQFqIQQMAAsLC4EGCwF/AX8BewF7AXsBewF7AXsBewF7AXsCQANAIANBAmog' +
  'AksNASAAIANBA3RqIQQgBP0AAwD9XiABIANBAnRq/V0CAP3kAf1f/e0BIQUgBUEg/c0B/Qz///9/AAAAAP///38AAAAA/U4hBiAG' +
  '/QwAIIZAAAAAAAAghkAAAAAA/dsBIAb9DAAAMD4AAAAAAAAwPgAAAAD92AH9UCAF/QwAAAAAAADwPwAAAAAAAPA//Uf9UP1TBEAg' +
  'DSAF/SEAEAD9IgAhDSANIAX9IQEQAP0iASENBf0M/oIrZUcV9z/+gitlRxX3PyAF/fIBIAX9DAAAAAAAAACAAAAAAAAAAID9Tv0M' +
  'AAAAAAAA4D8AAAAAAADgP/1Q/fAB/Xr9DAAAAAAAAAAAAAAAAAAAAAD9DEIu1j8AAAAAQi7WPwAAAAAgBv3YAf1SIQcgBSAH/QwA' +
  'AOD+Qi7mPwAA4P5CLuY//fIB/fEBIQggB/0Mdjx5Ne856j12PHk17znqPf3yASEJIAggCf3xASEKIAogCv3yASELIAogC/0MPlVV' +
  'VVVVxT8+VVVVVVXFPyAL/QyTvb4WbMFmv5O9vhZswWa/IAv9DCzeJa9qVhE/LN4lr2pWET8gC/0M8WvSxUG9u77xa9LFQb27viAL' +
  '/QzQpL5yaTdmPtCkvnJpN2Y+/fIB/fAB/fIB/fAB/fIB/fAB/fIB/fAB/fIB/fEBIQz9DAAAAAAAAPA/AAAAAAAA8D8gCSAKIAz9' +
  '8gH9DAAAAAAAAABAAAAAAAAAAEAgDP3xAf3zAf3xASAI/fEB/fEBIAf9DAAAAAAAADhDAAAAAAAAOEP98AH9DAAAAAAAADhDAAAA' +
  'AAAAOEP90QH9DP8DAAAAAAAA/wMAAAAAAAD9zgFBNP3LAf3yASENCyAE/QwAAAAAAADwPwAAAAAAAPA//QwAAAAAAADwPwAAAAAA' +
  'APA/IA398AH98wH9Xv1f/QsDACADQQJqIQMMAAsLIAMgAkkEQCAAIANBA3RqIAEgA0ECdGpBAUEBEAQLCw==';
