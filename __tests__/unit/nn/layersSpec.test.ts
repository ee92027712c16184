// nn/layersSpec.ts: the --layers grammar. Shapes and counts by hand: the book's SimpleConvNet on 28x28 is
// conv 5x5 pad 0 -> 30x24x24, pool 2 -> 30x12x12 = 4320 -> 100 -> 10; parameters 30·25 + 30 + 4320·100 + 100
// + 100·10 + 10 = 433890; multiply-adds 24·24·30·25 + 4320·100 + 100·10 = 865000.
import { parseLayersSpec, SIMPLE_CONVNET_SPEC, type ParsedLayers, type SpecProblem } from '../../../src/nn/layersSpec';

function ok(spec: string, rows?: number, cols?: number): ParsedLayers {
  const p = parseLayersSpec(spec, rows, cols);
  if ('problem' in p) throw new Error(`${spec}: ${JSON.stringify(p.problem)}`);
  return p;
}

function problem(spec: string, rows?: number, cols?: number): SpecProblem {
  const p = parseLayersSpec(spec, rows, cols);
  if (!('problem' in p)) throw new Error(`${spec} parsed`);
  return p.problem;
}

describe('parseLayersSpec: networks', () => {
  it("the book's SimpleConvNet: layers, tensor shapes in the book's order, counts", () => {
    const p = ok(SIMPLE_CONVNET_SPEC);
    expect(p.canonical).toBe('conv30x5-relu-pool2-affine100-relu-affine10');
    expect(p.inputShape).toEqual([1, 28, 28]);
    expect(p.layers).toEqual([
      { kind: 'convolution', W: 'W1', b: 'b1', stride: 1, pad: 0 }, { kind: 'relu' },
      { kind: 'pooling', mode: 'max', size: 2, stride: 2, pad: 0 }, { kind: 'flatten' },
      { kind: 'affine', W: 'W2', b: 'b2' }, { kind: 'relu' }, { kind: 'affine', W: 'W3', b: 'b3' }, { kind: 'softmax' },
    ]);
    expect([...p.tensors]).toEqual([['W1', [30, 1, 5, 5]], ['b1', [30]], ['W2', [4320, 100]], ['b2', [100]], ['W3', [100, 10]], ['b3', [10]]]);
    expect(p.parameters).toBe(433890);
    expect(p.multiplyAdds).toBe(865000);
    expect(p.activation).toBe('relu');
  });

  it('stride and pad: conv4x3s2p1 on 28x28 gives floor((28 + 2 - 3) / 2) + 1 = 14; a second conv takes 4 channels', () => {
    const p = ok('conv4x3s2p1-tanh-conv6x3p1-relu-pool2-affine12-sigmoid-affine10');
    expect([...p.tensors.values()]).toEqual([[4, 1, 3, 3], [4], [6, 4, 3, 3], [6], [6 * 7 * 7, 12], [12], [12, 10], [10]]);
    expect(p.layers[0]).toEqual({ kind: 'convolution', W: 'W1', b: 'b1', stride: 2, pad: 1 });
    expect(p.activation).toBe('tanh'); // the first named
    expect(p.multiplyAdds).toBe(14 * 14 * 4 * 9 + 14 * 14 * 6 * 36 + 294 * 12 + 120);
  });

  it('writes the canonical spelling: stride 1 and pad 0 are left out, other suffixes kept in the order s, p', () => {
    expect(ok('conv30x5s1p0-pool2-affine10').canonical).toBe('conv30x5-pool2-affine10');
    expect(ok('conv8x5s2-affine10').canonical).toBe('conv8x5s2-affine10');
    expect(ok('conv8x5p2-affine10').canonical).toBe('conv8x5p2-affine10');
  });

  it('a fully connected spec takes the 784 pixels as a vector (no flatten), and may have no activation', () => {
    const p = ok('affine50-sigmoid-affine10');
    expect(p.inputShape).toEqual([784]);
    expect(p.layers).toEqual([{ kind: 'affine', W: 'W1', b: 'b1' }, { kind: 'sigmoid' }, { kind: 'affine', W: 'W2', b: 'b2' }, { kind: 'softmax' }]);
    expect(p.parameters).toBe(785 * 50 + 51 * 10);
    expect(ok('affine10').activation).toBeNull();
  });

  it('the image size given: 20x20 images through conv 5x5 -> 16x16, pool 2 -> 8x8', () => {
    expect(ok(SIMPLE_CONVNET_SPEC, 20, 20).tensors.get('W2')).toEqual([30 * 8 * 8, 100]);
    expect(ok('affine10', 20, 20).inputShape).toEqual([400]);
  });
});

describe('parseLayersSpec: every kind of bad spec names the token and its position', () => {
  const cases: [string, string, number, RegExp][] = [
    ['a misspelt layer', 'conv30x5-relu-pool2-affin100-relu-affine10', 4, /^not a layer$/],
    ['upper case', 'Conv30x5-affine10', 1, /^not a layer$/],
    ['a leading zero', 'conv030x5-affine10', 1, /^not a layer$/],
    ['a zero', 'affine0-affine10', 1, /^not a layer$/],
    ['a space', 'affine10 ', 1, /^not a layer$/],
    ['suffixes out of order', 'conv8x5p1s2-affine10', 1, /^not a layer$/],
    ['two dashes', 'relu--affine10', 2, /empty layer/],
    ['a trailing dash', 'affine10-', 2, /empty layer/],
    ['an empty spec', '', 1, /empty layer/],
    ['a pad as large as the filter', 'conv8x3p3-affine10', 1, /pad below the filter size 3/],
    ['too many filters', 'conv1025x3-affine10', 1, /at most 1024 filters/],
    ['too wide an affine layer', 'affine100001-affine10', 1, /at most 100000 outputs/],
    ['a convolution after an affine layer', 'affine100-conv8x3-affine10', 2, /needs an image \[C, H, W\].*vector of 100/],
    ['pooling after an affine layer', 'affine100-pool2-affine10', 2, /pooling needs an image/],
    ['a filter larger than its input', 'conv8x5-pool2-conv8x5-pool2-conv8x5-affine10', 5, /5x5 filter with pad 0 does not fit its 4x4 input/],
    ['a pool larger than its input', 'conv8x5-pool25-affine10', 2, /25x25 pool does not fit its 24x24 input/],
    ['no affine10 at the end', 'conv8x5-relu', 2, /last layer must be affine10/],
    ['affine with other than 10 outputs at the end', 'affine50-relu-affine12', 3, /last layer must be affine10/],
    ['more than 32 layers', Array(33).fill('relu').join('-') + '-affine10', 33, /at most 32 layers/],
  ];
  it.each(cases)('%s: %s', (_, spec, position, message) => {
    const p = problem(spec);
    expect(p.position).toBe(position);
    expect(p.token).toBe(spec.split('-')[position - 1]);
    expect(p.problem).toMatch(message);
  });

  it('a shape problem depends on the image size: conv8x5-pool2-conv8x5-pool2-affine10 fits 28x28, not 12x12', () => {
    ok('conv8x5-pool2-conv8x5-pool2-affine10');
    expect(problem('conv8x5-pool2-conv8x5-pool2-affine10', 12, 12)).toMatchObject({ position: 3, token: 'conv8x5' });
  });
});
