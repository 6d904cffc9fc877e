;; The model's distribution statistics for /probs (engine/probs.ts), in WebAssembly SIMD on this module's own memory
;; (so any backend can use it): the logits are copied in from the host, and one pass gives what log Z and the entropy
;; need. The exponentials are the cost of /probs on per token, and JS's Math.exp is several times slower than these.
;; Assembled by `npx tsx src/engine/kernels/simd/assemble.ts` into probs-wasm.ts (a test checks it is current).
(module
  (memory (export "memory") 1)

  ;; Over the n floats at byte 0 (n a multiple of 4; pad with -Infinity): with d = max((x - top) s, -87) and e = exp(d),
  ;; returns sum e and stores sum e d as a float64 at byte 4n (one result: a pair crosses into JS as a new array),
  ;; both accumulated in float64. -87 keeps exp normal; a masked logit then adds exp(-87), which
  ;; is 0 beside the top term's 1 at float64 precision. exp as in recurrent.wat: Cody-Waite reduction by ln 2 and
  ;; Cephes' expf polynomial (about 1 ulp).
  (func (export "exp_sums") (param $n i32) (param $top f32) (param $scale f32) (result f64)
    (local $p i32) (local $end i32) (local $x v128) (local $k v128) (local $r v128) (local $q v128) (local $e v128) (local $ed v128)
    (local $t v128) (local $lo v128) (local $log2e v128) (local $ln2hi v128) (local $ln2lo v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $one v128) (local $bias v128)
    (local $sumLo v128) (local $sumHi v128) (local $wLo v128) (local $wHi v128) (local $s v128)
    (local.set $t (f32x4.splat (local.get $top)))
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $lo (f32x4.splat (f32.const -87)))
    (local.set $log2e (f32x4.splat (f32.const 1.44269504088896341)))
    (local.set $ln2hi (f32x4.splat (f32.const 0.693359375)))
    (local.set $ln2lo (f32x4.splat (f32.const -2.12194440e-4)))
    (local.set $c0 (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $c1 (f32x4.splat (f32.const 1.3981999507e-3)))
    (local.set $c2 (f32x4.splat (f32.const 8.3334519073e-3)))
    (local.set $c3 (f32x4.splat (f32.const 4.1665795894e-2)))
    (local.set $c4 (f32x4.splat (f32.const 1.6666665459e-1)))
    (local.set $c5 (f32x4.splat (f32.const 5.0000001201e-1)))
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $bias (i32x4.splat (i32.const 127)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      ;; d = max((x - top) s, -87); k = round(d / ln 2); r = d - k ln 2; exp(d) = (p(r) r^2 + r + 1) 2^k
      (local.set $x (f32x4.pmax (local.get $lo) (f32x4.mul (f32x4.sub (v128.load align=1 (local.get $p)) (local.get $t)) (local.get $s))))
      (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (local.get $log2e))))
      (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (local.get $ln2hi))) (f32x4.mul (local.get $k) (local.get $ln2lo))))
      (local.set $q (f32x4.add (f32x4.mul (local.get $c0) (local.get $r)) (local.get $c1)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (local.get $c2)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (local.get $c3)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (local.get $c4)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (local.get $c5)))
      (local.set $e (f32x4.mul
        (f32x4.add (f32x4.add (f32x4.mul (local.get $q) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) (local.get $one))
        (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (local.get $bias)) (i32.const 23))))
      (local.set $ed (f32x4.mul (local.get $e) (local.get $x)))
      (local.set $sumLo (f64x2.add (local.get $sumLo) (f64x2.promote_low_f32x4 (local.get $e))))
      (local.set $sumHi (f64x2.add (local.get $sumHi)
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e)))))
      (local.set $wLo (f64x2.add (local.get $wLo) (f64x2.promote_low_f32x4 (local.get $ed))))
      (local.set $wHi (f64x2.add (local.get $wHi)
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ed) (local.get $ed)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (local.set $sumLo (f64x2.add (local.get $sumLo) (local.get $sumHi)))
    (local.set $wLo (f64x2.add (local.get $wLo) (local.get $wHi)))
    (f64.store (local.get $end) (f64.add (f64x2.extract_lane 0 (local.get $wLo)) (f64x2.extract_lane 1 (local.get $wLo))))
    (f64.add (f64x2.extract_lane 0 (local.get $sumLo)) (f64x2.extract_lane 1 (local.get $sumLo)))))
