// `mnist-loss train --arch / --layers` end to end (spawns the built CLI). One run on the real MNIST train split
// follows numpy's first 3 Adam steps of the book's ch07 train_convnet.py (goldens: __tests__/fixtures/train/
// convnet-train-goldens.json, section simpleAdam, from make_convnet_train_goldens.py:
//   np.random.seed(42); SimpleConvNet(weight_init_std=0.01); 3 x [mask = np.random.choice(60000, 100);
//   grads = network.gradient(x[mask], t[mask]); Adam(lr=0.001).update(params, grads)]);
// the rest run on tiny IDX fixtures: the model file that eval reads, image sizes other than 28x28, flag errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectAllClose } from '../helpers/allClose';
import { fixtureSplit, makeTempDir, removeDir, writeFixtureDir, writeSplit } from '../helpers/idxFixture';
import { readModel } from '../../src/io/modelFile';
import { expectUserError, requireBuiltCli, runCli } from '../helpers/cli';

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/train/convnet-train-goldens.json'), 'utf8'));

let fixture: ReturnType<typeof writeFixtureDir>;
let tmp: string;
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12);
  tmp = makeTempDir();
});
afterAll(() => { removeDir(fixture.dir); removeDir(tmp); });

/** A golden tensor's values at its positions (all, or every STRIDE-th). */
function atGolden(data: ArrayLike<number>, g: { values?: number[]; sample?: number[] }): number[] {
  const ref = g.values ?? g.sample!;
  const step = g.values ? 1 : golden.stride;
  return ref.map((_, i) => data[i * step]);
}

describe('train --arch simple-convnet on the real MNIST train split', () => {
  it("follows numpy's first 3 Adam steps of train_convnet.py (seed 42) and writes the weights with arch and layers", () => {
    const out = path.join(tmp, 'convnet.safetensors');
    const r = runCli(['train', '--arch', 'simple-convnet', '--iterations', '3', '--seed', '42', '--json', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [epoch, summary] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const G = golden.simpleAdam;
    // numpy's batch losses before each step: 2.3027228656190757, 2.3009588190836716, 2.3001222646514154
    expect(epoch).toMatchObject({ type: 'epoch', epoch: 3 / 600, iteration: 3 });
    expect(epoch.batchCee).toBeCloseTo((G.tool.loss[0] + G.tool.loss[1] + G.tool.loss[2]) / 3, 9);
    expect(summary).toMatchObject({ arch: 'simple-convnet', layers: 'conv30x5-relu-pool2-affine100-relu-affine10', optimizer: 'adam', parameters: 433890, lr: 0.001, init: 'std 0.01', iterations: 3 });
    expect(summary.command).toBe('mnist-loss train --arch simple-convnet --optimizer adam --init-std 0.01 --batch-size 100 --lr 0.001 --iterations 3 --seed 42');
    const model = readModel(out);
    expect(model.metadata).toMatchObject({ arch: 'simple-convnet', layers: 'conv30x5-relu-pool2-affine100-relu-affine10', activation: 'relu', optimizer: 'adam', command: summary.command });
    expect(model.architecture.recognised).toBe('book-ch07-simple-convnet');
    for (const [name, g] of Object.entries(G.tool.params) as [string, { shape: number[]; values?: number[]; sample?: number[] }][]) {
      const t = model.tensors.get(name)!;
      expect(t.shape).toEqual(g.shape);
      // numpy at the tool's precision: measured the same bits (allowed: 1e-6 relative)
      expectAllClose(atGolden(t.data, g), g.values ?? g.sample!, 1e-12, 1e-6);
      // the book's float64 code as it is: measured max |diff| 1.2e-8 (W3, |W| ~ 0.03: a few float32 ulps)
      expectAllClose(atGolden(t.data, G.book.params[name]), G.book.params[name].values ?? G.book.params[name].sample, 3e-8);
    }
  });
});

describe('train --layers on fixture data (30 train, 12 test images)', () => {
  const SPEC = 'conv4x3s2p1-tanh-conv6x3p1-relu-pool2-affine12-sigmoid-affine10';

  it('prints the spec and optimizer, writes a model that eval reads and scores as the last epoch did', () => {
    const out = path.join(tmp, 'spec.safetensors');
    const r = runCli(['train', '--data', fixture.dir, '--layers', SPEC, '--optimizer', 'sgd', '--init', 'he', '--batch-size', '10', '--epochs', '2', '--out', out], { COLUMNS: '200' }); // wide: whole lines are checked
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`train ${SPEC} · sgd · init he · batch 10 · lr 0.1 · seed 42 · 2 epochs × 3 iterations`);
    expect(lines[2]).toMatch(/each before its SGD step/);
    expect(lines[6]).toBe(`wrote ${out} (${SPEC}, 3932 float32 parameters)`); // 36+4 + 216+6 + 294·12+12 + 120+10
    const json = runCli(['train', '--data', fixture.dir, '--layers', SPEC, '--optimizer', 'sgd', '--init', 'he', '--batch-size', '10', '--epochs', '2', '--json', '--out', out]);
    const last = json.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'epoch').pop();
    const e = runCli(['eval', '--model', out, '--data', fixture.dir, '--json']);
    expect(e.status).toBe(0);
    const scored = JSON.parse(e.stdout);
    expect(scored).toMatchObject({ recognised: 'spec', activation: 'tanh', activationFrom: 'file', n: 12 });
    expect(scored.accuracy).toBe(last.testAccuracy);
    expect(scored.cee).toBeCloseTo(last.testCee, 12);
  });

  it('trains on images of another size when the layers fit them (20x20: conv 5x5 -> 16x16, pool 2 -> 8x8)', () => {
    const dir = makeTempDir();
    try {
      writeSplit(dir, 'train', fixtureSplit(20, 20, 20));
      writeSplit(dir, 'test', fixtureSplit(5, 20, 20, 1));
      const r = runCli(['train', '--data', dir, '--arch', 'simple-convnet', '--batch-size', '5', '--iterations', '2', '--json']);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ parameters: 30 * 25 + 30 + 1920 * 100 + 100 + 1010 });
      // 28x28: 24, 12, 8, 4, then 3x3 -> 2 fits; 20x20: 16, 8, 4, 2, and a 3x3 filter does not fit 2x2
      expectUserError(runCli(['train', '--data', dir, '--layers', 'conv8x5-pool2-conv8x5-pool2-conv8x3-affine10', '--batch-size', '5', '--iterations', '1']), 2,
        /^mnist-loss: --layers conv8x5-pool2-conv8x5-pool2-conv8x3-affine10: layer 5 'conv8x3': a 3x3 filter with pad 0 does not fit its 2x2 input \(the data's images are 20x20\)$/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('train --arch / --layers flag errors (exit 2, one message and a hint)', () => {
  const cases: [string, string[], RegExp][] = [
    ['a misspelt layer', ['--layers', 'conv30x5-relu-pool2-affin100-relu-affine10'], /--layers conv30x5-relu-pool2-affin100-relu-affine10: layer 4 'affin100': not a layer/],
    ['no affine10 at the end', ['--layers', 'conv8x5-relu'], /layer 2 'relu': the last layer must be affine10/],
    ['an empty --layers', ['--layers', ''], /expected a value, found an empty string/],
    ['an unknown --arch', ['--arch', 'lenet'], /Allowed choices are simple-convnet/],
    ['--arch with --layers', ['--arch', 'simple-convnet', '--layers', 'affine10'], /both set the network/],
    ['--arch with --hidden', ['--arch', 'simple-convnet', '--hidden', '50'], /--hidden sets the fully connected network/],
    ['--optimizer adam for the MLP', ['--optimizer', 'adam'], /--optimizer adam trains a layer network/],
    ['an unknown optimizer', ['--arch', 'simple-convnet', '--optimizer', 'rmsprop'], /Allowed choices are sgd, adam/],
  ];
  it.each(cases)('%s', (_, args, message) => expectUserError(runCli(['train', '--data', '/nonexistent', ...args]), 2, message));
});
