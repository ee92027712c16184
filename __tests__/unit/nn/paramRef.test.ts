// paramRef: `W1[409,18]` / `b2[3]` parsing, the flat index order of all parameters, and the usage
// errors (exit 2) that list the model's parameters and shapes. A tiny 784-3-10 net with W[i,j] = i*cols + j
// makes every resolved value checkable by hand.
import { ExitCode, MnistLossError } from '../../../src/errors';
import { Affine, Convolution, Flatten, Network as LayerNetwork, Relu } from '../../../src/nn/layers';
import type { Network } from '../../../src/nn/network';
import {
  describeNetworkParameters, describeParameters, networkParameterAtFlatIndex, networkParameterCount, parameterAtFlatIndex, parameterCount,
  resolveNetworkParamRef, resolveParamRef,
} from '../../../src/nn/paramRef';

const iota = (n: number, from = 0) => Float32Array.from({ length: n }, (_, i) => from + i);
const net: Network = {
  activation: 'sigmoid',
  layers: [
    { W: { rows: 784, cols: 3, data: iota(784 * 3) }, b: iota(3, 10000) },
    { W: { rows: 3, cols: 10, data: iota(30, 20000) }, b: iota(10, 30000) },
  ],
};

function usageFailure(text: string): MnistLossError {
  try {
    resolveParamRef(net, text);
  } catch (e) {
    expect(e).toBeInstanceOf(MnistLossError);
    expect((e as MnistLossError).exitCode).toBe(ExitCode.Usage);
    return e as MnistLossError;
  }
  throw new Error(`resolveParamRef accepted ${text}`);
}

describe('resolveParamRef', () => {
  it('W1[409,2] is row 409, column 2 of W1: flat offset 409*3 + 2 = 1229', () => {
    expect(resolveParamRef(net, 'W1[409,2]')).toEqual({ label: 'W1[409,2]', name: 'W1', kind: 'W', layer: 0, row: 409, col: 2, offset: 1229, value: 1229 });
  });

  it('b2[3] is element 3 of b2 (value 30000 + 3)', () => {
    expect(resolveParamRef(net, 'b2[3]')).toEqual({ label: 'b2[3]', name: 'b2', kind: 'b', layer: 1, row: 0, col: 3, offset: 3, value: 30003 });
  });

  it('accepts spaces as numpy does (W2[ 2, 9 ]) and canonicalises the label', () => {
    expect(resolveParamRef(net, ' W2[ 2, 9 ] ')).toMatchObject({ label: 'W2[2,9]', offset: 29, value: 20029 });
  });

  it.each([
    ['x1[0]', /not a parameter element/],
    ['W1[1]', /W1 has shape \[784,3\], so it takes 2 indexes, found 1/],
    ['b1[1,2]', /b1 has shape \[3\], so it takes 1 index, found 2/],
    ['W3[0,0]', /the model has no parameter W3 \(it has 2 layers\)/],
    ['W0[0,0]', /no parameter W0/],
    ['W1[784,0]', /index 784 is out of range for axis 0 of W1 \[784,3\] \(0 to 783\)/],
    ['W1[0,3]', /index 3 is out of range for axis 1 of W1 \[784,3\] \(0 to 2\)/],
    ['b2[10]', /index 10 is out of range for axis 0 of b2 \[10\]/],
    ['W1[-1,0]', /not a parameter element/],
    ['W1[1.5,0]', /not a parameter element/],
  ])('%s is a usage error: %p', (text, message) => {
    const e = usageFailure(text);
    expect(e.message).toMatch(message);
    expect(e.message).toContain(`'${text}'`);
    expect(e.hint).toContain('W1 [784,3], b1 [3], W2 [3,10], b2 [10]');
  });
});

describe('parameters laid end to end', () => {
  it('describeParameters and parameterCount: 784*3 + 3 + 3*10 + 10 = 2395', () => {
    expect(describeParameters(net)).toBe('W1 [784,3], b1 [3], W2 [3,10], b2 [10]');
    expect(parameterCount(net)).toBe(2395);
  });

  it('flat index order is W1, b1, W2, b2, each row-major (np.concatenate of ravel())', () => {
    expect(parameterAtFlatIndex(net, 0).label).toBe('W1[0,0]');
    expect(parameterAtFlatIndex(net, 2351).label).toBe('W1[783,2]'); // 784*3 − 1
    expect(parameterAtFlatIndex(net, 2352).label).toBe('b1[0]');
    expect(parameterAtFlatIndex(net, 2355)).toMatchObject({ label: 'W2[0,0]', value: 20000 });
    expect(parameterAtFlatIndex(net, 2355 + 13)).toMatchObject({ label: 'W2[1,3]', value: 20013 });
    expect(parameterAtFlatIndex(net, 2394)).toMatchObject({ label: 'b2[9]', value: 30009 });
    expect(() => parameterAtFlatIndex(net, 2395)).toThrow(RangeError);
  });
});

describe('engine networks: any parameter, one index per axis (resolveNetworkParamRef)', () => {
  // conv W [2,1,2,3] (values 0..11) -> relu -> flatten -> affine W [2·27·26, 10] (values 100 + i), biases 1000 + i
  const conv = new Convolution({ shape: [2, 1, 2, 3], data: iota(12) }, { shape: [2], data: iota(2, 1000) });
  const affine = new Affine({ shape: [2 * 27 * 26, 10], data: iota(2 * 27 * 26 * 10, 100) }, { shape: [10], data: iota(10, 2000) });
  const engine = new LayerNetwork({ inputShape: [1, 28, 28], layers: [conv, new Relu(), new Flatten(), affine] });

  it('W1[1,0,1,2] is C-order offset ((1·1 + 0)·2 + 1)·3 + 2 = 11 of the convolution filters', () => {
    expect(resolveNetworkParamRef(engine, 'W1[1,0,1,2]')).toMatchObject({ label: 'W1[1,0,1,2]', name: 'W1', layer: 0, local: 'W', index: [1, 0, 1, 2], offset: 11, value: 11 });
    expect(resolveNetworkParamRef(engine, ' b2[ 4 ] ')).toMatchObject({ label: 'b2[4]', layer: 3, local: 'b', offset: 4, value: 2004 });
  });

  it('the flat order is parameters() order, each C order: 12 + 2 + 14040 + 10 = 14064 elements', () => {
    expect(networkParameterCount(engine)).toBe(14064);
    expect(describeNetworkParameters(engine)).toBe('W1 [2,1,2,3], b1 [2], W2 [1404,10], b2 [10]');
    expect(networkParameterAtFlatIndex(engine, 11).label).toBe('W1[1,0,1,2]');
    expect(networkParameterAtFlatIndex(engine, 13)).toMatchObject({ label: 'b1[1]', value: 1001 });
    expect(networkParameterAtFlatIndex(engine, 14 + 25)).toMatchObject({ label: 'W2[2,5]', value: 125 });
    expect(networkParameterAtFlatIndex(engine, 14063).label).toBe('b2[9]');
    expect(() => networkParameterAtFlatIndex(engine, 14064)).toThrow(RangeError);
  });

  it.each([
    ['W1[0,0]', /W1 has shape \[2,1,2,3\], so it takes 4 indexes, found 2/],
    ['W1[2,0,0,0]', /index 2 is out of range for axis 0 of W1 \[2,1,2,3\] \(0 to 1\)/],
    ['W1[0,0,0,3]', /index 3 is out of range for axis 3/],
    ['gamma1[0]', /the model has no parameter gamma1/],
    ['W1[0,0,0,-1]', /not a parameter element/],
    ['W1', /not a parameter element/],
  ])('%s is a usage error: %p', (text, message) => {
    let error: unknown;
    try { resolveNetworkParamRef(engine, text); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(MnistLossError);
    expect((error as MnistLossError).exitCode).toBe(ExitCode.Usage);
    expect((error as MnistLossError).message).toMatch(message);
    expect((error as MnistLossError).hint).toContain('W1 [2,1,2,3], b1 [2], W2 [1404,10], b2 [10]');
  });
});
