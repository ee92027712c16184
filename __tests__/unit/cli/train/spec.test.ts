// train --arch / --layers / --optimizer: validateTrain's checks before any data is read (exit 2, one message naming
// the flag and the token, a hint), the defaults it settles, and the command line a layer run records.
// (The in-process --layers runs, progress bar and Ctrl-C, are in ./run.test.ts.)
import { userErrorOf } from '../../../helpers/cli';
import { ExitCode } from '../../../../src/errors';
import { canonicalCommand, TRAIN_MULTIPLY_ADDS, validateTrain, type TrainRaw } from '../../../../src/cli/train/spec';
import { SIMPLE_CONVNET_SPEC } from '../../../../src/nn/layersSpec';

const raw = (extra: Partial<TrainRaw> = {}): TrainRaw => ({ batchSize: 100, seed: 42, source: 'idx', json: false, color: false, ...extra }) as TrainRaw;
const usage = (extra: Partial<TrainRaw>) => userErrorOf(() => validateTrain(raw(extra)), ExitCode.Usage);

describe('validateTrain: the network flags', () => {
  it("--arch simple-convnet is the book's ch07 network, trained as train_convnet.py: Adam, lr 0.001, init std 0.01", () => {
    const o = validateTrain(raw({ arch: 'simple-convnet' }));
    expect(o.network).toMatchObject({ arch: 'simple-convnet', optimizer: 'adam' });
    expect(o.network!.layers.canonical).toBe(SIMPLE_CONVNET_SPEC);
    expect(o.lr).toBe(0.001);
    expect(o.init).toEqual({ kind: 'std', std: 0.01 });
    expect(canonicalCommand(o)).toBe('mnist-loss train --arch simple-convnet --optimizer adam --init-std 0.01 --batch-size 100 --lr 0.001 --epochs 1 --seed 42');
  });

  it('--layers with --optimizer sgd takes lr 0.1 (the MLP default) unless --lr is given; the command spells the spec canonically', () => {
    const o = validateTrain(raw({ layers: 'conv8x5s1p0-relu-pool2-affine10', optimizer: 'sgd', iterations: 5 }));
    expect(o.lr).toBe(0.1);
    expect(canonicalCommand(o)).toBe('mnist-loss train --layers conv8x5-relu-pool2-affine10 --optimizer sgd --init-std 0.01 --batch-size 100 --lr 0.1 --iterations 5 --seed 42');
    expect(validateTrain(raw({ layers: 'affine10', lr: 0.5 })).lr).toBe(0.5);
  });

  it('without --arch/--layers the MLP defaults stay as they were: 784-50-10 sigmoid, SGD lr 0.1', () => {
    const o = validateTrain(raw());
    expect(o).toMatchObject({ network: null, hidden: [50], activation: 'sigmoid', lr: 0.1 });
    expect(canonicalCommand(o)).toBe('mnist-loss train --hidden 50 --activation sigmoid --init-std 0.01 --batch-size 100 --lr 0.1 --epochs 1 --seed 42');
  });

  it('a bad --layers names the flag, the layer and its position, with the grammar as hint', () => {
    const e = usage({ layers: 'conv30x5-relu-pool2-affin100-relu-affine10' });
    expect(e.message).toBe("--layers conv30x5-relu-pool2-affin100-relu-affine10: layer 4 'affin100': not a layer");
    expect(e.hint).toMatch(/^the grammar: layers joined by "-": convFNxF\[sS\]\[pP\]/);
    expect(usage({ layers: 'affine100-conv8x3-affine10' }).message).toMatch(/layer 2 'conv8x3': a convolution needs an image/);
    expect(usage({ layers: 'x\u001b[2J' }).message).not.toContain('\u001b');
  });

  it('flags that set the network twice or for the other kind of network', () => {
    expect(usage({ arch: 'simple-convnet', layers: 'affine10' }).message).toMatch(/--arch simple-convnet and --layers affine10 both set the network/);
    expect(usage({ arch: 'simple-convnet', hidden: [50] }).message).toBe('--hidden sets the fully connected network, but --arch simple-convnet sets the layers');
    expect(usage({ layers: 'affine10', activation: 'relu' }).message).toBe('--activation sets the fully connected network, but --layers affine10 sets the layers');
    const adam = usage({ optimizer: 'adam', hidden: [30], activation: 'relu' });
    expect(adam.message).toMatch(/--optimizer adam trains a layer network/);
    expect(adam.hint).toMatch(/--layers affine30-relu-affine10 --optimizer adam/);
    expect(validateTrain(raw({ optimizer: 'sgd' })).network).toBeNull(); // sgd is what --hidden runs anyway
  });

  it('the parameter bound (5000000) and the multiply-add bound per image', () => {
    // 785 · 6290 + 6291 · 10 = 4937650 + 62910 = 5000560 parameters, one more width than the MLP bound allows
    expect(usage({ layers: 'affine6290-relu-affine10' }).message).toMatch(/the network has 5000560 parameters, more than 5000000/);
    validateTrain(raw({ layers: 'affine6289-relu-affine10' }));
    // conv64x3p1 twice: 784 · 64 · 9 + 784 · 64 · 576 = 451584 + 28901376 = 29352960 multiply-adds, then 50176 · 10
    const e = usage({ layers: 'conv64x3p1-relu-conv64x3p1-relu-affine10' });
    expect(e.message).toBe(`--layers conv64x3p1-relu-conv64x3p1-relu-affine10: the network takes ${29352960 + 501760} multiply-adds per image, more than ${TRAIN_MULTIPLY_ADDS} (the book's SimpleConvNet takes 865000; one epoch of it is 10-20 minutes in the reference engine)`);
  });
});
