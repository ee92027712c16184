;; The forward-pass kernels of a general layer network (src/nn/layers), driven by src/kernels/networkForward.ts;
;; scripts/build-kernels.js assembles them (wabt) into dist/src/kernels/convnet.wasm. Standard SIMD only (no
;; relaxed SIMD, so no fma): f32x4 multiplies and adds, float32 accumulation (the reference accumulates in
;; float64; networkForward.test.ts states and checks the tolerance).
;;
;; Conventions: pointers are byte addresses in the imported memory (the arena of networkForward.ts); counts are
;; element counts; every array is float32. Activations are channels-last, HWC: element (c, y, x) of a [C, H, W]
;; tensor sits at (y·W + x)·Cp + c, Cp = C rounded up to 4 (so a pixel's channels are whole f32x4 vectors; the
;; padding channels hold finite junk that every consumer multiplies by zero weights or ignores).
;; Filter counts FNp (a convolution's output channels) are rounded up to 8: two f32x4 vectors per block.
(module
  (import "env" "memory" (memory 1))

  ;; ---- pixels -> input: dst[(s·Cp + c)] = table[src[c·HW + s]] (CHW bytes -> HWC floats) ----
  ;; src: [C, HW] bytes, table: [256] float32 (x = f32(p/255), optionally normalised) -> dst: [HW, Cp]
  (func (export "pixels") (param $src i32) (param $C i32) (param $HW i32) (param $Cp i32) (param $table i32) (param $dst i32)
    (local $c i32) (local $s i32) (local $from i32) (local $to i32)
    (block $channelsDone (loop $nextChannel
      (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $C)))
      (local.set $from (i32.add (local.get $src) (i32.mul (local.get $c) (local.get $HW))))
      (local.set $to (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $s (i32.const 0))
      (block $pixelsDone (loop $nextPixel
        (br_if $pixelsDone (i32.ge_u (local.get $s) (local.get $HW)))
        (f32.store (local.get $to)
          (f32.load (i32.add (local.get $table) (i32.shl (i32.load8_u (i32.add (local.get $from) (local.get $s))) (i32.const 2)))))
        (local.set $to (i32.add (local.get $to) (i32.shl (local.get $Cp) (i32.const 2))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $nextPixel)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $nextChannel))))

  ;; ---- zero padding for the direct convolution: src [H, W, Cp] -> interior of dst [H + 2·pad, W + 2·pad, Cp] ----
  ;; The border of dst is zeroed once when the arena is made and never written.
  (func (export "padCopy") (param $src i32) (param $H i32) (param $W i32) (param $Cp i32) (param $pad i32) (param $dst i32)
    (local $y i32) (local $i i32) (local $rowBytes i32) (local $dstRowBytes i32) (local $from i32) (local $to i32)
    (local.set $rowBytes (i32.shl (i32.mul (local.get $W) (local.get $Cp)) (i32.const 2)))
    (local.set $dstRowBytes (i32.shl (i32.mul (i32.add (local.get $W) (i32.shl (local.get $pad) (i32.const 1))) (local.get $Cp)) (i32.const 2)))
    (local.set $to (i32.add (local.get $dst)
      (i32.add (i32.mul (local.get $pad) (local.get $dstRowBytes)) (i32.shl (i32.mul (local.get $pad) (local.get $Cp)) (i32.const 2)))))
    (local.set $from (local.get $src))
    (block $rowsDone (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $H)))
      (local.set $i (i32.const 0))
      (block $copied (loop $nextVector
        (br_if $copied (i32.ge_u (local.get $i) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $to) (local.get $i)) (v128.load (i32.add (local.get $from) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $nextVector)))
      (local.set $from (i32.add (local.get $from) (local.get $rowBytes)))
      (local.set $to (i32.add (local.get $to) (local.get $dstRowBytes)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $nextRow))))

  ;; ---- convolution, scatter form: every NONZERO input value adds v · W[fh, fw, c, :] to the outputs it reaches ----
  ;; x: [H, W, Cp] (channels c < C read), Wt: [FH, FW, C, FNp], bias: [FNp] -> out: [OH, OW, FNp]
  ;; out[oy, ox, f] = bias[f] + Σ_{fh, fw, c} x[oy·s + fh − pad, ox·s + fw − pad, c] · W[f, c, fh, fw] (inside the input).
  ;; Zero inputs cost one compare: the win on MNIST pixels (~80 % zeros) and on sparse ReLU outputs.
  (func (export "convScatter")
    (param $x i32) (param $H i32) (param $W i32) (param $C i32) (param $Cp i32)
    (param $Wt i32) (param $FH i32) (param $FW i32) (param $FNp i32) (param $stride i32) (param $pad i32)
    (param $bias i32) (param $out i32) (param $OH i32) (param $OW i32)
    (local $p i32) (local $j i32) (local $y i32) (local $xx i32) (local $c i32) (local $fh i32) (local $fw i32)
    (local $ty i32) (local $tx i32) (local $o i32) (local $w i32) (local $oRow i32) (local $end i32)
    (local $v f32) (local $vv v128) (local $filterBytes i32)
    (local $fh1 i32) (local $fw0 i32) (local $fw1 i32) (local $tapO i32) (local $tapW i32) (local $tapStep i32)
    (local.set $filterBytes (i32.shl (local.get $FNp) (i32.const 2)))
    (local.set $tapStep (i32.mul (local.get $C) (local.get $filterBytes)))   ;; Wt from tap (fh, fw) to (fh, fw + 1)
    ;; out = bias, pixel by pixel
    (local.set $o (local.get $out))
    (local.set $end (i32.add (local.get $out) (i32.mul (i32.mul (local.get $OH) (local.get $OW)) (local.get $filterBytes))))
    (block $biased (loop $nextPixel
      (br_if $biased (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $j (i32.const 0))
      (block $rowDone (loop $nextVector
        (br_if $rowDone (i32.ge_u (local.get $j) (local.get $filterBytes)))
        (v128.store (i32.add (local.get $o) (local.get $j)) (v128.load (i32.add (local.get $bias) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $nextVector)))
      (local.set $o (i32.add (local.get $o) (local.get $filterBytes)))
      (br $nextPixel)))
    (local.set $p (local.get $x))
    (block $rowsDone (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $H)))
      (local.set $xx (i32.const 0))
      (block $columnsDone (loop $nextColumn
        (br_if $columnsDone (i32.ge_u (local.get $xx) (local.get $W)))
        (local.set $c (i32.const 0))
        (block $channelsDone (loop $nextChannel
          (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $C)))
          (local.set $v (f32.load (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2)))))
          (if (f32.ne (local.get $v) (f32.const 0))   ;; NaN != 0: a NaN input still spreads, as in the reference
            (then (block $skip
              (local.set $vv (f32x4.splat (local.get $v)))
              (if (i32.eq (local.get $stride) (i32.const 1))
                (then
                  ;; stride 1: the taps with oy = y + pad − fh in [0, OH) and ox = x + pad − fw in [0, OW), no division
                  (local.set $fh (i32.sub (i32.add (local.get $y) (local.get $pad)) (i32.sub (local.get $OH) (i32.const 1))))
                  (if (i32.lt_s (local.get $fh) (i32.const 0)) (then (local.set $fh (i32.const 0))))
                  (local.set $fh1 (i32.add (i32.add (local.get $y) (local.get $pad)) (i32.const 1)))
                  (if (i32.gt_s (local.get $fh1) (local.get $FH)) (then (local.set $fh1 (local.get $FH))))
                  (local.set $fw0 (i32.sub (i32.add (local.get $xx) (local.get $pad)) (i32.sub (local.get $OW) (i32.const 1))))
                  (if (i32.lt_s (local.get $fw0) (i32.const 0)) (then (local.set $fw0 (i32.const 0))))
                  (local.set $fw1 (i32.add (i32.add (local.get $xx) (local.get $pad)) (i32.const 1)))
                  (if (i32.gt_s (local.get $fw1) (local.get $FW)) (then (local.set $fw1 (local.get $FW))))
                  (block $rows1Done (loop $nextRow1
                    (br_if $rows1Done (i32.ge_s (local.get $fh) (local.get $fh1)))
                    ;; o = out[oy, ox(fw0)], w = Wt[fh, fw0, c]; along fw, o steps back a pixel and w forward a tap
                    (local.set $tapO (i32.add (local.get $out) (i32.mul (i32.add
                      (i32.mul (i32.sub (i32.add (local.get $y) (local.get $pad)) (local.get $fh)) (local.get $OW))
                      (i32.sub (i32.add (local.get $xx) (local.get $pad)) (local.get $fw0))) (local.get $filterBytes))))
                    (local.set $tapW (i32.add (local.get $Wt) (i32.mul
                      (i32.add (i32.mul (i32.add (i32.mul (local.get $fh) (local.get $FW)) (local.get $fw0)) (local.get $C)) (local.get $c))
                      (local.get $filterBytes))))
                    (local.set $fw (local.get $fw0))
                    (block $taps1Done (loop $nextTap1
                      (br_if $taps1Done (i32.ge_s (local.get $fw) (local.get $fw1)))
                      (local.set $o (local.get $tapO))
                      (local.set $w (local.get $tapW))
                      (local.set $end (i32.add (local.get $o) (local.get $filterBytes)))
                      (block $filters1Done (loop $nextFilters1
                        (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o))
                          (f32x4.mul (local.get $vv) (v128.load (local.get $w)))))
                        (v128.store offset=16 (local.get $o) (f32x4.add (v128.load offset=16 (local.get $o))
                          (f32x4.mul (local.get $vv) (v128.load offset=16 (local.get $w)))))
                        (local.set $o (i32.add (local.get $o) (i32.const 32)))
                        (local.set $w (i32.add (local.get $w) (i32.const 32)))
                        (br_if $nextFilters1 (i32.lt_u (local.get $o) (local.get $end)))))
                      (local.set $tapO (i32.sub (local.get $tapO) (local.get $filterBytes)))
                      (local.set $tapW (i32.add (local.get $tapW) (local.get $tapStep)))
                      (local.set $fw (i32.add (local.get $fw) (i32.const 1)))
                      (br $nextTap1)))
                    (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
                    (br $nextRow1)))
                  (br $skip)))
              ;; any stride: taps (fh, fw) with oy = (y + pad − fh) / s a whole number in [0, OH), ox likewise
              (local.set $fh (i32.const 0))
              (block $tapRowsDone (loop $nextTapRow
                (br_if $tapRowsDone (i32.ge_u (local.get $fh) (local.get $FH)))
                (local.set $ty (i32.sub (i32.add (local.get $y) (local.get $pad)) (local.get $fh)))
                (br_if $tapRowsDone (i32.lt_s (local.get $ty) (i32.const 0)))
                (if (i32.and
                      (i32.eqz (i32.rem_u (local.get $ty) (local.get $stride)))
                      (i32.lt_u (i32.div_u (local.get $ty) (local.get $stride)) (local.get $OH)))
                  (then
                    (local.set $oRow (i32.mul (i32.div_u (local.get $ty) (local.get $stride)) (local.get $OW)))
                    (local.set $fw (i32.const 0))
                    (block $tapsDone (loop $nextTap
                      (br_if $tapsDone (i32.ge_u (local.get $fw) (local.get $FW)))
                      (local.set $tx (i32.sub (i32.add (local.get $xx) (local.get $pad)) (local.get $fw)))
                      (br_if $tapsDone (i32.lt_s (local.get $tx) (i32.const 0)))
                      (if (i32.and
                            (i32.eqz (i32.rem_u (local.get $tx) (local.get $stride)))
                            (i32.lt_u (i32.div_u (local.get $tx) (local.get $stride)) (local.get $OW)))
                        (then
                          ;; out[oy, ox, :] += v · Wt[fh, fw, c, :], eight filters a step
                          (local.set $o (i32.add (local.get $out) (i32.mul
                            (i32.add (local.get $oRow) (i32.div_u (local.get $tx) (local.get $stride))) (local.get $filterBytes))))
                          (local.set $w (i32.add (local.get $Wt) (i32.mul
                            (i32.add (i32.mul (i32.add (i32.mul (local.get $fh) (local.get $FW)) (local.get $fw)) (local.get $C)) (local.get $c))
                            (local.get $filterBytes))))
                          (local.set $end (i32.add (local.get $o) (local.get $filterBytes)))
                          (block $filtersDone (loop $nextFilters
                            (br_if $filtersDone (i32.ge_u (local.get $o) (local.get $end)))
                            (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o))
                              (f32x4.mul (local.get $vv) (v128.load (local.get $w)))))
                            (v128.store offset=16 (local.get $o) (f32x4.add (v128.load offset=16 (local.get $o))
                              (f32x4.mul (local.get $vv) (v128.load offset=16 (local.get $w)))))
                            (local.set $o (i32.add (local.get $o) (i32.const 32)))
                            (local.set $w (i32.add (local.get $w) (i32.const 32)))
                            (br $nextFilters)))))
                      (local.set $fw (i32.add (local.get $fw) (i32.const 1)))
                      (br $nextTap)))))
                (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
                (br $nextTapRow))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $nextChannel)))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $Cp) (i32.const 2))))
        (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
        (br $nextColumn)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $nextRow))))

  ;; ---- convolution, direct form: a register block of 4 output pixels × 8 filters (8 f32x4 accumulators) ----
  ;; x: zero-padded [Hp, Wp, Cp], Wt: [FH, FW, Cp, FNp] (zero rows for padding channels), bias: [FNp]
  ;; -> out: [OH, OW, FNp] = bias + Σ_{fh} Σ_{k < FW·Cp} x[oy·s + fh, ox·s·Cp + k] · Wt[fh, k, :], then max(·, 0) if relu.
  ;; For one fh the FW·Cp inputs of a pixel and the FW·Cp weight rows are both contiguous: a GEMM with K = FW·Cp.
  (func (export "convDirect")
    (param $x i32) (param $Wp i32) (param $Cp i32) (param $Wt i32) (param $FH i32) (param $FW i32) (param $FNp i32)
    (param $stride i32) (param $bias i32) (param $relu i32) (param $out i32) (param $OH i32) (param $OW i32)
    (local $fb i32) (local $oy i32) (local $ox i32) (local $fh i32) (local $k i32) (local $run i32)
    (local $p i32) (local $p2 i32) (local $w i32) (local $o i32) (local $step i32) (local $rowBytes i32) (local $filterBytes i32) (local $tapBytes i32)
    (local $b0 v128) (local $b1 v128) (local $x0 v128) (local $w0 v128) (local $w1 v128) (local $zero v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $run (i32.mul (local.get $FW) (local.get $Cp)))
    (local.set $step (i32.shl (i32.mul (local.get $stride) (local.get $Cp)) (i32.const 2)))      ;; bytes between neighbouring pixels' inputs
    (local.set $rowBytes (i32.shl (i32.mul (local.get $Wp) (local.get $Cp)) (i32.const 2)))
    (local.set $filterBytes (i32.shl (local.get $FNp) (i32.const 2)))
    (local.set $tapBytes (i32.mul (local.get $run) (local.get $filterBytes)))                    ;; one fh of Wt
    (local.set $zero (v128.const f32x4 0 0 0 0))
    (block $blocksDone (loop $nextBlock
      (br_if $blocksDone (i32.ge_u (local.get $fb) (local.get $FNp)))
      (local.set $b0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $fb) (i32.const 2)))))
      (local.set $b1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $fb) (i32.const 2)))))
      (local.set $oy (i32.const 0))
      (block $rowsDone (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $OH)))
        (local.set $ox (i32.const 0))
        ;; four pixels at a time
        (block $quadsDone (loop $nextQuad
          (br_if $quadsDone (i32.gt_u (i32.add (local.get $ox) (i32.const 4)) (local.get $OW)))
          (local.set $a0 (local.get $b0)) (local.set $a1 (local.get $b1))
          (local.set $a2 (local.get $b0)) (local.set $a3 (local.get $b1))
          (local.set $a4 (local.get $b0)) (local.set $a5 (local.get $b1))
          (local.set $a6 (local.get $b0)) (local.set $a7 (local.get $b1))
          (local.set $fh (i32.const 0))
          (block $tapRowsDone (loop $nextTapRow
            (br_if $tapRowsDone (i32.ge_u (local.get $fh) (local.get $FH)))
            (local.set $p (i32.add (local.get $x) (i32.add
              (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $stride)) (local.get $fh)) (local.get $rowBytes))
              (i32.mul (local.get $ox) (local.get $step)))))
            (local.set $w (i32.add (local.get $Wt) (i32.add (i32.mul (local.get $fh) (local.get $tapBytes)) (i32.shl (local.get $fb) (i32.const 2)))))
            (local.set $k (i32.add (local.get $p) (i32.shl (local.get $run) (i32.const 2))))   ;; the run's end
            (local.set $p2 (i32.add (local.get $p) (local.get $step)))
            (block $runDone (loop $nextK
              (br_if $runDone (i32.ge_u (local.get $p) (local.get $k)))
              (local.set $w0 (v128.load (local.get $w)))
              (local.set $w1 (v128.load offset=16 (local.get $w)))
              (local.set $x0 (v128.load32_splat (local.get $p)))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x0) (local.get $w0))))
              (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x0) (local.get $w1))))
              (local.set $x0 (v128.load32_splat (local.get $p2)))
              (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x0) (local.get $w0))))
              (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x0) (local.get $w1))))
              (local.set $x0 (v128.load32_splat (i32.add (local.get $p2) (local.get $step))))
              (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $x0) (local.get $w0))))
              (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $x0) (local.get $w1))))
              (local.set $x0 (v128.load32_splat (i32.add (local.get $p2) (i32.shl (local.get $step) (i32.const 1)))))
              (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $x0) (local.get $w0))))
              (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $x0) (local.get $w1))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
              (local.set $w (i32.add (local.get $w) (local.get $filterBytes)))
              (br $nextK)))
            (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
            (br $nextTapRow)))
          (if (local.get $relu)
            (then
              (local.set $a0 (f32x4.max (local.get $a0) (local.get $zero))) (local.set $a1 (f32x4.max (local.get $a1) (local.get $zero)))
              (local.set $a2 (f32x4.max (local.get $a2) (local.get $zero))) (local.set $a3 (f32x4.max (local.get $a3) (local.get $zero)))
              (local.set $a4 (f32x4.max (local.get $a4) (local.get $zero))) (local.set $a5 (f32x4.max (local.get $a5) (local.get $zero)))
              (local.set $a6 (f32x4.max (local.get $a6) (local.get $zero))) (local.set $a7 (f32x4.max (local.get $a7) (local.get $zero)))))
          (local.set $o (i32.add (local.get $out) (i32.add
            (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $OW)) (local.get $ox)) (local.get $filterBytes))
            (i32.shl (local.get $fb) (i32.const 2)))))
          (v128.store (local.get $o) (local.get $a0))
          (v128.store offset=16 (local.get $o) (local.get $a1))
          (local.set $o (i32.add (local.get $o) (local.get $filterBytes)))
          (v128.store (local.get $o) (local.get $a2))
          (v128.store offset=16 (local.get $o) (local.get $a3))
          (local.set $o (i32.add (local.get $o) (local.get $filterBytes)))
          (v128.store (local.get $o) (local.get $a4))
          (v128.store offset=16 (local.get $o) (local.get $a5))
          (local.set $o (i32.add (local.get $o) (local.get $filterBytes)))
          (v128.store (local.get $o) (local.get $a6))
          (v128.store offset=16 (local.get $o) (local.get $a7))
          (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
          (br $nextQuad)))
        ;; the last OW mod 4 pixels, one at a time
        (block $pixelsDone (loop $nextPixel
          (br_if $pixelsDone (i32.ge_u (local.get $ox) (local.get $OW)))
          (local.set $a0 (local.get $b0)) (local.set $a1 (local.get $b1))
          (local.set $fh (i32.const 0))
          (block $tapRowsDone1 (loop $nextTapRow1
            (br_if $tapRowsDone1 (i32.ge_u (local.get $fh) (local.get $FH)))
            (local.set $p (i32.add (local.get $x) (i32.add
              (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $stride)) (local.get $fh)) (local.get $rowBytes))
              (i32.mul (local.get $ox) (local.get $step)))))
            (local.set $w (i32.add (local.get $Wt) (i32.add (i32.mul (local.get $fh) (local.get $tapBytes)) (i32.shl (local.get $fb) (i32.const 2)))))
            (local.set $k (i32.const 0))
            (block $runDone1 (loop $nextK1
              (br_if $runDone1 (i32.ge_u (local.get $k) (local.get $run)))
              (local.set $x0 (v128.load32_splat (local.get $p)))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x0) (v128.load (local.get $w)))))
              (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x0) (v128.load offset=16 (local.get $w)))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $w (i32.add (local.get $w) (local.get $filterBytes)))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $nextK1)))
            (local.set $fh (i32.add (local.get $fh) (i32.const 1)))
            (br $nextTapRow1)))
          (if (local.get $relu)
            (then
              (local.set $a0 (f32x4.max (local.get $a0) (local.get $zero)))
              (local.set $a1 (f32x4.max (local.get $a1) (local.get $zero)))))
          (local.set $o (i32.add (local.get $out) (i32.add
            (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $OW)) (local.get $ox)) (local.get $filterBytes))
            (i32.shl (local.get $fb) (i32.const 2)))))
          (v128.store (local.get $o) (local.get $a0))
          (v128.store offset=16 (local.get $o) (local.get $a1))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $nextPixel)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $nextRow)))
      (local.set $fb (i32.add (local.get $fb) (i32.const 8)))
      (br $nextBlock))))

  ;; ---- pooling, per channel, four channels a step ----
  ;; x: [H, W, Cp] -> out: [OH, OW, Cp]; window rows oy·s − pad .. + PH clipped to the input (max never sees padding;
  ;; avg divides by PH·PW when countIncludePad, else by the positions inside the input).
  ;; mode 0: max; 1: average; 2: max(0, max) = relu then max pool (they commute, and the ReLU runs on the 4× fewer
  ;; outputs; NaN stays NaN either way).
  (func (export "pool")
    (param $x i32) (param $H i32) (param $W i32) (param $Cp i32) (param $PH i32) (param $PW i32) (param $stride i32) (param $pad i32)
    (param $mode i32) (param $countIncludePad i32) (param $out i32) (param $OH i32) (param $OW i32)
    (local $oy i32) (local $ox i32) (local $ys i32) (local $ye i32) (local $xs i32) (local $xe i32) (local $iy i32) (local $ix i32)
    (local $j i32) (local $pixelBytes i32) (local $rowBytes i32) (local $o i32) (local $corner i32) (local $p i32) (local $q i32)
    (local $acc v128) (local $init v128) (local $count v128)
    (local.set $pixelBytes (i32.shl (local.get $Cp) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $pixelBytes)))
    (local.set $init (select (result v128) (v128.const f32x4 -inf -inf -inf -inf) (v128.const f32x4 0 0 0 0) (i32.eqz (local.get $mode))))
    (local.set $o (local.get $out))
    (block $rowsDone (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $OH)))
      (local.set $ys (i32.sub (i32.mul (local.get $oy) (local.get $stride)) (local.get $pad)))
      (local.set $ye (i32.add (local.get $ys) (local.get $PH)))
      (if (i32.lt_s (local.get $ys) (i32.const 0)) (then (local.set $ys (i32.const 0))))
      (if (i32.gt_s (local.get $ye) (local.get $H)) (then (local.set $ye (local.get $H))))
      (local.set $ox (i32.const 0))
      (block $columnsDone (loop $nextColumn
        (br_if $columnsDone (i32.ge_u (local.get $ox) (local.get $OW)))
        (local.set $xs (i32.sub (i32.mul (local.get $ox) (local.get $stride)) (local.get $pad)))
        (local.set $xe (i32.add (local.get $xs) (local.get $PW)))
        (if (i32.lt_s (local.get $xs) (i32.const 0)) (then (local.set $xs (i32.const 0))))
        (if (i32.gt_s (local.get $xe) (local.get $W)) (then (local.set $xe (local.get $W))))
        (local.set $count (f32x4.splat (f32.convert_i32_s (select
          (i32.mul (local.get $PH) (local.get $PW))
          (i32.mul (i32.sub (local.get $ye) (local.get $ys)) (i32.sub (local.get $xe) (local.get $xs)))
          (local.get $countIncludePad)))))
        (local.set $corner (i32.add (local.get $x) (i32.add (i32.mul (local.get $ys) (local.get $rowBytes)) (i32.mul (local.get $xs) (local.get $pixelBytes)))))
        (local.set $j (i32.const 0))
        (block $channelsDone (loop $nextChannels
          (br_if $channelsDone (i32.ge_u (local.get $j) (local.get $pixelBytes)))
          (local.set $acc (local.get $init))
          (local.set $p (i32.add (local.get $corner) (local.get $j)))
          (local.set $iy (local.get $ys))
          (block $windowRowsDone (loop $nextWindowRow
            (br_if $windowRowsDone (i32.ge_s (local.get $iy) (local.get $ye)))
            (local.set $q (local.get $p))
            (local.set $ix (local.get $xs))
            (if (i32.eq (local.get $mode) (i32.const 1))
              (then
                (block $sumDone (loop $nextSum
                  (br_if $sumDone (i32.ge_s (local.get $ix) (local.get $xe)))
                  (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $q))))
                  (local.set $q (i32.add (local.get $q) (local.get $pixelBytes)))
                  (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                  (br $nextSum))))
              (else
                (block $maxDone (loop $nextMax
                  (br_if $maxDone (i32.ge_s (local.get $ix) (local.get $xe)))
                  (local.set $acc (f32x4.max (local.get $acc) (v128.load (local.get $q))))   ;; NaN wins, as the reference's first NaN
                  (local.set $q (i32.add (local.get $q) (local.get $pixelBytes)))
                  (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                  (br $nextMax)))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
            (br $nextWindowRow)))
          (if (i32.eq (local.get $mode) (i32.const 1)) (then (local.set $acc (f32x4.div (local.get $acc) (local.get $count)))))
          (v128.store (i32.add (local.get $o) (local.get $j)) (local.get $acc))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $nextChannels)))
        (local.set $o (i32.add (local.get $o) (local.get $pixelBytes)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $nextColumn)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $nextRow))))

  ;; ---- affine over a batch: out[b, :] = bias + Σ_d x[b, d] · Wt[d, :], then max(·, 0) if relu ----
  ;; x: [B, xStride] (the first D used, D a multiple of 4), Wt: [D/4, Mp/4, 4, 4] (W [D, Mp] with each four rows interleaved
;; vector by vector: W[4q + r, 4v + lane] at ((q·Mp/4 + v)·4 + r)·4 + lane, one pointer and constant offsets in the
;; inner loop), bias: [Mp] -> out: [B, outStride] (first Mp written)
  ;; Four weight rows at a time, swept over every image of the batch while they sit in cache; a group of four
  ;; zero inputs (ReLU outputs, background pixels) is skipped.
  (func (export "affine")
    (param $x i32) (param $B i32) (param $D i32) (param $xStride i32) (param $Wt i32) (param $Mp i32) (param $bias i32)
    (param $relu i32) (param $out i32) (param $outStride i32)
    (local $b i32) (local $d i32) (local $j i32) (local $o i32) (local $w i32) (local $rowBytes i32) (local $xv v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $xp i32) (local $end i32)
    (local.set $rowBytes (i32.shl (local.get $Mp) (i32.const 2)))
    ;; out = bias
    (block $biased (loop $nextImage
      (br_if $biased (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $b) (local.get $outStride)) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $rowDone (loop $nextVector
        (br_if $rowDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $o) (local.get $j)) (v128.load (i32.add (local.get $bias) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $nextVector)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $nextImage)))
    (block $inputsDone (loop $nextInputs
      (br_if $inputsDone (i32.ge_u (local.get $d) (local.get $D)))
      (local.set $w (i32.add (local.get $Wt) (i32.mul (local.get $d) (local.get $rowBytes))))
      (local.set $b (i32.const 0))
      (block $imagesDone (loop $nextImage2
        (br_if $imagesDone (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $xp (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $xStride)) (local.get $d)) (i32.const 2))))
        (local.set $xv (v128.load (local.get $xp)))
        (if (v128.any_true (local.get $xv))
          (then
            (local.set $x0 (v128.load32_splat (local.get $xp)))
            (local.set $x1 (v128.load32_splat offset=4 (local.get $xp)))
            (local.set $x2 (v128.load32_splat offset=8 (local.get $xp)))
            (local.set $x3 (v128.load32_splat offset=12 (local.get $xp)))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $b) (local.get $outStride)) (i32.const 2))))
            (local.set $end (i32.add (local.get $o) (local.get $rowBytes)))
            (local.set $j (local.get $w))
            (block $rowDone2 (loop $nextVector2
              (br_if $rowDone2 (i32.ge_u (local.get $o) (local.get $end)))
              (v128.store (local.get $o)
                (f32x4.add (f32x4.add (f32x4.add (f32x4.add (v128.load (local.get $o))
                  (f32x4.mul (local.get $x0) (v128.load (local.get $j))))
                  (f32x4.mul (local.get $x1) (v128.load offset=16 (local.get $j))))
                  (f32x4.mul (local.get $x2) (v128.load offset=32 (local.get $j))))
                  (f32x4.mul (local.get $x3) (v128.load offset=48 (local.get $j)))))
              (local.set $o (i32.add (local.get $o) (i32.const 16)))
              (local.set $j (i32.add (local.get $j) (i32.const 64)))
              (br $nextVector2)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $nextImage2)))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (br $nextInputs)))
    (if (local.get $relu)
      (then
        (local.set $b (i32.const 0))
        (block $done (loop $nextImage3
          (br_if $done (i32.ge_u (local.get $b) (local.get $B)))
          (call $relu (i32.add (local.get $out) (i32.shl (i32.mul (local.get $b) (local.get $outStride)) (i32.const 2))) (local.get $Mp))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $nextImage3))))))

  ;; ---- element-wise, n a multiple of 4 ----
  ;; x: [n] -> x = max(x, 0) (NaN stays NaN, −0 becomes +0: the reference's relu)
  (func $relu (export "relu") (param $x i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (v128.store (local.get $x) (f32x4.max (v128.load (local.get $x)) (v128.const f32x4 0 0 0 0)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $next))))

  ;; x: [n], scale: [n], shift: [n] -> x = x · scale + shift (batch normalisation at inference, folded)
  (func (export "scaleShift") (param $x i32) (param $n i32) (param $scale i32) (param $shift i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (v128.store (local.get $x) (f32x4.add (f32x4.mul (v128.load (local.get $x)) (v128.load (local.get $scale))) (v128.load (local.get $shift))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $scale (i32.add (local.get $scale) (i32.const 16)))
      (local.set $shift (i32.add (local.get $shift) (i32.const 16)))
      (br $next))))

  ;; x: [n] -> x = x · s (test-time dropout in the book's convention, where it cannot be folded into weights)
  (func (export "scale") (param $x i32) (param $n i32) (param $s f32)
    (local $end i32) (local $ss v128)
    (local.set $ss (f32x4.splat (local.get $s)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (v128.store (local.get $x) (f32x4.mul (v128.load (local.get $x)) (local.get $ss)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $next))))
)
