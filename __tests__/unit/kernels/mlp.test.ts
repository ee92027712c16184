// Each kernel of src/kernels/mlp.wat against its definition — V8's Math.exp, the JS formula of predict()'s
// bias + activation, the plain loop of a row of x @ W — bit for bit, on edge widths and special values; and
// the loader: a missing or broken mlp.wasm is an error (exit 1 with a hint), never a silent fallback.
import * as path from 'node:path';
import { MnistLossError } from '../../../src/errors';
import { ArenaLayout, compileKernels, createArena, kernelPath, loadKernels } from '../../../src/kernels';

const sameBits = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** A small deterministic generator for test inputs (not the data path: no Math.random anywhere). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

describe('the kernels of mlp.wat, one by one', () => {
  const arena = createArena(1 << 20);
  const kernel = arena.kernels;
  const memory = { buffer: arena.buffer };

  it('exp equals Math.exp bit for bit: every branch of fdlibm, and 300,000 values', () => {
    const k = kernel;
    const specials = [0, -0, 1, -1, 0.5, -0.5, 2 ** -28, -(2 ** -28), 2 ** -29, 0.34657359027997264, 0.3465735902799727, 1.0397207708399179,
      -1.0397207708399179, 708, -708, 709.78, 709.79, 710, -745.13, -745.14, -746, Infinity, -Infinity, NaN, 1024 * Math.LN2, -1021 * Math.LN2, -1030 * Math.LN2];
    for (const x of specials) expect(sameBits(k.exp(x), Math.exp(x))).toBe(true);
    const rnd = lcg(1);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    let mismatches = 0;
    for (let i = 0; i < 300_000; i++) {
      let x: number;
      if (i % 3 === 2) {
        words[0] = rnd() * 2 ** 32;
        words[1] = rnd() * 2 ** 32; // any bit pattern: subnormals, huge, NaN payloads
        x = bits[0];
      } else x = (rnd() * 2 - 1) * [800, 40, 2, 1e-6][i % 4];
      if (!sameBits(k.exp(x), Math.exp(x))) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('gatherPixels lists the nonzero pixels in pixel order, for any D (16-pixel SIMD blocks and a scalar tail)', () => {
    const k = kernel;
    // memory: image at 0 (≤ 200 bytes), scale[256] float64 at 256, xs at 4096 (float64), rowOffsets at 8192 (int32)
    const scale = new Float64Array(memory.buffer, 256, 256);
    scale.set(Float64Array.from({ length: 256 }, (_, p) => Math.fround(p / 255)));
    const bytes = new Uint8Array(memory.buffer, 0, 200);
    const rnd = lcg(3);
    for (const D of [1, 15, 16, 17, 31, 32, 33, 37, 64, 199]) {
      for (const density of [0, 0.05, 0.5, 1]) {
        const image = Uint8Array.from({ length: D }, () => (rnd() < density ? 1 + Math.floor(rnd() * 255) : 0)); // 128..255 included
        bytes.fill(7); // bytes past D must not be read
        bytes.set(image);
        const out = 3;
        const m = k.gatherPixels(0, D, out, 256, 4096, 8192);
        // expected, by the definition: every k with image[k] != 0, ascending: x = f32(p/255), row offset k · out
        const nonzero = Array.from(image.keys()).filter((i) => image[i] !== 0);
        expect(m).toBe(nonzero.length);
        expect(Array.from(new Int32Array(memory.buffer, 8192, m))).toEqual(nonzero.map((i) => i * out));
        expect(Array.from(new Float64Array(memory.buffer, 4096, m))).toEqual(nonzero.map((i) => Math.fround(image[i] / 255)));
      }
    }
  });

  it('biasSigmoid (f64x2 exp) and biasActivate equal the JS formulas, special lanes included', () => {
    const k = kernel;
    const cap = 1024;
    const z = new Float64Array(memory.buffer, 0, cap);
    const b = new Float32Array(memory.buffer, cap * 8, cap);
    const specials = [0, -0, 1, -1, 2 ** -30, 708, -708, 709.5, -709.5, 1e10, Infinity, -Infinity, NaN, 0.3465736, 1.0397208, 88, -88];
    const rnd = lcg(2);
    for (let rep = 0; rep < 60; rep++) {
      const out = 1 + Math.floor(rnd() * (cap - 1)); // odd and even widths
      const zs = Float64Array.from({ length: out }, () => (rnd() < 0.1 ? specials[Math.floor(rnd() * specials.length)] : (rnd() * 2 - 1) * [4, 40, 800][rep % 3]));
      const bs = Float32Array.from({ length: out }, () => (rnd() < 0.2 ? 0 : (rnd() * 2 - 1) * 30));
      for (const act of [1, 2, 0]) {
        z.set(zs);
        b.set(bs);
        if (act === 1 && rep % 2 === 0) k.biasSigmoid(0, cap * 8, out);
        else k.biasActivate(0, cap * 8, out, act);
        for (let j = 0; j < out; j++) {
          const a = Math.fround(Math.fround(zs[j]) + bs[j]);
          const expected = act === 1 ? Math.fround(1 / (1 + Math.exp(-a))) : act === 2 && !(a > 0) && a === a ? 0 : a;
          if (!sameBits(z[j], expected)) throw new Error(`act ${act}: z=${zs[j]} b=${bs[j]}: got ${z[j]}, expected ${expected}`);
        }
      }
    }
  });
});

describe('accumulateRow, accumulateDense and gatherNonzero equal the plain loops of a row of x @ W', () => {
  const arena = createArena(1 << 20);
  const k = arena.kernels;
  const rnd = lcg(4);
  // layout: W [in, out] float64, z [in] float64, a [out] float64, xs [in] float64, rowOffsets [in] int32
  const layout = new ArenaLayout();
  const IN = 40, OUT = 33;
  const at = { W: layout.take(IN * OUT, 8), z: layout.take(IN, 8), a: layout.take(OUT, 8), xs: layout.take(IN, 8), rowOffsets: layout.take(IN, 4) };

  it('for every width 1..33 (the ten-, two- and one-output blocks) and inputs with zeros, ±0 and NaN', () => {
    for (let out = 1; out <= OUT; out++) {
      for (const n of [0, 1, 7, IN]) {
        const W = Float64Array.from({ length: n * out }, () => Math.fround((rnd() * 2 - 1) * 3));
        const z = Float64Array.from({ length: n }, () => { const r = rnd(); return r < 0.3 ? 0 : r < 0.35 ? -0 : r < 0.37 ? NaN : Math.fround(rnd() * 5); });
        arena.f64(at.W, n * out).set(W);
        arena.f64(at.z, n).set(z);
        // the definition: a[j] = Σ_k z[k] · W[k, j] from +0 in k order (tensor.ts's matmul), skipping z_k = ±0
        const expected = Array.from({ length: out }, (_, j) => { let s = 0; for (let q = 0; q < n; q++) if (z[q] !== 0) s += z[q] * W[q * out + j]; return s; });
        const m = k.gatherNonzero(at.z, n, out, at.xs, at.rowOffsets);
        const nonzero = Array.from(z.keys()).filter((q) => z[q] !== 0);
        expect(m).toBe(nonzero.length);
        expect(Array.from(arena.i32(at.rowOffsets, m))).toEqual(nonzero.map((q) => q * out));
        k.accumulateRow(at.W, out, at.xs, at.rowOffsets, m, at.a);
        Array.from(arena.f64(at.a, out)).forEach((v, j) => expect(sameBits(v, expected[j])).toBe(true));
        // accumulateDense sums the zeros too: the same bits (adding a ±0 product to a sum from +0 changes nothing)
        arena.f64(at.a, out).fill(7);
        k.accumulateDense(at.W, out, at.z, 0, n, at.a);
        Array.from(arena.f64(at.a, out)).forEach((v, j) => expect(sameBits(v, expected[j])).toBe(true));
      }
    }
  });
});

describe('the loader', () => {
  it('builds mlp.wasm into dist/src/kernels (npm run build) and loads it once per thread', () => {
    expect(loadKernels()).toBe(loadKernels());
  });

  it('bytes that are not WebAssembly are an error with a hint to rebuild, exit 1', () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff), new TextEncoder().encode('(module)')]) {
      let error: unknown;
      try { compileKernels(bytes, '/x/mlp.wasm'); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(MnistLossError);
      expect((error as MnistLossError).exitCode).toBe(1);
      expect((error as MnistLossError).message).toMatch(/^kernel file \/x\/mlp\.wasm does not compile: /);
      expect((error as MnistLossError).hint).toMatch(/npm run build.*MNIST_LOSS_KERNELS=reference/);
    }
  });

  it('a valid module without the kernels (a stale or foreign build) is an error naming what it lacks', () => {
    const empty = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0); // the empty module: header only
    expect(() => compileKernels(empty, 'mlp.wasm')).toThrow(/^kernel file mlp\.wasm lacks exp, accumulateRow, .*forwardImages: it was built from another mlp\.wat$/);
  });

  it('kernelPath reads MNIST_LOSS_KERNELS from the environment it is given', () => {
    expect(kernelPath({})).toBe('wasm');
    expect(kernelPath({ MNIST_LOSS_KERNELS: '' })).toBe('wasm');
    expect(kernelPath({ MNIST_LOSS_KERNELS: 'wasm' })).toBe('wasm');
    expect(kernelPath({ MNIST_LOSS_KERNELS: 'reference' })).toBe('reference');
    expect(() => kernelPath({ MNIST_LOSS_KERNELS: 'ref\nerence' })).toThrow('MNIST_LOSS_KERNELS="ref\\nerence": expected "wasm" (the default) or "reference"');
  });
});

/** Loads fastForward / sgdKernel afresh with io/kernelFile.ts replaced: what a run sees with a damaged install. */
function withKernelFile(binary: { file: string; bytes: Uint8Array } | null, run: (m: { fastForward: typeof import('../../../src/nn/fastForward'); sgd: typeof import('../../../src/nn/sgdKernel'); init: typeof import('../../../src/nn/init'); rng: typeof import('../../../src/rng/mt19937') }) => void): void {
  jest.isolateModules(() => {
    jest.doMock('../../../src/io/kernelFile', () => ({ readKernelBinary: () => binary }));
    run({ fastForward: require('../../../src/nn/fastForward'), sgd: require('../../../src/nn/sgdKernel'), init: require('../../../src/nn/init'), rng: require('../../../src/rng/mt19937') });
  });
  jest.dontMock('../../../src/io/kernelFile');
}

describe('a broken or missing mlp.wasm is an error in eval and train, not a fallback', () => {
  const saved = process.env.MNIST_LOSS_KERNELS;
  afterEach(() => { if (saved === undefined) delete process.env.MNIST_LOSS_KERNELS; else process.env.MNIST_LOSS_KERNELS = saved; });
  const broken = { file: path.join('dist', 'src', 'kernels', 'mlp.wasm'), bytes: Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 99) };

  for (const [what, binary, message] of [['broken', broken, /does not compile/], ['missing', null, /^WebAssembly kernels not built: .*mlp\.wasm is missing$/]] as const) {
    it(`${what}: createForward and createSgdKernel throw; MNIST_LOSS_KERNELS=reference still runs`, () => {
      delete process.env.MNIST_LOSS_KERNELS;
      withKernelFile(binary, ({ fastForward, sgd, init, rng }) => {
        const net = init.initNetwork(new rng.Mt19937(0), [784, 5, 10], 'relu', { kind: 'he' });
        const pixels = new Uint8Array(784), labels = new Uint8Array(1);
        expect(() => fastForward.forwardLosses(net, { pixels, labels }, null, 0, 1)).toThrow(message);
        expect(() => fastForward.warmUp()).toThrow(message);
        expect(() => sgd.createSgdKernel(net, 2)).toThrow(message);
        process.env.MNIST_LOSS_KERNELS = 'reference';
        expect(fastForward.forwardLosses(net, { pixels, labels }, null, 0, 1).cee).toHaveLength(1);
        expect(sgd.createSgdKernel(net, 2)).toBeNull(); // train.ts then steps with backprop.ts
        expect(() => fastForward.warmUp()).not.toThrow();
      });
    });
  }
});
