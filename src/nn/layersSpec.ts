// The --layers grammar: a network written as dash-separated layer tokens, e.g. the book's ch07 SimpleConvNet
// conv30x5-relu-pool2-affine100-relu-affine10, parsed strictly into architecture.ts LayerSpecs (tensors named
// W1, b1, W2, ... over the convolutions and affine layers in order, as Network.parameters() names them).
//
//   spec   := layer ('-' layer)*            ends in affine10 (the 10 class scores; the softmax is implied)
//   layer  := 'conv' FN 'x' F ['s' S] ['p' P]   convolution: FN filters of F×F, stride S (1), zero pad P (0)
//           | 'pool' S                        max pooling S×S, stride S (the book's Pooling(S, S, stride=S))
//           | 'affine' M                      fully connected, M outputs (a [C, H, W] input is flattened, C order)
//           | 'relu' | 'sigmoid' | 'tanh'
import type { HiddenActivation, LayerSpec } from './architecture';

/** The book's ch07 SimpleConvNet (train_convnet.py): conv 30×5×5 pad 0 stride 1, ReLU, max pool 2×2, Affine 100, ReLU, Affine 10. */
export const SIMPLE_CONVNET_SPEC = 'conv30x5-relu-pool2-affine100-relu-affine10';

/** Bounds of the numbers in a token (a filter larger than the image fails the shape check anyway). */
export const SPEC_LIMITS = { filters: 1024, kernel: 28, stride: 28, pad: 14, pool: 28, width: 100_000, layers: 32 } as const;

/** What a spec describes, with the shapes it implies on an image of the given size. */
export interface ParsedLayers {
  /** The layers as architecture.ts plain data, a flatten before the first affine after a convolution, a final softmax. */
  readonly layers: readonly LayerSpec[];
  /** The spec as written back (the canonical spelling: conv30x5, not conv30x5s1p0). */
  readonly canonical: string;
  /** [1, H, W] when the spec has a convolution or pooling, else [H·W]. */
  readonly inputShape: readonly number[];
  /** Tensor name -> shape, in the book's order (W1, b1, W2, b2, ...). */
  readonly tensors: ReadonlyMap<string, readonly number[]>;
  /** Σ of the tensors' sizes. */
  readonly parameters: number;
  /** Multiply-adds of one image's forward pass (convolutions and affine layers). */
  readonly multiplyAdds: number;
  /** The first hidden activation named, or null for none. */
  readonly activation: HiddenActivation | null;
}

/** Why a spec was refused: the token (1-based position) and the problem, for the caller to word as a flag or file error. */
export interface SpecProblem {
  readonly token: string;
  readonly position: number;
  readonly problem: string;
}

export const SPEC_GRAMMAR = 'layers joined by "-": convFNxF[sS][pP] (FN filters FxF, stride S, pad P), poolS (max SxS), affineM, relu, sigmoid, tanh; ending in affine10, e.g. ' + SIMPLE_CONVNET_SPEC;

type Token =
  | { kind: 'convolution'; filters: number; kernel: number; stride: number; pad: number }
  | { kind: 'pooling'; size: number }
  | { kind: 'affine'; width: number }
  | { kind: HiddenActivation };

const NUMBER = '([1-9][0-9]{0,6})';
const CONV = new RegExp(`^conv${NUMBER}x${NUMBER}(?:s${NUMBER})?(?:p(0|[1-9][0-9]{0,6}))?$`);
const POOL = new RegExp(`^pool${NUMBER}$`);
const AFFINE = new RegExp(`^affine${NUMBER}$`);

/** One token -> its layer, or the reason it is not one (numbers out of range, unknown words). */
function tokenOf(text: string): Token | string {
  if (text === 'relu' || text === 'sigmoid' || text === 'tanh') return { kind: text };
  let m = CONV.exec(text);
  if (m) {
    const [filters, kernel, stride, pad] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 1), Number(m[4] ?? 0)];
    if (filters > SPEC_LIMITS.filters) return `at most ${SPEC_LIMITS.filters} filters`;
    if (kernel > SPEC_LIMITS.kernel) return `a filter of at most ${SPEC_LIMITS.kernel}x${SPEC_LIMITS.kernel}`;
    if (stride > SPEC_LIMITS.stride) return `a stride of at most ${SPEC_LIMITS.stride}`;
    if (pad >= kernel || pad > SPEC_LIMITS.pad) return `a pad below the filter size ${kernel} (and at most ${SPEC_LIMITS.pad})`;
    return { kind: 'convolution', filters, kernel, stride, pad };
  }
  if ((m = POOL.exec(text))) {
    const size = Number(m[1]);
    return size > SPEC_LIMITS.pool ? `a pool of at most ${SPEC_LIMITS.pool}x${SPEC_LIMITS.pool}` : { kind: 'pooling', size };
  }
  if ((m = AFFINE.exec(text))) {
    const width = Number(m[1]);
    return width > SPEC_LIMITS.width ? `an affine layer of at most ${SPEC_LIMITS.width} outputs` : { kind: 'affine', width };
  }
  return 'not a layer';
}

function canonicalOf(t: Token): string {
  switch (t.kind) {
    case 'convolution': return `conv${t.filters}x${t.kernel}${t.stride !== 1 ? `s${t.stride}` : ''}${t.pad !== 0 ? `p${t.pad}` : ''}`;
    case 'pooling': return `pool${t.size}`;
    case 'affine': return `affine${t.width}`;
    default: return t.kind;
  }
}

/**
 * Parses a --layers spec for images of rows × cols pixels (28 × 28 for MNIST): the grammar above, then the shapes
 * (each convolution and pooling must fit its input; neither may follow an affine layer; the last layer is affine10).
 */
export function parseLayersSpec(text: string, rows = 28, cols = 28): ParsedLayers | { readonly problem: SpecProblem } {
  const words = text.split('-');
  const fail = (i: number, problem: string) => ({ problem: { token: words[i], position: i + 1, problem } });
  if (words.length > SPEC_LIMITS.layers) return fail(SPEC_LIMITS.layers, `a spec has at most ${SPEC_LIMITS.layers} layers`);
  const tokens: Token[] = [];
  for (let i = 0; i < words.length; i++) {
    const t = tokenOf(words[i]);
    if (typeof t === 'string') return fail(i, words[i] === '' ? 'an empty layer (two dashes, or a dash at an end)' : t === 'not a layer' ? 'not a layer' : `expected ${t}`);
    tokens.push(t);
  }
  const spatial = tokens.some((t) => t.kind === 'convolution' || t.kind === 'pooling');
  const inputShape = spatial ? [1, rows, cols] : [rows * cols];
  let shape: number[] = [...inputShape];
  const layers: LayerSpec[] = [];
  const tensors = new Map<string, number[]>();
  let weighted = 0, parameters = 0, multiplyAdds = 0;
  let activation: HiddenActivation | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const flat = shape.length === 1;
    switch (t.kind) {
      case 'convolution': {
        if (flat) return fail(i, `a convolution needs an image [C, H, W], but the layers before it make a vector of ${shape[0]}`);
        const [C, H, W] = shape;
        const OH = Math.floor((H + 2 * t.pad - t.kernel) / t.stride) + 1, OW = Math.floor((W + 2 * t.pad - t.kernel) / t.stride) + 1;
        if (!(OH >= 1 && OW >= 1)) return fail(i, `a ${t.kernel}x${t.kernel} filter with pad ${t.pad} does not fit its ${H}x${W} input`);
        weighted++;
        tensors.set(`W${weighted}`, [t.filters, C, t.kernel, t.kernel]).set(`b${weighted}`, [t.filters]);
        parameters += t.filters * C * t.kernel * t.kernel + t.filters;
        multiplyAdds += OH * OW * t.filters * C * t.kernel * t.kernel;
        layers.push({ kind: 'convolution', W: `W${weighted}`, b: `b${weighted}`, stride: t.stride, pad: t.pad });
        shape = [t.filters, OH, OW];
        break;
      }
      case 'pooling': {
        if (flat) return fail(i, `pooling needs an image [C, H, W], but the layers before it make a vector of ${shape[0]}`);
        const [C, H, W] = shape;
        const OH = Math.floor((H - t.size) / t.size) + 1, OW = Math.floor((W - t.size) / t.size) + 1;
        if (!(OH >= 1 && OW >= 1)) return fail(i, `a ${t.size}x${t.size} pool does not fit its ${H}x${W} input`);
        layers.push({ kind: 'pooling', mode: 'max', size: t.size, stride: t.size, pad: 0 });
        shape = [C, OH, OW];
        break;
      }
      case 'affine': {
        if (!flat) layers.push({ kind: 'flatten' });
        const inputs = shape.reduce((p, d) => p * d, 1);
        weighted++;
        tensors.set(`W${weighted}`, [inputs, t.width]).set(`b${weighted}`, [t.width]);
        parameters += (inputs + 1) * t.width;
        multiplyAdds += inputs * t.width;
        layers.push({ kind: 'affine', W: `W${weighted}`, b: `b${weighted}` });
        shape = [t.width];
        break;
      }
      default:
        activation ??= t.kind;
        layers.push({ kind: t.kind });
    }
  }
  const last = tokens[tokens.length - 1];
  if (last.kind !== 'affine' || last.width !== 10)
    return fail(tokens.length - 1, 'the last layer must be affine10, the 10 class scores (the softmax is implied)');
  layers.push({ kind: 'softmax' });
  return { layers, canonical: tokens.map(canonicalOf).join('-'), inputShape, tensors, parameters, multiplyAdds, activation };
}

/** "token 3 'pool9' of 'conv30x5-relu-pool9-...': a 9x9 pool does not fit its 24x24 input" (untrusted text made printable by the caller). */
export function describeSpecProblem(p: SpecProblem): string {
  return `layer ${p.position} '${p.token}': ${p.problem}`;
}
