// PyTorch state_dicts -> the engine's layers: torch.save zips (data.pkl + data/<key> storages, read through
// pickle.ts's weights_only profile) and safetensors.torch.save_file files. Mirrors torch/serialization.py _load
// (records under one archive folder, persistent_load by key, the byteorder record) and torch._utils
// _rebuild_tensor_v2 (storage offset, size, stride). A state_dict has no activation and no layer order: the
// Linear layers are chained by shape, 784 -> ... -> 10, and the activation comes from --activation.
import { dataError, MnistLossError, modelUnsupported, printable, usageError } from '../../errors';
import { ACTIVATION_HINT, ACTIVATION_MISSING, type LayerSpec } from '../../nn/architecture';
import type { FileTensor } from '../../nn/buildNetwork';
import { parseTorchPickle, type TorchDtype, type TorchTensorRef } from '../pickle';
import { parseSafetensors, safetensorsNames, widenBfloat16, widenFloat16, type SafetensorsReadDtype } from '../safetensors';
import { readZipEntries, type InflateRaw, type ZipEntry } from '../zip';
import type { FrameworkModel, ReadContext } from './types';

const PIXELS = 784;
const CLASSES = 10;
/** PyTorch's BatchNorm1d default; a state_dict does not store eps. */
const BATCHNORM_EPS = 1e-5;
/** The most values all tensors may gather together (views may share a storage, so storages alone do not bound it). */
const MAX_GATHERED_VALUES = 64 * 1024 * 1024;
/** Chain-search steps before the order is called ambiguous (a real MLP needs a handful). */
const CHAIN_SEARCH_BUDGET = 100_000;

/** The legacy (pre-1.6, _use_new_zipfile_serialization=False) magic number 0x1950a86a20f9469cfc6c, as LONG1 bytes. */
const LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const PARAM_SUFFIX = /^(.+)\.(weight|bias|running_mean|running_var|num_batches_tracked)$/;
const DATA_PKL = /^([^/]+)\/data\.pkl$/;

const HINT_DAMAGED = 'the file is damaged or truncated: save it again with torch.save(model.state_dict(), path)';
const ONNX_FIX = "export the model to ONNX (torch.onnx.export(model, torch.zeros(1, 784), 'model.onnx')) so that its layers travel with it";
const ONNX = modelUnsupported(ONNX_FIX);
const CONV = modelUnsupported("export the model to ONNX (torch.onnx.export(model, torch.zeros(1, 1, 28, 28), 'model.onnx')) and pass that file");

const ITEM_BYTES: Readonly<Record<TorchDtype, number>> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4 };
const FROM_SAFETENSORS: Readonly<Record<SafetensorsReadDtype, TorchDtype>> = { F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64' };

/** One state_dict entry: float values (row-major, C order), or null for an integer buffer. */
interface Param {
  readonly shape: readonly number[];
  readonly dtype: TorchDtype;
  readonly data: Float32Array | Float64Array | null;
}

const isLegacy = (bytes: Uint8Array): boolean => {
  // PROTO n, an optional FRAME (protocol 4+), then LONG1 of the magic number
  if (bytes.length < 2 || bytes[0] !== 0x80) return false;
  const at = bytes[2] === 0x95 ? 11 : 2;
  return LEGACY_MAGIC.every((b, i) => bytes[at + i] === b);
};

/** The name of the zip member whose local header starts the file (torch.save writes data.pkl first). */
function firstZipMember(bytes: Uint8Array): string | undefined {
  if (bytes.length < 30 || bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 3 || bytes[3] !== 4) return undefined;
  const nameLength = bytes[26] | (bytes[27] << 8);
  if (30 + nameLength > bytes.length) return undefined;
  return new TextDecoder('utf-8').decode(bytes.subarray(30, 30 + nameLength));
}

const refuseInflate: InflateRaw = () => { throw new Error('looksPytorch reads no member'); };

/** A zip holding <name>/data.pkl: what torch.save writes (checked by the first member, or the central directory). */
function isTorchZip(bytes: Uint8Array): boolean {
  const first = firstZipMember(bytes);
  if (first === undefined) return false;
  if (DATA_PKL.test(first)) return true;
  try {
    return readZipEntries(bytes, 'sniff', refuseInflate).some((e) => DATA_PKL.test(e.name));
  } catch {
    return false; // a damaged zip that does not start with data.pkl is left to the other zip readers
  }
}

/**
 * Whether the bytes are a PyTorch file: a torch.save zip (<name>/data.pkl), the legacy torch.save format (a
 * pickle of its magic number), or a safetensors file with PyTorch's names (<module>.weight, <module>.bias, ...).
 * Our own safetensors dialect (W1, b1, ...) never has a '.' in a name, so it is not claimed.
 */
export function looksPytorch(bytes: Uint8Array, _file: string): boolean {
  if (isLegacy(bytes) || isTorchZip(bytes)) return true;
  const names = safetensorsNames(bytes);
  return names !== undefined && names.some((n) => PARAM_SUFFIX.test(n));
}

/**
 * Reads a PyTorch state_dict (torch.save zip or safetensors) and maps it onto the engine: an MLP of Linear
 * layers chained by shape (weights transposed from [out, in]), BatchNorm1d placed after the Linear it follows,
 * the activation from ctx.activation. Refuses the legacy format, a whole pickled nn.Module, TorchScript,
 * convolutions and anything it cannot place, with the fix.
 */
export function parsePytorch(bytes: Uint8Array, file: string, ctx: ReadContext, inflateRaw: InflateRaw): FrameworkModel {
  if (isLegacy(bytes))
    throw dataError(
      `${file}: a PyTorch file in the legacy torch.save format (_use_new_zipfile_serialization=False, before PyTorch 1.6); mnist-loss reads the zip format torch.save writes by default, and safetensors`,
      'in Python: sd = torch.load(path, weights_only=True); torch.save(sd, "model.pt") (or safetensors.torch.save_file(sd, "model.safetensors"))',
    );
  if (firstZipMember(bytes) !== undefined) return mapStateDict(readTorchZip(bytes, file, inflateRaw), file, ctx, 'zip');
  return mapStateDict(readTorchSafetensors(bytes, file), file, ctx, 'safetensors');
}

/** Zip damage reported with PyTorch's fix rather than the npz one. */
function withTorchHint<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MnistLossError) throw dataError(e.message, HINT_DAMAGED);
    throw e;
  }
}

function readTorchZip(bytes: Uint8Array, file: string, inflateRaw: InflateRaw): Map<string, Param> {
  const entries = withTorchHint(() => readZipEntries(bytes, file, inflateRaw));
  const pkls = entries.filter((e) => DATA_PKL.test(e.name));
  if (pkls.length !== 1)
    throw dataError(
      pkls.length === 0
        ? `${file}: a zip without <name>/data.pkl; a PyTorch torch.save file holds one`
        : `${file}: ${pkls.length} data.pkl records (${pkls.slice(0, 3).map((e) => printable(e.name, 60)).join(', ')}); a torch.save file holds one`,
      HINT_DAMAGED,
    );
  const prefix = DATA_PKL.exec(pkls[0].name)![1];
  const byName = new Map(entries.map((e) => [e.name, e]));
  if (byName.has(`${prefix}/constants.pkl`) || entries.some((e) => e.name.startsWith(`${prefix}/code/`)))
    throw dataError(`${file}: a TorchScript archive (torch.jit.save / torch.jit.script), not a state_dict; its layers are TorchScript code`, ...modelUnsupported(`save model.state_dict() instead, or ${ONNX_FIX}`));
  const order = byName.get(`${prefix}/byteorder`);
  if (order !== undefined) {
    const text = new TextDecoder('latin1').decode(withTorchHint(() => order.prefix(16)));
    if (text === 'big')
      throw dataError(`${file}: saved on a big-endian machine (byteorder "big"); mnist-loss reads little-endian PyTorch files`, 'load it with torch.load(path, weights_only=True) on any machine and save it again on a little-endian one (x86, ARM)');
    if (text !== 'little') throw dataError(`${file}: byteorder record says "${printable(text, 20)}", expected "little" or "big"`, HINT_DAMAGED);
  }
  const refs = parseTorchPickle(withTorchHint(() => pkls[0].bytes()), `${file} (${printable(pkls[0].name, 80)})`);

  const storages = new Map<string, Uint8Array>();
  const storageBytes = (ref: TorchTensorRef, tensor: string): Uint8Array => {
    const { key, dtype, numel } = ref.storage;
    const cached = storages.get(key);
    if (cached !== undefined) return cached;
    const member: ZipEntry | undefined = byName.get(`${prefix}/data/${key}`);
    if (member === undefined) throw dataError(`${file}: tensor ${quoted(tensor)} refers to storage "${key}", but the archive has no ${printable(prefix, 60)}/data/${key}`, HINT_DAMAGED);
    const needed = numel * ITEM_BYTES[dtype];
    if (member.size !== needed) // checked before the member is read or inflated
      throw dataError(`${file}: storage "${key}" declares ${numel} ${dtype} values (${needed} bytes), but its record holds ${member.size} bytes`, HINT_DAMAGED);
    const data = withTorchHint(() => member.bytes());
    storages.set(key, data);
    return data;
  };

  const params = new Map<string, Param>();
  let gathered = 0;
  for (const [name, ref] of refs) {
    const count = ref.size.reduce((p, d) => p * d, 1);
    gathered += count;
    if (!Number.isSafeInteger(count) || gathered > MAX_GATHERED_VALUES)
      throw dataError(`${file}: the tensors hold more than ${MAX_GATHERED_VALUES} values together (limit reached at ${quoted(name)} of size [${ref.size.join(', ')}])`, 'a model for MNIST is far smaller: check that this is the right file');
    checkExtent(ref, name, file);
    const isFloat = ref.storage.dtype !== 'int64' && ref.storage.dtype !== 'int32';
    params.set(name, { shape: ref.size, dtype: ref.storage.dtype, data: isFloat ? gather(storageBytes(ref, name), ref, count) : null });
  }
  return params;
}

const quoted = (name: string) => `"${printable(name, 80)}"`;

/** Every element a tensor's size and stride reach lies inside its storage: offset + Σ (size_i − 1) · stride_i < numel. */
function checkExtent(ref: TorchTensorRef, name: string, file: string): void {
  if (ref.size.some((d) => d === 0)) return; // an empty tensor reads nothing
  const last = ref.size.reduce((at, d, i) => at + (d - 1) * ref.stride[i], ref.offset);
  if (!(last < ref.storage.numel))
    throw dataError(
      `${file}: tensor ${quoted(name)} (offset ${ref.offset}, size [${ref.size.join(', ')}], stride [${ref.stride.join(', ')}]) reaches element ${last} of storage "${ref.storage.key}", which holds ${ref.storage.numel}`,
      HINT_DAMAGED,
    );
}

/** The tensor's values in C order, gathered through its strides (a transposed or offset view reads correctly). */
function gather(raw: Uint8Array, ref: TorchTensorRef, count: number): Float32Array | Float64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dtype = ref.storage.dtype;
  const out = dtype === 'float64' ? new Float64Array(count) : new Float32Array(count);
  const bits = dtype === 'float16' || dtype === 'bfloat16' ? new Uint16Array(count) : null;
  const { size, stride } = ref;
  const index = new Array<number>(size.length).fill(0);
  let at = ref.offset;
  for (let i = 0; i < count; i++) {
    if (bits !== null) bits[i] = view.getUint16(at * 2, true);
    else out[i] = dtype === 'float64' ? view.getFloat64(at * 8, true) : view.getFloat32(at * 4, true);
    // odometer over the dimensions, last fastest: the storage position follows by strides
    for (let d = size.length - 1; d >= 0; d--) {
      at += stride[d];
      if (++index[d] < size[d]) break;
      at -= stride[d] * size[d];
      index[d] = 0;
    }
  }
  if (bits === null) return out;
  return dtype === 'float16' ? widenFloat16(bits) : widenBfloat16(bits);
}

function readTorchSafetensors(bytes: Uint8Array, file: string): Map<string, Param> {
  const st = parseSafetensors(bytes, file, { int64: true });
  const params = new Map<string, Param>();
  for (const [name, t] of st.tensors) params.set(name, { shape: t.shape, dtype: FROM_SAFETENSORS[t.dtype], data: t.dtype === 'I64' ? null : t.data });
  return params;
}

interface Linear { readonly name: string; readonly W: Param; readonly b: Param | undefined; readonly inputs: number; readonly outputs: number }
interface BatchNorm { readonly name: string; readonly features: number; readonly gamma?: Param; readonly beta?: Param; readonly mean: Param; readonly var: Param }

const showShape = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Natural order of module names: digit runs compare as numbers ("2" < "10", "fc2" < "fc10"). */
function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/), pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    if (i % 2 === 1) return pa[i].length - pb[i].length || (pa[i] < pb[i] ? -1 : 1); // digit runs (no leading sign)
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The float values of a parameter, or a refusal naming an integer one. */
function floatParam(p: Param, name: string, file: string): Param {
  if (p.data === null) throw dataError(`${file}: ${quoted(name)} is an ${p.dtype} tensor; weights must be floating point`, ...ONNX);
  return p;
}

/** Groups the state_dict by module and sorts each into a Linear or a BatchNorm1d; anything else is refused. */
function classify(params: ReadonlyMap<string, Param>, file: string): { linears: Linear[]; norms: BatchNorm[]; ignored: string[] } {
  const unknown = [...params.keys()].filter((k) => !PARAM_SUFFIX.test(k));
  if (unknown.length > 0)
    throw dataError(
      `${file}: ${unknown.slice(0, 5).map(quoted).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}: not a Linear or BatchNorm1d parameter (<module>.weight, .bias, .running_mean, .running_var, .num_batches_tracked)`,
      ...ONNX,
    );
  const modules = new Map<string, Map<string, Param>>();
  for (const [name, p] of params) {
    const [, module, kind] = PARAM_SUFFIX.exec(name)!;
    if (!modules.has(module)) modules.set(module, new Map());
    modules.get(module)!.set(kind, p);
  }
  const convs = [...params].filter(([name, p]) => name.endsWith('.weight') && p.shape.length >= 3);
  if (convs.length > 0)
    throw dataError(
      `${file}: a PyTorch state_dict with convolution weights (${convs.slice(0, 4).map(([n, p]) => `${printable(n, 60)} ${showShape(p.shape)}`).join(', ')}${convs.length > 4 ? ', ...' : ''}); a state_dict stores no stride, padding, pooling or activation, so the network cannot be rebuilt from it`,
      ...CONV,
    );
  const linears: Linear[] = [], norms: BatchNorm[] = [], ignored: string[] = [];
  for (const [module, kinds] of modules) {
    const get = (k: string) => { const p = kinds.get(k); return p === undefined ? undefined : floatParam(p, `${module}.${k}`, file); };
    if (kinds.has('num_batches_tracked')) ignored.push(`${module}.num_batches_tracked`);
    const where = `${file}: module ${quoted(module)}`;
    if (kinds.has('running_mean') || kinds.has('running_var')) {
      const mean = get('running_mean'), variance = get('running_var'), gamma = get('weight'), beta = get('bias');
      if (mean === undefined || variance === undefined) throw dataError(`${where} has ${mean === undefined ? 'running_var but no running_mean' : 'running_mean but no running_var'}`, HINT_DAMAGED);
      const F = mean.shape[0];
      const vector = (p: Param | undefined) => p === undefined || (p.shape.length === 1 && p.shape[0] === F);
      if (mean.shape.length !== 1 || !vector(variance) || !vector(gamma) || !vector(beta) || (gamma === undefined) !== (beta === undefined))
        throw dataError(`${where}: BatchNorm1d parameters should all be [F] (weight and bias both or neither), found ${[...kinds].map(([k, p]) => `${k} ${showShape(p.shape)}`).join(', ')}`, ...ONNX);
      norms.push({ name: module, features: F, gamma, beta, mean, var: variance });
      continue;
    }
    const W = get('weight'), b = get('bias');
    if (W === undefined) throw dataError(`${where} has ${[...kinds.keys()].join(', ')} but no weight`, ...ONNX);
    if (W.shape.length === 1)
      throw dataError(`${where}: a 1-D weight ${showShape(W.shape)} without running statistics (LayerNorm, or BatchNorm1d(track_running_stats=False)); mnist-loss maps only Linear and BatchNorm1d with running statistics`, ...ONNX);
    if (W.shape.length !== 2) throw dataError(`${where}: weight of shape ${showShape(W.shape)}; expected a Linear weight [out, in]`, ...ONNX);
    const [outputs, inputs] = W.shape;
    if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== outputs))
      throw dataError(`${where}: bias ${showShape(b.shape)} does not match weight ${showShape(W.shape)} ([out, in]: the bias should be [${outputs}])`, HINT_DAMAGED);
    linears.push({ name: module, W, b, inputs, outputs });
  }
  if (linears.length === 0) throw dataError(`${file}: the state_dict has no Linear layer (no 2-D <module>.weight)`, ...ONNX);
  return { linears, norms, ignored };
}

/**
 * The order of the Linear layers: every one used once, widths chaining 784 -> ... -> 10. Found by search, so a
 * layer that fits early but belongs later does not mislead it; when the shapes allow several orders, the names'
 * natural order (0 < 2 < 10, fc1 < fc2) decides if it chains, else the order is ambiguous (exit 3).
 */
function chainLinears(linears: readonly Linear[], file: string): { order: Linear[]; byName: boolean } {
  const byInput = new Map<number, Linear[]>();
  for (const l of [...linears].sort((a, b) => naturalCompare(a.name, b.name))) {
    if (!byInput.has(l.inputs)) byInput.set(l.inputs, []);
    byInput.get(l.inputs)!.push(l);
  }
  const found: Linear[][] = [];
  const path: Linear[] = [];
  const used = new Set<Linear>();
  let steps = 0;
  let exhausted = false;
  const search = (width: number): void => {
    if (path.length === linears.length) { if (width === CLASSES) found.push([...path]); return; }
    for (const next of byInput.get(width) ?? []) {
      if (found.length >= 2) return;
      if (++steps > CHAIN_SEARCH_BUDGET) { exhausted = true; return; }
      if (used.has(next)) continue;
      used.add(next); path.push(next);
      search(next.outputs);
      used.delete(next); path.pop();
    }
  };
  search(PIXELS);
  if (found.length === 1 && !exhausted) return { order: found[0], byName: false };
  const natural = [...linears].sort((a, b) => naturalCompare(a.name, b.name));
  const chains = natural.every((l, i) => l.inputs === (i === 0 ? PIXELS : natural[i - 1].outputs)) && natural.at(-1)!.outputs === CLASSES;
  if (chains) return { order: natural, byName: true };
  if (found.length === 0 && !exhausted) throw noChain(linears, file);
  if (found.length < 2)
    throw dataError(`${file}: the layer order is ambiguous: ${linears.length} Linear layers whose shapes allow too many orders to search, and their names' order does not chain`, ...ONNX);
  // several orders fit and the names do not settle it: name the layers at the first place two orders part
  const [a, b] = found;
  const at = a.findIndex((l, i) => l !== b[i]);
  const rivals = [a[at], b[at]].sort((x, y) => naturalCompare(x.name, y.name));
  throw dataError(
    `${file}: the layer order is ambiguous: ${at === 0 ? `on the ${PIXELS} pixels` : `after ${printable(a[at - 1].name, 60)}`}, ${rivals.map((l) => `${printable(l.name, 60)} ${showShape(l.W.shape)}`).join(' and ')} could each come next (a state_dict stores no order; the shapes allow more than one)`,
    ...ONNX,
  );
}

/** Why the Linear layers do not chain 784 -> ... -> 10: the first place the only possible walk stops. */
function noChain(linears: readonly Linear[], file: string): MnistLossError {
  const all = linears.map((l) => `${printable(l.name, 40)} ${showShape(l.W.shape)}`).join(', ');
  const hint = `Linear weights are [out, in]; the widths must chain ${PIXELS} -> ... -> ${CLASSES} using every layer once`;
  const first = linears.filter((l) => l.inputs === PIXELS);
  if (first.length === 0) return dataError(`${file}: no Linear layer takes the ${PIXELS} pixels (layers: ${printable(all, 300)})`, hint);
  const ends = linears.filter((l) => l.outputs === CLASSES);
  if (ends.length === 0) return dataError(`${file}: no Linear layer makes the ${CLASSES} class scores (layers: ${printable(all, 300)})`, hint);
  return dataError(`${file}: the Linear layers do not chain ${PIXELS} -> ... -> ${CLASSES} using each once (layers: ${printable(all, 300)})`, hint);
}

/** A module name's Sequential position: "3" or "net.3" -> { parent: "" | "net.", index: 3 }. */
function sequentialIndex(name: string): { parent: string; index: number } | undefined {
  const m = /^(.*?)(\d{1,9})$/.exec(name);
  if (m === null || (m[1] !== '' && !m[1].endsWith('.'))) return undefined;
  return { parent: m[1], index: Number(m[2]) };
}

/**
 * Where each BatchNorm1d goes: right after the Linear of its width. In an nn.Sequential the indices must say
 * "directly after" (Linear at i, BatchNorm1d at i + 1); with other names the one Linear of that width.
 */
function placeNorms(order: readonly Linear[], norms: readonly BatchNorm[], file: string): Map<Linear, BatchNorm> {
  const after = new Map<Linear, BatchNorm>();
  for (const bn of norms) {
    const fits = order.filter((l) => l.outputs === bn.features);
    const seq = sequentialIndex(bn.name);
    let target: Linear | undefined;
    if (seq !== undefined && fits.every((l) => sequentialIndex(l.name)?.parent === seq.parent)) {
      target = fits.find((l) => sequentialIndex(l.name)!.index === seq.index - 1);
    } else if (fits.length === 1) {
      target = fits[0];
    }
    if (target === undefined || after.has(target))
      throw dataError(
        `${file}: cannot place BatchNorm1d ${quoted(bn.name)} [${bn.features}] unambiguously: ${fits.length === 0 ? `no Linear layer has ${bn.features} outputs` : `it may follow ${fits.map((l) => printable(l.name, 40)).join(' or ')}, before or after an activation`}`,
        ...ONNX,
      );
    after.set(target, bn);
  }
  return after;
}

/** [out, in] -> [in, out] (the engine's affine layout), keeping the value type. */
function transpose(W: Param): FileTensor {
  const [rows, cols] = W.shape;
  const src = W.data!;
  const out = src instanceof Float64Array ? new Float64Array(src.length) : new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return { shape: [cols, rows], data: out };
}

const DTYPE_NOTES: Partial<Record<TorchDtype, string>> = {
  float16: 'float16 widened to float32', bfloat16: 'bfloat16 widened to float32', float64: 'float64 narrowed to float32',
};

function mapStateDict(params: ReadonlyMap<string, Param>, file: string, ctx: ReadContext, container: 'zip' | 'safetensors'): FrameworkModel {
  const { linears, norms, ignored } = classify(params, file);
  const { order, byName } = chainLinears(linears, file);
  const after = placeNorms(order, norms, file);
  const hidden = order.length - 1;
  const widths = [PIXELS, ...order.map((l) => l.outputs)].join('-');
  if (hidden > 0 && ctx.activation === undefined)
    throw usageError(`${file}: a PyTorch state_dict stores no activation, and this ${widths} network has ${hidden} hidden layer${hidden > 1 ? 's' : ''}`, ACTIVATION_HINT, ACTIVATION_MISSING);
  const activation = hidden > 0 ? ctx.activation! : null;

  const tensors = new Map<string, FileTensor>();
  const layers: LayerSpec[] = [];
  order.forEach((l, i) => {
    tensors.set(`${l.name}.weight`, transpose(l.W));
    if (l.b !== undefined) tensors.set(`${l.name}.bias`, { shape: l.b.shape, data: l.b.data! });
    layers.push({ kind: 'affine', W: `${l.name}.weight`, b: l.b === undefined ? null : `${l.name}.bias` });
    const bn = after.get(l);
    if (bn !== undefined) {
      const F = bn.features;
      const names = { gamma: `${bn.name}.weight`, beta: `${bn.name}.bias`, mean: `${bn.name}.running_mean`, var: `${bn.name}.running_var` };
      // BatchNorm1d(affine=False) has no weight or bias: gamma 1, beta 0
      tensors.set(names.gamma, bn.gamma === undefined ? { shape: [F], data: new Float32Array(F).fill(1) } : { shape: [F], data: bn.gamma.data! });
      tensors.set(names.beta, bn.beta === undefined ? { shape: [F], data: new Float32Array(F) } : { shape: [F], data: bn.beta.data! });
      tensors.set(names.mean, { shape: [F], data: bn.mean.data! });
      tensors.set(names.var, { shape: [F], data: bn.var.data! });
      layers.push({ kind: 'batchNormalization', ...names, eps: BATCHNORM_EPS, mode: 'book' });
    }
    if (i < hidden) layers.push({ kind: activation! });
  });
  layers.push({ kind: 'softmax' });

  const shown = (name: string) => printable(name, 40);
  const notes = [`PyTorch state_dict (${container})`, `Linear layers chained by shape ${widths}${byName ? ' (same-shape layers in the order of their names)' : ''}`];
  notes.push(`${order.map((l) => shown(l.name)).join('/')} transposed from [out, in]`);
  for (const [l, bn] of after) notes.push(`BatchNorm1d ${shown(bn.name)} after ${shown(l.name)} (before its activation), eps 1e-5 (PyTorch's default; a state_dict does not store it)`);
  const dtypes = new Set([...params.values()].filter((p) => p.data !== null).map((p) => p.dtype));
  for (const d of dtypes) if (DTYPE_NOTES[d] !== undefined) notes.push(DTYPE_NOTES[d]!);
  if (ignored.length > 0) notes.push(`${ignored.length === 1 ? shown(ignored[0]) : `${ignored.length} num_batches_tracked counters`} ignored`);
  if (activation !== null) notes.push(`activation ${activation} as given (a state_dict stores none)`);
  return {
    format: `pytorch-${container}`,
    description: notes.join(', '),
    architecture: { recognised: 'pytorch', inputShape: [PIXELS], layers, activation, activationFrom: activation === null ? null : 'flag' },
    tensors,
  };
}
