// The fast forward pass against the reference: predict() + losses.ts on a gathered float32 batch (the book's
// arithmetic), its JS loops against their WebAssembly twins bit for bit, and the WebAssembly exp against
// V8's Math.exp bit for bit. Runs on the first 300 real test images with the book's ch03 weights.
import * as path from 'node:path';
import { gatherBatch } from '../../../src/data/batch';
import { loadSplit } from '../../../src/data/mnist';
import type { MnistSplit } from '../../../src/data/types';
import { readModel } from '../../../src/io/modelFile';
import { createForward, forwardLosses, forwardProbabilities } from '../../../src/nn/fastForward';
import { countCorrect, crossEntropyErrorMean, sumSquaredErrorMean } from '../../../src/nn/losses';
import { predict, type Network } from '../../../src/nn/network';
import { createWasmKernel, MODULE_BASE64 } from '../../../src/nn/wasmKernel';
import { moduleBytes } from '../../../src/nn/wasmKernelSource';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const N = 300;

let split: MnistSplit;
let book: Network;
beforeAll(() => {
  split = loadSplit({ source: 'idx', env: {} }, 'test');
  book = readModel(path.join(FIXTURES, 'book-ch03.safetensors')).net;
});

const sameBits = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** A small deterministic generator for test inputs (not the data path: no Math.random anywhere). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

describe('forwardLosses equals predict() + losses.ts on the same images', () => {
  for (const activation of ['sigmoid', 'relu'] as const) {
    it(`${activation}: the same y bits per image, the same SSE, CEE and correct count (first ${N} test images)`, () => {
      const net: Network = { ...book, activation };
      const indices = Uint32Array.from({ length: N }, (_, i) => i);
      const { x, t } = gatherBatch(split, indices);
      const y = predict(net, x); // the reference: x = f32(p/255), float64 dot products, float32 per layer
      for (const wasm of [true, false]) {
        for (let i = 0; i < N; i += 37) expect(Array.from(forwardProbabilities(net, split.pixels, i, { wasm }))).toEqual(Array.from(y.data.subarray(i * 10, i * 10 + 10)));
        const losses = forwardLosses(net, split, null, 0, N, { wasm });
        const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
        // per-image sums reduced in image order vs one running sum: equal to ~1e-16, far inside 1e-6
        expect(Math.abs(mean(losses.sse) - sumSquaredErrorMean(y, t))).toBeLessThan(1e-12);
        expect(Math.abs(mean(losses.cee) - crossEntropyErrorMean(y, t))).toBeLessThan(1e-12);
        expect(losses.predicted.reduce((c, p, i) => c + (p === t[i] ? 1 : 0), 0)).toBe(countCorrect(y, t));
      }
    });
  }

  it('the WebAssembly and JS paths give identical per-image values, with indices and offsets', () => {
    const indices = Uint32Array.from([9999, 0, 17, 17, 4242, 123, 5000, 1]);
    const js = forwardLosses(book, split, indices, 2, 8, { wasm: false });
    const out = { sse: new Float64Array(9), cee: new Float64Array(9), predicted: new Uint8Array(9) };
    createForward(book).lossesInto(split, indices, 2, 8, out, 3);
    expect(Array.from(out.sse.subarray(3))).toEqual(Array.from(js.sse));
    expect(Array.from(out.cee.subarray(3))).toEqual(Array.from(js.cee));
    expect(Array.from(out.predicted.subarray(3))).toEqual(Array.from(js.predicted));
    expect(Array.from(out.sse.subarray(0, 3))).toEqual([0, 0, 0]); // nothing written before the offset
    // image 17 twice: the same values both times
    expect(js.sse[0]).toBe(js.sse[1]);
  });

  it('an image of all zeros gives y = softmax(the network of the biases alone)', () => {
    const pixels = new Uint8Array(784);
    const y = forwardProbabilities(book, pixels, 0);
    const reference = predict(book, { rows: 1, cols: 784, data: new Float32Array(784) });
    expect(Array.from(y)).toEqual(Array.from(reference.data));
  });
});

describe('the WebAssembly kernel', () => {
  const kernel = createWasmKernel(1 << 20);

  it('is available on Node 20 (SIMD) and the stored module is the one wasmKernelSource.ts writes out', () => {
    expect(kernel).not.toBeNull();
    const fresh = Buffer.from(moduleBytes()).toString('base64');
    if (fresh !== MODULE_BASE64) throw new Error(`wasmKernelSource.ts changed: set MODULE_BASE64 in src/nn/wasmKernel.ts to\n'${fresh}'`);
  });

  it('exp equals Math.exp bit for bit: every branch of fdlibm, and 300,000 values', () => {
    const k = kernel!;
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
    const k = kernel!;
    // memory: image at 0 (≤ 200 bytes), scale[256] float64 at 256, xs at 4096 (float64), rowOffsets at 8192 (int32)
    const scale = new Float64Array(k.memory.buffer, 256, 256);
    scale.set(Float64Array.from({ length: 256 }, (_, p) => Math.fround(p / 255)));
    const bytes = new Uint8Array(k.memory.buffer, 0, 200);
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
        expect(Array.from(new Int32Array(k.memory.buffer, 8192, m))).toEqual(nonzero.map((i) => i * out));
        expect(Array.from(new Float64Array(k.memory.buffer, 4096, m))).toEqual(nonzero.map((i) => Math.fround(image[i] / 255)));
      }
    }
  });

  it('biasSigmoid (f64x2 exp) and biasActivate equal the JS formulas, special lanes included', () => {
    const k = kernel!;
    const cap = 1024;
    const z = new Float64Array(k.memory.buffer, 0, cap);
    const b = new Float32Array(k.memory.buffer, cap * 8, cap);
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
