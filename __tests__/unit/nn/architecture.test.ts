// recogniseArchitecture: the book's three networks by their names and shapes (read from the real pickles in
// ../shared/fixtures, copied here), any MLP with its activation stated, and every other file refused with the
// right exit code. Shapes of the fixtures (python3: pickle.load(f) -> {k: v.shape}):
//   ch03 sample_weight.pkl: W1 (784,50) b1 (50,) W2 (50,100) b2 (100,) W3 (100,10) b3 (10,), float32
//   ch07 params.pkl: W1 (30,1,5,5) b1 (30,) W2 (4320,100) b2 (100,) W3 (100,10) b3 (10,)
//   ch08 deep_convnet_params.pkl: W1 (16,1,3,3) W2 (16,16,3,3) W3 (32,16,3,3) W4 (32,32,3,3) W5 (64,32,3,3)
//     W6 (64,64,3,3) W7 (1024,50) W8 (50,10), b_l (FN,) / (out,)
import { ExitCode } from '../../../src/errors';
import { recogniseArchitecture, type TensorShapes } from '../../../src/nn/architecture';
import { userErrorOf } from '../../helpers/cli';

const shapes = (entries: Record<string, number[]>): TensorShapes => new Map(Object.entries(entries));
const ch03 = shapes({ W1: [784, 50], b1: [50], W2: [50, 100], b2: [100], W3: [100, 10], b3: [10] });
const ch07 = shapes({ W1: [30, 1, 5, 5], b1: [30], W2: [4320, 100], b2: [100], W3: [100, 10], b3: [10] });
const ch08 = shapes({
  W1: [16, 1, 3, 3], b1: [16], W2: [16, 16, 3, 3], b2: [16], W3: [32, 16, 3, 3], b3: [32], W4: [32, 32, 3, 3], b4: [32],
  W5: [64, 32, 3, 3], b5: [64], W6: [64, 64, 3, 3], b6: [64], W7: [1024, 50], b7: [50], W8: [50, 10], b8: [10],
});
const kinds = (a: { layers: readonly { kind: string }[] }) => a.layers.map((l) => l.kind).join(' ');

describe('the book networks', () => {
  it("recognises ch03's pickle as the sigmoid 784-50-100-10 network", () => {
    const a = recogniseArchitecture(ch03, 'sample_weight.pkl', { bookPickle: true });
    expect(a.recognised).toBe('book-ch03');
    expect([a.activation, a.activationFrom]).toEqual(['sigmoid', 'recognised']);
    expect(kinds(a)).toBe('affine sigmoid affine sigmoid affine softmax');
    expect(a.inputShape).toEqual([784]);
  });

  it('recognises ch07 SimpleConvNet: conv pad 0 -> relu -> pool 2 -> affine -> relu -> affine', () => {
    const a = recogniseArchitecture(ch07, 'params.pkl');
    expect(a.recognised).toBe('book-ch07-simple-convnet');
    expect(kinds(a)).toBe('convolution relu pooling flatten affine relu affine softmax');
    expect(a.layers[0]).toEqual({ kind: 'convolution', W: 'W1', b: 'b1', stride: 1, pad: 0 });
    expect(a.layers[2]).toEqual({ kind: 'pooling', mode: 'max', size: 2, stride: 2, pad: 0 });
    expect([a.activation, a.activationFrom]).toEqual(['relu', 'recognised']);
    expect(a.inputShape).toEqual([1, 28, 28]);
  });

  it('recognises ch08 DeepConvNet: pads 1,1,1,2,1,1, pooling after every second convolution, two book dropouts', () => {
    const a = recogniseArchitecture(ch08, 'deep_convnet_params.pkl');
    expect(a.recognised).toBe('book-ch08-deep-convnet');
    const convs = a.layers.filter((l) => l.kind === 'convolution');
    expect(convs.map((l) => (l.kind === 'convolution' ? l.pad : -1))).toEqual([1, 1, 1, 2, 1, 1]);
    expect(kinds(a)).toBe(
      'convolution relu convolution relu pooling convolution relu convolution relu pooling convolution relu convolution relu pooling ' +
        'flatten affine relu dropout affine dropout softmax',
    );
    expect(a.layers.filter((l) => l.kind === 'dropout')).toEqual([
      { kind: 'dropout', ratio: 0.5, convention: 'book' },
      { kind: 'dropout', ratio: 0.5, convention: 'book' },
    ]);
  });

  it('a SimpleConvNet with other filter sizes chains through its own shapes (16 filters 3x3: 16*13*13)', () => {
    const a = recogniseArchitecture(shapes({ W1: [16, 1, 3, 3], b1: [16], W2: [16 * 13 * 13, 20], b2: [20], W3: [20, 10], b3: [10] }), 'x.npz');
    expect(a.recognised).toBe('book-ch07-simple-convnet');
  });

  it('--activation overrides what recognition implies, and says so', () => {
    const a = recogniseArchitecture(ch07, 'params.pkl', { activation: 'sigmoid' });
    expect([a.activation, a.activationFrom]).toEqual(['sigmoid', 'flag']);
    expect(a.layers.filter((l) => l.kind === 'sigmoid')).toHaveLength(2);
  });
});

describe('MLPs need their activation stated', () => {
  const mlp = shapes({ W1: [784, 16], b1: [16], W2: [16, 10], b2: [10] });

  it('refuses an MLP with hidden layers that names no activation (exit 2)', () => {
    const e = userErrorOf(() => recogniseArchitecture(mlp, 'relu-net.npz'), ExitCode.Usage);
    expect(e.message).toMatch(/names no activation for its 1 hidden layer \(784-16-10\)/);
    expect(e.hint).toBe('give the activation between the hidden layers: sigmoid, relu or tanh');
    expect(e.detail).toEqual({ code: 'model-setting', setting: 'activation', problem: 'missing' }); // the CLI says --activation
  });

  it("does not take a 784-50-100-10 npz for the book's sigmoid pickle", () => {
    userErrorOf(() => recogniseArchitecture(ch03, 'mine.npz'), ExitCode.Usage);
    userErrorOf(() => recogniseArchitecture(ch03, 'mine.pkl', { bookPickle: false }), ExitCode.Usage);
  });

  it('takes the activation from the file, then the flag over the file', () => {
    expect(recogniseArchitecture(mlp, 'm', { fromFile: 'relu' })).toMatchObject({ activation: 'relu', activationFrom: 'file' });
    expect(recogniseArchitecture(mlp, 'm', { fromFile: 'relu', activation: 'tanh' })).toMatchObject({ activation: 'tanh', activationFrom: 'flag' });
  });

  it('needs none for a network without hidden layers', () => {
    const a = recogniseArchitecture(shapes({ W1: [784, 10], b1: [10] }), 'logreg.npz');
    expect([a.activation, a.activationFrom, kinds(a)]).toEqual([null, null, 'affine softmax']);
  });
});

describe('files it refuses (exit 3)', () => {
  it('4-D weights in an unknown layout name the shapes and point to ONNX or loss', () => {
    for (const s of [
      shapes({ W1: [8, 1, 3, 3], b1: [8], W2: [16, 8, 3, 3], b2: [16], W3: [400, 10], b3: [10] }), // two convolutions
      shapes({ W1: [784, 30], b1: [30], W2: [30, 1, 5, 5], b2: [30], W3: [10, 10], b3: [10] }), // conv after affine
    ]) {
      const e = userErrorOf(() => recogniseArchitecture(s, 'odd.npz'));
      expect(e.message).toMatch(/4-D weights in no layout .*W1 \[/);
      expect(e.hint).toMatch(/ONNX.*; or evaluate the model's own predictions/);
      expect(e.detail).toMatchObject({ code: 'model-unsupported' });
    }
  });

  it('a SimpleConvNet whose affine rows do not chain names both sizes', () => {
    const e = userErrorOf(() => recogniseArchitecture(shapes({ W1: [30, 1, 5, 5], b1: [30], W2: [4000, 100], b2: [100], W3: [100, 10], b3: [10] }), 'p.pkl'));
    expect(e.message).toMatch(/W2 should have 4320 rows \(the 30x12x12 = 4320 outputs of the convolutions\), found shape \[4000, 100\]/);
  });

  it('a convolution over the wrong number of channels', () => {
    const e = userErrorOf(() => recogniseArchitecture(shapes({ W1: [30, 3, 5, 5], b1: [30], W2: [4320, 100], b2: [100], W3: [100, 10], b3: [10] }), 'p.pkl'));
    expect(e.message).toMatch(/W1 \[30, 3, 5, 5\] takes 3 input channels, but an MNIST image has 1/);
  });

  it('gaps and strays, bounded by the tensors present (W999999999 answers at once)', () => {
    expect(userErrorOf(() => recogniseArchitecture(shapes({ W1: [784, 10], b1: [10], W999999999: [1, 1], b999999999: [1] }), 'f')).message)
      .toMatch(/missing W2, b2, W3, b3, .* and 1999999984 more/);
    expect(userErrorOf(() => recogniseArchitecture(shapes({ W1: [784, 10] }), 'f')).message).toMatch(/missing b1/);
    expect(userErrorOf(() => recogniseArchitecture(shapes({ W1: [784, 10], b1: [10], 'x\u001b[31m': [1] }), 'f')).message).toMatch(/unexpected tensor "x\\x1b\[31m"/);
    expect(userErrorOf(() => recogniseArchitecture(shapes({}), 'f')).message).toMatch(/no tensors found/);
  });

  it('an MLP that does not end in 10 classes', () => {
    expect(userErrorOf(() => recogniseArchitecture(shapes({ W1: [784, 12], b1: [12] }), 'f')).message).toMatch(/should have 10 columns/);
  });
});
