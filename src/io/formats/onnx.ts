// ONNX models (what torch.onnx.export writes: one .onnx file, or .onnx + .onnx.data external data) -> the engine's
// layer list. Decodes only the parts of onnx/onnx.proto it needs (ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto) with protobuf.ts, then walks the single chain of nodes from the graph input.
import { dataError, modelUnsupported, printable } from '../../errors';
import type { Architecture, HiddenActivation, LayerSpec } from '../../nn/architecture';
import type { FileTensor } from '../../nn/buildNetwork';
import { ProtoReader, Wire } from './protobuf';
import type { FoundPreprocessing, FrameworkModel, ReadContext } from './types';

/** The largest external data file read (as MAX_MODEL_BYTES in modelFile.ts: one Node buffer). */
const MAX_EXTERNAL_BYTES = 2 * 1024 * 1024 * 1024 - 1024 * 1024;
/** More dimensions than any tensor of an MNIST model has (ONNX itself sets no limit). */
const MAX_DIMS = 16;
/** Elements per tensor: 2^31 float32 is more than one model file can hold. */
const MAX_ELEMENTS = 2 ** 31;

const HINT_DAMAGED = 'the file is damaged or truncated: export it again (torch.onnx.export)';
const UNSUPPORTED = modelUnsupported('mnist-loss maps a single chain of Gemm/MatMul+Add, Conv, pooling, BatchNormalization, Relu/Sigmoid/Tanh, Flatten/Reshape, Dropout and a final Softmax');

// TensorProto.DataType
const FLOAT = 1, INT32 = 6, INT64 = 7, FLOAT16 = 10, DOUBLE = 11;
const DTYPE_NAMES = [
  'UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16', 'DOUBLE', 'UINT32', 'UINT64',
  'COMPLEX64', 'COMPLEX128', 'BFLOAT16', 'FLOAT8E4M3FN', 'FLOAT8E4M3FNUZ', 'FLOAT8E5M2', 'FLOAT8E5M2FNUZ', 'UINT4', 'INT4', 'FLOAT4E2M1',
  'FLOAT8E8M0', 'UINT2', 'INT2',
];
const ITEM_SIZE: Readonly<Record<number, number>> = { [FLOAT]: 4, [INT32]: 4, [INT64]: 8, [FLOAT16]: 2, [DOUBLE]: 8 };
const dtypeName = (t: number) => DTYPE_NAMES[t] ?? `data type ${t}`;

interface OnnxTensor {
  readonly name: string;
  readonly dims: number[];
  readonly dataType: number;
  readonly raw?: Uint8Array;
  readonly floatData: number[];
  readonly doubleData: number[];
  readonly int32Data: number[];
  readonly int64Data: number[];
  readonly external: ReadonlyMap<string, string>;
  readonly isExternal: boolean;
  readonly segmented: boolean;
}

interface OnnxAttribute {
  readonly name: string;
  readonly f?: number;
  readonly i?: number;
  readonly s?: string;
  readonly t?: OnnxTensor;
  readonly floats: number[];
  readonly ints: number[];
  readonly hasGraph: boolean;
}

interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: string[];
  readonly outputs: string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

/** A graph input's type: its element type and dimensions (a number, a symbolic name, or null when unstated). */
interface OnnxValueInfo {
  readonly name: string;
  readonly elemType?: number;
  readonly dims?: (number | string | null)[];
}

interface OnnxGraph {
  readonly nodes: OnnxNode[];
  readonly initializers: OnnxTensor[];
  readonly inputs: OnnxValueInfo[];
  readonly outputs: OnnxValueInfo[];
  readonly sparseInitializers: number;
}

interface OnnxModel {
  readonly irVersion?: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly opset?: number;
  readonly graph: OnnxGraph;
}

// ---- decoding: field numbers from onnx/onnx.proto. No message is decoded recursively: nested graphs (If, Loop
// attributes) and functions are skipped unread, so the nesting depth is fixed by the code below.

function decodeStringEntry(r: ProtoReader): [string, string] {
  let key = '', value = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) { r.expect(field, wire, Wire.Len); key = r.string(); }
    else if (field === 2) { r.expect(field, wire, Wire.Len); value = r.string(); }
    else r.skip(wire);
  }
  return [key, value];
}

const readInt64 = (r: ProtoReader) => r.int64();
const readFloat = (r: ProtoReader) => r.fixed32Float();
const readDouble = (r: ProtoReader) => r.fixed64Double();

function decodeTensor(r: ProtoReader): OnnxTensor {
  let name = '', dataType = 0, raw: Uint8Array | undefined, location = 0, segmented = false;
  const dims: number[] = [], floatData: number[] = [], doubleData: number[] = [], int32Data: number[] = [], int64Data: number[] = [];
  const external = new Map<string, string>();
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.repeated(field, wire, Wire.Varint, dims, readInt64); break;
      case 2: r.expect(field, wire, Wire.Varint); dataType = r.int64(); break;
      case 3: segmented = true; r.skip(wire); break;
      case 4: r.repeated(field, wire, Wire.Fixed32, floatData, readFloat); break;
      case 5: r.repeated(field, wire, Wire.Varint, int32Data, readInt64); break;
      case 7: r.repeated(field, wire, Wire.Varint, int64Data, readInt64); break;
      case 8: r.expect(field, wire, Wire.Len); name = r.string(); break;
      case 9: r.expect(field, wire, Wire.Len); raw = r.lengthDelimited(); break;
      case 10: r.repeated(field, wire, Wire.Fixed64, doubleData, readDouble); break;
      case 13: { r.expect(field, wire, Wire.Len); const [k, v] = decodeStringEntry(r.message()); external.set(k, v); break; }
      case 14: r.expect(field, wire, Wire.Varint); location = r.int64(); break;
      default: r.skip(wire);
    }
    if (dims.length > MAX_DIMS) r.fail(`a tensor with more than ${MAX_DIMS} dimensions`, r.offset);
  }
  return { name, dims, dataType, raw, floatData, doubleData, int32Data, int64Data, external, isExternal: location === 1, segmented };
}

function decodeAttribute(r: ProtoReader): OnnxAttribute {
  let name = '', f: number | undefined, i: number | undefined, s: string | undefined, t: OnnxTensor | undefined, hasGraph = false;
  const floats: number[] = [], ints: number[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(field, wire, Wire.Len); name = r.string(); break;
      case 2: r.expect(field, wire, Wire.Fixed32); f = r.fixed32Float(); break;
      case 3: r.expect(field, wire, Wire.Varint); i = r.int64(); break;
      case 4: r.expect(field, wire, Wire.Len); s = r.string(); break;
      case 5: r.expect(field, wire, Wire.Len); t = decodeTensor(r.message()); break;
      case 6: case 11: hasGraph = true; r.skip(wire); break;
      case 7: r.repeated(field, wire, Wire.Fixed32, floats, readFloat); break;
      case 8: r.repeated(field, wire, Wire.Varint, ints, readInt64); break;
      default: r.skip(wire);
    }
  }
  return { name, f, i, s, t, floats, ints, hasGraph };
}

function decodeNode(r: ProtoReader): OnnxNode {
  let name = '', opType = '', domain = '';
  const inputs: string[] = [], outputs: string[] = [];
  const attributes = new Map<string, OnnxAttribute>();
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(field, wire, Wire.Len); inputs.push(r.string()); break;
      case 2: r.expect(field, wire, Wire.Len); outputs.push(r.string()); break;
      case 3: r.expect(field, wire, Wire.Len); name = r.string(); break;
      case 4: r.expect(field, wire, Wire.Len); opType = r.string(); break;
      case 5: { r.expect(field, wire, Wire.Len); const a = decodeAttribute(r.message()); attributes.set(a.name, a); break; }
      case 7: r.expect(field, wire, Wire.Len); domain = r.string(); break;
      default: r.skip(wire);
    }
  }
  return { name, opType, domain, inputs, outputs, attributes };
}

/** TensorShapeProto.Dimension: dim_value (1) or dim_param (2), or neither. */
function decodeDimension(r: ProtoReader): number | string | null {
  let dim: number | string | null = null;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) { r.expect(field, wire, Wire.Varint); dim = r.int64(); }
    else if (field === 2) { r.expect(field, wire, Wire.Len); dim = r.string(); }
    else r.skip(wire);
  }
  return dim;
}

/** ValueInfoProto (name 1, type 2) -> TypeProto.tensor_type (1) -> elem_type (1), shape (2) -> dim (1). */
function decodeValueInfo(r: ProtoReader): OnnxValueInfo {
  let name = '', elemType: number | undefined, dims: (number | string | null)[] | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) { r.expect(field, wire, Wire.Len); name = r.string(); continue; }
    if (field !== 2) { r.skip(wire); continue; }
    r.expect(field, wire, Wire.Len);
    const type = r.message();
    while (!type.done) {
      const tt = type.tag();
      if (tt.field !== 1) { type.skip(tt.wire); continue; }
      type.expect(tt.field, tt.wire, Wire.Len);
      const tensor = type.message();
      while (!tensor.done) {
        const t = tensor.tag();
        if (t.field === 1) { tensor.expect(t.field, t.wire, Wire.Varint); elemType = tensor.int64(); }
        else if (t.field === 2) {
          tensor.expect(t.field, t.wire, Wire.Len);
          const shape = tensor.message();
          dims = [];
          while (!shape.done) {
            const s = shape.tag();
            if (s.field !== 1) { shape.skip(s.wire); continue; }
            shape.expect(s.field, s.wire, Wire.Len);
            dims.push(decodeDimension(shape.message()));
            if (dims.length > MAX_DIMS) shape.fail(`an input with more than ${MAX_DIMS} dimensions`, shape.offset);
          }
        } else tensor.skip(t.wire);
      }
    }
  }
  return { name, elemType, dims };
}

function decodeGraph(r: ProtoReader): OnnxGraph {
  const nodes: OnnxNode[] = [], initializers: OnnxTensor[] = [], inputs: OnnxValueInfo[] = [], outputs: OnnxValueInfo[] = [];
  let sparseInitializers = 0;
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(field, wire, Wire.Len); nodes.push(decodeNode(r.message())); break;
      case 5: r.expect(field, wire, Wire.Len); initializers.push(decodeTensor(r.message())); break;
      case 11: r.expect(field, wire, Wire.Len); inputs.push(decodeValueInfo(r.message())); break;
      case 12: r.expect(field, wire, Wire.Len); outputs.push(decodeValueInfo(r.message())); break;
      case 15: sparseInitializers++; r.skip(wire); break;
      default: r.skip(wire);
    }
  }
  return { nodes, initializers, inputs, outputs, sparseInitializers };
}

function decodeModel(bytes: Uint8Array, file: string): OnnxModel {
  const fail = (why: string, at: number): never => {
    throw dataError(`${file}: not a valid ONNX protobuf: ${why} (at byte ${at} of ${bytes.length})`, HINT_DAMAGED);
  };
  const r = new ProtoReader(bytes, fail);
  let irVersion: number | undefined, producerName = '', producerVersion = '', opset: number | undefined, graph: OnnxGraph | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(field, wire, Wire.Varint); irVersion = r.int64(); break;
      case 2: r.expect(field, wire, Wire.Len); producerName = r.string(); break;
      case 3: r.expect(field, wire, Wire.Len); producerVersion = r.string(); break;
      case 7: r.expect(field, wire, Wire.Len); graph = decodeGraph(r.message()); break;
      case 8: {
        r.expect(field, wire, Wire.Len);
        const o = r.message();
        let domain = '', version: number | undefined;
        while (!o.done) {
          const t = o.tag();
          if (t.field === 1) { o.expect(t.field, t.wire, Wire.Len); domain = o.string(); }
          else if (t.field === 2) { o.expect(t.field, t.wire, Wire.Varint); version = o.int64(); }
          else o.skip(t.wire);
        }
        if (domain === '' || domain === 'ai.onnx') opset = version;
        break;
      }
      default: r.skip(wire);
    }
  }
  if (graph === undefined) throw dataError(`${file}: the ONNX model holds no graph`, HINT_DAMAGED);
  return { irVersion, producerName, producerVersion, opset, graph };
}

// ---- tensor values

interface Values {
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly data: Float32Array | Float64Array;
}

/** IEEE half -> number (exact). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** ONNX stores raw_data little-endian; on such a host a float32 tensor is one aligned copy. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/** Decodes tensors on first use (an unused initializer is never read), external data through ctx.readSibling. */
class TensorStore {
  private readonly cache = new Map<OnnxTensor, Values>();
  private readonly files = new Map<string, Uint8Array>();
  /** External data files read, in order, for the description. */
  readonly externalFiles: string[] = [];

  constructor(private readonly file: string, private readonly ctx: ReadContext) {}

  values(t: OnnxTensor): Values {
    let v = this.cache.get(t);
    if (v === undefined) this.cache.set(t, (v = this.decode(t)));
    return v;
  }

  private decode(t: OnnxTensor): Values {
    const what = `tensor '${printable(t.name)}'`;
    if (!(t.dataType in ITEM_SIZE))
      throw dataError(`${this.file}: ${what} has data type ${dtypeName(t.dataType)}; mnist-loss reads FLOAT, DOUBLE, FLOAT16, INT64 and INT32 tensors`, 'export the model in float32 (model.float() before torch.onnx.export)');
    if (t.segmented) throw dataError(`${this.file}: ${what} is stored in segments, which mnist-loss does not read`, 'save the model again with onnx.save_model');
    let n = 1;
    for (const d of t.dims) {
      if (!(Number.isInteger(d) && d >= 0)) throw dataError(`${this.file}: ${what} has a dimension of ${d}`, HINT_DAMAGED);
      n *= d;
    }
    if (n > MAX_ELEMENTS) throw dataError(`${this.file}: ${what} claims ${n} elements, more than ${MAX_ELEMENTS}`, HINT_DAMAGED);
    const size = ITEM_SIZE[t.dataType];
    const bytes = t.isExternal ? this.externalBytes(t, what, n * size) : t.raw;
    let data: Float32Array | Float64Array;
    if (bytes !== undefined) {
      if (bytes.length !== n * size)
        throw dataError(`${this.file}: ${what} [${t.dims.join(', ')}] ${dtypeName(t.dataType)} needs ${n * size} bytes, its data holds ${bytes.length}`, HINT_DAMAGED);
      if (t.dataType === FLOAT && HOST_LITTLE_ENDIAN) return { dims: t.dims, dataType: t.dataType, data: new Float32Array(bytes.slice().buffer) };
      data = t.dataType === FLOAT || t.dataType === FLOAT16 ? new Float32Array(n) : new Float64Array(n);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < n; i++) {
        switch (t.dataType) {
          case FLOAT: data[i] = view.getFloat32(4 * i, true); break;
          case DOUBLE: data[i] = view.getFloat64(8 * i, true); break;
          case FLOAT16: data[i] = halfToNumber(view.getUint16(2 * i, true)); break;
          case INT32: data[i] = view.getInt32(4 * i, true); break;
          default: data[i] = Number(view.getBigInt64(8 * i, true));
        }
      }
    } else {
      // typed fields: FLOAT16 travels in int32_data as its bit patterns
      const field = { [FLOAT]: t.floatData, [DOUBLE]: t.doubleData, [INT32]: t.int32Data, [INT64]: t.int64Data, [FLOAT16]: t.int32Data }[t.dataType]!;
      if (field.length !== n)
        throw dataError(`${this.file}: ${what} [${t.dims.join(', ')}] needs ${n} values, the file holds ${field.length}`, HINT_DAMAGED);
      data = t.dataType === DOUBLE || t.dataType === INT64 || t.dataType === INT32 ? Float64Array.from(field) : new Float32Array(n);
      if (t.dataType === FLOAT) data.set(field);
      if (t.dataType === FLOAT16) for (let i = 0; i < n; i++) data[i] = halfToNumber(field[i] & 0xffff);
    }
    return { dims: t.dims, dataType: t.dataType, data };
  }

  /** TensorProto external_data: location (inside the model's folder), offset, length, bounds-checked. */
  private externalBytes(t: OnnxTensor, what: string, expected: number): Uint8Array {
    const location = t.external.get('location');
    if (location === undefined || location === '') throw dataError(`${this.file}: ${what} is external data without a location`, HINT_DAMAGED);
    // readSibling refuses these too; refusing here first keeps the reader safe whatever context it is given
    if (/^([\\/]|[A-Za-z]:)/.test(location) || location.split(/[\\/]/).includes('..') || location.includes('\0'))
      throw dataError(`${this.file}: refusing external data '${printable(location)}' of ${what}: only a file in the model's own folder may hold its data`, 'a model may only name files in its own folder (e.g. model.onnx.data beside model.onnx)');
    const number = (key: string): number | undefined => {
      const s = t.external.get(key);
      if (s === undefined) return undefined;
      if (!DECIMAL.test(s)) throw dataError(`${this.file}: ${what} has external data ${key} '${printable(s)}', expected a byte count`, HINT_DAMAGED);
      return Number(s);
    };
    const offset = number('offset') ?? 0;
    let bytes = this.files.get(location);
    if (bytes === undefined) {
      bytes = this.ctx.readSibling(location, 'ONNX external data', MAX_EXTERNAL_BYTES);
      this.files.set(location, bytes);
      this.externalFiles.push(location);
    }
    const length = number('length') ?? Math.max(0, bytes.length - offset);
    if (offset + length > bytes.length)
      throw dataError(
        `${this.file}: ${what} reads bytes ${offset}..${offset + length} of '${printable(location)}', which holds ${bytes.length}`,
        'the external data file does not belong to this model or is truncated: export the model again',
      );
    if (length !== expected) throw dataError(`${this.file}: ${what} needs ${expected} bytes of external data, its length says ${length}`, HINT_DAMAGED);
    return bytes.subarray(offset, offset + length);
  }
}

// ---- the graph -> LayerSpec[]

const SIDE = 28;
const prod = (a: readonly number[]) => a.reduce((p, d) => p * d, 1);
const showShape = (a: readonly (number | string | null)[]) => `[${a.map((d) => (d === null ? '?' : d)).join(', ')}]`;

/** Maps the chain of nodes; every refusal names the node and the op. */
class ChainMapper {
  readonly layers: LayerSpec[] = [];
  readonly tensors = new Map<string, FileTensor>();
  readonly notes = new Set<string>();
  readonly activations = new Set<HiddenActivation>();
  /** Per-sample shape of the current value. */
  shape: number[];
  inputShape: number[];
  /** x -> a·x + b before any layer: normalisation inside the graph. */
  pre = { a: 1, b: 0, ops: [] as string[] };
  private readonly constants = new Map<string, OnnxTensor>();
  private readonly consumers = new Map<string, number[]>();
  private readonly visited = new Set<number>();

  constructor(private readonly model: OnnxModel, private readonly store: TensorStore, private readonly file: string, inputShape: number[], private readonly staticBatch: number | undefined) {
    this.shape = [...inputShape];
    this.inputShape = [...inputShape];
    for (const t of model.graph.initializers) this.constants.set(t.name, t);
    model.graph.nodes.forEach((n, i) => {
      if (n.opType === 'Constant' && isDefaultDomain(n.domain)) {
        this.visited.add(i);
        const t = this.constantNodeValue(n);
        for (const out of n.outputs) this.constants.set(out, t);
      }
      for (const v of n.inputs) if (v !== '' && !this.constants.has(v)) this.consumers.set(v, [...(this.consumers.get(v) ?? []), i]);
    });
  }

  private where(n: OnnxNode): string {
    return `${printable(n.opType, 60)} node '${printable(n.name || n.outputs[0] || '?', 80)}'`;
  }

  refuse(n: OnnxNode, why: string, hint?: string): never {
    const message = `${this.file}: ${this.where(n)}: ${why}`;
    throw hint === undefined ? dataError(message, ...UNSUPPORTED) : dataError(message, hint);
  }

  private constantNodeValue(n: OnnxNode): OnnxTensor {
    const a = n.attributes;
    const plain = (dataType: number, dims: number[], values: number[]): OnnxTensor => ({
      name: n.outputs[0] ?? '', dims, dataType, floatData: dataType === FLOAT ? values : [], doubleData: [], int32Data: [],
      int64Data: dataType === INT64 ? values : [], external: new Map(), isExternal: false, segmented: false,
    });
    const value = a.get('value');
    if (value?.t !== undefined) return { ...value.t, name: n.outputs[0] ?? value.t.name };
    if (a.get('value_float')?.f !== undefined) return plain(FLOAT, [], [a.get('value_float')!.f!]);
    if (a.has('value_floats')) return plain(FLOAT, [a.get('value_floats')!.floats.length], a.get('value_floats')!.floats);
    if (a.get('value_int')?.i !== undefined) return plain(INT64, [], [a.get('value_int')!.i!]);
    if (a.has('value_ints')) return plain(INT64, [a.get('value_ints')!.ints.length], a.get('value_ints')!.ints);
    return this.refuse(n, `a Constant without a tensor, float or int value (${[...a.keys()].map((k) => printable(k, 40)).join(', ') || 'no attributes'})`);
  }

  /** The decoded constant named `name`, or a refusal: the op needs a constant there. */
  constant(n: OnnxNode, name: string | undefined, what: string): Values {
    const t = name === undefined || name === '' ? undefined : this.constants.get(name);
    if (t === undefined) this.refuse(n, `its ${what} '${printable(name ?? '', 80)}' is not a constant (an initializer or a Constant node)`);
    return this.store.values(t);
  }

  optionalConstant(n: OnnxNode, index: number, what: string): Values | undefined {
    const name = n.inputs[index];
    return name === undefined || name === '' ? undefined : this.constant(n, name, what);
  }

  private intAttr(n: OnnxNode, key: string, fallback: number): number {
    const a = n.attributes.get(key);
    return a?.i ?? fallback;
  }

  private intsAttr(n: OnnxNode, key: string, fallback: number[]): number[] {
    const a = n.attributes.get(key);
    return a === undefined ? fallback : a.ints;
  }

  private floatAttr(n: OnnxNode, key: string, fallback: number): number {
    return n.attributes.get(key)?.f ?? fallback;
  }

  /** A floating-point tensor copied into the engine's map under a name of its own (shared initializers stay apart). */
  private put(name: string, shape: readonly number[], data: Float32Array | Float64Array): string {
    let key = name === '' ? 'tensor' : name;
    for (let k = 2; this.tensors.has(key); k++) key = `${name}#${k}`;
    this.tensors.set(key, { shape, data });
    return key;
  }

  private floatConstant(n: OnnxNode, index: number, what: string): Values | undefined {
    const v = this.optionalConstant(n, index, what);
    if (v !== undefined && v.dataType !== FLOAT && v.dataType !== DOUBLE && v.dataType !== FLOAT16)
      this.refuse(n, `its ${what} '${printable(n.inputs[index], 80)}' is ${dtypeName(v.dataType)}, expected floating point`);
    return v;
  }

  /** Walks from the graph input to its output, one node at a time; every node but Constants must be on the way. */
  walk(input: string, output: string): void {
    let value = input;
    // each pass visits a node not visited before, so the loop ends within the node count
    while (value !== output) {
      const next = (this.consumers.get(value) ?? []).filter((i) => !this.visited.has(i));
      if (next.length === 0) throw dataError(`${this.file}: the chain of nodes stops at '${printable(value, 80)}' before the graph output '${printable(output, 80)}'`, ...UNSUPPORTED);
      if (next.length > 1)
        throw dataError(
          `${this.file}: the graph branches at '${printable(value, 80)}' (read by ${next.slice(0, 3).map((i) => this.where(this.model.graph.nodes[i])).join(' and ')}); mnist-loss maps a single chain of layers`,
          ...UNSUPPORTED,
        );
      const n = this.model.graph.nodes[next[0]];
      this.visited.add(next[0]);
      if (n.inputs.filter((v) => v === value).length > 1) this.refuse(n, `reads '${printable(value, 80)}' twice`);
      value = this.step(n, value, output);
    }
    const stray = this.model.graph.nodes.findIndex((_, i) => !this.visited.has(i));
    if (stray >= 0) this.refuse(this.model.graph.nodes[stray], 'is not on the chain from the graph input to its output');
  }

  /** Maps one node reading `value`; returns the value the chain continues from. */
  private step(n: OnnxNode, value: string, output: string): string {
    if (!isDefaultDomain(n.domain))
      this.refuse({ ...n, opType: `${n.domain}::${n.opType}` }, 'an op outside the standard ONNX domain, which mnist-loss does not map');
    for (const a of n.attributes.values()) if (a.hasGraph) this.refuse(n, 'holds a subgraph (control flow), which mnist-loss does not map');
    const out = n.outputs[0] ?? '';
    const chainFirst = () => {
      if (n.inputs[0] !== value) this.refuse(n, `reads the previous layer's output '${printable(value, 80)}' as input ${n.inputs.indexOf(value) + 1}, expected input 1 (the data)`);
    };
    switch (n.opType) {
      case 'Identity': break;
      case 'Dropout': this.dropout(n); break;
      case 'Relu': case 'Sigmoid': case 'Tanh': {
        const kind = n.opType.toLowerCase() as HiddenActivation;
        this.layers.push({ kind });
        this.activations.add(kind);
        break;
      }
      case 'Flatten': {
        const axis = this.intAttr(n, 'axis', 1);
        if (axis !== 1 && axis !== -this.shape.length) this.refuse(n, `axis ${axis}; mnist-loss maps Flatten(axis=1), which keeps the batch`);
        this.flatten();
        break;
      }
      case 'Reshape': chainFirst(); this.reshape(n); break;
      case 'Gemm': chainFirst(); this.gemm(n); break;
      case 'MatMul': chainFirst(); return this.matMul(n, out);
      case 'Conv': chainFirst(); this.conv(n); break;
      case 'MaxPool': case 'AveragePool': chainFirst(); this.pool(n); break;
      case 'GlobalAveragePool': this.globalPool(n, true); break;
      case 'ReduceMean': chainFirst(); this.reduceMean(n); break;
      case 'BatchNormalization': chainFirst(); this.batchNorm(n); break;
      case 'Softmax': case 'LogSoftmax': {
        const axis = this.intAttr(n, 'axis', (this.model.opset ?? 13) >= 13 ? -1 : 1);
        if (this.shape.length !== 1 || (axis !== 1 && axis !== -1)) this.refuse(n, `axis ${axis} on ${showShape(['N', ...this.shape])}; mnist-loss maps a softmax over the class scores of [N, K]`);
        if (out !== output) this.refuse(n, 'is not the last node; mnist-loss maps a softmax only at the end of the network');
        if (n.opType === 'LogSoftmax') this.notes.add('final LogSoftmax read as softmax');
        this.layers.push({ kind: 'softmax' });
        break;
      }
      case 'Add': case 'Sub': case 'Mul': case 'Div': this.scalarOp(n, value); break;
      default:
        this.refuse(n, `op ${printable(n.opType, 60)} is not one mnist-loss maps onto its layers`);
    }
    return out;
  }

  private flatten(): void {
    if (this.shape.length > 1) this.layers.push({ kind: 'flatten' });
    this.shape = [prod(this.shape)];
  }

  private dropout(n: OnnxNode): void {
    const training = this.optionalConstant(n, 2, 'training_mode');
    if (training !== undefined && training.data[0] !== 0) this.refuse(n, 'training_mode is true; mnist-loss evaluates in inference mode');
    const ratio = this.floatConstant(n, 1, 'ratio')?.data[0] ?? this.floatAttr(n, 'ratio', 0.5);
    if (!(ratio >= 0 && ratio < 1)) this.refuse(n, `ratio ${ratio}, expected 0 <= ratio < 1`);
    // identity at inference; the spec keeps the layer visible in the report
    this.layers.push({ kind: 'dropout', ratio, convention: 'inverted' });
  }

  private reshape(n: OnnxNode): void {
    const target = this.constant(n, n.inputs[1], 'shape');
    if (target.dataType !== INT64 || target.dims.length !== 1) this.refuse(n, 'its shape is not a 1-D INT64 tensor');
    const want = [...target.data];
    const allowZero = this.intAttr(n, 'allowzero', 0) !== 0;
    const full: (number | undefined)[] = [this.staticBatch, ...this.shape];
    const size = prod(this.shape);
    const dims = want.map((d, i) => (d === 0 && !allowZero ? (i === 0 ? 'batch' : full[i]) : d));
    const batch = dims[0] === 'batch' || (this.staticBatch !== undefined && dims[0] === this.staticBatch);
    const rest = dims.slice(1);
    let per: number[] | undefined;
    if (rest.every((d) => typeof d === 'number' && Number.isInteger(d) && (d > 0 || d === -1))) {
      const known = rest.filter((d) => d !== -1) as number[];
      const free = rest.length - known.length;
      if (dims[0] === -1 && free === 0 && prod(known) === size) per = known;
      else if (batch && free === 0 && prod(known) === size) per = known;
      else if (batch && free === 1 && size % prod(known) === 0) per = rest.map((d) => (d === -1 ? size / prod(known) : d)) as number[];
    }
    const fail = (): never => this.refuse(n, `reshapes ${showShape(['N', ...this.shape])} to ${showShape(want)}; mnist-loss maps a Reshape that flattens to [N, -1] or makes the [N, 1, 28, 28] image of the input`);
    if (per === undefined) return fail();
    if (per.length === 1) this.flatten();
    else if (per.join() === this.shape.join()) return;
    else if (per.join() === `1,${SIDE},${SIDE}` && this.shape.join() === `${SIDE * SIDE}` && this.layers.length === 0) {
      this.inputShape = [1, SIDE, SIDE];
      this.shape = [1, SIDE, SIDE];
      this.notes.add('input reshaped to [N, 1, 28, 28]');
    } else fail();
  }

  private weight(n: OnnxNode, index: number, what: string, rank: number): Values {
    const w = this.floatConstant(n, index, what);
    if (w === undefined) this.refuse(n, `has no ${what}`);
    if (w.dims.length !== rank) this.refuse(n, `its ${what} '${printable(n.inputs[index], 80)}' has shape ${showShape(w.dims)}, expected ${rank} dimensions`);
    return w;
  }

  /** An affine layer W [in, out] (already transposed), with the bias b [out] (or broadcast from one value, or none). */
  private affine(n: OnnxNode, wName: string, W: Float32Array | Float64Array, [K, M]: number[], bias: Values | undefined, beta: number, bName: string): void {
    if (this.shape.length !== 1) this.refuse(n, `reads ${showShape(['N', ...this.shape])}; a ${n.opType} needs [N, features] (a Flatten before it)`);
    if (K !== this.shape[0]) this.refuse(n, `its weights take ${K} inputs, the previous layer gives ${this.shape[0]}`, 'the layer shapes must chain; export the model again');
    let b: string | null = null;
    if (bias !== undefined) {
      const count = bias.data.length;
      if (!(count === M || count === 1) || bias.dims.some((d, i) => d !== 1 && i !== bias.dims.length - 1))
        this.refuse(n, `its bias '${printable(bName, 80)}' has shape ${showShape(bias.dims)}, expected [${M}]`);
      const data = new Float32Array(M);
      for (let j = 0; j < M; j++) data[j] = beta * bias.data[count === 1 ? 0 : j];
      b = this.put(bName, [M], data);
    }
    this.layers.push({ kind: 'affine', W: this.put(wName, [K, M], W), b });
    this.shape = [M];
  }

  private gemm(n: OnnxNode): void {
    if (this.intAttr(n, 'transA', 0) !== 0) this.refuse(n, 'transA=1 (a transposed data input); mnist-loss maps Gemm with transA=0');
    const B = this.weight(n, 1, 'weights', 2);
    const transB = this.intAttr(n, 'transB', 0) !== 0;
    const alpha = this.floatAttr(n, 'alpha', 1), beta = this.floatAttr(n, 'beta', 1);
    const [rows, cols] = B.dims;
    const [K, M] = transB ? [cols, rows] : [rows, cols];
    const W = new Float32Array(K * M);
    for (let k = 0; k < K; k++) for (let j = 0; j < M; j++) W[k * M + j] = alpha * B.data[transB ? j * cols + k : k * cols + j];
    if (transB) this.notes.add('Gemm weights transposed from [out, in]');
    if (alpha !== 1 || beta !== 1) this.notes.add('Gemm alpha/beta folded into W/b');
    this.affine(n, n.inputs[1], W, [K, M], this.floatConstant(n, 2, 'bias'), beta, n.inputs[2] ?? '');
  }

  /** MatMul by constant weights [in, out], and the Add of a constant bias that follows it, if any. */
  private matMul(n: OnnxNode, out: string): string {
    const B = this.weight(n, 1, 'weights', 2);
    const [K, M] = B.dims;
    const next = (this.consumers.get(out) ?? []).filter((i) => !this.visited.has(i));
    const add = next.length === 1 ? this.model.graph.nodes[next[0]] : undefined;
    const biasName = add?.opType === 'Add' && isDefaultDomain(add.domain) ? add.inputs.find((v) => v !== out) : undefined;
    const bias = biasName !== undefined && this.constants.has(biasName) && add!.inputs.includes(out) ? this.store.values(this.constants.get(biasName)!) : undefined;
    if (bias === undefined || bias.data.length !== M) {
      this.affine(n, n.inputs[1], Float32Array.from(B.data), [K, M], undefined, 1, '');
      return out;
    }
    this.visited.add(next[0]);
    this.affine(add!, n.inputs[1], Float32Array.from(B.data), [K, M], bias, 1, biasName!);
    return add!.outputs[0] ?? '';
  }

  /** strides, pads (symmetric), dilations 1 and auto_pad NOTSET/VALID of a 2-D window op: one stride and one pad. */
  private window(n: OnnxNode, kernel: number[]): { stride: number; pad: number } {
    const autoPad = n.attributes.get('auto_pad')?.s ?? 'NOTSET';
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') this.refuse(n, `auto_pad ${printable(autoPad, 40)}; mnist-loss maps explicit pads (auto_pad NOTSET or VALID)`);
    const strides = this.intsAttr(n, 'strides', [1, 1]);
    const pads = autoPad === 'VALID' ? [0, 0, 0, 0] : this.intsAttr(n, 'pads', [0, 0, 0, 0]);
    const dilations = this.intsAttr(n, 'dilations', [1, 1]);
    if (kernel.length !== 2) this.refuse(n, `kernel_shape [${kernel.join(', ')}]; mnist-loss maps 2-D windows`);
    if (strides.length !== 2 || strides[0] !== strides[1] || !(strides[0] >= 1)) this.refuse(n, `strides [${strides.join(', ')}]; mnist-loss maps one stride for both axes`);
    if (pads.length !== 4 || pads.some((p) => p !== pads[0]) || !(pads[0] >= 0)) this.refuse(n, `pads [${pads.join(', ')}]; mnist-loss maps the same padding on every side`);
    if (dilations.some((d) => d !== 1)) this.refuse(n, `dilations [${dilations.join(', ')}]; mnist-loss maps dilations 1`);
    if (this.shape.length !== 3) this.refuse(n, `reads ${showShape(['N', ...this.shape])}, expected [N, C, H, W]`);
    return { stride: strides[0], pad: pads[0] };
  }

  private conv(n: OnnxNode): void {
    const W = this.weight(n, 1, 'weights', 4);
    const [FN, C, FH, FW] = W.dims;
    const kernel = this.intsAttr(n, 'kernel_shape', [FH, FW]);
    if (kernel.join() !== `${FH},${FW}`) this.refuse(n, `kernel_shape [${kernel.join(', ')}] but weights ${showShape(W.dims)}`);
    if (this.intAttr(n, 'group', 1) !== 1) this.refuse(n, `group ${this.intAttr(n, 'group', 1)}; mnist-loss maps group 1 (no grouped or depthwise convolutions)`);
    const { stride, pad } = this.window(n, kernel);
    if (C !== this.shape[0]) this.refuse(n, `its weights ${showShape(W.dims)} take ${C} channels, the previous layer gives ${this.shape[0]}`);
    const B = this.floatConstant(n, 2, 'bias');
    if (B !== undefined && B.data.length !== FN) this.refuse(n, `its bias has shape ${showShape(B.dims)}, expected [${FN}]`);
    const [H, Wd] = [this.shape[1], this.shape[2]];
    const [OH, OW] = [Math.floor((H + 2 * pad - FH) / stride) + 1, Math.floor((Wd + 2 * pad - FW) / stride) + 1];
    if (!(OH >= 1 && OW >= 1)) this.refuse(n, `a ${FH}x${FW} filter does not fit its ${H}x${Wd} input`);
    this.layers.push({
      kind: 'convolution', W: this.put(n.inputs[1], W.dims, Float32Array.from(W.data)),
      b: B === undefined ? null : this.put(n.inputs[2], [FN], Float32Array.from(B.data)), stride, pad,
    });
    this.shape = [FN, OH, OW];
  }

  private pool(n: OnnxNode): void {
    const kernel = this.intsAttr(n, 'kernel_shape', []);
    if (kernel.length !== 2 || kernel[0] !== kernel[1]) this.refuse(n, `kernel_shape [${kernel.join(', ')}]; mnist-loss maps square 2-D windows`);
    if (this.intAttr(n, 'ceil_mode', 0) !== 0) this.refuse(n, 'ceil_mode 1; mnist-loss maps floor rounding of the output size (ceil_mode 0)');
    const { stride, pad } = this.window(n, kernel);
    const size = kernel[0];
    if (2 * pad > size) this.refuse(n, `pads ${pad} exceed half the ${size}x${size} window`);
    const [C, H, W] = this.shape;
    const [OH, OW] = [Math.floor((H + 2 * pad - size) / stride) + 1, Math.floor((W + 2 * pad - size) / stride) + 1];
    if (!(OH >= 1 && OW >= 1)) this.refuse(n, `a ${size}x${size} window does not fit its ${H}x${W} input`);
    if (n.opType === 'MaxPool') this.layers.push({ kind: 'pooling', mode: 'max', size, stride, pad });
    else this.layers.push({ kind: 'pooling', mode: 'avg', size, stride, pad, countIncludePad: this.intAttr(n, 'count_include_pad', 0) !== 0 });
    this.shape = [C, OH, OW];
  }

  private globalPool(n: OnnxNode, keepDims: boolean): void {
    if (this.shape.length !== 3) this.refuse(n, `reads ${showShape(['N', ...this.shape])}, expected [N, C, H, W]`);
    this.layers.push({ kind: 'pooling', mode: 'avg', size: 1, stride: 1, pad: 0, global: true });
    this.shape = [this.shape[0], 1, 1];
    if (!keepDims) this.flatten();
  }

  /** ReduceMean over H and W (what the current exporter writes for AdaptiveAvgPool2d(1)): global average pooling. */
  private reduceMean(n: OnnxNode): void {
    const fromInput = this.optionalConstant(n, 1, 'axes');
    const axes = fromInput !== undefined ? [...fromInput.data] : this.intsAttr(n, 'axes', []);
    const normalised = axes.map((a) => (a < 0 ? a + 4 : a)).sort().join();
    if (this.shape.length !== 3 || normalised !== '2,3') this.refuse(n, `averages axes [${axes.join(', ')}] of ${showShape(['N', ...this.shape])}; mnist-loss maps a mean over H and W of [N, C, H, W] (global average pooling)`);
    this.globalPool(n, this.intAttr(n, 'keepdims', 1) !== 0);
  }

  private batchNorm(n: OnnxNode): void {
    if (this.intAttr(n, 'training_mode', 0) !== 0) this.refuse(n, 'training_mode 1; mnist-loss evaluates with the running statistics');
    if (this.intAttr(n, 'spatial', 1) !== 1) this.refuse(n, 'spatial 0; mnist-loss maps one statistic per channel');
    if (n.outputs.slice(1).some((o) => o !== '')) this.refuse(n, 'has training outputs (running mean and variance)');
    if (this.shape.length !== 3 && this.shape.length !== 1) this.refuse(n, `reads ${showShape(['N', ...this.shape])}, expected [N, C, H, W] or [N, F]`);
    const F = this.shape[0];
    const names = ['scale', 'B', 'mean', 'var'];
    const keys = names.map((what, k) => {
      const v = this.floatConstant(n, k + 1, what);
      if (v === undefined || v.data.length !== F) this.refuse(n, `its ${what} has shape ${showShape(v?.dims ?? [])}, expected [${F}] (one per ${this.shape.length === 3 ? 'channel' : 'feature'})`);
      return this.put(n.inputs[k + 1], [F], Float32Array.from(v.data));
    });
    this.layers.push({
      kind: 'batchNormalization', gamma: keys[0], beta: keys[1], mean: keys[2], var: keys[3],
      eps: this.floatAttr(n, 'epsilon', 1e-5), mode: this.shape.length === 3 ? 'perChannel' : 'book',
    });
  }

  /** Add/Sub/Mul/Div by one constant value before any layer: folded into the input's (x − mean) / std. */
  private scalarOp(n: OnnxNode, value: string): void {
    const other = n.inputs.findIndex((v) => v !== value);
    const c = other < 0 ? undefined : this.constants.get(n.inputs[other]);
    const atInput = this.layers.every((l) => l.kind === 'flatten' || l.kind === 'dropout');
    if (c === undefined || n.inputs.length !== 2) this.refuse(n, 'reads two values that are not both the previous layer and a constant');
    const v = this.store.values(c);
    if (!atInput) this.refuse(n, `${n.opType} by a constant after the first layer; mnist-loss folds such ops only at the input (normalisation) or as the bias Add of a MatMul`);
    if (v.data.length !== 1 || v.dims.length > this.shape.length + 1) this.refuse(n, `${n.opType} by ${showShape(v.dims)} values; mnist-loss folds only one value for every pixel into the input normalisation`);
    if (v.dataType !== FLOAT && v.dataType !== DOUBLE && v.dataType !== FLOAT16) this.refuse(n, `${n.opType} by an ${dtypeName(v.dataType)} constant`);
    const k = v.data[0];
    const left = other === 0; // c ∘ x
    const p = this.pre;
    if (n.opType === 'Add') p.b += k;
    else if (n.opType === 'Sub') [p.a, p.b] = left ? [-p.a, k - p.b] : [p.a, p.b - k];
    else if (n.opType === 'Mul') [p.a, p.b] = [p.a * k, p.b * k];
    else if (left) this.refuse(n, 'divides a constant by the input, which is no normalisation');
    else [p.a, p.b] = [p.a / k, p.b / k];
    if (!(Number.isFinite(p.a) && p.a !== 0 && Number.isFinite(p.b))) this.refuse(n, `makes the input normalisation x -> ${p.a}·x + ${p.b}, which maps no pixel range`);
    p.ops.push(n.opType);
  }
}

const isDefaultDomain = (d: string) => d === '' || d === 'ai.onnx';

/** The graph input: [N, 784] or [N, 1, 28, 28] (N symbolic or a number). */
function inputOf(model: OnnxModel, file: string): { name: string; shape: number[]; staticBatch?: number } {
  const g = model.graph;
  const initialized = new Set(g.initializers.map((t) => t.name));
  const inputs = g.inputs.filter((v) => !initialized.has(v.name));
  if (inputs.length !== 1)
    throw dataError(`${file}: the graph has ${inputs.length} inputs${inputs.length > 0 ? ` (${inputs.slice(0, 4).map((v) => `'${printable(v.name, 60)}'`).join(', ')})` : ''}; an MNIST model takes one batch of images`, ...UNSUPPORTED);
  const v = inputs[0];
  const what = `the graph input '${printable(v.name, 80)}'`;
  if (v.elemType !== FLOAT && v.elemType !== DOUBLE && v.elemType !== FLOAT16)
    throw dataError(`${file}: ${what} is ${v.elemType === undefined ? 'not a tensor' : dtypeName(v.elemType)}; mnist-loss feeds float pixels`, ...UNSUPPORTED);
  const dims = v.dims;
  const shapeText = dims === undefined ? 'no shape' : showShape(dims);
  const rest = dims?.slice(1).join();
  if (dims === undefined || (rest !== `${SIDE * SIDE}` && rest !== `1,${SIDE},${SIDE}`) || (typeof dims[0] === 'number' && !(dims[0] >= 1)))
    throw dataError(`${file}: ${what} has ${shapeText}; mnist-loss feeds [N, 784] or [N, 1, 28, 28] (grey 28x28 images)`, ...UNSUPPORTED);
  return { name: v.name, shape: dims.slice(1) as number[], staticBatch: typeof dims[0] === 'number' ? dims[0] : undefined };
}

const short = (x: number) => Number(x.toPrecision(6)).toString();

/**
 * An ONNX model's bytes -> the engine's layers and tensors (FrameworkModel). External data is read through
 * ctx.readSibling, inside the model's folder only. Anything not mapped exactly is exit 3 naming the node.
 */
export function parseOnnx(bytes: Uint8Array, file: string, ctx: ReadContext): FrameworkModel {
  const model = decodeModel(bytes, file);
  const g = model.graph;
  if (g.outputs.length !== 1) throw dataError(`${file}: the graph has ${g.outputs.length} outputs; an MNIST model gives one [N, 10] output`, ...UNSUPPORTED);
  const input = inputOf(model, file);
  const store = new TensorStore(file, ctx);
  const chain = new ChainMapper(model, store, file, input.shape, input.staticBatch);
  chain.walk(input.name, g.outputs[0].name);
  if (chain.layers.filter((l) => l.kind !== 'dropout' && l.kind !== 'flatten').length === 0)
    throw dataError(`${file}: the graph holds no layer mnist-loss maps`, ...UNSUPPORTED);

  const { a, b, ops } = chain.pre;
  let preprocessing: FoundPreprocessing | undefined;
  const notes: string[] = [];
  if (ops.length > 0) {
    // a·x + b = (x − mean) / std with mean = −b/a, std = 1/a; x = pixel / 255 (ToTensor's [0, 1])
    preprocessing = { scale: 1 / 255, mean: -b / a, std: 1 / a };
    notes.push(`input normalisation (x - ${short(-b / a)}) / ${short(1 / a)} from the graph's ${ops.join('/')}`);
  }
  const producer = model.producerName === 'pytorch' ? 'torch.onnx.export' : model.producerName === '' ? 'unknown producer' : printable(`${model.producerName} ${model.producerVersion}`.trim(), 60);
  const head = `ONNX (opset ${model.opset ?? '?'}, ${producer})`;
  const external = store.externalFiles.length > 0 ? [`external data ${store.externalFiles.map((f) => printable(f, 80)).join(', ')}`] : [];
  const activation = chain.activations.size === 1 ? [...chain.activations][0] : null;
  const architecture: Architecture = {
    recognised: 'onnx', inputShape: chain.inputShape, layers: chain.layers, activation, activationFrom: activation === null ? null : 'file',
  };
  return {
    format: 'onnx',
    description: [head, ...external, ...chain.notes, ...notes].join(', '),
    architecture,
    tensors: chain.tensors,
    preprocessing,
  };
}

/**
 * True when the bytes start as a serialised ModelProto does: ir_version (field 1, a small varint) and then another
 * ModelProto field (producer_name, ..., graph, opset_import); or, for a file too damaged to tell, a .onnx name.
 */
export function looksOnnx(bytes: Uint8Array, file: string): boolean {
  if (bytes.length >= 3 && bytes[0] === 0x08 && bytes[1] >= 1 && bytes[1] < 0x80 && [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42].includes(bytes[2])) return true;
  return /\.onnx$/i.test(file);
}
