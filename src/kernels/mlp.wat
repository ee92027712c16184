;; The MLP kernels behind nn/fastForward.ts (eval's forward pass) and nn/sgdKernel.ts (the SGD step), in
;; WebAssembly text; scripts/build-kernels.js assembles them (wabt) into dist/src/kernels/mlp.wasm.
;; Each function does the float64/float32 operations of the reference (nn/network.ts predict, nn/backprop.ts)
;; in the same order, and exp is V8's own fdlibm exp (src/base/ieee754.cc) step for step, so the kernel and
;; the reference give identical bits (__tests__/unit/kernels/mlp.test.ts and nn/fastForward.test.ts check it).
;;
;; Conventions: every pointer is a byte address in the imported memory (one arena, laid out by
;; src/kernels/index.ts); counts are element counts. Activations are float64 arrays holding float32 values;
;; weights are float64 copies of the float32 weights (exact); biases are float32. A "row offset" is k · out,
;; the element offset of row k of a weight matrix W: [in, out].
(module
  (import "env" "memory" (memory 1))

  ;; ---- exp(x): V8's ieee754::exp (fdlibm e_exp.c), so that sigmoid and softmax equal Math.exp's ----
  ;; x: f64 -> e^x: f64
  (func $exp (export "exp") (param $x f64) (result f64)
    (local $hx i32) (local $xsb i32) (local $k i32)
    (local $hi f64) (local $lo f64) (local $t f64) (local $c f64) (local $y f64) (local $twopk f64)
    ;; hx = high word of x; xsb = its sign bit; then hx = high word of |x|
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| >= 709.78: NaN, ±inf, overflow or underflow
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862e42))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
          (then
            (if (i32.or (i32.and (local.get $hx) (i32.const 0xfffff)) (i32.wrap_i64 (i64.reinterpret_f64 (local.get $x))))
              (then (return (f64.add (local.get $x) (local.get $x)))))                 ;; NaN
            (return (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb))))))  ;; exp(+inf) = inf, exp(-inf) = 0
        (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02))
          (then (return (f64.const inf))))                                              ;; huge * huge
        (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02))
          (then (return (f64.const 0))))))                                              ;; twom1000 * twom1000
    ;; argument reduction: x = hi - lo = x - k ln2, |x| <= 0.5 ln2
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))                               ;; |x| > 0.5 ln2
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3ff0a2b2))                           ;; and |x| < 1.5 ln2: k = ±1
          (then
            (if (f64.eq (local.get $x) (f64.const 1))
              (then (return (f64.const 2.718281828459045))))                            ;; V8 special-cases exp(1)
            (local.set $hi (f64.sub (local.get $x)
              (select (f64.const 6.93147180369123816490e-01) (f64.const -6.93147180369123816490e-01) (i32.eqz (local.get $xsb)))))
            (local.set $lo
              (select (f64.const 1.90821492927058770002e-10) (f64.const -1.90821492927058770002e-10) (i32.eqz (local.get $xsb))))
            (local.set $k (i32.sub (i32.sub (i32.const 1) (local.get $xsb)) (local.get $xsb))))
          (else
            ;; k = (int)(invln2 · x + (x < 0 ? -0.5 : 0.5))
            (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
              (select (f64.const 0.5) (f64.const -0.5) (i32.eqz (local.get $xsb))))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000))                           ;; |x| < 2^-28
          (then (return (f64.add (f64.const 1) (local.get $x)))))
        (local.set $k (i32.const 0))))
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    ;; twopk = 2^k from its exponent bits (2^(k + 1000) when the result is subnormal: scaled back at the end)
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
        (i32.add (i32.const 0x3ff00000) (i32.shl (local.get $k) (i32.const 20)))) (i64.const 32)))))
      (else (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
        (i32.add (i32.const 0x3ff00000) (i32.shl (i32.add (local.get $k) (i32.const 1000)) (i32.const 20)))) (i64.const 32))))))
    ;; c = x - t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
      (f64.add (f64.const 1.66666666666666019037e-01) (f64.mul (local.get $t)
      (f64.add (f64.const -2.77777777770155933842e-03) (f64.mul (local.get $t)
      (f64.add (f64.const 6.61375632143793436117e-05) (f64.mul (local.get $t)
      (f64.add (f64.const -1.65339022054652515390e-06) (f64.mul (local.get $t)
               (f64.const 4.13813679705723846039e-08))))))))))))
    ;; k == 0: 1 - ((x·c)/(c - 2) - x)
    (if (i32.eqz (local.get $k))
      (then (return (f64.sub (f64.const 1) (f64.sub
        (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2)))
        (local.get $x))))))
    ;; y = 1 - ((lo - (x·c)/(2 - c)) - hi), then y · 2^k
    (local.set $y (f64.sub (f64.const 1) (f64.sub
      (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c))))
      (local.get $hi))))
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then
        (if (i32.eq (local.get $k) (i32.const 1024))
          (then (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 8.988465674311579539e+307)))))  ;; y · 2 · 2^1023
        (return (f64.mul (local.get $y) (local.get $twopk)))))
    (f64.mul (f64.mul (local.get $y) (local.get $twopk)) (f64.const 9.33263618503218878990e-302)))          ;; · 2^-1000

  ;; ---- gatherPixels: the nonzero pixels of one image, x = scale[p] = f32(p / 255), in pixel order ----
  ;; image: [D] bytes -> xs: [m] f64, rowOffsets: [m] i32 (k · out); returns m
  (func $gatherPixels (export "gatherPixels")
    (param $image i32) (param $D i32) (param $out i32) (param $scale i32) (param $xs i32) (param $rowOffsets i32) (result i32)
    (local $m i32) (local $q i32) (local $k i32) (local $p i32) (local $bits i32)
    ;; sixteen pixels per SIMD load: bit b of bits says pixel 16q + b is nonzero. Visiting the set bits lowest
    ;; first keeps pixel order (the order predict()'s sums run in) and skips blank margins sixteen at a time.
    (local.set $q (i32.const 0))
    (block $blocksDone (loop $nextBlock
      (br_if $blocksDone (i32.ge_u (local.get $q) (i32.shr_u (local.get $D) (i32.const 4))))
      (local.set $bits (i8x16.bitmask (i8x16.ne
        (v128.load align=1 (i32.add (local.get $image) (i32.shl (local.get $q) (i32.const 4))))
        (v128.const i64x2 0 0))))
      (block $bitsDone (loop $nextBit
        (br_if $bitsDone (i32.eqz (local.get $bits)))
        (local.set $k (i32.add (i32.shl (local.get $q) (i32.const 4)) (i32.ctz (local.get $bits))))
        (local.set $p (i32.load8_u (i32.add (local.get $image) (local.get $k))))
        (if (local.get $p)
          (then
            (f64.store (i32.add (local.get $xs) (i32.shl (local.get $m) (i32.const 3)))
              (f64.load (i32.add (local.get $scale) (i32.shl (local.get $p) (i32.const 3)))))
            (i32.store (i32.add (local.get $rowOffsets) (i32.shl (local.get $m) (i32.const 2))) (i32.mul (local.get $k) (local.get $out)))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))))
        (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))  ;; clear the lowest set bit
        (br $nextBit)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $nextBlock)))
    ;; the D mod 16 trailing pixels, one at a time
    (local.set $k (i32.and (local.get $D) (i32.const -16)))
    (block $tailDone (loop $nextPixel
      (br_if $tailDone (i32.ge_u (local.get $k) (local.get $D)))
      (local.set $p (i32.load8_u (i32.add (local.get $image) (local.get $k))))
      (if (local.get $p)
        (then
          (f64.store (i32.add (local.get $xs) (i32.shl (local.get $m) (i32.const 3)))
            (f64.load (i32.add (local.get $scale) (i32.shl (local.get $p) (i32.const 3)))))
          (i32.store (i32.add (local.get $rowOffsets) (i32.shl (local.get $m) (i32.const 2))) (i32.mul (local.get $k) (local.get $out)))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $nextPixel)))
    (local.get $m))

  ;; ---- gatherNonzero: the nonzero z_k of a hidden layer (relu zeros add nothing to a sum from +0) ----
  ;; z: [n] f64 -> xs: [m] f64, rowOffsets: [m] i32 (k · out); returns m
  (func $gatherNonzero (export "gatherNonzero")
    (param $z i32) (param $n i32) (param $out i32) (param $xs i32) (param $rowOffsets i32) (result i32)
    (local $m i32) (local $k i32) (local $v f64)
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $v (f64.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3)))))
      (if (f64.ne (local.get $v) (f64.const 0))
        (then
          (f64.store (i32.add (local.get $xs) (i32.shl (local.get $m) (i32.const 3))) (local.get $v))
          (i32.store (i32.add (local.get $rowOffsets) (i32.shl (local.get $m) (i32.const 2))) (i32.mul (local.get $k) (local.get $out)))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (local.get $m))

  ;; ---- accumulateRow: one row of x @ W over the m nonzero inputs, a[j] = Σ_i xs[i] · W[rowOffsets[i] + j] ----
  ;; x: [m] nonzero inputs (xs, rowOffsets), W: [in, out] f64 -> a: [out] f64
  ;; Each a[j] sums in input order from +0 in float64, as tensor.ts's matmul does: the skipped zero inputs
  ;; would add ±0 products, which never change such a sum (weights are checked finite). Ten outputs at a
  ;; time in five f64x2 accumulators, then two, then one.
  (func $accumulateRow (export "accumulateRow")
    (param $W i32) (param $out i32) (param $xs i32) (param $rowOffsets i32) (param $m i32) (param $a i32)
    (local $j i32) (local $i i32) (local $w i32)
    (local $x v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $acc4 v128)
    (local $s f64)
    (block $tensDone (loop $nextTen
      (br_if $tensDone (i32.gt_u (i32.add (local.get $j) (i32.const 10)) (local.get $out)))
      (local.set $acc0 (v128.const i64x2 0 0))
      (local.set $acc1 (v128.const i64x2 0 0))
      (local.set $acc2 (v128.const i64x2 0 0))
      (local.set $acc3 (v128.const i64x2 0 0))
      (local.set $acc4 (v128.const i64x2 0 0))
      (local.set $i (i32.const 0))
      (block $inputsDone (loop $nextInput
        (br_if $inputsDone (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $x (f64x2.splat (f64.load (i32.add (local.get $xs) (i32.shl (local.get $i) (i32.const 3))))))
        ;; w = &W[k_i, j]
        (local.set $w (i32.add (local.get $W) (i32.shl
          (i32.add (i32.load (i32.add (local.get $rowOffsets) (i32.shl (local.get $i) (i32.const 2)))) (local.get $j))
          (i32.const 3))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $x) (v128.load align=8 (local.get $w)))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $x) (v128.load offset=16 align=8 (local.get $w)))))
        (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $x) (v128.load offset=32 align=8 (local.get $w)))))
        (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $x) (v128.load offset=48 align=8 (local.get $w)))))
        (local.set $acc4 (f64x2.add (local.get $acc4) (f64x2.mul (local.get $x) (v128.load offset=64 align=8 (local.get $w)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextInput)))
      (local.set $w (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store align=8 (local.get $w) (local.get $acc0))
      (v128.store offset=16 align=8 (local.get $w) (local.get $acc1))
      (v128.store offset=32 align=8 (local.get $w) (local.get $acc2))
      (v128.store offset=48 align=8 (local.get $w) (local.get $acc3))
      (v128.store offset=64 align=8 (local.get $w) (local.get $acc4))
      (local.set $j (i32.add (local.get $j) (i32.const 10)))
      (br $nextTen)))
    (block $pairsDone (loop $nextPair
      (br_if $pairsDone (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $out)))
      (local.set $acc0 (v128.const i64x2 0 0))
      (local.set $i (i32.const 0))
      (block $inputsDone (loop $nextInput
        (br_if $inputsDone (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $x (f64x2.splat (f64.load (i32.add (local.get $xs) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $w (i32.add (local.get $W) (i32.shl
          (i32.add (i32.load (i32.add (local.get $rowOffsets) (i32.shl (local.get $i) (i32.const 2)))) (local.get $j))
          (i32.const 3))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $x) (v128.load align=8 (local.get $w)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextInput)))
      (local.set $w (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store align=8 (local.get $w) (local.get $acc0))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $nextPair)))
    (if (i32.lt_u (local.get $j) (local.get $out))                                      ;; an odd last output
      (then
        (local.set $s (f64.const 0))
        (local.set $i (i32.const 0))
        (block $inputsDone (loop $nextInput
          (br_if $inputsDone (i32.ge_u (local.get $i) (local.get $m)))
          (local.set $s (f64.add (local.get $s) (f64.mul
            (f64.load (i32.add (local.get $xs) (i32.shl (local.get $i) (i32.const 3))))
            (f64.load (i32.add (local.get $W) (i32.shl
              (i32.add (i32.load (i32.add (local.get $rowOffsets) (i32.shl (local.get $i) (i32.const 2)))) (local.get $j))
              (i32.const 3)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $nextInput)))
        (f64.store (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))) (local.get $s)))))

  ;; ---- accumulateDense: a[j] = Σ_k z[k] · W[k · out + j] over every input (the sigmoid layers: no zeros) ----
  ;; z: [n] f64, W: [n, out] f64 -> a: [out] f64. accumulateRow with rowOffsets[k] = k · out; the fourth
  ;; parameter is unused, so that both take the same arguments.
  (func $accumulateDense (export "accumulateDense")
    (param $W i32) (param $out i32) (param $z i32) (param $unused i32) (param $n i32) (param $a i32)
    (local $j i32) (local $k i32) (local $w i32)
    (local $x v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $acc4 v128)
    (local $s f64)
    (block $tensDone (loop $nextTen
      (br_if $tensDone (i32.gt_u (i32.add (local.get $j) (i32.const 10)) (local.get $out)))
      (local.set $acc0 (v128.const i64x2 0 0))
      (local.set $acc1 (v128.const i64x2 0 0))
      (local.set $acc2 (v128.const i64x2 0 0))
      (local.set $acc3 (v128.const i64x2 0 0))
      (local.set $acc4 (v128.const i64x2 0 0))
      (local.set $k (i32.const 0))
      (block $inputsDone (loop $nextInput
        (br_if $inputsDone (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $x (f64x2.splat (f64.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3))))))
        ;; w = &W[k, j]
        (local.set $w (i32.add (local.get $W) (i32.shl
          (i32.add (i32.mul (local.get $k) (local.get $out)) (local.get $j))
          (i32.const 3))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $x) (v128.load align=8 (local.get $w)))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $x) (v128.load offset=16 align=8 (local.get $w)))))
        (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $x) (v128.load offset=32 align=8 (local.get $w)))))
        (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $x) (v128.load offset=48 align=8 (local.get $w)))))
        (local.set $acc4 (f64x2.add (local.get $acc4) (f64x2.mul (local.get $x) (v128.load offset=64 align=8 (local.get $w)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $nextInput)))
      (local.set $w (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store align=8 (local.get $w) (local.get $acc0))
      (v128.store offset=16 align=8 (local.get $w) (local.get $acc1))
      (v128.store offset=32 align=8 (local.get $w) (local.get $acc2))
      (v128.store offset=48 align=8 (local.get $w) (local.get $acc3))
      (v128.store offset=64 align=8 (local.get $w) (local.get $acc4))
      (local.set $j (i32.add (local.get $j) (i32.const 10)))
      (br $nextTen)))
    (block $pairsDone (loop $nextPair
      (br_if $pairsDone (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $out)))
      (local.set $acc0 (v128.const i64x2 0 0))
      (local.set $k (i32.const 0))
      (block $inputsDone (loop $nextInput
        (br_if $inputsDone (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $x (f64x2.splat (f64.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3))))))
        (local.set $w (i32.add (local.get $W) (i32.shl
          (i32.add (i32.mul (local.get $k) (local.get $out)) (local.get $j))
          (i32.const 3))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $x) (v128.load align=8 (local.get $w)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $nextInput)))
      (local.set $w (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store align=8 (local.get $w) (local.get $acc0))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $nextPair)))
    (if (i32.lt_u (local.get $j) (local.get $out))                                      ;; an odd last output
      (then
        (local.set $s (f64.const 0))
        (local.set $k (i32.const 0))
        (block $inputsDone (loop $nextInput
          (br_if $inputsDone (i32.ge_u (local.get $k) (local.get $n)))
          (local.set $s (f64.add (local.get $s) (f64.mul
            (f64.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3))))
            (f64.load (i32.add (local.get $W) (i32.shl
              (i32.add (i32.mul (local.get $k) (local.get $out)) (local.get $j))
              (i32.const 3)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $nextInput)))
        (f64.store (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))) (local.get $s)))))

  ;; ---- biasActivate: z_j = act(f32(f32(z_j) + b_j)); act 0 none, 1 sigmoid, 2 relu ----
  ;; z: [out] f64 (in place), b: [out] f32
  ;; predict() stores x@W as float32, adds the float32 bias in float32, then applies the activation to the
  ;; float32 array (sigmoid in float64, rounded once); a float32 add gives the same bits as fround(a + b).
  (func $biasActivate (export "biasActivate") (param $z i32) (param $b i32) (param $out i32) (param $act i32)
    (local $j i32) (local $p i32) (local $v f32)
    (local.set $j (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $j) (local.get $out)))
      (local.set $p (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $v (f32.add (f32.demote_f64 (f64.load (local.get $p)))
                             (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
      (if (i32.eq (local.get $act) (i32.const 1))                                       ;; sigmoid: 1 / (1 + exp(-v))
        (then (local.set $v (f32.demote_f64
          (f64.div (f64.const 1) (f64.add (f64.const 1) (call $exp (f64.neg (f64.promote_f32 (local.get $v))))))))))
      (if (i32.eq (local.get $act) (i32.const 2))                                       ;; relu as reluInPlace: NaN stays NaN
        (then
          (if (i32.and (i32.eqz (f32.ne (local.get $v) (local.get $v))) (i32.eqz (f32.gt (local.get $v) (f32.const 0))))
            (then (local.set $v (f32.const 0))))))
      (f64.store (local.get $p) (f64.promote_f32 (local.get $v)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next))))

  ;; ---- biasSigmoid: biasActivate(z, b, out, 1), two outputs at a time, the same bits ----
  ;; z: [out] f64 (in place), b: [out] f32
  ;; exp on f64x2 lanes is fdlibm's main path for 2^-28 <= |x| < 708, x != 1; a lane pair with any other
  ;; value goes through the scalar $exp. On that range fdlibm's three reductions are one formula: k = 0 when
  ;; |x| <= 0.5 ln2 (decided by the high word, as fdlibm does), else trunc(x/ln2 ± 0.5), which is ±1 on
  ;; (0.5 ln2, 1.5 ln2); hi = x − k·ln2hi, lo = k·ln2lo; for k = 0 the k == 0 return expression is the same
  ;; operations with hi = x, lo = 0.
  (func $biasSigmoid (export "biasSigmoid") (param $z i32) (param $b i32) (param $out i32)
    (local $j i32) (local $p i32)
    (local $x v128) (local $hx v128) (local $k v128) (local $hi v128) (local $lo v128)
    (local $xr v128) (local $t v128) (local $c v128) (local $e v128)
    (block $pairsDone (loop $nextPair
      (br_if $pairsDone (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $out)))
      (local.set $p (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
      ;; x = −f32(f32(z) + b) as float64 lanes
      (local.set $x (f64x2.neg (f64x2.promote_low_f32x4 (f32x4.add
        (f32x4.demote_f64x2_zero (v128.load align=8 (local.get $p)))
        (v128.load64_zero align=4 (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))))
      ;; hx = high words of |x|
      (local.set $hx (v128.and (i64x2.shr_u (local.get $x) (i32.const 32)) (v128.const i64x2 0x7fffffff 0x7fffffff)))
      (if (v128.any_true (v128.or (v128.or
            (i64x2.ge_s (local.get $hx) (v128.const i64x2 0x40862000 0x40862000))   ;; |x| >= 708: overflow, k out of range, inf, NaN
            (i64x2.lt_s (local.get $hx) (v128.const i64x2 0x3e300000 0x3e300000)))  ;; |x| < 2^-28
            (f64x2.eq (local.get $x) (v128.const f64x2 1 1))))                       ;; exp(1) is special-cased
        (then
          (local.set $e (f64x2.replace_lane 0 (local.get $e) (call $exp (f64x2.extract_lane 0 (local.get $x)))))
          (local.set $e (f64x2.replace_lane 1 (local.get $e) (call $exp (f64x2.extract_lane 1 (local.get $x))))))
        (else
          ;; k = |x| > 0.5 ln2 ? trunc(invln2·x + copysign(0.5, x)) : 0
          (local.set $k (v128.bitselect
            (f64x2.trunc (f64x2.add
              (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $x))
              (v128.or (v128.and (local.get $x) (v128.const i64x2 0x8000000000000000 0x8000000000000000)) (v128.const f64x2 0.5 0.5))))
            (v128.const f64x2 0 0)
            (i64x2.lt_s (v128.const i64x2 0x3fd62e42 0x3fd62e42) (local.get $hx))))
          (local.set $hi (f64x2.sub (local.get $x)
            (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
          (local.set $lo (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
          (local.set $xr (f64x2.sub (local.get $hi) (local.get $lo)))
          (local.set $t (f64x2.mul (local.get $xr) (local.get $xr)))
          ;; c = xr − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
          (local.set $c (f64x2.sub (local.get $xr) (f64x2.mul (local.get $t)
            (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01) (f64x2.mul (local.get $t)
            (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03) (f64x2.mul (local.get $t)
            (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05) (f64x2.mul (local.get $t)
            (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06) (f64x2.mul (local.get $t)
                       (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
          ;; e = (1 − ((lo − (xr·c)/(2 − c)) − hi)) · 2^k, 2^k from k's bits: k + 2^52 + 2^51 holds k in its
          ;; low mantissa bits, so (that − bits(2^52 + 2^51) + 1023) << 52 is the exponent field of 2^k
          (local.set $e (f64x2.mul
            (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub
              (f64x2.sub (local.get $lo) (f64x2.div (f64x2.mul (local.get $xr) (local.get $c)) (f64x2.sub (v128.const f64x2 2 2) (local.get $c))))
              (local.get $hi)))
            (i64x2.shl
              (i64x2.add
                (i64x2.sub (f64x2.add (local.get $k) (v128.const f64x2 6755399441055744 6755399441055744))
                           (v128.const i64x2 0x4338000000000000 0x4338000000000000))
                (v128.const i64x2 1023 1023))
              (i32.const 52))))))
      ;; sigmoid = 1 / (1 + e), rounded to float32
      (v128.store align=8 (local.get $p) (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
        (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1) (local.get $e))))))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $nextPair)))
    (if (i32.lt_u (local.get $j) (local.get $out))                                      ;; an odd last output
      (then (call $biasActivate
        (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3)))
        (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
        (i32.const 1) (i32.const 1)))))

  ;; ---- forwardImages: y[n] = softmax(network(image n)) for count images, in one call from JS ----
  ;; images: [count, D] bytes, table: [L] layers of six i32 (W, b, z, z of the layer before, in, out:
  ;; LAYER_TABLE_BYTES = 24 each) -> y: [count, K] f64 (float32 values). sigmoid 1: sigmoid hidden layers, 0: relu.
  ;; Per layer: x: [in] (its nonzero entries; all of them for sigmoid) · W: [in, out] + b -> z: [out].
  (func $forwardImages (export "forwardImages")
    (param $table i32) (param $L i32) (param $images i32) (param $count i32) (param $D i32)
    (param $scale i32) (param $xs i32) (param $rowOffsets i32) (param $sigmoid i32) (param $y i32)
    (local $n i32) (local $layer i32) (local $entry i32) (local $W i32) (local $b i32) (local $z i32)
    (local $zIn i32) (local $in i32) (local $out i32) (local $k i32) (local $yn i32)
    (local $max f64) (local $sum f64) (local $v f64)
    (local.set $n (i32.const 0))
    (block $imagesDone (loop $nextImage
      (br_if $imagesDone (i32.ge_u (local.get $n) (local.get $count)))
      (local.set $layer (i32.const 0))
      (block $layersDone (loop $nextLayer
        (br_if $layersDone (i32.ge_u (local.get $layer) (local.get $L)))
        (local.set $entry (i32.add (local.get $table) (i32.mul (local.get $layer) (i32.const 24))))
        (local.set $W (i32.load (local.get $entry)))
        (local.set $b (i32.load offset=4 (local.get $entry)))
        (local.set $z (i32.load offset=8 (local.get $entry)))
        (local.set $zIn (i32.load offset=12 (local.get $entry)))
        (local.set $in (i32.load offset=16 (local.get $entry)))
        (local.set $out (i32.load offset=20 (local.get $entry)))
        ;; a = x · W
        (if (i32.eqz (local.get $layer))
          (then (call $accumulateRow (local.get $W) (local.get $out) (local.get $xs) (local.get $rowOffsets)
            (call $gatherPixels (i32.add (local.get $images) (i32.mul (local.get $n) (local.get $D)))
              (local.get $D) (local.get $out) (local.get $scale) (local.get $xs) (local.get $rowOffsets))
            (local.get $z)))
          (else
            (if (local.get $sigmoid)
              (then (call $accumulateDense (local.get $W) (local.get $out) (local.get $zIn) (i32.const 0) (local.get $in) (local.get $z)))
              (else (call $accumulateRow (local.get $W) (local.get $out) (local.get $xs) (local.get $rowOffsets)
                (call $gatherNonzero (local.get $zIn) (local.get $in) (local.get $out) (local.get $xs) (local.get $rowOffsets))
                (local.get $z))))))
        ;; z = act(a + b) for hidden layers, a + b for the last
        (if (i32.lt_u (i32.add (local.get $layer) (i32.const 1)) (local.get $L))
          (then
            (if (local.get $sigmoid)
              (then (call $biasSigmoid (local.get $z) (local.get $b) (local.get $out)))
              (else (call $biasActivate (local.get $z) (local.get $b) (local.get $out) (i32.const 2)))))
          (else (call $biasActivate (local.get $z) (local.get $b) (local.get $out) (i32.const 0))))
        (local.set $layer (i32.add (local.get $layer) (i32.const 1)))
        (br $nextLayer)))
      ;; softmax of a_L (z of the last layer) into y[n]: max from −inf (the JS `if (a > max)` loop),
      ;; e_k = exp(a_k − max) in place, sum in float64, y_k = f32(e_k / sum)
      (local.set $yn (i32.add (local.get $y) (i32.shl (i32.mul (local.get $n) (local.get $out)) (i32.const 3))))
      (local.set $max (f64.const -inf))
      (local.set $k (i32.const 0))
      (block $maxDone (loop $nextMax
        (br_if $maxDone (i32.ge_u (local.get $k) (local.get $out)))
        (local.set $v (f64.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3)))))
        (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $nextMax)))
      (local.set $sum (f64.const 0))
      (local.set $k (i32.const 0))
      (block $expDone (loop $nextExp
        (br_if $expDone (i32.ge_u (local.get $k) (local.get $out)))
        (f64.store (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3)))
          (local.tee $v (call $exp (f64.sub (f64.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3)))) (local.get $max)))))
        (local.set $sum (f64.add (local.get $sum) (local.get $v)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $nextExp)))
      (local.set $k (i32.const 0))
      (block $divideDone (loop $nextDivide
        (br_if $divideDone (i32.ge_u (local.get $k) (local.get $out)))
        (f64.store (i32.add (local.get $yn) (i32.shl (local.get $k) (i32.const 3)))
          (f64.promote_f32 (f32.demote_f64
            (f64.div (f64.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3)))) (local.get $sum)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $nextDivide)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nextImage))))
)
