;; The LSTM cell in WebAssembly SIMD, forward and backward, run in place on the tfjs wasm backend's memory
;; (imported) by the fused LSTM layer kernels (lstm-kernels.ts), one call per time step. Pointers are byte offsets;
;; outputs never alias inputs except the gradient's running dcNext, updated element by element.
;; Assembled by `npx tsx src/engine/kernels/simd/assemble.ts` into training-wasm.ts (a test checks it is current).
(module
  (import "env" "memory" (memory 1))

  ;; exp on four lanes for the LSTM cell's sigmoids: Cody-Waite reduction by ln 2 and Cephes' expf polynomial (about
  ;; 1 ulp), input clamped to [-87, 88] so results stay finite and normal. Slower per value than the stock
  ;; sigmoid, but one fused call per time step instead of ~17 is what counts there.
  (func $exp4 (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.pmax (v128.const f32x4 -87 -87 -87 -87) (f32x4.pmin (v128.const f32x4 88 88 88 88) (local.get $x))))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                             (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r))
                             (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    ;; p r^2 + r + 1, times 2^k built in the exponent bits
    (f32x4.mul
      (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) (v128.const f32x4 1 1 1 1))
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  (func $sigmoid4 (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp4 (f32x4.neg (local.get $x))))))

  ;; tanh(x) = 2 sigmoid(2x) - 1, as the wasm Tanh fix computes it
  (func $tanh4 (param $x v128) (result v128)
    (f32x4.sub (f32x4.mul (v128.const f32x4 2 2 2 2) (call $sigmoid4 (f32x4.add (local.get $x) (local.get $x)))) (v128.const f32x4 1 1 1 1)))

  ;; One LSTM time step for B rows of H units (H a multiple of 4), gates i, f, g, o:
  ;; z = xw + hu; acts = [sigmoid(zi), sigmoid(zf), tanh(zg), sigmoid(zo)]; c = sf cPrev + si tg; tc = tanh(c); h = so tc.
  ;; xw, hu and acts rows are 4H wide; cPrev, c, h and tc rows H wide.
  (func (export "lstm_cell") (param $xw i32) (param $hu i32) (param $cp i32) (param $acts i32) (param $c i32) (param $h i32) (param $tc i32)
                             (param $B i32) (param $H i32)
    (local $b i32) (local $j i32) (local $g i32) (local $u i32) (local $gate i32)
    (local $si v128) (local $sf v128) (local $tg v128) (local $so v128) (local $cv v128) (local $tcv v128)
    (local.set $gate (i32.shl (local.get $H) (i32.const 2)))
    (block $rowsDone (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $H)))
        ;; byte offsets of this vector in a 4H-wide row (first gate) and in an H-wide row
        (local.set $g (i32.shl (i32.add (i32.mul (local.get $b) (i32.shl (local.get $H) (i32.const 2))) (local.get $j)) (i32.const 2)))
        (local.set $u (i32.shl (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $j)) (i32.const 2)))
        (local.set $si (call $sigmoid4 (f32x4.add (v128.load align=1 (i32.add (local.get $xw) (local.get $g))) (v128.load align=1 (i32.add (local.get $hu) (local.get $g))))))
        (local.set $g (i32.add (local.get $g) (local.get $gate)))
        (local.set $sf (call $sigmoid4 (f32x4.add (v128.load align=1 (i32.add (local.get $xw) (local.get $g))) (v128.load align=1 (i32.add (local.get $hu) (local.get $g))))))
        (local.set $g (i32.add (local.get $g) (local.get $gate)))
        (local.set $tg (call $tanh4 (f32x4.add (v128.load align=1 (i32.add (local.get $xw) (local.get $g))) (v128.load align=1 (i32.add (local.get $hu) (local.get $g))))))
        (local.set $g (i32.add (local.get $g) (local.get $gate)))
        (local.set $so (call $sigmoid4 (f32x4.add (v128.load align=1 (i32.add (local.get $xw) (local.get $g))) (v128.load align=1 (i32.add (local.get $hu) (local.get $g))))))
        (v128.store align=1 (i32.add (local.get $acts) (local.get $g)) (local.get $so))
        (local.set $g (i32.sub (local.get $g) (local.get $gate)))
        (v128.store align=1 (i32.add (local.get $acts) (local.get $g)) (local.get $tg))
        (local.set $g (i32.sub (local.get $g) (local.get $gate)))
        (v128.store align=1 (i32.add (local.get $acts) (local.get $g)) (local.get $sf))
        (local.set $g (i32.sub (local.get $g) (local.get $gate)))
        (v128.store align=1 (i32.add (local.get $acts) (local.get $g)) (local.get $si))
        (local.set $cv (f32x4.add (f32x4.mul (local.get $sf) (v128.load align=1 (i32.add (local.get $cp) (local.get $u))))
                                  (f32x4.mul (local.get $si) (local.get $tg))))
        (local.set $tcv (call $tanh4 (local.get $cv)))
        (v128.store align=1 (i32.add (local.get $c) (local.get $u)) (local.get $cv))
        (v128.store align=1 (i32.add (local.get $tc) (local.get $u)) (local.get $tcv))
        (v128.store align=1 (i32.add (local.get $h) (local.get $u)) (f32x4.mul (local.get $so) (local.get $tcv)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $nextRow))))

  ;; The step's gradient: dh = dy + dhu (dhu = dz_next U^T, absent at the last step: $hasDhu 0), dc = dcNext + dh kC;
  ;; dz = [dc kI, dc kF, dc kG, dh kO] with kO = tc so (1 - so), kC = so (1 - tc^2), kI = tg si (1 - si),
  ;; kF = cPrev sf (1 - sf), kG = si (1 - tg^2); dcNext becomes dc sf (read and written in place, one element at a time).
  (func (export "lstm_cell_grad") (param $dy i32) (param $dhu i32) (param $hasDhu i32) (param $dcn i32) (param $acts i32)
                                  (param $cp i32) (param $tc i32) (param $dz i32) (param $B i32) (param $H i32)
    (local $b i32) (local $j i32) (local $g i32) (local $u i32) (local $gate i32)
    (local $si v128) (local $sf v128) (local $tg v128) (local $so v128) (local $tcv v128) (local $dh v128) (local $dc v128)
    (local $one v128)
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $gate (i32.shl (local.get $H) (i32.const 2)))
    (block $rowsDone (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $H)))
        (local.set $g (i32.shl (i32.add (i32.mul (local.get $b) (i32.shl (local.get $H) (i32.const 2))) (local.get $j)) (i32.const 2)))
        (local.set $u (i32.shl (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $j)) (i32.const 2)))
        (local.set $dh (v128.load align=1 (i32.add (local.get $dy) (local.get $u))))
        (if (local.get $hasDhu) (then
          (local.set $dh (f32x4.add (local.get $dh) (v128.load align=1 (i32.add (local.get $dhu) (local.get $u)))))))
        (local.set $si (v128.load align=1 (i32.add (local.get $acts) (local.get $g))))
        (local.set $sf (v128.load align=1 (i32.add (local.get $acts) (i32.add (local.get $g) (local.get $gate)))))
        (local.set $tg (v128.load align=1 (i32.add (local.get $acts) (i32.add (local.get $g) (i32.shl (local.get $gate) (i32.const 1))))))
        (local.set $so (v128.load align=1 (i32.add (local.get $acts) (i32.add (local.get $g) (i32.mul (local.get $gate) (i32.const 3))))))
        (local.set $tcv (v128.load align=1 (i32.add (local.get $tc) (local.get $u))))
        (local.set $dc (f32x4.add (v128.load align=1 (i32.add (local.get $dcn) (local.get $u)))
          (f32x4.mul (local.get $dh) (f32x4.mul (local.get $so) (f32x4.sub (local.get $one) (f32x4.mul (local.get $tcv) (local.get $tcv)))))))
        (v128.store align=1 (i32.add (local.get $dz) (local.get $g))
          (f32x4.mul (local.get $dc) (f32x4.mul (local.get $tg) (f32x4.mul (local.get $si) (f32x4.sub (local.get $one) (local.get $si))))))
        (v128.store align=1 (i32.add (local.get $dz) (i32.add (local.get $g) (local.get $gate)))
          (f32x4.mul (local.get $dc)
            (f32x4.mul (v128.load align=1 (i32.add (local.get $cp) (local.get $u))) (f32x4.mul (local.get $sf) (f32x4.sub (local.get $one) (local.get $sf))))))
        (v128.store align=1 (i32.add (local.get $dz) (i32.add (local.get $g) (i32.shl (local.get $gate) (i32.const 1))))
          (f32x4.mul (local.get $dc) (f32x4.mul (local.get $si) (f32x4.sub (local.get $one) (f32x4.mul (local.get $tg) (local.get $tg))))))
        (v128.store align=1 (i32.add (local.get $dz) (i32.add (local.get $g) (i32.mul (local.get $gate) (i32.const 3))))
          (f32x4.mul (local.get $dh) (f32x4.mul (local.get $tcv) (f32x4.mul (local.get $so) (f32x4.sub (local.get $one) (local.get $so))))))
        (v128.store align=1 (i32.add (local.get $dcn) (local.get $u)) (f32x4.mul (local.get $dc) (local.get $sf)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $nextRow))))
)
