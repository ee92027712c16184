// The fast path's loader: each kernel module (a .wat file assembled at build time into a .wasm beside this
// file's compiled JS) over one memory arena per use — mlp.wat for nn/fastForward.ts (eval's forward pass) and
// nn/sgdKernel.ts (the SGD step), convnet.wat for networkForward.ts (any layer network). The nn/ reference code
// is the definition; MNIST_LOSS_KERNELS=reference runs it instead.
import * as path from 'node:path';
import { ExitCode, MnistLossError, printable, usageError } from '../errors';
import { readKernelBinary } from '../io/kernelFile';

/** The environment variable that selects the path: unset (or "wasm") the kernels, "reference" the nn/ code. */
export const KERNELS_ENV = 'MNIST_LOSS_KERNELS';

export type KernelPath = 'wasm' | 'reference';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Which path the forward pass and the SGD step take: MNIST_LOSS_KERNELS read from `env`. By default that is
 * the process environment — the one read of it outside cli/ (architecture.test.ts allows exactly this line),
 * because worker threads and library callers must see the switch too, and they share the environment, not
 * the CLI's options. Any value but "", "wasm" or "reference" is a usage error (exit 2): a misspelt
 * "reference" must not silently run the kernels.
 */
export function kernelPath(env: Environment = process.env): KernelPath {
  const value = env[KERNELS_ENV];
  if (value === undefined || value === '' || value === 'wasm') return 'wasm';
  if (value === 'reference') return 'reference';
  throw usageError(
    `${KERNELS_ENV}="${printable(value)}": expected "wasm" (the default) or "reference"`,
    `unset ${KERNELS_ENV} to use the WebAssembly kernels, or set ${KERNELS_ENV}=reference for the plain reference code`,
  );
}

/** True unless MNIST_LOSS_KERNELS=reference: see kernelPath. */
export function kernelsEnabled(env?: Environment): boolean {
  return kernelPath(env) === 'wasm';
}

/** Bytes per layer in forwardImages' table: six int32 — W, b, z, z of the layer before, in, out. */
export const LAYER_TABLE_BYTES = 24;

/** mlp.wat's functions; addresses are byte offsets into the arena, counts are element counts. */
export interface MlpKernels {
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

const EXPORTS: readonly (keyof MlpKernels)[] = ['exp', 'accumulateRow', 'accumulateDense', 'gatherPixels', 'gatherNonzero', 'biasActivate', 'biasSigmoid', 'forwardImages'];

/** Where an arena's arrays go: byte offsets, each array 8-byte aligned (the float64 and v128 loads). */
export class ArenaLayout {
  bytes = 0;
  /** Reserves `count` elements of `elementBytes` bytes; returns their byte offset. */
  take(count: number, elementBytes: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil((count * elementBytes) / 8) * 8;
    return at;
  }
}

/** One WebAssembly memory with a module's kernels instantiated over it; views take byte offsets from an ArenaLayout. */
export interface Arena<K> {
  readonly kernels: K;
  /** The memory's bytes (fixed size: the kernels never grow it, so views stay valid). */
  readonly buffer: ArrayBuffer;
  f64(at: number, count: number): Float64Array;
  f32(at: number, count: number): Float32Array;
  i32(at: number, count: number): Int32Array;
  u8(at: number, count: number): Uint8Array;
}

/** The MLP kernels' arena. */
export type KernelArena = Arena<MlpKernels>;

/** The part of the WebAssembly JS API used here (tsconfig's lib is es2022, which does not declare it). */
interface WasmApi {
  Module: { new (bytes: Uint8Array): object; exports(module: object): { readonly name: string }[] };
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}

/** Beside the compiled loader (dist/src/kernels/), or the build output when tests run this file from src/kernels/. */
const candidates = (file: string): string[] => [path.join(__dirname, file), path.join(__dirname, '..', '..', 'dist', 'src', 'kernels', file)];
const REBUILD = `rebuild with \`npm run build\` (or reinstall mnist-loss); ${KERNELS_ENV}=reference runs without the kernels`;

/** A kernel that cannot be loaded is a broken install: exit 1 with a hint, never a silent fallback. */
const kernelError = (message: string): MnistLossError => new MnistLossError(message, ExitCode.Internal, REBUILD);

function wasmApi(): WasmApi {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) throw kernelError('this JavaScript runtime has no WebAssembly (Node runs with --jitless?)');
  return api;
}

/** Compiles kernel bytes (from `file`, for messages); anything that is not a valid SIMD module with mlp.wat's exports throws. */
export function compileKernels(bytes: Uint8Array, file: string): object {
  return compileModule(bytes, file, EXPORTS, 'mlp.wat');
}

/** Compiles a kernel module and checks that it exports `exports` (source names the .wat, for the message). */
function compileModule(bytes: Uint8Array, file: string, exports: readonly string[], source: string): object {
  const api = wasmApi();
  let module: object;
  try {
    module = new api.Module(bytes);
  } catch (e) {
    throw kernelError(`kernel file ${printable(file)} does not compile: ${printable((e as Error).message)}`);
  }
  const exported = new Set(api.Module.exports(module).map((e) => e.name));
  const missing = exports.filter((name) => !exported.has(name));
  if (missing.length > 0) throw kernelError(`kernel file ${printable(file)} lacks ${missing.join(', ')}: it was built from another ${source}`);
  return module;
}

/** Compiled modules by .wasm name, once per thread, on first use: start-up time matters to a CLI. */
const compiled = new Map<string, object>();

/** Reads and compiles `file` (e.g. convnet.wasm) once per thread; throws when it is missing or lacks `exports`. */
function loadModule(file: string, exports: readonly string[]): object {
  const known = compiled.get(file);
  if (known !== undefined) return known;
  const places = candidates(file);
  const binary = readKernelBinary(places);
  if (binary === null) throw kernelError(`WebAssembly kernels not built: ${printable(places[0])} is missing`);
  const module = compileModule(binary.bytes, binary.file, exports, file.replace(/\.wasm$/, '.wat'));
  compiled.set(file, module);
  return module;
}

/** Reads and compiles mlp.wasm now (a worker thread does this while it waits for work); throws when it cannot. */
export function loadKernels(): object {
  return loadModule('mlp.wasm', EXPORTS);
}

/** The MLP kernels over a fresh memory of at least `bytes` bytes (zeroed). Throws when the kernels cannot load. */
export function createArena(bytes: number, module: object = loadKernels()): KernelArena {
  return instantiate<MlpKernels>(bytes, module, EXPORTS);
}

/** A module's kernels over a fresh zeroed memory of at least `bytes` bytes, with views into it. */
function instantiate<K>(bytes: number, module: object, exports: readonly (keyof K & string)[]): Arena<K> {
  const api = wasmApi();
  const memory = new api.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const instance = new api.Instance(module, { env: { memory } });
  const kernels = Object.fromEntries(exports.map((name) => [name, instance.exports[name]])) as unknown as K;
  const buffer = memory.buffer;
  return {
    kernels,
    buffer,
    f64: (at, count) => new Float64Array(buffer, at, count),
    f32: (at, count) => new Float32Array(buffer, at, count),
    i32: (at, count) => new Int32Array(buffer, at, count),
    u8: (at, count) => new Uint8Array(buffer, at, count),
  };
}

/** convnet.wat's functions (see its comments for the shapes); addresses are byte offsets into the arena. */
export interface ConvnetKernels {
  pixels(src: number, C: number, HW: number, Cp: number, table: number, dst: number): void;
  padCopy(src: number, H: number, W: number, Cp: number, pad: number, dst: number): void;
  convScatter(x: number, H: number, W: number, C: number, Cp: number, Wt: number, FH: number, FW: number, FNp: number, stride: number, pad: number, bias: number, out: number, OH: number, OW: number): void;
  convDirect(x: number, Wp: number, Cp: number, Wt: number, FH: number, FW: number, FNp: number, stride: number, bias: number, relu: number, out: number, OH: number, OW: number): void;
  pool(x: number, H: number, W: number, Cp: number, PH: number, PW: number, stride: number, pad: number, mode: number, countIncludePad: number, out: number, OH: number, OW: number): void;
  affine(x: number, B: number, D: number, xStride: number, Wt: number, Mp: number, bias: number, relu: number, out: number, outStride: number): void;
  relu(x: number, n: number): void;
  scaleShift(x: number, n: number, scale: number, shift: number): void;
  scale(x: number, n: number, s: number): void;
}

const CONVNET_EXPORTS: readonly (keyof ConvnetKernels)[] = ['pixels', 'padCopy', 'convScatter', 'convDirect', 'pool', 'affine', 'relu', 'scaleShift', 'scale'];

/** Reads and compiles convnet.wasm now (once per thread); throws when it cannot. */
export function loadConvnetKernels(): object {
  return loadModule('convnet.wasm', CONVNET_EXPORTS);
}

/** The convnet kernels over a fresh zeroed memory of at least `bytes` bytes. Throws when the kernels cannot load. */
export function createConvnetArena(bytes: number, module: object = loadConvnetKernels()): Arena<ConvnetKernels> {
  return instantiate<ConvnetKernels>(bytes, module, CONVNET_EXPORTS);
}
