// Named tensors (W1, b1, W2, b2, ...) <-> Network, with every check a model file needs before its
// numbers are trusted: the book's parameter dict (ch03 sample_weight.pkl, ch04 TwoLayerNet.params).
import { dataError, printable } from '../errors';
import type { Activation, Layer, Network } from './network';

/** Pixels per MNIST image (28 × 28): the width W1 must take. */
export const INPUT_SIZE = 784;
/** Digit classes: the width the last layer must produce. */
export const OUTPUT_SIZE = 10;

/** One array as a file parser returns it: row-major data with its shape. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

const PARAM_NAME = /^([Wb])([1-9][0-9]*)$/;
const HINT_NAMES = 'a model holds exactly W1, b1, W2, b2, ... with W_l shaped [in, out] and b_l shaped [out]';
const HINT_SHAPES = `layer widths must chain ${INPUT_SIZE} -> ... -> ${OUTPUT_SIZE}: W1 is [${INPUT_SIZE}, H1], b1 is [H1], W2 is [H1, H2], ..., the last W is [H, ${OUTPUT_SIZE}]`;

/** At most this many dimensions of a shape are shown in a message (a file may declare thousands). */
const MAX_SHOWN_DIMS = 8;
const showShape = (shape: readonly number[]) =>
  shape.length > MAX_SHOWN_DIMS ? `[${shape.slice(0, MAX_SHOWN_DIMS).join(', ')}, ... (${shape.length} dimensions)]` : `[${shape.join(', ')}]`;

/** Flat index of the first NaN or ±Infinity, or undefined when every value is finite. */
function firstNonFinite(data: Float32Array | Float64Array): number | undefined {
  // includes() runs natively and, unlike indexOf, finds NaN: a model is checked in ~0.1 ms, where the loop
  // alone, still unoptimised at start-up, took 2-10 ms for the 45,000 values of the book's network
  if (!data.includes(NaN) && !data.includes(Infinity) && !data.includes(-Infinity)) return undefined;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return undefined;
}

/**
 * Builds a Network from a file's tensors. Requires exactly W1, b1, ..., WL, bL (no gaps, nothing else),
 * W_l 2-D [in, out], b_l 1-D [out], widths chaining 784 -> ... -> 10, every value finite.
 * Float64 tensors are narrowed to float32 (the precision the forward pass runs in); a value that is
 * finite in float64 but overflows float32 is refused like a NaN. Throws dataError (exit 3) naming `name`.
 */
export function networkFromTensors(
  tensors: ReadonlyMap<string, NamedTensor>,
  activation: Activation,
  name: string,
): Network {
  const depth = checkParameterNames(new Set(tensors.keys()), name);
  const layers: Layer[] = [];
  let width = INPUT_SIZE; // the width the next W must take: 784 for W1, then the previous layer's out
  for (let l = 1; l <= depth; l++) {
    const W = tensors.get(`W${l}`)!;
    const b = tensors.get(`b${l}`)!;
    if (W.shape.length !== 2)
      throw dataError(`${name}: W${l} should be a 2-D matrix [in, out], found shape ${showShape(W.shape)}`, HINT_SHAPES);
    const [rows, cols] = W.shape;
    if (rows !== width)
      throw dataError(
        l === 1
          ? `${name}: W1 should have ${INPUT_SIZE} rows (one per pixel), found shape ${showShape(W.shape)}`
          : `${name}: W${l} should have ${width} rows (W${l - 1} has ${width} columns), found shape ${showShape(W.shape)}`,
        HINT_SHAPES,
      );
    if (cols === 0) throw dataError(`${name}: W${l} has 0 columns, found shape ${showShape(W.shape)}; a layer needs at least one unit`, HINT_SHAPES);
    if (l === depth && cols !== OUTPUT_SIZE)
      throw dataError(`${name}: the last layer W${l} should have ${OUTPUT_SIZE} columns (one per digit), found shape ${showShape(W.shape)}`, HINT_SHAPES);
    if (b.shape.length !== 1 || b.shape[0] !== cols)
      throw dataError(`${name}: b${l} should have shape [${cols}] to match W${l} ${showShape(W.shape)}, found ${showShape(b.shape)}`, HINT_SHAPES);
    layers.push({ W: { rows, cols, data: toFinite32(W.data, `W${l}`, name) }, b: toFinite32(b.data, `b${l}`, name) });
    width = cols;
  }
  return { layers, activation };
}

/** How many names a message lists before it counts the rest. */
const MAX_LISTED_NAMES = 10;

/** Names from a file, each made printable, at most MAX_LISTED_NAMES of them before "and N more". */
function listNames(names: readonly string[], show: (name: string) => string = printable): string {
  const listed = names.slice(0, MAX_LISTED_NAMES).map((n) => show(n)).join(', ');
  return names.length > MAX_LISTED_NAMES ? `${listed} and ${names.length - MAX_LISTED_NAMES} more` : listed;
}

/**
 * The number of layers L when the names are exactly W1, b1, ..., WL, bL; otherwise a dataError (exit 3)
 * naming a stray name or what is missing. Walks only the layer numbers present (sorted), so W999999999 costs
 * one step, not a billion: the gaps between them are counted with BigInt arithmetic and at most
 * MAX_LISTED_NAMES named. The one check of the book's W/b naming, for reading (nn/architecture.ts) and writing.
 */
export function checkParameterNames(tensors: ReadonlySet<string>, name: string): number {
  const unknown = [...tensors].filter((k) => !PARAM_NAME.test(k));
  if (unknown.length > 0)
    throw dataError(
      `${name}: unexpected tensor${unknown.length > 1 ? 's' : ''} ${listNames(unknown, (k) => `"${printable(k)}"`)}; expected only W1, b1, W2, b2, ...`,
      HINT_NAMES,
    );
  const present = new Set<string>();
  for (const k of tensors) present.add(PARAM_NAME.exec(k)![2]);
  if (present.size === 0) throw dataError(`${name}: no tensors found; expected W1, b1, W2, b2, ...`, HINT_NAMES);
  // digit strings without leading zeros sort numerically by (length, text): exact for any length
  const layers = [...present].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const named: string[] = [];
  let total = 0n; // every missing tensor, named or not
  const note = (tensor: string) => { total++; if (named.length < MAX_LISTED_NAMES) named.push(tensor); };
  let previous = 0n;
  for (const digits of layers) {
    const l = BigInt(digits);
    // layers previous+1 .. l-1 are absent (two tensors each); name the first few, count the rest
    for (let g = previous + 1n; g < l && named.length < MAX_LISTED_NAMES; g++) named.push(`W${g}`, `b${g}`);
    total += 2n * (l - previous - 1n);
    for (const p of ['W', 'b']) if (!tensors.has(`${p}${digits}`)) note(`${p}${digits}`);
    previous = l;
  }
  if (total > 0n) {
    const shown = named.slice(0, MAX_LISTED_NAMES);
    const last = printable(layers[layers.length - 1]);
    throw dataError(
      `${name}: missing ${shown.map((n) => printable(n)).join(', ')}${total > BigInt(shown.length) ? ` and ${printable(String(total - BigInt(shown.length)))} more` : ''}: ` +
        `found ${listNames([...tensors])}, expected W1, b1, ... up to W${last}, b${last} with no gaps`,
      HINT_NAMES,
    );
  }
  return layers.length;
}

/** Checks every value is finite and returns float32 data (the same array when it already is float32). */
function toFinite32(data: Float32Array | Float64Array, tensor: string, name: string): Float32Array {
  const bad = firstNonFinite(data);
  if (bad !== undefined)
    throw dataError(`${name}: ${tensor} holds a non-finite value: ${tensor}[${bad}] (flat index) = ${data[bad]}`, 'the model has diverged or the file is damaged; retrain or re-export it');
  if (data instanceof Float32Array) return data;
  // Float64 files are narrowed to float32 here: the network computes in float32 throughout.
  const narrowed = Float32Array.from(data);
  const overflow = firstNonFinite(narrowed);
  if (overflow !== undefined)
    throw dataError(`${name}: ${tensor}[${overflow}] (flat index) = ${data[overflow]} does not fit in float32`, 'scale the weights down or re-export the model');
  return narrowed;
}

/** The network's parameters as named tensors, in the book's order W1, b1, W2, b2, ... (no copies). */
export function tensorsFromNetwork(net: Network): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  net.layers.forEach((layer, i) => {
    out.set(`W${i + 1}`, { shape: [layer.W.rows, layer.W.cols], data: layer.W.data });
    out.set(`b${i + 1}`, { shape: [layer.b.length], data: layer.b });
  });
  return out;
}
