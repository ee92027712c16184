// A safe reader for pickles of numpy arrays, such as the book's ch03/sample_weight.pkl, and for PyTorch's
// data.pkl (a state_dict inside a torch.save zip): a stack machine for the data opcodes of pickle protocols 2-5
// (Python's Lib/pickle.py _Unpickler, Lib/pickletools.py) that knows a few callables by name and builds data for
// them, restricted as torch/_weights_only_unpickler.py restricts torch.load(weights_only=True). It never imports
// or calls anything.
import { dataError, printable } from '../errors';

/** A numpy array read from a pickle: row-major (C order) values, native byte order. */
export interface PickledArray {
  readonly shape: number[];
  /** numpy's descr of the stored values: '<f4', '>f4', '<f8' or '>f8'. */
  readonly dtype: string;
  readonly data: Float32Array | Float64Array;
}

/** A PyTorch storage's element type (torch.FloatStorage ... torch.IntStorage). */
export type TorchDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32';

/** One tensor of a torch.save state_dict: where its values sit in which storage (data/<key> in the zip). */
export interface TorchTensorRef {
  readonly storage: { readonly key: string; readonly dtype: TorchDtype; readonly numel: number };
  /** Offset, in elements, of the tensor's first value in the storage. */
  readonly offset: number;
  readonly size: number[];
  /** Elements to step in the storage per index of each dimension (C-contiguous: [size[1]·…, …, 1]). */
  readonly stride: number[];
}

/**
 * The callables a numpy array pickle names, and nothing else. GLOBAL / STACK_GLOBAL with any other name
 * is refused on the spot, so a hostile pickle fails before it reaches its REDUCE.
 */
const NUMPY_GLOBALS: Readonly<Record<string, Callable>> = {
  'numpy.core.multiarray._reconstruct': 'reconstruct', // numpy < 2 (and the book's file)
  'numpy._core.multiarray._reconstruct': 'reconstruct', // numpy >= 2
  'numpy.ndarray': 'ndarray',
  'numpy.dtype': 'dtype',
  'numpy.core.numeric._frombuffer': 'frombuffer', // protocol 5 (Python 3.14's default)
  'numpy._core.numeric._frombuffer': 'frombuffer',
  '_codecs.encode': 'encode', // protocol 2 writes bytes as _codecs.encode(text, 'latin1')
};

/** The storage classes of a state_dict's persistent ids, and the element type each holds. */
const TORCH_STORAGES: Readonly<Record<string, TorchDtype>> = {
  'torch.FloatStorage': 'float32', 'torch.DoubleStorage': 'float64', 'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16', 'torch.LongStorage': 'int64', 'torch.IntStorage': 'int32',
};

/**
 * What torch.save(model.state_dict()) names (torch 1.6 to 2.x): the OrderedDict, the tensor and parameter
 * rebuilders, and the storage classes; torch.load(weights_only=True) allows these among a few more.
 */
const TORCH_GLOBALS: Readonly<Record<string, Callable>> = {
  'collections.OrderedDict': 'ordereddict',
  'torch._utils._rebuild_tensor_v2': 'rebuildTensor',
  'torch._utils._rebuild_parameter': 'rebuildParameter',
  ...Object.fromEntries(Object.keys(TORCH_STORAGES).map((k) => [k, 'storageType' as const])),
};
type Callable = 'reconstruct' | 'ndarray' | 'dtype' | 'frombuffer' | 'encode' | 'ordereddict' | 'rebuildTensor' | 'rebuildParameter' | 'storageType';

// Python values the machine can hold. Strings are JS strings; bytes carry whether they came from a
// Python 2 str (SHORT_BINSTRING / BINSTRING), which may also stand for text ('f4', '<').
type Value = null | boolean | number | string | Bytes | Tuple | List | Dict | Global | ArrayObj | DtypeObj | StorageObj | TensorObj;
interface Bytes { readonly kind: 'bytes'; readonly bytes: Uint8Array }
interface Tuple { readonly kind: 'tuple'; readonly items: Value[] }
interface List { readonly kind: 'list'; readonly items: Value[] }
/** ordered: made by collections.OrderedDict(), whose BUILD sets attributes (a state_dict's _metadata). */
interface Dict { readonly kind: 'dict'; readonly entries: Map<string, Value>; readonly ordered?: boolean }
interface Global { readonly kind: 'global'; readonly fn: Callable; readonly qualname: string }
interface ArrayObj { readonly kind: 'ndarray'; array?: PickledArray }
interface DtypeObj { readonly kind: 'dtype'; readonly code: 'f4' | 'f8'; byteorder: '<' | '>' }
interface StorageObj { readonly kind: 'storage'; readonly storage: TorchTensorRef['storage'] }
interface TensorObj { readonly kind: 'tensor'; readonly tensor: TorchTensorRef }

const OP = {
  MARK: 0x28, STOP: 0x2e, POP: 0x30, POP_MARK: 0x31, BINFLOAT: 0x47, BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d,
  NONE: 0x4e, REDUCE: 0x52, BINSTRING: 0x54, SHORT_BINSTRING: 0x55, BINUNICODE: 0x58, EMPTY_LIST: 0x5d,
  APPEND: 0x61, BUILD: 0x62, GLOBAL: 0x63, APPENDS: 0x65, BINGET: 0x68, LONG_BINGET: 0x6a, BINPUT: 0x71,
  LONG_BINPUT: 0x72, SETITEM: 0x73, TUPLE: 0x74, SETITEMS: 0x75, EMPTY_DICT: 0x7d, EMPTY_TUPLE: 0x29,
  PROTO: 0x80, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87, NEWTRUE: 0x88, NEWFALSE: 0x89,
  SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d, BINBYTES8: 0x8e, STACK_GLOBAL: 0x93, MEMOIZE: 0x94, FRAME: 0x95,
  BYTEARRAY8: 0x96, BINBYTES: 0x42, SHORT_BINBYTES: 0x43, BINPERSID: 0x51, LONG1: 0x8a,
} as const;
const OP_NAME: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k]));

const HINT = "mnist-loss reads only pickles of numpy arrays (like the book's sample_weight.pkl); convert the model with numpy: np.savez('model.npz', **params)";
const HINT_UNSAFE = 'this pickle would run code when loaded with Python: do not load it. mnist-loss refuses everything except numpy array reconstruction';
const TORCH_HINT = 'save the weights again with torch.save(model.state_dict(), path)';
const TORCH_HINT_UNSAFE =
  'this file would run code when loaded with torch.load(weights_only=False) or pickle: do not load it. mnist-loss reads only the tensors of a state_dict';
export const TORCH_HINT_MODULE = 'save model.state_dict() instead: torch.save(model.state_dict(), path)';

/** What one kind of pickle may name, and how its refusals and damage are worded. */
interface Profile {
  readonly globals: Readonly<Record<string, Callable>>;
  /** The hint for a damaged or malformed pickle. */
  readonly hint: string;
  /** BINPERSID (PyTorch's storages) is allowed. */
  readonly persistent: boolean;
  refuse(full: string, at: number, name: string): Error;
}

const NUMPY_PROFILE: Profile = {
  globals: NUMPY_GLOBALS,
  hint: HINT,
  persistent: false,
  refuse: (full, at, name) =>
    dataError(
      `${name}: refusing pickle: it calls ${printable(full)} (pickle byte ${at}); only numpy array reconstruction (numpy _reconstruct, ndarray, dtype, _frombuffer; _codecs.encode) is allowed`,
      HINT_UNSAFE,
    ),
};

/** A class a whole pickled nn.Module names: the user's own (__main__.Net) or PyTorch's (torch.nn.modules.linear.Linear). */
const MODULE_CLASS = /^(__main__|torch\.nn\.modules(\.[A-Za-z_][A-Za-z0-9_]*)*)\.[A-Z][A-Za-z0-9_]*$/;

const TORCH_PROFILE: Profile = {
  globals: TORCH_GLOBALS,
  hint: TORCH_HINT,
  persistent: true,
  refuse: (full, at, name) =>
    MODULE_CLASS.test(full)
      ? dataError(
        `${name}: this is a whole pickled model object (torch.save(model); it names the class ${printable(full)} at pickle byte ${at}), not a state_dict; loading it would import and run that class's code`,
        TORCH_HINT_MODULE,
      )
      : dataError(
        `${name}: refusing pickle: it calls ${printable(full)} (pickle byte ${at}); only a state_dict's tensors (collections.OrderedDict, torch._utils._rebuild_tensor_v2, _rebuild_parameter, torch.FloatStorage, DoubleStorage, HalfStorage, BFloat16Storage, LongStorage, IntStorage) are allowed`,
        TORCH_HINT_UNSAFE,
      ),
};

/** Bounds-checked reads over the pickle bytes; position-aware errors. */
class Input {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly name: string, readonly hint: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  take(n: number, what: string): Uint8Array {
    if (!(Number.isSafeInteger(n) && n >= 0 && this.pos + n <= this.bytes.length))
      throw dataError(`${this.name}: truncated pickle: ${what} at byte ${this.pos} needs ${n} bytes, ${this.bytes.length - this.pos} remain`, this.hint);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(what: string): number { return this.take(1, what)[0]; }
  u16(what: string): number { const b = this.take(2, what); return b[0] | (b[1] << 8); }
  i32(what: string): number { const at = this.pos; this.take(4, what); return this.view.getInt32(at, true); }
  u32(what: string): number { const at = this.pos; this.take(4, what); return this.view.getUint32(at, true); }
  u64(what: string): number {
    const at = this.pos;
    this.take(8, what);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(this.bytes.length - this.pos)) // checked here: a 64-bit length may not fit a JS number exactly
      throw dataError(`${this.name}: truncated pickle: ${what} at byte ${at} announces ${v} bytes, ${this.bytes.length - this.pos} remain`, this.hint);
    return Number(v);
  }
  f64be(what: string): number { const at = this.pos; this.take(8, what); return this.view.getFloat64(at, false); }
  /** A '\n'-terminated ASCII line (GLOBAL's module and name). */
  line(what: string): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw dataError(`${this.name}: truncated pickle: ${what} at byte ${this.pos} has no end of line`, this.hint);
    const text = new TextDecoder('latin1').decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }
}

const utf8 = (bytes: Uint8Array, name: string, at: number, hint: string) => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw dataError(`${name}: pickle string at byte ${at} is not valid UTF-8`, hint);
  }
};

/**
 * Reads a pickle whose top level is a dict of str -> numpy float32/float64 arrays (the book's
 * sample_weight.pkl; pickle.dump of such a dict with protocol 2-5 from numpy 1.x or 2.x, or a
 * Python 2 cPickle). Any other callable, an unknown opcode, or malformed data is a dataError (exit 3)
 * naming the callable or opcode and its byte offset. Fortran-ordered arrays come back in C order.
 */
export function parsePickle(bytes: Uint8Array, name: string): Map<string, PickledArray> {
  return toArrays(unpickle(bytes, name, NUMPY_PROFILE), name);
}

/**
 * Reads a PyTorch data.pkl (the pickle inside a torch.save zip) whose top level is a state_dict: a dict or
 * OrderedDict of str -> tensor, each rebuilt by torch._utils._rebuild_tensor_v2 (or _rebuild_parameter) from a
 * persistent id ('storage', torch.XStorage, key, location, numel). Returns where each tensor's values sit; the
 * storages themselves are the zip's data/<key> members. Any other callable (a whole nn.Module's class, a
 * __reduce__ payload) is refused at its GLOBAL opcode, before anything could be called: exit 3 naming it.
 */
export function parseTorchPickle(bytes: Uint8Array, name: string): Map<string, TorchTensorRef> {
  return toTorchTensors(unpickle(bytes, name, TORCH_PROFILE), name);
}

/** Runs the opcodes up to STOP and returns the one value left; only the profile's callables may be named. */
function unpickle(bytes: Uint8Array, name: string, profile: Profile): Value {
  const HINT = profile.hint;
  const input = new Input(bytes, name, HINT);
  let stack: Value[] = [];
  const marks: Value[][] = []; // the metastack: MARK saves the stack and starts a new one
  const memo = new Map<number, Value>();
  const fail = (at: number, message: string, hint = HINT) => dataError(`${name}: ${message} (pickle byte ${at})`, hint);

  const pop = (at: number, op: string): Value => {
    if (stack.length === 0) throw fail(at, `${op} on an empty stack`);
    return stack.pop()!;
  };
  const popMark = (at: number, op: string): Value[] => {
    if (marks.length === 0) throw fail(at, `${op} without a MARK`);
    const items = stack;
    stack = marks.pop()!;
    return items;
  };
  const top = (at: number, op: string): Value => {
    if (stack.length === 0) throw fail(at, `${op} on an empty stack`);
    return stack[stack.length - 1];
  };
  const text = (v: Value, at: number, what: string): string => {
    if (typeof v === 'string') return v;
    if (isBytes(v)) return new TextDecoder('latin1').decode(v.bytes); // a Python 2 str, read as encoding='latin1'
    throw fail(at, `${what} should be a string, found ${describe(v)}`);
  };
  const global = (module: string, qualname: string, at: number): Global => {
    const full = `${module}.${qualname}`;
    const fn = Object.prototype.hasOwnProperty.call(profile.globals, full) ? profile.globals[full] : undefined;
    if (fn === undefined) throw profile.refuse(full, at, name);
    return { kind: 'global', fn, qualname: full };
  };
  const storages = new Map<string, TorchTensorRef['storage']>(); // persistent_load: one storage per key

  for (;;) {
    const at = input.pos;
    if (at >= bytes.length) throw dataError(`${name}: truncated pickle: no STOP opcode before the end (${bytes.length} bytes)`, HINT);
    const op = input.u8('opcode');
    switch (op) {
      case OP.PROTO: {
        const v = input.u8('PROTO version');
        if (v < 2 || v > 5) throw fail(at, `pickle protocol ${v}; mnist-loss reads protocols 2 to 5`);
        break;
      }
      case OP.FRAME: input.u64('FRAME length'); break; // framing is a read-ahead hint; the opcodes follow inline
      case OP.STOP: {
        if (stack.length !== 1 || marks.length !== 0) throw fail(at, `STOP with ${stack.length} values on the stack and ${marks.length} open MARKs; expected exactly one`);
        return stack[0];
      }
      case OP.MARK: marks.push(stack); stack = []; break;
      case OP.POP: pop(at, 'POP'); break;
      case OP.POP_MARK: popMark(at, 'POP_MARK'); break;
      case OP.EMPTY_DICT: stack.push({ kind: 'dict', entries: new Map() }); break;
      case OP.EMPTY_LIST: stack.push({ kind: 'list', items: [] }); break;
      case OP.EMPTY_TUPLE: stack.push({ kind: 'tuple', items: [] }); break;
      case OP.TUPLE: {
        const items = popMark(at, 'TUPLE'); // before touching `stack`: popMark replaces it
        stack.push({ kind: 'tuple', items });
        break;
      }
      case OP.TUPLE1: case OP.TUPLE2: case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        if (stack.length < n) throw fail(at, `${OP_NAME[op]} needs ${n} values on the stack, found ${stack.length}`);
        stack.push({ kind: 'tuple', items: stack.splice(stack.length - n, n) });
        break;
      }
      case OP.BININT: stack.push(input.i32('BININT')); break;
      case OP.BININT1: stack.push(input.u8('BININT1')); break;
      case OP.BININT2: stack.push(input.u16('BININT2')); break;
      case OP.BINFLOAT: stack.push(input.f64be('BINFLOAT')); break;
      case OP.LONG1: {
        // a little-endian two's-complement integer of n bytes (pickle writes ints beyond 32 bits this way)
        const n = input.u8('LONG1 length');
        const b = input.take(n, 'LONG1');
        if (n > 8) throw fail(at, `LONG1 integer of ${n} bytes; mnist-loss reads integers of at most 8 bytes`);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw fail(at, `LONG1 integer ${v} is beyond 2^53`);
        stack.push(Number(v));
        break;
      }
      case OP.BINPERSID: {
        // torch.save's persistent_id of a storage: ('storage', torch.FloatStorage, key, location, numel)
        if (!profile.persistent) throw fail(at, 'BINPERSID (a persistent reference to data outside the pickle) in a pickle of numpy arrays');
        const pid = pop(at, 'BINPERSID');
        stack.push({ kind: 'storage', storage: persistentStorage(pid, storages, (m) => fail(at, `BINPERSID ${m}`)) });
        break;
      }
      case OP.NONE: stack.push(null); break;
      case OP.NEWTRUE: stack.push(true); break;
      case OP.NEWFALSE: stack.push(false); break;
      case OP.SHORT_BINUNICODE: stack.push(utf8(input.take(input.u8('SHORT_BINUNICODE length'), 'SHORT_BINUNICODE'), name, at, profile.hint)); break;
      case OP.BINUNICODE: stack.push(utf8(input.take(input.u32('BINUNICODE length'), 'BINUNICODE'), name, at, profile.hint)); break;
      case OP.BINUNICODE8: stack.push(utf8(input.take(input.u64('BINUNICODE8 length'), 'BINUNICODE8'), name, at, profile.hint)); break;
      case OP.SHORT_BINSTRING: stack.push(bytesValue(input.take(input.u8('SHORT_BINSTRING length'), 'SHORT_BINSTRING'))); break;
      case OP.BINSTRING: {
        const n = input.i32('BINSTRING length');
        if (n < 0) throw fail(at, `BINSTRING with negative length ${n}`);
        stack.push(bytesValue(input.take(n, 'BINSTRING')));
        break;
      }
      case OP.SHORT_BINBYTES: stack.push(bytesValue(input.take(input.u8('SHORT_BINBYTES length'), 'SHORT_BINBYTES'))); break;
      case OP.BINBYTES: stack.push(bytesValue(input.take(input.u32('BINBYTES length'), 'BINBYTES'))); break;
      case OP.BINBYTES8: stack.push(bytesValue(input.take(input.u64('BINBYTES8 length'), 'BINBYTES8'))); break;
      case OP.BYTEARRAY8: stack.push(bytesValue(input.take(input.u64('BYTEARRAY8 length'), 'BYTEARRAY8'))); break;
      case OP.BINPUT: memo.set(input.u8('BINPUT index'), top(at, 'BINPUT')); break;
      case OP.LONG_BINPUT: memo.set(input.u32('LONG_BINPUT index'), top(at, 'LONG_BINPUT')); break;
      case OP.MEMOIZE: memo.set(memo.size, top(at, 'MEMOIZE')); break;
      case OP.BINGET: case OP.LONG_BINGET: {
        const i = op === OP.BINGET ? input.u8('BINGET index') : input.u32('LONG_BINGET index');
        if (!memo.has(i)) throw fail(at, `${OP_NAME[op]} ${i}: no such memo entry`);
        stack.push(memo.get(i)!);
        break;
      }
      case OP.SETITEM: case OP.SETITEMS: {
        const items = op === OP.SETITEM ? [pop(at, 'SETITEM'), pop(at, 'SETITEM')].reverse() : popMark(at, 'SETITEMS');
        if (items.length % 2 !== 0) throw fail(at, `${OP_NAME[op]} with an odd number of values (${items.length})`);
        const dict = top(at, OP_NAME[op]);
        if (!isKind(dict, 'dict')) throw fail(at, `${OP_NAME[op]} on ${describe(dict)}, expected a dict`);
        for (let i = 0; i < items.length; i += 2) dict.entries.set(text(items[i], at, 'a dict key'), items[i + 1]);
        break;
      }
      case OP.APPEND: case OP.APPENDS: {
        const items = op === OP.APPEND ? [pop(at, 'APPEND')] : popMark(at, 'APPENDS');
        const list = top(at, OP_NAME[op]);
        if (!isKind(list, 'list')) throw fail(at, `${OP_NAME[op]} on ${describe(list)}, expected a list`);
        for (const item of items) list.items.push(item); // not push(...items): a million items would overflow the call stack
        break;
      }
      case OP.GLOBAL: {
        const module = input.line('GLOBAL module');
        const qualname = input.line('GLOBAL name');
        stack.push(global(module, qualname, at));
        break;
      }
      case OP.STACK_GLOBAL: {
        const qualname = pop(at, 'STACK_GLOBAL');
        const module = pop(at, 'STACK_GLOBAL');
        if (typeof module !== 'string' || typeof qualname !== 'string') throw fail(at, 'STACK_GLOBAL needs two strings (module, name)');
        stack.push(global(module, qualname, at));
        break;
      }
      case OP.REDUCE: {
        const args = pop(at, 'REDUCE');
        const fn = pop(at, 'REDUCE');
        if (!isKind(fn, 'global')) throw fail(at, `REDUCE calls ${describe(fn)}, expected an allowed callable`);
        if (!isKind(args, 'tuple')) throw fail(at, `REDUCE arguments should be a tuple, found ${describe(args)}`);
        stack.push(reduce(fn, args.items, (m) => fail(at, `${fn.qualname}${m}`)));
        break;
      }
      case OP.BUILD: {
        const state = pop(at, 'BUILD');
        const obj = top(at, 'BUILD');
        if (isKind(obj, 'ndarray')) obj.array = arrayFromState(state, (m) => fail(at, `ndarray state: ${m}`));
        else if (isKind(obj, 'dtype')) obj.byteorder = dtypeByteorder(state, obj, (m) => fail(at, `dtype state: ${m}`));
        // OrderedDict attributes (a state_dict's _metadata: {prefix: {'version': n}}): data the tensors do not need
        else if (isKind(obj, 'dict') && obj.ordered === true && isKind(state, 'dict')) break;
        else throw fail(at, `BUILD on ${describe(obj)}; only ${profile.persistent ? "an OrderedDict's attributes are" : 'numpy arrays and dtypes are'} built`);
        break;
      }
      default:
        throw fail(at, `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}${op >= 0x20 && op < 0x7f ? ` ('${String.fromCharCode(op)}')` : ''}`);
    }
  }
}

const bytesValue = (bytes: Uint8Array): Bytes => ({ kind: 'bytes', bytes });
function isKind<K extends Exclude<Value, null | boolean | number | string>['kind']>(v: Value, kind: K): v is Extract<Value, { kind: K }> {
  return typeof v === 'object' && v !== null && v.kind === kind;
}
const isBytes = (v: Value): v is Bytes => isKind(v, 'bytes');

function describe(v: Value): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'string') return `the string "${printable(v, 40)}"`;
  if (v.kind === 'global') return v.qualname;
  if (v.kind === 'ndarray') return 'a numpy array';
  if (v.kind === 'dtype') return 'a numpy dtype';
  if (v.kind === 'storage') return `a torch storage (${v.storage.dtype})`;
  if (v.kind === 'tensor') return 'a torch tensor';
  return `a ${v.kind}`;
}

/** What an allowed callable would return, built as data. */
function reduce(fn: Global, args: Value[], fail: (m: string) => Error): Value {
  switch (fn.fn) {
    case 'reconstruct': {
      // _reconstruct(numpy.ndarray, (0,), b'b'): an empty array that BUILD then fills
      if (args.length !== 3 || !isKind(args[0], 'global') || args[0].fn !== 'ndarray') throw fail(' expects (numpy.ndarray, shape, typecode)');
      return { kind: 'ndarray' };
    }
    case 'dtype': {
      // dtype('f4', align, copy): the byte order arrives in BUILD's state
      if (args.length < 1) throw fail(' expects a type code');
      const code = typeof args[0] === 'string' ? args[0] : isBytes(args[0]) ? new TextDecoder('latin1').decode(args[0].bytes) : undefined;
      if (code !== 'f4' && code !== 'f8')
        throw fail(` of ${code === undefined ? describe(args[0]) : `"${printable(code, 40)}"`}: mnist-loss reads float32 ('f4') and float64 ('f8') arrays`);
      return { kind: 'dtype', code, byteorder: '<' };
    }
    case 'encode': {
      // _codecs.encode(text, 'latin1'): Python 3's protocol-2 spelling of a bytes object
      const [textArg, encoding] = args;
      if (args.length !== 2 || typeof textArg !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1'))
        throw fail(" is allowed only as encode(text, 'latin1')");
      return bytesValue(latin1Bytes(textArg, fail));
    }
    case 'frombuffer': {
      // _frombuffer(buffer, dtype, shape, order): protocol 5's in-band array
      const [buffer, dtype, shape, order] = args;
      if (args.length !== 4 || !isBytes(buffer) || !isKind(dtype, 'dtype') || (order !== 'C' && order !== 'F'))
        throw fail(' expects (bytes, dtype, shape, order)');
      return { kind: 'ndarray', array: makeArray(buffer.bytes, dtype, shapeOf(shape, fail), order === 'F', fail) };
    }
    case 'ndarray':
      throw fail(' is only allowed as an argument of _reconstruct');
    case 'ordereddict':
      // OrderedDict(): empty; protocol 2 then fills it with SETITEMS
      if (args.length !== 0) throw fail(' is allowed only as OrderedDict() (items follow by SETITEMS)');
      return { kind: 'dict', entries: new Map(), ordered: true };
    case 'rebuildTensor':
      return { kind: 'tensor', tensor: rebuildTensor(args, fail) };
    case 'rebuildParameter': {
      // _rebuild_parameter(data, requires_grad, backward_hooks): an nn.Parameter around a tensor (state_dict(keep_vars=True))
      const [data] = args;
      if (args.length !== 3 || !isKind(data, 'tensor')) throw fail(' expects (tensor, requires_grad, backward_hooks)');
      return data;
    }
    case 'storageType':
      throw fail(' is only allowed inside a persistent id (BINPERSID)');
  }
}

const isCount = (v: Value): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** persistent_load: ('storage', storage type, key, location, numel) -> the storage of that key (one per key). */
function persistentStorage(pid: Value, storages: Map<string, TorchTensorRef['storage']>, fail: (m: string) => Error): TorchTensorRef['storage'] {
  if (!isKind(pid, 'tuple') || pid.items.length !== 5 || pid.items[0] !== 'storage')
    throw fail(`expects ('storage', storage type, key, location, numel), found ${describe(pid)}${isKind(pid, 'tuple') ? ` of ${pid.items.length} items starting with ${describe(pid.items[0] ?? null)}` : ''}`);
  const [, type, key, location, numel] = pid.items;
  if (!isKind(type, 'global') || type.fn !== 'storageType') throw fail(`storage type should be torch.FloatStorage or another storage class, found ${describe(type)}`);
  if (typeof key !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(key)) throw fail(`storage key should be a short name like "0", found ${describe(key)}`);
  if (typeof location !== 'string') throw fail(`storage location should be a string like "cpu", found ${describe(location)}`);
  if (!isCount(numel)) throw fail(`storage size should be a non-negative integer, found ${describe(numel)}`);
  const storage = { key, dtype: TORCH_STORAGES[type.qualname], numel };
  const seen = storages.get(key);
  if (seen === undefined) storages.set(key, storage);
  else if (seen.dtype !== storage.dtype || seen.numel !== storage.numel)
    throw fail(`storage "${key}" is ${storage.numel} x ${storage.dtype} here but ${seen.numel} x ${seen.dtype} earlier`);
  return seen ?? storage;
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
function rebuildTensor(args: Value[], fail: (m: string) => Error): TorchTensorRef {
  const [storage, offset, size, stride] = args;
  if ((args.length !== 6 && args.length !== 7) || !isKind(storage, 'storage'))
    throw fail(' expects (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])');
  if (!isCount(offset)) throw fail(`: storage_offset should be a non-negative integer, found ${describe(offset)}`);
  const dims = (v: Value, what: string): number[] => {
    if (!isKind(v, 'tuple') || !v.items.every(isCount)) throw fail(`: ${what} should be a tuple of non-negative integers, found ${describe(v)}`);
    if (v.items.length > MAX_DIMS) throw fail(`: ${what} has ${v.items.length} dimensions; tensors have at most ${MAX_DIMS}`);
    return v.items as number[];
  };
  const sizes = dims(size, 'size'), strides = dims(stride, 'stride');
  if (sizes.length !== strides.length) throw fail(`: size (${sizes.join(', ')}) and stride (${strides.join(', ')}) differ in length`);
  return { storage: storage.storage, offset, size: sizes, stride: strides };
}

function latin1Bytes(s: string, fail: (m: string) => Error): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw fail(`: character U+${c.toString(16)} is not latin-1`);
    out[i] = c;
  }
  return out;
}

/** numpy 2's NPY_MAXDIMS: no array has more dimensions. */
const MAX_DIMS = 64;

function shapeOf(v: Value, fail: (m: string) => Error): number[] {
  if (!isKind(v, 'tuple') || !v.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0))
    throw fail(`: shape should be a tuple of non-negative integers, found ${describe(v)}`);
  if (v.items.length > MAX_DIMS) throw fail(`: shape has ${v.items.length} dimensions; numpy arrays have at most ${MAX_DIMS}`);
  return v.items as number[];
}

/** dtype.__setstate__: (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]). */
function dtypeByteorder(state: Value, dtype: DtypeObj, fail: (m: string) => Error): '<' | '>' {
  if (!isKind(state, 'tuple') || state.items.length < 2) throw fail(`expected a tuple (version, byteorder, ...), found ${describe(state)}`);
  const order = state.items[1];
  const text = typeof order === 'string' ? order : isBytes(order) ? new TextDecoder('latin1').decode(order.bytes) : '';
  if (state.items[2] !== null && state.items[2] !== undefined) throw fail(`sub-array dtypes are not supported`);
  if (text === '<' || text === '>') return text;
  // '=' (native) and '|' are what some writers use on little-endian machines for plain floats
  if (text === '=' || text === '|') return '<';
  throw fail(`unknown byte order ${describe(order)} for ${dtype.code}`);
}

/** ndarray.__setstate__: (version, shape, dtype, is_fortran, rawdata), or the same without version. */
function arrayFromState(state: Value, fail: (m: string) => Error): PickledArray {
  if (!isKind(state, 'tuple') || (state.items.length !== 5 && state.items.length !== 4))
    throw fail(`expected a tuple (version, shape, dtype, is_fortran, data), found ${describe(state)}`);
  const [shape, dtype, fortran, raw] = state.items.slice(state.items.length - 4);
  if (!isKind(dtype, 'dtype')) throw fail(`expected a numpy dtype, found ${describe(dtype)}`);
  if (typeof fortran !== 'boolean' && fortran !== 0 && fortran !== 1) throw fail(`is_fortran should be a bool, found ${describe(fortran)}`);
  const data = isBytes(raw) ? raw.bytes : typeof raw === 'string' ? latin1Bytes(raw, fail) : undefined; // str: a Python 2 pickle read as latin1
  if (data === undefined) throw fail(`raw data should be bytes, found ${describe(raw)} (object arrays are not supported)`);
  return makeArray(data, dtype, shapeOf(shape, fail), fortran === true || fortran === 1, fail);
}

/** Raw bytes -> C-ordered native values. Fortran order stores (i0, i1, ...) at Σ i_j · Π_{m<j} d_m. */
function makeArray(raw: Uint8Array, dtype: DtypeObj, shape: number[], fortran: boolean, fail: (m: string) => Error): PickledArray {
  const size = dtype.code === 'f4' ? 4 : 8;
  const count = shape.reduce((p, d) => p * d, 1);
  if (!Number.isSafeInteger(count * size) || count * size !== raw.length)
    throw fail(`shape (${shape.join(', ')}) of ${dtype.code} needs ${count * size} bytes, found ${raw.length}`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const little = dtype.byteorder === '<';
  const data = size === 4 ? new Float32Array(count) : new Float64Array(count);
  const cStrides = shape.map((_, j) => shape.slice(j + 1).reduce((p, d) => p * d, 1));
  for (let f = 0; f < count; f++) {
    let c = f;
    if (fortran) {
      c = 0;
      let rest = f;
      for (let j = 0; j < shape.length; j++) { c += (rest % shape[j]) * cStrides[j]; rest = Math.floor(rest / shape[j]); }
    }
    data[c] = size === 4 ? view.getFloat32(f * 4, little) : view.getFloat64(f * 8, little);
  }
  return { shape, dtype: `${dtype.byteorder}${dtype.code}`, data };
}

function toTorchTensors(result: Value, name: string): Map<string, TorchTensorRef> {
  if (!isKind(result, 'dict'))
    throw dataError(`${name}: the pickle holds ${describe(result)}; expected a state_dict (a dict of tensors like {'fc1.weight': ..., 'fc1.bias': ...})`, TORCH_HINT);
  const out = new Map<string, TorchTensorRef>();
  for (const [key, v] of result.entries) {
    if (!isKind(v, 'tensor'))
      throw dataError(
        `${name}: entry "${printable(key)}" is ${describe(v)}, expected a tensor${isKind(v, 'dict') ? ' (a checkpoint holding a state_dict and more?)' : ''}`,
        isKind(v, 'dict') ? 'save the model\'s state_dict itself: torch.save(model.state_dict(), path)' : TORCH_HINT,
      );
    out.set(key, v.tensor);
  }
  return out;
}

function toArrays(result: Value, name: string): Map<string, PickledArray> {
  if (!isKind(result, 'dict'))
    throw dataError(`${name}: the pickle holds ${describe(result)}; expected a dict of numpy arrays like {'W1': ..., 'b1': ...}`, HINT);
  const out = new Map<string, PickledArray>();
  for (const [key, v] of result.entries) {
    if (!isKind(v, 'ndarray') || v.array === undefined)
      throw dataError(`${name}: entry "${printable(key)}" of the pickled dict is ${describe(v)}, expected a numpy array`, HINT);
    out.set(key, v.array);
  }
  return out;
}
