// The WebAssembly SIMD kernel of fastForward.ts at run time: the module that wasmKernelSource.ts writes out,
// stored as base64 (assembling it costs ~10 ms, a compile ~1 ms), compiled once per thread, one instance and
// memory per network. Its functions give the same bits as their JS twins in fastForward.ts, ~3x faster.

/** Bytes per layer in forwardImages' table: six int32 — W, b, z, z of the layer before, in, out. */
export const LAYER_TABLE_BYTES = 24;

/** The module's exports; addresses are byte offsets into the memory, counts are element counts. */
export interface WasmKernel {
  readonly memory: { readonly buffer: ArrayBuffer };
  /** V8's Math.exp, bit for bit. */
  exp(x: number): number;
  /** a[j] = Σ_i xs[i] · W[rowOffsets[i] + j] for j < out; W, xs, a float64, rowOffsets int32. */
  accumulateRow(W: number, out: number, xs: number, rowOffsets: number, m: number, a: number): void;
  /** a[j] = Σ_k z[k] · W[k·out + j] for k < n, j < out (all inputs; the fourth argument is unused). */
  accumulateDense(W: number, out: number, z: number, unused: number, n: number, a: number): void;
  /** Gathers the nonzero bytes p of image[0..D) as xs[m] = scale[p], rowOffsets[m] = k·out; returns m. */
  gatherPixels(image: number, D: number, out: number, scale: number, xs: number, rowOffsets: number): number;
  /** Gathers the nonzero z[0..n) as xs[m] = z_k, rowOffsets[m] = k·out; returns m. */
  gatherNonzero(z: number, n: number, out: number, xs: number, rowOffsets: number): number;
  /** z_j = act(f32(f32(z_j) + b_j)) for j < out, z float64, b float32; act 0 none, 1 sigmoid, 2 relu. */
  biasActivate(z: number, b: number, out: number, act: number): void;
  /** biasActivate(z, b, out, 1), two outputs at a time: the same bits. */
  biasSigmoid(z: number, b: number, out: number): void;
  /**
   * For each of `count` images (bytes [count, D] at `images`): every layer as described by the L entries of
   * `table` (LAYER_TABLE_BYTES each), then softmax; y: [count, K] float64. sigmoid 1: sigmoid hidden layers, 0: relu.
   */
  forwardImages(table: number, L: number, images: number, count: number, D: number, scale: number, xs: number, rowOffsets: number, sigmoid: number, y: number): void;
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
  'AGFzbQEAAAABRQhgAXwBfGAGf39/f39/AGAGf39/f39/AX9gBX9/f39/AX9gBH9/f38AYAN/f38AYAZ/f39/f38AYAp/f39/f39/' +
  'f39/AAIPAQNlbnYGbWVtb3J5AgABAwkIAAECAwQFBgcHdQgDZXhwAAANYWNjdW11bGF0ZVJvdwABDGdhdGhlclBpeGVscwACDWdh' +
  'dGhlck5vbnplcm8AAwxiaWFzQWN0aXZhdGUABAtiaWFzU2lnbW9pZAAFD2FjY3VtdWxhdGVEZW5zZQAGDWZvcndhcmRJbWFnZXMA' +
  'Bwr6GwiEBQkBfwF/AX8BfAF8AXwBfAF8AXwgAL1CIIinIQEgAUEfdiECIAFB/////wdxIQEgAUHC3JiEBE8EQCABQYCAwP8HTwRA' +
  'IAFB//8/cSAAvadyBEAgACAAoA8LIABEAAAAAAAAAAAgAkUbDwsgAETvOfr+Qi6GQGQEQEQAAAAAAADwfw8LIABEUTAt1RBJh8Bj' +
  'BEBEAAAAAAAAAAAPCwsgAUHC3Nj+A0sEQCABQbLFwv8DSQRAIABEAAAAAAAA8D9hBEBEaVcUiwq/BUAPCyAARAAA4P5CLuY/RAAA' +
  '4P5CLua/IAJFG6EhBER2PHk17znqPUR2PHk17znqvSACRRshBUEBIAJrIAJrIQMFRP6CK2VHFfc/IACiRAAAAAAAAOA/RAAAAAAA' +
  'AOC/IAJFG6CqIQMgA7chBiAAIAZEAADg/kIu5j+ioSEEIAZEdjx5Ne856j2iIQULIAQgBaEhAAUgAUGAgMDxA0kEQEQAAAAAAADw' +
  'PyAAoA8LQQAhAwsgACAAoiEGIANBg3hOBEBBgIDA/wMgA0EUdGqtQiCGvyEJBUGAgMD/AyADQegHakEUdGqtQiCGvyEJCyAAIAZE' +
  'PlVVVVVVxT8gBkSTvb4WbMFmvyAGRCzeJa9qVhE/IAZE8WvSxUG9u74gBkTQpL5yaTdmPqKgoqCioKKgoqEhByADRQRARAAAAAAA' +
  'APA/IAAgB6IgB0QAAAAAAAAAQKGjIAChoQ8LRAAAAAAAAPA/IAUgACAHokQAAAAAAAAAQCAHoaOhIAShoSEIIANBg3hOBEAgA0GA' +
  'CEYEQCAIRAAAAAAAAABAokQAAAAAAADgf6IPCyAIIAmiDwsgCCAJokQAAAAAAABwAaIL0AQKAX8BfwF/AXsBewF7AXsBewF7AXwC' +
  'QANAIAZBCmogAUsNAf0MAAAAAAAAAAAAAAAAAAAAACEK/QwAAAAAAAAAAAAAAAAAAAAAIQv9DAAAAAAAAAAAAAAAAAAAAAAhDP0M' +
  'AAAAAAAAAAAAAAAAAAAAACEN/QwAAAAAAAAAAAAAAAAAAAAAIQ5BACEHAkADQCAHIARPDQEgAiAHQQN0aisDAP0UIQkgACADIAdB' +
  'AnRqKAIAIAZqQQN0aiEIIAogCSAI/QADAP3yAf3wASEKIAsgCSAI/QADEP3yAf3wASELIAwgCSAI/QADIP3yAf3wASEMIA0gCSAI' +
  '/QADMP3yAf3wASENIA4gCSAI/QADQP3yAf3wASEOIAdBAWohBwwACwsgBSAGQQN0aiEIIAggCv0LAwAgCCAL/QsDECAIIAz9CwMg' +
  'IAggDf0LAzAgCCAO/QsDQCAGQQpqIQYMAAsLAkADQCAGQQJqIAFLDQH9DAAAAAAAAAAAAAAAAAAAAAAhCkEAIQcCQANAIAcgBE8N' +
  'ASACIAdBA3RqKwMA/RQhCSAAIAMgB0ECdGooAgAgBmpBA3RqIQggCiAJIAj9AAMA/fIB/fABIQogB0EBaiEHDAALCyAFIAZBA3Rq' +
  'IQggCCAK/QsDACAGQQJqIQYMAAsLIAYgAUkEQEQAAAAAAAAAACEPQQAhBwJAA0AgByAETw0BIA8gAiAHQQN0aisDACAAIAMgB0EC' +
  'dGooAgAgBmpBA3RqKwMAoqAhDyAHQQFqIQcMAAsLIAUgBkEDdGogDzkDAAsLhgIFAX8BfwF/AX8Bf0EAIQcCQANAIAcgAUEEdk8N' +
  'ASAAIAdBBHRq/QAAAP0MAAAAAAAAAAAAAAAAAAAAAP0k/WQhCgJAA0AgCkUNASAHQQR0IApoaiEIIAAgCGotAAAhCSAJBEAgBCAG' +
  'QQN0aiADIAlBA3RqKwMAOQMAIAUgBkECdGogCCACbDYCACAGQQFqIQYLIAogCkEBa3EhCgwACwsgB0EBaiEHDAALCyABQXBxIQgC' +
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
  'APA/IA398AH98wH9Xv1f/QsDACADQQJqIQMMAAsLIAMgAkkEQCAAIANBA3RqIAEgA0ECdGpBAUEBEAQLC74ECgF/AX8BfwF7AXsB' +
  'ewF7AXsBewF8AkADQCAGQQpqIAFLDQH9DAAAAAAAAAAAAAAAAAAAAAAhCv0MAAAAAAAAAAAAAAAAAAAAACEL/QwAAAAAAAAAAAAA' +
  'AAAAAAAAIQz9DAAAAAAAAAAAAAAAAAAAAAAhDf0MAAAAAAAAAAAAAAAAAAAAACEOQQAhBwJAA0AgByAETw0BIAIgB0EDdGorAwD9' +
  'FCEJIAAgByABbCAGakEDdGohCCAKIAkgCP0AAwD98gH98AEhCiALIAkgCP0AAxD98gH98AEhCyAMIAkgCP0AAyD98gH98AEhDCAN' +
  'IAkgCP0AAzD98gH98AEhDSAOIAkgCP0AA0D98gH98AEhDiAHQQFqIQcMAAsLIAUgBkEDdGohCCAIIAr9CwMAIAggC/0LAxAgCCAM' +
  '/QsDICAIIA39CwMwIAggDv0LA0AgBkEKaiEGDAALCwJAA0AgBkECaiABSw0B/QwAAAAAAAAAAAAAAAAAAAAAIQpBACEHAkADQCAH' +
  'IARPDQEgAiAHQQN0aisDAP0UIQkgACAHIAFsIAZqQQN0aiEIIAogCSAI/QADAP3yAf3wASEKIAdBAWohBwwACwsgBSAGQQN0aiEI' +
  'IAggCv0LAwAgBkECaiEGDAALCyAGIAFJBEBEAAAAAAAAAAAhD0EAIQcCQANAIAcgBE8NASAPIAIgB0EDdGorAwAgACAHIAFsIAZq' +
  'QQN0aisDAKKgIQ8gB0EBaiEHDAALCyAFIAZBA3RqIA85AwALC9QDDwF/AX8BfwF/AX8BfwF/AX8BfwF/AX8BfwF8AXwBfEEAIQoC' +
  'QANAIAogA08NAUEAIQsCQANAIAsgAU8NASAAIAtBGGxqIQwgDCgCACENIAwoAgQhDiAMKAIIIQ8gDCgCDCEQIAwoAhAhESAMKAIU' +
  'IRIgC0UEQCANIBIgBiAHIAIgCiAEbGogBCASIAUgBiAHEAIgDxABBSAIBEAgDSASIBBBACARIA8QBgUgDSASIAYgByAQIBEgEiAG' +
  'IAcQAyAPEAELCyALQQFqIAFJBEAgCARAIA8gDiASEAUFIA8gDiASQQIQBAsFIA8gDiASQQAQBAsgC0EBaiELDAALCyAJIAogEmxB' +
  'A3RqIRVEAAAAAAAA8P8hFkEAIRQCQANAIBQgEk8NASAPIBRBA3RqKwMAIRggGCAWZARAIBghFgsgFEEBaiEUDAALC0QAAAAAAAAA' +
  'ACEXQQAhFAJAA0AgFCASTw0BIA8gFEEDdGogDyAUQQN0aisDACAWoRAAIRggGDkDACAXIBigIRcgFEEBaiEUDAALC0EAIRQCQANA' +
  'IBQgEk8NASAVIBRBA3RqIA8gFEEDdGorAwAgF6O2uzkDACAUQQFqIRQMAAsLIApBAWohCgwACwsL';
