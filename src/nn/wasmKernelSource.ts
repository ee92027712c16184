// The WebAssembly SIMD module behind wasmKernel.ts, written out: the inner loops of fastForward.ts as bytes
// (no toolchain, no binary file). Every function does the float64/float32 operations of its JS twin in
// fastForward.ts in the same order — exp is V8's own fdlibm exp (src/base/ieee754.cc), step for step — so the
// two paths give identical bits. Only tests load this file: a run uses the bytes stored in wasmKernel.ts.
import { LAYER_TABLE_BYTES } from './wasmKernel';


type Code = number[];

// Opcodes (WebAssembly core + fixed-width SIMD).
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, RETURN = 0x0f, CALL = 0x10, SELECT = 0x1b;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21;
const I32_LOAD = 0x28, F32_LOAD = 0x2a, F64_LOAD = 0x2b, I32_LOAD8_U = 0x2d, I32_STORE = 0x36, F64_STORE = 0x39;
const I32_CONST = 0x41, I64_CONST = 0x42, F64_CONST = 0x44;
const I32_CTZ = 0x68, I32_EQZ = 0x45, I32_EQ = 0x46, I32_LT_U = 0x49, I32_GT_U = 0x4b, I32_GE_S = 0x4e, I32_GE_U = 0x4f;
const F32_NE = 0x5c, F32_GT = 0x5e, F64_EQ = 0x61, F64_NE = 0x62, F64_LT = 0x63, F64_GT = 0x64;
const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_AND = 0x71, I32_OR = 0x72, I32_SHL = 0x74, I32_SHR_U = 0x76;
const I64_SHL = 0x86, I64_SHR_U = 0x88, F32_ADD = 0x92, F64_NEG = 0x9a, F64_ADD = 0xa0, F64_SUB = 0xa1, F64_MUL = 0xa2, F64_DIV = 0xa3;
const I32_WRAP_I64 = 0xa7, I32_TRUNC_F64_S = 0xaa, I64_EXTEND_I32_U = 0xad, F32_DEMOTE_F64 = 0xb6, F64_CONVERT_I32_S = 0xb7;
const F64_PROMOTE_F32 = 0xbb, I64_REINTERPRET_F64 = 0xbd, F64_REINTERPRET_I64 = 0xbf;
const SIMD = 0xfd, V128_LOAD = 0x00, V128_STORE = 0x0b, V128_CONST = 0x0c, F64X2_SPLAT = 0x14, F64X2_EXTRACT_LANE = 0x21, F64X2_REPLACE_LANE = 0x22;
const I8X16_NE = 0x24, I8X16_BITMASK = 0x64, F64X2_EQ = 0x47, V128_AND = 0x4e, V128_OR = 0x50, V128_BITSELECT = 0x52, V128_ANY_TRUE = 0x53, V128_LOAD64_ZERO = 0x5d;
const F32X4_DEMOTE_F64X2_ZERO = 0x5e, F64X2_PROMOTE_LOW_F32X4 = 0x5f, F64X2_TRUNC = 0x7a, I64X2_SHL = 0xcb, I64X2_SHR_U = 0xcd;
const I64X2_ADD = 0xce, I64X2_SUB = 0xd1, I64X2_LT_S = 0xd8, I64X2_GE_S = 0xdb, F32X4_ADD = 0xe4, F64X2_NEG = 0xed;
const F64X2_ADD = 0xf0, F64X2_SUB = 0xf1, F64X2_MUL = 0xf2, F64X2_DIV = 0xf3;
const I32 = 0x7f, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b, VOID = 0x40;

function uleb(n: number): Code {
  const out: Code = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}
function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) { out.push(byte); return out; }
    out.push(byte | 0x80);
  }
}
const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const name = (s: string): Code => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
const simd = (op: number, ...imm: number[]): Code => [SIMD, ...uleb(op), ...imm];
const get = (l: number): Code => [LOCAL_GET, l];
const set = (l: number): Code => [LOCAL_SET, l];
const i32 = (n: number): Code => [I32_CONST, ...sleb(n)];
const f64 = (x: number): Code => [F64_CONST, ...new Uint8Array(Float64Array.of(x).buffer)];
/** v128.const of two equal float64 lanes, or of two equal int64 lanes. */
const f64x2 = (x: number): Code => simd(V128_CONST, ...new Uint8Array(Float64Array.of(x, x).buffer));
const i64x2 = (n: bigint): Code => simd(V128_CONST, ...new Uint8Array(BigInt64Array.of(n, n).buffer));
const mem = (align: number, offset = 0): Code => [...uleb(align), ...uleb(offset)];
/** base + (index << shift): the byte address of element `index` of a 2^shift-byte array. */
const at = (base: number, index: Code, shift: number): Code => [...get(base), ...index, ...i32(shift), I32_SHL, I32_ADD];
const ifThen = (cond: Code, ...then: Code[]): Code => [...cond, IF, VOID, ...then.flat(), END];
const ifElse = (cond: Code, then: Code[], otherwise: Code[]): Code => [...cond, IF, VOID, ...then.flat(), ELSE, ...otherwise.flat(), END];
/** for (i = from; i < limit; i++) body — `limit` is code that leaves an i32. */
const forRange = (i: number, from: Code, limit: Code, ...body: Code[]): Code => [
  ...from, ...set(i),
  BLOCK, VOID, LOOP, VOID,
  ...get(i), ...limit, I32_GE_U, BR_IF, 1,
  ...body.flat(),
  ...get(i), ...i32(1), I32_ADD, ...set(i),
  BR, 0, END, END,
];

interface Func {
  readonly params: number[];
  readonly results: number[];
  readonly locals: number[];
  readonly body: Code;
  readonly export: string;
}

// ---- exp(x): V8's ieee754::exp (fdlibm e_exp.c), so that sigmoid here equals sigmoid via Math.exp ----
const LN2HI = 6.93147180369123816490e-1, LN2LO = 1.90821492927058770002e-10, INVLN2 = 1.44269504088896338700e0;
const P1 = 1.66666666666666019037e-1, P2 = -2.77777777770155933842e-3, P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6, P5 = 4.13813679705723846039e-8;
function expFunc(): Func {
  const X = 0, HX = 1, XSB = 2, K = 3, HI = 4, LO = 5, T = 6, C = 7, Y = 8, TWOPK = 9;
  const E = 2.718281828459045, TWOM1000 = 9.33263618503218878990e-302, TWO1023 = 8.988465674311579539e307;
  const highWord = [...get(X), I64_REINTERPRET_F64, I64_CONST, 32, I64_SHR_U, I32_WRAP_I64];
  const lowWord = [...get(X), I64_REINTERPRET_F64, I32_WRAP_I64];
  const ret = (code: Code): Code => [...code, RETURN];
  /** f64 whose high word is `high` and low word 0 (INSERT_WORDS(twopk, high, 0)). */
  const fromHighWord = (high: Code): Code => [...high, I64_EXTEND_I32_U, I64_CONST, 32, I64_SHL, F64_REINTERPRET_I64];
  const body: Code = [
    ...highWord, ...set(HX),
    ...get(HX), ...i32(31), I32_SHR_U, ...set(XSB),            // xsb = sign bit
    ...get(HX), ...i32(0x7fffffff), I32_AND, ...set(HX),       // hx = high word of |x|
    ...ifThen([...get(HX), ...i32(0x40862e42), I32_GE_U],       // |x| >= 709.78...
      ifThen([...get(HX), ...i32(0x7ff00000), I32_GE_U],
        ifThen([...get(HX), ...i32(0xfffff), I32_AND, ...lowWord, I32_OR], ret([...get(X), ...get(X), F64_ADD])), // NaN
        ret([...get(X), ...f64(0), ...get(XSB), I32_EQZ, SELECT])),                                              // exp(±inf) = inf, 0
      ifThen([...get(X), ...f64(7.09782712893383973096e2), F64_GT], ret(f64(Infinity))),       // overflow: huge * huge
      ifThen([...get(X), ...f64(-7.45133219101941108420e2), F64_LT], ret(f64(TWOM1000 * TWOM1000)))), // underflow
    ...ifElse([...get(HX), ...i32(0x3fd62e42), I32_GT_U], [          // |x| > 0.5 ln2: argument reduction
      ifElse([...get(HX), ...i32(0x3ff0a2b2), I32_LT_U], [           // and |x| < 1.5 ln2
        ifThen([...get(X), ...f64(1), F64_EQ], ret(f64(E))),         // V8 special-cases exp(1)
        [...get(X), ...f64(LN2HI), ...f64(-LN2HI), ...get(XSB), I32_EQZ, SELECT, F64_SUB, ...set(HI)],
        [...f64(LN2LO), ...f64(-LN2LO), ...get(XSB), I32_EQZ, SELECT, ...set(LO)],
        [...i32(1), ...get(XSB), I32_SUB, ...get(XSB), I32_SUB, ...set(K)],
      ], [
        [...f64(INVLN2), ...get(X), F64_MUL, ...f64(0.5), ...f64(-0.5), ...get(XSB), I32_EQZ, SELECT, F64_ADD, I32_TRUNC_F64_S, ...set(K)],
        [...get(K), F64_CONVERT_I32_S, ...set(T)],
        [...get(X), ...get(T), ...f64(LN2HI), F64_MUL, F64_SUB, ...set(HI)],
        [...get(T), ...f64(LN2LO), F64_MUL, ...set(LO)],
      ]),
      [...get(HI), ...get(LO), F64_SUB, ...set(X)],
    ], [
      ifThen([...get(HX), ...i32(0x3e300000), I32_LT_U], ret([...f64(1), ...get(X), F64_ADD])), // |x| < 2^-28
      [...i32(0), ...set(K)],
    ]),
    ...get(X), ...get(X), F64_MUL, ...set(T),
    ...ifElse([...get(K), ...i32(-1021), I32_GE_S],
      [fromHighWord([...i32(0x3ff00000), ...get(K), ...i32(20), I32_SHL, I32_ADD]), set(TWOPK)],
      [fromHighWord([...i32(0x3ff00000), ...get(K), ...i32(1000), I32_ADD, ...i32(20), I32_SHL, I32_ADD]), set(TWOPK)]),
    // c = x - t*(P1 + t*(P2 + t*(P3 + t*(P4 + t*P5))))
    ...get(X), ...get(T),
    ...f64(P1), ...get(T), ...f64(P2), ...get(T), ...f64(P3), ...get(T), ...f64(P4), ...get(T), ...f64(P5),
    F64_MUL, F64_ADD, F64_MUL, F64_ADD, F64_MUL, F64_ADD, F64_MUL, F64_ADD, F64_MUL, F64_SUB, ...set(C),
    // k == 0: 1 - ((x*c)/(c - 2) - x)
    ...ifThen([...get(K), I32_EQZ], ret([...f64(1), ...get(X), ...get(C), F64_MUL, ...get(C), ...f64(2), F64_SUB, F64_DIV, ...get(X), F64_SUB, F64_SUB])),
    // y = 1 - ((lo - (x*c)/(2 - c)) - hi)
    ...f64(1), ...get(LO), ...get(X), ...get(C), F64_MUL, ...f64(2), ...get(C), F64_SUB, F64_DIV, F64_SUB, ...get(HI), F64_SUB, F64_SUB, ...set(Y),
    ...ifThen([...get(K), ...i32(-1021), I32_GE_S],
      ifThen([...get(K), ...i32(1024), I32_EQ], ret([...get(Y), ...f64(2), F64_MUL, ...f64(TWO1023), F64_MUL])),
      ret([...get(Y), ...get(TWOPK), F64_MUL])),
    ...get(Y), ...get(TWOPK), F64_MUL, ...f64(TWOM1000), F64_MUL,
  ];
  return { params: [F64], results: [F64], locals: [I32, I32, I32, F64, F64, F64, F64, F64, F64], body, export: 'exp' };
}
const EXP_INDEX = 0;

// ---- accumulateRow(W, out, xs, rowOffsets, m, a): a[j] = Σ_i xs[i] · W[rowOffsets[i] + j] ----
// ---- accumulateDense(W, out, z, _, in, a): a[j] = Σ_k z[k] · W[k · out + j], every input ----
// (Summing the zero inputs too gives the same bits as skipping them: the accumulator starts at +0, so adding
// a ±0 product never changes it, for finite weights — which model files are checked to hold.)
function accumulateFunc(dense: boolean): Func {
  const W = 0, OUT = 1, XS = 2, ROWS = 3, M = 4, A = 5, J = 6, I = 7, P = 8, X = 9, ACC = 10, S = 15;
  const xAt = at(XS, get(I), 3);
  const row = dense ? [...get(I), ...get(OUT), I32_MUL] : [...at(ROWS, get(I), 2), I32_LOAD, ...mem(2)]; // k_i · out
  const wAt = [...get(W), ...row, ...get(J), I32_ADD, ...i32(3), I32_SHL, I32_ADD]; // &W[k_i, j]
  /** while (j + 2V <= out): V f64x2 accumulators over all inputs, stored to a[j .. j + 2V); j += 2V. */
  const vectorBlocks = (V: number): Code => {
    const lanes = Array.from({ length: V }, (_, v) => v);
    return [
      BLOCK, VOID, LOOP, VOID,
      ...get(J), ...i32(2 * V), I32_ADD, ...get(OUT), I32_GT_U, BR_IF, 1,
      ...lanes.flatMap((v) => [...simd(V128_CONST, ...new Array(16).fill(0)), ...set(ACC + v)]),
      ...forRange(I, i32(0), get(M),
        [...xAt, F64_LOAD, ...mem(3), ...simd(F64X2_SPLAT), ...set(X), ...wAt, ...set(P)],
        lanes.flatMap((v) => [...get(ACC + v), ...get(X), ...get(P), ...simd(V128_LOAD, ...mem(3, 16 * v)), ...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(ACC + v)])),
      ...at(A, get(J), 3), ...set(P),
      ...lanes.flatMap((v) => [...get(P), ...get(ACC + v), ...simd(V128_STORE, ...mem(3, 16 * v))]),
      ...get(J), ...i32(2 * V), I32_ADD, ...set(J),
      BR, 0, END, END,
    ];
  };
  const scalarTail = ifThen([...get(J), ...get(OUT), I32_LT_U],
    [...f64(0), ...set(S)],
    forRange(I, i32(0), get(M), [...get(S), ...xAt, F64_LOAD, ...mem(3), ...wAt, F64_LOAD, ...mem(3), F64_MUL, F64_ADD, ...set(S)]),
    [...at(A, get(J), 3), ...get(S), F64_STORE, ...mem(3)]);
  return {
    params: [I32, I32, I32, I32, I32, I32], results: [], locals: [I32, I32, I32, V128, V128, V128, V128, V128, V128, F64],
    body: [...vectorBlocks(5), ...vectorBlocks(1), ...scalarTail], // ten outputs at a time, then two, then one
    export: dense ? 'accumulateDense' : 'accumulateRow',
  };
}

/** Appends x_k and its row offset k·out when x_k != 0: xs[m] = value; rowOffsets[m] = k * out; m++. */
const push = (XS: number, ROWS: number, M: number, K: number, OUT: number, value: Code): Code => [
  ...at(XS, get(M), 3), ...value, F64_STORE, ...mem(3),
  ...at(ROWS, get(M), 2), ...get(K), ...get(OUT), I32_MUL, I32_STORE, ...mem(2),
  ...get(M), ...i32(1), I32_ADD, ...set(M),
];

// ---- gatherPixels(image, D, out, scale, xs, rowOffsets) -> m: the nonzero pixels of one image as x = scale[p] ----
function gatherPixelsFunc(): Func {
  const IMG = 0, D = 1, OUT = 2, SCALE = 3, XS = 4, ROWS = 5, M = 6, Q = 7, K = 8, P = 9, BITS = 10;
  const pixel = (k: Code): Code => [...get(IMG), ...k, I32_ADD, I32_LOAD8_U, ...mem(0)];
  const visit = [
    ...pixel(get(K)), ...set(P),
    ...ifThen(get(P), push(XS, ROWS, M, K, OUT, [...at(SCALE, get(P), 3), F64_LOAD, ...mem(3)])),
  ];
  return {
    params: [I32, I32, I32, I32, I32, I32], results: [I32], locals: [I32, I32, I32, I32, I32],
    body: [
      // sixteen pixels per SIMD load: bit b of BITS says pixel 16q + b is nonzero; visit the set bits lowest
      // first (so in pixel order, as the JS twin), and skip blank margins sixteen pixels at a time
      ...forRange(Q, i32(0), [...get(D), ...i32(4), I32_SHR_U],
        [...at(IMG, get(Q), 4), ...simd(V128_LOAD, ...mem(0)), ...simd(V128_CONST, ...new Array(16).fill(0)), ...simd(I8X16_NE), ...simd(I8X16_BITMASK), ...set(BITS)],
        [BLOCK, VOID, LOOP, VOID,
          ...get(BITS), I32_EQZ, BR_IF, 1,
          ...get(Q), ...i32(4), I32_SHL, ...get(BITS), I32_CTZ, I32_ADD, ...set(K),
          ...visit,
          ...get(BITS), ...get(BITS), ...i32(1), I32_SUB, I32_AND, ...set(BITS), // clear the lowest set bit
          BR, 0, END, END]),
      ...forRange(K, [...get(D), ...i32(-16), I32_AND], get(D), visit), // D mod 16 trailing pixels
      ...get(M),
    ],
    export: 'gatherPixels',
  };
}

// ---- gatherNonzero(z, n, out, xs, rowOffsets) -> m: the nonzero z_k of a hidden layer ----
function gatherNonzeroFunc(): Func {
  const Z = 0, N = 1, OUT = 2, XS = 3, ROWS = 4, M = 5, K = 6, V = 7;
  return {
    params: [I32, I32, I32, I32, I32], results: [I32], locals: [I32, I32, F64],
    body: [
      ...forRange(K, i32(0), get(N),
        [...at(Z, get(K), 3), F64_LOAD, ...mem(3), ...set(V)],
        ifThen([...get(V), ...f64(0), F64_NE], push(XS, ROWS, M, K, OUT, get(V)))),
      ...get(M),
    ],
    export: 'gatherNonzero',
  };
}

// ---- biasActivate(z, b, out, act): z_j = act(f32(f32(z_j) + b_j)); act 0 none, 1 sigmoid, 2 relu ----
function biasActivateFunc(): Func {
  const Z = 0, B = 1, OUT = 2, ACT = 3, J = 4, P = 5, V = 6;
  const sigmoid = [...f64(1), ...f64(1), ...get(V), F64_PROMOTE_F32, F64_NEG, CALL, EXP_INDEX, F64_ADD, F64_DIV, F32_DEMOTE_F64, ...set(V)];
  // relu: v > 0 ? v : (v is NaN ? v : 0), as reluInPlace
  const relu = ifThen([...get(V), ...get(V), F32_NE, I32_EQZ, ...get(V), ...f64(0), F32_DEMOTE_F64, F32_GT, I32_EQZ, I32_AND], [...f64(0), F32_DEMOTE_F64, ...set(V)]);
  return {
    params: [I32, I32, I32, I32], results: [], locals: [I32, I32, F32],
    body: forRange(J, i32(0), get(OUT),
      [...at(Z, get(J), 3), ...set(P)],
      // f32(z) + b in float32: the same bits as fround(fround(z) + b) in float64
      [...get(P), F64_LOAD, ...mem(3), F32_DEMOTE_F64, ...at(B, get(J), 2), F32_LOAD, ...mem(2), F32_ADD, ...set(V)],
      ifThen([...get(ACT), ...i32(1), I32_EQ], sigmoid),
      ifThen([...get(ACT), ...i32(2), I32_EQ], relu),
      [...get(P), ...get(V), F64_PROMOTE_F32, F64_STORE, ...mem(3)]),
    export: 'biasActivate',
  };
}

const BIAS_ACTIVATE_INDEX = 4;

// ---- biasSigmoid(z, b, out): z_j = f32(sigmoid(f32(f32(z_j) + b_j))), two at a time ----
// exp on f64x2 lanes: fdlibm's main path for 2^-28 <= |x| < 708, x != 1 (every other lane pair goes through
// the scalar exp). On that range its three branches are one formula: k = 0 when |x| <= 0.5 ln2 (by the
// high word, as fdlibm decides) else trunc(x/ln2 ± 0.5), which is ±1 on (0.5 ln2, 1.5 ln2); hi = x − k·ln2hi,
// lo = k·ln2lo, and for k = 0 the k == 0 return expression is the same operations with hi = x, lo = 0.
function biasSigmoidFunc(): Func {
  const Z = 0, B = 1, OUT = 2, J = 3, P = 4, X = 5, HX = 6, K = 7, HI = 8, LO = 9, XR = 10, T = 11, C = 12, E = 13;
  const MAGIC = 6755399441055744; // 2^52 + 2^51: k + MAGIC holds k in its low mantissa bits
  const v = (op: number, ...imm: number[]) => simd(op, ...imm);
  const scalarExpLane = (lane: number): Code => [...get(E), ...get(X), ...v(F64X2_EXTRACT_LANE, lane), CALL, EXP_INDEX, ...v(F64X2_REPLACE_LANE, lane), ...set(E)];
  const vectorExp: Code[] = [
    // k = |x| > 0.5 ln2 ? trunc(invln2·x + copysign(0.5, x)) : 0
    [...f64x2(INVLN2), ...get(X), ...v(F64X2_MUL), ...get(X), ...i64x2(-0x8000000000000000n), ...v(V128_AND), ...f64x2(0.5), ...v(V128_OR), ...v(F64X2_ADD), ...v(F64X2_TRUNC)],
    [...f64x2(0), ...i64x2(0x3fd62e42n), ...get(HX), ...v(I64X2_LT_S), ...v(V128_BITSELECT), ...set(K)],
    [...get(X), ...get(K), ...f64x2(LN2HI), ...v(F64X2_MUL), ...v(F64X2_SUB), ...set(HI)],
    [...get(K), ...f64x2(LN2LO), ...v(F64X2_MUL), ...set(LO)],
    [...get(HI), ...get(LO), ...v(F64X2_SUB), ...set(XR)],
    [...get(XR), ...get(XR), ...v(F64X2_MUL), ...set(T)],
    // c = xr − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
    [...get(XR), ...get(T), ...f64x2(P1), ...get(T), ...f64x2(P2), ...get(T), ...f64x2(P3), ...get(T), ...f64x2(P4), ...get(T), ...f64x2(P5),
      ...v(F64X2_MUL), ...v(F64X2_ADD), ...v(F64X2_MUL), ...v(F64X2_ADD), ...v(F64X2_MUL), ...v(F64X2_ADD), ...v(F64X2_MUL), ...v(F64X2_ADD), ...v(F64X2_MUL), ...v(F64X2_SUB), ...set(C)],
    // y = 1 − ((lo − (xr·c)/(2 − c)) − hi); e = y · 2^k, 2^k built from k's bits
    [...f64x2(1), ...get(LO), ...get(XR), ...get(C), ...v(F64X2_MUL), ...f64x2(2), ...get(C), ...v(F64X2_SUB), ...v(F64X2_DIV), ...v(F64X2_SUB), ...get(HI), ...v(F64X2_SUB), ...v(F64X2_SUB)],
    [...get(K), ...f64x2(MAGIC), ...v(F64X2_ADD), ...i64x2(BigInt.asIntN(64, 0x4338000000000000n)), ...v(I64X2_SUB), ...i64x2(1023n), ...v(I64X2_ADD), ...i32(52), ...v(I64X2_SHL)],
    [...v(F64X2_MUL), ...set(E)],
  ];
  const special = [
    ...get(HX), ...i64x2(0x40862000n), ...v(I64X2_GE_S),   // |x| >= 708: overflow, k out of the normal range, inf, nan
    ...get(HX), ...i64x2(0x3e300000n), ...v(I64X2_LT_S),   // |x| < 2^-28
    ...v(V128_OR),
    ...get(X), ...f64x2(1), ...v(F64X2_EQ),                // exp(1) is special-cased
    ...v(V128_OR), ...v(V128_ANY_TRUE),
  ];
  return {
    params: [I32, I32, I32], results: [], locals: [I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128],
    body: [
      BLOCK, VOID, LOOP, VOID,
      ...get(J), ...i32(2), I32_ADD, ...get(OUT), I32_GT_U, BR_IF, 1,
      ...at(Z, get(J), 3), ...set(P),
      // x = −f32(f32(z) + b) as float64 lanes (f32x4 add of two float32 values: the bits of fround(fround(z) + b))
      ...get(P), ...v(V128_LOAD, ...mem(3)), ...v(F32X4_DEMOTE_F64X2_ZERO), ...at(B, get(J), 2), ...v(V128_LOAD64_ZERO, ...mem(2)), ...v(F32X4_ADD),
      ...v(F64X2_PROMOTE_LOW_F32X4), ...v(F64X2_NEG), ...set(X),
      ...get(X), ...i32(32), ...v(I64X2_SHR_U), ...i64x2(0x7fffffffn), ...v(V128_AND), ...set(HX), // high words of |x|
      ...ifElse(special, [scalarExpLane(0), scalarExpLane(1)], vectorExp),
      // sigmoid = 1 / (1 + e), rounded to float32
      ...get(P), ...f64x2(1), ...f64x2(1), ...get(E), ...v(F64X2_ADD), ...v(F64X2_DIV), ...v(F32X4_DEMOTE_F64X2_ZERO), ...v(F64X2_PROMOTE_LOW_F32X4), ...v(V128_STORE, ...mem(3)),
      ...get(J), ...i32(2), I32_ADD, ...set(J),
      BR, 0, END, END,
      // an odd last output: the scalar function
      ...ifThen([...get(J), ...get(OUT), I32_LT_U], [...at(Z, get(J), 3), ...at(B, get(J), 2), ...i32(1), ...i32(1), CALL, BIAS_ACTIVATE_INDEX]),
    ],
    export: 'biasSigmoid',
  };
}

const ACCUMULATE_ROW_INDEX = 1, GATHER_PIXELS_INDEX = 2, GATHER_NONZERO_INDEX = 3, BIAS_SIGMOID_INDEX = 5, ACCUMULATE_DENSE_INDEX = 6;


// ---- forwardImages(table, L, images, count, D, scale, xs, rowOffsets, sigmoid, y): y[n] = softmax(network(image n)) ----
// The per-image loop of fastForward.ts's forwardLayers + softmaxInPlace, so that a chunk of images costs one
// call from JS. images: [count, D] bytes; y: [count, K] float64 (float32 values).
function forwardImagesFunc(): Func {
  const TABLE = 0, L = 1, IMAGES = 2, COUNT = 3, D = 4, SCALE = 5, XS = 6, ROWS = 7, SIGMOID = 8, Y = 9;
  const N = 10, LAYER = 11, E = 12, W = 13, B = 14, Z = 15, ZIN = 16, IN = 17, OUT = 18, M = 19, K = 20, YN = 21, MAX = 22, SUM = 23, V = 24;
  const field = (offset: number, local: number): Code => [...get(E), I32_LOAD, ...mem(2, offset), ...set(local)];
  const zAt = at(Z, get(K), 3);
  const softmax = [
    // max over a_L (from −inf: the JS `if (y[k] > max)` loop), e_k = exp(a_k − max), sum in float64, y_k = f32(e_k / sum)
    ...f64(-Infinity), ...set(MAX),
    ...forRange(K, i32(0), get(OUT), [...zAt, F64_LOAD, ...mem(3), ...set(V)], ifThen([...get(V), ...get(MAX), F64_GT], [...get(V), ...set(MAX)])),
    ...f64(0), ...set(SUM),
    ...forRange(K, i32(0), get(OUT),
      [...zAt, ...zAt, F64_LOAD, ...mem(3), ...get(MAX), F64_SUB, CALL, EXP_INDEX, ...set(V), ...get(V), F64_STORE, ...mem(3)],
      [...get(SUM), ...get(V), F64_ADD, ...set(SUM)]),
    ...forRange(K, i32(0), get(OUT),
      [...at(YN, get(K), 3), ...zAt, F64_LOAD, ...mem(3), ...get(SUM), F64_DIV, F32_DEMOTE_F64, F64_PROMOTE_F32, F64_STORE, ...mem(3)]),
  ];
  const layer = [
    ...get(TABLE), ...get(LAYER), ...i32(LAYER_TABLE_BYTES), I32_MUL, I32_ADD, ...set(E),
    ...field(0, W), ...field(4, B), ...field(8, Z), ...field(12, ZIN), ...field(16, IN), ...field(20, OUT),
    ...ifElse([...get(LAYER), I32_EQZ],
      [[...get(W), ...get(OUT), ...get(XS), ...get(ROWS),
        ...get(IMAGES), ...get(N), ...get(D), I32_MUL, I32_ADD, ...get(D), ...get(OUT), ...get(SCALE), ...get(XS), ...get(ROWS), CALL, GATHER_PIXELS_INDEX,
        ...get(Z), CALL, ACCUMULATE_ROW_INDEX]],
      [ifElse(get(SIGMOID),
        [[...get(W), ...get(OUT), ...get(ZIN), ...i32(0), ...get(IN), ...get(Z), CALL, ACCUMULATE_DENSE_INDEX]],
        [[...get(W), ...get(OUT), ...get(XS), ...get(ROWS), ...get(ZIN), ...get(IN), ...get(OUT), ...get(XS), ...get(ROWS), CALL, GATHER_NONZERO_INDEX, ...get(Z), CALL, ACCUMULATE_ROW_INDEX]])]),
    ...ifElse([...get(LAYER), ...i32(1), I32_ADD, ...get(L), I32_LT_U],
      [ifElse(get(SIGMOID), [[...get(Z), ...get(B), ...get(OUT), CALL, BIAS_SIGMOID_INDEX]], [[...get(Z), ...get(B), ...get(OUT), ...i32(2), CALL, BIAS_ACTIVATE_INDEX]])],
      [[...get(Z), ...get(B), ...get(OUT), ...i32(0), CALL, BIAS_ACTIVATE_INDEX]]),
  ];
  return {
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], results: [],
    locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64],
    body: forRange(N, i32(0), get(COUNT),
      forRange(LAYER, i32(0), get(L), layer),
      [...get(Y), ...get(N), ...get(OUT), I32_MUL, ...i32(3), I32_SHL, I32_ADD, ...set(YN)],
      softmax),
    export: 'forwardImages',
  };
}

/** Built on first use, not at module load: start-up time matters to a CLI. Indices match EXP_INDEX etc. */
const FUNCS = (): Func[] => [expFunc(), accumulateFunc(false), gatherPixelsFunc(), gatherNonzeroFunc(), biasActivateFunc(), biasSigmoidFunc(), accumulateFunc(true), forwardImagesFunc()];

/** The module: (import "env" "memory" (memory 1)) and FUNCS, each exported under its name. */
export function moduleBytes(): Uint8Array<ArrayBuffer> {
  const funcs = FUNCS();
  const locals = (ls: number[]) => vec(ls.map((t) => [1, t]));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))]))),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(funcs.map((f, i) => [...name(f.export), 0x00, ...uleb(i)]))),
    ...section(10, vec(funcs.map((f) => { const body = [...locals(f.locals), ...f.body, END]; return [...uleb(body.length), ...body]; }))),
  ]);
}
