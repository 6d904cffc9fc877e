;; The LSTM cell in WebAssembly SIMD, forward and backward, run in place on the tfjs wasm backend's memory
;; (imported) by the fused LSTM layer kernels (lstm-kernels.ts), one call per time step. Pointers are byte offsets;
;; outputs never alias inputs except the gradient's running dcNext, updated element by element.
;; Assembled by `npx tsx src/engine/kernels/simd/assemble.ts` into training-wasm.ts (a test checks it is current).
(module
  (import "env" "memory" (memory 1))

  ;; In place over n floats (a multiple of 4): sigmoid (tanh 0) or tanh (tanh 1), as r = 1 / (1 + exp(-a z)) and
  ;; out = m r + k with (a, m, k) = (1, 1, 0) or (2, 2, -1): tanh(z) = 2 sigmoid(2z) - 1, as the wasm Tanh fix computes it.
  ;; exp by Cody-Waite reduction by ln 2 and Cephes' expf polynomial (about 1 ulp), its argument clamped to [-87, 88]
  ;; so results stay finite and normal. Written out in one loop with the constants in locals: a function call per
  ;; vector and re-materialised vector constants cost more than the arithmetic.
  (func $activate (param $p i32) (param $n i32) (param $tanh i32)
    (local $end i32) (local $x v128) (local $k v128) (local $r v128) (local $q v128)
    (local $a v128) (local $m v128) (local $add v128) (local $lo v128) (local $hi v128) (local $log2e v128) (local $ln2hi v128) (local $ln2lo v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $one v128) (local $bias v128)
    (local.set $a (f32x4.splat (select (f32.const -2) (f32.const -1) (local.get $tanh))))
    (local.set $m (f32x4.splat (select (f32.const 2) (f32.const 1) (local.get $tanh))))
    (local.set $add (f32x4.splat (select (f32.const -1) (f32.const 0) (local.get $tanh))))
    (local.set $lo (f32x4.splat (f32.const -87)))
    (local.set $hi (f32x4.splat (f32.const 88)))
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
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      ;; x = clamp(-a z); k = round(x / ln 2); r = x - k ln 2; exp(x) = (p(r) r^2 + r + 1) 2^k
      (local.set $x (f32x4.pmax (local.get $lo) (f32x4.pmin (local.get $hi) (f32x4.mul (v128.load align=1 (local.get $p)) (local.get $a)))))
      (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (local.get $log2e))))
      (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (local.get $ln2hi))) (f32x4.mul (local.get $k) (local.get $ln2lo))))
      (local.set $q (f32x4.add (f32x4.mul (local.get $c0) (local.get $r)) (local.get $c1)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (local.get $c2)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (local.get $c3)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (local.get $c4)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (local.get $c5)))
      (local.set $q (f32x4.mul
        (f32x4.add (f32x4.add (f32x4.mul (local.get $q) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) (local.get $one))
        (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (local.get $bias)) (i32.const 23))))
      (v128.store align=1 (local.get $p)
        (f32x4.add (f32x4.mul (local.get $m) (f32x4.div (local.get $one) (f32x4.add (local.get $one) (local.get $q)))) (local.get $add)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next))))

  ;; dst[0 .. n) = a[0 .. n) + b[0 .. n), n a multiple of 4
  (func $add (param $a i32) (param $b i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store align=1 (local.get $dst) (f32x4.add (v128.load align=1 (local.get $a)) (v128.load align=1 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $next))))

  ;; One LSTM time step for B rows of H units (H a multiple of 4), gates i, f, g, o:
  ;; z = xw + hu; acts = [sigmoid(zi), sigmoid(zf), tanh(zg), sigmoid(zo)]; c = sf cPrev + si tg; tc = tanh(c); h = so tc.
  ;; xw, hu and acts rows are 4H wide; cPrev, c, h and tc rows H wide. In passes over these small buffers:
  ;; z into acts, the activations in place, c and c again into tc, tanh in place, h.
  (func (export "lstm_cell") (param $xw i32) (param $hu i32) (param $cp i32) (param $acts i32) (param $c i32) (param $h i32) (param $tc i32)
                             (param $B i32) (param $H i32)
    (local $b i32) (local $j i32) (local $g i32) (local $u i32) (local $gate i32) (local $row i32) (local $cv v128)
    (local.set $gate (i32.shl (local.get $H) (i32.const 2)))
    (call $add (local.get $xw) (local.get $hu) (local.get $acts) (i32.mul (local.get $B) (i32.shl (local.get $H) (i32.const 2))))
    (block $rowsDone (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $row (i32.add (local.get $acts) (i32.mul (local.get $b) (i32.shl (local.get $gate) (i32.const 2)))))
      (call $activate (local.get $row) (i32.shl (local.get $H) (i32.const 1)) (i32.const 0))
      (call $activate (i32.add (local.get $row) (i32.shl (local.get $gate) (i32.const 1))) (local.get $H) (i32.const 1))
      (call $activate (i32.add (local.get $row) (i32.mul (local.get $gate) (i32.const 3))) (local.get $H) (i32.const 0))
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $H)))
        ;; byte offsets of this vector in a 4H-wide row (first gate) and in an H-wide row
        (local.set $g (i32.shl (i32.add (i32.mul (local.get $b) (i32.shl (local.get $H) (i32.const 2))) (local.get $j)) (i32.const 2)))
        (local.set $u (i32.shl (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $j)) (i32.const 2)))
        (local.set $cv (f32x4.add
          (f32x4.mul (v128.load align=1 (i32.add (local.get $acts) (i32.add (local.get $g) (local.get $gate))))
                     (v128.load align=1 (i32.add (local.get $cp) (local.get $u))))
          (f32x4.mul (v128.load align=1 (i32.add (local.get $acts) (local.get $g)))
                     (v128.load align=1 (i32.add (local.get $acts) (i32.add (local.get $g) (i32.shl (local.get $gate) (i32.const 1))))))))
        (v128.store align=1 (i32.add (local.get $c) (local.get $u)) (local.get $cv))
        (v128.store align=1 (i32.add (local.get $tc) (local.get $u)) (local.get $cv))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $nextRow)))
    (call $activate (local.get $tc) (i32.mul (local.get $B) (local.get $H)) (i32.const 1))
    (local.set $b (i32.const 0))
    (block $rowsDone (loop $nextRow
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $H)))
        (local.set $g (i32.shl (i32.add (i32.mul (local.get $b) (i32.shl (local.get $H) (i32.const 2))) (local.get $j)) (i32.const 2)))
        (local.set $u (i32.shl (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $j)) (i32.const 2)))
        (v128.store align=1 (i32.add (local.get $h) (local.get $u))
          (f32x4.mul (v128.load align=1 (i32.add (local.get $acts) (i32.add (local.get $g) (i32.mul (local.get $gate) (i32.const 3)))))
                     (v128.load align=1 (i32.add (local.get $tc) (local.get $u)))))
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
