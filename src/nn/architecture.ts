// A weights-only file (the book's pickles, our npz and safetensors dialect: W1, b1, W2, b2, ...) -> the layer
// sequence it stands for. The book's three trained networks are recognised by their names and shapes:
// ch03 sample_weight.pkl (784-50-100-10 sigmoid), ch07 SimpleConvNet and ch08 DeepConvNet; any other chain of
// 2-D weights is an MLP whose activation must be stated; 4-D weights of no known layout are refused.
import { dataError, modelUnsupported, printable, usageError, type ErrorDetail } from '../errors';
import { describeSpecProblem, parseLayersSpec, SIMPLE_CONVNET_SPEC, SPEC_GRAMMAR } from './layersSpec';
import { checkParameterNames } from './params';

/**
 * One layer as plain data: what a file implies, before any tensor is built. Every format maps onto this, with
 * tensors already in the engine's layout (affine W [in, out], convolution W [FN, C, FH, FW]); a bias named
 * null is zero (Linear(bias=False), use_bias=False).
 */
export type LayerSpec =
  | { readonly kind: 'affine'; readonly W: string; readonly b: string | null }
  | { readonly kind: 'convolution'; readonly W: string; readonly b: string | null; readonly stride: number; readonly pad: number }
  | {
      readonly kind: 'pooling'; readonly mode: 'max' | 'avg'; readonly size: number; readonly stride: number; readonly pad: number;
      /** Average pooling: padded zeros count in the divisor (the book, ONNX's count_include_pad=1) or not (PyTorch's default is to count them, Keras never pads). */
      readonly countIncludePad?: boolean;
      /** Global pooling (ONNX GlobalAveragePool): the window is the whole input plane; size/stride are ignored. */
      readonly global?: boolean;
    }
  | {
      readonly kind: 'batchNormalization'; readonly gamma: string; readonly beta: string; readonly mean: string; readonly var: string;
      readonly eps: number;
      /** perChannel: one statistic per channel of [C, H, W] (BatchNorm2d, Keras); book: one per feature of the flattened sample. */
      readonly mode: 'perChannel' | 'book';
    }
  | { readonly kind: 'relu' }
  | { readonly kind: 'sigmoid' }
  | { readonly kind: 'tanh' }
  | { readonly kind: 'dropout'; readonly ratio: number; readonly convention: 'book' | 'inverted' }
  | { readonly kind: 'flatten' }
  | { readonly kind: 'softmax' };

export type HiddenActivation = 'sigmoid' | 'relu' | 'tanh';

/** Which known network a file was recognised as, or which framework's graph it was read from. */
export type Recognised = 'book-ch03' | 'book-ch07-simple-convnet' | 'book-ch08-deep-convnet' | 'mlp' | 'pytorch' | 'onnx' | 'keras' | 'tfjs' | 'spec';

export const RECOGNISED_NAMES: Readonly<Record<Recognised, string>> = {
  'book-ch03': "the book's ch03 sample_weight.pkl",
  'book-ch07-simple-convnet': "the book's ch07 SimpleConvNet (conv - relu - pool - affine - relu - affine)",
  'book-ch08-deep-convnet': "the book's ch08 DeepConvNet (six 3x3 convolutions, pads 1,1,1,2,1,1, dropout 0.5)",
  mlp: 'a fully connected network (W_l [in, out], b_l [out])',
  pytorch: 'a PyTorch state_dict (its Linear layers chained by shape)',
  onnx: 'an ONNX graph',
  keras: 'a Keras Sequential model',
  tfjs: 'a TensorFlow.js layers model',
  spec: 'a network described by its "layers" metadata (the layer spec that train writes)',
};

/** Where a setting came from, for reports: the flag, the file's metadata, or recognising a book network. */
export type SettingSource = 'flag' | 'file' | 'recognised';

export interface Architecture {
  readonly recognised: Recognised;
  /** [C, H, W] for a convolutional network, [D] for an MLP. */
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerSpec[];
  /** The hidden activation, or null for a network without hidden layers (784 -> 10). */
  readonly activation: HiddenActivation | null;
  readonly activationFrom: SettingSource | null;
}

/** The shape of one tensor, by name (what the recogniser needs of a file). */
export type TensorShapes = ReadonlyMap<string, readonly number[]>;

/** Pixels per side of an MNIST image. */
const SIDE = 28;
const CLASSES = 10;

const showShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const HINT_NAMES = 'a weights-only model holds W1, b1, W2, b2, ... (W_l [in, out] for an affine layer, [FN, C, FH, FW] for a convolution)';
const UNKNOWN_4D = modelUnsupported('export the model to ONNX (torch.onnx.export) so that its layers travel with it');
export const ACTIVATION_HINT = 'give the activation between the hidden layers: sigmoid, relu or tanh';
/** The facts of "the file settles no activation" (cli/wording.ts words it as --activation). */
export const ACTIVATION_MISSING: ErrorDetail = { code: 'model-setting', setting: 'activation', problem: 'missing' };

/** The layer numbers 1..L of W1, b1, ..., WL, bL (nn/params.ts checks the names: nothing else, no gaps). */
function layerNumbers(shapes: TensorShapes, file: string): number[] {
  return Array.from({ length: checkParameterNames(new Set(shapes.keys()), file) }, (_, i) => i + 1);
}

/** Output side of a convolution or pooling window, the book's (H + 2·pad − F) / stride + 1 (pooling: integer division). */
function outSide(side: number, filter: number, stride: number, pad: number): number {
  return Math.floor((side + 2 * pad - filter) / stride) + 1;
}

interface ConvPlan {
  readonly pads: readonly number[];
  /** Pool 2×2 stride 2 after these convolutions (0-based). */
  readonly poolAfter: ReadonlySet<number>;
}

/** The book's DeepConvNet: six 3×3 convolutions, pads 1,1,1,2,1,1, pooling after the 2nd, 4th and 6th. */
const DEEP_CONVNET: ConvPlan = { pads: [1, 1, 1, 2, 1, 1], poolAfter: new Set([1, 3, 5]) };
/** The book's SimpleConvNet: one convolution, pad 0, pooling after it. */
const SIMPLE_CONVNET: ConvPlan = { pads: [0], poolAfter: new Set([0]) };

/** [C, H, W] after the convolutions (and pools) of a plan, or a message naming the first that does not fit. */
function convOutput(shapes: TensorShapes, convs: number, plan: ConvPlan): { shape: number[] } | { problem: string } {
  let [C, H, W] = [1, SIDE, SIDE];
  for (let l = 1; l <= convs; l++) {
    const w = shapes.get(`W${l}`)!, b = shapes.get(`b${l}`)!;
    const [FN, FC, FH, FW] = w;
    if (FC !== C) return { problem: `W${l} ${showShape(w)} takes ${FC} input channels, but ${l === 1 ? 'an MNIST image has 1' : `W${l - 1} makes ${C}`}` };
    if (b.length !== 1 || b[0] !== FN) return { problem: `b${l} should have shape [${FN}] to match W${l} ${showShape(w)}, found ${showShape(b)}` };
    const pad = plan.pads[l - 1];
    [C, H, W] = [FN, outSide(H, FH, 1, pad), outSide(W, FW, 1, pad)];
    if (!(H >= 1 && W >= 1)) return { problem: `W${l} ${showShape(w)} does not fit its ${H}x${W} input` };
    if (plan.poolAfter.has(l - 1)) [H, W] = [outSide(H, 2, 2, 0), outSide(W, 2, 2, 0)];
    if (!(H >= 1 && W >= 1)) return { problem: `the 2x2 pooling after W${l} has nothing left to pool` };
  }
  return { shape: [C, H, W] };
}

/** Checks the affine chain from `width` inputs through W_from..W_to, ending in 10 classes. */
function checkAffineChain(shapes: TensorShapes, numbers: readonly number[], from: number, width: number, file: string, inputWhat: string): void {
  for (const l of numbers.filter((n) => n >= from)) {
    const W = shapes.get(`W${l}`)!, b = shapes.get(`b${l}`)!;
    if (W.length !== 2) throw dataError(`${file}: W${l} should be a 2-D matrix [in, out] after ${l === from ? inputWhat : `W${l - 1}`}, found shape ${showShape(W)}`, HINT_NAMES);
    if (W[0] !== width)
      throw dataError(
        `${file}: W${l} should have ${width} rows (${l === from ? inputWhat : `W${l - 1} has ${width} columns`}), found shape ${showShape(W)}`,
        `layer widths must chain ${inputWhat} -> ... -> ${CLASSES}: W_l is [in, out], b_l is [out]`,
      );
    if (W[1] === 0) throw dataError(`${file}: W${l} has 0 columns, found shape ${showShape(W)}; a layer needs at least one unit`, HINT_NAMES);
    if (b.length !== 1 || b[0] !== W[1]) throw dataError(`${file}: b${l} should have shape [${W[1]}] to match W${l} ${showShape(W)}, found ${showShape(b)}`, HINT_NAMES);
    width = W[1];
  }
  const last = numbers.at(-1)!;
  if (width !== CLASSES)
    throw dataError(`${file}: the last layer W${last} should have ${CLASSES} columns (one per digit), found shape ${showShape(shapes.get(`W${last}`)!)}`, HINT_NAMES);
}

function activationLayer(a: HiddenActivation): LayerSpec {
  return { kind: a };
}

export interface RecogniseOptions {
  /** --activation: wins over everything else. */
  readonly activation?: HiddenActivation;
  /** What the file itself states (safetensors metadata). */
  readonly fromFile?: HiddenActivation;
  /**
   * The file is a pickle of float32 arrays, as the book's ch03 sample_weight.pkl: only then does a
   * 784-50-100-10 MLP count as the book's sigmoid network (an npz of that shape may well be a ReLU net).
   */
  readonly bookPickle?: boolean;
  /**
   * The file's own statement of its layers (safetensors metadata "layers", the --layers grammar of nn/layersSpec.ts,
   * as `mnist-loss train` writes it): the architecture is that spec, and every tensor must have the shape it implies.
   */
  readonly fromSpec?: string;
}

/** The architecture a "layers" spec states; the tensors must be exactly the spec's, shape for shape (exit 3 otherwise). */
function architectureFromSpec(shapes: TensorShapes, file: string, spec: string, activation: HiddenActivation | undefined): Architecture {
  const parsed = parseLayersSpec(spec, SIDE, SIDE);
  if ('problem' in parsed)
    throw dataError(`${file}: metadata "layers" ${printable(`"${spec}"`, 200)} is not a network: ${printable(describeSpecProblem(parsed.problem), 300)}`, `the spec is ${SPEC_GRAMMAR}; fix the metadata or retrain`);
  const names = [...shapes.keys()];
  const expected = [...parsed.tensors.keys()];
  const missing = expected.filter((n) => !shapes.has(n)), extra = names.filter((n) => !parsed.tensors.has(n));
  if (missing.length > 0 || extra.length > 0)
    throw dataError(
      `${file}: metadata "layers" "${parsed.canonical}" needs tensors ${expected.join(', ')}; ${missing.length > 0 ? `missing ${missing.join(', ')}` : ''}${missing.length > 0 && extra.length > 0 ? ', ' : ''}${extra.length > 0 ? `unexpected ${printable(extra.slice(0, 10).join(', '), 200)}` : ''}`,
      HINT_NAMES,
    );
  for (const [name, want] of parsed.tensors) {
    const got = shapes.get(name)!;
    if (got.length !== want.length || got.some((d, i) => d !== want[i]))
      throw dataError(`${file}: ${name} should have shape ${showShape(want)} for the layers "${parsed.canonical}", found ${showShape(got)}`, HINT_NAMES);
  }
  // --activation replaces every activation of the spec, as it settles the hidden activation of any other file
  const layers = activation === undefined ? parsed.layers : parsed.layers.map((l) => (l.kind === 'relu' || l.kind === 'sigmoid' || l.kind === 'tanh' ? activationLayer(activation) : l));
  const settled = activation ?? parsed.activation;
  const recognised: Recognised = parsed.canonical === SIMPLE_CONVNET_SPEC ? 'book-ch07-simple-convnet' : 'spec';
  return { recognised, inputShape: parsed.inputShape, layers, activation: settled, activationFrom: settled === null ? null : activation !== undefined ? 'flag' : 'file' };
}

/**
 * Recognises the network a weights-only file describes. --activation wins, then the file's own statement,
 * then what a recognised book network uses. An MLP with hidden layers that none of them settles is a usage
 * error (exit 2), never a silent default.
 */
export function recogniseArchitecture(shapes: TensorShapes, file: string, options: RecogniseOptions = {}): Architecture {
  const { activation, fromFile } = options;
  if (options.fromSpec !== undefined) return architectureFromSpec(shapes, file, options.fromSpec, activation);
  const numbers = layerNumbers(shapes, file);
  const fourD = numbers.filter((l) => shapes.get(`W${l}`)!.length === 4);
  const chosen = (recognisedAs: HiddenActivation | null): { activation: HiddenActivation | null; activationFrom: SettingSource | null } => {
    if (activation !== undefined) return { activation, activationFrom: 'flag' };
    if (fromFile !== undefined) return { activation: fromFile, activationFrom: 'file' };
    return { activation: recognisedAs, activationFrom: recognisedAs === null ? null : 'recognised' };
  };
  if (fourD.length === 0) {
    checkAffineChain(shapes, numbers, 1, SIDE * SIDE, file, `the ${SIDE * SIDE} pixels`);
    const widths = [SIDE * SIDE, ...numbers.map((l) => shapes.get(`W${l}`)![1])];
    const isCh03 = options.bookPickle === true && widths.join('-') === '784-50-100-10';
    const settled = chosen(isCh03 ? 'sigmoid' : null);
    if (numbers.length > 1 && settled.activation === null)
      throw usageError(`${file}: the file names no activation for its ${numbers.length - 1} hidden layer${numbers.length > 2 ? 's' : ''} (${widths.join('-')}), and it is not one of the book's networks`, ACTIVATION_HINT, ACTIVATION_MISSING);
    const layers: LayerSpec[] = [];
    numbers.forEach((l, i) => {
      layers.push({ kind: 'affine', W: `W${l}`, b: `b${l}` });
      if (i < numbers.length - 1) layers.push(activationLayer(settled.activation!));
    });
    layers.push({ kind: 'softmax' });
    return { recognised: isCh03 ? 'book-ch03' : 'mlp', inputShape: [SIDE * SIDE], layers, ...(numbers.length > 1 ? settled : { activation: null, activationFrom: null }) };
  }
  const convs = fourD.length;
  const leading = fourD.every((l, i) => l === i + 1);
  const described = numbers.map((l) => `W${l} ${showShape(shapes.get(`W${l}`)!)}`).join(', ');
  const plan = convs === 1 ? SIMPLE_CONVNET : convs === 6 && numbers.length === 8 ? DEEP_CONVNET : undefined;
  const threeByThree = fourD.every((l) => { const s = shapes.get(`W${l}`)!; return s[2] === 3 && s[3] === 3; });
  if (!leading || plan === undefined || (plan === DEEP_CONVNET && !threeByThree) || numbers.length - convs !== 2)
    throw dataError(
      `${file}: 4-D weights in no layout mnist-loss knows (${printable(described, 400)}); it recognises the book's SimpleConvNet (one convolution W1 [FN, 1, FH, FW], then W2, W3) and DeepConvNet (six 3x3 convolutions W1..W6, then W7, W8)`,
      ...UNKNOWN_4D,
    );
  const out = convOutput(shapes, convs, plan);
  if ('problem' in out) throw dataError(`${file}: ${out.problem}`, ...UNKNOWN_4D);
  const [C, H, W] = out.shape;
  checkAffineChain(shapes, numbers, convs + 1, C * H * W, file, `the ${C}x${H}x${W} = ${C * H * W} outputs of the convolutions`);
  const settled = chosen('relu');
  const act = activationLayer(settled.activation!);
  const layers: LayerSpec[] = [];
  for (let l = 1; l <= convs; l++) {
    layers.push({ kind: 'convolution', W: `W${l}`, b: `b${l}`, stride: 1, pad: plan.pads[l - 1] }, act);
    if (plan.poolAfter.has(l - 1)) layers.push({ kind: 'pooling', mode: 'max', size: 2, stride: 2, pad: 0 });
  }
  const [hidden, last] = [convs + 1, convs + 2];
  layers.push({ kind: 'flatten' }, { kind: 'affine', W: `W${hidden}`, b: `b${hidden}` }, act);
  if (plan === DEEP_CONVNET) layers.push({ kind: 'dropout', ratio: 0.5, convention: 'book' });
  layers.push({ kind: 'affine', W: `W${last}`, b: `b${last}` });
  if (plan === DEEP_CONVNET) layers.push({ kind: 'dropout', ratio: 0.5, convention: 'book' });
  layers.push({ kind: 'softmax' });
  return { recognised: plan === DEEP_CONVNET ? 'book-ch08-deep-convnet' : 'book-ch07-simple-convnet', inputShape: [1, SIDE, SIDE], layers, ...settled };
}
