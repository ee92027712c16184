// writeModel / readModel for a layer network (train --arch / --layers): the tensors and a "layers" spec in the
// metadata (beside "arch"), rebuilt by recogniseArchitecture's fromSpec to the same network; what a bad file does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { userErrorOf } from '../../helpers/cli';
import { makeTempDir, removeDir } from '../../helpers/idxFixture';
import { ExitCode } from '../../../src/errors';
import { readModel, writeModel, type SpecModel } from '../../../src/io/modelFile';
import { specArchitecture } from '../../../src/experiments/trainNetwork';
import { buildNetwork } from '../../../src/nn/buildNetwork';
import { serializeSafetensors } from '../../../src/io/safetensors';
import { recogniseArchitecture } from '../../../src/nn/architecture';
import { initLayerTensors } from '../../../src/nn/init';
import { parseLayersSpec, SIMPLE_CONVNET_SPEC, type ParsedLayers } from '../../../src/nn/layersSpec';
import { Mt19937 } from '../../../src/rng/mt19937';

const SPEC = 'conv4x3s2p1-tanh-conv6x3p1-relu-pool2-affine12-sigmoid-affine10';
const parsed = (spec: string) => parseLayersSpec(spec) as ParsedLayers;

function model(spec: string, seed = 1): SpecModel {
  const p = parsed(spec);
  // biases nonzero too, so a reader that zeroed them would be caught
  const tensors = initLayerTensors(new Mt19937(seed), p.tensors, { kind: 'std', std: 0.1 });
  for (const [name, t] of tensors) if (name.startsWith('b')) t.data.forEach((_, i) => { t.data[i] = 0.01 * (i + 1); });
  return { arch: spec === SIMPLE_CONVNET_SPEC ? 'simple-convnet' : 'layers', layers: p.canonical, tensors, activation: p.activation };
}

let tmp: string;
beforeAll(() => { tmp = makeTempDir(); });
afterAll(() => removeDir(tmp));

describe('writeModel + readModel of a layer network', () => {
  it('reads back the same tensors, the spec as its layers, and predicts as the network written', () => {
    const m = model(SPEC);
    const file = path.join(tmp, 'spec.safetensors');
    writeModel(file, m, { seed: '1', command: 'mnist-loss train ...' });
    const back = readModel(file);
    expect(back.metadata).toMatchObject({ arch: 'layers', layers: SPEC, activation: 'tanh', seed: '1', command: 'mnist-loss train ...' });
    expect(back.architecture).toMatchObject({ recognised: 'spec', inputShape: [1, 28, 28], activation: 'tanh', activationFrom: 'file' });
    expect(back.architecture.layers).toEqual(parsed(SPEC).layers);
    expect(back.mlp).toBeNull();
    for (const [name, t] of m.tensors) expect(back.tensors.get(name)!.data).toEqual(t.data);
    expect(back.network.parameters().map((p) => p.name)).toEqual([...m.tensors.keys()]);
    // the same network: probabilities of two images equal those of the network the tensors were written from
    const pixels = Uint8Array.from({ length: 2 * 784 }, (_, i) => (i * 7) % 256);
    const written = buildNetwork(specArchitecture(parsed(SPEC)), m.tensors, 'written');
    expect(back.network.predict(pixels, 2).data).toEqual(written.predict(pixels, 2).data);
  });

  it("the book's SimpleConvNet spec reads back as it (recognised by its spec)", () => {
    const file = path.join(tmp, 'simple.safetensors');
    writeModel(file, model(SIMPLE_CONVNET_SPEC));
    const back = readModel(file);
    expect(back.metadata).toMatchObject({ arch: 'simple-convnet', layers: SIMPLE_CONVNET_SPEC, activation: 'relu' });
    expect(back.architecture.recognised).toBe('book-ch07-simple-convnet');
  });

  it('an MLP spec gets the dense view (the MLP fast paths), and --activation replaces every activation', () => {
    const file = path.join(tmp, 'mlp.safetensors');
    writeModel(file, model('affine20-sigmoid-affine10'));
    expect(readModel(file).mlp?.activation).toBe('sigmoid');
    const flagged = readModel(file, { activation: 'relu' });
    expect(flagged.architecture.layers.map((l) => l.kind)).toEqual(['affine', 'relu', 'affine', 'softmax']);
    expect(flagged.activationFrom).toBe('flag');
  });

  it('refuses non-finite weights before writing anything (exit 3)', () => {
    const m = model(SPEC);
    m.tensors.get('W2')!.data[5] = NaN;
    const file = path.join(tmp, 'nan.safetensors');
    const e = userErrorOf(() => writeModel(file, m), ExitCode.Data);
    expect(e.message).toMatch(/W2 holds a non-finite value: W2\[5\]/);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('reading a "layers" spec from a file (exit 3 naming the problem)', () => {
  const write = (name: string, tensors: SpecModel['tensors'], meta: Record<string, string>) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, serializeSafetensors(tensors, meta));
    return file;
  };

  it('a tensor of another shape than the spec says', () => {
    const { tensors } = model(SPEC);
    const file = write('shape.safetensors', tensors, { arch: 'layers', layers: 'conv5x3s2p1-tanh-conv6x3p1-relu-pool2-affine12-sigmoid-affine10' });
    expect(userErrorOf(() => readModel(file)).message).toMatch(/W1 should have shape \[5, 1, 3, 3\] for the layers .*, found \[4, 1, 3, 3\]/);
  });

  it('missing or unexpected tensors', () => {
    const { tensors } = model(SPEC);
    const file = write('names.safetensors', tensors, { arch: 'layers', layers: 'conv4x3s2p1-tanh-conv6x3p1-relu-pool2-affine10' });
    expect(userErrorOf(() => readModel(file)).message).toMatch(/needs tensors W1, b1, W2, b2, W3, b3; unexpected W4, b4/);
  });

  it('a spec that is not one (the token named, made printable)', () => {
    const { tensors } = model(SPEC);
    const file = write('bad.safetensors', tensors, { arch: 'layers', layers: 'conv4x3-\u001b[31mrelu-affine10' });
    const e = userErrorOf(() => readModel(file));
    expect(e.message).toMatch(/metadata "layers" .* is not a network: layer 2 .*not a layer/);
    expect(e.message).not.toContain('\u001b');
  });

  it('an "arch" without "layers"', () => {
    const { tensors } = model(SPEC);
    const file = write('arch.safetensors', tensors, { arch: 'simple-convnet' });
    expect(userErrorOf(() => readModel(file)).message).toMatch(/metadata says arch "simple-convnet" but gives no "layers" spec/);
  });

  it('an MLP written by train before (its "layers" is "784-50-10", no "arch") reads as it always did', () => {
    const { tensors } = model('affine50-sigmoid-affine10');
    const file = write('old.safetensors', tensors, { activation: 'sigmoid', layers: '784-50-10', hidden: '50' });
    const back = readModel(file);
    expect(back.architecture.recognised).toBe('mlp');
    expect(back.mlp?.activation).toBe('sigmoid');
  });

  it('recogniseArchitecture without fromSpec is unchanged (the shapes decide)', () => {
    const shapes = new Map([...parsed(SIMPLE_CONVNET_SPEC).tensors]);
    expect(recogniseArchitecture(shapes, 'f').recognised).toBe('book-ch07-simple-convnet');
  });
});
