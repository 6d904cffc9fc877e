;; The model's distribution statistics for /probs (engine/probs.ts), in WebAssembly SIMD on this module's own memory
;; (so any backend can use it): the logits are copied in from the host, and one pass gives what log Z and the entropy
;; need. The exponentials are the cost of /probs on per token, and JS's Math.exp is several times slower than these.
;; Assembled by `npx tsx src/engine/kernels/simd/assemble.ts` into probs-wasm.ts (a test checks it is current).
(module
  (memory (export "memory") 1)

  ;; Over the n floats at byte 0 (n a multiple of 8; pad with -Infinity): with d = max((x - top) s, -87) and e = exp(d),
  ;; returns sum e and stores sum e d as a float64 at byte 4n (one result: a pair crosses into JS as a new array),
  ;; both accumulated in float64 by blocks. -87 keeps exp normal; a masked logit then adds exp(-87), which
  ;; is 0 beside the top term's 1 at float64 precision. exp as in recurrent.wat: Cody-Waite reduction by ln 2 and
  ;; Cephes' expf polynomial (about 1 ulp).
  (func (export "exp_sums") (param $n i32) (param $top f32) (param $scale f32) (result f64)
    (local $p i32) (local $end i32) (local $x v128) (local $k v128) (local $r v128) (local $q v128) (local $e v128) (local $x2 v128) (local $k2 v128) (local $r2 v128) (local $q2 v128) (local $e2 v128)
    (local $t v128)
    (local $sumLo v128) (local $sumHi v128) (local $wLo v128) (local $wHi v128) (local $s v128)
    (local $blockEnd i32) (local $blockSum v128) (local $blockW v128)
    (local.set $t (f32x4.splat (local.get $top)))
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    ;; Blocks of 16 vectors summed in float32 (16 terms a lane, so about 1e-7 relative error), each block's sums
    ;; added in float64: promoting every vector cost a third of the loop. Two vectors a turn, so the CPU overlaps
    ;; their polynomial chains, and the constants inline rather than in locals, which V8 spilled: 25% faster.
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $blockEnd (i32.add (local.get $p) (i32.const 256)))
      (if (i32.gt_u (local.get $blockEnd) (local.get $end)) (then (local.set $blockEnd (local.get $end))))
      (local.set $blockSum (v128.const i32x4 0 0 0 0))
      (local.set $blockW (v128.const i32x4 0 0 0 0))
      (block $blockDone (loop $inBlock
        (br_if $blockDone (i32.ge_u (local.get $p) (local.get $blockEnd)))
        ;; d = max((x - top) s, -87); k = round(d / ln 2); r = d - k ln 2; exp(d) = (p(r) r^2 + r + 1) 2^k
        (local.set $x (f32x4.pmax (v128.const f32x4 -87 -87 -87 -87) (f32x4.mul (f32x4.sub (v128.load align=1 (local.get $p)) (local.get $t)) (local.get $s))))
        (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
        (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))) (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $q (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
        (local.set $e (f32x4.mul
          (f32x4.add (f32x4.add (f32x4.mul (local.get $q) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) (v128.const f32x4 1 1 1 1))
          (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
        ;; the next 4 floats, interleaved with these for the CPU
        (local.set $x2 (f32x4.pmax (v128.const f32x4 -87 -87 -87 -87) (f32x4.mul (f32x4.sub (v128.load offset=16 align=1 (local.get $p)) (local.get $t)) (local.get $s))))
        (local.set $k2 (f32x4.nearest (f32x4.mul (local.get $x2) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
        (local.set $r2 (f32x4.sub (f32x4.sub (local.get $x2) (f32x4.mul (local.get $k2) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))) (f32x4.mul (local.get $k2) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $q2 (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r2)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
        (local.set $q2 (f32x4.add (f32x4.mul (local.get $q2) (local.get $r2)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
        (local.set $q2 (f32x4.add (f32x4.mul (local.get $q2) (local.get $r2)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
        (local.set $q2 (f32x4.add (f32x4.mul (local.get $q2) (local.get $r2)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
        (local.set $q2 (f32x4.add (f32x4.mul (local.get $q2) (local.get $r2)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
        (local.set $e2 (f32x4.mul
          (f32x4.add (f32x4.add (f32x4.mul (local.get $q2) (f32x4.mul (local.get $r2) (local.get $r2))) (local.get $r2)) (v128.const f32x4 1 1 1 1))
          (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k2)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
        (local.set $blockSum (f32x4.add (local.get $blockSum) (f32x4.add (local.get $e) (local.get $e2))))
        (local.set $blockW (f32x4.add (local.get $blockW)
          (f32x4.add (f32x4.mul (local.get $e) (local.get $x)) (f32x4.mul (local.get $e2) (local.get $x2)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $inBlock)))
      (local.set $sumLo (f64x2.add (local.get $sumLo) (f64x2.promote_low_f32x4 (local.get $blockSum))))
      (local.set $sumHi (f64x2.add (local.get $sumHi)
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $blockSum) (local.get $blockSum)))))
      (local.set $wLo (f64x2.add (local.get $wLo) (f64x2.promote_low_f32x4 (local.get $blockW))))
      (local.set $wHi (f64x2.add (local.get $wHi)
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $blockW) (local.get $blockW)))))
      (br $next)))
    (local.set $sumLo (f64x2.add (local.get $sumLo) (local.get $sumHi)))
    (local.set $wLo (f64x2.add (local.get $wLo) (local.get $wHi)))
    (f64.store (local.get $end) (f64.add (f64x2.extract_lane 0 (local.get $wLo)) (f64x2.extract_lane 1 (local.get $wLo))))
    (f64.add (f64x2.extract_lane 0 (local.get $sumLo)) (f64x2.extract_lane 1 (local.get $sumLo))))

  ;; The k best of the n floats at byte 0 (n a multiple of 4, padded with -Infinity), by value desc and index asc,
  ;; written sorted from byte $out: k float32 values, then k int32 indices; returns how many there are (fewer than k
  ;; when fewer are finite). One SIMD compare against the k-th best so far per 4 floats: once k are in, almost no
  ;; float beats it, so the scalar insertion runs rarely. Indices come in order, so a value equal to the k-th best
  ;; never displaces it (the lower index wins a tie), and one equal to an earlier entry goes after it.
  (func (export "top_k") (param $n i32) (param $k i32) (param $out i32) (result i32)
    (local $p i32) (local $end i32) (local $lane i32) (local $at i32) (local $x f32) (local $floor f32) (local $count i32)
    (local $ids i32)
    (local.set $floor (f32.const -inf))
    (local.set $ids (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (if (v128.any_true (f32x4.gt (v128.load align=1 (local.get $p)) (f32x4.splat (local.get $floor))))
        (then
          (local.set $lane (i32.const 0))
          (block $lanes (loop $each
            (br_if $lanes (i32.ge_u (local.get $lane) (i32.const 4)))
            (local.set $x (f32.load (i32.add (local.get $p) (i32.shl (local.get $lane) (i32.const 2)))))
            (if (f32.gt (local.get $x) (local.get $floor))
              (then
                ;; the slot it enters from: the end while filling, else the last (whose entry it displaces)
                (local.set $at (select (local.get $count) (i32.sub (local.get $k) (i32.const 1))
                  (i32.lt_u (local.get $count) (local.get $k))))
                (if (i32.lt_u (local.get $count) (local.get $k)) (then (local.set $count (i32.add (local.get $count) (i32.const 1)))))
                ;; move better-than-nothing entries that it beats one slot down
                (block $placed (loop $shift
                  (br_if $placed (i32.eqz (local.get $at)))
                  (br_if $placed (i32.eqz (f32.lt
                    (f32.load (i32.add (local.get $out) (i32.shl (i32.sub (local.get $at) (i32.const 1)) (i32.const 2))))
                    (local.get $x))))
                  (f32.store (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 2)))
                    (f32.load (i32.add (local.get $out) (i32.shl (i32.sub (local.get $at) (i32.const 1)) (i32.const 2)))))
                  (i32.store (i32.add (local.get $ids) (i32.shl (local.get $at) (i32.const 2)))
                    (i32.load (i32.add (local.get $ids) (i32.shl (i32.sub (local.get $at) (i32.const 1)) (i32.const 2)))))
                  (local.set $at (i32.sub (local.get $at) (i32.const 1)))
                  (br $shift)))
                (f32.store (i32.add (local.get $out) (i32.shl (local.get $at) (i32.const 2))) (local.get $x))
                (i32.store (i32.add (local.get $ids) (i32.shl (local.get $at) (i32.const 2)))
                  (i32.add (i32.shr_u (local.get $p) (i32.const 2)) (local.get $lane)))
                (if (i32.eq (local.get $count) (local.get $k))
                  (then (local.set $floor (f32.load (i32.add (local.get $out)
                    (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 2)))))))))
            (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
            (br $each)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (local.get $count)))
