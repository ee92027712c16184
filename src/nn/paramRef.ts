// Names one parameter element of a network the way numpy indexes it: `W1[409,18]` is row 409, column 18
// of W1: [in, out] (0-based), `b2[3]` is element 3 of b2; on any engine network, `W1[3,0,2,2]` is a convolution
// weight (one index per axis). Used by `sweep` and `probe`.
import { printable, usageError, type ErrorDetail } from '../errors';
import type { NamedParameter, Network as LayerNetwork, Real } from './layers';
import type { Network } from './network';

/** Messages about a reference start with "parameter '<text>'"; the CLI names the flag that gave it. */
const PARAMETER: ErrorDetail = { code: 'input', input: 'parameter' };

/** One parameter element, resolved against a network. */
export interface ParamElement {
  /** Canonical text, e.g. "W1[409,18]" or "b2[3]". */
  readonly label: string;
  /** Parameter name, e.g. "W1". */
  readonly name: string;
  readonly kind: 'W' | 'b';
  /** 0-based layer index into net.layers (W1 is layer 0). */
  readonly layer: number;
  /** Row of W (input unit); for b always 0. */
  readonly row: number;
  /** Column of W or index into b (output unit). */
  readonly col: number;
  /** Index into the parameter's flat row-major data. */
  readonly offset: number;
  /** Its value in the network (float32). */
  readonly value: number;
}

/** "W1 [784,50], b1 [50], W2 [50,10], b2 [10]": every parameter and its shape, in the book's order. */
export function describeParameters(net: Network): string {
  return net.layers
    .flatMap((layer, l) => [`W${l + 1} [${layer.W.rows},${layer.W.cols}]`, `b${l + 1} [${layer.b.length}]`])
    .join(', ');
}

/** Σ over W_l and b_l of their sizes: the number of scalar parameters. */
export function parameterCount(net: Network): number {
  return net.layers.reduce((n, layer) => n + layer.W.data.length + layer.b.length, 0);
}

/** The element W_{layer+1}[row, col] or b_{layer+1}[col] (row ignored) of a network; indices are trusted. */
export function parameterElement(net: Network, kind: 'W' | 'b', layer: number, row: number, col: number): ParamElement {
  const L = net.layers[layer];
  const name = `${kind}${layer + 1}`;
  if (kind === 'W') {
    const offset = row * L.W.cols + col;
    return { label: `${name}[${row},${col}]`, name, kind, layer, row, col, offset, value: L.W.data[offset] };
  }
  return { label: `${name}[${col}]`, name, kind, layer, row: 0, col, offset: col, value: L.b[col] };
}

const PARAM_REF = /^\s*([Wb])([0-9]+)\s*\[\s*([0-9]+)\s*(?:,\s*([0-9]+)\s*)?\]\s*$/;

/**
 * Parses and checks `W<l>[row,col]` or `b<l>[j]` against the network. A malformed reference, an
 * unknown parameter or an index out of range is a usage error (exit 2) that lists the parameters.
 */
export function resolveParamRef(net: Network, text: string): ParamElement {
  const hint = `the model's parameters are ${describeParameters(net)}; indices start at 0, e.g. W1[409,18] or b2[3]`;
  const m = PARAM_REF.exec(text);
  if (!m) throw usageError(`parameter '${printable(text)}': not a parameter element: expected W<layer>[row,col] or b<layer>[index]`, hint, PARAMETER);
  const kind = m[1] as 'W' | 'b';
  const layerNumber = Number(m[2]);
  const name = `${kind}${layerNumber}`;
  if (layerNumber < 1 || layerNumber > net.layers.length) {
    throw usageError(`parameter '${printable(text)}': the model has no parameter ${name} (it has ${net.layers.length} layers)`, hint, PARAMETER);
  }
  const layer = net.layers[layerNumber - 1];
  const shape = kind === 'W' ? [layer.W.rows, layer.W.cols] : [layer.b.length];
  const index = m[4] === undefined ? [Number(m[3])] : [Number(m[3]), Number(m[4])];
  if (index.length !== shape.length) {
    throw usageError(`parameter '${printable(text)}': ${name} has shape [${shape.join(',')}], so it takes ${shape.length} index${shape.length > 1 ? 'es' : ''}, found ${index.length}`, hint, PARAMETER);
  }
  index.forEach((i, d) => {
    if (!Number.isSafeInteger(i) || i >= shape[d]) {
      throw usageError(`parameter '${printable(text)}': index ${i} is out of range for axis ${d} of ${name} [${shape.join(',')}] (0 to ${shape[d] - 1})`, hint, PARAMETER);
    }
  });
  return kind === 'W' ? parameterElement(net, 'W', layerNumber - 1, index[0], index[1]) : parameterElement(net, 'b', layerNumber - 1, 0, index[0]);
}

/**
 * The element at a flat index into all parameters laid end to end in the order W1, b1, W2, b2, ...
 * (each row-major): numpy's `np.concatenate([p.ravel() for p in (W1, b1, W2, b2, ...)])[flat]`.
 */
export function parameterAtFlatIndex(net: Network, flat: number): ParamElement {
  let rest = flat;
  for (let l = 0; l < net.layers.length; l++) {
    const { W, b } = net.layers[l];
    if (rest < W.data.length) return parameterElement(net, 'W', l, Math.floor(rest / W.cols), rest % W.cols);
    rest -= W.data.length;
    if (rest < b.length) return parameterElement(net, 'b', l, 0, rest);
    rest -= b.length;
  }
  throw new RangeError(`parameterAtFlatIndex: ${flat} is beyond the ${parameterCount(net)} parameters`);
}

// ---- Any engine network (src/nn/layers Network): parameters as Network.parameters() names them ----

/** One element of a parameter tensor of an engine network: `W1[3,0,2,2]` (a convolution weight), `b2[7]`, `gamma1[4]`. */
export interface NetworkParamElement {
  /** Canonical text, e.g. "W1[3,0,2,2]". */
  readonly label: string;
  /** Parameter name as Network.parameters() gives it, e.g. "W1", "gamma1". */
  readonly name: string;
  /** Index of the owning layer in Network.layers. */
  readonly layer: number;
  /** The parameter's name inside its layer: W, b, gamma or beta. */
  readonly local: string;
  readonly shape: readonly number[];
  /** C-order index, one entry per axis. */
  readonly index: readonly number[];
  /** Index into the parameter's flat data. */
  readonly offset: number;
  /** The parameter's values (the layer's own array: writing it changes the network). */
  readonly data: Real;
  /** Its value in the network. */
  readonly value: number;
}

/** "W1 [30,1,5,5], b1 [30], W2 [4320,100], …": every parameter and its shape, in parameters() order. */
export function describeNetworkParameters(net: LayerNetwork): string {
  return net.parameters().map((p) => `${p.name} [${p.shape.join(',')}]`).join(', ');
}

/** Σ of the parameters' sizes. */
export function networkParameterCount(net: LayerNetwork): number {
  return net.parameters().reduce((n, p) => n + p.value.length, 0);
}

/** The element of parameter `p` (one of net.parameters()) at flat `offset` (C order); trusted. */
function elementOf(net: LayerNetwork, p: NamedParameter, offset: number): NetworkParamElement {
  const index: number[] = new Array(p.shape.length);
  let rest = offset;
  for (let d = p.shape.length - 1; d >= 0; d--) { index[d] = rest % p.shape[d]; rest = Math.floor(rest / p.shape[d]); }
  const local = net.layers[p.layer].params().find((q) => q.value === p.value)?.name ?? p.name.replace(/[0-9]+$/, '');
  return { label: `${p.name}[${index.join(',')}]`, name: p.name, layer: p.layer, local, shape: p.shape, index, offset, data: p.value, value: p.value[offset] };
}

/**
 * The element at a flat index into all parameters laid end to end in parameters() order (W1, b1, W2, …, each C
 * order): numpy's `np.concatenate([p.ravel() for p in params])[flat]`.
 */
export function networkParameterAtFlatIndex(net: LayerNetwork, flat: number): NetworkParamElement {
  let rest = flat;
  for (const p of net.parameters()) {
    if (rest < p.value.length) return elementOf(net, p, rest);
    rest -= p.value.length;
  }
  throw new RangeError(`networkParameterAtFlatIndex: ${flat} is beyond the ${networkParameterCount(net)} parameters`);
}

const NETWORK_PARAM_REF = /^\s*([A-Za-z_]+[0-9]+)\s*\[\s*([0-9]+(?:\s*,\s*[0-9]+)*)\s*\]\s*$/;

/**
 * Parses and checks `<name>[i,j,…]` (as many indices as the parameter has axes) against an engine network's
 * parameters. A malformed reference, an unknown name or an index out of range is a usage error (exit 2) listing them.
 */
export function resolveNetworkParamRef(net: LayerNetwork, text: string): NetworkParamElement {
  const params = net.parameters();
  const hint = `the model's parameters are ${describeNetworkParameters(net)}; indices start at 0, one per axis, e.g. ${params[0].name}[${params[0].shape.map(() => 0).join(',')}]`;
  const m = NETWORK_PARAM_REF.exec(text);
  if (!m) throw usageError(`parameter '${printable(text)}': not a parameter element: expected a name and one index per axis, e.g. W1[3,0,2,2] or b2[3]`, hint, PARAMETER);
  const p = params.find((q) => q.name === m[1]);
  if (p === undefined) throw usageError(`parameter '${printable(text)}': the model has no parameter ${printable(m[1])}`, hint, PARAMETER);
  const index = m[2].split(',').map((s) => Number(s.trim()));
  if (index.length !== p.shape.length)
    throw usageError(`parameter '${printable(text)}': ${p.name} has shape [${p.shape.join(',')}], so it takes ${p.shape.length} index${p.shape.length > 1 ? 'es' : ''}, found ${index.length}`, hint, PARAMETER);
  let offset = 0;
  index.forEach((i, d) => {
    if (!Number.isSafeInteger(i) || i >= p.shape[d])
      throw usageError(`parameter '${printable(text)}': index ${i} is out of range for axis ${d} of ${p.name} [${p.shape.join(',')}] (0 to ${p.shape[d] - 1})`, hint, PARAMETER);
    offset = offset * p.shape[d] + i;
  });
  return elementOf(net, p, offset);
}
