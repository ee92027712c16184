// Every layer's backward against central differences (the book's common/gradient.py numerical_gradient, h = 1e-4),
// as ch05/ch07 gradient_check.py do, in float64 (float64 parameters and inputs: the engine keeps the precision it
// is given), so the check is limited by the O(h²) truncation, not by float32 rounding: |num − ana| ≤ 1e-6 + 1e-5·|ana|.
// Inputs are seeded draws (each test re-seeds): a ReLU or max-pool kink within h of a value, or a batch-norm feature
// of tiny variance, can push a central difference off by more (seen on other seeds, where h = 1e-5 then agrees to 1e-7).
// The scalar for one layer is L = Σ dout ⊙ forward(x) with a fixed random dout, so dL/dx = backward(dout).
// For a network: the gradient of the book's SoftmaxWithLoss, (y − t)/N, is that of the mean CEE without δ (δ = 1e-7
// only keeps log finite; with a y_t near 1e-7 it bends the loss visibly), so the numerical side differentiates
// −(1/N) Σ log y[n, t_n] of the network's probabilities; the reported loss (with δ) is checked against lossOf.
import { expectAllClose } from '../../../helpers/allClose';
import {
  Affine, BatchNormalization, Convolution, Dropout, Flatten, Network, Pooling, Relu, Sigmoid, Softmax, Tanh,
  numericalGradientOf, type Layer, type Tensor64,
} from '../../../../src/nn/layers';
import { Mt19937 } from '../../../../src/rng/mt19937';
import { randn } from '../../../../src/rng/sample';

let rng = new Mt19937(123);
beforeEach(() => { rng = new Mt19937(123); }); // each test draws the same values, run alone or with the others
const param = (shape: number[], scale = 0.5): { shape: number[]; data: Float64Array } => ({ shape, data: randn(rng, shape.reduce((a, b) => a * b, 1), scale) });
const tensor = (shape: number[], scale = 1): Tensor64 => param(shape, scale);
const expectGradClose = (ana: ArrayLike<number>, num: ArrayLike<number>): void => expectAllClose(ana, num, 1e-6, 1e-5);

/** Checks dx and every parameter gradient of `make()`'s layer on input x (a fresh layer, so caches are its own). */
function checkLayer(layer: Layer, x: Tensor64, train: boolean, before: () => void = () => undefined): void {
  before();
  const y0 = layer.forward(x, train);
  const dout = randn(rng, y0.data.length);
  const L = (): number => {
    before();
    const y = layer.forward(x, train);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i] * dout[i];
    return s;
  };
  const numX = numericalGradientOf(L, x.data);
  const numP = layer.params().map((p) => numericalGradientOf(L, p.value));
  before();
  layer.forward(x, train);
  const dx = layer.backward({ shape: y0.shape, data: dout });
  expect(dx.shape).toEqual(x.shape);
  expectGradClose(dx.data, numX);
  layer.params().forEach((p, i) => expectGradClose(p.grad, numP[i]));
}

const cases: [string, () => Layer, number[], boolean][] = [
  ['Affine on [N, D]', () => new Affine(param([6, 4]), param([4])), [3, 6], false],
  ['Affine on [N, C, H, W]', () => new Affine(param([12, 3]), param([3])), [2, 3, 2, 2], false],
  ['Convolution 3x3 pad 1', () => new Convolution(param([3, 2, 3, 3]), param([3]), 1, 1), [2, 2, 5, 5], false],
  ['Convolution 2x3 stride 2 pad 2', () => new Convolution(param([2, 3, 2, 3]), param([2]), 2, 2), [2, 3, 5, 6], false],
  ['max Pooling 2x2 stride 2', () => new Pooling(2, 2, 2), [2, 2, 4, 6], false],
  ['max Pooling 3x3 stride 1 pad 1 (overlapping windows)', () => new Pooling(3, 3, 1, 1), [1, 2, 4, 4], false],
  ['avg Pooling 3x3 stride 2 pad 1, padding counted', () => new Pooling(3, 3, 2, 1, { mode: 'avg' }), [2, 2, 5, 5], false],
  ['avg Pooling 3x3 stride 2 pad 1, padding not counted', () => new Pooling(3, 3, 2, 1, { mode: 'avg', countIncludePad: false }), [2, 2, 5, 5], false],
  ['Relu', () => new Relu(), [3, 7], false],
  ['Sigmoid', () => new Sigmoid(), [3, 2, 2, 2], false],
  ['Tanh', () => new Tanh(), [3, 5], false],
  ['Softmax', () => new Softmax(), [3, 10], false],
  ['Flatten', () => new Flatten(), [2, 3, 2, 2], false],
  ['BatchNormalization (book) train, [N, D]', () => new BatchNormalization(param([5]), param([5])), [4, 5], true],
  ['BatchNormalization (book) train, [N, C, H, W]', () => new BatchNormalization(param([12]), param([12])), [4, 3, 2, 2], true],
  ['BatchNormalization per channel, train', () => new BatchNormalization(param([3]), param([3]), { mode: 'perChannel', eps: 1e-5 }), [2, 3, 2, 3], true],
  ['BatchNormalization per channel, test', () => new BatchNormalization(param([3]), param([3]), { mode: 'perChannel', runningMean: randn(rng, 3), runningVar: Float64Array.of(0.5, 1, 2) }), [2, 3, 2, 3], false],
  ['Dropout (book), test', () => new Dropout(0.3), [3, 4], false],
  ['Dropout (inverted), test', () => new Dropout(0.3, { convention: 'inverted' }), [3, 4], false],
];

describe('backward equals the numerical gradient', () => {
  it.each(cases)('%s', (_name, make, shape, train) => {
    checkLayer(make(), tensor(shape), train);
  });

  it.each(['book', 'inverted'] as const)('Dropout (%s), train: the same mask for every evaluation (re-seeded)', (convention) => {
    const layer = new Dropout(0.4, { convention });
    checkLayer(layer, tensor([4, 5]), true, () => { layer.rng = new Mt19937(9); });
  });
});

describe('a whole network: backward equals the numerical gradient of the loss', () => {
  const t = Uint8Array.of(3, 0, 9, 3);

  function checkNetwork(net: Network, x: Tensor64, before: () => void = () => undefined): void {
    const params = net.parameters();
    const L = (): number => {
      before();
      const y = net.probabilities(x, true);
      let s = 0;
      for (let n = 0; n < t.length; n++) s -= Math.log(y.data[n * 10 + t[n]]);
      return s / t.length;
    };
    const numerical = params.map((p) => numericalGradientOf(L, p.value));
    before();
    const { loss, grads } = net.gradientOf(x, t);
    before();
    expect(loss).toBe(net.lossOf(x, t, true));
    expect([...grads.keys()]).toEqual(params.map((p) => p.name));
    params.forEach((p, i) => expectGradClose(grads.get(p.name) as Float64Array, numerical[i]));
  }

  it('the book ch07 shape: conv -> relu -> pool -> affine -> relu -> affine -> SoftmaxWithLoss', () => {
    const net = new Network({
      inputShape: [1, 8, 8],
      layers: [
        new Convolution(param([3, 1, 3, 3]), param([3], 0.1), 1, 1), new Relu(), new Pooling(2, 2, 2),
        new Affine(param([48, 6], 0.3), param([6], 0.1)), new Relu(), new Affine(param([6, 10]), param([10], 0.1)),
      ],
    });
    expect(net.parameters().map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    checkNetwork(net, tensor([4, 1, 8, 8]));
  });

  it('every other layer: batch norms, tanh, average pooling, flatten, sigmoid, inverted dropout, a final Softmax layer', () => {
    const dropout = new Dropout(0.25, { convention: 'inverted' });
    const net = new Network({
      inputShape: [2, 6, 6],
      layers: [
        new Convolution(param([3, 2, 3, 3]), param([3], 0.1), 1, 0),
        new BatchNormalization(param([3]), param([3]), { mode: 'perChannel' }), new Tanh(),
        new Pooling(3, 3, 2, 1, { mode: 'avg' }), new Flatten(),
        new BatchNormalization(param([12]), param([12])), new Sigmoid(), dropout,
        new Affine(param([12, 10]), param([10], 0.1)), new Softmax(),
      ],
    });
    expect(net.endsInSoftmax).toBe(true);
    expect(net.parameters().map((p) => p.name)).toEqual(['W1', 'b1', 'gamma1', 'beta1', 'gamma2', 'beta2', 'W2', 'b2']);
    checkNetwork(net, tensor([4, 2, 6, 6]), () => { dropout.rng = new Mt19937(4); });
  });
});
